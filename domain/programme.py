"""Programme-level facts: what holds for every case rather than for one.

They form one hash chain of their own in the ledger (``programme_events``, same hash rule as a
case's chain), so an auditor can tell which reminder rules were in force when, and later issues
add the taskforce's lessons and programme signals here. Today: the deployment's reminder rules,
recorded once per version by the first worker that runs with them, and the hotspot offers put in
force (``OffersLoaded``, ``domain.offers``), by ``db upgrade`` or ``brandpunt offers load``.
"""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any, ClassVar, Literal, Union

from pydantic import BaseModel, ConfigDict, Field, TypeAdapter

from domain.evolve import Evolving
from domain.offers import CATALOGUE_PATTERN, REPLACED_PATTERN, CatalogueOffer, OfferOrigin
from domain.reminders import ReminderRules
from domain.vocab import HotspotId

PROGRAMME_CHAIN = "programme"
"""The chain id of programme-level events (never a case id: case ids are ``BP-…`` or ``lead-…``)."""


class ProgrammeEventBase(Evolving):
    model_config = ConfigDict(frozen=True, extra="forbid")
    __added_fields__: ClassVar[frozenset[str]] = frozenset()

    seq: int = Field(ge=1)
    at: datetime
    actor: str = Field(min_length=1, max_length=200)
    reason: str | None = Field(default=None, max_length=2000)


class ReminderRulesChanged(ProgrammeEventBase):
    """The deployment's reminder rules from now on; cases adopt them at their next wake-up."""

    type: Literal["ReminderRulesChanged"] = "ReminderRulesChanged"
    version: str = Field(max_length=40)
    rules: ReminderRules


class OfferFileRef(BaseModel):
    """The file a load read: its name (no directories) and the sha256 of its bytes."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    name: str = Field(min_length=1, max_length=200)
    sha256: str = Field(pattern=r"^[0-9a-f]{64}$")


class OffersLoaded(ProgrammeEventBase):
    """Hotspot offers put in force (``domain.offers``): by ``db upgrade`` from the shipped catalogue
    (``origin`` shipped), by ``brandpunt offers load`` from a file (``file``), or the offers the ledger
    held before offers were versioned (shipped or adopted). ``offers`` are the offers this load put
    in force, each with its provenance and version; ``replaced`` the version each replaced (a hotspot
    absent there had no offer); ``version`` the whole catalogue's version afterwards. Matchmaking
    cites an offer's version in every reason, so an auditor finds here what a proposal rested on."""

    type: Literal["OffersLoaded"] = "OffersLoaded"
    version: str = Field(pattern=CATALOGUE_PATTERN)
    origin: OfferOrigin
    organisation: str | None = Field(default=None, max_length=200)
    file: OfferFileRef | None = None
    offers: list[CatalogueOffer] = Field(min_length=1, max_length=len(HotspotId))
    replaced: dict[HotspotId, Annotated[str, Field(pattern=REPLACED_PATTERN)]] = Field(default_factory=dict)


AnyProgrammeEvent = Union[ReminderRulesChanged, OffersLoaded]
"""Every programme event, one of them; add a new one here."""
ProgrammeEvent = Annotated[AnyProgrammeEvent, Field(discriminator="type")]
PROGRAMME_EVENT_CLASSES: tuple[type[ProgrammeEventBase], ...] = (ReminderRulesChanged, OffersLoaded)
PROGRAMME_EVENT_ADAPTER: TypeAdapter[ProgrammeEvent] = TypeAdapter(ProgrammeEvent)


def parse_programme_event(data: dict[str, Any] | str | bytes) -> ProgrammeEvent:
    if isinstance(data, (str, bytes)):
        return PROGRAMME_EVENT_ADAPTER.validate_json(data)
    return PROGRAMME_EVENT_ADAPTER.validate_python(data)
