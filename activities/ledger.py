"""The activity that writes a case's events to the ledger.

Idempotent per event id: Temporal retries it after a timeout or a worker crash, and the ledger
turns a repeat of the same event into a no-op, so nothing is lost and nothing is doubled.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from pydantic import BaseModel
from temporalio import activity

from domain.events import Event

if TYPE_CHECKING:  # the workflow and the CLI import this module; they need no database driver
    from ledger.store import Ledger


class RecordResult(BaseModel):
    inserted: int
    skipped: int
    head_hash: str


class LedgerActivities:
    def __init__(self, ledger: Ledger) -> None:
        self._ledger = ledger

    @activity.defn(name="record_events")
    def record_events(self, events: list[Event]) -> RecordResult:
        result = self._ledger.append(events)
        activity.logger.info(
            "recorded %d event(s), %d already there",
            result.inserted,
            result.skipped,
            extra={"case_id": events[0].case_id if events else None},
        )
        return RecordResult(inserted=result.inserted, skipped=result.skipped, head_hash=result.head_hash)
