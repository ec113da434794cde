"""Possible duplicates across organisations: one company, two ROMs, two cases.

"A company that talks to two ROMs is one lead" (issue 13): when a new lead's KvK number or name
is that of a case under another organisation's NDA, its coordinator is warned without being told
which case or whose (``client.api.Cases.similar`` and the API's ``elsewhere`` count), and the
taskforce lead, who coordinates the ROMs, is told which cases of which organisations to bring
together: case ids and organisations only, never the company's name or KvK number.

Pure: the caller supplies each case's id, owner, KvK number and name (the owner from the case's
access facts, ``client.access``).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Literal

MatchedOn = Literal["kvk", "name"]


def company_key(name: str) -> str:
    """The form two company names are compared in: trimmed, case-folded (``Photon BV`` = ``photon bv``).
    The one definition for the duplicate check before a start and for the taskforce lead's list."""
    return " ".join(name.split()).casefold()


@dataclass(frozen=True)
class CaseRef:
    """One case of a possible duplicate: its id (a serial that names nobody) and its owner."""

    case_id: str
    owner: str
    open: bool


@dataclass(frozen=True)
class Duplicate:
    """Cases of two or more organisations that share a KvK number or a company name."""

    matched_on: MatchedOn
    cases: tuple[CaseRef, ...]

    @property
    def owners(self) -> tuple[str, ...]:
        return tuple(sorted({c.owner for c in self.cases}))


@dataclass(frozen=True)
class Known:
    """What the check needs of a case (no more: the result must not carry the company's identity)."""

    case_id: str
    owner: str
    kvk: str | None
    company: str
    open: bool = True


def possible_duplicates(cases: Iterable[Known]) -> list[Duplicate]:
    """Groups of cases under two or more owners with the same KvK number, or else the same company
    name (a group already found by KvK number is not listed again by name). Cases of one owner
    alone are that owner's own business (``lead start`` already warns its coordinator)."""
    by_kvk: dict[str, list[Known]] = defaultdict(list)
    by_name: dict[str, list[Known]] = defaultdict(list)
    for case in cases:
        if case.kvk:
            by_kvk[case.kvk].append(case)
        by_name[company_key(case.company)].append(case)
    found: list[Duplicate] = []
    seen: set[frozenset[str]] = set()
    keyed: tuple[tuple[MatchedOn, dict[str, list[Known]]], ...] = (("kvk", by_kvk), ("name", by_name))
    for matched_on, groups in keyed:
        for group in groups.values():
            ids = frozenset(c.case_id for c in group)
            if len({c.owner for c in group}) < 2 or ids in seen:
                continue
            seen.add(ids)
            refs = tuple(sorted((CaseRef(c.case_id, c.owner, c.open) for c in group), key=lambda r: r.case_id))
            found.append(Duplicate(matched_on, refs))
    return sorted(found, key=lambda d: d.cases[0].case_id)
