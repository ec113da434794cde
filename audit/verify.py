"""Walk each case's hash chain and name the first row that breaks it.

A row is sound when its payload is the canonical JSON of an event (so the hash rule applies to
exactly those bytes), its columns agree with the payload, its seq follows the previous row's,
its ``prev_hash`` is the previous row's hash (64 zeros for seq 1), and its hash is
``sha256(prev_hash ‖ payload)``. Modified, deleted, inserted and reordered rows all break one of
these, at the first affected row. Verification streams the ledger (constant memory) and uses only
``json`` and ``hashlib`` per row, so a third party can re-implement it from VERIFY.txt.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field

from domain.chain import GENESIS
from ledger.store import LedgerRow, iso


@dataclass(frozen=True)
class Finding:
    case_id: str
    seq: int
    problem: str

    def __str__(self) -> str:
        return f"{self.case_id} seq {self.seq}: {self.problem}"


@dataclass
class CaseHead:
    case_id: str
    last_seq: int = 0
    head_hash: str = GENESIS
    events: int = 0


@dataclass
class Report:
    cases: dict[str, CaseHead] = field(default_factory=dict)
    findings: list[Finding] = field(default_factory=list)
    events: int = 0
    hash_at: dict[tuple[str, int], str] = field(default_factory=dict)

    @property
    def ok(self) -> bool:
        return not self.findings


def _check_row(row: LedgerRow, head: CaseHead) -> str | None:
    """What is wrong with ``row`` given the verified chain so far, or None."""
    try:
        data = json.loads(row.payload)
    except ValueError:
        return "payload is not JSON"
    canonical = json.dumps(data, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    if canonical != row.payload:
        return "payload is not in canonical form (edited by hand?)"
    if row.seq != head.last_seq + 1:
        if row.seq <= head.last_seq:
            return f"seq {row.seq} repeats or goes back after seq {head.last_seq} (inserted row?)"
        return f"seq {head.last_seq + 1} is missing (deleted row?)"
    for column, value in (("case_id", row.case_id), ("seq", row.seq), ("type", row.type), ("actor", row.actor)):
        if data.get(column) != value:
            return f"column {column}={value!r} but the event says {data.get(column)!r} (reordered or altered row?)"
    if row.prev_hash != head.head_hash:
        return "prev_hash does not match the previous event's hash (a row before it was removed or replaced)"
    if hashlib.sha256((row.prev_hash + row.payload).encode("utf-8")).hexdigest() != row.hash:
        return "hash does not match sha256(prev_hash ‖ payload): the event was modified"
    return None


def verify_rows(rows: Iterable[LedgerRow], watch: set[tuple[str, int]] | None = None) -> Report:
    """Verify rows ordered by (case_id, seq); one finding (the first) per broken case.

    ``watch``: (case_id, seq) pairs whose stored hash to remember (checkpoint comparison).
    """
    report = Report()
    broken: set[str] = set()
    for row in rows:
        report.events += 1
        if watch and (row.case_id, row.seq) in watch:
            report.hash_at[(row.case_id, row.seq)] = row.hash
        head = report.cases.get(row.case_id)
        if head is None:
            head = report.cases[row.case_id] = CaseHead(row.case_id)
        if row.case_id in broken:
            continue
        problem = _check_row(row, head)
        if problem:
            # a missing event is named by the seq that is missing, everything else by its row
            at = head.last_seq + 1 if row.seq > head.last_seq + 1 else row.seq
            report.findings.append(Finding(row.case_id, at, problem))
            broken.add(row.case_id)
            continue
        head.last_seq, head.head_hash, head.events = row.seq, row.hash, head.events + 1
    return report


def rows_of(ledger, case_id: str | None = None) -> Iterator[LedgerRow]:  # type: ignore[no-untyped-def]
    if case_id is not None:
        yield from ledger.events(case_id)
    else:
        yield from ledger.iter_all_rows()


__all__ = ["CaseHead", "Finding", "Report", "iso", "rows_of", "verify_rows"]
