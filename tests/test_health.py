"""``brandpunt audit health``: stuck workflows found from Temporal's own data, on the real dev server.

A healthy set of cases reports clean; a case whose ledger write keeps failing is reported with the
activity, its attempt and its (short, payload-free) error; a case workflow whose task keeps
failing is reported too; and the real command says so with exit codes 0 / 1 / 2.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import subprocess
import time
import uuid
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import text
from temporalio import workflow
from temporalio.api.enums.v1 import PendingActivityState, PendingWorkflowTaskState
from temporalio.api.workflow.v1 import PendingActivityInfo, PendingWorkflowTaskInfo
from temporalio.api.workflowservice.v1 import DescribeWorkflowExecutionResponse
from temporalio.worker import UnsandboxedWorkflowRunner, Worker

from audit.health import ACTIVITY, WORKFLOW_TASK, Thresholds, assess, check, failure_text
from client import temporal as cases
from keys import Signer
from ledger.store import Ledger
from tests import factories as f
from tests.test_cli_e2e import BIN, Dev, free_port
from worker import build_worker

SECRET_COMPANY = "Vertrouwelijk Kwantum Geheim BV"  # must never show in a failure message


def block_writes(ledger: Ledger, case_prefix: str) -> None:
    """Make the database refuse new ledger rows of some cases (their event JSON goes with the insert)."""
    with ledger._engine.begin() as conn:
        if conn.dialect.name == "sqlite":
            conn.execute(text(
                "CREATE TRIGGER refuse_rows BEFORE INSERT ON ledger_events "
                f"WHEN NEW.case_id LIKE '{case_prefix}%' BEGIN SELECT RAISE(ABORT, 'row refused'); END"
            ))
        else:  # a CHECK violation: PostgreSQL's DETAIL line quotes the failing row, payload and all
            conn.execute(text(
                "ALTER TABLE ledger_events ADD CONSTRAINT refuse_rows "
                f"CHECK (case_id NOT LIKE '{case_prefix}%') NOT VALID"
            ))


async def wait_for(predicate, timeout: float = 60.0, every: float = 0.5):
    deadline = time.monotonic() + timeout
    while True:
        got = await predicate()
        if got or time.monotonic() > deadline:
            return got
        await asyncio.sleep(every)


async def test_healthy_cases_are_clean_and_a_failing_ledger_is_reported(
    dev_server_env, case_ledger_url, caplog, tmp_path
):
    client, tag = dev_server_env.client, uuid.uuid4().hex[:8]
    healthy = [f"lead-health-ok-{tag}-{i}" for i in range(2)]
    cut_off = f"lead-health-cut-off-{tag}"
    ledger = Ledger.open(case_ledger_url, upgrade=True)
    ledger.seed_hotspots()
    # a second worker whose ledger then moves to a database that refuses connections: every
    # record_events fails (transient, so Temporal retries it)
    refusing = Ledger.open(f"sqlite:///{tmp_path / 'down.db'}", upgrade=True)
    good_queue, bad_queue = f"health-{tag}", f"health-down-{tag}"
    async with build_worker(client, ledger, good_queue, signer=Signer.generate()), \
            build_worker(client, refusing, bad_queue, signer=Signer.generate()):
        refusing.dispose()
        refusing._engine = Ledger(f"postgresql+psycopg://brandpunt@127.0.0.1:{free_port()}/ledger")._engine
        for case_id in healthy:
            await cases.start(client, good_queue, f.start(phase=1), case_id)
        await cases.execute(client, healthy[0], f.command("articulate-needs", needs=f.NEEDS))
        mine = set(healthy) | {cut_off}

        report = await check(client)
        assert report.running >= len(healthy)
        assert not [s for s in report.stuck if s.workflow_id in mine]

        starting = asyncio.create_task(
            cases.start(client, bad_queue, f.start(phase=1, company=SECRET_COMPANY), cut_off))
        try:
            async def reported():
                return [s for s in (await check(client)).stuck if s.workflow_id == cut_off]

            found = await wait_for(reported)
            assert not starting.done()  # the start waits while record_events retries
        finally:
            starting.cancel()
            with contextlib.suppress(BaseException):
                await starting
        assert len(found) == 1, found
        s = found[0]
        assert (s.case_id, s.kind, s.activity_type, s.workflow_type) == (
            cut_off, ACTIVITY, "record_events", "LeadCaseWorkflow")
        assert s.attempt >= 3
        assert s.last_failure and s.last_failure.startswith("LedgerDatabaseError: psycopg.OperationalError: "), s
        assert s.since is not None and s.since <= datetime.now(UTC)
        assert [x.workflow_id for x in (await check(client)).stuck if x.workflow_id in mine] == [cut_off]
        # nothing of the event (company data) in what Temporal keeps, nor in what the worker logged
        raw = (await client.get_workflow_handle(cut_off).describe()).raw_description.pending_activities[0]
        assert SECRET_COMPANY not in raw.last_failure.message + raw.last_failure.stack_trace
        assert "[SQL" not in raw.last_failure.message
        assert "Completing activity as failed" in caplog.text
        assert SECRET_COMPANY not in caplog.text
        for case_id in (cut_off, *healthy):
            await client.get_workflow_handle(case_id).terminate("test over")
    ledger.dispose()
    refusing.dispose()


@workflow.defn(name="LeadCaseWorkflow")
class BrokenCaseWorkflow:
    """A case workflow with a bug: the SDK fails its workflow task, and Temporal retries it for ever."""

    @workflow.run
    async def run(self, _: object = None) -> None:
        raise RuntimeError("case code bug: a lookup on a missing key\nsecond line not shown")


async def test_a_failing_workflow_task_is_reported(dev_server_env):
    client, queue = dev_server_env.client, f"health-broken-{uuid.uuid4().hex[:8]}"
    case_id = f"lead-health-broken-{uuid.uuid4().hex[:8]}"
    async with Worker(client, task_queue=queue, workflows=[BrokenCaseWorkflow],
                      workflow_runner=UnsandboxedWorkflowRunner()):
        handle = await client.start_workflow("LeadCaseWorkflow", id=case_id, task_queue=queue)

        async def reported():
            return [s for s in (await check(client)).stuck if s.workflow_id == case_id]

        found = await wait_for(reported)
        await handle.terminate("test over")
    assert len(found) == 1, found
    s = found[0]
    assert (s.case_id, s.kind, s.activity_type) == (case_id, WORKFLOW_TASK, None)
    assert s.attempt >= 2
    assert s.last_failure == "RuntimeError: case code bug: a lookup on a missing key"
    assert s.since is not None


def _desc(activities=(), task=None) -> DescribeWorkflowExecutionResponse:
    d = DescribeWorkflowExecutionResponse(pending_activities=list(activities))
    if task is not None:
        d.pending_workflow_task.CopyFrom(task)
    return d


def _activity(attempt: int, state=PendingActivityState.PENDING_ACTIVITY_STATE_SCHEDULED,
              scheduled: datetime | None = None, message: str = "") -> PendingActivityInfo:
    p = PendingActivityInfo(activity_id="1", attempt=attempt, state=state)
    p.activity_type.name = "record_events"
    if scheduled:
        p.scheduled_time.FromDatetime(scheduled)
    if message:
        p.last_failure.message = message
        p.last_failure.application_failure_info.type = "LedgerDatabaseError"
    return p


def test_thresholds_decide_what_is_stuck():
    now = datetime(2026, 11, 24, 12, 0, tzinfo=UTC)
    rules = Thresholds(min_attempts=3, older_than=timedelta(minutes=10))

    def judged(desc):
        return assess("lead-x", "run", "LeadCaseWorkflow", desc, rules, now)

    assert not judged(_desc()).stuck  # an idle case
    assert not judged(_desc([_activity(1, PendingActivityState.PENDING_ACTIVITY_STATE_STARTED,
                                       now - timedelta(hours=1))])).stuck  # a long first attempt
    got = judged(_desc([_activity(3, message="sqlite3.OperationalError: database is locked")]))
    assert [(s.kind, s.attempt, s.last_failure) for s in got.stuck] == [
        (ACTIVITY, 3, "LedgerDatabaseError: sqlite3.OperationalError: database is locked")]
    second = judged(_desc([_activity(2)]))  # retrying: stuck only if the history says for long
    assert second.activity_ids == {"1"} and second.stuck[0].since is None
    assert not judged(_desc([_activity(1, scheduled=now - timedelta(minutes=5))])).stuck
    unpicked = judged(_desc([_activity(1, scheduled=now - timedelta(minutes=11))])).stuck
    assert unpicked and "not picked up" in unpicked[0].reason
    assert not assess("lead-x", "run", "LeadCaseWorkflow", _desc([_activity(1, scheduled=now - timedelta(days=1))]),
                      Thresholds(older_than=None), now).stuck  # age rule off

    failing = judged(_desc(task=PendingWorkflowTaskInfo(attempt=4)))
    assert failing.workflow_task_failing and failing.stuck[0].kind == WORKFLOW_TASK
    waiting = PendingWorkflowTaskInfo(attempt=1, state=PendingWorkflowTaskState.PENDING_WORKFLOW_TASK_STATE_SCHEDULED)
    waiting.scheduled_time.FromDatetime(now - timedelta(minutes=30))
    assert "not picked up" in judged(_desc(task=waiting)).stuck[0].reason
    assert not judged(_desc(task=PendingWorkflowTaskInfo(attempt=1))).stuck


def test_failure_text_is_short_and_has_no_credentials():
    from temporalio.api.failure.v1 import Failure

    long = Failure(message="could not connect to postgresql://brandpunt:s3cr3t-pw@db/x\n" + "DETAIL: row" * 10)
    assert failure_text(long) == "could not connect to postgresql://brandpunt:***@db/x"
    assert len(failure_text(Failure(message="x" * 1000)) or "") == 200
    wrapped = Failure()
    wrapped.cause.message = "root cause"
    assert failure_text(wrapped) == "root cause"
    assert failure_text(Failure()) is None


def _drop_ledger_table(home) -> None:
    ledger = Ledger(f"sqlite:///{home / 'ledger.db'}")
    with ledger._engine.begin() as conn:
        conn.execute(text("DROP TABLE ledger_events"))
    ledger.dispose()


@pytest.fixture
def sqlite_dev(tmp_path):
    """``brandpunt dev`` with its embedded SQLite ledger, whatever the run's backend: a dropped table
    is a transient failure there (retried), where PostgreSQL's is a refusal (failed at once)."""
    d = Dev(tmp_path / "home", "sqlite")
    d.start()
    yield d
    if d.proc is not None:
        d.stop()


def test_audit_health_command(sqlite_dev):
    dev = sqlite_dev
    case = dev.json("lead", "start", "--company", "Health Check BV", "--region", "nom", "--hotspot", "groningen",
                    "--domain", "quantum", "--type", "startup", "--phase", "1", "--contact-name", "H")["case_id"]
    clean = dev.run("audit", "health")
    assert clean.returncode == 0 and "OK: 0 of 1 running workflow(s) stuck" in clean.stdout, clean.stdout
    assert json.loads(dev.run("audit", "health", "--json").stdout)["stuck"] == []
    for bad in (["--min-attempts", "1"], ["--older-than", "soon"], ["--concurrency", "0"]):
        refused = dev.run("audit", "health", *bad, check=False)
        assert refused.returncode == 2 and bad[0] in refused.stderr, refused.stderr

    _drop_ledger_table(dev.home)  # the worker's ledger loses its events table
    waiting = subprocess.Popen([str(BIN), "lead", "articulate-needs", case, "--m2", "500", "--needed-by",
                                "2028-01-01"], env=dev.env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        deadline = time.monotonic() + 60
        while True:
            done = dev.run("audit", "health", "--json", check=False)
            if done.returncode != 0 or time.monotonic() > deadline:
                break
            time.sleep(1)
        assert done.returncode == 1, (done.stdout, done.stderr)
        report = json.loads(done.stdout)
        assert report["ok"] is False and report["running"] == 1
        [stuck] = report["stuck"]
        assert (stuck["case_id"], stuck["kind"], stuck["activity_type"]) == (case, "activity", "record_events")
        assert stuck["attempt"] >= 3 and stuck["since"]
        assert "ledger_events" in stuck["last_failure"], stuck["last_failure"]  # no such table / does not exist
        assert "[SQL" not in stuck["last_failure"]
        as_text = dev.run("audit", "health", check=False)
        assert as_text.returncode == 1
        assert f"STUCK {case}  record_events  attempt" in as_text.stdout, as_text.stdout
        assert "STUCK: 1 of 1 running workflow(s) stuck" in as_text.stdout
    finally:
        waiting.kill()
        waiting.wait()


@pytest.mark.parametrize("value", ["0", "90s", "10m", "2h", "1.5d"])
def test_older_than_durations(value):
    from cli.audit import _duration

    got = _duration(value)
    assert got is None if value == "0" else got and got.total_seconds() > 0
