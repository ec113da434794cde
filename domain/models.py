"""The case's nouns: the lead, its needs profile, hotspot offers, proposals, consultations, realisation.

All models are frozen and reject unknown fields, so a typo in a JSON file or a CLI flag is an
error that names the field rather than a silently ignored value. Every field is bounded and
strictly typed (``domain.bounds``): a limit broken is refused with the field and the limit named.
"""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any, ClassVar

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    SerializerFunctionWrapHandler,
    model_serializer,
    model_validator,
)

from domain import bounds as b
from domain.evolve import Evolving
from domain.vocab import (
    HOTSPOT_REGION,
    Bottleneck,
    CompanyType,
    ConsultationParty,
    FinancingInstrument,
    GrowthSpaceKind,
    HotspotId,
    ReferralTarget,
    Region,
    TechnologyDomain,
    Verdict,
)

VenturePhase = Annotated[b.StrictInt, b.within(1, 4), Field(description="venture-building life phase 1-4")]


class Model(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid", use_enum_values=False)


class Contact(Model):
    name: str = Field(min_length=1, max_length=b.NAME_MAX)
    email: str | None = Field(default=None, max_length=b.EMAIL_MAX, pattern=b.EMAIL_PATTERN)
    phone: str | None = Field(default=None, max_length=b.PHONE_MAX)


class Lead(Model, Evolving):
    """A deeptech company the taskforce follows. Confidential: under NDA with its home ROM.

    ``hotspot`` is null for a company outside any technology hotspot: "Dat laat onverlet dat er ook
    deeptech bedrijven zijn gevestigd in andere plaatsen die echter geen technologie brandpunt zijn
    maar waar dit programma met de betrekking tot de vraagarticulatie van bedrijven wel een
    faciliterende rol kan spelen" (sources/002). It must be given (``null`` said out loud), so a
    forgotten hotspot is not read as "outside".

    ``site`` is the municipality of the company's current site, so a realisation elsewhere in its
    own region is told apart from growing where it is (added later: absent from leads recorded
    before, which keep their bytes, ``domain.evolve``).
    """

    __added_fields__: ClassVar[frozenset[str]] = frozenset({"site"})

    company: str = Field(min_length=1, max_length=b.NAME_MAX)
    kvk: str | None = Field(default=None, pattern=b.KVK_PATTERN, description="KvK number, 8 digits")
    home_region: Region
    hotspot: HotspotId | None = Field(description="nearest technology hotspot; null: outside any hotspot")
    technology_domain: TechnologyDomain
    company_type: CompanyType
    phase: VenturePhase
    contact: Contact
    coordinator: str | None = Field(
        default=None, max_length=b.RECIPIENT_MAX, description="who coordinates the case; reminders go here"
    )
    site: str | None = Field(
        default=None, min_length=1, max_length=b.MUNICIPALITY_MAX,
        description="municipality of the company's current site",
    )


def is_new_scaleup(at_detection: CompanyType, at_realisation: CompanyType) -> bool:
    """Whether a realisation counts as a new scale-up ("Waarvan aantal nieuwe scale-ups",
    sources/002): the taskforce found a startup ("het product of de dienst moet nog worden
    bewezen") that is a scale-up ("een snel groeiende startup met een bewezen product of dienst")
    when it realises. A company that already was a scale-up, or a grown-up, is no new one."""
    return at_detection == CompanyType.STARTUP and at_realisation == CompanyType.SCALEUP


ChangeValue = (
    b.StrictBool | Annotated[b.StrictInt, b.within(0, b.EUR_MAX)] | Annotated[str, b.length(b.FIELD_VALUE_MAX)] | None
)
"""A changed field's value as its JSON form: a name, a vocabulary value, a number, a flag, or nothing."""


class FieldChange(Model):
    """One field a command changed: ``field`` (dotted for nested ones, e.g. ``contact.email``),
    its value before and after (JSON form)."""

    field: Annotated[str, b.length(b.LABEL_MAX, min_length=1)]
    old: ChangeValue
    new: ChangeValue


class Partial(Model):
    """A set of changes: only the fields given are changes. A field left out stays as it is; a
    field given as ``null`` clears an optional value. Dumps only the fields given, so the command
    keeps its meaning through JSON (the CLI, Temporal's converter, the update validator)."""

    @model_serializer(mode="wrap")
    def _given_only(self, handler: SerializerFunctionWrapHandler) -> dict[str, Any]:
        data = handler(self)
        return {k: v for k, v in data.items() if k in self.model_fields_set}

    def given(self) -> dict[str, Any]:
        """The changes as JSON-form values, by field name."""
        return self.model_dump(mode="json")


class ContactChanges(Partial):
    name: str | None = Field(default=None, min_length=1, max_length=b.NAME_MAX)
    email: str | None = Field(default=None, max_length=b.EMAIL_MAX, pattern=b.EMAIL_PATTERN)
    phone: str | None = Field(default=None, max_length=b.PHONE_MAX)


class LeadChanges(Partial):
    """The lead fields a coordinator changes (``update``), merged onto the current lead by the case
    itself (``domain.decide``), so two coordinators changing different fields both win. Each value
    follows the :class:`Lead` rules; the merged lead is validated as a whole. ``phase`` is refused
    unless unchanged: the venture phase changes with ``change-phase`` (its own event)."""

    company: str | None = Field(default=None, min_length=1, max_length=b.NAME_MAX)
    kvk: str | None = Field(default=None, pattern=b.KVK_PATTERN)
    home_region: Region | None = None
    hotspot: HotspotId | None = None
    technology_domain: TechnologyDomain | None = None
    company_type: CompanyType | None = None
    phase: VenturePhase | None = None
    contact: ContactChanges | None = None
    coordinator: str | None = Field(default=None, max_length=b.RECIPIENT_MAX)
    site: str | None = Field(default=None, min_length=1, max_length=b.MUNICIPALITY_MAX)


def describe_changes(changes: list[FieldChange] | list[dict[str, Any]]) -> str:
    """``company: Photon Forge BV → Photon Forge NV; kvk: 12345678 → –`` (events or their JSON)."""
    def shown(v: object) -> str:
        return "–" if v is None else ("yes" if v is True else "no" if v is False else str(v))

    items = [c.model_dump() if isinstance(c, FieldChange) else c for c in changes]
    return "; ".join(f"{c['field']}: {shown(c['old'])} → {shown(c['new'])}" for c in items)


def lead_fields(lead: Lead) -> dict[str, Any]:
    """The lead's fields as JSON-form values, contact fields dotted (``contact.email``)."""
    data = lead.model_dump(mode="json")
    contact = data.pop("contact")
    return {**data, **{f"contact.{k}": v for k, v in contact.items()}}


# --- needs articulation -------------------------------------------------------------------


class SpaceNeed(Model):
    m2: Annotated[b.StrictInt, b.within(1, b.M2_MAX)] = Field(description="floor space in m²")
    cleanroom_iso_class: Annotated[b.StrictInt, b.within(1, 9)] | None = Field(
        default=None, description="ISO 14644 class needed (lower is cleaner)"
    )
    vibration_free: b.StrictBool = False
    heavy_transport: b.StrictBool = Field(default=False, description="truck access needed")
    environmental_category: Annotated[b.StrictInt, b.within(1, 6)] | None = Field(
        default=None, description="environmental zoning category (milieucategorie)"
    )


class CapitalNeed(Model):
    capex_eur: Annotated[b.StrictInt, b.within(1, b.EUR_MAX)]
    shared_facility_ok: b.StrictBool = Field(
        default=True, description="early on, a shared facility on a campus would do"
    )


class TalentNeed(Model):
    mbo_fte: b.Fte = 0
    hbo_fte: b.Fte = 0
    wo_fte: b.Fte = 0

    @model_validator(mode="after")
    def _some_talent(self) -> TalentNeed:
        if self.mbo_fte + self.hbo_fte + self.wo_fte == 0:
            raise ValueError("talent need must ask for at least one FTE (mbo_fte, hbo_fte or wo_fte)")
        return self


class HousingNeed(Model):
    jobs: Annotated[b.StrictInt, b.within(1, b.JOBS_MAX)] = Field(description="jobs the growth brings")
    housing_units: Annotated[b.StrictInt, b.within(0, b.HOUSING_UNITS_MAX)] = 0
    needs_public_transport: b.StrictBool = False

    @property
    def national_scale(self) -> bool:
        """Very large cases (thousands of jobs) are signalled to the national MIRT programme."""
        return self.jobs >= 1000


class EnergyNeed(Model):
    grid_mva: Annotated[b.FiniteFloat, b.finite(gt=0, le=b.MVA_MAX)] = Field(description="grid connection capacity in MVA")


class FinancingNeed(Model):
    amount_eur: Annotated[b.StrictInt, b.within(1, b.EUR_MAX)]
    instruments: list[FinancingInstrument] = Field(default_factory=list, max_length=b.LIST_MAX)

    @property
    def market_gap(self) -> bool:
        """Tickets above EUR 50 M are a known gap in the Dutch financing market."""
        return self.amount_eur > 50_000_000


class NeedsProfile(Model):
    """The articulated growth question over the five kinds of growth space, plus financing."""

    space: SpaceNeed | None = None
    capital: CapitalNeed | None = None
    talent: TalentNeed | None = None
    housing: HousingNeed | None = None
    energy: EnergyNeed | None = None
    financing: FinancingNeed | None = None
    needed_by: b.Date
    notes: str | None = Field(default=None, max_length=b.NOTES_MAX)

    @model_validator(mode="after")
    def _some_need(self) -> NeedsProfile:
        if not self.kinds:
            raise ValueError(
                "a needs profile names at least one kind of growth space "
                "(space, capital, talent, housing, energy)"
            )
        return self

    @property
    def kinds(self) -> list[GrowthSpaceKind]:
        return [k for k in GrowthSpaceKind if getattr(self, k.value) is not None]


# --- matchmaking, consultation, realisation ------------------------------------------------


class HotspotOffer(Model):
    """What a hotspot can offer a growing company; shipped as data, loaded into the database."""

    id: HotspotId
    name: b.Name
    region: Region
    municipalities: list[b.Label] = Field(max_length=b.LIST_MAX)
    technology_domains: list[TechnologyDomain] = Field(max_length=b.LIST_MAX)
    available_m2: b.Capacity
    best_cleanroom_iso_class: Annotated[b.StrictInt, b.within(1, 9)] | None = None
    vibration_free: b.StrictBool = False
    heavy_transport: b.StrictBool = True
    max_environmental_category: Annotated[b.StrictInt, b.within(1, 6)]
    shared_facilities: list[b.Label] = Field(default_factory=list, max_length=b.LIST_MAX)
    fieldlabs: list[b.Label] = Field(default_factory=list, max_length=b.LIST_MAX)
    grid_headroom_mva: Annotated[b.FiniteFloat, b.finite(ge=0, le=b.MVA_MAX * 100)]
    talent_fte_per_year: dict[b.Label, b.Capacity] = Field(
        max_length=b.LIST_MAX, description="graduates/hires available per level"
    )
    housing_jobs_capacity: b.Capacity = Field(description="jobs the housing market can absorb")
    clusters: list[b.Label] = Field(default_factory=list, max_length=b.LIST_MAX)

    @model_validator(mode="after")
    def _region_matches(self) -> HotspotOffer:
        if HOTSPOT_REGION[self.id] != self.region:
            raise ValueError(f"hotspot {self.id.value} lies in {HOTSPOT_REGION[self.id].value}")
        return self


class MatchProposal(Model, Evolving):
    """A hotspot scored against the needs (``domain.matchmaking``). ``offer_version`` is the version
    of the offer it was scored against and ``illustrative`` whether that offer's figures were
    example figures (``domain.offers``); its first reason cites both. Both were added later: a
    proposal recorded before has neither (``None``/``False``: not recorded) and keeps its bytes."""

    __added_fields__: ClassVar[frozenset[str]] = frozenset({"offer_version", "illustrative"})

    hotspot: HotspotId
    region: Region
    score: Annotated[b.FiniteFloat, b.finite(ge=0, le=1)]
    viable: b.StrictBool
    reasons: list[Annotated[str, b.length(b.MATCH_REASON_MAX)]] = Field(max_length=b.MATCH_REASONS_MAX)
    shortfalls: list[GrowthSpaceKind] = Field(default_factory=list, max_length=b.LIST_MAX)
    offer_version: Annotated[str, b.length(b.LABEL_MAX, min_length=1)] | None = None
    illustrative: b.StrictBool = False


class Location(Model):
    """A place a company may grow: a hotspot (if any), its region, and a municipality."""

    region: Region
    hotspot: HotspotId | None = None
    municipality: str | None = Field(default=None, max_length=b.MUNICIPALITY_MAX)


class Consultation(Model):
    consultation_id: Annotated[str, b.length(b.CONSULTATION_ID_MAX, min_length=1)]
    party: ConsultationParty
    subject: Annotated[str, b.length(b.SUBJECT_MAX)]
    due: b.Date
    verdict: Verdict | None = None
    answer: Annotated[str, b.length(b.ANSWER_MAX)] | None = None
    withdrawn: b.StrictBool = False

    @property
    def open(self) -> bool:
        return self.verdict is None and not self.withdrawn


class Realisation(Model):
    location: Location
    investment_eur: b.Eur
    jobs: b.Jobs
    new_scaleup: b.StrictBool


class Referral(Model):
    """A referral of the case to an adjacent programme or organisation (``refer``)."""

    to: ReferralTarget
    name: Annotated[str, b.length(b.NAME_MAX, min_length=1)] | None = None
    subject: Annotated[str, b.length(b.SUBJECT_MAX, min_length=1)]
    at: datetime


__all__ = [
    "Bottleneck",
    "CapitalNeed",
    "Consultation",
    "Contact",
    "ContactChanges",
    "EnergyNeed",
    "FieldChange",
    "FinancingNeed",
    "HotspotOffer",
    "HousingNeed",
    "Lead",
    "LeadChanges",
    "Location",
    "MatchProposal",
    "NeedsProfile",
    "Realisation",
    "Referral",
    "SpaceNeed",
    "TalentNeed",
    "is_new_scaleup",
]
