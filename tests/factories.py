"""Test data: a lead, a needs profile and the commands that walk a case through every stage."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from domain import offers
from domain.commands import COMMAND_ADAPTER, Command, DetectLead
from domain.models import HotspotOffer
from domain.offers import CatalogueOffer, OfferOrigin, OfferProvenance

ACTOR = {"actor": "test-coordinator", "organisation": "BOM"}

LEAD: dict[str, Any] = {
    "company": "Photon Forge BV",
    "kvk": "12345678",
    "home_region": "bom",
    "hotspot": "brainport-eindhoven",
    "technology_domain": "photonics",
    "company_type": "scaleup",
    "phase": 2,
    "contact": {"name": "Anna de Vries", "email": "anna@example.org"},
    "coordinator": "coordinator@example.org",
}

NEEDS: dict[str, Any] = {
    "space": {"m2": 3000, "cleanroom_iso_class": 7},
    "talent": {"hbo_fte": 20, "wo_fte": 10},
    "energy": {"grid_mva": 4},
    "needed_by": "2099-01-01",  # a needed-by date in the past is refused: far beyond any skipped test clock
}


RETAINED = "would_have_gone_abroad"
"""A counterfactual whose investment counts as retained (a realisation needs one since issue 14)."""


def command(kind: str, /, **fields: Any) -> Command:
    return COMMAND_ADAPTER.validate_python({"type": kind, **ACTOR, **fields})


def start(demo: bool = False, source: str | None = None, signalled_by: str | None = None, **lead: Any) -> DetectLead:
    """A start of :data:`LEAD` with ``lead`` fields changed; ``demo``/``source``/``signalled_by`` as in
    ``DetectLead``."""
    return DetectLead.model_validate({
        "type": "start", **ACTOR, "lead": {**LEAD, **lead}, "demo": demo, "source": source,
        "signalled_by": signalled_by})


def happy_path(today: date, hotspot: str = "twente") -> list[Command]:
    """Needs → matches → location → consultation → realisation (the whole case)."""
    due = (today + timedelta(days=30)).isoformat()
    return [
        command("articulate-needs", needs=NEEDS),
        command("propose-matches"),
        command("choose-location", hotspot=hotspot, municipality="Enschede"),
        command("request-consultation", party="municipality", subject="zoning", due=due),
        command("answer-consultation", consultation_id="C1", verdict="positive", answer="fits"),
        command("start-realisation"),
        command("realise", investment_eur=25_000_000, jobs=60, counterfactual=RETAINED),
    ]


def catalogued(offer: HotspotOffer, *, illustrative: bool = True, source: str = "test figures",
               as_of: date = date(2026, 1, 1)) -> CatalogueOffer:
    """``offer`` as the catalogue holds it (``domain.offers``): loaded from a file with this provenance."""
    provenance = OfferProvenance(source=source, as_of=as_of, illustrative=illustrative)
    return offers.catalogued(offer, provenance, OfferOrigin.FILE)


def serial() -> str:
    """A case id of its own on the session's shared dev server (a fresh test ledger starts at 0001,
    so a second ledger's first serial would meet the first's workflow): BP-2026-1xxxxxx, random."""
    import uuid

    return f"BP-2026-{uuid.uuid4().int % 10**6 + 10**6}"
