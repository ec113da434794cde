"""The case's nouns: the lead, its needs profile, hotspot offers, proposals, consultations, realisation.

All models are frozen and reject unknown fields, so a typo in a JSON file or a CLI flag is an
error that names the field rather than a silently ignored value.
"""

from __future__ import annotations

from datetime import date
from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field, model_validator

from domain.vocab import (
    HOTSPOT_REGION,
    Bottleneck,
    CompanyType,
    ConsultationParty,
    FinancingInstrument,
    GrowthSpaceKind,
    HotspotId,
    Region,
    TechnologyDomain,
    Verdict,
)

VenturePhase = Annotated[int, Field(ge=1, le=4, description="venture-building life phase 1-4")]


class Model(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid", use_enum_values=False)


class Contact(Model):
    name: str = Field(min_length=1, max_length=200)
    email: str | None = Field(default=None, pattern=r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
    phone: str | None = Field(default=None, max_length=40)


class Lead(Model):
    """A deeptech company the taskforce follows. Confidential: under NDA with its home ROM."""

    company: str = Field(min_length=1, max_length=200)
    kvk: str | None = Field(default=None, pattern=r"^\d{8}$", description="KvK number, 8 digits")
    home_region: Region
    hotspot: HotspotId = Field(description="nearest technology hotspot")
    technology_domain: TechnologyDomain
    company_type: CompanyType
    phase: VenturePhase
    contact: Contact
    coordinator: str | None = Field(
        default=None, max_length=200, description="who coordinates the case; reminders go here"
    )


# --- needs articulation -------------------------------------------------------------------


class SpaceNeed(Model):
    m2: int = Field(gt=0, description="floor space in m²")
    cleanroom_iso_class: int | None = Field(
        default=None, ge=1, le=9, description="ISO 14644 class needed (lower is cleaner)"
    )
    vibration_free: bool = False
    heavy_transport: bool = Field(default=False, description="truck access needed")
    environmental_category: int | None = Field(
        default=None, ge=1, le=6, description="environmental zoning category (milieucategorie)"
    )


class CapitalNeed(Model):
    capex_eur: int = Field(gt=0)
    shared_facility_ok: bool = Field(
        default=True, description="early on, a shared facility on a campus would do"
    )


class TalentNeed(Model):
    mbo_fte: int = Field(default=0, ge=0)
    hbo_fte: int = Field(default=0, ge=0)
    wo_fte: int = Field(default=0, ge=0)

    @model_validator(mode="after")
    def _some_talent(self) -> TalentNeed:
        if self.mbo_fte + self.hbo_fte + self.wo_fte == 0:
            raise ValueError("talent need must ask for at least one FTE (mbo_fte, hbo_fte or wo_fte)")
        return self


class HousingNeed(Model):
    jobs: int = Field(gt=0, description="jobs the growth brings")
    housing_units: int = Field(default=0, ge=0)
    needs_public_transport: bool = False

    @property
    def national_scale(self) -> bool:
        """Very large cases (thousands of jobs) are signalled to the national MIRT programme."""
        return self.jobs >= 1000


class EnergyNeed(Model):
    grid_mva: float = Field(gt=0, description="grid connection capacity in MVA")


class FinancingNeed(Model):
    amount_eur: int = Field(gt=0)
    instruments: list[FinancingInstrument] = Field(default_factory=list)

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
    needed_by: date
    notes: str | None = Field(default=None, max_length=2000)

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
    name: str
    region: Region
    municipalities: list[str]
    technology_domains: list[TechnologyDomain]
    available_m2: int = Field(ge=0)
    best_cleanroom_iso_class: int | None = Field(default=None, ge=1, le=9)
    vibration_free: bool = False
    heavy_transport: bool = True
    max_environmental_category: int = Field(ge=1, le=6)
    shared_facilities: list[str] = Field(default_factory=list)
    fieldlabs: list[str] = Field(default_factory=list)
    grid_headroom_mva: float = Field(ge=0)
    talent_fte_per_year: dict[str, int] = Field(description="graduates/hires available per level")
    housing_jobs_capacity: int = Field(ge=0, description="jobs the housing market can absorb")
    clusters: list[str] = Field(default_factory=list)

    @model_validator(mode="after")
    def _region_matches(self) -> HotspotOffer:
        if HOTSPOT_REGION[self.id] != self.region:
            raise ValueError(f"hotspot {self.id.value} lies in {HOTSPOT_REGION[self.id].value}")
        return self


class MatchProposal(Model):
    hotspot: HotspotId
    region: Region
    score: float = Field(ge=0, le=1)
    viable: bool
    reasons: list[str]
    shortfalls: list[GrowthSpaceKind] = Field(default_factory=list)


class Location(Model):
    """A place a company may grow: a hotspot (if any), its region, and a municipality."""

    region: Region
    hotspot: HotspotId | None = None
    municipality: str | None = Field(default=None, max_length=200)


class Consultation(Model):
    consultation_id: str
    party: ConsultationParty
    subject: str
    due: date
    verdict: Verdict | None = None
    answer: str | None = None
    withdrawn: bool = False

    @property
    def open(self) -> bool:
        return self.verdict is None and not self.withdrawn


class Realisation(Model):
    location: Location
    investment_eur: int = Field(ge=0)
    jobs: int = Field(ge=0)
    new_scaleup: bool


__all__ = [
    "Bottleneck",
    "CapitalNeed",
    "Consultation",
    "Contact",
    "EnergyNeed",
    "FinancingNeed",
    "HotspotOffer",
    "HousingNeed",
    "Lead",
    "Location",
    "MatchProposal",
    "NeedsProfile",
    "Realisation",
    "SpaceNeed",
    "TalentNeed",
]
