"""Both sides of every threshold in the pure core: reminder due times, matchmaking shortfalls.

(The consultation due date, today vs yesterday, is in tests/test_rules.py; the closed-case
retention window in tests/test_validator.py.)
"""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest

from domain.matchmaking import score_offer, score_offers
from domain.models import HotspotOffer, Lead, MatchProposal, NeedsProfile
from domain.offers import CatalogueOffer
from domain.reminders import ReminderRules, pending, plan
from domain.vocab import Stage
from tests import factories as f
from tests.test_domain import Case

T0 = datetime(2026, 1, 5, 10, 0, tzinfo=UTC)  # tests.test_domain's clock: command n at T0 + n hours
LEAD = Lead.model_validate(f.LEAD)
DAY = timedelta(days=1)


PHASE2_RULES = ReminderRules.model_validate({"phase2": {}})
"""A rule set of before issue 14: the phase-2 rule alone (naming phase2, not articulation)."""


def due(state, rules=None) -> dict[str, datetime]:
    return {r.key: r.due_at for r in plan(state, rules or PHASE2_RULES)}


def test_phase2_reminder_follow_ups_and_escalation_fall_on_their_day():
    state = Case(phase=2).state
    at = state.phase_reached_at[2]
    assert at == T0
    planned = plan(state, PHASE2_RULES)
    by_key = {r.key: r for r in planned}
    assert {k: v for k, v in due(state).items() if k.startswith("phase2")} == {
        "phase2:remind": at, "phase2:follow-up-1": at + 14 * DAY, "phase2:follow-up-2": at + 30 * DAY,
        "phase2:escalate": at + 45 * DAY,
    }
    assert by_key["phase2:escalate"].escalation and by_key["phase2:escalate"].recipient == "coordinating-rom"
    assert not by_key["phase2:follow-up-1"].escalation
    assert by_key["phase2:remind"].recipient == f.LEAD["coordinator"]
    assert [r.due_at for r in planned] == sorted(r.due_at for r in planned)


def test_phase2_reminders_need_phase_2_and_stop_once_needs_are_articulated():
    assert not [k for k in due(Case(phase=1).state) if k.startswith("phase2")]
    case = Case(phase=1)
    state = case.run(f.command("change-phase", phase=2))
    assert due(state)["phase2:remind"] == T0 + timedelta(hours=1)
    state = case.run(f.command("change-phase", phase=3))  # the first time >= 2 counts
    assert due(state)["phase2:remind"] == T0 + timedelta(hours=1)
    state = case.run(f.command("articulate-needs", needs=f.NEEDS))
    assert not [k for k in due(state) if k.startswith("phase2")]
    no_rule = ReminderRules(phase2=None)
    assert not [k for k in due(Case(phase=2).state, no_rule) if k.startswith("phase2")]
    no_escalation = ReminderRules(phase2={"escalate_after": None})
    assert "phase2:escalate" not in due(Case(phase=2).state, no_escalation)


def test_the_articulation_reminder_says_the_phase_the_lead_is_in_and_keeps_its_timing():
    """Issue 12: a lead that started in phase 3 was told it "reached venture phase 2"."""
    def subjects(state) -> dict[str, str]:
        return {r.key: r.subject for r in plan(state, PHASE2_RULES) if r.rule == "phase2"}

    two = subjects(Case(phase=2).state)
    assert two["phase2:remind"] == "Photon Forge BV reached venture phase 2: start needs articulation"
    assert two["phase2:follow-up-1"] == "follow-up 1: Photon Forge BV reached venture phase 2: start needs articulation"
    three = Case(phase=3).state
    assert subjects(three)["phase2:remind"] == "Photon Forge BV is in venture phase 3, past phase 2: start needs articulation"
    assert subjects(three)["phase2:escalate"].startswith("escalation: Photon Forge BV is in venture phase 3,")
    assert due(three)["phase2:remind"] == T0  # the phase-2 rule's timing (the articulation rule: below)
    assert "venture phase 2" not in " ".join(subjects(Case(phase=4).state).values())
    back = Case(phase=2)
    state = back.run(f.command("change-phase", phase=1))
    assert subjects(state)["phase2:remind"] == (
        "Photon Forge BV is back in venture phase 1 after phase 2 or later: start needs articulation")
    assert due(state)["phase2:remind"] == T0


def test_stage_overdue_and_its_escalation():
    case = Case(phase=1)
    state = case.run(f.command("articulate-needs", needs=f.NEEDS))
    entered = state.stage_entered_at
    anchor = f"stage:needs_articulation:{entered.isoformat()}"
    assert due(state)[f"{anchor}:overdue"] == entered + 60 * DAY
    assert due(state)[f"{anchor}:escalate"] == entered + 74 * DAY
    assert not [k for k in due(Case(phase=1).state) if k.startswith("stage:")]  # detection has no deadline


def test_consultation_due_soon_and_overdue_from_the_start_of_the_due_day():
    case = Case(phase=1)
    case.run(f.command("articulate-needs", needs=f.NEEDS))
    case.run(f.command("propose-matches", proposals=[]))
    case.run(f.command("choose-location", hotspot="twente"))
    state = case.run(f.command("request-consultation", party="municipality", subject="zoning", due="2026-03-01"))
    start = datetime(2026, 3, 1, tzinfo=UTC)
    assert due(state)["consultation:C1:due-soon"] == start - 7 * DAY
    assert due(state)["consultation:C1:overdue"] == start
    state = case.run(f.command("answer-consultation", consultation_id="C1", verdict="positive", answer="ok"))
    assert not [k for k in due(state) if k.startswith("consultation:")]


def test_sent_reminders_are_not_pending_and_closed_cases_owe_none():
    case = Case(phase=2)
    assert pending(case.state, PHASE2_RULES)[0].key == "phase2:remind"
    state = case.run(f.command("record-reminder", key="phase2:remind", rule="phase2", subject="s",
                               channel="log", recipient="r"))
    keys = [r.key for r in pending(state, PHASE2_RULES)]
    assert keys and "phase2:remind" not in keys and keys[0] == "phase2:follow-up-1"
    assert "phase2:remind" in [r.key for r in plan(state, PHASE2_RULES)]
    closed = case.run(f.command("close", outcome="withdrawn"))
    assert closed.stage == Stage.CLOSED and plan(closed, PHASE2_RULES) == [] and plan(closed, ReminderRules()) == []


# --- matchmaking: a need met exactly is met; one unit short is a hard shortfall ------------------

def offer(**change) -> CatalogueOffer:
    base = {
        "id": "twente", "name": "Twente", "region": "oost-nl", "municipalities": ["Enschede"],
        "technology_domains": ["photonics"], "available_m2": 3000, "best_cleanroom_iso_class": 7,
        "vibration_free": True, "heavy_transport": True, "max_environmental_category": 4,
        "shared_facilities": ["campus"], "grid_headroom_mva": 4.0,
        "talent_fte_per_year": {"mbo": 5, "hbo": 20, "wo": 10}, "housing_jobs_capacity": 60,
    }
    return f.catalogued(HotspotOffer.model_validate(base | change))


NEEDS = NeedsProfile.model_validate({
    "space": {"m2": 3000, "cleanroom_iso_class": 7, "vibration_free": True, "heavy_transport": True,
              "environmental_category": 4},
    "talent": {"mbo_fte": 5, "hbo_fte": 20, "wo_fte": 10}, "energy": {"grid_mva": 4.0},
    "housing": {"jobs": 60}, "capital": {"capex_eur": 1_000_000}, "needed_by": date(2028, 1, 1),
})


def test_an_offer_exactly_at_every_need_is_viable_with_full_marks():
    p = score_offer(LEAD, NEEDS, offer())
    assert p.viable and p.shortfalls == [] and p.score == 1.0


@pytest.mark.parametrize("change, kind", [
    ({"available_m2": 2999}, "space"),
    ({"best_cleanroom_iso_class": 8}, "space"),
    ({"best_cleanroom_iso_class": None}, "space"),
    ({"vibration_free": False}, "space"),
    ({"heavy_transport": False}, "space"),
    ({"max_environmental_category": 3}, "space"),
    ({"talent_fte_per_year": {"mbo": 4, "hbo": 20, "wo": 10}}, "talent"),
    ({"talent_fte_per_year": {"mbo": 5, "hbo": 19, "wo": 10}}, "talent"),
    ({"talent_fte_per_year": {"mbo": 5, "hbo": 20}}, "talent"),
    ({"grid_headroom_mva": 3.9}, "energy"),
    ({"housing_jobs_capacity": 59}, "housing"),
])
def test_one_unit_short_of_a_need_is_a_hard_shortfall(change, kind):
    p = score_offer(LEAD, NEEDS, offer(**change))
    assert not p.viable and [k.value for k in p.shortfalls] == [kind]
    assert 0 < p.score < 1
    result = score_offers(LEAD, NEEDS, [offer(**change)])
    assert result.bottleneck is not None and result.bottleneck.value == kind


def test_a_better_offer_than_needed_is_still_full_marks_and_capital_prefers_a_shared_facility():
    roomy = offer(available_m2=9000, best_cleanroom_iso_class=5, grid_headroom_mva=40.0, housing_jobs_capacity=600)
    assert score_offer(LEAD, NEEDS, roomy).score == 1.0
    no_facility = score_offer(LEAD, NEEDS, offer(shared_facilities=[]))
    assert no_facility.viable and no_facility.score < 1.0
    other_domain = score_offer(Lead.model_validate({**f.LEAD, "technology_domain": "semiconductors"}), NEEDS, offer())
    assert other_domain.viable and other_domain.score < 1.0


def test_ranking_viable_first_then_score_then_id_and_exclude_home():
    twente, short = offer(), offer(id="almere", region="horizon-flevoland", grid_headroom_mva=1.0)
    result = score_offers(LEAD, NEEDS, [short, twente])
    assert [p.hotspot.value for p in result.proposals] == ["twente", "almere"] and result.bottleneck is None
    home = offer(id="brainport-eindhoven", region="bom")
    assert [p.hotspot.value for p in score_offers(LEAD, NEEDS, [home, twente], exclude_home_hotspot=True).proposals] \
        == ["twente"]
    tied = score_offers(LEAD, NEEDS, [home, twente]).proposals
    assert [p.hotspot.value for p in tied] == ["brainport-eindhoven", "twente"]


# --- case ids: 100 characters, letters/digits/dashes; serials from year 2000 and number 1 -------

def test_case_id_rule_on_both_sides_of_each_limit():
    from domain.case_ids import InvalidCaseId, require, serial_id, valid

    assert valid("a" * 100) and not valid("a" * 101)
    assert valid("lead-photon-forge-bv") and valid("BP-2026-0042") and valid("7")
    for bad in ("", "-lead", "lead_x", "lead x", "lead/1", None, 42):
        assert not valid(bad), bad
        with pytest.raises(InvalidCaseId, match="not valid: letters, digits and dashes, at most 100"):
            require(bad)
    assert require("BP-2026-0042") == "BP-2026-0042"
    assert serial_id(2026, 42) == "BP-2026-0042" and serial_id(2000, 1) == "BP-2000-0001"
    assert serial_id(9999, 12345) == "BP-9999-12345"
    for year, number in ((2026, 0), (1999, 1), (10000, 1)):
        with pytest.raises(ValueError, match=f"year {year}, number {number}"):
            serial_id(year, number)


def test_a_bad_case_id_is_echoed_at_most_60_characters_of_its_repr():
    from domain.case_ids import InvalidCaseId, require

    long_bad = "x_" * 80
    with pytest.raises(InvalidCaseId) as err:
        require(long_bad)
    assert str(err.value).startswith(f"case id {repr(long_bad)[:60]} is not valid")
    assert repr(long_bad)[:61] not in str(err.value)


def said(p: MatchProposal) -> list[str]:
    """The proposal's reasons after the citation, each without the offer version it ends with."""
    tag = f" [offer {p.offer_version}, illustrative]"
    assert p.reasons[1:], p.reasons
    assert all(r.endswith(tag) for r in p.reasons[1:])
    return [r.removesuffix(tag) for r in p.reasons[1:]]


def test_capital_and_housing_reasons_say_what_was_compared():
    p = score_offer(LEAD, NEEDS, offer(shared_facilities=["campus", "pilot fab"]))
    assert "capital: shared facilities: campus, pilot fab" in said(p)
    assert "housing: housing absorbs 60 jobs >= 60 jobs" in said(p)
    no_facility = score_offer(LEAD, NEEDS, offer(shared_facilities=[]))
    assert "capital: EUR 1,000,000 to be invested without a shared facility" in said(no_facility)
    big = NEEDS.model_copy(update={"housing": NEEDS.housing.model_copy(update={"jobs": 1000})})
    short = score_offer(LEAD, big, offer(housing_jobs_capacity=999))
    assert "housing: housing absorbs 999 jobs < 1,000 jobs; national scale: signal to MIRT" in said(short)


# --- the articulation rule (issue 14): the end of phase 2, and the window at risk -----------------


def articulation(state, rules=None) -> dict[str, datetime]:
    return {r.key.rsplit(":", 1)[1]: r.due_at for r in plan(state, rules or ReminderRules()) if r.rule == "articulation"}


def test_the_rules_of_today_follow_the_end_of_phase_2_and_a_rule_set_of_before_keeps_its_meaning():
    rules = ReminderRules()
    assert rules.phase2 is None and rules.articulation is not None
    old = ReminderRules.model_validate({"phase2": {}, "stage_escalate_after": "P14D"})
    assert old.articulation is None and old.phase2 is not None
    # a rule set without the articulation rule has the address it had before issue 14
    assert PHASE2_RULES.version() == "r-f9ab5e906684"
    assert ReminderRules.model_validate({"phase2": None}).articulation is None  # phase-2 reminders were off
    both = ReminderRules.model_validate({"phase2": {}, "articulation": {}})
    assert both.phase2 is not None and both.articulation is not None and both.version() != rules.version()


def test_by_the_phase_s_age_the_reminder_falls_90_days_before_phase_2_is_540_days_old():
    state = Case(phase=2).state
    end = T0 + 540 * DAY
    assert articulation(state) == {"remind": end - 90 * DAY, "follow-up-1": end - 60 * DAY, "escalate": end + 90 * DAY}
    keys = [r.key for r in plan(state, ReminderRules()) if r.rule == "articulation"]
    assert keys[0] == f"articulation:{end:%Y-%m-%d}:remind"
    by_key = {r.key.rsplit(":", 1)[1]: r for r in plan(state, ReminderRules())}
    assert by_key["escalate"].escalation and by_key["escalate"].recipient == "coordinating-rom"
    assert not by_key["remind"].escalation and by_key["remind"].recipient == f.LEAD["coordinator"]
    assert "(typical length " in by_key["remind"].subject
    assert articulation(Case(phase=1).state) == {}  # phase 1, no end expected: nothing owed
    assert not [r for r in plan(state, ReminderRules(articulation=None)) if r.rule == "articulation"]


def test_a_recorded_end_moves_the_reminder_and_a_reminder_is_never_due_before_its_reason():
    case = Case(phase=2)
    state = case.run(f.command("expect-phase2-end", expected_end="2026-09-01"))  # recorded at T0 + 1 h
    end = datetime(2026, 9, 1, tzinfo=UTC)
    assert articulation(state) == {"remind": end - 90 * DAY, "follow-up-1": end - 60 * DAY, "escalate": end + 90 * DAY}
    assert "(expected 2026-09-01)" in plan(state, ReminderRules())[0].subject
    soon = case.run(f.command("expect-phase2-end", expected_end="2026-02-01"))  # less than 90 days ahead
    recorded = case.events[-1].at
    assert articulation(soon)["remind"] == recorded  # due from when it is known, not before
    assert articulation(soon)["escalate"] == datetime(2026, 2, 1, tzinfo=UTC) + 90 * DAY
    early = Case(phase=1)
    assert articulation(early.run(f.command("expect-phase2-end", expected_end="2026-09-01")))["remind"] == end - 90 * DAY


def test_reaching_phase_3_ends_phase_2_remind_at_once_escalate_90_days_on():
    case = Case(phase=2)
    case.run(f.command("expect-phase2-end", expected_end="2027-01-01"))
    state = case.run(f.command("change-phase", phase=3))
    ended = case.events[-1].at
    assert articulation(state) == {"remind": ended, "follow-up-1": ended + 30 * DAY, "escalate": ended + 90 * DAY}
    subjects = {r.key.rsplit(":", 1)[1]: r.subject for r in plan(state, ReminderRules()) if r.rule == "articulation"}
    assert subjects["remind"] == (f"Photon Forge BV is past venture phase 2 (phase 3 since {ended:%Y-%m-%d}): "
                                  "articulate its growth question")
    assert subjects["escalate"] == (
        f"escalation: Photon Forge BV is past the end of venture phase 2 ({ended:%Y-%m-%d}) and its growth "
        "question is not articulated: the 2-3 years head start is at risk")
    back = case.run(f.command("change-phase", phase=2))  # phase 2 ended when phase 3 was first reached
    assert articulation(back) == articulation(state)
    assert articulation(case.run(f.command("articulate-needs", needs=f.NEEDS))) == {}
    assert articulation(Case(phase=4).state)["remind"] == T0


@pytest.mark.parametrize("offset, due", [(-1, False), (0, True)], ids=["a second before", "on the dot"])
def test_each_articulation_step_is_due_on_its_time_and_not_before(offset, due):
    state = Case(phase=2).state
    for step, at in articulation(state).items():
        now = at + timedelta(seconds=offset)
        owed = [r.key for r in pending(state, ReminderRules()) if r.due_at <= now and r.key.endswith(step)]
        assert bool(owed) == due, step
