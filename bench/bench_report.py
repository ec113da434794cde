"""Benchmark the impact report over many cases (target: under 2 s for 10,000 cases).

    .venv/bin/python -m bench.bench_report [--cases 10000] [--url URL]

Builds a ledger of realistic cases with the real domain (``decide``) spread over 2025-2028 —
realised elsewhere and at home, closed without a proposition, reopened, still open — then times
``render_report`` for the whole programme in JSON and HTML. Prints figures; asserts nothing.
"""

from __future__ import annotations

import argparse
import random
import tempfile
import time
from datetime import UTC, datetime, timedelta

from sqlalchemy import insert

from domain.chain import GENESIS, canonical_json, chain_hash
from domain.decide import Context, decide
from domain.models import MatchProposal
from domain.state import fold
from ledger.schema import ledger_events
from ledger.store import Ledger, iso
from reports import render_report
from tests import factories as f

REGIONS = ["nom", "oost-nl", "bom", "innovationquarter", "horizon-flevoland", "liof", "rom-utrecht"]
HOTSPOTS = {"twente": "oost-nl", "groningen": "nom", "almere": "horizon-flevoland",
            "brainport-eindhoven": "bom", "zuidvleugel": "innovationquarter"}


def case_commands(rng: random.Random, start: datetime) -> list[tuple[datetime, object]]:
    hotspot = rng.choice(list(HOTSPOTS))
    steps = [(0, f.start(phase=rng.choice([1, 2, 3]), home_region=rng.choice(REGIONS),
                         company_type=rng.choice(["startup", "scaleup", "grownup"])))]
    kind = rng.random()
    steps.append((20, f.command("articulate-needs", needs=f.NEEDS)))
    if kind < 0.15:
        return [(start + timedelta(days=d), c) for d, c in steps]
    steps.append((40, f.command("propose-matches", proposals=[MatchProposal(
        hotspot=hotspot, region=HOTSPOTS[hotspot], score=0.7, viable=True, reasons=["r"]).model_dump()])))
    if kind < 0.3:
        steps.append((60, f.command("close", outcome="no_proposition_possible", bottleneck="energy", reason="grid")))
        return [(start + timedelta(days=d), c) for d, c in steps]
    due = (start + timedelta(days=120)).date().isoformat()
    steps += [(50, f.command("choose-location", hotspot=hotspot)),
              (60, f.command("request-consultation", party="municipality", subject="z", due=due)),
              (90, f.command("answer-consultation", consultation_id="C1", verdict="positive", answer="ok"))]
    if kind < 0.45:
        return [(start + timedelta(days=d), c) for d, c in steps]
    steps += [(120, f.command("start-realisation")),
              (200, f.command("realise", investment_eur=rng.randrange(1, 200) * 1_000_000, jobs=50,
                              new_scaleup=rng.random() < 0.5))]
    return [(start + timedelta(days=d), c) for d, c in steps]


def build(ledger: Ledger, n: int) -> int:
    rng = random.Random(42)
    rows, total = [], 0
    now = iso(datetime.now(UTC))
    for i in range(n):
        case_id = f"lead-report-{i:06d}"
        start = datetime(2025, 1, 1, tzinfo=UTC) + timedelta(days=rng.randrange(0, 1200))
        state, prev = None, GENESIS
        for when, cmd in case_commands(rng, start):
            for ev in decide(state, cmd, Context(case_id, when)):
                state = fold([ev], state)
                payload = canonical_json(ev)
                h = chain_hash(prev, payload)
                rows.append({"case_id": case_id, "seq": ev.seq, "event_id": ev.event_id, "type": ev.type,
                             "at": iso(ev.at), "actor": ev.actor, "organisation": ev.organisation,
                             "payload": payload, "prev_hash": prev, "hash": h, "recorded_at": now})
                prev = h
        if len(rows) > 20_000:
            with ledger.engine.begin() as conn:
                conn.execute(insert(ledger_events), rows)
            total += len(rows)
            rows = []
    with ledger.engine.begin() as conn:
        if rows:
            conn.execute(insert(ledger_events), rows)
    return total + len(rows)


def main() -> None:
    p = argparse.ArgumentParser()
    p.add_argument("--cases", type=int, default=10_000)
    p.add_argument("--url")
    a = p.parse_args()
    url = a.url or f"sqlite:///{tempfile.mkdtemp(prefix='bench-report-')}/ledger.db"
    ledger = Ledger.open(url, upgrade=True)
    t = time.perf_counter()
    events = build(ledger, a.cases)
    print(f"built {a.cases:,} cases, {events:,} events in {time.perf_counter() - t:.1f} s")
    for fmt in ("json", "html", "md"):
        times = []
        for _ in range(3):
            t = time.perf_counter()
            out = render_report(ledger, "2025-2028", fmt)
            times.append(time.perf_counter() - t)
        print(f"report 2025-2028 over {a.cases:,} cases as {fmt}: median {sorted(times)[1]:.2f} s "
              f"({len(out):,} bytes; target < 2 s: {'met' if sorted(times)[1] < 2 else 'NOT met'})")
    ledger.dispose()


if __name__ == "__main__":
    main()
