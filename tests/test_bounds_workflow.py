"""Bounds at the workflow's update validator: raw JSON sent straight to Temporal, past the CLI.

Whatever a client sends, an input past its limit is refused before it reaches the history or the
ledger, and the refusal names the field (or the size) in a few lines.
"""

from __future__ import annotations

import uuid

import pytest
from temporalio.client import WorkflowUpdateFailedError
from temporalio.exceptions import ApplicationError

from client import temporal as cases
from domain import bounds as b
from tests import factories as f
from tests.test_bounds import padded


def new_id() -> str:
    return f"lead-bounds-{uuid.uuid4().hex[:10]}"


async def refused_raw(handle, raw: dict) -> dict:
    with pytest.raises(WorkflowUpdateFailedError) as refused:
        await handle.execute_update("execute", raw)
    cause = refused.value.cause
    assert isinstance(cause, ApplicationError), cause
    details = cause.details[0]
    assert len(cause.message) < 1000 and len(cause.message.splitlines()) <= 6
    return details


async def accepted_updates(handle) -> int:
    history = [e async for e in handle.fetch_history_events()]
    return sum(e.HasField("workflow_execution_update_accepted_event_attributes") for e in history)


async def test_the_validator_refuses_out_of_bounds_raw_commands_and_records_nothing(ts_worker):
    env, queue, ledger = ts_worker
    case_id = new_id()
    await cases.start(env.client, queue, f.start(phase=1), case_id)
    handle = env.client.get_workflow_handle(case_id)
    actor = {"actor": "raw-client"}
    lead = {**f.LEAD, "phase": 1}
    needs = {**f.NEEDS}
    attacks = {
        "1.5 MB e-mail": ({"type": "update", **actor, "lead": {**lead, "contact": {
            "name": "A", "email": "a" * 1_500_000 + "@example.org"}}}, "(command)"),
        "255-character e-mail": ({"type": "update", **actor, "lead": {**lead, "contact": {
            "name": "A", "email": "a" * 243 + "@example.org"}}}, "lead.contact.email"),
        "phase as text": ({"type": "change-phase", **actor, "phase": "3"}, "phase"),
        "phase as true": ({"type": "change-phase", **actor, "phase": True}, "phase"),
        "phase as 3.0": ({"type": "change-phase", **actor, "phase": 3.0}, "phase"),
        "m2 past its limit": ({"type": "articulate-needs", **actor, "needs": {
            **needs, "space": {"m2": b.M2_MAX + 1}}}, "needs.space.m2"),
        "grid inf as a huge number": ({"type": "articulate-needs", **actor, "needs": {
            **needs, "energy": {"grid_mva": 1e308 * 10}}}, "needs.energy.grid_mva"),
    }
    for name, (raw, field) in attacks.items():
        details = await refused_raw(handle, raw)
        rule = "too-large" if field == "(command)" else "invalid-input"  # the whole command's size first
        assert details["rule"] == rule and details["field"] == field, (name, details)
    assert [r.type for r in ledger.events(case_id)] == ["LeadDetected"]
    assert await accepted_updates(handle) == 1  # the start only


async def test_the_validator_refuses_a_command_over_the_size_limit(ts_worker):
    env, queue, ledger = ts_worker
    case_id = new_id()
    await cases.start(env.client, queue, f.start(phase=1), case_id)
    handle = env.client.get_workflow_handle(case_id)
    big = padded(4 * b.COMMAND_JSON_MAX)  # every field within its limit; only the whole is too large
    big["actor"] = "raw-client"
    details = await refused_raw(handle, big)
    assert details["rule"] == "too-large"
    assert [r.type for r in ledger.events(case_id)] == ["LeadDetected"]
    assert await accepted_updates(handle) == 1
