"""The durable outbox beside the ledger: what was to be delivered, and which channel delivered it.

Insert and delivery marks are idempotent on ``message_id`` (``<case_id>/<reminder key>``), so an
activity retried after a crash finds the message already there and skips channels that already
delivered it. Reached as ``Ledger.outbox`` (which also writes a reminder's message in its append's
own transaction).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime

from sqlalchemy import Engine, insert, select
from sqlalchemy.exc import IntegrityError

from ledger.schema import iso, outbox, outbox_deliveries


@dataclass(frozen=True)
class OutboxMessage:
    message_id: str
    case_id: str
    key: str
    recipient: str
    subject: str
    body: str
    escalation: bool
    created_at: str = ""
    delivered: tuple[str, ...] = ()


class Outbox:
    def __init__(self, engine: Engine) -> None:
        self._engine = engine

    def put(self, msg: OutboxMessage) -> bool:
        """Store ``msg`` once; returns False when it was already there."""
        try:
            with self._engine.begin() as conn:
                conn.execute(
                    insert(outbox).values(
                        message_id=msg.message_id, case_id=msg.case_id, key=msg.key,
                        recipient=msg.recipient, subject=msg.subject, body=msg.body,
                        escalation=msg.escalation, created_at=iso(datetime.now(UTC)),
                    )
                )
            return True
        except IntegrityError:
            return False

    def delivered(self, message_id: str) -> set[str]:
        with self._engine.connect() as conn:
            rows = conn.execute(
                select(outbox_deliveries.c.channel).where(outbox_deliveries.c.message_id == message_id)
            )
            return set(rows.scalars())

    def mark(self, message_id: str, channel: str, detail: str | None = None) -> None:
        try:
            with self._engine.begin() as conn:
                conn.execute(
                    insert(outbox_deliveries).values(
                        message_id=message_id, channel=channel,
                        delivered_at=iso(datetime.now(UTC)), detail=detail,
                    )
                )
        except IntegrityError:
            pass  # already marked by an earlier attempt

    def get(self, message_id: str) -> OutboxMessage | None:
        """One message with the channels that delivered it, or None."""
        with self._engine.connect() as conn:
            r = conn.execute(select(outbox).where(outbox.c.message_id == message_id)).first()
            if r is None:
                return None
            marks = conn.execute(
                select(outbox_deliveries.c.channel).where(outbox_deliveries.c.message_id == message_id)
            ).scalars()
            delivered = tuple(sorted(marks))
        return OutboxMessage(
            message_id=r.message_id, case_id=r.case_id, key=r.key, recipient=r.recipient, subject=r.subject,
            body=r.body, escalation=r.escalation, created_at=r.created_at, delivered=delivered,
        )

    def messages(self, case_id: str | None = None) -> list[OutboxMessage]:
        query = select(outbox).order_by(outbox.c.created_at, outbox.c.message_id)
        if case_id:
            query = query.where(outbox.c.case_id == case_id)
        with self._engine.connect() as conn:
            rows = conn.execute(query).all()
            marks = conn.execute(select(outbox_deliveries)).all()
        by_msg: dict[str, list[str]] = {}
        for m in marks:
            by_msg.setdefault(m.message_id, []).append(m.channel)
        return [
            OutboxMessage(
                message_id=r.message_id, case_id=r.case_id, key=r.key, recipient=r.recipient,
                subject=r.subject, body=r.body, escalation=r.escalation, created_at=r.created_at,
                delivered=tuple(sorted(by_msg.get(r.message_id, []))),
            )
            for r in rows
        ]
