"""brandpunt side by side with bare Temporal, on the same dev server (WAL pragmas as `brandpunt dev`).

    .venv/bin/python -m bench.compare [--cases 200] [--actions 5] [--idle 1000] [--cli-runs 15]

Prints one table with figures and the ratio brandpunt / bare. The bare floor is a minimal
workflow with the same shape: an update that runs a no-op activity. brandpunt adds validation,
the ledger write (hash chain, projection) and search attributes to every action.
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
from pathlib import Path

from temporalio.client import WithStartWorkflowOperation
from temporalio.common import WorkflowIDConflictPolicy
from temporalio.contrib.pydantic import pydantic_data_converter
from temporalio.testing import WorkflowEnvironment
from temporalio.worker import Worker

from audit.replay import replay
from audit.verify import rows_of, verify_rows
from bench.bare import BareWorkflow, noop
from cli import cases
from cli.dev import SQLITE_PRAGMAS, temporal_cli
from domain.decide import Context, decide
from ledger.store import Ledger
from tests import factories as f
from worker import build_worker
from workflows.search_attributes import ALL_KEYS

IN_FLIGHT = 200  # unbounded concurrent starts time out on the dev server (ARCHITECTURE.md)


async def bounded(n: int, make) -> float:  # type: ignore[no-untyped-def]
    sem = asyncio.Semaphore(IN_FLIGHT)

    async def one(i: int) -> None:
        async with sem:
            await make(i)

    t = time.perf_counter()
    await asyncio.gather(*(one(i) for i in range(n)))
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
    p = argparse.ArgumentParser()
    p.add_argument("--cases", type=int, default=200)
    p.add_argument("--actions", type=int, default=5, help="coordinator actions per case")
    p.add_argument("--idle", type=int, default=1000, help="idle cases waiting on reminder timers")
    p.add_argument("--cli-runs", type=int, default=15)
    a = p.parse_args()
    tmp = Path(tempfile.mkdtemp(prefix="bench-compare-"))
    db = tmp / "temporal.db"
    env = await WorkflowEnvironment.start_local(
        data_converter=pydantic_data_converter, search_attributes=ALL_KEYS,
        dev_server_existing_path=temporal_cli(), dev_server_database_filename=str(db),
        dev_server_extra_args=SQLITE_PRAGMAS,
    )
    rows: list[tuple[str, float | None, float | None, str]] = []
    async with env:
        client = env.client
        target = client.service_client.config.target_host
        ledger = Ledger.open(f"sqlite:///{tmp / 'ledger.db'}", upgrade=True)
        ledger.seed_hotspots()
        run_id = uuid.uuid4().hex[:6]
        bare_worker = Worker(client, task_queue="bare", workflows=[BareWorkflow], activities=[noop],
                             activity_executor=ThreadPoolExecutor(16), max_concurrent_activities=16)
        async with bare_worker, build_worker(client, ledger, "bp"):
            n, m = a.cases, a.actions

            async def bare_start(i: int) -> None:
                op = WithStartWorkflowOperation(BareWorkflow.run, id=f"bare-{run_id}-{i}", task_queue="bare",
                                                id_conflict_policy=WorkflowIDConflictPolicy.FAIL)
                await client.execute_update_with_start_workflow(BareWorkflow.act, False, start_workflow_operation=op)

            async def bp_start(i: int) -> None:
                await cases.start(client, "bp", f.start(phase=1), f"lead-bench-{run_id}-{i}")

            t_bare, t_bp = await bounded(n, bare_start), await bounded(n, bp_start)
            rows.append(("case starts/s", n / t_bare, n / t_bp, f"{n} cases, update-with-start"))

            async def bare_actions(i: int) -> None:
                h = client.get_workflow_handle(f"bare-{run_id}-{i}")
                for _ in range(m):
                    await h.execute_update(BareWorkflow.act, False)

            async def bp_actions(i: int) -> None:
                for k in range(m):
                    await cases.execute(client, f"lead-bench-{run_id}-{i}", f.command("change-phase", phase=2 + k % 2))

            t_bare, t_bp = await bounded(n, bare_actions), await bounded(n, bp_actions)
            rows.append(("coordinator actions/s", n * m / t_bare, n * m / t_bp, "each with its ledger write"))

            full = max(n // 4, 10)

            async def bare_full(i: int) -> None:
                h = client.get_workflow_handle(f"bare-{run_id}-{i}")
                for k in range(7):
                    await h.execute_update(BareWorkflow.act, k == 6)

            async def bp_full(i: int) -> None:
                cid = f"lead-full-{run_id}-{i}"
                r = await cases.start(client, "bp", f.start(phase=1), cid)
                for cmd in f.happy_path(r.state.detected_at.date()):
                    await cases.execute(client, cid, cmd)

            t_bare, t_bp = await bounded(full, bare_full), await bounded(full, bp_full)
            rows.append(("complete five-stage cases/s", full / t_bare, full / t_bp,
                         "bare: start + 7 updates; brandpunt: start + 7 commands to realisation"))

            # ledger appends, straight to the store (no Temporal)
            events, state = [], None
            from domain.state import fold

            for i, cmd in enumerate([f.start(phase=1)] + [f.command("change-phase", phase=2 + k % 2) for k in range(999)]):
                new = decide(state, cmd, Context("lead-append-bench", time_at(i)))
                state = fold(new, state)
                events += new
            t = time.perf_counter()
            for ev in events:
                ledger.append([ev])
            rows.append(("ledger appends/s", None, len(events) / (time.perf_counter() - t), "one event per transaction, SQLite"))
            t = time.perf_counter()
            report = verify_rows(rows_of(ledger))
            rows.append(("verify events/s", None, report.events / (time.perf_counter() - t), f"{report.events:,} events"))

            hist_bare = [await client.get_workflow_handle(f"bare-{run_id}-{i}").fetch_history() for i in range(min(full, 50))]
            hist_bp = [await client.get_workflow_handle(f"lead-full-{run_id}-{i}").fetch_history() for i in range(min(full, 50))]
            t = time.perf_counter()
            from temporalio.worker import Replayer

            await Replayer(workflows=[BareWorkflow]).replay_workflows(_aiter(hist_bare))
            rb = time.perf_counter() - t
            t = time.perf_counter()
            out = await replay(hist_bp)
            rp = time.perf_counter() - t
            assert all(o.ok for o in out)
            rows.append(("replay histories/s", len(hist_bare) / rb, len(hist_bp) / rp, "sandboxed Replayer"))
            ev_b, ev_p = sum(len(h.events) for h in hist_bare), sum(len(h.events) for h in hist_bp)
            rows.append(("replay events/s", ev_b / rb, ev_p / rp, f"{ev_b // len(hist_bare)} vs {ev_p // len(hist_bp)} events per history"))

            cli_env = {**os.environ, "TEMPORAL_ADDRESS": target, "BRANDPUNT_LEDGER_URL": ledger.url,
                       "BRANDPUNT_ACTOR": "bench", "BRANDPUNT_TASK_QUEUE": "bp"}
            bp_bin = str(Path(sys.executable).parent / "brandpunt")
            case = f"lead-bench-{run_id}-0"
            q = await asyncio.to_thread(cli_median, [temporal_cli(), "workflow", "query", "--workflow-id", case, "--type", "state",
                            "--address", target], cli_env, a.cli_runs)
            show = await asyncio.to_thread(cli_median, [bp_bin, "lead", "show", case], cli_env, a.cli_runs)
            acts = []
            for k in range(a.cli_runs):
                acts.append(await asyncio.to_thread(
                    cli_median, [bp_bin, "lead", "change-phase", case, "--phase", str(2 + k % 2)], cli_env, 1))
            rows.append(("CLI lead show, median s", q, show, "bare: temporal workflow query"))
            rows.append(("CLI coordinator action, median s", q, statistics.median(acts), "bare: temporal workflow query"))

            pid = server_pid(int(target.rsplit(":", 1)[1]))
            rss0, size0 = rss_mib(pid), _db_size(db)
            idle = a.idle

            async def idle_case(i: int) -> None:  # phase 2: reminded at once, then waits on follow-up timers
                await cases.start(client, "bp", f.start(phase=2), f"lead-idle-{run_id}-{i}")

            t = time.perf_counter()
            await bounded(idle, idle_case)
            t_idle = time.perf_counter() - t
            await asyncio.sleep(3)
            rss1, size1 = rss_mib(pid), _db_size(db)
            per = 1000 / idle
            rows.append(("server RSS MiB per 1,000 idle cases", None, (rss1 - rss0) * per,
                         f"{idle:,} idle cases started in {t_idle:.0f} s; RSS {rss0:.0f} -> {rss1:.0f} MiB"))
            rows.append(("server DB MiB per 1,000 idle cases", None, (size1 - size0) * per,
                         f"SQLite {size0:.1f} -> {size1:.1f} MiB"))
        ledger.dispose()

    print(f"\n{'measure':<36}{'bare':>12}{'brandpunt':>12}{'ratio':>8}  note")
    for name, bare, bp, note in rows:
        ratio = f"{bp / bare:.2f}" if bare and bp else "-"
        print(f"{name:<36}{_fmt(bare):>12}{_fmt(bp):>12}{ratio:>8}  {note}")


def time_at(i: int):  # type: ignore[no-untyped-def]
    from datetime import UTC, datetime, timedelta

    return datetime(2026, 1, 1, tzinfo=UTC) + timedelta(minutes=i)


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
