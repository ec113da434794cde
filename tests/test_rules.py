"""Every rule of the stage machine (``domain.decide.check``), one plain refusal each, and its boundaries.

The property test (tests/test_properties.py) walks random sequences; these state each rule on its
own: the command, the stage, the rule's slug and the field it names, and the accepted neighbour on
the other side of the rule. A new rule in ``check`` lands with a test here (docs/TESTING.md).
"""

from __future__ import annotations

from datetime import timedelta

import pytest

from domain.decide import CommandRejected, Context, check, decide
from domain.vocab import Stage
from tests import factories as f
from tests.test_domain import T0, Case, propose, to_consultation

REMINDER = {"key": "phase2:remind", "rule": "phase2", "subject": "s", "channel": "log", "recipient": "r"}


def refused(state, command, rule: str, field: str | None = None, at=None) -> CommandRejected:
    """``check`` and ``decide`` both refuse ``command`` by ``rule``/``field`` and leave ``state`` as it was."""
    ctx = Context("lead-rules", at or T0 + timedelta(days=1))
    snapshot = None if state is None else state.model_dump()
    with pytest.raises(CommandRejected) as by_check:
        check(state, command, ctx)
    with pytest.raises(CommandRejected) as by_decide:
        decide(state, command, ctx)
    for err in (by_check.value, by_decide.value):
        assert (err.rule, err.field) == (rule, field), err
        assert err.message and str(err).startswith(err.message) and str(err).endswith(f"[rule {rule}]")
        assert str(err) == f"{err.message}{f' (field {field})' if field else ''} [rule {rule}]"
    if snapshot is not None:
        assert state.model_dump() == snapshot
    return by_check.value


def accepted(state, command, at=None):
    ctx = Context("lead-rules", at or T0 + timedelta(days=1))
    check(state, command, ctx)
    events = decide(state, command, ctx)
    assert len(events) == 1
    assert events[0].seq == (1 if state is None else state.last_seq + 1)
    return events[0]


def stage_case(stage: Stage) -> Case:
    case = Case()
    if stage == Stage.DETECTION:
        return case
    case.run(f.command("articulate-needs", needs=f.NEEDS))
    if stage == Stage.NEEDS_ARTICULATION:
        return case
    propose(case)
    if stage == Stage.MATCHMAKING:
        return case
    case.run(f.command("choose-location", hotspot="twente"))
    case.run(f.command("request-consultation", party="municipality", subject="zoning", due="2026-03-01"))
    if stage == Stage.CONSULTATION:
        return case
    case.run(f.command("answer-consultation", consultation_id="C1", verdict="positive", answer="ok"))
    assert case.run(f.command("start-realisation")).stage == Stage.REALISATION
    return case


OPEN_STAGES = (Stage.DETECTION, Stage.NEEDS_ARTICULATION, Stage.MATCHMAKING, Stage.CONSULTATION, Stage.REALISATION)
STAGED = {
    "articulate-needs": ((Stage.DETECTION, Stage.NEEDS_ARTICULATION, Stage.MATCHMAKING), {"needs": f.NEEDS}),
    "propose-matches": ((Stage.NEEDS_ARTICULATION, Stage.MATCHMAKING), {"proposals": []}),
    "choose-location": ((Stage.MATCHMAKING,), {"hotspot": "twente"}),
    "request-consultation": ((Stage.MATCHMAKING, Stage.CONSULTATION),
                             {"party": "province", "subject": "x", "due": "2026-03-01"}),
    "answer-consultation": ((Stage.CONSULTATION,),
                            {"consultation_id": "C1", "verdict": "positive", "answer": "x"}),
    "start-realisation": ((Stage.REALISATION,), {}),  # from consultation only once answered: below
    "realise": ((Stage.REALISATION,), {"investment_eur": 1, "jobs": 1}),
}


@pytest.mark.parametrize("stage", OPEN_STAGES, ids=lambda s: s.value)
@pytest.mark.parametrize("kind", sorted(STAGED))
def test_each_staged_command_is_allowed_exactly_in_its_stages(kind, stage):
    allowed, fields = STAGED[kind]
    case = stage_case(stage)
    if kind == "request-consultation" and stage == Stage.MATCHMAKING:
        case.run(f.command("choose-location", hotspot="twente"))  # a location, still matchmaking
    state = case.state
    assert state.stage == stage
    command = f.command(kind, **fields)
    if kind == "start-realisation":
        allowed = (Stage.CONSULTATION,)
        if stage == Stage.CONSULTATION:
            state = state.model_copy(update={"consultations": [
                c.model_copy(update={"answered": True, "verdict": "positive"}) for c in state.consultations]})
    if stage in allowed:
        accepted(state, command)
    else:
        err = refused(state, command, "wrong-stage")
        assert f"stage {stage.value}" in err.message and command.type in err.message


def test_start_on_an_existing_case_and_anything_else_on_none():
    assert accepted(None, f.start()).type == "LeadDetected"
    refused(Case().state, f.start(), "case-exists")
    for kind, fields in [("articulate-needs", {"needs": f.NEEDS}), ("reopen", {}), ("close", {"outcome": "withdrawn"})]:
        refused(None, f.command(kind, **fields), "no-case")


def test_reopen_only_closed_and_never_realised():
    case = Case()
    refused(case.state, f.command("reopen"), "not-closed")
    case.run(f.command("close", outcome="withdrawn"))
    accepted(case.state, f.command("reopen"))
    done = stage_case(Stage.REALISATION)
    done.run(f.command("realise", investment_eur=1, jobs=1))
    refused(done.state, f.command("reopen"), "realised-final")


@pytest.mark.parametrize("kind, fields", [
    ("change-phase", {"phase": 3}), ("articulate-needs", {"needs": f.NEEDS}), ("close", {"outcome": "withdrawn"}),
    ("record-reminder", REMINDER), ("update", {"lead": {**f.LEAD, "company": "Other BV"}}),
])
def test_a_closed_case_refuses_everything_but_reopen(kind, fields):
    case = Case()
    case.run(f.command("close", outcome="left_abroad"))
    err = refused(case.state, f.command(kind, **fields), "case-closed")
    assert "left_abroad" in err.message


def test_update_lead_changes_something_but_never_the_phase():
    state = Case().state
    refused(state, f.command("update", lead={**f.LEAD, "phase": 3}), "phase-via-change-phase", "lead.phase")
    refused(state, f.command("update", lead=f.LEAD), "no-change")
    accepted(state, f.command("update", lead={**f.LEAD, "company": "Photon Forge NV"}))


def test_change_phase_to_the_same_phase_is_no_change():
    state = Case(phase=2).state
    refused(state, f.command("change-phase", phase=2), "no-change", "phase")
    assert accepted(state, f.command("change-phase", phase=3)).to_phase == 3


def test_propose_matches_needs_the_needs_first():
    state = stage_case(Stage.NEEDS_ARTICULATION).state.model_copy(update={"needs": None})
    refused(state, f.command("propose-matches"), "needs-first")


def test_choose_location_hotspot_must_lie_in_the_region():
    state = stage_case(Stage.MATCHMAKING).state
    refused(state, f.command("choose-location", hotspot="twente", region="bom"), "hotspot-region", "region")
    accepted(state, f.command("choose-location", hotspot="twente", region="oost-nl"))
    accepted(state, f.command("choose-location", region="bom"))


def test_location_first():
    state = stage_case(Stage.MATCHMAKING).state
    assert state.location is None
    refused(state, f.command("request-consultation", party="province", subject="x", due="2026-03-01"),
            "location-first")


@pytest.mark.parametrize("days, ok", [(-1, False), (0, True), (1, True)], ids=["yesterday", "today", "tomorrow"])
def test_consultation_due_today_is_accepted_yesterday_refused(days, ok):
    state = stage_case(Stage.CONSULTATION).state
    now = T0 + timedelta(days=3, hours=23, minutes=59)
    command = f.command("request-consultation", party="province", subject="x",
                        due=(now.date() + timedelta(days=days)).isoformat())
    if ok:
        assert accepted(state, command, at=now).due == now.date() + timedelta(days=days)
    else:
        refused(state, command, "due-in-past", "due", at=now)


def test_answer_only_known_open_consultations():
    case = stage_case(Stage.CONSULTATION)
    case.run(f.command("request-consultation", party="province", subject="permit", due="2026-03-01"))
    err = refused(case.state, f.command("answer-consultation", consultation_id="C9", verdict="positive", answer="x"),
                  "unknown-consultation", "consultation_id")
    assert "C1, C2" in err.message
    case.run(f.command("answer-consultation", consultation_id="C1", verdict="positive", answer="x"))
    assert case.state.stage == Stage.CONSULTATION
    refused(case.state, f.command("answer-consultation", consultation_id="C1", verdict="positive", answer="x"),
            "consultation-closed", "consultation_id")
    accepted(case.state, f.command("answer-consultation", consultation_id="C2", verdict="positive", answer="x"))


def test_realisation_waits_for_every_consultation():
    case = stage_case(Stage.CONSULTATION)
    err = refused(case.state, f.command("start-realisation"), "consultations-open")
    assert "C1" in err.message
    case.run(f.command("answer-consultation", consultation_id="C1", verdict="conditional", answer="x"))
    accepted(case.state, f.command("start-realisation"))


def test_realise_at_a_hotspot_outside_its_region_is_refused():
    state = stage_case(Stage.REALISATION).state
    bad = {"region": "bom", "hotspot": "twente"}
    refused(state, f.command("realise", investment_eur=1, jobs=1, location=bad), "hotspot-region", "location.region")
    event = accepted(state, f.command("realise", investment_eur=1, jobs=1, location={"region": "bom"}))
    assert event.realisation.location.region.value == "bom"


def test_a_reminder_is_recorded_once():
    state = Case().state
    event = accepted(state, f.command("record-reminder", **REMINDER))
    case = Case()
    case.run(f.command("record-reminder", **REMINDER))
    assert case.state.reminder_keys == ["phase2:remind"] and event.key == "phase2:remind"
    refused(case.state, f.command("record-reminder", **REMINDER), "reminder-sent")
    accepted(case.state, f.command("record-reminder", **{**REMINDER, "key": "phase2:follow-up-1"}))


def test_case_closes_from_any_open_stage():
    for stage in OPEN_STAGES:
        assert accepted(stage_case(stage).state, f.command("close", outcome="withdrawn")).outcome.value == "withdrawn"


def test_to_consultation_helper_reaches_consultation():
    assert to_consultation(Case()).stage == Stage.CONSULTATION
