"""Programme-level facts: what holds for every case rather than for one.

They form one hash chain of their own in the ledger (``programme_events``, same hash rule as a
case's chain), so an auditor can tell which reminder rules were in force when, and later issues
add the taskforce's lessons and programme signals here. Today: the deployment's reminder rules,
recorded once per version by the first worker that runs with them.
"""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any, ClassVar, Literal, Union

from pydantic import ConfigDict, Field, TypeAdapter

from domain.evolve import Evolving
from domain.reminders import ReminderRules

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


AnyProgrammeEvent = Union[ReminderRulesChanged]
"""Every programme event, one of them; add a new one here."""
ProgrammeEvent = Annotated[AnyProgrammeEvent, Field(discriminator="type")]
PROGRAMME_EVENT_CLASSES: tuple[type[ProgrammeEventBase], ...] = (ReminderRulesChanged,)
PROGRAMME_EVENT_ADAPTER: TypeAdapter[ProgrammeEvent] = TypeAdapter(ProgrammeEvent)


def parse_programme_event(data: dict[str, Any] | str | bytes) -> ProgrammeEvent:
    if isinstance(data, (str, bytes)):
        return PROGRAMME_EVENT_ADAPTER.validate_json(data)
    return PROGRAMME_EVENT_ADAPTER.validate_python(data)
