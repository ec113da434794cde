"""LeadCaseWorkflow on the time-skipping test server, with a real SQLite ledger."""

from __future__ import annotations

import asyncio
import json
import uuid
from datetime import timedelta

import pytest
from temporalio.api.enums.v1 import EventType

from client import temporal as cases
from domain.state import fold
from domain.vocab import Outcome, Stage
from tests import factories as f
from workflows.case_io import CaseConfig
from workflows.lead_case import LeadCaseWorkflow


@pytest.fixture
def ledger(ts_worker):
    return ts_worker[2]


@pytest.fixture
def env_worker(ts_worker):
    return ts_worker[:2]


def new_id() -> str:
    return f"lead-test-{uuid.uuid4().hex[:10]}"


def articulation_reminder(key: str) -> bool:
    """``key`` is the first step of an articulation reminder (``articulation:<end of phase 2>:remind``)."""
    return key.startswith("articulation:") and key.endswith(":remind")


async def reminded(client, case_id: str, key: str | None = None) -> None:
    """Wait until the case has recorded reminder ``key`` (default: the articulation reminder, owed at
    once to a lead past phase 2): the case's own loop sends it just after a command, so a test that
    counts events must let it land first."""
    for _ in range(200):
        keys = (await cases.state(client, case_id)).reminder_keys
        if key in keys if key else any(articulation_reminder(k) for k in keys):
            return
        await asyncio.sleep(0.05)
    raise AssertionError(f"{case_id}: reminder {key} was not recorded")


async def update_events(client, case_id: str) -> int:
    history = await client.get_workflow_handle(case_id).fetch_history()
    return sum(1 for e in history.events if e.event_type == EventType.EVENT_TYPE_WORKFLOW_EXECUTION_UPDATE_ACCEPTED)


async def test_case_runs_through_every_stage_and_ledger_matches_state(env_worker, ledger):
    env, queue = env_worker
    case_id = new_id()
    result = await cases.start(env.client, queue, f.start(phase=1), case_id)
    assert result.state.stage == Stage.DETECTION
    seen = [result.state.stage]
    for cmd in f.happy_path(result.state.detected_at.date()):
        result = await cases.execute(env.client, case_id, cmd)
        seen.append(result.state.stage)
    assert seen == [
        Stage.DETECTION,
        Stage.NEEDS_ARTICULATION,
        Stage.MATCHMAKING,
        Stage.MATCHMAKING,
        Stage.CONSULTATION,
        Stage.CONSULTATION,
        Stage.REALISATION,
        Stage.CLOSED,
    ]
    assert result.state.outcome == Outcome.REALISED_OTHER_REGION  # bom -> twente (oost-nl)
    rows = ledger.events(case_id)
    assert [r.seq for r in rows] == list(range(1, len(rows) + 1))
    assert [r.type for r in rows] == [
        "LeadDetected",  # in venture phase 1: no articulation reminder is owed yet
        "NeedsArticulated",
        "MatchesProposed",
        "LocationChosen",
        "SharingProposed",  # twente lies in Oost NL's region: sharing with it is proposed to the owner (BOM)
        "ConsultationRequested",
        "ConsultationAnswered",
        "RealisationStarted",
        "Realised",
    ]
    queried = await cases.state(env.client, case_id)
    assert fold(r.event for r in rows) == queried == result.state
    proposals = rows[2].event
    assert proposals.type == "MatchesProposed" and proposals.proposals


async def test_refused_command_writes_nothing_anywhere(env_worker, ledger):
    env, queue = env_worker
    case_id = new_id()
    await cases.start(env.client, queue, f.start(phase=3), case_id)
    await reminded(env.client, case_id)  # past phase 2: the articulation reminder at once
    before_updates = await update_events(env.client, case_id)
    with pytest.raises(cases.BadInput, match="wrong-stage"):
        await cases.execute(env.client, case_id, f.command("start-realisation"))
    with pytest.raises(cases.BadInput, match="allowed in: needs_articulation"):
        await cases.execute(env.client, case_id, f.command("propose-matches"))
    with pytest.raises(cases.BadInput, match="no-change"):
        await cases.execute(env.client, case_id, f.command("change-phase", phase=3))
    assert await update_events(env.client, case_id) == before_updates
    assert [r.type for r in ledger.events(case_id)] == ["LeadDetected", "ReminderSent"]


async def test_existing_case_cannot_be_started_twice(env_worker):
    env, queue = env_worker
    case_id = new_id()
    await cases.start(env.client, queue, f.start(), case_id)
    with pytest.raises(cases.BadInput, match="already exists"):
        await cases.start(env.client, queue, f.start(), case_id)


async def test_unknown_case_is_bad_input(env_worker):
    env, _ = env_worker
    with pytest.raises(cases.BadInput, match="no case"):
        await cases.execute(env.client, "lead-does-not-exist", f.command("change-phase", phase=3))


async def test_negative_consultation_returns_to_matchmaking(env_worker, ledger):
    env, queue = env_worker
    case_id = new_id()
    r = await cases.start(env.client, queue, f.start(), case_id)
    for cmd in f.happy_path(r.state.detected_at.date())[:4]:
        r = await cases.execute(env.client, case_id, cmd)
    assert r.state.stage == Stage.CONSULTATION
    r = await cases.execute(
        env.client,
        case_id,
        f.command("answer-consultation", consultation_id="C1", verdict="negative", answer="no grid"),
    )
    assert r.state.stage == Stage.MATCHMAKING and r.state.location is None
    assert fold(row.event for row in ledger.events(case_id)) == r.state


async def test_same_update_id_twice_records_once(env_worker, ledger):
    env, queue = env_worker
    case_id = new_id()
    await cases.start(env.client, queue, f.start(phase=1), case_id)
    cmd = f.command("change-phase", phase=2)  # its articulation reminder falls months later
    first = await cases.execute(env.client, case_id, cmd, update_id="phase-2-once")
    second = await cases.execute(env.client, case_id, cmd, update_id="phase-2-once")
    assert first == second
    assert [r.type for r in ledger.events(case_id)] == ["LeadDetected", "PhaseChanged"]


async def test_continue_as_new_carries_state_and_sequence(env_worker, ledger):
    env, queue = env_worker
    case_id = new_id()
    config = CaseConfig(max_history_events=100)
    await cases.start(env.client, queue, f.start(), case_id, config=config)
    first_run = (await env.client.get_workflow_handle(case_id).describe()).run_id
    for i in range(30):
        await cases.execute(env.client, case_id, f.command("change-phase", phase=3 if i % 2 == 0 else 2))
    handle = env.client.get_workflow_handle_for(LeadCaseWorkflow.run, case_id)
    assert (await handle.describe()).run_id != first_run
    state = await cases.state(env.client, case_id)
    rows = ledger.events(case_id)
    assert [r.seq for r in rows] == list(range(1, 33))  # 30 phase changes, detection, one reminder
    assert state.last_seq == 32 and fold(r.event for r in rows) == state


async def test_closed_case_can_reopen_then_ends_after_retention(env_worker, ledger):
    env, queue = env_worker
    case_id = new_id()
    config = CaseConfig(closed_retention=timedelta(days=30))
    await cases.start(env.client, queue, f.start(), case_id, config=config)
    await cases.execute(env.client, case_id, f.command("close", outcome="withdrawn"))
    r = await cases.execute(env.client, case_id, f.command("reopen"))
    assert r.state.stage == Stage.DETECTION and r.state.reopened == 1
    r = await cases.execute(env.client, case_id, f.command("close", outcome="withdrawn"))
    handle = env.client.get_workflow_handle_for(LeadCaseWorkflow.run, case_id)
    await env.sleep(timedelta(days=31))  # skip past the 30-day reopening period
    assert (await handle.describe()).status.name == "COMPLETED"
    assert await handle.result() == r.state
    with pytest.raises(cases.BadInput):
        await cases.execute(env.client, case_id, f.command("reopen"))


async def test_a_command_keeps_the_reminder_timer_and_upserts_only_what_changed(env_worker):
    """A phase-3 case waits on its follow-up timer; commands that leave the wake-up time alone (phase 2
    ended when phase 3 was first reached) do not cancel and restart it, and only the search
    attributes that changed are upserted."""
    env, queue = env_worker
    case_id = new_id()
    await cases.start(env.client, queue, f.start(phase=3), case_id)
    await reminded(env.client, case_id)
    history = await env.client.get_workflow_handle(case_id).fetch_history()
    assert history.events[-1].event_type == EventType.EVENT_TYPE_TIMER_STARTED  # the follow-up
    before = len(history.events)
    await cases.execute(env.client, case_id, f.command("change-phase", phase=4))
    await cases.execute(env.client, case_id, f.command("change-phase", phase=3))
    history = await env.client.get_workflow_handle(case_id).fetch_history()
    after = history.events[before:]
    kinds = [e.event_type for e in after]
    assert EventType.EVENT_TYPE_TIMER_CANCELED not in kinds
    assert EventType.EVENT_TYPE_TIMER_STARTED not in kinds
    upserted = [
        set(e.upsert_workflow_search_attributes_event_attributes.search_attributes.indexed_fields)
        for e in after
        if e.event_type == EventType.EVENT_TYPE_UPSERT_WORKFLOW_SEARCH_ATTRIBUTES
    ]
    assert upserted == [{"VenturePhase"}, {"VenturePhase"}]


async def test_two_partial_updates_built_from_the_same_stale_state_both_win(env_worker, ledger):
    """Issue 12: ``update`` used to carry the whole lead, merged on the client from the state it read,
    so of two coordinators editing different fields the second undid the first. The case merges now."""
    env, queue = env_worker
    case_id = new_id()
    stale = (await cases.start(env.client, queue, f.start(phase=1), case_id)).state  # both read this
    await cases.execute(env.client, case_id, f.command("update", changes={"company": "Photon Forge Holding BV"}))
    r = await cases.execute(env.client, case_id, f.command("update", changes={"contact": {"email": "cfo@example.org"}}))
    assert (r.state.lead.company, r.state.lead.contact.email) == ("Photon Forge Holding BV", "cfo@example.org")
    assert r.state.lead.contact.name == stale.lead.contact.name and r.state.lead.kvk == stale.lead.kvk
    updates = [row.event for row in ledger.events(case_id) if row.type == "LeadUpdated"]
    assert [[(c.field, c.old, c.new) for c in e.changes] for e in updates] == [
        [("company", "Photon Forge BV", "Photon Forge Holding BV")],
        [("contact.email", "anna@example.org", "cfo@example.org")],
    ]
    with pytest.raises(cases.BadInput, match="no-change"):
        await cases.execute(env.client, case_id, f.command("update", changes={"company": "Photon Forge Holding BV"}))
    # the whole-lead form, still accepted, from the same stale read: the first change is lost again
    whole = {**stale.lead.model_dump(mode="json"), "coordinator": "someone@example.org"}
    r = await cases.execute(env.client, case_id, f.command("update", lead=whole))
    assert r.state.lead.company == "Photon Forge BV" and r.events[0].changes is None
    assert fold(row.event for row in ledger.events(case_id)) == r.state


async def test_a_note_and_a_correction_on_a_realised_case(env_worker, ledger):
    env, queue = env_worker
    case_id = new_id()
    r = await cases.start(env.client, queue, f.start(phase=1), case_id)
    for cmd in f.happy_path(r.state.detected_at.date()):
        r = await cases.execute(env.client, case_id, cmd)
    assert r.state.stage == Stage.CLOSED and r.state.realisation.investment_eur == 25_000_000
    r = await cases.execute(env.client, case_id, f.command("note", text="opening of the new line", kind="meeting"))
    assert (r.state.stage, r.state.notes, r.events[0].type) == (Stage.CLOSED, 1, "NoteRecorded")
    r = await cases.execute(env.client, case_id, f.command(
        "correct-realisation", investment_eur=2_500_000, reason="a zero too many in the realise command"))
    assert r.state.realisation.investment_eur == 2_500_000 and r.state.realisation_corrections == 1
    before = len(ledger.events(case_id))
    with pytest.raises(cases.BadInput, match="no-change"):
        await cases.execute(env.client, case_id, f.command("correct-realisation", investment_eur=2_500_000, reason="r"))
    rows = ledger.events(case_id)
    assert len(rows) == before and [r.type for r in rows[-2:]] == ["NoteRecorded", "RealisationCorrected"]
    assert fold(row.event for row in rows) == await cases.state(env.client, case_id)


async def test_a_demo_case_is_marked_in_its_state_and_the_ledger(env_worker, ledger):
    env, queue = env_worker
    case_id = new_id()
    r = await cases.start(env.client, queue, f.start(phase=1, demo=True, source="import:pipeline.csv#row 3"), case_id)
    assert (r.state.demo, r.state.source) == (True, "import:pipeline.csv#row 3")
    assert ledger.events(case_id)[0].event.demo is True
    assert case_id in [s.case_id for s in ledger.list_cases()]
    assert case_id not in [s.case_id for s in ledger.list_cases(include_demo=False)]


async def test_a_past_needed_by_date_is_refused_and_writes_nothing(env_worker, ledger):
    env, queue = env_worker
    case_id = new_id()
    await cases.start(env.client, queue, f.start(phase=1), case_id)
    before = await update_events(env.client, case_id)
    past = f.command("articulate-needs", needs={**f.NEEDS, "needed_by": "2020-01-01"})
    with pytest.raises(cases.BadInput, match="needed-by-in-past") as err:
        await cases.execute(env.client, case_id, past)
    assert "needs.needed_by" in str(err.value)
    assert await update_events(env.client, case_id) == before
    assert [r.type for r in ledger.events(case_id)] == ["LeadDetected"]
    r = await cases.execute(env.client, case_id, f.command("articulate-needs", needs=f.NEEDS))
    assert r.state.stage == Stage.NEEDS_ARTICULATION
    history = await env.client.get_workflow_handle(case_id).fetch_history()
    markers = [e.marker_recorded_event_attributes for e in history.events
               if e.event_type == EventType.EVENT_TYPE_MARKER_RECORDED]
    patches = [json.loads(m.details["patch-data"].payloads[0].data)["id"] for m in markers if m.marker_name == "core_patch"]
    assert "refuse-past-needed-by" in patches
