"""Benchmark the auditor: verify speed over a large ledger, as-of rebuild of a long case.

    .venv/bin/python -m bench.bench_audit [--events 1000000] [--case-events 1000] [--url URL]

Builds a ledger of N events (cases of --case-events events each, real domain events from
``domain.decide``, chained with the real hash rule), then times ``audit verify --all`` (streaming)
and the as-of rebuild (ledger read + fold) of one case. Prints figures; asserts nothing.
"""

from __future__ import annotations

import argparse
import hashlib
import os
import resource
import tempfile
import time
from datetime import UTC, datetime, timedelta

from sqlalchemy import insert

from audit.history import as_of
from audit.verify import rows_of, verify_rows
from domain.chain import GENESIS, canonical_json
from domain.decide import Context, decide
from domain.state import fold
from ledger.schema import ledger_events
from ledger.store import Ledger, iso
from tests import factories as f

T0 = datetime(2025, 1, 6, 9, 0, tzinfo=UTC)
TEMPLATE = "lead-bench-template"


def template_case(n: int) -> list[tuple[str, int, str, str, str]]:
    """One case of n real events: (type, seq, at, actor, canonical payload) with case id TEMPLATE."""
    state, out = None, []
    commands = [f.start(phase=1), f.command("articulate-needs", needs=f.NEEDS)]
    commands += [f.command("change-phase", phase=2 + i % 2) for i in range(n - 2)]
    for i, cmd in enumerate(commands):
        events = decide(state, cmd, Context(TEMPLATE, T0 + timedelta(hours=i)))
        state = fold(events, state)
        out += [(e.type, e.seq, iso(e.at), e.actor, canonical_json(e)) for e in events]
    return out


def build(ledger: Ledger, total: int, per_case: int) -> float:
    template = template_case(per_case)
    started = time.perf_counter()
    cases = total // per_case
    now = iso(datetime.now(UTC))
    with ledger.engine.begin() as conn:
        for c in range(cases):
            case_id = f"lead-bench-{c:07d}"
            prev, batch = GENESIS, []
            for type_, seq, at, actor, payload in template:
                payload = payload.replace(f'"case_id":"{TEMPLATE}"', f'"case_id":"{case_id}"')
                h = hashlib.sha256((prev + payload).encode()).hexdigest()
                batch.append({
                    "case_id": case_id, "seq": seq, "event_id": f"{case_id}/{seq}", "type": type_, "at": at,
                    "actor": actor, "organisation": "BOM", "payload": payload, "prev_hash": prev, "hash": h,
                    "recorded_at": now,
                })
                prev = h
            conn.execute(insert(ledger_events), batch)
    return time.perf_counter() - started


def main() -> None:
    p = argparse.ArgumentParser()
    p.add_argument("--events", type=int, default=1_000_000)
    p.add_argument("--case-events", type=int, default=1000)
    p.add_argument("--url", help="ledger URL (default: a SQLite file in a temp dir)")
    a = p.parse_args()
    tmp = tempfile.mkdtemp(prefix="bench-audit-")
    url = a.url or f"sqlite:///{tmp}/ledger.db"
    ledger = Ledger.open(url, upgrade=True)
    if ledger.count_events() < a.events:
        secs = build(ledger, a.events, a.case_events)
        print(f"built {a.events:,} events in {secs:.1f} s ({a.events / secs:,.0f} events/s)")
    n = ledger.count_events()

    started = time.perf_counter()
    report = verify_rows(rows_of(ledger))
    verify_s = time.perf_counter() - started
    assert report.ok, report.findings[:3]
    rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024

    case_id = "lead-bench-0000000"
    middle = T0 + timedelta(hours=a.case_events // 2)
    timings = []
    for _ in range(5):
        t = time.perf_counter()
        rows, state = as_of(ledger, case_id, middle)
        timings.append(time.perf_counter() - t)
    full = []
    for _ in range(5):
        t = time.perf_counter()
        rows_all, _ = as_of(ledger, case_id, None)
        full.append(time.perf_counter() - t)

    size = os.path.getsize(f"{tmp}/ledger.db") / 2**20 if not a.url else float("nan")
    print(f"ledger: {n:,} events in {len(report.cases):,} cases, {size:,.0f} MiB")
    print(f"verify --all: {verify_s:.1f} s = {n / verify_s:,.0f} events/s (max RSS {rss:,.0f} MiB, streaming)")
    print(f"as-of rebuild of a {a.case_events}-event case at its midpoint ({len(rows)} events): "
          f"median {sorted(timings)[2] * 1000:.0f} ms; whole case ({len(rows_all)} events): "
          f"median {sorted(full)[2] * 1000:.0f} ms")
    ledger.dispose()


if __name__ == "__main__":
    main()
