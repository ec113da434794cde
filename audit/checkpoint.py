"""A ledger-wide checkpoint: a Merkle root over every case's head, to be stored elsewhere.

A hash chain proves each case's events back to its first one, but not that the chain is all
there: deleting a whole case, or cutting events off the end of one, leaves intact chains. A root
published (mailed, printed in a report, committed elsewhere) at a moment pins every case as it was.

The rule (stdlib-only to recompute):
- leaf of a case = ``sha256("<case_id>\\n<last_seq>\\n<head_hash>")`` (UTF-8, hex digest);
- leaves sorted by case id (Python string order = Unicode code points);
- each level pairs neighbours as ``sha256(left_hex + right_hex)``; an odd last node is carried up
  unchanged; the single node left is the root (no cases: ``sha256(b"")``).
A leaf's text contains newlines and a pair's does not, so a leaf can never pose as a pair.

``checkpoint --json`` also keeps the heads, so ``verify --all --against FILE`` names *which* case
was deleted, truncated or rewritten since; with the bare root one can only tell that the ledger
differs (any event appended since changes the root as well).
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable
from dataclasses import dataclass

from audit.verify import CaseHead, Finding
from domain.chain import merkle_root

RULE = (
    "leaf = sha256('<case_id>\\n<last_seq>\\n<head_hash>'); leaves sorted by case_id; "
    "node = sha256(left_hex + right_hex), an odd last node carried up; root = the last node"
)


def leaf(case_id: str, last_seq: int, head_hash: str) -> str:
    return hashlib.sha256(f"{case_id}\n{last_seq}\n{head_hash}".encode()).hexdigest()


@dataclass(frozen=True)
class Checkpoint:
    root: str
    cases: dict[str, tuple[int, str]]  # case_id -> (last_seq, head_hash)

    @classmethod
    def of(cls, heads: Iterable[CaseHead]) -> Checkpoint:
        cases = {h.case_id: (h.last_seq, h.head_hash) for h in sorted(heads, key=lambda h: h.case_id)}
        return cls(root=_root(cases), cases=cases)

    def as_json(self) -> dict:
        return {
            "root": self.root,
            "rule": RULE,
            "cases": {c: {"last_seq": s, "head_hash": h} for c, (s, h) in self.cases.items()},
        }

    @classmethod
    def from_json(cls, data: dict) -> Checkpoint:
        cases = {c: (int(v["last_seq"]), str(v["head_hash"])) for c, v in data["cases"].items()}
        if _root(cases) != data["root"]:
            raise ValueError("the file's heads do not give its root: the checkpoint file was altered")
        return cls(root=data["root"], cases=cases)


def _root(cases: dict[str, tuple[int, str]]) -> str:
    return merkle_root([leaf(c, s, h) for c, (s, h) in sorted(cases.items())])


def compare(
    saved: Checkpoint, heads: dict[str, CaseHead], hash_at: dict[tuple[str, int], str]
) -> list[Finding]:
    """Findings for cases deleted, truncated or rewritten since ``saved`` (growth is fine).

    ``heads``: the current verified heads; ``hash_at``: (case_id, seq) -> the hash stored now at
    each saved head's seq.
    """
    findings = []
    for case_id, (last_seq, head_hash) in saved.cases.items():
        now = heads.get(case_id)
        if now is None:
            findings.append(Finding(case_id, 1, f"the whole case ({last_seq} events) was deleted since the checkpoint"))
        elif now.last_seq < last_seq and hash_at.get((case_id, last_seq)) is None:
            findings.append(Finding(case_id, now.last_seq + 1,
                                    f"the chain was truncated: the checkpoint had seq {last_seq}, now {now.last_seq}"))
        elif hash_at.get((case_id, last_seq)) != head_hash:
            findings.append(Finding(case_id, last_seq,
                                    "the event at the checkpoint's head differs: the chain was rewritten since"))
    return findings
