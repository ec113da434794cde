"""A case as of any moment, rebuilt from the ledger alone with the domain fold."""

from __future__ import annotations

from datetime import datetime

from domain.state import CaseState, fold
from ledger.store import Ledger, LedgerRow


def as_of(ledger: Ledger, case_id: str, at: datetime | None = None) -> tuple[list[LedgerRow], CaseState | None]:
    rows = ledger.events(case_id, as_of=at)
    return rows, fold(r.event for r in rows)
