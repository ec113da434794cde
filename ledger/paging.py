"""Keyset paging: the one way the ledger reads a table page by page.

Every reader that walks many rows (``Ledger.stored_rows`` and ``Ledger.iter_all_rows`` over
``ledger_events``, the projection and signed-head pages ``audit verify`` reads beside its walk)
goes through :func:`keyset_page`. Two rules make it fast:

- each page is read in its own short read transaction: a long one would keep SQLite from
  checkpointing its WAL while the workers write;
- the key is compared as a row value, ``(case_id, seq) > (:c, :s)``, which SQLite and PostgreSQL
  answer with a seek in the unique index. The ``case_id > :c OR (case_id = :c AND seq > :s)``
  spelling scans the index from its start for every page, which made a 1M-event walk quadratic
  (0.2 s per page at the end).

Pages are the driver's tuples (``cursor.fetchall()``), in the order of the selected columns: no
SQLAlchemy ``Row`` objects, which cost a tenth of the strict verify walk. Callers wrap them in
their own named tuples.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from typing import Any

from sqlalchemy import ColumnElement, Engine, literal, select, tuple_


def keyset_page(
    engine: Engine,
    columns: Sequence[ColumnElement[Any]],
    key: Sequence[ColumnElement[Any]],
    *,
    limit: int,
    after: Sequence[object] | None = None,
    start: object = None,
    stop: object = None,
) -> Sequence[Any]:
    """One page of ``columns`` in ``key`` order: at most ``limit`` rows whose key is past ``after``.

    ``start``/``stop`` bound the first key column: ``start <= key[0] < stop`` (either may be
    ``None``, i.e. open), compared by the database (its collation), so ranges cut at values the
    database handed out split the walk exactly.
    """
    query = select(*columns).order_by(*key).limit(limit)
    if stop is not None:
        query = query.where(key[0] < stop)
    if start is not None:
        query = query.where(key[0] >= start)
    if after is not None:
        if len(key) == 1:
            query = query.where(key[0] > after[0])
        else:
            query = query.where(tuple_(*key) > tuple_(*(literal(v) for v in after)))
    with engine.connect() as conn:
        return conn.execute(query).cursor.fetchall()


def keyset_pages(
    engine: Engine,
    columns: Sequence[ColumnElement[Any]],
    key: Sequence[ColumnElement[Any]],
    *,
    batch: int,
    start: object = None,
    stop: object = None,
) -> Iterator[Sequence[Any]]:
    """Every page of ``columns`` in ``key`` order (``start <= key[0] < stop``), ``batch`` rows each.

    The key columns must be among ``columns`` (the same objects): the last row of a page gives the
    next page's ``after``."""
    at = [next(i for i, c in enumerate(columns) if c is k) for k in key]
    after: list[object] | None = None
    while True:
        page = keyset_page(engine, columns, key, limit=batch, after=after, start=start, stop=stop)
        if not page:
            return
        yield page
        after = [page[-1][i] for i in at]
