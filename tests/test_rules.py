"""Every rule of the stage machine (``domain.decide.check``), one plain refusal each, and its boundaries.

The property test (tests/test_properties.py) walks random sequences; these state each rule on its
own: the command, the stage, the rule's slug and the field it names, and the accepted neighbour on
the other side of the rule. A new rule in ``check`` lands with a test here (docs/TESTING.md).
"""

from __future__ import annotations

import json
from datetime import timedelta

import pytest
from pydantic import ValidationError

from domain.commands import parse_command
from domain.decide import CommandRejected, Context, check, decide
from domain.models import describe_changes
from domain.vocab import Stage
from tests import factories as f
from tests.test_domain import T0, Case, propose, to_consultation

REMINDER = {"key": "phase2:remind", "rule": "phase2", "subject": "s", "channel": "log", "recipient": "r"}


def refused(state, command, rule: str, field: str | None = None, at=None, facts: bool = True) -> CommandRejected:
    """``check`` and ``decide`` both refuse ``command`` by ``rule``/``field`` and leave ``state`` as it was
    (``facts``: ``Context.programme_facts``, as the current workflow decides)."""
    ctx = Context("lead-rules", at or T0 + timedelta(days=1), programme_facts=facts)
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


def accepted(state, command, at=None, facts: bool = True):
    ctx = Context("lead-rules", at or T0 + timedelta(days=1), programme_facts=facts)
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
    "realise": ((Stage.REALISATION,), {"investment_eur": 1, "jobs": 1, "counterfactual": f.RETAINED}),
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
    done.run(f.command("realise", investment_eur=1, jobs=1, counterfactual=f.RETAINED))
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
    event = accepted(state, f.command("realise", investment_eur=1, jobs=1, location={"region": "bom"},
                                      counterfactual=f.RETAINED, at_current_site=False))
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


# --- partial updates (issue 12, point 3) -----------------------------------------------------------


def update(**changes):
    return f.command("update", changes=changes)


def test_a_partial_update_is_merged_onto_the_current_lead_and_names_what_changed():
    state = Case().state
    event = accepted(state, update(company="Photon Forge NV", contact={"phone": "+31 40 123 4567"}))
    assert event.lead == state.lead.model_copy(update={
        "company": "Photon Forge NV", "contact": state.lead.contact.model_copy(update={"phone": "+31 40 123 4567"})})
    assert [(c.field, c.old, c.new) for c in event.changes] == [
        ("company", "Photon Forge BV", "Photon Forge NV"), ("contact.phone", None, "+31 40 123 4567")]


def test_a_partial_update_clears_an_optional_field_with_null_and_leaves_out_what_it_does_not_name():
    state = Case().state
    event = accepted(state, update(kvk=None, coordinator="someone@example.org"))
    assert event.lead.kvk is None and event.lead.company == state.lead.company
    assert [(c.field, c.old, c.new) for c in event.changes] == [
        ("kvk", "12345678", None), ("coordinator", "coordinator@example.org", "someone@example.org")]


def test_two_updates_built_from_the_same_stale_state_both_win():
    case = Case()
    case.run(update(company="Photon Forge NV"))  # the first coordinator
    merged = case.run(update(contact={"email": "new@example.org"}))  # the second, from the same old state
    assert merged.lead.company == "Photon Forge NV" and merged.lead.contact.email == "new@example.org"


def test_a_partial_update_changes_something_but_never_the_phase():
    state = Case(phase=2).state
    refused(state, update(phase=3), "phase-via-change-phase", "changes.phase")
    err = refused(state, update(company=f.LEAD["company"], phase=2), "no-change")
    assert "unchanged" in err.message
    refused(state, update(contact={"name": f.LEAD["contact"]["name"]}), "no-change")
    assert [c.field for c in accepted(state, update(phase=2, company_type="grownup")).changes] == ["company_type"]


def test_a_partial_update_whose_merged_lead_breaks_a_lead_rule_is_refused_naming_the_field():
    state = Case().state
    err = refused(state, update(company=None), "invalid-input", "changes.company")
    assert "changes.company" in err.message
    refused(state, update(contact={"name": None}), "invalid-input", "changes.contact.name")
    refused(state, update(contact=None), "invalid-input", "changes.contact")
    refused(state, update(home_region=None, hotspot=None), "invalid-input", "changes.home_region")


def test_update_carries_changes_or_the_whole_lead_not_both_nor_neither():
    from domain.commands import parse_command

    for body in ({}, {"changes": {"company": "X"}, "lead": f.LEAD}):
        with pytest.raises(CommandRejected, match="either changes"):
            parse_command({"type": "update", **f.ACTOR, **body})
    with pytest.raises(CommandRejected) as err:
        parse_command({"type": "update", **f.ACTOR, "changes": {"contact": {"email": "not an address"}}})
    assert err.value.field == "changes.contact.email"


def test_a_partial_update_keeps_its_meaning_through_json_and_temporals_converter():
    """Only the fields given are changes: a client's dump must not turn every other field into a
    ``null`` that clears it (the merge happens in the case, after the command crossed the wire)."""
    from temporalio.contrib.pydantic import pydantic_data_converter

    from domain.commands import parse_command

    command = update(kvk=None, contact={"email": "new@example.org"})
    payload = pydantic_data_converter.payload_converter.to_payloads([command])[0]
    raw = json.loads(payload.data)
    assert raw["changes"] == {"kvk": None, "contact": {"email": "new@example.org"}}
    again = parse_command(raw)
    assert again == command and again.changes.model_fields_set == {"kvk", "contact"}
    event = accepted(Case().state, again)
    assert [c.field for c in event.changes] == ["kvk", "contact.email"]


def test_a_closed_case_refuses_a_partial_update():
    case = Case()
    case.run(f.command("close", outcome="withdrawn"))
    refused(case.state, update(company="X BV"), "case-closed")


# --- notes (issue 12, point 5) ------------------------------------------------------------------------


@pytest.mark.parametrize("stage", [*OPEN_STAGES, Stage.CLOSED], ids=lambda s: s.value)
def test_a_note_is_accepted_in_every_stage_and_changes_no_stage_and_no_reminder(stage):
    from domain.reminders import ReminderRules, plan

    case = stage_case(Stage.REALISATION if stage == Stage.CLOSED else stage)
    if stage == Stage.CLOSED:
        case.run(f.command("realise", investment_eur=1, jobs=1, counterfactual=f.RETAINED))
    before = case.state
    after = case.run(f.command("note", text="met the CFO: the fab moves in 2028", kind="meeting"))
    event = case.events[-1]
    assert (event.type, event.text, event.kind.value) == ("NoteRecorded", "met the CFO: the fab moves in 2028", "meeting")
    assert after.stage == before.stage and after.stage_entered_at == before.stage_entered_at
    assert after.notes == before.notes + 1 and after.last_note_at == event.at
    assert plan(after, ReminderRules()) == plan(before, ReminderRules())


def test_a_note_needs_text_and_is_of_a_known_kind():
    from domain.commands import parse_command

    assert f.command("note", text="x").kind.value == "other"
    for body, field in (({"text": ""}, "text"), ({"text": "x", "kind": "fax"}, "kind"), ({}, "text")):
        with pytest.raises(CommandRejected) as err:
            parse_command({"type": "note", **f.ACTOR, **body})
        assert err.value.field == field


# --- corrections of a realisation (issue 12, point 5) -------------------------------------------------


def realised() -> Case:
    case = stage_case(Stage.REALISATION)
    case.run(f.command("realise", investment_eur=25_000_000, jobs=60, counterfactual=f.RETAINED))
    return case


def test_a_correction_names_old_and_new_and_the_fold_takes_the_corrected_values():
    case = realised()
    event = accepted(case.state, f.command("correct-realisation", investment_eur=2_500_000, reason="a zero too many"))
    assert [(c.field, c.old, c.new) for c in event.changes] == [("investment_eur", 25_000_000, 2_500_000)]
    assert describe_changes(event.changes) == "investment_eur: 25000000 → 2500000"
    state = case.run(f.command("correct-realisation", jobs=61, new_scaleup=True, reason="counted again"))
    assert describe_changes(case.events[-1].changes) == "jobs: 60 → 61; new_scaleup: no → yes"
    assert (state.realisation.investment_eur, state.realisation.jobs, state.realisation.new_scaleup) == (
        25_000_000, 61, True)
    assert state.realisation_corrections == 1 and state.realisation.location == case.events[-2].realisation.location


def test_only_a_realised_case_is_corrected():
    cmd = f.command("correct-realisation", jobs=3, reason="typo")
    refused(stage_case(Stage.REALISATION).state, cmd, "not-realised")
    withdrawn = Case()
    withdrawn.run(f.command("close", outcome="withdrawn"))
    refused(withdrawn.state, cmd, "not-realised")
    accepted(realised().state, cmd)


def test_each_corrected_value_must_differ_from_the_recorded_one():
    state = realised().state
    refused(state, f.command("correct-realisation", jobs=60, reason="r"), "no-change", "jobs")
    refused(state, f.command("correct-realisation", jobs=61, new_scaleup=False, reason="r"), "no-change", "new_scaleup")
    accepted(state, f.command("correct-realisation", jobs=61, new_scaleup=True, reason="r"))


def test_a_correction_needs_a_reason_and_something_to_correct():
    from domain.commands import parse_command

    base = {"type": "correct-realisation", **f.ACTOR}
    for body, field, words in (({"jobs": 3}, "reason", "required"), ({"jobs": 3, "reason": "  "}, "reason", "spaces"),
                               ({"reason": "typo"}, "(input)", "at least one of investment_eur, jobs, new_scaleup, counterfactual")):
        with pytest.raises(CommandRejected) as err:
            parse_command({**base, **body})
        assert err.value.field == field and words in err.value.message, err.value


# --- demo cases and imported leads (issue 12, points 5 and 6) -----------------------------------------


def test_a_demo_case_and_the_source_of_an_imported_lead_are_facts_of_the_case():
    event = accepted(None, f.command("start", lead=f.LEAD, demo=True, source="import:pipeline.csv#row 3"))
    assert (event.demo, event.source) == (True, "import:pipeline.csv#row 3")
    state = Case().state
    assert (state.demo, state.source) == (False, None) and state.facts()["demo"] is False


# --- past dates (issue 12, point 5) -------------------------------------------------------------------


@pytest.mark.parametrize("days, ok", [(-1, False), (0, True), (1, True)], ids=["yesterday", "today", "tomorrow"])
def test_needed_by_today_is_accepted_yesterday_refused_behind_the_flag(days, ok):
    state = Case().state
    now = T0 + timedelta(days=3, hours=23, minutes=59)
    needs = {**f.NEEDS, "needed_by": (now.date() + timedelta(days=days)).isoformat()}
    command = f.command("articulate-needs", needs=needs)
    ctx = Context("lead-rules", now, refuse_past_needed_by=True)
    if ok:
        check(state, command, ctx)
        assert decide(state, command, ctx)[0].needs.needed_by == now.date() + timedelta(days=days)
    else:
        for call in (check, decide):
            with pytest.raises(CommandRejected) as err:
                call(state, command, ctx)
            assert (err.value.rule, err.value.field) == ("needed-by-in-past", "needs.needed_by")
            assert "lies in the past" in err.value.message
    # histories from before the workflow patch decided without the rule: a past date was accepted
    assert accepted(state, command, at=now).needs.needed_by == now.date() + timedelta(days=days)


# --- the facts the Ministry's figures rest on (issue 14, points 2 and 6) ----------------------------
# Behind the workflow patch ``programme-facts`` (``Context.programme_facts``): ``accepted``/``refused``
# decide as the current workflow does; ``facts=False`` as histories from before the patch.


def realising(hotspot: str = "twente", municipality: str = "Enschede", **lead) -> Case:
    """A case of ``lead`` in stage realisation at ``hotspot`` (twente: oost-nl, another region than bom)."""
    case = Case(**lead)
    case.run(f.command("articulate-needs", needs=f.NEEDS))
    propose(case)
    case.run(f.command("choose-location", hotspot=hotspot, municipality=municipality))
    case.run(f.command("request-consultation", party="municipality", subject="zoning", due="2026-03-01"))
    case.run(f.command("answer-consultation", consultation_id="C1", verdict="positive", answer="ok"))
    case.run(f.command("start-realisation"))
    return case


def realise(**fields):
    return f.command("realise", **{"investment_eur": 5_000_000, "jobs": 20, **fields})


def test_a_realisation_records_its_counterfactual_and_cannot_go_without_one():
    state = realising().state
    refused(state, realise(), "counterfactual-required", "counterfactual")
    for value in ("would_have_gone_abroad", "would_not_have_been_invested", "would_have_happened_in_nl_anyway"):
        event = accepted(state, realise(counterfactual=value))
        assert event.counterfactual.value == value
        assert fold_one(state, event).counterfactual.value == value
    with pytest.raises(ValidationError, match="counterfactual"):
        realise(counterfactual="would_have_stayed")
    # before the patch a realisation went without one, and recorded none of these facts
    old = accepted(state, realise(new_scaleup=True), facts=False)
    assert (old.counterfactual, old.company_type, old.at_current_site, old.realisation.new_scaleup) == (
        None, None, None, True)
    assert accepted(state, realise(), facts=False).realisation.new_scaleup is False


def fold_one(state, event):
    from domain.state import apply

    return apply(state, event)


@pytest.mark.parametrize("detected, now, new", [
    ("startup", "scaleup", True), ("startup", "startup", False), ("startup", "grownup", False),
    ("scaleup", "scaleup", False), ("grownup", "scaleup", False), ("grownup", "grownup", False),
])
def test_new_scaleup_is_derived_from_the_company_type_at_detection_and_at_realisation(detected, now, new):
    state = realising(company_type=detected).state
    assert state.detected_company_type.value == detected
    event = accepted(state, realise(counterfactual=f.RETAINED, company_type=now))
    assert (event.realisation.new_scaleup, event.company_type.value, event.new_scaleup_reason) == (new, now, None)


def test_the_type_at_realisation_defaults_to_the_lead_s_as_updated():
    case = realising(company_type="startup")
    assert accepted(case.state, realise(counterfactual=f.RETAINED)).realisation.new_scaleup is False
    state = case.run(f.command("update", changes={"company_type": "scaleup"}))
    assert state.detected_company_type.value == "startup" and state.lead.company_type.value == "scaleup"
    event = accepted(state, realise(counterfactual=f.RETAINED))
    assert (event.realisation.new_scaleup, event.company_type.value) == (True, "scaleup")


def test_overriding_the_derived_new_scaleup_needs_a_reason_and_a_reason_needs_an_override():
    state = realising(company_type="scaleup").state  # a scale-up already: no new one
    err = refused(state, realise(counterfactual=f.RETAINED, new_scaleup=True), "new-scaleup-needs-reason",
                  "new_scaleup_reason")
    assert "a scaleup at detection, a scaleup now" in err.message
    event = accepted(state, realise(counterfactual=f.RETAINED, new_scaleup=True,
                                    new_scaleup_reason="became a scale-up a week before detection"))
    assert (event.realisation.new_scaleup, event.new_scaleup_reason) == (
        True, "became a scale-up a week before detection")
    refused(state, realise(counterfactual=f.RETAINED, new_scaleup=False, new_scaleup_reason="as it says"),
            "new-scaleup-reason-without-override", "new_scaleup_reason")
    assert accepted(state, realise(counterfactual=f.RETAINED, new_scaleup=False)).realisation.new_scaleup is False
    with pytest.raises(CommandRejected, match="new_scaleup_reason"):
        parse_command({"type": "realise", **f.ACTOR, "investment_eur": 1, "jobs": 1, "new_scaleup_reason": "  "})


def test_a_state_carried_from_before_the_type_at_detection_was_kept_asks_for_new_scaleup():
    """A run that began before the state kept the type at detection holds None there: the case
    cannot derive, so the coordinator says it (no override to justify)."""
    state = realising(company_type="startup").state.model_copy(update={"detected_company_type": None})
    refused(state, realise(counterfactual=f.RETAINED), "new-scaleup-unknown", "new_scaleup")
    assert accepted(state, realise(counterfactual=f.RETAINED, new_scaleup=True)).realisation.new_scaleup is True


def own_region(site: str | None = None) -> Case:
    """A bom lead (current site ``site``) in realisation, its chosen location Brainport Eindhoven (bom)."""
    return realising("brainport-eindhoven", "Veldhoven", site=site)


def test_in_the_own_region_the_realisation_says_whether_it_is_at_the_current_site():
    unknown = own_region().state  # no current site recorded
    refused(unknown, realise(counterfactual=f.RETAINED), "current-site-unknown", "at_current_site")
    assert accepted(unknown, realise(counterfactual=f.RETAINED, at_current_site=True)).at_current_site is True
    assert accepted(unknown, realise(counterfactual=f.RETAINED, at_current_site=False)).at_current_site is False
    # the current site is in another municipality than the location: elsewhere in the own region
    elsewhere = own_region(site="Eindhoven").state
    event = accepted(elsewhere, realise(counterfactual=f.RETAINED))
    assert (event.outcome.value, event.at_current_site) == ("realised_own_region", False)
    refused(elsewhere, realise(counterfactual=f.RETAINED, at_current_site=True), "site-mismatch", "at_current_site")
    # the same municipality may be the same site or a new one there: the coordinator says which
    same = own_region(site=" veldhoven ").state
    refused(same, realise(counterfactual=f.RETAINED), "current-site-unknown", "at_current_site")
    assert accepted(same, realise(counterfactual=f.RETAINED, at_current_site=True)).at_current_site is True


def test_in_another_region_there_is_no_current_site_to_be_at():
    state = realising().state
    assert accepted(state, realise(counterfactual=f.RETAINED)).at_current_site is None
    assert accepted(state, realise(counterfactual=f.RETAINED, at_current_site=False)).at_current_site is None
    refused(state, realise(counterfactual=f.RETAINED, at_current_site=True), "current-site-in-home-region",
            "at_current_site")


def test_the_counterfactual_is_corrected_like_a_figure():
    case = realising()
    state = case.run(realise(counterfactual="would_have_gone_abroad"))
    event = accepted(state, f.command("correct-realisation", counterfactual="would_have_happened_in_nl_anyway",
                                      reason="the company confirmed it would have stayed"))
    assert [(c.field, c.old, c.new) for c in event.changes] == [
        ("counterfactual", "would_have_gone_abroad", "would_have_happened_in_nl_anyway")]
    after = case.run(f.command("correct-realisation", counterfactual="would_have_happened_in_nl_anyway",
                               reason="asked again"))
    assert after.counterfactual.value == "would_have_happened_in_nl_anyway" and after.realisation_corrections == 1
    assert after.realisation == state.realisation  # the figures are untouched
    refused(after, f.command("correct-realisation", counterfactual="would_have_happened_in_nl_anyway", reason="r"),
            "no-change", "counterfactual")


@pytest.mark.parametrize("domain", ["pharma", "defence"])
def test_pharma_and_defence_are_strategic_autonomy_categories_of_their_own(domain):
    from domain.vocab import NTS_DOMAINS, STRATEGIC_AUTONOMY_DOMAINS, TechnologyDomain

    assert accepted(None, f.start(technology_domain=domain)).lead.technology_domain.value == domain
    assert TechnologyDomain(domain) in STRATEGIC_AUTONOMY_DOMAINS and len(NTS_DOMAINS) == 10


def test_the_merged_strategic_autonomy_category_is_refused_for_new_leads_and_kept_in_old_ones():
    refused(None, f.start(technology_domain="strategic-autonomy"), "domain-split", "lead.technology_domain")
    old = Case(facts=False, technology_domain="strategic-autonomy")  # recorded before the split
    assert old.state.lead.technology_domain.value == "strategic-autonomy"
    event = accepted(old.state, f.command("update", changes={"contact": {"email": "cfo@example.org"}}))
    assert event.lead.technology_domain.value == "strategic-autonomy"  # other changes keep working
    assert accepted(old.state, f.command("update", changes={"technology_domain": "defence"})).lead.technology_domain.value == "defence"
    refused(Case().state, f.command("update", changes={"technology_domain": "strategic-autonomy"}), "domain-split",
            "changes.technology_domain")
    whole = {**f.LEAD, "technology_domain": "strategic-autonomy"}
    refused(Case().state, f.command("update", lead=whole), "domain-split", "lead.technology_domain")
    accepted(Case().state, f.command("update", lead=whole), facts=False)


def test_a_lead_outside_any_hotspot_says_so_and_a_forgotten_hotspot_is_an_error():
    event = accepted(None, f.start(hotspot=None))
    assert event.lead.hotspot is None
    state = Case(hotspot=None).state
    assert state.facts()["hotspot"] is None
    lead = {k: v for k, v in f.LEAD.items() if k != "hotspot"}
    with pytest.raises(CommandRejected) as err:
        parse_command({"type": "start", **f.ACTOR, "lead": lead})
    assert err.value.field == "lead.hotspot"


def test_a_lead_signalled_by_a_triple_helix_organisation_records_it_and_the_case_stays_the_rom_s():
    event = accepted(None, f.command("start", lead=f.LEAD, signalled_by="brainport-development"))
    assert event.signalled_by == "brainport-development"
    state = Case().state
    assert state.signalled_by is None
    for bad in ("Brainport Development", "-x", ""):
        with pytest.raises(CommandRejected) as err:
            parse_command({"type": "start", **f.ACTOR, "lead": f.LEAD, "signalled_by": bad})
        assert err.value.field == "signalled_by"


@pytest.mark.parametrize("stage", [*OPEN_STAGES, Stage.CLOSED], ids=lambda s: s.value)
def test_a_referral_is_a_fact_of_the_case_in_every_stage_and_changes_no_stage_and_no_reminder(stage):
    from domain.reminders import ReminderRules, plan

    case = stage_case(Stage.REALISATION if stage == Stage.CLOSED else stage)
    if stage == Stage.CLOSED:
        case.run(f.command("close", outcome="no_proposition_possible", bottleneck="financing"))
    before = case.state
    after = case.run(f.command("refer", to="invest-nl", subject="a EUR 60 M ticket: co-financing"))
    event = case.events[-1]
    assert (event.type, event.to.value, event.name) == ("Referred", "invest-nl", None)
    assert after.stage == before.stage and [r.subject for r in after.referrals] == ["a EUR 60 M ticket: co-financing"]
    assert after.referrals[0].at == event.at
    assert plan(after, ReminderRules()) == plan(before, ReminderRules())


def test_a_referral_names_the_programme_unless_it_is_invest_nl():
    base = {"type": "refer", **f.ACTOR, "subject": "early-phase financing"}
    for body, field in (({"to": "ez-programme"}, "(input)"), ({"to": "invest-nl", "subject": " "}, "subject"),
                        ({"to": "the-bank", "name": "x"}, "to")):
        with pytest.raises(CommandRejected) as err:
            parse_command({**base, **body})
        assert err.value.field == field, err.value
    assert f.command("refer", to="ez-programme", name="Vroegefasefinanciering", subject="s").name == (
        "Vroegefasefinanciering")


@pytest.mark.parametrize("days, ok", [(-1, False), (0, True), (1, True)], ids=["yesterday", "today", "tomorrow"])
def test_the_expected_end_of_phase_2_lies_ahead(days, ok):
    state = Case(phase=2).state
    now = T0 + timedelta(days=1)
    command = f.command("expect-phase2-end", expected_end=(now.date() + timedelta(days=days)).isoformat())
    if ok:
        event = accepted(state, command, at=now)
        after = fold_one(state, event)
        assert (after.phase2_end_expected, after.phase2_end_expected_at) == (event.expected_end, now)
        refused(after, command, "no-change", "expected_end", at=now)
    else:
        refused(state, command, "expected-end-in-past", "expected_end", at=now)


def test_no_end_of_phase_2_is_expected_once_the_lead_is_past_it():
    command = f.command("expect-phase2-end", expected_end="2027-01-01")
    refused(Case(phase=3).state, command, "phase2-ended", "expected_end")
    back = Case(phase=3)
    refused(back.run(f.command("change-phase", phase=2)), command, "phase2-ended", "expected_end")  # it ended then
    accepted(Case(phase=1).state, command)
    closed = Case(phase=2)
    closed.run(f.command("close", outcome="withdrawn"))
    refused(closed.state, command, "case-closed")
