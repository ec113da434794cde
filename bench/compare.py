"""brandpunt side by side with bare Temporal, on the same dev server (WAL pragmas as `brandpunt dev`).

    .venv/bin/python -m bench.compare [--cases 200] [--actions 5] [--rounds 3] [--idle 1000] [--cli-runs 15]
                                      [--sandbox passthrough|full]
    .venv/bin/python -m bench.compare --only-idle --idle 100000      # the idle-case soak alone

Prints one table with figures and the ratio brandpunt / floor. Each worker runs in a process of its
own (bench/workers.py: the floors' worker, brandpunt's worker), the client in this one, so neither
worker shares a GIL with the client or the other. Two floors: the bare floor, a minimal workflow with
a case's shape (an update that runs a no-op activity), and the floor + search attributes, which also
upserts the seven attributes a case upserts when it starts and one per later action (brandpunt
upserts only those that changed: one or two per command). brandpunt adds validation, the ledger
write (hash chain, projection) and its search attributes to every action.

Case starts are measured with leads in venture phase 1, which owe no reminder: a start is the
update-with-start recording ``LeadDetected``, nothing else. Leads in phase 3 are owed the phase-2
reminder at once, so their start is followed by ``ReminderSent`` recorded with its outbox message (and
external delivery, where a channel is configured: none here): that is measured apart ("start +
immediate reminder", until the reminder is in the ledger). Starts, complete
five-stage cases and coordinator actions are measured in alternating rounds (the order rotating each
round) and the median round is shown, because a shared 2-core machine drifts by +-15 % between runs;
the workers' CPU time per case (from /proc) is shown too, as it drifts less. Coordinator actions run
on the phase-3 cases after their reminder is sent and alternate phase 3 <-> 4, so no reminder runs
during them. ``--sandbox`` picks brandpunt's workflow runner (workflows/sandbox.py): ``passthrough``
(production) or ``full`` (the SDK's default sandbox, which re-imports the workflow modules per
workflow); the floors always run in the SDK's default sandbox. The machine's load average is printed
before and after.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import signal
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path

from temporalio.client import Client, WithStartWorkflowOperation
from temporalio.common import WorkflowIDConflictPolicy
from temporalio.contrib.pydantic import pydantic_data_converter
from temporalio.testing import WorkflowEnvironment
from temporalio.worker import Replayer
from temporalio.workflow import UpdateMethodMultiParam

from audit.replay import replay
from audit.verify import rows_of, verify_rows
from bench.bare import STARTED, BareWorkflow
from bench.workers import BARE_QUEUE, BP_QUEUE
from client import temporal as cases
from devserver import SQLITE_PRAGMAS, temporal_cli
from domain.decide import Context, decide
from domain.state import fold
from ledger.store import Ledger
from tests import factories as f
from workflows.sandbox import MODES, SandboxMode
from workflows.search_attributes import ALL_KEYS

IN_FLIGHT = 200  # unbounded concurrent starts time out on the dev server (docs/ARCHITECTURE.md)
ROOT = Path(__file__).resolve().parent.parent
Row = tuple[str, float | None, float | None, str]


async def bounded(n: int, make) -> float:
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


def cpu_seconds(pid: int) -> float:
    """User + system CPU time of a process so far (/proc/<pid>/stat)."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


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


def load() -> str:
    one, five, fifteen = os.getloadavg()
    return f"load average {one:.2f} {five:.2f} {fifteen:.2f} on {os.cpu_count()} cores"


class WorkerProcess:
    """``python -m bench.workers KIND ...`` in a process of its own; stopped with SIGTERM."""

    def __init__(self, kind: str, *args: str) -> None:
        self.kind = kind
        self.proc = subprocess.Popen([sys.executable, "-m", "bench.workers", kind, *args], cwd=ROOT,
                                     stdout=subprocess.PIPE, text=True)

    async def ready(self, timeout: float = 120) -> None:
        assert self.proc.stdout is not None
        line = await asyncio.wait_for(asyncio.to_thread(self.proc.stdout.readline), timeout)
        if line.strip() != "ready":
            raise RuntimeError(f"the {self.kind} worker did not start (exit code {self.proc.poll()})")

    def cpu(self) -> float:
        return cpu_seconds(self.proc.pid)

    def stop(self) -> None:
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(timeout=30)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()


async def main() -> None:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--cases", type=int, default=200, help="case starts per round and kind")
    p.add_argument("--actions", type=int, default=5, help="coordinator actions per case and round")
    p.add_argument("--rounds", type=int, default=3, help="alternating rounds of every measure")
    p.add_argument("--idle", type=int, default=1000, help="idle cases waiting on reminder timers (0: none)")
    p.add_argument("--cli-runs", type=int, default=15)
    p.add_argument("--only-idle", action="store_true", help="run only the idle-case soak")
    p.add_argument("--sandbox", choices=(*MODES, "both"), default="passthrough",
                   help="brandpunt's workflow runner (workflows/sandbox.py); both: a worker of each, measured in "
                        "the same alternating rounds; the floors keep the SDK default")
    a = p.parse_args()
    assert {k.name for k in ALL_KEYS} == {u.key.name for u in STARTED}, "bench/bare.py: the case's attributes"
    tmp = Path(tempfile.mkdtemp(prefix="bench-compare-"))
    db = tmp / "temporal.db"
    before = load()
    print(f"bench.compare --sandbox={a.sandbox}: {before}", flush=True)
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
        server = ["--address", env.client.service_client.config.target_host, "--namespace", env.client.namespace]
        modes: tuple[SandboxMode, ...] = MODES if a.sandbox == "both" else (a.sandbox,)
        bare = WorkerProcess("bare", *server)
        bps = {mode: WorkerProcess("bp", *server, "--ledger-url", ledger.url, "--sandbox", mode,
                                   "--task-queue", queue_of(mode, modes))
               for mode in modes}
        try:
            await asyncio.gather(bare.ready(), *(w.ready() for w in bps.values()))
            if not a.only_idle:
                rows += await side_by_side(a, env.client, ledger, run_id, bare, bps)
            if a.idle:
                rows += await idle_soak(env.client, ledger, db, a.idle, run_id)
        finally:
            for w in (bare, *bps.values()):
                w.stop()
        ledger.dispose()
    print(f"\nbrandpunt's workflow runner: --sandbox={a.sandbox}; before: {before}; after: {load()}")
    print(f"{'measure':<40}{'floor':>12}{'brandpunt':>12}{'ratio':>8}  note")
    for name, floor, bp_figure, note in rows:
        ratio = f"{bp_figure / floor:.2f}" if floor and bp_figure else "-"
        print(f"{name:<40}{_fmt(floor):>12}{_fmt(bp_figure):>12}{ratio:>8}  {note}")


def queue_of(mode: str, modes: tuple[str, ...]) -> str:
    """The first mode's worker polls BP_QUEUE (the CLI rows and the idle soak use it)."""
    return BP_QUEUE if mode == modes[0] else f"{BP_QUEUE}-{mode}"


@dataclass
class Measure:
    """One kind of work, run once per round: ``run(round)`` does ``count`` items on ``worker``."""

    count: int
    worker: WorkerProcess
    run: Callable[[int], Awaitable[float]]
    rates: list[float] = field(default_factory=list)
    cpu_ms: list[float] = field(default_factory=list)

    @property
    def rate(self) -> float:
        return statistics.median(self.rates)

    @property
    def cpu(self) -> float:
        return statistics.median(self.cpu_ms)

    def spread(self) -> str:
        return f"{min(self.rates):.0f}-{max(self.rates):.0f}" if min(self.rates) >= 10 else \
            f"{min(self.rates):.1f}-{max(self.rates):.1f}"


async def alternate(rounds: int, measures: dict[str, Measure], warm_up: bool = False) -> None:
    """Every measure once per round, the order rotating, recording its rate and worker CPU per item;
    ``warm_up``: first an untimed round (round -1), so no measured round pays for first imports."""
    names = list(measures)
    if warm_up:
        for name in names:
            await measures[name].run(-1)
    for r in range(rounds):
        k = r % len(names)
        for name in names[k:] + names[:k]:
            m = measures[name]
            cpu0 = m.worker.cpu()
            seconds = await m.run(r)
            m.cpu_ms.append((m.worker.cpu() - cpu0) * 1000 / m.count)
            m.rates.append(m.count / seconds)
        print(f"  round {r + 1}/{rounds}: " + ", ".join(
            f"{n} {measures[n].rates[-1]:.1f}/s ({measures[n].cpu_ms[-1]:.0f} ms CPU)" for n in names
        ) + f"; {load()}", flush=True)


def _rows(what: str, bare: Measure, indexed: Measure, bps: dict[str, Measure], rounds: int, note: str) -> list[Row]:
    rows: list[Row] = []
    for mode, bp in bps.items():
        spread = f"bare {bare.spread()}, +attributes {indexed.spread()}, brandpunt {bp.spread()}"
        rows += [
            (f"{what}/s, sandbox={mode}", bare.rate, bp.rate, f"{note}; median of {rounds} rounds ({spread})"),
            ("  vs floor + search attributes", indexed.rate, bp.rate, "floor: same, plus the attribute upserts"),
            ("  worker CPU ms each (lower better)", bare.cpu, bp.cpu,
             f"median per round; floor + attributes {indexed.cpu:.1f} ms"),
        ]
    return rows


async def side_by_side(a: argparse.Namespace, client: Client, ledger: Ledger, run_id: str,
                       bare_w: WorkerProcess, bp_ws: dict[SandboxMode, WorkerProcess]) -> list[Row]:
    """Every measure but the idle soak, the floors and brandpunt (per sandbox mode) on the same server."""
    rows: list[Row] = []
    n, m = a.cases, a.actions
    modes = tuple(bp_ws)

    async def floor_start(wid: str, update: UpdateMethodMultiParam[[BareWorkflow, bool], int]) -> None:
        op = WithStartWorkflowOperation(BareWorkflow.run, id=wid, task_queue=BARE_QUEUE,
                                        id_conflict_policy=WorkflowIDConflictPolicy.FAIL)
        await client.execute_update_with_start_workflow(update, False, start_workflow_operation=op)

    def floor_starts(kind: str) -> Callable[[int], Awaitable[float]]:
        update = BareWorkflow.act if kind == "bare" else BareWorkflow.start_indexed
        return lambda r: bounded(n, lambda i: floor_start(f"{kind}-{run_id}-{r}-{i}", update))

    def bp_starts(mode: str) -> Callable[[int], Awaitable[float]]:
        queue = queue_of(mode, modes)
        return lambda r: bounded(n, lambda i: cases.start(client, queue, f.start(phase=1),
                                                          f"lead-start-{mode}-{run_id}-{r}-{i}"))

    def start_and_remind(mode: str) -> Callable[[int], Awaitable[float]]:
        queue = queue_of(mode, modes)

        async def run(r: int) -> float:
            prefix = f"lead-rem-{mode}-{run_id}-{r}-"
            t = time.perf_counter()
            await bounded(n, lambda i: cases.start(client, queue, f.start(phase=3), f"{prefix}{i}"))
            deadline = time.monotonic() + max(120, n)
            while (sent := _count(ledger, "ReminderSent", prefix)) < n:
                if time.monotonic() > deadline:
                    raise RuntimeError(f"only {sent} of {n} phase-2 reminders recorded")
                await asyncio.sleep(0.05)
            return time.perf_counter() - t
        return run

    st = {"bare": Measure(n, bare_w, floor_starts("bare")), "indexed": Measure(n, bare_w, floor_starts("indexed"))}
    st |= {mode: Measure(n, bp_ws[mode], bp_starts(mode)) for mode in modes}
    st |= {f"{mode}+reminder": Measure(n, bp_ws[mode], start_and_remind(mode)) for mode in modes}
    print(f"case starts, {n} per kind and round:", flush=True)
    await alternate(a.rounds, st, warm_up=True)
    rows += _rows("case starts (phase 1)", st["bare"], st["indexed"], {mode: st[mode] for mode in modes}, a.rounds,
                  f"{n} per round, update-with-start; brandpunt's leads owe no reminder")
    for mode in modes:
        rem = st[f"{mode}+reminder"]
        rows.append((f"start + immediate reminder/s, sandbox={mode}", st["bare"].rate, rem.rate,
                     f"phase-3 leads, until ReminderSent (with its outbox message) is in the ledger; floor: a "
                     f"start alone; {rem.spread()}; worker CPU {rem.cpu:.1f} ms each"))

    def floor_actions(kind: str) -> Callable[[int], Awaitable[float]]:
        update = BareWorkflow.act if kind == "bare" else BareWorkflow.act_indexed

        async def one(i: int) -> None:
            h = client.get_workflow_handle(f"{kind}-{run_id}-0-{i}")
            for _ in range(m):
                await h.execute_update(update, False)
        return lambda r: bounded(n, one)

    phase: dict[tuple[str, int], int] = {(mode, i): 3 for mode in modes for i in range(n)}

    def bp_actions(mode: str) -> Callable[[int], Awaitable[float]]:
        async def one(i: int) -> None:
            for _ in range(m):
                phase[mode, i] = 7 - phase[mode, i]  # 3 <-> 4
                await cases.execute(client, f"lead-rem-{mode}-{run_id}-0-{i}",
                                    f.command("change-phase", phase=phase[mode, i]))
        return lambda r: bounded(n, one)

    acts = {k: Measure(n * m, bare_w, floor_actions(k)) for k in ("bare", "indexed")}
    acts |= {mode: Measure(n * m, bp_ws[mode], bp_actions(mode)) for mode in modes}
    print(f"coordinator actions, {n * m} per kind and round:", flush=True)
    await alternate(a.rounds, acts)
    rows += _rows("coordinator actions", acts["bare"], acts["indexed"], {mode: acts[mode] for mode in modes},
                  a.rounds, f"{n * m} per round, each with its ledger write")

    full = max(n // 4, 10)

    def floor_full(kind: str) -> Callable[[int], Awaitable[float]]:
        first = BareWorkflow.act if kind == "bare" else BareWorkflow.start_indexed
        then = BareWorkflow.act if kind == "bare" else BareWorkflow.act_indexed

        async def one(r: int, i: int) -> None:
            wid = f"{kind}-full-{run_id}-{r}-{i}"
            await floor_start(wid, first)
            h = client.get_workflow_handle(wid)
            for k in range(7):
                await h.execute_update(then, k == 6)
        return lambda r: bounded(full, lambda i: one(r, i))

    def bp_full(mode: str) -> Callable[[int], Awaitable[float]]:
        queue = queue_of(mode, modes)

        async def one(r: int, i: int) -> None:
            cid = f"lead-full-{mode}-{run_id}-{r}-{i}"
            res = await cases.start(client, queue, f.start(phase=1), cid)
            for cmd in f.happy_path(res.state.detected_at.date()):
                await cases.execute(client, cid, cmd)
        return lambda r: bounded(full, lambda i: one(r, i))

    fc = {k: Measure(full, bare_w, floor_full(k)) for k in ("bare", "indexed")}
    fc |= {mode: Measure(full, bp_ws[mode], bp_full(mode)) for mode in modes}
    print(f"complete five-stage cases, {full} per kind and round:", flush=True)
    await alternate(a.rounds, fc, warm_up=True)
    rows += _rows("complete five-stage cases", fc["bare"], fc["indexed"], {mode: fc[mode] for mode in modes},
                  a.rounds, f"{full} per round; floor: update-with-start + 7 updates; brandpunt: phase-1 start + 7 "
                  "commands to realisation")

    rows += _ledger_rows(ledger)

    k = min(full, 50)
    hist_bare = [await client.get_workflow_handle(f"bare-full-{run_id}-0-{i}").fetch_history() for i in range(k)]
    hist_bp = [await client.get_workflow_handle(f"lead-full-{modes[0]}-{run_id}-0-{i}").fetch_history()
               for i in range(k)]
    t = time.perf_counter()
    await Replayer(workflows=[BareWorkflow]).replay_workflows(_aiter(hist_bare))
    rb = time.perf_counter() - t
    ev_b, ev_p = sum(len(h.events) for h in hist_bare), sum(len(h.events) for h in hist_bp)
    for mode in modes:
        t = time.perf_counter()
        out = await replay(hist_bp, sandbox=mode)
        rp = time.perf_counter() - t
        assert all(o.ok for o in out), [o.error for o in out if not o.ok]
        rows.append((f"replay histories/s, sandbox={mode}", len(hist_bare) / rb, len(hist_bp) / rp,
                     "Replayer in this process; the floor's in the SDK's default sandbox"))
        rows.append(("  replay events/s", ev_b / rb, ev_p / rp,
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
               "BRANDPUNT_ACTOR": "bench", "BRANDPUNT_TASK_QUEUE": BP_QUEUE}
    bp_bin = str(Path(sys.executable).parent / "brandpunt")
    mode = MODES[0] if a.sandbox == "both" else a.sandbox
    case, bare = f"lead-rem-{mode}-{run_id}-0-0", f"bare-{run_id}-cli"
    await client.execute_update_with_start_workflow(BareWorkflow.act, False, start_workflow_operation=(
        WithStartWorkflowOperation(BareWorkflow.run, id=bare, task_queue=BARE_QUEUE,
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
            await cases.start(client, BP_QUEUE, f.start(phase=2), f"lead-idle-{run_id}-{i}")
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
    return ledger.count_events(event_type=event_type, case_prefix=case_prefix)


def _db_size(db: Path) -> float:
    return sum(p.stat().st_size for p in db.parent.glob(db.name + "*")) / 2**20


def _fmt(v: float | None) -> str:
    if v is None:
        return "-"
    return f"{v:,.0f}" if v >= 100 else f"{v:,.2f}"


async def _aiter(items):
    for x in items:
        yield x


if __name__ == "__main__":
    asyncio.run(main())
