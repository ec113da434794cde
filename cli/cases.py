"""Client-side case operations shared by the CLI, the demo, tests and benchmarks.

Every coordinator action goes through :func:`execute` (a Temporal update validated by the
workflow), and a new case through :func:`start` (update-with-start), so the CLI holds no rules of
its own: refusals come from ``domain.decide`` and are mapped here to :class:`BadInput`.
"""

from __future__ import annotations

import uuid

from temporalio.client import (
    Client,
    WithStartWorkflowOperation,
    WorkflowUpdateFailedError,
)
from temporalio.common import WorkflowIDConflictPolicy, WorkflowIDReusePolicy
from temporalio.exceptions import ApplicationError, WorkflowAlreadyStartedError
from temporalio.service import RPCError, RPCStatusCode

from cli.errors import BadInput, CaseError
from cli.views import check_case_id
from domain.commands import Command, DetectLead
from domain.state import CaseState
from workflows.case_io import CaseConfig, CaseInput, CommandResult
from workflows.lead_case import REJECTED, LeadCaseWorkflow


def _rejection(err: WorkflowUpdateFailedError, case_id: str) -> CaseError:
    cause = err.cause
    if isinstance(cause, ApplicationError) and cause.type == REJECTED:
        return BadInput(f"refused for {case_id}: {cause.message}")
    return CaseError(f"{case_id}: command failed: {cause or err}")


def _rpc(err: RPCError, case_id: str) -> CaseError:
    if err.status == RPCStatusCode.NOT_FOUND:
        return BadInput(f"no case {case_id} (see `brandpunt lead list`)")
    return CaseError(f"{case_id}: Temporal said {err.status.name}: {err.message}")


async def start(
    client: Client,
    task_queue: str,
    command: DetectLead,
    case_id: str,
    config: CaseConfig | None = None,
    update_id: str | None = None,
) -> CommandResult:
    """Start a case and record its ``LeadDetected`` in one round trip (update-with-start)."""
    check_case_id(case_id)
    operation = WithStartWorkflowOperation(
        LeadCaseWorkflow.run,
        CaseInput(case_id=case_id, config=config or CaseConfig()),
        id=case_id,
        task_queue=task_queue,
        id_conflict_policy=WorkflowIDConflictPolicy.FAIL,
        id_reuse_policy=WorkflowIDReusePolicy.REJECT_DUPLICATE,
    )
    try:
        return await client.execute_update_with_start_workflow(
            LeadCaseWorkflow.execute,
            command,
            start_workflow_operation=operation,
            id=update_id or f"start-{uuid.uuid4()}",
        )
    except WorkflowAlreadyStartedError:
        raise BadInput(f"case {case_id} already exists; pick another --case-id") from None
    except WorkflowUpdateFailedError as err:
        raise _rejection(err, case_id) from None
    except RPCError as err:
        if err.status == RPCStatusCode.ALREADY_EXISTS:
            raise BadInput(f"case {case_id} already exists; pick another --case-id") from None
        raise _rpc(err, case_id) from None


async def execute(
    client: Client, case_id: str, command: Command, update_id: str | None = None
) -> CommandResult:
    """Send one coordinator command. ``update_id`` makes a re-send of the same command a no-op."""
    check_case_id(case_id)
    handle = client.get_workflow_handle_for(LeadCaseWorkflow.run, case_id)
    try:
        return await handle.execute_update(
            LeadCaseWorkflow.execute, command, id=update_id or f"{command.type}-{uuid.uuid4()}"
        )
    except WorkflowUpdateFailedError as err:
        raise _rejection(err, case_id) from None
    except RPCError as err:
        if err.status == RPCStatusCode.FAILED_PRECONDITION or "completed" in err.message:
            raise BadInput(
                f"case {case_id} has ended (closed and past its reopening period); it is read-only"
            ) from None
        raise _rpc(err, case_id) from None


async def state(client: Client, case_id: str) -> CaseState:
    check_case_id(case_id)
    handle = client.get_workflow_handle_for(LeadCaseWorkflow.run, case_id)
    try:
        result = await handle.query(LeadCaseWorkflow.state)
    except RPCError as err:
        raise _rpc(err, case_id) from None
    if result is None:
        raise BadInput(f"case {case_id} has no lead recorded")
    return result
