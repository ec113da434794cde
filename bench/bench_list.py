"""Benchmark ``brandpunt lead list`` over 10,000 cases (target: ``--company`` median <= 0.4 s).

    .venv/bin/python -m bench.bench_list [--cases 10000] [--runs 7] [--url URL]

Builds a ledger of N cases through the ledger's own API (``Ledger.append`` of the events
``domain.decide`` makes, so the ``cases`` projection and its search columns are the ones the worker
writes): distinct company names and KvK numbers, 20 coordinators, some cases moved on to needs
articulation. Then runs the real console script as a subprocess, as a coordinator would, and
prints the median and spread of its wall time (process start to exit) for a search by company
name, by KvK number, by coordinator, and the whole list as text and CSV; next to them the bare
interpreter start-up (``python -c pass``) and ``brandpunt --help``, the floor under any command.
Prints figures; asserts only that each search finds what it should.
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

from domain.commands import Command
from domain.decide import Context, decide
from domain.state import fold
from ledger.store import Ledger
from tests import factories as f

BIN = Path(sys.executable).parent / "brandpunt"
T0 = datetime(2025, 3, 3, 9, 0, tzinfo=UTC)
WORDS = ["Photon", "Quantum", "Nano", "Grid", "Chip", "Wafer", "Laser", "Fab", "Bio", "Litho", "Ion", "Qubit"]
COORDINATORS = [f"coordinator-{i:02d}@rom.example.nl" for i in range(20)]


def company(i: int) -> str:
    return f"{WORDS[i % len(WORDS)]} {WORDS[(i // len(WORDS)) % len(WORDS)]} {i:04d} BV"


def build(ledger: Ledger, n: int) -> int:
    """``n`` cases appended one by one through :meth:`Ledger.append`; returns the events written."""
    events = 0
    for i in range(n):
        case_id = f"BP-2025-{i + 1:05d}"
        at = T0 + timedelta(minutes=7 * i)
        lead = {**f.LEAD, "company": company(i), "kvk": f"{20_000_000 + i}", "phase": 1 + i % 3,
                "coordinator": COORDINATORS[i % len(COORDINATORS)]}
        commands: list[Command] = [f.start(**lead)]
        if i % 3 == 0:
            commands.append(f.command("articulate-needs", needs=f.NEEDS))
        state = None
        for k, command in enumerate(commands):
            new = decide(state, command, Context(case_id, at + timedelta(days=k)))
            ledger.append(new)
            state = fold(new, state)
            events += len(new)
    return events


def timed(env: dict[str, str], args: list[str], runs: int, expect: str | None = None) -> list[float]:
    times = []
    for _ in range(runs):
        t = time.perf_counter()
        done = subprocess.run(args, env=env, capture_output=True, text=True, timeout=120)
        times.append(time.perf_counter() - t)
        if done.returncode != 0:
            raise SystemExit(f"{' '.join(args[1:])} -> {done.returncode}: {done.stderr[-2000:]}")
        if expect is not None and expect not in done.stdout:
            raise SystemExit(f"{' '.join(args[1:])}: {expect!r} not in its output:\n{done.stdout[:2000]}")
    return times


def line(what: str, times: list[float], target: float | None = None) -> str:
    med = statistics.median(times)
    verdict = "" if target is None else f"  (target <= {target} s: {'met' if med <= target else 'NOT met'})"
    return f"{what:<48} median {med:.3f} s, min {min(times):.3f}, max {max(times):.3f} ({len(times)} runs){verdict}"


def main() -> None:
    p = argparse.ArgumentParser()
    p.add_argument("--cases", type=int, default=10_000)
    p.add_argument("--runs", type=int, default=7)
    p.add_argument("--url", help="ledger URL (default: a SQLite file in a temporary directory)")
    a = p.parse_args()
    home = tempfile.mkdtemp(prefix="bench-list-")
    url = a.url or f"sqlite:///{home}/ledger.db"
    ledger = Ledger.open(url, upgrade=True)
    t = time.perf_counter()
    events = build(ledger, a.cases)
    print(f"built {a.cases:,} cases ({events:,} events) through Ledger.append in {time.perf_counter() - t:.1f} s")
    ledger.dispose()
    env = {**os.environ, "BRANDPUNT_HOME": home, "BRANDPUNT_LEDGER_URL": url, "BRANDPUNT_ACTOR": COORDINATORS[3]}
    env.pop("OTEL_EXPORTER_OTLP_ENDPOINT", None)
    exe = str(BIN)
    one = company(42)  # "Laser Grid 0042 BV": the one company whose name holds "laser grid 0042"
    needle = one.removesuffix(" BV").lower()
    print(line("python -c pass", timed(env, [sys.executable, "-c", "pass"], a.runs)))
    print(line("brandpunt --help", timed(env, [exe, "--help"], a.runs)))
    print(line(f"lead list --company {needle!r}",
               timed(env, [exe, "lead", "list", "--company", needle], a.runs, one), 0.4))
    print(line("lead list --company <KvK number>",
               timed(env, [exe, "lead", "list", "--company", str(20_000_042)], a.runs, one), 0.4))
    print(line("lead list --company 'laser' (1/12 of the cases)",
               timed(env, [exe, "lead", "list", "--company", "laser"], a.runs, one)))
    print(line("lead list --mine (1/20 of the cases)", timed(env, [exe, "lead", "list", "--mine"], a.runs)))
    print(line(f"lead list (all {a.cases:,})", timed(env, [exe, "lead", "list"], a.runs, one)))
    print(line(f"lead list --csv (all {a.cases:,})", timed(env, [exe, "lead", "list", "--csv"], a.runs, one)))


if __name__ == "__main__":
    main()
