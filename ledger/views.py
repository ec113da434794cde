"""Saved views: a person's named case-list filters (table ``saved_views``), reached as ``Ledger.views``.

The filters are kept as JSON and opened by an opaque id, so a view that searches for a company
never puts its name in a URL. A person sees, opens and deletes only their own views.
"""

from __future__ import annotations

import json
import secrets
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import Engine, delete, insert, select

from ledger.schema import iso, saved_views

VIEWS_MAX = 50
"""Views a person may keep: a list of views, not a store."""


@dataclass(frozen=True)
class SavedView:
    view_id: str
    name: str
    filters: dict[str, str]


class SavedViews:
    def __init__(self, engine: Engine) -> None:
        self._engine = engine

    def of(self, subject: str) -> list[SavedView]:
        """``subject``'s views, by name."""
        query = (select(saved_views.c.view_id, saved_views.c.name, saved_views.c.filters)
                 .where(saved_views.c.subject == subject).order_by(saved_views.c.name))
        with self._engine.connect() as conn:
            return [SavedView(r.view_id, r.name, json.loads(r.filters)) for r in conn.execute(query)]

    def get(self, subject: str, view_id: str) -> SavedView | None:
        """``subject``'s view ``view_id`` (None for another person's: it is not theirs to open)."""
        return next((v for v in self.of(subject) if v.view_id == view_id), None)

    def save(self, subject: str, name: str, filters: dict[str, str], at: datetime) -> SavedView:
        """Keep ``filters`` as ``subject``'s view ``name``, replacing a view of that name."""
        with self._engine.begin() as conn:
            conn.execute(delete(saved_views).where(saved_views.c.subject == subject, saved_views.c.name == name))
            held = len(conn.execute(select(saved_views.c.view_id).where(saved_views.c.subject == subject)).all())
            if held >= VIEWS_MAX:
                raise ValueError(f"at most {VIEWS_MAX} saved views per person: delete one first")
            view = SavedView(secrets.token_hex(8), name, filters)
            conn.execute(insert(saved_views).values(view_id=view.view_id, subject=subject, name=name,
                                                    filters=json.dumps(filters, sort_keys=True), created_at=iso(at)))
        return view

    def delete(self, subject: str, view_id: str) -> bool:
        """Delete ``subject``'s view ``view_id``; False when they have none of that id."""
        with self._engine.begin() as conn:
            return bool(conn.execute(delete(saved_views).where(saved_views.c.subject == subject,
                                                               saved_views.c.view_id == view_id)).rowcount)
