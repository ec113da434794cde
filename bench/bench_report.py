"""Benchmark the impact report over many cases (target: under 2 s for 10,000 cases).

    .venv/bin/python -m bench.bench_report [--cases 10000] [--url URL]

Builds a ledger of realistic cases with the real domain (``decide``) spread over 2025-2028 —
realised elsewhere and at home, closed without a proposition, sent back from consultation to
matchmaking, withdrawn and reopened, still open, with reminders — written with ``ledger.bulk.load``
(hash-chained like the ledger's own, which would take minutes one command at a time), then times
``render_report`` for the whole programme and for a half year in JSON, HTML and Markdown.
Prints figures; asserts nothing.
"""

from __future__ import annotations

import argparse
import random
import tempfile
import time
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

from domain.chain import GENESIS, canonical_json, chain_hash
from domain.commands import Command
from domain.decide import Context, decide
from domain.models import MatchProposal
from domain.state import fold
from domain.vocab import HotspotId, Region
from ledger import bulk
from ledger.store import Ledger, iso
from reports import render_report
from tests import factories as f

REGIONS = ["nom", "oost-nl", "bom", "innovationquarter", "horizon-flevoland", "liof", "rom-utrecht"]
HOTSPOTS = {"twente": "oost-nl", "groningen": "nom", "almere": "horizon-flevoland",
            "brainport-eindhoven": "bom", "zuidvleugel": "innovationquarter", "arnhem-nijmegen": "oost-nl"}
DOMAINS = ["photonics", "quantum", "semiconductors", "ai-data", "energy-materials", "mechatronics", "imaging"]
NEEDS = [f.NEEDS, {"energy": {"grid_mva": 8}, "needed_by": "2029-01-01"},
         {"space": {"m2": 1200}, "capital": {"capex_eur": 9_000_000}, "needed_by": "2028-01-01"},
         {"talent": {"mbo_fte": 30, "hbo_fte": 10}, "housing": {"jobs": 300}, "needed_by": "2030-01-01"}]


def _proposals(rng: random.Random, k: int) -> list[dict]:
    return [MatchProposal(hotspot=HotspotId(h), region=Region(HOTSPOTS[h]), score=0.7, viable=True,
                          reasons=["r"]).model_dump()
            for h in rng.sample(list(HOTSPOTS), k)]


def case_commands(rng: random.Random) -> list[tuple[int, Command]]:
    """(day offset, command) for one case: each path the programme knows, in realistic shares."""
    c = f.command
    phase = rng.choice([1, 2, 2, 3])
    steps: list[tuple[int, Command]] = [
        (0, f.start(phase=phase, home_region=rng.choice(REGIONS), technology_domain=rng.choice(DOMAINS),
                    company_type=rng.choice(["startup", "scaleup", "grownup"]))),
        (5, c("record-reminder", key="phase2", rule="phase-2", subject="s", channel="email", recipient="c@x.nl")),
    ]
    if phase < 3 and rng.random() < 0.5:
        steps.append((10, c("change-phase", phase=phase + 1)))
    steps.append((20, c("articulate-needs", needs=rng.choice(NEEDS))))
    r = rng.random()
    if r < 0.15:  # still articulating
        return steps
    steps.append((40, c("propose-matches", proposals=_proposals(rng, rng.randint(1, 3)))))
    if r < 0.3:
        return steps + [(60, c("close", outcome="no_proposition_possible", reason="no site",
                                bottleneck=rng.choice(["space", "energy", "talent", "housing", "financing"])))]
    due = "2031-01-01"
    steps += [(50, c("choose-location", hotspot=rng.choice(list(HOTSPOTS)))),
              (60, c("request-consultation", party="municipality", subject="z", due=due))]
    if rng.random() < 0.2:  # refused: back to matchmaking and try again
        steps += [(80, c("answer-consultation", consultation_id="C1", verdict="negative", answer="no")),
                  (90, c("propose-matches", proposals=_proposals(rng, 2))),
                  (95, c("choose-location", hotspot=rng.choice(list(HOTSPOTS)))),
                  (100, c("request-consultation", party="grid_operator", subject="g", due=due)),
                  (120, c("answer-consultation", consultation_id="C2", verdict="positive", answer="ok"))]
    else:
        steps.append((90, c("answer-consultation", consultation_id="C1", verdict="positive", answer="ok")))
    if rng.random() < 0.1:  # paused and picked up again
        steps += [(130, c("close", outcome="withdrawn", reason="paused")), (200, c("reopen"))]
    if r < 0.45:  # still in consultation
        return steps
    return steps + [(210, c("start-realisation")),
                    (290, c("realise", investment_eur=rng.randrange(1, 200) * 1_000_000, jobs=50,
                            new_scaleup=rng.random() < 0.5))]


def build(ledger: Ledger, n: int) -> int:
    return bulk.load(ledger, events=_rows(n))


def _rows(n: int) -> Iterator[dict[str, object]]:
    rng = random.Random(42)
    now = iso(datetime.now(UTC))
    for i in range(n):
        case_id = f"lead-report-{i:06d}"
        start = datetime(2025, 1, 1, 9, tzinfo=UTC) + timedelta(days=rng.randrange(0, 1200))
        state, prev = None, GENESIS
        for offset, cmd in case_commands(rng):
            for ev in decide(state, cmd, Context(case_id, start + timedelta(days=offset))):
                state = fold([ev], state)
                payload = canonical_json(ev)
                h = chain_hash(prev, payload)
                yield {"case_id": case_id, "seq": ev.seq, "event_id": ev.event_id, "type": ev.type,
                       "at": iso(ev.at), "actor": ev.actor, "organisation": ev.organisation,
                       "payload": payload, "prev_hash": prev, "hash": h, "recorded_at": now}
                prev = h


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
    for period, fmt in (("2025-2028", "json"), ("2025-2028", "html"), ("2025-2028", "md"), ("2026H1", "html")):
        times = []
        for _ in range(3):
            t = time.perf_counter()
            out = render_report(ledger, period, fmt)
            times.append(time.perf_counter() - t)
        print(f"report {period} over {a.cases:,} cases as {fmt}: median {sorted(times)[1]:.2f} s, "
              f"max {max(times):.2f} s ({len(out):,} bytes; target < 2 s: {'met' if max(times) < 2 else 'NOT met'})")
    ledger.dispose()


if __name__ == "__main__":
    main()
