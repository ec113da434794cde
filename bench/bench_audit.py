"""Benchmark the auditor: verify speed over a large ledger, as-of rebuild of a long case.

    .venv/bin/python -m bench.bench_audit [--events 1000000] [--case-events 1000] [--url URL]

Builds a ledger of N events in a SQLite file in a temp dir (or --url), half in long cases of
--case-events events (locations tried, consultations refused, new proposals, again and again),
half in short cases (the happy path, back to matchmaking, closed and reopened). The events are
real: ``domain.decide`` over a pool of distinct cases (matchmaking scored against the shipped
hotspot offers), cloned under new case ids, chained with the real hash rule, bulk-inserted with
SQLAlchemy Core. Then it times the bare read, ``audit verify --all`` (both canonical-form
strengths, streamed; peak RSS before and after shows it does not grow with the ledger), and the as-of rebuild (read + verify + fold) of one long case. Prints figures;
asserts only that the ledger verifies.
"""

from __future__ import annotations

import argparse
import hashlib
import itertools
import os
import resource
import statistics
import tempfile
import time
from datetime import UTC, datetime, timedelta

from sqlalchemy import insert

from audit.history import as_of
from audit.verify import rows_of, verify_rows
from domain.chain import GENESIS, canonical_json
from domain.events import parse_event
from domain.state import fold
from ledger.schema import ledger_events
from ledger.store import Ledger, iso
from tests import audit_cases as ac
from tests import factories as f

T0 = datetime(2025, 1, 6, 9, 0, tzinfo=UTC)
PLACEHOLDER = "lead-template-000000"
COMPANIES = ["Photon Forge BV", "Quantum Delta Labs", "Nano Grid BV", "Chip Ridge", "Bio Fab Holland"]
ORGS = ["BOM", "Oost NL", "NOM", "InnovationQuarter", None]
BATCH = 20_000

Template = list[tuple[str, int, str, str, str | None, str]]  # type, seq, at, actor, organisation, payload


def _template(events: list) -> Template:
    return [(e.type, e.seq, iso(e.at), e.actor, e.organisation, canonical_json(e)) for e in events]


def templates(per_case: int, pool: int = 60) -> tuple[list[Template], list[Template]]:
    """A pool of distinct short cases and a few long ones, each decided from scratch."""
    short, long = [], []
    for i in range(pool):
        t0 = T0 + timedelta(days=3 * i, minutes=17 * i)
        lead = {"company": COMPANIES[i % len(COMPANIES)], "kvk": f"{10_000_000 + i}"}
        story = list(ac.STORIES.values())[i % len(ac.STORIES)](t0)
        story[0] = f.command("start", lead={**f.LEAD, **lead, "phase": story[0].lead.phase},
                             actor=f"coordinator-{i % 7}", organisation=ORGS[i % len(ORGS)])
        short.append(_template(ac.run(PLACEHOLDER, story, t0)))
    for i in range(4):
        t0 = T0 + timedelta(days=11 * i)
        long.append(_template(ac.run(PLACEHOLDER, ac.long_case(t0), t0, timedelta(hours=9), limit=per_case)))
    return short, long


def build(ledger: Ledger, total: int, per_case: int) -> tuple[float, int]:
    short, long = templates(per_case)
    started = time.perf_counter()
    now, batch, n, cases = iso(datetime.now(UTC)), [], 0, 0
    long_plan = ((f"lead-bench-long-{c:05d}", long[c % len(long)]) for c in itertools.count())
    short_plan = ((f"lead-bench-{c:07d}", short[c % len(short)]) for c in itertools.count())
    with ledger.engine.begin() as conn:
        for source, target in ((long_plan, total // 2), (short_plan, total)):
            for case_id, template in source:
                if n + len(template) > target:
                    break
                cases += 1
                prev = GENESIS
                key = f'"case_id":"{PLACEHOLDER}"'
                for type_, seq, at, actor, org, payload in template:
                    payload = payload.replace(key, f'"case_id":"{case_id}"', 1)
                    h = hashlib.sha256((prev + payload).encode()).hexdigest()
                    batch.append({
                        "case_id": case_id, "seq": seq, "event_id": f"{case_id}/{seq}", "type": type_, "at": at,
                        "actor": actor, "organisation": org, "payload": payload, "prev_hash": prev, "hash": h,
                        "recorded_at": now,
                    })
                    prev = h
                n += len(template)
                if len(batch) >= BATCH:
                    conn.execute(insert(ledger_events), batch)
                    batch = []
        if batch:
            conn.execute(insert(ledger_events), batch)
    return time.perf_counter() - started, cases


def rss_mib() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def timed(fn, repeat: int = 5) -> tuple[float, object]:  # type: ignore[no-untyped-def]
    times, result = [], None
    for _ in range(repeat):
        t = time.perf_counter()
        result = fn()
        times.append(time.perf_counter() - t)
    return statistics.median(times), result


def main() -> None:
    p = argparse.ArgumentParser()
    p.add_argument("--events", type=int, default=1_000_000)
    p.add_argument("--case-events", type=int, default=1000)
    p.add_argument("--url", help="ledger URL (default: a SQLite file in a temp dir)")
    p.add_argument("--ledger-reader", action="store_true", help="also time Ledger.iter_all_rows")
    a = p.parse_args()
    tmp = tempfile.mkdtemp(prefix="bench-audit-")
    url = a.url or f"sqlite:///{tmp}/ledger.db"
    ledger = Ledger.open(url, upgrade=True)
    if ledger.count_events() < a.events:
        secs, cases = build(ledger, a.events, a.case_events)
        print(f"built {ledger.count_events():,} events in {cases:,} cases in {secs:.1f} s "
              f"({ledger.count_events() / secs:,.0f} events/s incl. hashing)")
    n = ledger.count_events()
    size = os.path.getsize(f"{tmp}/ledger.db") / 2**20 if not a.url else float("nan")
    print(f"ledger: {n:,} events, {size:,.0f} MiB")

    rss0 = rss_mib()
    t = time.perf_counter()
    read = sum(1 for _ in rows_of(ledger))
    read_s = time.perf_counter() - t
    print(f"read only (audit.verify.rows_of -> LedgerRow, row-value keyset): {read / read_s:,.0f} rows/s")
    if a.ledger_reader:
        t = time.perf_counter()
        read = sum(1 for _ in ledger.iter_all_rows())
        print(f"read only (Ledger.iter_all_rows, OR keyset): {read / (time.perf_counter() - t):,.0f} rows/s")

    for label, strict in (("verify --all (strict, default)", True), ("verify --all --fast", False)):
        t = time.perf_counter()
        report = verify_rows(rows_of(ledger), strict=strict)
        secs = time.perf_counter() - t
        assert report.ok, report.findings[:3]
        print(f"{label}: {report.events:,} events in {report.cases:,} cases in {secs:.1f} s = "
              f"{n / secs:,.0f} events/s; peak RSS {rss0:,.0f} -> {rss_mib():,.0f} MiB")

    case_id = "lead-bench-long-00000"
    rows = ledger.events(case_id)
    middle = rows[len(rows) // 2].at
    mid_s, mid = timed(lambda: as_of(ledger, case_id, middle))
    all_s, whole = timed(lambda: as_of(ledger, case_id, None))
    print(f"as-of rebuild of a {len(rows)}-event case (read + verify + fold): at its midpoint "
          f"({len(mid.rows)} events) {mid_s * 1000:.0f} ms; whole case {all_s * 1000:.0f} ms; "
          f"state {whole.state.stage.value}, {len(whole.state.consultations)} consultations")
    parse_s, events = timed(lambda: [parse_event(r.payload) for r in rows])
    fold_s, _ = timed(lambda: fold(events))
    print(f"  of which parsing {len(rows)} events {parse_s * 1000:.0f} ms, folding them {fold_s * 1000:.0f} ms")
    ledger.dispose()


if __name__ == "__main__":
    main()
