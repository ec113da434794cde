"""The taskforce's entries for the Ministry in the programme chain: recorded (checked), read back.

Reached as ``Ledger.programme``. Lessons learned and programme signals (:mod:`domain.programme`)
are appended to the programme chain by :meth:`ledger.store.Ledger.append_programme`, under the
chain's lock, after the pure checks of :func:`domain.programme.check_entry`: the entry names no
company, KvK number or case id the ledger holds, and a withdrawal names an entry of the chain that
is not withdrawn yet. A refused entry writes nothing. The reports read the chain's payloads as JSON
dicts, up to their cut-off.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, Engine, select

from domain.organisations import Organisations
from domain.programme import (
    AnyEntry,
    EntryWithdrawn,
    ProgrammeEvent,
    TaskforceEntry,
    check_entry,
    parse_entry,
    parse_programme_event,
    taskforce_author,
)
from ledger.schema import cases, iso, programme_events

Decide = Callable[[Connection, int], ProgrammeEvent | None]
"""What ``Ledger.append_programme`` asks: the event to append at the next seq, decided under the lock."""


def identities(conn: Connection) -> list[str]:
    """What an entry for the Ministry must not name: every case's company, KvK number and case id."""
    names: list[str] = []
    for company, kvk, case_id in conn.execute(select(cases.c.company, cases.c.kvk, cases.c.case_id)):
        names += [n for n in (company, kvk, case_id) if n]
    return names


class ProgrammeEntries:
    """The taskforce's entries in the programme chain of one ledger (``Ledger.programme``)."""

    def __init__(self, engine: Engine, append: Callable[[Decide], ProgrammeEvent | None]) -> None:
        self._engine = engine
        self._append = append  # Ledger.append_programme: the one writer of the programme chain

    def record(
        self, fields: Mapping[str, Any], at: datetime, organisations: Organisations
    ) -> AnyEntry | EntryWithdrawn:
        """Append the entry (or withdrawal) ``fields`` (its type, actor, organisation and content; not
        seq or at) at ``at``. Its organisation must be of the taskforce (``organisations``; stored as
        its id). Raises :class:`domain.errors.CommandRejected` naming the field, and then writes nothing."""
        fields = {**fields, "organisation": taskforce_author(fields.get("organisation"), organisations)}
        parse_entry({**fields, "seq": 1, "at": at})  # bad input is refused before the chain's lock is taken

        def decide(conn: Connection, seq: int) -> AnyEntry | EntryWithdrawn:
            event = parse_entry({**fields, "seq": seq, "at": at})
            chain = [parse_programme_event(p) for p in
                     conn.execute(select(programme_events.c.payload).order_by(programme_events.c.seq)).scalars()]
            check_entry(event, chain, identities(conn))
            return event

        recorded = self._append(decide)
        assert isinstance(recorded, TaskforceEntry | EntryWithdrawn)  # decide always returns one of them
        return recorded

    def payloads(self, as_of: datetime | None = None) -> list[dict[str, Any]]:
        """The programme chain's events (up to ``as_of``, when given) as JSON dicts, in seq order:
        what the reports read."""
        query = select(programme_events.c.payload).order_by(programme_events.c.seq)
        if as_of is not None:
            query = query.where(programme_events.c.at <= iso(as_of))
        with self._engine.connect() as conn:
            return [json.loads(p) for p in conn.execute(query).scalars()]
