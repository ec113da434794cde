"""Bulk loading for benchmarks: rows already chained, written as given, in big batches.

``Ledger.append`` checks, chains, seals, projects and signs one case at a time: right for a case,
minutes for a benchmark's million events. :func:`load` writes prepared rows (dicts of column
values) with one multi-row insert per batch and checks nothing: ``audit verify`` judges what was
written (the benchmarks assert that their ledger verifies). Not for production data.
"""

from __future__ import annotations

from collections.abc import Iterable
from itertools import islice
from typing import TYPE_CHECKING, Any

from sqlalchemy import Connection, Table, insert

from ledger.schema import case_heads, cases, data_keys, ledger_events

if TYPE_CHECKING:
    from ledger.store import Ledger

BATCH = 20_000

Row = dict[str, Any]


def _insert(conn: Connection, table: Table, rows: Iterable[Row], size: int) -> int:
    it, n = iter(rows), 0
    while chunk := list(islice(it, size)):
        conn.execute(insert(table), chunk)
        n += len(chunk)
        del chunk  # freed before the next one is built: one batch in memory at a time
    return n


def load(
    ledger: Ledger,
    *,
    events: Iterable[Row] = (),
    projections: Iterable[Row] = (),
    heads: Iterable[Row] = (),
    keys: Iterable[Row] = (),
    batch: int = BATCH,
) -> int:
    """Insert ``events`` (``ledger_events`` rows), then ``projections`` (``cases`` rows), then
    ``heads`` (``case_heads`` rows), then ``keys`` (``data_keys`` rows: the keys of sealed values) in
    one transaction, ``batch`` rows per insert; the iterables are consumed in that order, so a
    generator of events may fill the lists of the others. Returns the number of events written."""
    with ledger._engine.begin() as conn:
        n = _insert(conn, ledger_events, events, batch)
        _insert(conn, cases, projections, max(1, batch // 10))
        _insert(conn, case_heads, heads, max(1, batch // 10))
        _insert(conn, data_keys, keys, max(1, batch // 10))
    return n
