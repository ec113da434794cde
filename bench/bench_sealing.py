"""The ledger write with personal data and free text sealed, next to the same write without (issue 16).

    .venv/bin/python -m bench.bench_sealing [--events 2000] [--url URL]

Two ledgers in one run (SQLite files in a temp dir, or two schemas' worth of cases on --url): one
appends as brandpunt does (``ledger.vault.seal_event``: a key looked up or made per contact value and
per free text, AES-256-GCM, the hash over the ciphertext), the other with sealing switched off for
the measurement (the events stored as their plain canonical JSON). Each round appends one event to a
case on each side, alternating, so both see the same load: a lead's start (three contact values
sealed) then notes (one free text sealed) and phase changes (nothing to seal). Prints the median and
p95 per append on each side and their ratio, then the read of one case's 200 events opened and not.
"""

from __future__ import annotations

import argparse
import statistics
import tempfile
import time
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any

from domain.decide import Context, decide
from domain.events import Event
from domain.state import CaseState, fold
from ledger import vault
from ledger.store import Ledger
from tests import factories as f

T0 = datetime(2026, 3, 2, 9, tzinfo=UTC)


def _plain(conn: Any, case_id: str, event: dict[str, Any]) -> dict[str, Any]:
    return event


def _next(state: CaseState | None, case_id: str, i: int) -> list[Event]:
    at = Context(case_id, T0 + timedelta(minutes=i))
    if state is None:
        return decide(None, f.start(contact={"name": "Anna de Vries", "email": "anna@example.org",
                                             "phone": "+31 6 1234 5678"}), at)
    if i % 3 == 1:
        return decide(state, f.command("change-phase", phase=1 + (state.phase % 4)), at)
    return decide(state, f.command("note", text=f"call {i}: the site in Twente, 30 MVA by 2028"), at)


def _timed(fn: Callable[[], object]) -> float:
    t = time.perf_counter()
    fn()
    return time.perf_counter() - t


def main() -> None:
    p = argparse.ArgumentParser()
    p.add_argument("--events", type=int, default=2000, help="appends per side")
    p.add_argument("--url", help="a ledger URL for both sides (default: two SQLite files in a temp dir)")
    a = p.parse_args()
    tmp = tempfile.mkdtemp(prefix="bench-sealing-")
    sides = {name: Ledger.open(a.url or f"sqlite:///{tmp}/{name}.db", upgrade=True) for name in ("sealed", "plain")}
    sealing = vault.seal_event
    times: dict[str, list[float]] = {name: [] for name in sides}
    states: dict[str, CaseState | None] = {}
    per_case = 200
    for i in range(a.events):
        case = f"BP-2026-{i // per_case:04d}"
        for name, ledger in sides.items():
            key = f"{name}/{case}"
            events = _next(states.get(key), case.replace("BP-2026", "BP-2026" if name == "sealed" else "BP-2027"), i)
            vault.seal_event = sealing if name == "sealed" else _plain  # the measured switch
            try:
                times[name].append(_timed(lambda: ledger.append(events)))  # noqa: B023 - called at once
            finally:
                vault.seal_event = sealing
            states[key] = fold(events, states.get(key))
    for name, ts in times.items():
        ts.sort()
        print(f"{name:>6}: append median {statistics.median(ts) * 1000:.2f} ms, "
              f"p95 {ts[int(len(ts) * 0.95)] * 1000:.2f} ms over {len(ts)} appends")
    ratio = statistics.median(times["plain"]) / statistics.median(times["sealed"])
    print(f"sealed appends run at {ratio:.2f}x the rate of plain ones")
    reads = {name: [_timed(lambda ledger=ledger, name=name: ledger.events(  # type: ignore[misc]  # bound per loop
        "BP-2026-0000" if name == "sealed" else "BP-2027-0000")) for _ in range(30)] for name, ledger in sides.items()}
    for name, ts in reads.items():
        print(f"{name:>6}: read one case's {per_case} events (opened) median {statistics.median(ts) * 1000:.2f} ms")
    for ledger in sides.values():
        ledger.dispose()


if __name__ == "__main__":
    main()
