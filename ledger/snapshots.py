"""Produced reports, kept in the ledger database as immutable snapshots.

A scheduled report is stored here, not on the worker's disk (read-only in production, and gone
with the container). Each snapshot is unique per (kind, period, format, cut-off) and never
updated: storing the same key again (an activity retried after a crash) returns the snapshot that
is already there, and a database trigger refuses any UPDATE. Reached as ``Ledger.snapshots``.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import Engine, Row, func, insert, select
from sqlalchemy.exc import IntegrityError

from ledger.schema import iso
from ledger.schema import report_snapshots as t

AnyRow = Row[*tuple[Any, ...]]
"""A result row of any columns (SQLAlchemy types a row by its columns' types)."""


@dataclass(frozen=True)
class ReportSnapshot:
    id: int
    kind: str
    period: str
    cutoff: str
    format: str
    sha256: str
    created_at: str
    size: int
    content: str | None = None  # read by :meth:`ReportSnapshots.get` only


def sha256(content: str) -> str:
    return hashlib.sha256(content.encode("utf-8")).hexdigest()


_LISTED = (t.c.id, t.c.kind, t.c.period, t.c.cutoff, t.c.format, t.c.sha256, t.c.created_at)


class ReportSnapshots:
    def __init__(self, engine: Engine) -> None:
        self._engine = engine

    def store(self, kind: str, period: str, fmt: str, cutoff: datetime, content: str) -> ReportSnapshot:
        """Keep ``content`` as the snapshot of (kind, period, fmt, cutoff); the first one stored wins."""
        key = {"kind": kind, "period": period, "format": fmt, "cutoff": iso(cutoff)}
        try:
            with self._engine.begin() as conn:
                conn.execute(
                    insert(t).values(
                        **key, content=content, sha256=sha256(content), created_at=iso(datetime.now(UTC))
                    )
                )
        except IntegrityError:
            pass  # already stored (a retried activity): keep the first
        with self._engine.connect() as conn:
            row = conn.execute(
                select(*_LISTED, t.c.content).where(*(getattr(t.c, k) == v for k, v in key.items()))
            ).one()
        return _snapshot(row, with_content=False)

    def list(self, kind: str | None = None, period: str | None = None) -> list[ReportSnapshot]:
        """Every snapshot (without its content), oldest first."""
        query = select(*_LISTED, func.length(t.c.content).label("size")).order_by(t.c.id)
        if kind:
            query = query.where(t.c.kind == kind)
        if period:
            query = query.where(t.c.period == period)
        with self._engine.connect() as conn:
            return [
                ReportSnapshot(**{k: v for k, v in r._mapping.items()}) for r in conn.execute(query)
            ]

    def last_before(self, cutoff: datetime) -> ReportSnapshot | None:
        """The snapshot with the latest cut-off before ``cutoff`` (any kind or format; the last one
        stored among equals), without its content: the report a new one follows."""
        query = (select(*_LISTED, t.c.content).where(t.c.cutoff < iso(cutoff))
                 .order_by(t.c.cutoff.desc(), t.c.id.desc()).limit(1))
        with self._engine.connect() as conn:
            row = conn.execute(query).one_or_none()
        return None if row is None else _snapshot(row, with_content=False)

    def get(self, snapshot_id: int) -> ReportSnapshot | None:
        with self._engine.connect() as conn:
            row = conn.execute(select(*_LISTED, t.c.content).where(t.c.id == snapshot_id)).one_or_none()
        return None if row is None else _snapshot(row, with_content=True)


def _snapshot(row: AnyRow, with_content: bool) -> ReportSnapshot:
    m = dict(row._mapping)
    content = m.pop("content")
    return ReportSnapshot(**m, size=len(content), content=content if with_content else None)
