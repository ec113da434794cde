"""Replay Temporal histories against the current workflow code with the SDK's Replayer.

A divergence means the code would now decide differently than it did for a recorded case:
such a change must go behind ``workflow.patched``.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Sequence
from dataclasses import dataclass

from temporalio.client import Client, WorkflowHistory
from temporalio.worker import Replayer

from keys import codec
from keys.codec import PayloadKeys
from workflows.lead_case import LeadCaseWorkflow
from workflows.reporting import ReportWorkflow
from workflows.sandbox import SandboxMode, workflow_runner


@dataclass(frozen=True)
class ReplayOutcome:
    workflow_id: str
    run_id: str
    events: int
    error: str | None

    @property
    def ok(self) -> bool:
        return self.error is None


def history_from_json(text: str) -> WorkflowHistory:
    """A case's recorded history (``temporal workflow show --output json``, a dossier's file).

    The JSON holds no workflow id, and a case workflow refuses input naming another case, so the
    id is taken from the case id in the history's start input (a case is its workflow).
    """
    import base64
    import json

    data = json.loads(text)
    first = data["events"][0]
    attributes = first.get("workflowExecutionStartedEventAttributes") or first.get(
        "workflow_execution_started_event_attributes", {}
    )
    payload = attributes["input"]["payloads"][0]["data"]
    workflow_id = json.loads(base64.b64decode(payload))["case_id"]
    return WorkflowHistory.from_json(workflow_id, text)


def replayer(
    workflows: Sequence[type] = (LeadCaseWorkflow, ReportWorkflow), sandbox: SandboxMode = "passthrough",
    keys: PayloadKeys | None = None,
) -> Replayer:
    """A Replayer with the worker's data converter and workflow runner, so replay runs as production
    (``keys``: the payload keys encrypted histories need; histories never encrypted need none)."""
    return Replayer(
        workflows=list(workflows), data_converter=codec.converter(keys), workflow_runner=workflow_runner(sandbox)
    )


async def runs_of(client: Client, workflow_id: str) -> list[WorkflowHistory]:
    """Every run of one workflow, oldest first, walking back along continue-as-new."""
    histories: list[WorkflowHistory] = []
    run_id: str | None = None
    while True:
        history = await client.get_workflow_handle(workflow_id, run_id=run_id).fetch_history()
        histories.append(history)
        started = history.events[0].workflow_execution_started_event_attributes
        run_id = started.continued_execution_run_id or None
        if run_id is None:
            return histories[::-1]


async def fetch_histories(client: Client, case_id: str | None = None) -> list[WorkflowHistory]:
    """Every run (continue-as-new included) of one case, or of all cases (needs visibility)."""
    if case_id:
        return await runs_of(client, case_id)
    ids: list[str] = []
    async for execution in client.list_workflows("WorkflowType = 'LeadCaseWorkflow'"):
        if execution.id not in ids:
            ids.append(execution.id)
    return [h for workflow_id in ids for h in await runs_of(client, workflow_id)]


async def replay(
    histories: Sequence[WorkflowHistory],
    workflows: Sequence[type] | None = None,
    sandbox: SandboxMode = "passthrough",
    keys: PayloadKeys | None = None,
) -> list[ReplayOutcome]:
    r = replayer(workflows, sandbox, keys) if workflows else replayer(sandbox=sandbox, keys=keys)
    async def each() -> AsyncIterator[WorkflowHistory]:
        for h in histories:
            yield h

    results = await r.replay_workflows(each(), raise_on_replay_failure=False)
    outcomes = []
    for h in histories:
        err = results.replay_failures.get(h.run_id)
        outcomes.append(
            ReplayOutcome(h.workflow_id, h.run_id, len(h.events), f"{type(err).__name__}: {err}" if err else None)
        )
    return outcomes
