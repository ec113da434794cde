"""Verify the programme chain (``programme_events``): the facts that hold for every case.

The same hash rule as a case's chain (``domain.chain``): each row's payload must be the canonical
JSON of a valid programme event, its columns (seq, type, at, actor, version) must agree with the
payload, its ``prev_hash`` must be the previous row's hash (64 zeros for seq 1, no gaps) and its
hash ``sha256(prev_hash ‖ payload)``. The first bad row is named. The chain is not yet covered by
the signed tree heads (they sign the case chains): a rewrite re-hashed from the first row on is
caught only by a checkpoint of its head kept elsewhere.
"""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING, Any

from audit.verify import Finding
from domain.chain import GENESIS, canonical_json, chain_hash
from domain.programme import PROGRAMME_CHAIN, parse_programme_event

if TYPE_CHECKING:
    from ledger.store import Ledger


def check_rows(rows: list[dict[str, Any]]) -> tuple[int, Finding | None]:
    """(rows checked, the first finding or None) for the programme chain's rows in seq order."""
    prev, expected = GENESIS, 1
    for n, row in enumerate(rows, start=1):
        seq = int(row["seq"])
        problem = _problem(row, seq, expected, prev)
        if problem:
            return n, Finding(PROGRAMME_CHAIN, min(seq, expected), problem)
        prev, expected = str(row["hash"]), expected + 1
    return len(rows), None


def _problem(row: dict[str, object], seq: int, expected: int, prev: str) -> str | None:
    if seq != expected:
        return f"seq {expected} is missing (deleted row?); next is seq {seq}"
    payload = str(row["payload"])
    try:
        event = parse_programme_event(payload)
    except ValueError as err:
        return f"payload is not a valid programme event ({str(err).splitlines()[0]})"
    if canonical_json(event) != payload:
        return "payload is not the canonical JSON of the event (edited by hand?)"
    version = getattr(event, "version", None)
    for column, value in (("seq", event.seq), ("type", event.type), ("actor", event.actor), ("version", version)):
        if row[column] != value:
            return f"column {column}={row[column]!r} but the event says {value!r} (row altered)"
    if datetime.fromisoformat(str(row["at"])) != event.at:
        return f"column at={row['at']} but the event says {event.at.isoformat()} (row altered)"
    if row["prev_hash"] != prev:
        return f"prev_hash does not link to seq {seq - 1}'s hash (an earlier event was replaced and re-hashed?)"
    if row["hash"] != chain_hash(prev, payload):
        return "hash is not sha256(prev_hash ‖ payload): the event was modified"
    return None


def verify_programme(ledger: Ledger) -> tuple[int, Finding | None]:
    return check_rows(ledger.programme_rows())
