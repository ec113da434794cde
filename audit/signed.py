"""``audit verify --all`` in full: the chains, tied to the signed heads, and the projection checked.

What ``verify_rows`` (``audit.verify``) cannot see, because an attacker with database access can
recompute any hash, is caught here with signatures made by the worker's ledger key
(``ledger.heads``), checked with public keys only (from the keyring or an export file, never from
the database):

1. the newest signed tree head (STH) must exist (once there is anything to sign), verify with a
   trusted, unrevoked key, and its root must be what the ``case_heads`` rows' ``sth_*`` leaves give
   now (otherwise a head row was deleted or edited: every case's own head signature is checked);
   a tree head kept outside the database (``<keys dir>/ledger-tree-head.json``, written by the
   maker) must not be newer than the ledger's (tree heads deleted);
2. per case, the verified chain's end (seq, hash, seal) must equal its ``case_heads`` row; a case
   unchanged since the STH is covered by the STH's one signature, a changed case by its own head
   signature, and its chain must still pass through the STH's entry;
3. the ``cases`` projection row must equal the fold of the verified chain (every column and the
   state JSON; ``--fast``: last_seq and head_hash only);
4. a projection row or a signed head without events names a deleted case.

Speed: the walk is split by case id over ``processes`` (default 2) forked processes; the head and
projection rows are fetched in pages beside the events; one signature is verified per STH plus one
per case changed since (bench/bench_audit.py).
"""

from __future__ import annotations

import json
import multiprocessing
import os
from collections.abc import Callable
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, field
from functools import partial
from pathlib import Path
from typing import Generic, Protocol, TypeVar

from audit.verify import CaseHead, Finding, Report, rows_of, verify_rows
from domain.state import CaseState, agrees
from keys import PublicKeys
from ledger.heads import (
    SignedHead,
    TreeHead,
    head_message,
    heads_without_events,
    signed_heads_page,
    tree_state,
)
from ledger.store import Ledger, ProjectionRow, iso

LEDGER = "(ledger)"
PAGE = 256
PROJECTED = ("company", "stage", "outcome", "region", "hotspot", "technology_domain", "phase", "last_seq",
             "demo", "owner", "head_hash", "detected_at", "updated_at")
TREE_HEAD_FILE = "ledger-tree-head.json"
MIN_SPLIT = 20_000
"""Below this many events the walk stays in one process (forking costs more than it saves)."""
RECHECKED = ("projection", "head", "unsigned")
"""Per-case findings re-checked alone before they are reported: the walk reads a case's events,
head and projection in separate short transactions, so a case appended to meanwhile could differ."""


@dataclass
class LedgerReport:
    report: Report
    findings: list[Finding]
    heads: dict[str, CaseHead] = field(default_factory=dict)
    tree_head: TreeHead | None = None
    signatures_checked: bool = False

    @property
    def ok(self) -> bool:
        return not self.findings


class _Keyed(Protocol):
    @property
    def case_id(self) -> str: ...


R = TypeVar("R", bound=_Keyed)


class _Rows(Generic[R]):
    """Rows of a per-case table, fetched in pages in the database's case_id order beside the walk.

    ``page(from_case, stop=..., limit=...)`` is ``Ledger.projection_page`` or
    ``ledger.heads.signed_heads_page``; a case not in the current page starts the next one."""

    def __init__(self, page: Callable[..., list[R]], stop: str | None, single: bool) -> None:
        self.page, self.stop, self.limit = page, stop, 1 if single else PAGE
        self.cache: dict[str, R] = {}

    def get(self, case_id: str) -> R | None:
        if case_id not in self.cache:
            self.cache = {r.case_id: r for r in self.page(case_id, stop=self.stop, limit=self.limit)}
        return self.cache.pop(case_id, None)


def _projection_problem(head: CaseHead, row: ProjectionRow | None, strict: bool) -> str | None:
    if row is None:
        return "no row in the cases projection (deleted?)"
    state = head.state
    if strict and state is not None:
        want = {**state.facts(), "head_hash": head.head_hash, "detected_at": iso(state.detected_at),
                "updated_at": iso(state.updated_at)}
    else:
        want = {"last_seq": head.last_seq, "head_hash": head.head_hash}
    bad = [f"{k}={getattr(row, k)!r} (the chain says {want[k]!r})" for k in PROJECTED
           if k in want and getattr(row, k) != want[k]]
    if strict and state is not None and row.state != state.model_dump_json():
        try:  # a projection written by older code may differ in form only, or lack a later field
            same = agrees(CaseState.model_validate_json(row.state), state)
        except ValueError:
            same = False
        if not same:
            bad.append("its state JSON differs from the fold of the chain")
    if not bad:
        return None
    return "the cases projection differs from the chain: " + "; ".join(bad[:4])


class _Cases:
    """Per-case checks at the end of each verified chain (projection, signed head)."""

    def __init__(self, ledger: Ledger, strict: bool, keys: PublicKeys | None, sth_ok: bool,
                 stop: str | None, single: bool, report: Report, want_heads: bool) -> None:
        self.strict, self.keys, self.sth_ok, self.report = strict, keys, sth_ok, report
        self.projections: _Rows[ProjectionRow] = _Rows(ledger.projection_page, stop, single)
        self.signed: _Rows[SignedHead] = _Rows(partial(signed_heads_page, ledger), stop, single)
        self.head_row: SignedHead | None = None
        self.findings: list[Finding] = []
        self.heads: list[tuple[str, int, str, str]] | None = [] if want_heads else None

    def start(self, case_id: str) -> int | None:
        self.head_row = self.signed.get(case_id) if self.keys is not None else None
        return self.head_row.sth_seq if self.head_row is not None else None

    def end(self, head: CaseHead) -> None:
        if self.heads is not None:
            self.heads.append((head.case_id, head.last_seq, head.head_hash, head.seal))
        proj = self.projections.get(head.case_id)
        if head.broken:
            return  # the chain's finding says it; what follows would only echo it
        problem = _projection_problem(head, proj, self.strict)
        if problem:
            self.findings.append(Finding(head.case_id, head.last_seq, problem, "projection"))
        if self.keys is not None:
            finding = self._head(head, self.head_row)
            if finding:
                self.findings.append(finding)
        head.state = None

    def _head(self, e: CaseHead, h: SignedHead | None) -> Finding | None:
        assert self.keys is not None
        case_id, end = e.case_id, (e.last_seq, e.head_hash, e.seal)
        if h is None:
            return Finding(case_id, 1, f"no signed head for this case (its {e.last_seq} event(s) were written "
                           "without the worker's key, or never adopted: `audit sign-tree-head --adopt`)", "unsigned")
        if (h.seq, h.hash, h.seal) != end:
            if e.last_seq > h.seq:
                return Finding(case_id, h.seq + 1, f"{'seq' if e.last_seq == h.seq + 1 else 'seqs'} "
                               f"{h.seq + 1}{'' if e.last_seq == h.seq + 1 else f'..{e.last_seq}'} past the "
                               f"signed head (seq {h.seq}): appended without the worker's key (forged)", "head")
            if e.last_seq < h.seq:
                return Finding(case_id, e.last_seq + 1, f"the chain ends at seq {e.last_seq} but its signed "
                               f"head is seq {h.seq}: truncated", "head")
            if e.head_hash != h.hash:
                return Finding(case_id, e.last_seq, "the chain's last hash is not the signed head's: "
                               "the chain was rewritten", "head")
            return Finding(case_id, e.last_seq, "the seal chain does not end in the signed head's seal: a "
                           f"recorded_at at or before seq {e.last_seq} was edited (and the seals recomputed)", "head")
        sth = (h.sth_seq, h.sth_hash, h.sth_seal) if h.sth_seq is not None else None
        if self.sth_ok and sth == end and h.key_id not in self.keys.revoked:
            return None  # covered by the signed tree head
        problem = self.keys.problem(h.key_id, head_message(case_id, h.seq, h.hash, h.seal), h.signature)
        if problem:
            after = sth[0] if sth and self.sth_ok else 0
            kind = "revoked" if "revoked" in problem else "head"
            return Finding(case_id, after + 1, f"the head at seq {h.seq} is not validly signed ({problem}): "
                           f"events after seq {after} are unproven (forged?)", kind)
        if sth and self.sth_ok:
            key = (case_id, sth[0])
            if e.last_seq < sth[0]:
                return Finding(case_id, e.last_seq + 1, f"truncated: the signed tree head has seq {sth[0]}", "head")
            if (self.report.hash_at.get(key), self.report.seal_at.get(key)) != (sth[1], sth[2]):
                return Finding(case_id, sth[0], "the event at the signed tree head's seq differs: the chain "
                               "was rewritten since", "head")
        return None


def _walk(url: str, strict: bool, keys_raw: dict[str, bytes] | None, revoked: list[str], sth_ok: bool,
          case_id: str | None, start: str | None, stop: str | None, watch: dict[str, int] | None,
          want_heads: bool) -> tuple[Report, list[Finding], list[tuple[str, int, str, str]] | None]:
    ledger = Ledger(url)
    try:
        keys = PublicKeys.from_raw(keys_raw, revoked) if keys_raw is not None else None
        report = Report()
        per_case = _Cases(ledger, strict, keys, sth_ok, stop, case_id is not None, report, want_heads)
        verify_rows(rows_of(ledger, case_id, start=start, stop=stop), strict=strict, fold=True, watch=watch,
                    on_start=per_case.start, on_head=per_case.end, report=report, keys=ledger.keys(walk=True))
        return report, per_case.findings, per_case.heads
    finally:
        ledger.dispose()


def _tree_findings(ledger: Ledger, keys: PublicKeys, outside: Path | None) -> tuple[TreeHead | None, bool, list[Finding]]:
    findings: list[Finding] = []
    now = tree_state(ledger)  # the tree head and the heads' root, read in one snapshot
    sth = now.tree_head
    if sth is None:
        if now.anything:
            findings.append(Finding(LEDGER, 0, "no signed tree head in the ledger (deleted?); the worker "
                                    "makes one at start and after appends", "tree"))
        ok = False
    else:
        problem = keys.problem(sth.key_id, sth.message(), sth.signature)
        ok = problem is None
        if problem:
            findings.append(Finding(LEDGER, 0, f"the signed tree head #{sth.serial} is not trusted ({problem}): "
                                    "replaced or forged", "tree"))
        if ok and (now.root, now.cases, now.events) != (sth.root, sth.cases, sth.events):
            ok = False
            findings.append(Finding(LEDGER, 0, f"the case heads no longer give signed tree head #{sth.serial}'s "
                                    f"root (it covers {sth.cases} cases / {sth.events} events, the heads now "
                                    f"{now.cases} / {now.events}): a head row was deleted or edited since; every "
                                    "case's own head signature is checked instead", "tree"))
    if outside is not None and outside.exists():
        try:
            kept = json.loads(outside.read_text(encoding="utf-8"))
        except ValueError:
            kept = None
        if kept and (sth is None or sth.serial < int(kept["serial"])):
            findings.append(Finding(LEDGER, 0, f"signed tree head #{kept['serial']} (kept in {outside}) is newer "
                                    f"than the ledger's newest ({sth.serial if sth else 'none'}): tree heads were "
                                    "deleted or the ledger rolled back", "tree"))
            ok = False
        elif kept and sth is not None and sth.serial == int(kept["serial"]) and sth.root != kept["root"]:
            findings.append(Finding(LEDGER, 0, f"signed tree head #{sth.serial} differs from the copy in {outside}: "
                                    "replaced", "tree"))
            ok = False
    return sth, ok, findings


def _orphans(ledger: Ledger, keys: PublicKeys | None) -> list[Finding]:
    findings = [Finding(case_id, 1, "a cases projection row without any events (the case's events were deleted, "
                        "or the row was made up)", "deleted") for case_id in ledger.projections_without_events()]
    if keys is not None:
        for case_id, seq, sth_seq in heads_without_events(ledger):
            findings.append(Finding(case_id, 1, f"the whole case (signed head seq {seq}) was deleted"
                                    + (" since the signed tree head" if sth_seq is not None else ""), "deleted"))
    return findings


def _split(ledger: Ledger, processes: int) -> list[tuple[str | None, str | None]]:
    if processes < 2 or "fork" not in multiprocessing.get_all_start_methods():
        return [(None, None)]
    n = ledger.count_events()
    if n < max(MIN_SPLIT, processes):
        return [(None, None)]
    bounds = ledger.case_ids_at([n * i // processes for i in range(1, processes)])
    bounds = sorted(set(bounds), key=bounds.index)
    edges: list[str | None] = [None, *bounds, None]
    return list(zip(edges[:-1], edges[1:], strict=True))


def verify_ledger(
    ledger: Ledger,
    *,
    strict: bool = True,
    keys: PublicKeys | None = None,
    case_id: str | None = None,
    watch: dict[str, int] | None = None,
    want_heads: bool = False,
    processes: int = 2,
    outside: Path | None = None,
    progress: Callable[[str], None] | None = None,
) -> LedgerReport:
    """Verify one case or the whole ledger: chains, projection and (with ``keys``) signatures."""
    findings: list[Finding] = []
    sth, sth_ok = None, False
    if keys is not None:
        sth, sth_ok, findings = _tree_findings(ledger, keys, outside)
    ranges = [(None, None)] if case_id else _split(ledger, processes)
    raw = keys.as_raw() if keys is not None else None
    revoked = sorted(keys.revoked) if keys is not None else []
    args = [(ledger.url, strict, raw, revoked, sth_ok, case_id, lo, hi, watch, want_heads) for lo, hi in ranges]
    if len(args) == 1:
        results = [_walk(*args[0])]
    else:
        ledger.dispose()  # no pooled connection may cross the fork
        with ProcessPoolExecutor(len(args) - 1, mp_context=multiprocessing.get_context("fork")) as pool:
            futures = [pool.submit(_walk, *a) for a in args[1:]]
            results = [_walk(*args[0])] + [f.result() for f in futures]
    report = Report()
    heads: dict[str, CaseHead] = {}
    for part, found, part_heads in results:
        report.cases += part.cases
        report.events += part.events
        report.findings += part.findings
        report.hash_at.update(part.hash_at)
        report.seal_at.update(part.seal_at)
        findings += found
        for c, s, h, seal in part_heads or ():
            heads[c] = CaseHead(c, s, h, seal)
    if case_id is None:
        findings += _orphans(ledger, keys)
    suspect = sorted({f.case_id for f in findings if f.kind in RECHECKED and f.case_id != LEDGER} - {case_id})
    if suspect:
        findings = [f for f in findings if f.case_id not in suspect or f.kind not in RECHECKED]
        for c in suspect:
            _, again, _ = _walk(ledger.url, strict, raw, revoked, sth_ok, c, None, None, None, False)
            findings += again
    every = findings + report.findings
    every.sort(key=lambda f: (f.case_id != LEDGER, f.case_id, f.seq))
    return LedgerReport(report, every, heads, sth, keys is not None)


def default_processes() -> int:
    return max(1, min(2, os.cpu_count() or 1))
