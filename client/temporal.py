"""The Temporal transport of the client library: start, act on, query and resume one case.

Every coordinator action goes through :func:`execute` (a Temporal update validated by the
workflow), and a new case through :func:`start` (update-with-start), so no client holds rules of
its own: refusals come from ``domain.decide`` and are mapped here to :class:`CommandRefused` (with
the rule and the field). :class:`client.local.LocalCases` is the interface people's programs use;
tests and benchmarks that drive Temporal directly may call these functions.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from typing import TypeVar

from temporalio.client import (
    Client,
    WithStartWorkflowOperation,
    WorkflowHandle,
    WorkflowUpdateFailedError,
    WorkflowUpdateRPCTimeoutOrCancelledError,
)
from temporalio.common import WorkflowIDConflictPolicy, WorkflowIDReusePolicy
from temporalio.exceptions import ApplicationError, WorkflowAlreadyStartedError
from temporalio.service import RPCError, RPCStatusCode

from client.api import with_command_id
from client.errors import (
    DEADLINE,
    BadInput,
    CaseEnded,
    CaseError,
    CaseExists,
    CaseNotFound,
    CommandRefused,
    CommandTimeout,
    Said,
)
from client.views import check_case_id
from domain.commands import Command, DetectLead, check_size
from domain.errors import CommandRejected
from domain.state import CaseState
from workflows.case_io import CaseConfig, CaseInput, CommandResult
from workflows.lead_case import REJECTED, LeadCaseWorkflow

BUSY_RETRIES = (0.2, 0.5, 1.0, 2.0, 4.0)
"""Back-off (seconds) when the server is busy (its limit of updates in flight per case): bounded."""

T = TypeVar("T")
CaseHandle = WorkflowHandle[LeadCaseWorkflow, CaseState | None]


def case_handle(client: Client, case_id: str) -> CaseHandle:
    """The typed handle of a case's workflow (the workflow id is the case id)."""
    # annotated: mypy cannot infer the workflow's types through the union of method protocols
    # get_workflow_handle_for accepts (no-argument or one-argument run)
    handle: CaseHandle = client.get_workflow_handle_for(LeadCaseWorkflow.run, case_id)
    return handle


async def _within_deadline(call: Callable[[], Awaitable[T]], case_id: str, command: Command, deadline: float) -> T:
    """Run ``call`` with busy retries and a deadline; on timeout say that it may still take effect."""
    async def attempts() -> T:
        for pause in (*BUSY_RETRIES, None):
            try:
                return await call()
            except RPCError as err:
                if err.status != RPCStatusCode.RESOURCE_EXHAUSTED or pause is None:
                    raise
            await asyncio.sleep(pause)
        raise AssertionError("unreachable")  # pragma: no cover

    try:
        return await asyncio.wait_for(attempts(), deadline)
    except (TimeoutError, WorkflowUpdateRPCTimeoutOrCancelledError):
        raise CommandTimeout(case_id, command.command_id or "?", deadline) from None


def _rejection(err: WorkflowUpdateFailedError, case_id: str) -> CaseError:
    cause = err.cause
    if isinstance(cause, ApplicationError) and cause.type == REJECTED:
        details = cause.details[0] if cause.details and isinstance(cause.details[0], dict) else {}
        return CommandRefused(case_id, str(details.get("rule") or "refused"), cause.message, details.get("field"),
                              Said.parse(details))
    return CaseError(f"{case_id}: command failed: {cause or err}")


def _sendable(command: Command, case_id: str) -> None:
    """Refuse a command over the size limit here, before it travels (the workflow refuses it too)."""
    try:
        check_size(command)
    except CommandRejected as err:
        raise CommandRefused(case_id, err.rule, err.message, err.field, Said.of(err)) from None


def _rpc(err: RPCError, case_id: str) -> CaseError:
    if err.status == RPCStatusCode.NOT_FOUND:
        return CaseNotFound(case_id)
    if err.status == RPCStatusCode.RESOURCE_EXHAUSTED:
        return CaseError(f"{case_id}: Temporal is busy; nothing was applied, try again in a moment")
    return CaseError(f"{case_id}: Temporal said {err.status.name}: {err.message}")


async def start(
    client: Client,
    task_queue: str,
    command: DetectLead,
    case_id: str,
    config: CaseConfig | None = None,
    update_id: str | None = None,
    deadline: float = DEADLINE,
) -> CommandResult:
    """Start a case and record its ``LeadDetected`` in one round trip (update-with-start)."""
    check_case_id(case_id)
    command = with_command_id(command)
    _sendable(command, case_id)
    operation = WithStartWorkflowOperation(
        LeadCaseWorkflow.run,
        CaseInput(case_id=case_id, config=config or CaseConfig()),
        id=case_id,
        task_queue=task_queue,
        id_conflict_policy=WorkflowIDConflictPolicy.FAIL,
        id_reuse_policy=WorkflowIDReusePolicy.REJECT_DUPLICATE,
    )
    try:
        return await _within_deadline(
            lambda: client.execute_update_with_start_workflow(
                LeadCaseWorkflow.execute,
                command,
                start_workflow_operation=operation,
                id=update_id or command.command_id,
            ),
            case_id, command, deadline,
        )
    except WorkflowAlreadyStartedError:
        raise CaseExists(case_id) from None
    except WorkflowUpdateFailedError as err:
        raise _rejection(err, case_id) from None
    except RPCError as err:
        if err.status == RPCStatusCode.ALREADY_EXISTS:
            raise CaseExists(case_id) from None
        raise _rpc(err, case_id) from None


async def execute(
    client: Client, case_id: str, command: Command, update_id: str | None = None, deadline: float = DEADLINE
) -> CommandResult:
    """Send one coordinator command and wait (at most ``deadline`` seconds) for its result.

    The command carries a command id (made here unless the caller set one): sending it again with
    the same id, after a timeout or a lost answer, never applies it twice, also across the case's
    continue-as-new (the case remembers its recent command ids; the result says ``duplicate``).
    """
    check_case_id(case_id)
    command = with_command_id(command)
    _sendable(command, case_id)
    handle = case_handle(client, case_id)
    try:
        return await _within_deadline(
            lambda: handle.execute_update(LeadCaseWorkflow.execute, command, id=update_id or command.command_id),
            case_id, command, deadline,
        )
    except WorkflowUpdateFailedError as err:
        raise _rejection(err, case_id) from None
    except RPCError as err:
        if err.status == RPCStatusCode.FAILED_PRECONDITION or "completed" in err.message:
            raise CaseEnded(case_id) from None
        raise _rpc(err, case_id) from None


async def state(client: Client, case_id: str) -> CaseState:
    check_case_id(case_id)
    handle = case_handle(client, case_id)
    try:
        result = await handle.query(LeadCaseWorkflow.state)
    except RPCError as err:
        raise _rpc(err, case_id) from None
    if result is None:
        raise BadInput(f"case {case_id} has no lead recorded")
    return result


async def resume(client: Client, task_queue: str, case_id: str) -> CaseState:
    """Start a case's workflow again from its ledger chain (its workflow had been ended, e.g.
    terminated by an operator). The workflow takes its state from the ledger, never from here."""
    check_case_id(case_id)
    try:
        handle = await client.start_workflow(
            LeadCaseWorkflow.run,
            CaseInput(case_id=case_id, resume=True),
            id=case_id,
            task_queue=task_queue,
            id_conflict_policy=WorkflowIDConflictPolicy.FAIL,
            id_reuse_policy=WorkflowIDReusePolicy.ALLOW_DUPLICATE,
        )
    except (WorkflowAlreadyStartedError, RPCError) as err:
        if isinstance(err, WorkflowAlreadyStartedError) or err.status == RPCStatusCode.ALREADY_EXISTS:
            raise BadInput(f"case {case_id} is running; there is nothing to resume") from None
        raise _rpc(err, case_id) from None
    for _ in range(100):  # the first workflow task loads the chain
        current = await handle.query(LeadCaseWorkflow.state)
        if current is not None:
            return current
        await asyncio.sleep(0.1)
    raise CaseError(f"case {case_id} did not load its ledger chain; see `brandpunt audit health`")
