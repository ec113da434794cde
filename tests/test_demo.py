"""The demo's five cases as the programme tells them (issue 14, point 5), played through the pure
domain (``decide`` + ``fold``, matchmaking against the shipped offers as the activity does).

The end-to-end run through Temporal and the CLI is ``test_cli_e2e.test_demo_runs_five_cases...``;
that its starts are demo cases is ``test_impact.test_the_demo_starts_demo_cases``.
"""

from __future__ import annotations

import re
from datetime import UTC, datetime
from pathlib import Path

import pytest

from demo import scripts
from domain.commands import COMMAND_ADAPTER, Command
from domain.events import Event
from domain.state import CaseState, fold
from domain.vocab import HotspotId
from tests.audit_cases import run

SOURCES = Path(__file__).resolve().parents[2] / "shared" / "sources" / "002_e0d5329f5722fc26.txt"
SCRIPTS = {s["slug"]: s for s in scripts()}


def commands(script: dict) -> list[Command]:
    meta = {"actor": "demo-coordinator"}
    out = [COMMAND_ADAPTER.validate_python({"type": "start", "lead": script["lead"], "demo": True, **meta})]
    for kind, fields, reason in script["steps"]:
        out.append(COMMAND_ADAPTER.validate_python({"type": kind, **fields, **meta, "reason": reason}))
    return out


def played(slug: str) -> tuple[CaseState, list[Event]]:
    events = run("BP-2026-0001", commands(SCRIPTS[slug]), datetime.now(UTC))
    state = fold(events)
    assert state is not None
    return state, events


def test_the_five_cases_in_the_programmes_order():
    assert list(SCRIPTS) == ["maritime-manufacturer", "microchip-scaleup", "flow-meter-maker",
                             "energy-storage-scaleup", "multinational-rd-facility"]


@pytest.mark.parametrize("slug", list(SCRIPTS))
def test_each_case_ends_as_the_programme_tells_it(slug):
    state, _ = played(slug)
    ends = SCRIPTS[slug]["ends"]
    assert state.stage.value == ends["stage"]
    assert (state.outcome.value if state.outcome else None) == ends["outcome"]
    assert state.demo is True


def test_cases_one_and_two_stay_open_where_the_programme_leaves_them_open():
    for slug in ("maritime-manufacturer", "microchip-scaleup"):
        state, _ = played(slug)
        assert state.outcome is None and state.stage.value == "matchmaking" and state.realisation is None
        assert "fiction" in SCRIPTS[slug] and "open" in SCRIPTS[slug]["fiction"]


def test_case_one_is_a_space_need_of_environmental_zoning_not_housing():
    state, _ = played("maritime-manufacturer")
    assert state.needs is not None and state.needs.housing is None and state.needs.space is not None
    assert state.needs.space.environmental_category == 5
    assert "milieuzone" in SCRIPTS["maritime-manufacturer"]["programme"]


def test_case_five_left_abroad_with_the_grid_as_bottleneck():
    state, _ = played("multinational-rd-facility")
    assert state.outcome is not None and state.outcome.value == "left_abroad"
    assert state.bottleneck is not None and state.bottleneck.value == "energy"
    answered = [c for c in state.consultations if c.verdict is not None]
    assert [(c.party.value, c.verdict.value) for c in answered] == [("grid_operator", "negative")]


def test_case_four_realised_elsewhere_after_its_first_site_had_no_power():
    state, _ = played("energy-storage-scaleup")
    assert state.realisation is not None and state.realisation.location.hotspot == HotspotId.GRONINGEN
    assert state.realisation.new_scaleup is False  # a scale-up when found: no new scale-up
    verdicts = [(c.party.value, c.verdict.value if c.verdict else None) for c in state.consultations]
    assert verdicts == [("grid_operator", "negative"), ("grid_operator", "positive")]


@pytest.mark.parametrize("slug, kind", [
    ("maritime-manufacturer", "space"), ("microchip-scaleup", "space"), ("flow-meter-maker", "talent"),
    ("energy-storage-scaleup", "energy"), ("multinational-rd-facility", "energy"),
])
def test_the_home_hotspot_falls_short_on_exactly_the_growth_space_the_programme_names(slug, kind):
    """The data fit the story: matchmaking (all six hotspots) finds the company's own hotspot short
    of the one kind of growth space that blocks it, and of nothing else."""
    state, _ = played(slug)
    assert len(state.proposals) == 6
    home = next(p for p in state.proposals if p.hotspot == state.lead.hotspot)
    assert not home.viable and [k.value for k in home.shortfalls] == [kind]


def test_every_match_reason_of_the_demo_cites_an_illustrative_offer_version():
    reasons = 0
    for slug in SCRIPTS:
        _, events = played(slug)
        for event in events:
            for p in getattr(event, "proposals", []):
                assert p.illustrative is True and p.offer_version is not None
                assert p.reasons[0].startswith(f"offer: {p.offer_version} as of ")
                assert p.reasons[1:]
                assert all(r.endswith(f"[offer {p.offer_version}, illustrative]") for r in p.reasons[1:])
                reasons += len(p.reasons)
    assert reasons > 5 * 6 * 2


def test_each_case_quotes_the_programme_word_for_word():
    if not SOURCES.exists():
        pytest.skip(f"the programme text is not here ({SOURCES})")
    text = re.sub(r"\s+", "", SOURCES.read_text(encoding="utf-8"))  # its line breaks split words
    for script in SCRIPTS.values():
        assert re.sub(r"\s+", "", script["programme"]) in text, script["slug"]
