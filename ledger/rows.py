"""A ledger row as people's programs read it, without the database: :class:`LedgerRow` (and
:class:`StoredRow`, the driver's tuple it is built from).

Apart from ``ledger.store`` (which re-exports both) so that a program that only *reads* rows, such
as the client library over the HTTP API, loads neither SQLAlchemy nor a database driver.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime
from functools import cached_property
from typing import NamedTuple, Protocol

from domain.events import Event, parse_event


class Opening(Protocol):
    """What opens a stored payload's sealed values (``ledger.vault.Keys``; not imported here: this
    module loads no database code)."""

    def open(self, case_id: str, payload: str) -> _Opened | None: ...


class _Opened(Protocol):
    @property
    def text(self) -> str: ...

    @property
    def erased(self) -> tuple[str, ...]: ...


class StoredRow(NamedTuple):
    """A ``ledger_events`` row exactly as stored (the driver's values), as the whole-ledger walk reads it.

    ``LedgerRow``'s attribute names, but ``at`` is the stored text and there is no ``recorded_at``
    datetime (``recorded_at_text`` is the stored text the seal covers): building a ``LedgerRow``
    and parsing two datetimes per row was a tenth of the strict verify walk."""

    id: int
    case_id: str
    seq: int
    event_id: str
    type: str
    at: str
    actor: str
    organisation: str | None
    payload: str
    prev_hash: str
    hash: str
    recorded_at_text: str
    seal: str | None


@dataclass(frozen=True)
class LedgerRow:
    id: int
    case_id: str
    seq: int
    event_id: str
    type: str
    at: datetime
    actor: str
    organisation: str | None
    payload: str
    prev_hash: str
    hash: str
    recorded_at: datetime
    seal: str | None = None  # sha256(prev_seal ‖ hash ‖ recorded_at): ledger.heads
    recorded_at_text: str = ""  # recorded_at exactly as stored (what the seal covers)
    opened: str | None = None  # the payload with its sealed values opened (ledger.vault); None: none sealed
    erased: tuple[str, ...] = ()  # the places whose value was erased (they read "[erased]")

    @cached_property
    def event(self) -> Event:
        """The event as people read it: sealed values opened (``[erased]`` once erased)."""
        return parse_event(self.opened or self.payload)

    @classmethod
    def of(cls, row: StoredRow, keys: Opening | None = None) -> LedgerRow:
        """The row, its sealed values opened with ``keys`` (left sealed without)."""
        try:
            opened = keys.open(row.case_id, row.payload) if keys is not None else None
        except (ValueError, TypeError, AttributeError, KeyError, IndexError):
            opened = None  # an altered sealed value: the row is shown as stored (audit verify names it)
        return cls(
            id=row.id, case_id=row.case_id, seq=row.seq, event_id=row.event_id, type=row.type,
            at=datetime.fromisoformat(row.at), actor=row.actor, organisation=row.organisation,
            payload=row.payload, prev_hash=row.prev_hash, hash=row.hash,
            recorded_at=datetime.fromisoformat(row.recorded_at_text), seal=row.seal,
            recorded_at_text=row.recorded_at_text,
            opened=opened.text if opened else None, erased=opened.erased if opened else (),
        )

    def payload_json(self) -> dict[str, object] | None:
        """The payload (opened) parsed as a JSON object, or ``None`` when it is none (a tampered row)."""
        try:
            data = json.loads(self.opened or self.payload)
        except ValueError:
            return None
        return data if isinstance(data, dict) else None

    def as_json(self, *, stored: bool = False) -> dict[str, object]:
        """The row's JSON form: what ``lead show --json``, ``audit history --json`` and a dossier give.

        seq, type, at (ISO), actor, organisation, prev_hash, hash, the event's ``command_id`` when
        it has one, and ``event``: the payload parsed (``None``, with ``payload_as_stored``, when the
        stored payload is no JSON object: a tampered row is shown, not hidden). ``stored=True``
        (a dossier's ``events.json``) gives instead of ``event`` the columns an outside check needs
        byte for byte: ``payload`` as stored (what the hash covers: personal values and free text
        sealed), ``opened`` (the payload with them opened, when any were sealed), ``event_id`` and
        ``recorded_at`` as stored (what the seal covers). ``erased``: the places whose value was
        erased, when any.
        """
        data = self.payload_json()
        out: dict[str, object] = {
            "seq": self.seq, "type": self.type, "at": self.at.isoformat(), "actor": self.actor,
            "organisation": self.organisation, "prev_hash": self.prev_hash, "hash": self.hash,
        }
        if data is not None and data.get("command_id") is not None:
            out["command_id"] = data["command_id"]
        if stored:
            out["event_id"] = self.event_id
            out["recorded_at"] = self.recorded_at_text or self.recorded_at.isoformat()
            out["payload"] = self.payload
            if self.opened is not None:
                out["opened"] = self.opened
        else:
            out["event"] = data
            if data is None:
                out["payload_as_stored"] = self.payload
        if self.erased:
            out["erased"] = list(self.erased)
        return out
