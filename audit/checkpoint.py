"""A ledger-wide checkpoint: a Merkle root over every case's head, to be stored elsewhere.

Leaf of a case: ``sha256("<case_id>\\n<last_seq>\\n<head_hash>")``; leaves sorted by case id; a
level pairs neighbours as ``sha256(left ‖ right)`` (hex strings) and carries an odd last one up.
The root changes if any case is deleted, truncated or rewritten. The checkpoint file also keeps
the leaves, so ``verify --against FILE`` can name *which* case was deleted or truncated; with the
bare root one can only tell that the ledger differs (new cases since also change the root).
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable
from dataclasses import dataclass

from audit.verify import CaseHead, Finding


def leaf(case_id: str, last_seq: int, head_hash: str) -> str:
    return hashlib.sha256(f"{case_id}\n{last_seq}\n{head_hash}".encode()).hexdigest()


def merkle_root(leaves: list[str]) -> str:
    if not leaves:
        return hashlib.sha256(b"").hexdigest()
    level = leaves
    while len(level) > 1:
        nxt = [hashlib.sha256((level[i] + level[i + 1]).encode()).hexdigest() for i in range(0, len(level) - 1, 2)]
        if len(level) % 2:
            nxt.append(level[-1])
        level = nxt
    return level[0]


@dataclass(frozen=True)
class Checkpoint:
    root: str
    cases: dict[str, tuple[int, str]]

    @classmethod
    def of(cls, heads: Iterable[CaseHead]) -> Checkpoint:
        cases = {h.case_id: (h.last_seq, h.head_hash) for h in sorted(heads, key=lambda h: h.case_id)}
        return cls(root=merkle_root([leaf(c, s, h) for c, (s, h) in cases.items()]), cases=cases)

    def as_json(self) -> dict:
        return {"root": self.root, "rule": "merkle(sha256(case_id\\nlast_seq\\nhead_hash)), sorted by case_id",
                "cases": {c: {"last_seq": s, "head_hash": h} for c, (s, h) in self.cases.items()}}

    @classmethod
    def from_json(cls, data: dict) -> Checkpoint:
        cases = {c: (v["last_seq"], v["head_hash"]) for c, v in data["cases"].items()}
        cp = cls(root=data["root"], cases=cases)
        if cls(root=merkle_root([leaf(c, s, h) for c, (s, h) in sorted(cases.items())]), cases=cases).root != cp.root:
            raise ValueError("the checkpoint file's leaves do not give its root: the file was altered")
        return cp


def compare(saved: Checkpoint, heads: dict[str, CaseHead], hash_at: dict[tuple[str, int], str]) -> list[Finding]:
    """Findings for cases that were deleted, truncated or rewritten since ``saved``.

    ``hash_at`` maps (case_id, seq) -> the current hash of that event, for the saved heads.
    """
    findings = []
    for case_id, (last_seq, head_hash) in saved.cases.items():
        now = heads.get(case_id)
        if now is None:
            findings.append(Finding(case_id, last_seq, "the whole case was deleted since the checkpoint"))
        elif now.last_seq < last_seq:
            findings.append(Finding(case_id, now.last_seq + 1,
                                    f"the chain was truncated: checkpoint had seq {last_seq}, now {now.last_seq}"))
        elif hash_at.get((case_id, last_seq)) != head_hash:
            findings.append(Finding(case_id, last_seq, "the event at the checkpoint's head differs: history was rewritten"))
    return findings
