"""brandpunt side by side with bare Temporal, on the same dev server (WAL pragmas as `brandpunt dev`).

    .venv/bin/python -m bench.compare [--cases 200] [--actions 5] [--rounds 3] [--idle 1000] [--cli-runs 15]
    .venv/bin/python -m bench.compare --only-idle --idle 100000      # the idle-case soak alone

Prints one table with figures and the ratio brandpunt / bare. The bare floor is a minimal
workflow with the same shape: an update that runs a no-op activity. brandpunt adds validation,
the ledger write (hash chain, projection) and a search-attribute upsert to every action; the row
"vs floor + 1 search attribute" shows how much of the difference is Temporal's own visibility
write. Actions are measured in alternating rounds (bare, bare + attribute, brandpunt, ...) and the
median round is shown, because a shared 2-core machine drifts by +-15 % between runs. Benchmark
cases start in venture phase 3 and alternate 3 <-> 4, so no phase-2 reminder (automated work, not
a coordinator action) runs during the measurement.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime, timedelta
from pathlib import Path

from temporalio.client import Client, WithStartWorkflowOperation
from temporalio.common import WorkflowIDConflictPolicy
from temporalio.contrib.pydantic import pydantic_data_converter
from temporalio.testing import WorkflowEnvironment
from temporalio.worker import Replayer, Worker

from audit.replay import replay
from audit.verify import rows_of, verify_rows
from bench.bare import BareWorkflow, noop
from cli import cases
from cli.dev import SQLITE_PRAGMAS, temporal_cli
from domain.decide import Context, decide
from domain.state import fold
from ledger.store import Ledger
from tests import factories as f
from worker import build_worker
from workflows.search_attributes import ALL_KEYS

IN_FLIGHT = 200  # unbounded concurrent starts time out on the dev server (docs/ARCHITECTURE.md)
Row = tuple[str, float | None, float | None, str]


async def bounded(n: int, make) -> float:  # type: ignore[no-untyped-def]
    """Run ``make(0..n-1)`` with at most IN_FLIGHT at a time (a fixed pool); the seconds it took."""
    todo = iter(range(n))

    async def worker() -> None:
        for i in todo:
            await make(i)

    t = time.perf_counter()
    await asyncio.gather(*(worker() for _ in range(min(IN_FLIGHT, n))))
    return time.perf_counter() - t


def rss_mib(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return float("nan")


def server_pid(port: int) -> int:
    out = subprocess.run(["pgrep", "-f", f"start-dev.*--port {port}"], capture_output=True, text=True).stdout.split()
    return int(out[0])


def cli_median(args: list[str], env: dict[str, str], runs: int) -> float:
    times = []
    for _ in range(runs):
        t = time.perf_counter()
        done = subprocess.run(args, env=env, capture_output=True, text=True, timeout=60)
        if done.returncode != 0:
            raise RuntimeError(f"{' '.join(args)}: {done.stderr or done.stdout}")
        times.append(time.perf_counter() - t)
    return statistics.median(times)


async def main() -> None:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--cases", type=int, default=200)
    p.add_argument("--actions", type=int, default=5, help="coordinator actions per case and round")
    p.add_argument("--rounds", type=int, default=3, help="alternating rounds of coordinator actions")
    p.add_argument("--idle", type=int, default=1000, help="idle cases waiting on reminder timers (0: none)")
    p.add_argument("--cli-runs", type=int, default=15)
    p.add_argument("--only-idle", action="store_true", help="run only the idle-case soak")
    a = p.parse_args()
    tmp = Path(tempfile.mkdtemp(prefix="bench-compare-"))
    db = tmp / "temporal.db"
    env = await WorkflowEnvironment.start_local(
        data_converter=pydantic_data_converter, search_attributes=ALL_KEYS,
        dev_server_existing_path=temporal_cli(), dev_server_database_filename=str(db),
        dev_server_extra_args=SQLITE_PRAGMAS,
    )
    rows: list[Row] = []
    async with env:
        ledger = Ledger.open(f"sqlite:///{tmp / 'ledger.db'}", upgrade=True)
        ledger.seed_hotspots()
        run_id = uuid.uuid4().hex[:6]
        bare_worker = Worker(env.client, task_queue="bare", workflows=[BareWorkflow], activities=[noop],
                             activity_executor=ThreadPoolExecutor(16), max_concurrent_activities=16)
        async with bare_worker, build_worker(env.client, ledger, "bp"):
            if not a.only_idle:
                rows += await side_by_side(a, env.client, ledger, run_id)
            if a.idle:
                rows += await idle_soak(env.client, ledger, db, a.idle, run_id)
        ledger.dispose()
    print(f"\n{'measure':<36}{'bare':>12}{'brandpunt':>12}{'ratio':>8}  note")
    for name, bare, bp, note in rows:
        ratio = f"{bp / bare:.2f}" if bare and bp else "-"
        print(f"{name:<36}{_fmt(bare):>12}{_fmt(bp):>12}{ratio:>8}  {note}")


async def side_by_side(a: argparse.Namespace, client: Client, ledger: Ledger, run_id: str) -> list[Row]:
    """Every measure but the idle soak, bare and brandpunt on the same server."""
    rows: list[Row] = []
    n, m = a.cases, a.actions

    async def bare_start(i: int) -> None:
        op = WithStartWorkflowOperation(BareWorkflow.run, id=f"bare-{run_id}-{i}", task_queue="bare",
                                        id_conflict_policy=WorkflowIDConflictPolicy.FAIL)
        await client.execute_update_with_start_workflow(BareWorkflow.act, False, start_workflow_operation=op)

    async def bp_start(i: int) -> None:
        await cases.start(client, "bp", f.start(phase=3), f"lead-bench-{run_id}-{i}")

    t_bare, t_bp = await bounded(n, bare_start), await bounded(n, bp_start)
    rows.append(("case starts/s", n / t_bare, n / t_bp, f"{n} cases, update-with-start"))

    async def bare_actions(i: int) -> None:
        h = client.get_workflow_handle(f"bare-{run_id}-{i}")
        for _ in range(m):
            await h.execute_update(BareWorkflow.act, False)

    async def indexed_actions(i: int) -> None:
        h = client.get_workflow_handle(f"bare-{run_id}-{i}")
        for _ in range(m):
            await h.execute_update(BareWorkflow.act_indexed, False)

    phase = dict.fromkeys(range(n), 3)

    async def bp_actions(i: int) -> None:
        for _ in range(m):
            phase[i] = 7 - phase[i]  # 3 <-> 4
            await cases.execute(client, f"lead-bench-{run_id}-{i}", f.command("change-phase", phase=phase[i]))

    rates: dict[str, list[float]] = {"bare": [], "indexed": [], "brandpunt": []}
    for _ in range(a.rounds):
        for key, fn in (("bare", bare_actions), ("indexed", indexed_actions), ("brandpunt", bp_actions)):
            rates[key].append(n * m / await bounded(n, fn))
    med = {k: statistics.median(v) for k, v in rates.items()}
    spread = ", ".join(f"{k} {min(v):.0f}-{max(v):.0f}" for k, v in rates.items())
    rows.append(("coordinator actions/s", med["bare"], med["brandpunt"],
                 f"each with its ledger write; median of {a.rounds} rounds of {n * m} ({spread})"))
    rows.append(("  vs floor + 1 search attribute", med["indexed"], med["brandpunt"],
                 "floor: update + no-op activity + one search-attribute upsert"))

    full = max(n // 4, 10)

    async def bare_full(i: int) -> None:
        op = WithStartWorkflowOperation(BareWorkflow.run, id=f"bare-full-{run_id}-{i}", task_queue="bare",
                                        id_conflict_policy=WorkflowIDConflictPolicy.FAIL)
        await client.execute_update_with_start_workflow(BareWorkflow.act, False, start_workflow_operation=op)
        h = client.get_workflow_handle(f"bare-full-{run_id}-{i}")
        for k in range(7):
            await h.execute_update(BareWorkflow.act, k == 6)

    async def bp_full(i: int) -> None:
        cid = f"lead-full-{run_id}-{i}"
        r = await cases.start(client, "bp", f.start(phase=3), cid)
        for cmd in f.happy_path(r.state.detected_at.date()):
            await cases.execute(client, cid, cmd)

    t_bare, t_bp = await bounded(full, bare_full), await bounded(full, bp_full)
    rows.append(("complete five-stage cases/s", full / t_bare, full / t_bp,
                 "bare: update-with-start + 7 updates; brandpunt: start + 7 commands to realisation"))

    rows += _ledger_rows(ledger)

    hist_bare = [await client.get_workflow_handle(f"bare-full-{run_id}-{i}").fetch_history()
                 for i in range(min(full, 50))]
    hist_bp = [await client.get_workflow_handle(f"lead-full-{run_id}-{i}").fetch_history() for i in range(min(full, 50))]
    t = time.perf_counter()
    await Replayer(workflows=[BareWorkflow]).replay_workflows(_aiter(hist_bare))
    rb = time.perf_counter() - t
    t = time.perf_counter()
    out = await replay(hist_bp)
    rp = time.perf_counter() - t
    assert all(o.ok for o in out), [o.error for o in out if not o.ok]
    rows.append(("replay histories/s", len(hist_bare) / rb, len(hist_bp) / rp, "sandboxed Replayer"))
    ev_b, ev_p = sum(len(h.events) for h in hist_bare), sum(len(h.events) for h in hist_bp)
    rows.append(("replay events/s", ev_b / rb, ev_p / rp,
                 f"{ev_b // len(hist_bare)} vs {ev_p // len(hist_bp)} events per history"))

    rows += await _cli_rows(a, client, ledger, run_id)
    return rows


def _ledger_rows(ledger: Ledger) -> list[Row]:
    """Ledger appends and verify, straight on the store (no Temporal): a 1,000-event case."""
    events, state = [], None
    commands = [f.start(phase=1)] + [f.command("change-phase", phase=2 + k % 2) for k in range(999)]
    for i, cmd in enumerate(commands):
        new = decide(state, cmd, Context("lead-append-bench", datetime(2026, 1, 1, tzinfo=UTC) + timedelta(minutes=i)))
        state = fold(new, state)
        events += new
    t = time.perf_counter()
    for ev in events:
        ledger.append([ev])
    rows: list[Row] = [("ledger appends/s", None, len(events) / (time.perf_counter() - t),
                        "one event per transaction, SQLite")]
    t = time.perf_counter()
    report = verify_rows(rows_of(ledger))
    rows.append(("verify events/s", None, report.events / (time.perf_counter() - t),
                 f"{report.events:,} events (1M: bench/bench_audit.py)"))
    return rows


async def _cli_rows(a: argparse.Namespace, client: Client, ledger: Ledger, run_id: str) -> list[Row]:
    """Wall time of whole CLI processes: brandpunt's next to the `temporal` CLI doing the same."""
    target = client.service_client.config.target_host
    cli_env = {**os.environ, "TEMPORAL_ADDRESS": target, "BRANDPUNT_LEDGER_URL": ledger.url,
               "BRANDPUNT_ACTOR": "bench", "BRANDPUNT_TASK_QUEUE": "bp"}
    bp_bin = str(Path(sys.executable).parent / "brandpunt")
    case, bare = f"lead-bench-{run_id}-0", f"bare-{run_id}-cli"
    await client.execute_update_with_start_workflow(BareWorkflow.act, False, start_workflow_operation=(
        WithStartWorkflowOperation(BareWorkflow.run, id=bare, task_queue="bare",
                                   id_conflict_policy=WorkflowIDConflictPolicy.FAIL)))
    temporal = [temporal_cli(), "--address", target]
    query = await asyncio.to_thread(
        cli_median, [*temporal[:1], "workflow", "query", "--workflow-id", case, "--type", "state", *temporal[1:]],
        cli_env, a.cli_runs)
    update = await asyncio.to_thread(
        cli_median, [*temporal[:1], "workflow", "update", "execute", "--workflow-id", bare, "--name", "act",
                     "--input", "false", *temporal[1:]], cli_env, a.cli_runs)
    show = await asyncio.to_thread(cli_median, [bp_bin, "lead", "show", case], cli_env, a.cli_runs)
    now = (await cases.state(client, case)).phase
    acts = []
    for _ in range(a.cli_runs):
        now = 7 - now  # 3 <-> 4
        acts.append(await asyncio.to_thread(
            cli_median, [bp_bin, "lead", "change-phase", case, "--phase", str(now)], cli_env, 1))
    return [
        ("CLI lead show, median s", query, show, "bare: temporal workflow query (state) on the same case"),
        ("CLI coordinator action, median s", update, statistics.median(acts),
         "bare: temporal workflow update execute on the floor workflow"),
    ]


async def idle_soak(client: Client, ledger: Ledger, db: Path, n: int, run_id: str) -> list[Row]:
    """Start ``n`` phase-2 cases (each reminded at once, then waiting on its follow-up timer) and
    report the dev server's RSS and database growth per 1,000, after checking nothing failed."""
    pid = server_pid(int(client.service_client.config.target_host.rsplit(":", 1)[1]))
    rss0, size0 = rss_mib(pid), _db_size(db)
    errors: list[str] = []
    started = 0

    async def idle_case(i: int) -> None:
        nonlocal started
        try:
            await cases.start(client, "bp", f.start(phase=2), f"lead-idle-{run_id}-{i}")
            started += 1
        except Exception as err:  # noqa: BLE001 - counted and reported, the soak goes on
            errors.append(f"lead-idle-{run_id}-{i}: {err}")
        if (i + 1) % 10_000 == 0:
            print(f"  idle soak: {i + 1:,} started, {len(errors)} errors, server RSS {rss_mib(pid):.0f} MiB",
                  flush=True)

    t_idle = await bounded(n, idle_case)
    deadline = time.monotonic() + max(120, n / 20)
    while (reminded := _count(ledger, "ReminderSent", f"lead-idle-{run_id}-")) < started and time.monotonic() < deadline:
        await asyncio.sleep(2)
    running = (await client.count_workflows(
        f"WorkflowId STARTS_WITH 'lead-idle-{run_id}-' AND ExecutionStatus='Running'")).count
    await asyncio.sleep(3)
    rss1, size1 = rss_mib(pid), _db_size(db)
    per = 1000 / n
    if errors:
        print(f"  {len(errors)} errors, first: {errors[:3]}")
    return [
        ("idle cases started, errors", None, float(started),
         f"{n:,} in {t_idle:.0f} s ({n / t_idle:.0f}/s); {len(errors)} errors; {running:,} running; "
         f"{reminded:,} phase-2 reminders in the ledger"),
        ("server RSS MiB per 1,000 idle cases", None, (rss1 - rss0) * per,
         f"RSS {rss0:.0f} -> {rss1:.0f} MiB"),
        ("server DB MiB per 1,000 idle cases", None, (size1 - size0) * per,
         f"SQLite {size0:.1f} -> {size1:.1f} MiB"),
    ]


def _count(ledger: Ledger, event_type: str, case_prefix: str) -> int:
    from sqlalchemy import func, select

    from ledger.schema import ledger_events

    with ledger.engine.connect() as conn:
        return conn.execute(
            select(func.count()).select_from(ledger_events).where(
                ledger_events.c.type == event_type, ledger_events.c.case_id.startswith(case_prefix))
        ).scalar_one()


def _db_size(db: Path) -> float:
    return sum(p.stat().st_size for p in db.parent.glob(db.name + "*")) / 2**20


def _fmt(v: float | None) -> str:
    if v is None:
        return "-"
    return f"{v:,.0f}" if v >= 100 else f"{v:,.2f}"


async def _aiter(items):  # type: ignore[no-untyped-def]
    for x in items:
        yield x


if __name__ == "__main__":
    asyncio.run(main())
