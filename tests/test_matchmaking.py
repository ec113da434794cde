"""The pure matchmaking scorer on the shipped hotspot offers and on hand-built ones."""

from __future__ import annotations

import random

from domain.matchmaking import score_offers
from domain.models import Lead, NeedsProfile
from ledger.offers import shipped_offers
from tests import factories as f

OFFERS = shipped_offers()
LEAD = Lead.model_validate(f.LEAD)


def test_grid_heavy_need_ranks_groningen_and_almere_first_and_names_the_shortfall():
    needs = NeedsProfile(energy={"grid_mva": 15}, space={"m2": 5000}, needed_by="2028-01-01")
    result = score_offers(LEAD, needs, OFFERS)
    ranked = [p.hotspot.value for p in result.proposals]
    assert set(ranked[:2]) == {"groningen", "almere"}
    assert [p.viable for p in result.proposals[:2]] == [True, True] and result.bottleneck is None
    brainport = next(p for p in result.proposals if p.hotspot.value == "brainport-eindhoven")
    assert not brainport.viable and "energy" in [k.value for k in brainport.shortfalls]
    assert any("grid headroom 2.0 MVA < 15.0 MVA" in r for r in brainport.reasons)


def test_impossible_need_everywhere_gives_the_bottleneck():
    needs = NeedsProfile(energy={"grid_mva": 500}, talent={"wo_fte": 10}, needed_by="2028-01-01")
    result = score_offers(LEAD, needs, OFFERS)
    assert not any(p.viable for p in result.proposals)
    assert result.bottleneck is not None and result.bottleneck.value == "energy"


def test_cleanroom_class_and_cluster_matter():
    needs = NeedsProfile(space={"m2": 1000, "cleanroom_iso_class": 4}, needed_by="2028-01-01")
    result = score_offers(LEAD, needs, OFFERS)
    assert [p.hotspot.value for p in result.proposals if p.viable] == ["brainport-eindhoven"]
    almere = next(p for p in result.proposals if p.hotspot.value == "almere")
    assert any("no cleanroom (ISO 4 needed)" in r for r in almere.reasons)
    assert any("cluster: photonics firms present" in r for r in result.proposals[0].reasons)


def test_deterministic_and_independent_of_offer_order():
    needs = NeedsProfile.model_validate(f.NEEDS)
    first = score_offers(LEAD, needs, OFFERS)
    shuffled = OFFERS[:]
    random.Random(7).shuffle(shuffled)
    assert score_offers(LEAD, needs, shuffled) == first
    assert len(first.proposals) == len(OFFERS) and all(0 <= p.score <= 1 for p in first.proposals)
