"""Benchmark the auditor: verify speed over a large ledger, as-of rebuild of a long case.

    .venv/bin/python -m bench.bench_audit [--events 1000000] [--case-events 1000] [--url URL]

Builds a ledger of N events in a SQLite file in a temp dir (or --url), half in long cases of
--case-events events (locations tried, consultations refused, new proposals, again and again),
half in short cases (the happy path, back to matchmaking, closed and reopened). The events are
real: ``domain.decide`` over a pool of distinct cases (matchmaking scored against the shipped
hotspot offers), cloned under new case ids, chained with the real hash rule, bulk-inserted by
``ledger.bulk.load``, with their seals, the ``cases`` projection and a signed head per case (a
throwaway key). Then it times the bare read, the chain-only walk (old: what ``verify --all``
checked before the new checks, both canonical-form strengths, run by this code's ``verify_rows``;
for the code before a change, run the bench from its checkout) side by side with the full
``audit verify --all`` (new: seals, the
projection against the fold, signed heads and tree head; with every case changed since the tree
head, i.e. one signature per case, and with none, i.e. one signature), and the as-of rebuild
(read + verify + fold) of one long case. Prints figures; asserts only that the ledger verifies.
"""

from __future__ import annotations

import argparse
import base64
import hashlib
import itertools
import json
import os
import resource
import statistics
import tempfile
import time
import uuid
from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta
from typing import TypeVar

from audit.history import as_of
from audit.signed import verify_ledger
from audit.verify import rows_of, verify_rows
from domain.chain import GENESIS, canonical_json, chain_hash
from domain.commands import DetectLead
from domain.events import parse_event
from domain.personal import Place, places, replaced
from domain.state import fold
from keys import Signer, sealing
from ledger import bulk, heads
from ledger.heads import make_tree_head
from ledger.store import Ledger, iso
from tests import audit_cases as ac
from tests import factories as f

T = TypeVar("T")

T0 = datetime(2025, 1, 6, 9, 0, tzinfo=UTC)
PLACEHOLDER = "lead-template-000000"
COMPANIES = ["Photon Forge BV", "Quantum Delta Labs", "Nano Grid BV", "Chip Ridge", "Bio Fab Holland"]
ORGS = ["BOM", "Oost NL", "NOM", "InnovationQuarter", None]
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
        assert isinstance(story[0], DetectLead), "a story starts with its lead"
        story[0] = f.command("start", lead={**f.LEAD, **lead, "phase": story[0].lead.phase},
                             actor=f"coordinator-{i % 7}", organisation=ORGS[i % len(ORGS)])
        short.append(_template(ac.run(PLACEHOLDER, story, t0)))
    for i in range(4):
        t0 = T0 + timedelta(days=11 * i)
        long.append(_template(ac.run(PLACEHOLDER, ac.long_case(t0), t0, timedelta(hours=9), limit=per_case)))
    return short, long


def _projection(template: Template) -> dict:
    """The ``cases`` row of a template's case (placeholder id), as ``Ledger._project`` writes it."""
    state = fold(parse_event(t[5]) for t in template)
    assert state is not None
    return {**state.facts(), "state": state.model_dump_json(), "detected_at": iso(state.detected_at),
            "updated_at": iso(state.updated_at)}


def build(ledger: Ledger, total: int, per_case: int, signer: Signer) -> tuple[float, int]:
    """Events (hashed and sealed), the cases projection and each case's signed head."""
    short, long = templates(per_case)
    projections = {id(t): _projection(t) for t in short + long}
    started = time.perf_counter()
    now = iso(datetime.now(UTC))
    projected: list[dict[str, object]] = []
    signed: list[dict[str, object]] = []
    sealed_keys: list[dict[str, object]] = []
    personal = {id(t): [bool(list(places(json.loads(e[5])))) for e in t] for t in short + long}
    long_plan = ((f"lead-bench-long-{c:05d}", long[c % len(long)]) for c in itertools.count())
    short_plan = ((f"lead-bench-{c:07d}", short[c % len(short)]) for c in itertools.count())

    def events() -> Iterator[dict[str, object]]:
        n = 0
        for source, target in ((long_plan, total // 2), (short_plan, total)):
            for case_id, template in source:
                if n + len(template) > target:
                    break
                prev = seal = GENESIS
                key = f'"case_id":"{PLACEHOLDER}"'
                vault: dict[str, tuple[str, bytes]] = {}  # as ledger.vault keys them: a key per value per case
                for (type_, seq, at, actor, org, payload), has in zip(template, personal[id(template)], strict=True):
                    payload = payload.replace(key, f'"case_id":"{case_id}"', 1)
                    if has:  # contacts and free text sealed, as Ledger.append seals them
                        payload = _sealed(case_id, seq, payload, vault, sealed_keys, now)
                    h = chain_hash(prev, payload)
                    seal = heads.seal(seal, h, now)
                    yield {
                        "case_id": case_id, "seq": seq, "event_id": f"{case_id}/{seq}", "type": type_, "at": at,
                        "actor": actor, "organisation": org, "payload": payload, "prev_hash": prev, "hash": h,
                        "recorded_at": now, "seal": seal,
                    }
                    prev = h
                n += len(template)
                proj = projections[id(template)]
                projected.append({**proj, "case_id": case_id, "head_hash": prev,
                                  "state": proj["state"].replace(PLACEHOLDER, case_id)})
                last = template[-1][1]
                signed.append({"case_id": case_id, "seq": last, "hash": prev, "seal": seal,
                               "key_id": signer.key_id,
                               "signature": signer.sign(heads.head_message(case_id, last, prev, seal))})

    bulk.load(ledger, events=events(), projections=projected, heads=signed, keys=sealed_keys)  # events fill the lists
    return time.perf_counter() - started, len(projected)


def _sealed(case_id: str, seq: int, payload: str, vault: dict[str, tuple[str, bytes]],
            rows: list[dict[str, object]], now: str) -> str:
    def seal_one(place: Place, value: str) -> str:
        ref = f"{place.kind}:{value}" if place.kind != "text" else f"text:{seq}:{place.path}"
        if ref not in vault:
            vault[ref] = (uuid.uuid4().hex, sealing.new_key())
            rows.append({"key_id": vault[ref][0], "case_id": case_id, "ref": hashlib.sha256(ref.encode()).hexdigest(),
                         "key": base64.b64encode(vault[ref][1]).decode(), "created_at": now, "erased_at": None})
        key_id, k = vault[ref]
        return sealing.seal(key_id, k, case_id, place.path, value)

    return canonical_json(replaced(json.loads(payload), seal_one))


def rss_mib() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def timed(fn: Callable[[], T], repeat: int = 5) -> tuple[float, T]:
    times = []
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
    signer = Signer.generate()
    make_tree_head(ledger, signer, signer.public())  # #1 before any case head: every case "changed since"
    if ledger.count_events() < a.events:
        secs, cases = build(ledger, a.events, a.case_events, signer)
        print(f"built {ledger.count_events():,} events in {cases:,} cases in {secs:.1f} s "
              f"({ledger.count_events() / secs:,.0f} events/s incl. hashing)")
    n = ledger.count_events()
    size = os.path.getsize(f"{tmp}/ledger.db") / 2**20 if not a.url else float("nan")
    print(f"ledger: {n:,} events, {size:,.0f} MiB")

    print(f"peak RSS before the walks: {rss_mib():,.0f} MiB")
    t = time.perf_counter()
    read = sum(1 for _ in rows_of(ledger))
    read_s = time.perf_counter() - t
    print(f"read only (audit.verify.rows_of -> Ledger.stored_rows, driver tuples): {read / read_s:,.0f} rows/s")
    if a.ledger_reader:
        t = time.perf_counter()
        read = sum(1 for _ in ledger.iter_all_rows())
        print(f"read only (Ledger.iter_all_rows: the same pages as LedgerRow): "
              f"{read / (time.perf_counter() - t):,.0f} rows/s")

    trusted = signer.public()
    results: dict[str, float] = {}
    cpu_per: dict[str, float] = {}

    def cpu() -> float:
        own, kids = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)
        return own.ru_utime + own.ru_stime + kids.ru_utime + kids.ru_stime

    def run(label: str, fn) -> None:
        t, c = time.perf_counter(), cpu()
        report = fn()
        secs, cpu_s = time.perf_counter() - t, cpu() - c
        assert report.ok, (report.findings[:3])
        results[label], cpu_per[label] = n / secs, cpu_s / n * 1e6
        print(f"  {label:<62} {secs:6.1f} s = {n / secs:>8,.0f} events/s; CPU {cpu_s / n * 1e6:5.1f} µs/event; "
              f"peak RSS {rss_mib():,.0f} MiB", flush=True)

    print("verify --all over the whole ledger (old = chains only, as before this change):")
    for label, strict in (("old: chains only, strict (verify_rows)", True), ("old: chains only, --fast", False)):
        run(label, lambda strict=strict: verify_rows(rows_of(ledger), strict=strict))
    for label, strict, jobs in (
        ("new: strict + projection + signatures, every case changed, 2 proc", True, 2),
    ):
        run(label, lambda strict=strict, jobs=jobs: verify_ledger(ledger, strict=strict, keys=trusted, processes=jobs))
    sth = make_tree_head(ledger, signer, trusted)
    print(f"  (signed tree head #{sth.serial} over {sth.cases:,} case heads)")
    for label, strict, jobs in (
        ("new: strict + projection + tree head, 2 processes (default)", True, 2),
        ("new: strict + projection + tree head, 1 process", True, 1),
        ("new: --fast + projection columns + tree head, 2 processes", False, 2),
    ):
        run(label, lambda strict=strict, jobs=jobs: verify_ledger(ledger, strict=strict, keys=trusted, processes=jobs))
    t = time.perf_counter()
    sth = make_tree_head(ledger, signer, trusted)
    print(f"  making a signed tree head with nothing changed: {time.perf_counter() - t:.2f} s")
    old, new, one = ("old: chains only, strict (verify_rows)", "new: strict + projection + tree head, 2 processes (default)",
                     "new: strict + projection + tree head, 1 process")
    print(f"strict verify --all: old {results[old]:,.0f} events/s ({cpu_per[old]:.1f} µs CPU/event), new "
          f"{results[new]:,.0f} events/s with 2 processes, {results[one]:,.0f} with 1 ({cpu_per[new]:.1f} and "
          f"{cpu_per[one]:.1f} µs CPU/event; target >= 40,000 events/s); load average {os.getloadavg()[0]:.2f}")

    case_id = "lead-bench-long-00000"
    rows = ledger.events(case_id)
    middle = rows[len(rows) // 2].at
    mid_s, mid = timed(lambda: as_of(ledger, case_id, middle))
    all_s, whole = timed(lambda: as_of(ledger, case_id, None))
    assert whole.state is not None, "the bench ledger holds the case"
    print(f"as-of rebuild of a {len(rows)}-event case (read + verify + fold): at its midpoint "
          f"({len(mid.rows)} events) {mid_s * 1000:.0f} ms; whole case {all_s * 1000:.0f} ms; "
          f"state {whole.state.stage.value}, {len(whole.state.consultations)} consultations")
    parse_s, events = timed(lambda: [parse_event(r.opened or r.payload) for r in rows])
    fold_s, _ = timed(lambda: fold(events))
    print(f"  of which parsing {len(rows)} events {parse_s * 1000:.0f} ms, folding them {fold_s * 1000:.0f} ms")
    ledger.dispose()


if __name__ == "__main__":
    main()
