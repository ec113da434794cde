"""Issue 11: no case can be forged, wedged or silently corrupted from the Temporal side.

Each test runs the attack against real Temporal servers and a real ledger and checks that it is
refused or recorded visibly, and that nothing was written where it must not be.
"""

from __future__ import annotations

import asyncio
import contextlib
import time
import uuid
from datetime import timedelta

import pytest
from temporalio.client import WorkflowFailureError, WorkflowUpdateFailedError
from temporalio.common import WorkflowIDConflictPolicy
from temporalio.exceptions import ApplicationError
from temporalio.testing import ActivityEnvironment

from activities.ledger import CASE_MISMATCH, LedgerActivities
from audit.verify import rows_of, verify_rows
from client import temporal as cases
from client.errors import BadInput, CommandTimeout
from domain.decide import Context, decide
from domain.reminders import ReminderRules
from domain.state import fold
from keys import Signer
from ledger.store import Ledger
from tests import factories as f
from tests.peers import MailSink, free_port
from worker import build_worker
from workflows.case_io import CaseConfig, CaseInput
from workflows.lead_case import LeadCaseWorkflow

DAY = timedelta(days=1)


def new_id(kind: str = "hard") -> str:
    return f"lead-{kind}-{uuid.uuid4().hex[:10]}"


def ledger_types(ledger: Ledger, case_id: str) -> list[str]:
    return [r.type for r in ledger.events(case_id)]


async def test_a_workflow_whose_input_names_another_case_writes_nothing_into_it(ts_worker):
    env, queue, ledger = ts_worker
    victim = new_id("victim")
    await cases.start(env.client, queue, f.start(phase=1), victim)
    before = ledger_types(ledger, victim)
    # the attack: a second workflow, its own id, the victim's case id in its input
    attacker = new_id("attacker")
    handle = await env.client.start_workflow(
        LeadCaseWorkflow.run, CaseInput(case_id=victim), id=attacker, task_queue=queue
    )
    with pytest.raises(WorkflowFailureError) as failed:
        await handle.result()
    assert isinstance(failed.value.cause, ApplicationError) and failed.value.cause.type == CASE_MISMATCH
    # and through update-with-start, the way the client starts cases: refused before any write
    with pytest.raises(BadInput, match="case-mismatch|another case"):
        await _start_with_input(env, queue, attacker_id=new_id("attacker"), named=victim)
    assert ledger_types(ledger, victim) == before
    assert verify_rows(rows_of(ledger, victim)).ok


async def _start_with_input(env, queue, attacker_id: str, named: str) -> None:
    from temporalio.client import WithStartWorkflowOperation

    operation = WithStartWorkflowOperation(
        LeadCaseWorkflow.run, CaseInput(case_id=named), id=attacker_id, task_queue=queue,
        id_conflict_policy=WorkflowIDConflictPolicy.FAIL,
    )
    command = f.start(phase=1)
    try:
        await env.client.execute_update_with_start_workflow(
            LeadCaseWorkflow.execute, command, start_workflow_operation=operation
        )
    except WorkflowUpdateFailedError as err:
        raise BadInput(str(err.cause)) from None


def test_the_ledger_activity_refuses_events_of_another_case(ledger_url):
    ledger = Ledger.open(ledger_url, upgrade=True)
    try:
        events = decide(None, f.start(phase=1), Context("lead-victim", _now()))
        env = ActivityEnvironment()
        env.info = env.info.__class__(**{**env.info.__dict__, "workflow_id": "lead-attacker"})
        with pytest.raises(ApplicationError) as refused:
            env.run(LedgerActivities(ledger, Signer.generate()).record_events, events)
        assert refused.value.type == CASE_MISMATCH and refused.value.non_retryable
        assert ledger.events("lead-victim") == []
        # its own case's events are written
        env.info = env.info.__class__(**{**env.info.__dict__, "workflow_id": "lead-victim"})
        assert env.run(LedgerActivities(ledger, Signer.generate()).record_events, events).inserted == 1
    finally:
        ledger.dispose()


def _now():
    from datetime import UTC, datetime

    return datetime(2026, 11, 24, 12, 0, tzinfo=UTC)


async def test_forged_carried_state_is_refused_and_an_ended_case_resumes_from_its_ledger(ts_worker):
    env, queue, ledger = ts_worker
    case_id = new_id("resume")
    started = await cases.start(env.client, queue, f.start(phase=1), case_id)
    await cases.execute(env.client, case_id, f.command("articulate-needs", needs=f.NEEDS))
    await env.client.get_workflow_handle(case_id).terminate("operator ended it")
    # a workflow for the same id with made-up state (as if continued as new) is refused
    forged = started.state.model_copy(update={"stage": "realisation", "last_seq": 2})
    handle = await env.client.start_workflow(
        LeadCaseWorkflow.run, CaseInput(case_id=case_id, state=forged), id=case_id, task_queue=queue
    )
    with pytest.raises(WorkflowFailureError) as failed:
        await handle.result()
    assert failed.value.cause.type == "CarriedStateMismatch"
    assert ledger_types(ledger, case_id) == ["LeadDetected", "NeedsArticulated"]
    # resumed from the ledger instead: the chain's state, and the case goes on where it was
    state = await cases.resume(env.client, queue, case_id)
    assert state == fold(r.event for r in ledger.events(case_id))
    moved = await cases.execute(env.client, case_id, f.command("propose-matches"))
    rows = ledger.events(case_id)
    assert moved.events[0].seq == rows[-1].seq == len(rows) > 2  # continues the chain (reminders may precede)
    assert [r.type for r in rows[:2]] == ["LeadDetected", "NeedsArticulated"]
    assert verify_rows(rows_of(ledger, case_id)).ok
    await env.client.get_workflow_handle(case_id).terminate("test over")


async def test_clients_cannot_send_system_commands_or_malformed_ones(ts_worker):
    env, queue, ledger = ts_worker
    case_id = new_id("raw")
    await cases.start(env.client, queue, f.start(phase=1), case_id)
    handle = env.client.get_workflow_handle(case_id)
    raw_commands = {
        "record-reminder": {"type": "record-reminder", "actor": "x", "key": "phase2:remind", "rule": "phase2",
                            "subject": "s", "channel": "outbox", "recipient": "r"},
        "record-delivery-failure": {"type": "record-delivery-failure", "actor": "x", "key": "k",
                                    "channels": ["email"], "error": "e"},
    }
    for name, raw in raw_commands.items():
        with pytest.raises(WorkflowUpdateFailedError) as refused:
            await handle.execute_update("execute", raw)
        assert refused.value.cause.details[0]["rule"] == "system-only", name
    bad = {"type": "change-phase", "actor": "x", "phase": "three", "bogus": 1}
    with pytest.raises(WorkflowUpdateFailedError) as refused:
        await handle.execute_update("execute", bad)
    message = refused.value.cause.message
    assert "phase" in message and "bogus" in message and len(message.splitlines()) <= 5
    assert refused.value.cause.details[0]["rule"] == "invalid-input"
    assert ledger_types(ledger, case_id) == ["LeadDetected"]
    history = [e async for e in handle.fetch_history_events()]
    accepted = [e for e in history if e.HasField("workflow_execution_update_accepted_event_attributes")]
    assert len(accepted) == 1  # the start; no refused update reached the history


async def test_a_retried_command_id_is_applied_once_even_across_continue_as_new(ts_worker):
    env, queue, ledger = ts_worker
    case_id = new_id("cmdid")
    await cases.start(env.client, queue, f.start(phase=1), case_id, config=CaseConfig(max_history_events=100))
    needs = f.command("articulate-needs", needs=f.NEEDS).model_copy(update={"command_id": "needs-once"})
    first = await cases.execute(env.client, case_id, needs)
    assert not first.duplicate and first.events[0].command_id == "needs-once"
    run_before = (await env.client.get_workflow_handle(case_id).describe()).run_id
    for i in range(30):  # enough commands to continue as new
        await cases.execute(env.client, case_id, f.command("change-phase", phase=2 + i % 2))
    assert (await env.client.get_workflow_handle(case_id).describe()).run_id != run_before
    again = await cases.execute(env.client, case_id, needs)  # a client retrying after a lost answer
    assert again.duplicate and again.events == []
    assert ledger_types(ledger, case_id).count("NeedsArticulated") == 1
    await env.client.get_workflow_handle(case_id).terminate("test over")


async def test_a_client_that_gives_up_is_told_the_command_id_and_a_retry_applies_once(ts_worker):
    env, queue, ledger = ts_worker
    case_id = new_id("deadline")
    await cases.start(env.client, queue, f.start(phase=1), case_id)
    command = f.command("change-phase", phase=2).model_copy(update={"command_id": "phase-two-1"})
    with pytest.raises(CommandTimeout) as gave_up:
        await cases.execute(env.client, case_id, command, deadline=0.000001)
    assert gave_up.value.command_id == "phase-two-1" and "may still take effect" in str(gave_up.value)
    result = await cases.execute(env.client, case_id, command)
    assert result.state.phase == 2
    assert ledger_types(ledger, case_id).count("PhaseChanged") == 1


async def test_smtp_down_neither_delays_commands_nor_is_lost(dev_server_env, case_ledger_url):
    """A dead mail server: the reminder is recorded and in the inbox at once, 50 coordinator
    commands complete while its delivery is still being retried, then the failure is recorded
    with the rules' retry time (nothing retries forever, nothing holds the case)."""
    from activities.notify import Channels

    ledger = Ledger.open(case_ledger_url, upgrade=True)
    client = dev_server_env.client
    queue = f"smtp-down-{uuid.uuid4().hex[:6]}"
    dead = Channels(smtp_host="127.0.0.1", smtp_port=free_port(), timeout=2.0)  # nobody listens
    case_id = new_id("smtpdown")
    try:
        async with build_worker(client, ledger, queue, channels=dead, signer=Signer.generate()):
            await cases.start(client, queue, f.start(phase=3), case_id)  # past phase 2: a reminder owed at once
            for _ in range(100):
                if "ReminderSent" in ledger_types(ledger, case_id):
                    break
                await asyncio.sleep(0.1)
            [message] = ledger.outbox.messages(case_id)
            assert message.delivered == ("outbox",)  # in the inbox already; e-mail still owed
            latencies = []
            for i in range(50):
                t0 = time.perf_counter()
                await cases.execute(client, case_id, f.command("change-phase", phase=3 + (i + 1) % 2))
                latencies.append(time.perf_counter() - t0)
            assert "ReminderFailed" not in ledger_types(ledger, case_id)  # delivery still retrying
            print(f"50 commands with SMTP down: median {sorted(latencies)[25] * 1000:.0f} ms, "
                  f"max {max(latencies) * 1000:.0f} ms")
            for _ in range(900):  # 4 attempts with back-off (5, 10, 20 s), then recorded
                if "ReminderFailed" in ledger_types(ledger, case_id):
                    break
                await asyncio.sleep(0.1)
            failed = [r.event for r in ledger.events(case_id) if r.type == "ReminderFailed"]
            assert len(failed) == 1 and failed[0].channels == ["email"] and failed[0].failures == 1
            assert failed[0].retry_at - failed[0].at == ReminderRules().delivery_retry_after[0]
            key = failed[0].key  # the articulation reminder (articulation:<end of phase 2>:remind)
            assert key.startswith("articulation:") and key.endswith(":remind")
            for _ in range(100):  # the ledger holds ReminderFailed a moment before the case folds it
                state = await cases.state(client, case_id)
                if key in state.failed_deliveries:
                    break
                await asyncio.sleep(0.1)
            assert state.failed_deliveries[key].failures == 1
        assert verify_rows(rows_of(ledger, case_id)).ok
    finally:
        await client.get_workflow_handle(case_id).terminate("test over")
        ledger.dispose()


async def test_a_failed_delivery_is_retried_by_rule_and_its_success_recorded(time_skipping_env, tmp_path):
    """On the time-skipping server: the mail server is down for the first round, back for the
    retry an hour later (the rules' first retry); the case records the failure, then the
    delivery, and its inbox entry is delivered by e-mail once."""
    from activities.notify import Channels

    ledger = Ledger.open(f"sqlite:///{tmp_path / 'ledger.db'}", upgrade=True)
    env = time_skipping_env
    queue = f"redeliver-{uuid.uuid4().hex[:6]}"
    port = free_port()
    case_id = new_id("redeliver")
    try:
        async with build_worker(env.client, ledger, queue, channels=Channels(smtp_host="127.0.0.1", smtp_port=port,
                                                                              timeout=2.0),
                                signer=Signer.generate()):
            await cases.start(env.client, queue, f.start(phase=3), case_id)  # a reminder owed at once
            await env.sleep(timedelta(minutes=5))  # the bounded attempts' back-off (5, 10, 20 s) passes
            assert ledger_types(ledger, case_id) == ["LeadDetected", "ReminderSent", "ReminderFailed"]
            with MailSink(port=port) as mail:
                await env.sleep(timedelta(hours=2))
                for _ in range(300):
                    if "ReminderDelivered" in ledger_types(ledger, case_id):
                        break
                    await asyncio.sleep(0.1)
            assert ledger_types(ledger, case_id) == [
                "LeadDetected", "ReminderSent", "ReminderFailed", "ReminderDelivered"]
            assert len(mail.messages) == 1
            [message] = ledger.outbox.messages(case_id)
            assert message.delivered == ("email", "outbox")
            assert (await cases.state(env.client, case_id)).failed_deliveries == {}
            await env.client.get_workflow_handle(case_id).terminate("test over")
    finally:
        ledger.dispose()


async def test_no_wedging_input_leaves_a_case_stuck(dev_server_env, case_ledger_url, tmp_path):
    """The inputs that once wedged a case forever (a non-finite number, a 1.5 MB e-mail, a case
    id of 250 characters on PostgreSQL, a dead mail server) are refused or fail visibly; afterwards
    `audit health` finds none of these cases stuck."""
    from activities.notify import Channels
    from audit.health import check
    from settings import SettingsError
    from settings import load as load_settings

    client = dev_server_env.client
    ledger = Ledger.open(case_ledger_url, upgrade=True)
    ledger.seed_hotspots()
    queue = f"wedge-{uuid.uuid4().hex[:6]}"
    dead_smtp = Channels(smtp_host="127.0.0.1", smtp_port=free_port(), timeout=2.0)
    case_id, long_id = new_id("wedge"), "lead-" + "x" * 245
    try:
        async with build_worker(client, ledger, queue, channels=dead_smtp, signer=Signer.generate()):
            await cases.start(client, queue, f.start(phase=3), case_id)  # a reminder owed at once
            handle = client.get_workflow_handle(case_id)
            raws = [
                {"type": "articulate-needs", "actor": "x", "needs": {**f.NEEDS, "energy": {"grid_mva": float("inf")}}},
                {"type": "update", "actor": "x", "lead": {**f.LEAD, "contact": {
                    "name": "A", "email": "a" * 1_500_000 + "@example.org"}}},
            ]
            for raw in raws:
                with pytest.raises(WorkflowUpdateFailedError):
                    await handle.execute_update("execute", raw)
            with pytest.raises(BadInput):  # the client refuses it before it travels
                await cases.start(client, queue, f.start(phase=1), long_id)
            raw_start = await client.start_workflow(  # and a raw start fails visibly, writing nothing
                LeadCaseWorkflow.run, CaseInput(case_id=long_id), id=long_id, task_queue=queue)
            with pytest.raises(WorkflowFailureError):
                await raw_start.result()
            # an absurd duration in a rules file stops the worker before it serves any case
            rules_file = tmp_path / "rules.json"
            rules_file.write_text('{"stage_escalate_after": "P1000000000D"}')
            with pytest.raises(SettingsError, match="stage_escalate_after"):
                load_settings({"BRANDPUNT_REMINDER_RULES": str(rules_file)}).reminder_rules()
            # the dead mail server: the reminder's delivery fails and is recorded, nothing keeps retrying
            for _ in range(900):
                if "ReminderFailed" in ledger_types(ledger, case_id):
                    break
                await asyncio.sleep(0.1)
            assert ledger_types(ledger, case_id) == ["LeadDetected", "ReminderSent", "ReminderFailed"]
            assert ledger.events(long_id) == []
            ours = {case_id, long_id}
            assert [s for s in (await check(client)).stuck if s.workflow_id in ours] == []
            moved = await cases.execute(client, case_id, f.command("change-phase", phase=4))
            assert moved.state.phase == 4  # and the case still takes commands
    finally:
        with contextlib.suppress(Exception):
            await client.get_workflow_handle(case_id).terminate("test over")
        ledger.dispose()
