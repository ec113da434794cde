"""The activities that read and write a case's ledger chain.

Each append's new case head is signed with the worker's ledger key in the append's transaction
(``ledger.heads``); now and then a signed tree head follows. Idempotent per event id: Temporal retries ``record_events`` after a timeout or a worker crash, and
the ledger turns a repeat of the same event into a no-op, so nothing is lost and nothing is doubled.

Every activity here acts only on the case of the workflow that called it: a workflow started
with another case's id in its input (to write into that case's chain) is refused, non-retryably,
whatever the workflow code says (``activity.info().workflow_id`` is Temporal's, not the caller's).

Failures are split in two (``classify``): the database being unreachable or locked is transient
and retried by the caller's retry policy (a ledger outage of hours loses nothing); anything else
(the ledger refusing the data, a conflict, a gap) fails at once, visibly, and never again.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from pydantic import BaseModel
from temporalio import activity
from temporalio.exceptions import ApplicationError

from activities.guard import CASE_MISMATCH, own_case
from activities.notify import Notification
from domain.events import Event
from domain.state import CaseState

if TYPE_CHECKING:  # the workflow and the CLI import this module; they need no database driver
    from keys import Signer
    from ledger.heads import TreeHeadMaker
    from ledger.store import Ledger

LEDGER_REFUSED = "LedgerRefused"
NON_RETRYABLE = ("LedgerConflict", "LedgerGap", CASE_MISMATCH, LEDGER_REFUSED)
"""ApplicationError types the ledger activities raise for failures no retry can fix."""


class RecordResult(BaseModel):
    inserted: int
    skipped: int
    head_hash: str


class ReminderRecord(BaseModel):
    """A ``ReminderSent`` event and its outbox message, written in one transaction."""

    events: list[Event]
    notification: Notification


class LoadedCase(BaseModel):
    state: CaseState | None


class Erasure(BaseModel):
    """A ``PersonalDataErased`` event and the keys of the case's sealed values it destroys."""

    events: list[Event]
    keys: list[str]


def classify(err: Exception) -> Exception:
    """The error to raise for ``err``: itself when a retry may help, else a non-retryable one.

    The message is short and carries no payload (SQL parameters hold confidential event data).
    """
    from ledger.errors import database_error, describe, is_transient
    from ledger.store import LedgerConflict, LedgerGap

    if is_transient(err):
        return database_error(err)  # unreachable, locked, restarting: the retry policy keeps trying
    if isinstance(err, (LedgerConflict, LedgerGap)):
        return ApplicationError(str(err)[:1000], type=type(err).__name__, non_retryable=True)
    if isinstance(err, ApplicationError):
        return err
    return ApplicationError(
        f"the ledger refused the data ({describe(err)})", type=LEDGER_REFUSED, non_retryable=True
    )


class LedgerActivities:
    def __init__(self, ledger: Ledger, signer: Signer, tree_heads: TreeHeadMaker | None = None) -> None:
        self._ledger = ledger
        self._signer = signer
        self._tree_heads = tree_heads

    @activity.defn(name="record_events")
    def record_events(self, events: list[Event]) -> RecordResult:
        return self._append(events)

    @activity.defn(name="record_reminder")
    def record_reminder(self, record: ReminderRecord) -> RecordResult:
        """Record a ``ReminderSent`` and put its message in the outbox, atomically."""
        from ledger.outbox import OutboxMessage

        n = record.notification
        own_case(n.case_id)
        message = OutboxMessage(
            message_id=n.message_id, case_id=n.case_id, key=n.key, recipient=n.recipient,
            subject=n.subject, body=n.body, escalation=n.escalation,
        )
        return self._append(record.events, [message])

    @activity.defn(name="record_erasure")
    def record_erasure(self, erasure: Erasure) -> LoadedCase:
        """Record a ``PersonalDataErased`` and destroy its keys in one transaction; the fold of the
        stored chain after it (the erased values read ``[erased]``), which the case takes as its state."""
        result = self._append(erasure.events, erase=erasure.keys)
        del result
        return self.load_case(erasure.events[0].case_id)

    @activity.defn(name="load_case")
    def load_case(self, case_id: str) -> LoadedCase:
        """The fold of the case's ledger chain: what a carried-over or resumed state must equal."""
        own_case(case_id)
        try:
            return LoadedCase(state=self._ledger.fold_case(case_id))
        except Exception as err:  # noqa: BLE001 - classified: transient errors retry, others fail
            raise classify(err) from None

    def _append(self, events: list[Event], messages: list | None = None, erase: list[str] | None = None
                ) -> RecordResult:
        for case_id in {e.case_id for e in events}:
            own_case(case_id)
        try:
            result = self._ledger.append(events, messages or (), signer=self._signer, erase=erase or ())
        except Exception as err:  # noqa: BLE001 - classified: transient errors retry, others fail
            raise classify(err) from None
        if result.inserted and self._tree_heads is not None:
            try:
                self._tree_heads.maybe_make()  # after the append committed: never holds it up
            except Exception:  # noqa: BLE001 - the events are recorded; a later append tries again
                activity.logger.exception("could not make a signed tree head")
        activity.logger.info(
            "recorded %d event(s), %d already there",
            result.inserted,
            result.skipped,
            extra={"case_id": events[0].case_id if events else None},
        )
        return RecordResult(inserted=result.inserted, skipped=result.skipped, head_hash=result.head_hash)
