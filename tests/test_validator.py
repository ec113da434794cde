"""The workflow's update validator: a refused command, the system-only ``record-reminder`` included,
never reaches Temporal history or the ledger; and the closed-case retention window on both sides.
"""

from __future__ import annotations

from datetime import timedelta

import pytest
from temporalio.api.enums.v1 import EventType
from temporalio.client import WorkflowUpdateFailedError
from temporalio.exceptions import ApplicationError

from client import temporal as cases
from tests import factories as f
from tests.test_workflow import new_id, reminded
from workflows.case_io import CaseConfig
from workflows.lead_case import REJECTED, LeadCaseWorkflow

REMINDER = {"key": "phase2:follow-up-1", "rule": "phase2", "subject": "s", "channel": "log", "recipient": "r"}


async def counts(client, ledger, case_id: str) -> tuple[int, int, int]:
    """(accepted updates, update-ish history events, ledger rows) of the case."""
    history = await client.get_workflow_handle(case_id).fetch_history()
    kinds = [e.event_type for e in history.events]
    accepted = kinds.count(EventType.EVENT_TYPE_WORKFLOW_EXECUTION_UPDATE_ACCEPTED)
    updates = accepted + kinds.count(EventType.EVENT_TYPE_WORKFLOW_EXECUTION_UPDATE_COMPLETED)
    return accepted, updates, len(ledger.events(case_id))


async def refused(client, case_id: str, command) -> dict:
    handle = client.get_workflow_handle(case_id)
    with pytest.raises(WorkflowUpdateFailedError) as err:
        await handle.execute_update(LeadCaseWorkflow.execute, command)
    cause = err.value.cause
    assert isinstance(cause, ApplicationError) and cause.type == REJECTED and cause.non_retryable
    return cause.details[0]


async def test_refused_commands_leave_history_and_ledger_unchanged(ts_worker):
    env, queue, ledger = ts_worker
    case_id = new_id()
    await cases.start(env.client, queue, f.start(phase=3), case_id)
    await reminded(env.client, case_id)
    before = await counts(env.client, ledger, case_id)
    assert before[0] == 1 and before[2] == 2  # the start; LeadDetected + the articulation reminder

    detail = await refused(env.client, case_id, f.command("record-reminder", **REMINDER))
    assert detail["rule"] == "system-only"
    assert (await refused(env.client, case_id, f.command("start-realisation")))["rule"] == "wrong-stage"
    assert await refused(env.client, case_id, f.command("change-phase", phase=3)) == {
        "rule": "no-change", "field": "phase", "message": "the lead is already in phase 3",
        "template": "the lead is already in phase {phase}", "params": {"phase": 3}, "problems": []}  # any language
    with pytest.raises(cases.BadInput, match="system-only"):
        await cases.execute(env.client, case_id, f.command("record-reminder", **REMINDER))
    assert await counts(env.client, ledger, case_id) == before
    assert "phase2:follow-up-1" not in (await cases.state(env.client, case_id)).reminder_keys

    # an accepted command moves both counts by exactly one
    await cases.execute(env.client, case_id, f.command("close", outcome="withdrawn"))
    closed = await counts(env.client, ledger, case_id)
    assert closed[0] == before[0] + 1 and closed[2] == before[2] + 1
    assert (await refused(env.client, case_id, f.command("change-phase", phase=4)))["rule"] == "case-closed"
    assert (await refused(env.client, case_id, f.command("record-reminder", **REMINDER)))["rule"] == "system-only"
    assert await counts(env.client, ledger, case_id) == closed


async def test_a_closed_case_can_reopen_until_its_retention_ends_and_not_after(ts_worker):
    env, queue, _ = ts_worker
    case_id = new_id()
    await cases.start(env.client, queue, f.start(phase=1), case_id,
                      config=CaseConfig(closed_retention=timedelta(days=10)))
    await cases.execute(env.client, case_id, f.command("close", outcome="withdrawn"))
    handle = env.client.get_workflow_handle_for(LeadCaseWorkflow.run, case_id)
    await env.sleep(timedelta(days=9, hours=23))
    assert (await handle.describe()).status.name == "RUNNING"
    await env.sleep(timedelta(hours=2))
    assert (await handle.describe()).status.name == "COMPLETED"
