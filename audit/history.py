"""A case as of any moment, rebuilt from the ledger alone with the domain fold.

The same ``domain.state.fold`` gives the workflow's own ``state`` query, so the rebuild is what
the case looked like to its coordinator at that moment (tests/test_audit.py checks every stage).
The rows are verified on the way: a rebuild from a tampered chain says so.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from audit.verify import Finding, verify_rows
from domain.state import CaseState, fold
from ledger.store import Ledger, LedgerRow


@dataclass(frozen=True)
class AsOf:
    rows: list[LedgerRow]
    state: CaseState | None
    finding: Finding | None  # the first broken link among ``rows``, if any


def as_of(ledger: Ledger, case_id: str, at: datetime | None = None) -> AsOf:
    """Events recorded with workflow time ``<= at`` (all for ``None``) and the fold of them.

    Events only ever carry increasing workflow time within a case, so the rows up to ``at`` are
    a prefix of the chain; the fold stops at the first broken link rather than guess past it.
    """
    rows = ledger.events(case_id, as_of=at)
    report = verify_rows(rows)
    finding = report.findings[0] if report.findings else None
    good = [r for r in rows if finding is None or r.seq < finding.seq]
    return AsOf(rows=rows, state=fold(r.event for r in good), finding=finding)
