"""Scheduled reports are kept in the ledger database, immutable, and survive the worker that made them.

The worker runs as `brandpunt worker` in a read-only working directory with no report directory
(as under ``readOnlyRootFilesystem``), on SQLite and on PostgreSQL.
"""

from __future__ import annotations

import asyncio
import os
import stat
import subprocess
import sys
from datetime import UTC, datetime

import pytest
from sqlalchemy import text
from sqlalchemy.exc import DBAPIError

from ledger.snapshots import sha256
from ledger.store import Ledger

BIN = os.path.dirname(sys.executable)


def test_a_snapshot_is_stored_once_and_never_updated(ledger_url):
    ledger = Ledger.open(ledger_url, upgrade=True)
    try:
        snapshots = ledger.snapshots
        cutoff = datetime(2026, 6, 1, 7, 0, tzinfo=UTC)
        first = snapshots.store("progress", "2026H1", "html", cutoff, "<h1>one</h1>")
        again = snapshots.store("progress", "2026H1", "html", cutoff, "<h1>two</h1>")  # a retried activity
        assert again == first and first.sha256 == sha256("<h1>one</h1>")
        other = snapshots.store("progress", "2026H1", "md", cutoff, "# one")
        assert other.id != first.id
        assert [s.id for s in snapshots.list(period="2026H1")] == [first.id, other.id]
        assert snapshots.list(kind="annual") == []
        got = snapshots.get(first.id)
        assert got is not None and got.content == "<h1>one</h1>" and got.size == len("<h1>one</h1>")
        assert snapshots.get(999_999) is None
        with pytest.raises(DBAPIError, match="immutable"), ledger._engine.begin() as conn:
            conn.execute(text("UPDATE report_snapshots SET content = 'forged' WHERE id = :id"), {"id": first.id})
        assert snapshots.get(first.id).content == "<h1>one</h1>"
    finally:
        ledger.dispose()


def _cli(env: dict[str, str], cwd: str, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([os.path.join(BIN, "brandpunt"), *args], env=env, cwd=cwd,
                          capture_output=True, text=True, timeout=120)


async def test_a_scheduled_report_survives_a_worker_restart_in_a_read_only_directory(
    dev_server_env, tmp_path, ledger_url
):
    from temporalio.client import Client

    from cli.schedules import calendar
    from workflows.reporting import ReportInput, ReportKind, ReportWorkflow

    Ledger.open(ledger_url, upgrade=True).dispose()
    backend = "pg" if ledger_url.startswith("postgresql") else "sqlite"
    queue = f"reports-ro-{backend}"
    readonly = tmp_path / "ro"
    readonly.mkdir()
    readonly.chmod(stat.S_IRUSR | stat.S_IXUSR)  # 0500: nothing can be written here
    from keys import Keyring

    Keyring(tmp_path / "keys").init()  # the worker's ledger key (and its tree-head copy) live apart
    env = {
        "BRANDPUNT_KEYS_DIR": str(tmp_path / "keys"),
        "PATH": os.environ.get("PATH", ""),
        "HOME": str(readonly),
        "TEMPORAL_ADDRESS": dev_server_env.client.service_client.config.target_host,
        "TEMPORAL_NAMESPACE": "default",
        "BRANDPUNT_LEDGER_URL": ledger_url,
        "BRANDPUNT_TASK_QUEUE": queue,
        "BRANDPUNT_LOG_FORMAT": "json",
    }
    client: Client = dev_server_env.client

    def worker() -> subprocess.Popen[str]:
        return subprocess.Popen([os.path.join(BIN, "brandpunt"), "worker"], env=env, cwd=readonly,
                                stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)

    def stop(proc: subprocess.Popen[str]) -> str:
        proc.terminate()
        out, _ = proc.communicate(timeout=30)
        assert proc.returncode == 0, out
        return out

    schedule_id = f"ro-{backend}-progress-report"
    proc = worker()
    try:
        # the programme's own progress schedule, triggered now
        await client.create_schedule(schedule_id, calendar(queue)["brandpunt-progress-report"])
        handle = client.get_schedule_handle(schedule_id)
        await handle.trigger()
        for _ in range(100):
            actions = (await handle.describe()).info.recent_actions
            if actions:
                break
            await asyncio.sleep(0.1)
        started = actions[0].action
        result = await client.get_workflow_handle(
            started.workflow_id, run_id=started.first_execution_run_id, result_type=None
        ).result()
    finally:
        out = stop(proc)
        await client.get_schedule_handle(schedule_id).delete()
    assert not (readonly / ".brandpunt").exists()
    assert "Traceback" not in out, out

    proc = worker()  # a new worker: the report is in the database, not in the old one's container
    try:
        second = await client.execute_workflow(
            ReportWorkflow.run, ReportInput(kind=ReportKind.ANNUAL, period="2026"),
            id=f"report-ro-{backend}-annual", task_queue=queue,
        )
    finally:
        stop(proc)
    listed = _cli(env, str(readonly), "report", "list")
    assert listed.returncode == 0, listed.stderr
    first_id = result["snapshot_id"]
    assert f"{first_id:>5} progress" in listed.stdout and f"{second.snapshot_id:>5} annual" in listed.stdout
    assert "2 report(s)" in listed.stdout, listed.stdout
    got = _cli(env, str(readonly), "report", "get", str(first_id))
    assert got.returncode == 0, got.stderr
    assert "Impactrapportage" in got.stdout and sha256(got.stdout) == result["sha256"]  # scheduled: in Dutch
    missing = _cli(env, str(readonly), "report", "get", "999999")
    assert missing.returncode == 2 and "no report 999999" in missing.stderr
