"""Stuck cases: running brandpunt workflows that make no progress, found from Temporal's own data.

A workflow is *stuck* when

- its **workflow task keeps failing**: Temporal's pending workflow task is at attempt 2 or more
  (the workflow code raises, or cannot replay its history); or its workflow task has waited
  unstarted longer than ``older_than`` (no worker polls its task queue);
- a **pending activity keeps retrying**: at attempt ``min_attempts`` or more, or retrying (attempt
  2+) for longer than ``older_than`` since it was first scheduled; or it has waited unstarted
  longer than ``older_than`` (no worker).

Running workflows come from the visibility store (``list_workflows``, every page); each is
described (``DescribeWorkflowExecution``: pending activities, pending workflow task) with bounded
concurrency. Only for a suspect is its history read, backwards and a few pages at most, for when
the trouble started and the workflow task's failure message. Failures are shown as their type and
the first line of their message, credentials masked: never details, payloads or stack traces.
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

from google.protobuf.timestamp_pb2 import Timestamp
from temporalio.api.common.v1 import WorkflowExecution
from temporalio.api.enums.v1 import EventType, PendingActivityState, PendingWorkflowTaskState
from temporalio.api.failure.v1 import Failure
from temporalio.api.workflowservice.v1 import (
    DescribeWorkflowExecutionResponse,
    GetWorkflowExecutionHistoryReverseRequest,
)
from temporalio.client import Client
from temporalio.service import RPCError, RPCStatusCode

WORKFLOW_TYPES = ("LeadCaseWorkflow", "ReportWorkflow")
CASE_WORKFLOW = "LeadCaseWorkflow"
DEFAULT_MIN_ATTEMPTS = 3
DEFAULT_OLDER_THAN = timedelta(minutes=10)
DEFAULT_CONCURRENCY = 8
HISTORY_PAGE, HISTORY_PAGES = 100, 10  # a suspect's history is read backwards, this far at most
MAX_MESSAGE = 200

ACTIVITY = "activity"
WORKFLOW_TASK = "workflow_task"


def running_query(types: Iterable[str] = WORKFLOW_TYPES) -> str:
    names = ", ".join(f"'{t}'" for t in types)
    return f"ExecutionStatus = 'Running' AND WorkflowType IN ({names})"


@dataclass(frozen=True)
class Thresholds:
    min_attempts: int = DEFAULT_MIN_ATTEMPTS
    older_than: timedelta | None = DEFAULT_OLDER_THAN  # None: no age rule

    def as_json(self) -> dict[str, object]:
        return {
            "min_attempts": self.min_attempts,
            "older_than_seconds": self.older_than.total_seconds() if self.older_than else None,
        }


@dataclass(frozen=True)
class Stuck:
    workflow_id: str
    run_id: str
    workflow_type: str
    kind: str  # ACTIVITY or WORKFLOW_TASK
    reason: str  # why it counts as stuck, in words
    attempt: int
    activity_type: str | None = None
    activity_id: str | None = None
    last_failure: str | None = None
    since: datetime | None = None  # first scheduled (activity) / first failed (workflow task)

    @property
    def case_id(self) -> str | None:
        return self.workflow_id if self.workflow_type == CASE_WORKFLOW else None

    @property
    def what(self) -> str:
        return self.activity_type or "?" if self.kind == ACTIVITY else "workflow task"

    def as_json(self) -> dict[str, object]:
        return {
            "case_id": self.case_id,
            "workflow_id": self.workflow_id,
            "run_id": self.run_id,
            "workflow_type": self.workflow_type,
            "kind": self.kind,
            "activity_type": self.activity_type,
            "activity_id": self.activity_id,
            "attempt": self.attempt,
            "reason": self.reason,
            "last_failure": self.last_failure,
            "since": self.since.isoformat() if self.since else None,
        }


@dataclass
class Health:
    running: int = 0
    stuck: list[Stuck] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.stuck


def failure_text(failure: Failure | None) -> str | None:
    """``Type: first line of the message`` of a Temporal failure (its root cause if it has none),
    credentials masked; never its details or stack trace."""
    from settings import redact

    if failure is None or not (failure.message or failure.HasField("cause")):
        return None
    while not failure.message and failure.HasField("cause"):
        failure = failure.cause
    kind = failure.application_failure_info.type if failure.HasField("application_failure_info") else ""
    message = failure.message
    if failure.HasField("encoded_attributes"):  # encrypted by the payload codec, opened by _open_failures
        try:
            message = json.loads(failure.encoded_attributes.data).get("message") or message
        except (ValueError, AttributeError):
            pass  # still encrypted (no key here): the SDK's placeholder is all there is
    first = next((line.strip() for line in message.splitlines() if line.strip()), "")
    text = redact(f"{kind}: {first}" if kind else first)
    return text if len(text) <= MAX_MESSAGE else text[: MAX_MESSAGE - 1] + "…"


async def _open_failures(client: Client, failures: list[Failure]) -> None:
    """Decrypt the failures' encoded attributes in place (message and stack trace travel encrypted
    with the payload codec, ``keys/codec.py``), so :func:`failure_text` can tell what failed."""
    codec = client.data_converter.payload_codec
    for failure in failures:
        if codec is not None:
            try:
                await codec.decode_failure(failure)
            except ValueError:
                continue  # not this deployment's key


def _at(ts: Timestamp | None) -> datetime | None:
    return ts.ToDatetime(tzinfo=UTC) if ts is not None and (ts.seconds or ts.nanos) else None


def _older(at: datetime | None, limit: timedelta | None, now: datetime) -> bool:
    return limit is not None and at is not None and now - at >= limit


@dataclass
class _Suspect:
    """What one description shows, before the history says since when."""

    stuck: list[Stuck]
    activity_ids: set[str]  # retrying activities whose first scheduling the history tells
    workflow_task_failing: bool


def assess(
    workflow_id: str, run_id: str, workflow_type: str, desc: DescribeWorkflowExecutionResponse,
    thresholds: Thresholds, now: datetime,
) -> _Suspect:
    """Decide from one ``DescribeWorkflowExecution`` what is stuck (``since`` filled in later)."""
    found: list[Stuck] = []
    retrying: set[str] = set()
    base = {"workflow_id": workflow_id, "run_id": run_id, "workflow_type": workflow_type}
    for p in desc.pending_activities:
        unstarted = p.state == PendingActivityState.PENDING_ACTIVITY_STATE_SCHEDULED
        scheduled = _at(p.scheduled_time)  # of the current attempt
        if p.attempt >= thresholds.min_attempts:
            reason = f"retrying: attempt {p.attempt} (threshold {thresholds.min_attempts})"
        elif p.attempt >= 2 and thresholds.older_than is not None:
            reason = f"retrying for more than {_span(thresholds.older_than)}"  # if the history agrees
        elif p.attempt == 1 and unstarted and _older(scheduled, thresholds.older_than, now):
            reason = f"not picked up by a worker for more than {_span(thresholds.older_than)}"
        else:
            continue
        if p.attempt >= 2:
            retrying.add(p.activity_id)
        found.append(Stuck(
            **base, kind=ACTIVITY, reason=reason, attempt=p.attempt, activity_type=p.activity_type.name,
            activity_id=p.activity_id,
            last_failure=failure_text(p.last_failure) if p.HasField("last_failure") else None,
            since=scheduled if p.attempt == 1 else None,
        ))
    failing = False
    if desc.HasField("pending_workflow_task"):
        t = desc.pending_workflow_task
        scheduled = _at(t.original_scheduled_time) or _at(t.scheduled_time)
        if t.attempt >= 2:
            failing = True
            found.append(Stuck(**base, kind=WORKFLOW_TASK, attempt=t.attempt,
                               reason=f"workflow task failing: attempt {t.attempt}", since=scheduled))
        elif t.state == PendingWorkflowTaskState.PENDING_WORKFLOW_TASK_STATE_SCHEDULED and _older(
            scheduled, thresholds.older_than, now
        ):
            found.append(Stuck(**base, kind=WORKFLOW_TASK, attempt=t.attempt, since=scheduled,
                               reason=f"workflow task not picked up for more than {_span(thresholds.older_than)}"))
    return _Suspect(found, retrying, failing)


async def _history_facts(
    client: Client, workflow_id: str, run_id: str, activity_ids: set[str], workflow_task: bool
) -> tuple[dict[str, datetime | None], tuple[datetime | None, str | None] | None]:
    """From the newest events backwards: when each activity was first scheduled, and the latest
    workflow-task failure (time, message), if any since the last completed workflow task."""
    scheduled: dict[str, datetime | None] = {}  # None: an event without a time (the server sets one)
    task_failure: tuple[datetime | None, str | None] | None = None
    want_task = workflow_task
    token = b""
    for _ in range(HISTORY_PAGES):
        page = await client.workflow_service.get_workflow_execution_history_reverse(
            GetWorkflowExecutionHistoryReverseRequest(
                namespace=client.namespace,
                execution=WorkflowExecution(workflow_id=workflow_id, run_id=run_id),
                maximum_page_size=HISTORY_PAGE,
                next_page_token=token,
            )
        )
        for e in page.history.events:
            t = e.event_type
            if want_task and t == EventType.EVENT_TYPE_WORKFLOW_TASK_FAILED:
                await _open_failures(client, [e.workflow_task_failed_event_attributes.failure])
                task_failure = (_at(e.event_time), failure_text(e.workflow_task_failed_event_attributes.failure))
                want_task = False
            elif want_task and t == EventType.EVENT_TYPE_WORKFLOW_TASK_TIMED_OUT:
                task_failure = (_at(e.event_time), "workflow task timed out (the worker did not answer in time)")
                want_task = False
            elif want_task and t == EventType.EVENT_TYPE_WORKFLOW_TASK_COMPLETED:
                want_task = False  # no failure recorded since the last good task
            elif t == EventType.EVENT_TYPE_ACTIVITY_TASK_SCHEDULED:
                a = e.activity_task_scheduled_event_attributes.activity_id
                if a in activity_ids and a not in scheduled:
                    scheduled[a] = _at(e.event_time)
            if not want_task and scheduled.keys() >= activity_ids:
                return scheduled, task_failure
        token = page.next_page_token
        if not token:
            break
    return scheduled, task_failure


async def _examine(
    client: Client, workflow_id: str, run_id: str, workflow_type: str, thresholds: Thresholds, now: datetime
) -> list[Stuck]:
    try:
        desc = (await client.get_workflow_handle(workflow_id, run_id=run_id).describe()).raw_description
    except RPCError as err:
        if err.status == RPCStatusCode.NOT_FOUND:
            return []  # closed and gone since it was listed
        raise
    await _open_failures(client, [p.last_failure for p in desc.pending_activities if p.HasField("last_failure")])
    suspect = assess(workflow_id, run_id, workflow_type, desc, thresholds, now)
    if not suspect.stuck:
        return []
    if not (suspect.activity_ids or suspect.workflow_task_failing):
        return suspect.stuck
    scheduled, task_failure = await _history_facts(
        client, workflow_id, run_id, suspect.activity_ids, suspect.workflow_task_failing
    )
    result = []
    for s in suspect.stuck:
        if s.kind == ACTIVITY and s.activity_id in suspect.activity_ids:
            since = scheduled.get(s.activity_id or "")
            if s.attempt < thresholds.min_attempts and not _older(since, thresholds.older_than, now):
                continue  # retrying, but neither often nor long enough yet
            s = Stuck(**{**s.__dict__, "since": since})
        elif s.kind == WORKFLOW_TASK and suspect.workflow_task_failing and task_failure:
            s = Stuck(**{**s.__dict__, "since": task_failure[0] or s.since, "last_failure": task_failure[1]})
        result.append(s)
    return result


async def check(
    client: Client,
    thresholds: Thresholds = Thresholds(),
    *,
    types: Iterable[str] = WORKFLOW_TYPES,
    concurrency: int = DEFAULT_CONCURRENCY,
    now: datetime | None = None,
) -> Health:
    """Every running workflow of ``types`` (all pages), described ``concurrency`` at a time."""
    now = now or datetime.now(UTC)
    health = Health()
    queue: asyncio.Queue[tuple[str, str, str] | None] = asyncio.Queue(maxsize=concurrency * 4)

    errors: list[Exception] = []

    async def examiner() -> None:
        while (item := await queue.get()) is not None:
            if errors:
                continue  # drain: the check fails anyway
            try:
                health.stuck.extend(await _examine(client, *item, thresholds, now))
            except Exception as err:  # noqa: BLE001 - raised below, once the examiners are done
                errors.append(err)

    workers = [asyncio.create_task(examiner()) for _ in range(concurrency)]
    try:
        async for wf in client.list_workflows(running_query(types), page_size=1000):
            if errors:
                break
            health.running += 1
            await queue.put((wf.id, wf.run_id, wf.workflow_type))
        for _ in workers:
            await queue.put(None)
        await asyncio.gather(*workers)
    finally:
        for w in workers:
            w.cancel()
    if errors:
        raise errors[0]
    health.stuck.sort(key=lambda s: (s.since or now, s.workflow_id, s.kind, s.activity_id or ""))
    return health


def _span(d: timedelta | None) -> str:
    if d is None:
        return "-"
    seconds = int(d.total_seconds())
    for unit, size in (("d", 86400), ("h", 3600), ("m", 60)):
        if seconds >= size and seconds % size == 0 or seconds >= size * 10:
            return f"{seconds // size}{unit}"
    return f"{seconds}s"


def lines(health: Health, thresholds: Thresholds, now: datetime | None = None) -> list[str]:
    """The report as text: one line per stuck item, then a summary."""
    now = now or datetime.now(UTC)
    out = []
    for s in health.stuck:
        since = f" since {s.since:%Y-%m-%d %H:%M:%S}Z ({_span(now - s.since)})" if s.since else ""
        out.append(
            f"STUCK {s.workflow_id}  {s.what}  attempt {s.attempt}{since}: "
            f"{s.last_failure or s.reason}"
        )
    out.append(
        f"{'OK' if health.ok else 'STUCK'}: {len({s.workflow_id for s in health.stuck})} of {health.running} "
        f"running workflow(s) stuck (thresholds: attempt >= {thresholds.min_attempts}, "
        f"older than {_span(thresholds.older_than) if thresholds.older_than else 'off'})"
    )
    return out
