"""Programme-level facts: what holds for every case rather than for one.

They form one hash chain of their own in the ledger (``programme_events``, same hash rule as a
case's chain), so an auditor can tell which reminder rules were in force when, and what the
taskforce told the Ministry:

- the deployment's reminder rules (``ReminderRulesChanged``), recorded once per version by the
  first worker that runs with them;
- the hotspot offers put in force (``OffersLoaded``, ``domain.offers``), by ``db upgrade`` or
  ``brandpunt offers load``;
- the taskforce's **entries for the Ministry**: lessons learned (``LessonRecorded``) and the
  programme signals the programme names, the MIRT signal for housing and accessibility
  (``MirtSignalled``), the financing gap for tickets from EUR 50 M (``FinancingGapSignalled``) and
  knowledge shared across regions (``KnowledgeShared``); and the withdrawal of such an entry
  (``EntryWithdrawn``; the chain is never rewritten).

An entry is written *for the Ministry* by a member of the taskforce and anonymised by its author:
it names no company, KvK number or case (the ledger refuses a text that does, see
:func:`names_in`). It is not a case file's note: case notes and reasons stay in their case and never
reach a report; these entries are the only free text the reports' qualitative sections show. The
programme asks for exactly this: the progress talks "zijn ook bedoeld om leerervaringen te bespreken
die kunnen worden gebruikt voor nieuwe aandienende casussen", and the final report gives "een
bondige eindrapportage met conclusies over het experiment" (sources/002, "Voortgangsrapportage en
monitoring").
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from datetime import datetime
from enum import Enum
from types import MappingProxyType
from typing import Annotated, Any, ClassVar, Literal, Union

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    TypeAdapter,
    ValidationError,
    ValidationInfo,
    field_validator,
)

from domain import bounds as b
from domain.commands import explain, problems
from domain.errors import CommandRejected
from domain.evolve import Evolving
from domain.offers import CATALOGUE_PATTERN, REPLACED_PATTERN, CatalogueOffer, OfferOrigin
from domain.organisations import OrganisationKind, Organisations
from domain.reminders import ReminderRules
from domain.vocab import HotspotId, Region

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


class LessonKind(str, Enum):
    """What a lesson says, as the final report's conclusions are ordered."""

    WHAT_WORKED = "what_worked"
    LESSON = "lesson"
    RECOMMENDATION = "recommendation"


class MirtConcern(str, Enum):
    """What a very large scale-up asks of the region, in the programme's words: "de ontsluiting met
    een weg, een openbaar vervoer verbinding, publieke voorzieningen of extra woningbouw"."""

    HOUSING = "housing"
    ROAD = "road"
    PUBLIC_TRANSPORT = "public_transport"
    PUBLIC_FACILITIES = "public_facilities"


FINANCING_GAP_FROM_EUR = 50_000_000
"""The programme: "De grotere tickets vanaf 50 miljoen zijn lastig te vinden voor opschalende
bedrijven" (sources/002, "Mandje voor financiering"). "Vanaf" is "from": EUR 50 M itself is in the gap."""

ENTRY_TEXT_MAX = b.NOTE_MAX
"""An entry is a few paragraphs for the Ministry, as long as a case note may be."""


class TaskforceEntry(ProgrammeEventBase):
    """An entry the taskforce writes for the Ministry (see the module): who wrote it (``actor``,
    ``organisation``), a short ``title``, the ``text``, and the ROM ``regions`` it concerns (none:
    the programme as a whole)."""

    organisation: str | None = Field(default=None, max_length=b.NAME_MAX)
    title: Annotated[str, b.length(b.LABEL_MAX, min_length=1)]
    text: Annotated[str, b.length(ENTRY_TEXT_MAX, min_length=1)]
    regions: list[Region] = Field(default_factory=list, max_length=len(Region))

    @field_validator("regions")
    @classmethod
    def _regions_once(cls, regions: list[Region]) -> list[Region]:
        if len(set(regions)) != len(regions):
            raise ValueError("each region once")
        return regions


class LessonRecorded(TaskforceEntry):
    """A lesson learned from the experiment (the programme's qualitative target "Leereffecten van
    het experiment"): what worked, a lesson, or a recommendation."""

    type: Literal["LessonRecorded"] = "LessonRecorded"
    kind: LessonKind


class MirtSignalled(TaskforceEntry):
    """The taskforce's signal for housing and accessibility: "De taskforce heeft hierbij een
    signalerende functie die gaat over de benodigde samenwerking tussen de provincie en het Rijk in
    het kader van het Meerjarenprogramma Infrastructuur, Ruimte en Transport (MIRT)" (sources/002,
    "Wonen en bereikbaarheid"). Names the region(s) it concerns, what is asked, and the new jobs
    expected when known ("enkele duizenden nieuwe arbeidsplaatsen")."""

    type: Literal["MirtSignalled"] = "MirtSignalled"
    regions: list[Region] = Field(min_length=1, max_length=len(Region))
    hotspot: HotspotId | None = None
    concerns: list[MirtConcern] = Field(min_length=1, max_length=len(MirtConcern))
    jobs: b.Jobs | None = None


class FinancingGapSignalled(TaskforceEntry):
    """A scale-up's financing question in the market gap: a ticket from EUR 50 M
    (:data:`FINANCING_GAP_FROM_EUR`) that no lead investor takes ("Partijen als Invest-NL en EIB
    kunnen en willen wel meefinancieren maar mogen niet optreden als lead investor")."""

    type: Literal["FinancingGapSignalled"] = "FinancingGapSignalled"
    ticket_eur: Annotated[b.StrictInt, Field(ge=FINANCING_GAP_FROM_EUR, le=b.EUR_MAX)]


class KnowledgeShared(TaskforceEntry):
    """Knowledge shared across regions: the case-based approach "Kennis deelt en bedrijven
    faciliteert over de regio's heen" (sources/002, Analysekader 2c). From one ROM region to the
    ``regions`` that received it (at least one, never the giving region itself)."""

    type: Literal["KnowledgeShared"] = "KnowledgeShared"
    from_region: Region
    regions: list[Region] = Field(min_length=1, max_length=len(Region))

    @field_validator("from_region")
    @classmethod
    def _to_other_regions(cls, from_region: Region, info: ValidationInfo) -> Region:
        # validated after ``regions`` (the field order): absent from info.data when regions were refused
        if from_region in info.data.get("regions", ()):
            raise ValueError("is one of regions: knowledge shared across regions goes to other regions")
        return from_region


class EntryWithdrawn(ProgrammeEventBase):
    """An entry taken back (wrong, or it said too much), with the reason why. The entry stays in
    the chain; reports leave it out from now on, and the next report lists the withdrawal under
    "corrections since the last report" when an earlier report showed the entry."""

    type: Literal["EntryWithdrawn"] = "EntryWithdrawn"
    organisation: str | None = Field(default=None, max_length=b.NAME_MAX)
    entry: int = Field(ge=1, description="the seq of the withdrawn entry in the programme chain")
    reason: str = Field(min_length=1, max_length=2000)


AnyProgrammeEvent = Union[
    ReminderRulesChanged, OffersLoaded, LessonRecorded, MirtSignalled, FinancingGapSignalled, KnowledgeShared,
    EntryWithdrawn,
]
"""Every programme event, one of them; add a new one here."""
ProgrammeEvent = Annotated[AnyProgrammeEvent, Field(discriminator="type")]
PROGRAMME_EVENT_CLASSES: tuple[type[ProgrammeEventBase], ...] = (
    ReminderRulesChanged, OffersLoaded, LessonRecorded, MirtSignalled, FinancingGapSignalled, KnowledgeShared,
    EntryWithdrawn,
)
PROGRAMME_EVENT_ADAPTER: TypeAdapter[ProgrammeEvent] = TypeAdapter(ProgrammeEvent)
AnyEntry = Union[LessonRecorded, MirtSignalled, FinancingGapSignalled, KnowledgeShared]
"""The taskforce's entries for the Ministry (each a :class:`TaskforceEntry`)."""
ENTRY_TYPES: tuple[str, ...] = tuple(
    c.model_fields["type"].default for c in PROGRAMME_EVENT_CLASSES if issubclass(c, TaskforceEntry))
"""The types of the taskforce's entries for the Ministry (what the reports show, and what may be withdrawn)."""


def parse_entry(fields: Mapping[str, Any]) -> AnyEntry | EntryWithdrawn:
    """An entry (or a withdrawal) from its fields, ``seq`` and ``at`` included, checked whole.

    Raises :class:`CommandRejected` (rule ``invalid-input``) naming each bad field, never echoing
    the input; a type that is no entry is refused naming ``type``.
    """
    cls = _ENTRY_CLASSES.get(str(fields.get("type")))
    if cls is None:
        raise CommandRejected("invalid-input", f"type: one of {', '.join(_ENTRY_CLASSES)}", "type")
    try:
        return cls.model_validate(dict(fields))
    except ValidationError as err:
        found = problems(err)
        raise CommandRejected("invalid-input", explain(err), found[0][0] if found else None) from None


_ENTRY_CLASSES: Mapping[
    str, type[LessonRecorded] | type[MirtSignalled] | type[FinancingGapSignalled] | type[KnowledgeShared]
    | type[EntryWithdrawn]
] = MappingProxyType({
    "LessonRecorded": LessonRecorded, "MirtSignalled": MirtSignalled, "FinancingGapSignalled": FinancingGapSignalled,
    "KnowledgeShared": KnowledgeShared, "EntryWithdrawn": EntryWithdrawn,
})


_LEGAL_FORM = re.compile(r"[\s,]+(b\.?\s?v\.?|n\.?\s?v\.?|v\.?o\.?f\.?|holding|group|inc\.?|ltd\.?|gmbh)$", re.I)
NAME_MIN = 3
"""Shorter company names (after the legal form) are not looked for: "AB" would match too much."""


def _folded(name: str) -> str:
    name = " ".join(name.casefold().split())
    while (stripped := _LEGAL_FORM.sub("", name)) != name:
        name = stripped
    return name


def names_in(text: str, names: Iterable[str]) -> list[str]:
    """Which of ``names`` (company names, KvK numbers, case ids) ``text`` mentions, whole words,
    case-folded; a company name counts without its legal form (BV, N.V., ...). An entry for the
    Ministry that mentions one is not anonymised."""
    body = " ".join(text.casefold().split())
    found = []
    for name in names:
        folded = _folded(name)
        if len(folded) >= NAME_MIN and re.search(rf"(?<!\w){re.escape(folded)}(?!\w)", body):
            found.append(name)
    return sorted(set(found))


def check_entry(event: AnyEntry | EntryWithdrawn, chain: Iterable[ProgrammeEvent], names: Iterable[str]) -> None:
    """The rules an entry must meet against the chain it joins and the ledger's companies.

    - an entry names no company, KvK number or case (``names``): refused naming ``title`` or ``text``;
    - a withdrawal names an entry of the chain (not a reminder-rules change), once.
    """
    if isinstance(event, EntryWithdrawn):
        events = {e.seq: e for e in chain}
        target = events.get(event.entry)
        if target is None or target.type not in ENTRY_TYPES:
            raise CommandRejected("no-such-entry", f"entry {event.entry} is no lesson or signal of the programme chain",
                                  "entry")
        if any(isinstance(e, EntryWithdrawn) and e.entry == event.entry for e in events.values()):
            raise CommandRejected("already-withdrawn", f"entry {event.entry} was withdrawn before", "entry")
        check_anonymous("reason", event.reason, names)
        return
    check_anonymous("title", event.title, names)
    check_anonymous("text", event.text, names)


TASKFORCE_KINDS = frozenset({OrganisationKind.ROM, OrganisationKind.NFIA, OrganisationKind.TRIPLE_HELIX})
"""The taskforce: "medewerkers van de ROM's, de NFIA en triple helix organisaties" (DOMAIN.md, "The programme")."""


def taskforce_author(organisation: str | None, organisations: Organisations) -> str:
    """The id of the taskforce organisation an entry is written for (its id or name, any case);
    refused naming ``organisation`` when it is missing or not of the taskforce (a ROM, the NFIA or a
    triple-helix organisation): the Ministry reads what the taskforce tells it, not its own words."""
    if not organisation:
        raise CommandRejected("no-organisation", "an entry for the Ministry names the taskforce organisation "
                              "that writes it (--organisation or BRANDPUNT_ORGANISATION)", "organisation")
    wanted = organisation.strip().casefold()
    for org in organisations.by_id.values():
        if wanted in (org.id, org.name.casefold()):
            if org.kind not in TASKFORCE_KINDS:
                raise CommandRejected("not-taskforce", f"organisation {org.id} is not of the taskforce (a ROM, the "
                                      "NFIA or a triple-helix organisation)", "organisation")
            return org.id
    raise CommandRejected("unknown-organisation", "organisation: not a known organisation id (see the "
                          "deployment's organisations file)", "organisation")


def check_anonymous(field: str, text: str, names: Iterable[str]) -> None:
    if found := names_in(text, names):
        raise CommandRejected(
            "not-anonymised",
            f"{field} names {len(found)} compan{'y' if len(found) == 1 else 'ies'} or case(s) of the ledger: an entry "
            "for the Ministry is anonymised by its author (write 'a photonics scale-up from Brabant', not its name)",
            field,
        )


def parse_programme_event(data: dict[str, Any] | str | bytes) -> ProgrammeEvent:
    if isinstance(data, (str, bytes)):
        return PROGRAMME_EVENT_ADAPTER.validate_json(data)
    return PROGRAMME_EVENT_ADAPTER.validate_python(data)
