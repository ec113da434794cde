"""The ledger: append-only, hash-chained per case, idempotent per event id.

``append`` is what the ``record_events`` activity calls. Temporal may run it more than once for
the same events (a retry after a timeout, a worker killed mid-write); the ledger turns a repeat
into a no-op and refuses a *different* event under an existing id, so nothing is lost or doubled.
"""

from __future__ import annotations

import json
import re
import sqlite3
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from functools import cached_property
from importlib import import_module
from pathlib import Path
from typing import TYPE_CHECKING, Any, NamedTuple

from sqlalchemy import (
    ColumnElement,
    Connection,
    Engine,
    Select,
    create_engine,
    delete,
    event,
    exists,
    false,
    func,
    insert,
    make_url,
    select,
    update,
)
from sqlalchemy.exc import IntegrityError

from domain.bounds import KVK_PATTERN
from domain.case_ids import serial_id
from domain.chain import GENESIS, canonical_json, chain_hash, event_json
from domain.events import Event, parse_event
from domain.personal import ERASED
from domain.programme import (
    PROGRAMME_CHAIN,
    ProgrammeEvent,
    ReminderRulesChanged,
    parse_programme_event,
)
from domain.reminders import ReminderRules
from domain.state import CaseState, apply, fold
from ledger import migrate, vault
from ledger.migrate import SchemaError
from ledger.paging import keyset_page, keyset_pages
from ledger.rows import LedgerRow, StoredRow
from ledger.schema import (
    case_serials,
    case_shares,
    cases,
    iso,
    ledger_events,
    lock_key,
    outbox,
    outbox_deliveries,
    programme_events,
)
from observability import telemetry

if TYPE_CHECKING:
    from domain.offers import LoadPlan
    from keys import Signer
    from ledger.access_log import AccessLog
    from ledger.listing import CaseQuery
    from ledger.offers import HotspotOffers
    from ledger.outbox import Outbox, OutboxMessage
    from ledger.programme import ProgrammeEntries
    from ledger.snapshots import ReportSnapshots
    from ledger.tokens import AccessTokens
    from ledger.views import SavedViews

__all__ = [
    "AppendResult", "CaseSummary", "Ledger", "LedgerConflict", "LedgerGap", "LedgerRow", "ProjectionRow",
    "SchemaError", "StoredRow", "iso",
]

# Writers of one case are serialised (SQLite: BEGIN IMMEDIATE; PostgreSQL: an advisory lock per
# case), so a concurrent writer of the same events is normally seen, not collided with. Should an
# insert still hit the unique (case_id, seq), the next attempt sees those rows and skips them.
APPEND_ATTEMPTS = 3


class LedgerConflict(Exception):
    """A different event under an id the ledger already holds. Never retried: it is a bug."""

    retryable = False


class LedgerGap(Exception):
    """An event whose predecessor is not in the ledger. Never retried: it is a bug."""

    retryable = False


@dataclass(frozen=True)
class AppendResult:
    inserted: int
    skipped: int
    head_hash: str


@dataclass(frozen=True)
class CaseSummary:
    """One row of the ``cases`` projection, without parsing the stored state."""

    case_id: str
    company: str
    stage: str
    outcome: str | None
    region: str
    hotspot: str | None
    technology_domain: str
    phase: int
    last_seq: int
    detected_at: datetime
    updated_at: datetime
    demo: bool = False
    owner: str | None = None
    """Filled by :meth:`Ledger.case_rows` only (the column came with 0014; ``lead list`` reads older schemas too)."""

    def as_json(self) -> dict[str, object]:
        return {
            "case_id": self.case_id,
            "company": self.company,
            "stage": self.stage,
            "outcome": self.outcome,
            "region": self.region,
            "hotspot": self.hotspot,
            "technology_domain": self.technology_domain,
            "phase": self.phase,
            "last_seq": self.last_seq,
            "detected_at": self.detected_at.isoformat(),
            "updated_at": self.updated_at.isoformat(),
            "demo": self.demo,
        }


_T = ledger_events.c
_STORED = (_T.id, _T.case_id, _T.seq, _T.event_id, _T.type, _T.at, _T.actor, _T.organisation, _T.payload,
           _T.prev_hash, _T.hash, _T.recorded_at.label("recorded_at_text"), _T.seal)
"""The columns of a :class:`StoredRow`, in its order."""


class ProjectionRow(NamedTuple):
    """One row of the ``cases`` projection as stored (text timestamps, the state as JSON text; ``demo`` last:
    :meth:`Ledger.projection_page` makes the driver's 0/1 of SQLite a bool)."""

    case_id: str
    company: str
    company_folded: str
    kvk: str | None
    stage: str
    outcome: str | None
    region: str
    hotspot: str
    technology_domain: str
    phase: int
    last_seq: int
    head_hash: str
    state: str
    detected_at: str
    updated_at: str
    owner: str | None
    demo: bool


_PROJECTION = tuple(cases.c[name] for name in ProjectionRow._fields)


def _sqlite_connect(dbapi_connection: sqlite3.Connection, _record: object) -> None:
    # SQLAlchemy's recipe for SQLite transactions: pysqlite stops issuing BEGIN itself, and
    # _sqlite_begin below issues it, IMMEDIATE for ledger writes (see Ledger._append).
    dbapi_connection.isolation_level = None
    cur = dbapi_connection.cursor()
    # secure_delete: freed space is zeroed, so a destroyed key (ledger.vault) leaves no copy in the file
    for pragma in ("journal_mode=WAL", "synchronous=NORMAL", "busy_timeout=30000", "foreign_keys=ON",
                   "secure_delete=ON"):
        cur.execute(f"PRAGMA {pragma}")
    cur.close()


def _sqlite_begin(conn: Connection) -> None:
    conn.exec_driver_sql("BEGIN IMMEDIATE" if conn.get_execution_options().get("ledger_write") else "BEGIN")


_case_lock_key = lock_key  # one case's chain (ledger.schema.lock_key)


def _latest_rules(column: ColumnElement[Any]) -> Select[Any]:
    """``column`` of the latest ``ReminderRulesChanged`` in the programme chain."""
    return (
        select(column)
        .where(programme_events.c.type == "ReminderRulesChanged")
        .order_by(programme_events.c.seq.desc())
        .limit(1)
    )


def _put_outbox(conn: Connection, msg: OutboxMessage, now: str) -> None:
    """Insert a reminder's outbox message, delivered to the outbox channel (once: repeats skip)."""
    exists = conn.execute(select(outbox.c.message_id).where(outbox.c.message_id == msg.message_id)).first()
    if exists:
        return
    conn.execute(
        insert(outbox).values(
            message_id=msg.message_id, case_id=msg.case_id, key=msg.key, recipient=msg.recipient,
            subject=msg.subject, body=msg.body, escalation=msg.escalation, created_at=now,
        )
    )
    conn.execute(insert(outbox_deliveries).values(message_id=msg.message_id, channel="outbox", delivered_at=now))


def folded_name(name: str | None) -> str | None:
    """A name as the projection's search columns hold it: trimmed and case-folded (None if empty)."""
    return (name or "").strip().casefold() or None


def _differences(stored: str, offered: str) -> str:
    """The top-level fields in which two canonical event JSONs differ, for a conflict message.

    Names only: the values are case data, and this message reaches logs and Temporal's history."""
    a, b = json.loads(stored), json.loads(offered)
    keys = [key for key in sorted(a.keys() | b.keys()) if a.get(key) != b.get(key)]
    return f"differs in {', '.join(keys)}" if keys else "same fields, different encoding"


class Ledger:
    """The ledger database: the event store and its ``cases`` projection, and the door to the rest.

    Every SQL statement of brandpunt is under ``ledger/``; nothing outside it touches the engine
    (tests/test_layers_sql.py). The other tables are reached through this object: the hotspot
    catalogue (:attr:`offers`, ``ledger.offers``), the outbox (:attr:`outbox`), the API's access
    tokens (:attr:`tokens`, ``ledger.tokens``), report snapshots (:attr:`snapshots`), signed case and
    tree heads (``ledger.heads``, functions taking the ledger), gauges (``ledger.ops``) and bulk
    loading for benchmarks (``ledger.bulk``). Show
    :attr:`safe_url`, never :attr:`url` (it may hold a password).
    """

    def __init__(self, url: str) -> None:
        from ledger.state_cache import StateCache

        self.url = url
        self._states = StateCache()
        parsed = make_url(url)
        if parsed.get_backend_name() == "sqlite":
            path = parsed.database
            if path and path != ":memory:" and not path.startswith("file:"):
                Path(path).expanduser().parent.mkdir(parents=True, exist_ok=True)
            self._engine: Engine = create_engine(
                url, connect_args={"check_same_thread": False, "timeout": 30}, hide_parameters=True
            )
            event.listen(self._engine, "connect", _sqlite_connect)
            event.listen(self._engine, "begin", _sqlite_begin)
        else:
            self._engine = create_engine(
                url, pool_size=10, max_overflow=20, pool_pre_ping=True, hide_parameters=True
            )
        # hide_parameters: bound parameters (event JSON, company data) never enter exception text

    @property
    def safe_url(self) -> str:
        """The database URL to show: password hidden, credentials redacted (``settings.safe_url``)."""
        from settings import safe_url

        return safe_url(self.url)

    @property
    def dialect(self) -> str:
        """``sqlite`` or ``postgresql``."""
        return self._engine.dialect.name

    @cached_property
    def outbox(self) -> Outbox:
        """The durable outbox beside the ledger (``ledger.outbox``), over this ledger's database."""
        from ledger.outbox import Outbox

        return Outbox(self._engine)

    @cached_property
    def snapshots(self) -> ReportSnapshots:
        """The produced reports kept as immutable snapshots (``ledger.snapshots``)."""
        from ledger.snapshots import ReportSnapshots

        return ReportSnapshots(self._engine)

    @cached_property
    def programme(self) -> ProgrammeEntries:
        """The taskforce's lessons and programme signals for the Ministry in the programme chain
        (``ledger.programme``): recorded after their checks, read back for the reports."""
        from ledger.programme import ProgrammeEntries

        return ProgrammeEntries(self._engine, self.append_programme)

    @cached_property
    def access_log(self) -> AccessLog:
        """Who opened a case's file from outside its owner, dossier exports, administrative acts
        (``ledger.access_log``): one append-only chain."""
        from ledger.access_log import AccessLog

        return AccessLog(self._engine)

    @cached_property
    def views(self) -> SavedViews:
        """Each person's saved case-list filters (``ledger.views``)."""
        from ledger.views import SavedViews

        return SavedViews(self._engine)

    @cached_property
    def tokens(self) -> AccessTokens:
        """The API's personal access tokens, stored by their hash (``ledger.tokens``)."""
        from ledger.tokens import AccessTokens

        return AccessTokens(self._engine)

    @cached_property
    def offers(self) -> HotspotOffers:
        """The hotspot catalogue matchmaking scores against, each offer with its provenance and
        version, every change an ``OffersLoaded`` of the programme chain (``ledger.offers``)."""
        from ledger.offers import HotspotOffers

        return HotspotOffers(self._engine, self.append_programme)

    def seed_hotspots(self) -> LoadPlan:
        """Load the shipped (illustrative) hotspot offers where no file's offers are in force;
        idempotent (``HotspotOffers.seed``). Returns what it changed."""
        return self.offers.seed()

    @classmethod
    def open(cls, url: str, upgrade: bool = False) -> Ledger:
        """A ledger on ``url``; with ``upgrade=True`` the schema is migrated to head first.

        Without it nothing is migrated: call :meth:`check_schema` before use."""
        ledger = cls(url)
        if upgrade:
            ledger.upgrade()
        return ledger

    @classmethod
    def open_checked(cls, url: str) -> Ledger:
        """A ledger on ``url`` whose schema is this code's (:class:`SchemaError` otherwise, and nothing
        left open): what a program that only uses the ledger opens (the client library, the API host)."""
        ledger = cls(url)
        try:
            ledger.check_schema()
        except Exception:
            ledger.dispose()
            raise
        return ledger

    def upgrade(self) -> None:
        migrate.upgrade(self._engine)

    def check_schema(self) -> None:
        """Raise :class:`SchemaError` unless the database is at this code's schema revision."""
        migrate.check(self._engine, self.safe_url)

    def dispose(self) -> None:
        """Close the pooled connections (the ledger stays usable: new ones are opened on demand)."""
        self._engine.dispose()

    # --- writing ---------------------------------------------------------------------------

    def append(
        self, events: Sequence[Event], outbox: Sequence[OutboxMessage] = (), signer: Signer | None = None,
        *, erase: Sequence[str] = (),
    ) -> AppendResult:
        """Append one case's events (ascending seq) in one transaction; repeats are no-ops.

        ``outbox`` messages (a reminder the events record) are put in the outbox in the same
        transaction, marked delivered to the ``outbox`` channel: the event and the inbox entry
        exist together or not at all. With ``signer`` (the worker's ledger key) the new head is
        signed into ``case_heads`` in the same transaction; an append without it leaves the chain
        past its signed head, which ``audit verify`` reports as a forged append. ``erase``: keys of
        the case's sealed values to destroy in the same transaction (the events are its
        ``PersonalDataErased``); the projection is then the fold of the stored chain, with those
        values ``[erased]`` (a retry destroys nothing more and records nothing twice).
        """
        if not events:
            return AppendResult(0, 0, GENESIS)
        if len({e.case_id for e in events}) != 1:
            raise ValueError("append takes the events of one case at a time")
        with telemetry.span(
            "ledger.append", case_id=events[0].case_id, first_seq=events[0].seq, events=len(events)
        ) as span:
            for attempt in range(1, APPEND_ATTEMPTS + 1):
                try:
                    result = self._append(events, outbox, signer, erase)
                    break
                except IntegrityError:
                    # A concurrent writer inserted the same rows first: the retry sees them and
                    # skips identical events or reports a conflict.
                    if attempt == APPEND_ATTEMPTS:
                        raise
            span.set_attribute("inserted", result.inserted)
            span.set_attribute("skipped", result.skipped)
            return result

    def _writing(self) -> Connection:
        """A connection whose transactions take SQLite's write lock at BEGIN (BEGIN IMMEDIATE)."""
        return self._engine.connect().execution_options(ledger_write=True)

    def _append(
        self, events: Sequence[Event], messages: Sequence[OutboxMessage] = (), signer: Signer | None = None,
        erase: Sequence[str] = (),
    ) -> AppendResult:
        from ledger import seals  # here, not at import: a reading command need not load the keys (13 ms)

        case_id = events[0].case_id
        inserted = skipped = 0
        now = iso(datetime.now(UTC))
        with self._writing() as conn, conn.begin():
            if conn.dialect.name == "postgresql":
                conn.execute(select(func.pg_advisory_xact_lock(_case_lock_key(case_id))))
            head = conn.execute(
                select(ledger_events.c.seq, ledger_events.c.hash, ledger_events.c.seal)
                .where(ledger_events.c.case_id == case_id)
                .order_by(ledger_events.c.seq.desc())
                .limit(1)
            ).first()
            head_seq, head_hash, head_seal = (head.seq, head.hash, head.seal) if head else (0, GENESIS, GENESIS)
            projection = conn.execute(select(cases.c.state).where(cases.c.case_id == case_id)).first()
            new_state = CaseState.model_validate_json(projection.state) if projection else None
            if (new_state.last_seq if new_state else 0) != head_seq:
                new_state = self._fold_stored(conn, case_id)  # projection missing or stale: refold
            for ev in events:
                if ev.seq <= head_seq:  # a repeat: the same event as stored, compared as people read it
                    stored = conn.execute(
                        select(ledger_events.c.payload).where(
                            ledger_events.c.case_id == case_id, ledger_events.c.seq == ev.seq
                        )
                    ).scalar_one()
                    plain = canonical_json(ev)
                    opened = vault.open_in(conn, case_id, [stored])[0] if stored != plain else plain
                    if opened != plain:
                        raise LedgerConflict(
                            f"{ev.event_id}: the ledger holds a different event under this id "
                            f"({_differences(opened, plain)})"
                        )
                    skipped += 1
                    continue
                # personal values and free text sealed before canonicalisation: the hash covers the
                # ciphertext, so erasing a key (ledger.vault) leaves every chain verifiable
                canonical = canonical_json(vault.seal_event(conn, case_id, event_json(ev)))
                if ev.seq != head_seq + 1:
                    raise LedgerGap(f"{ev.event_id}: the ledger's last event of {case_id} is seq {head_seq}")
                new_hash = chain_hash(head_hash, canonical)
                if head_seal is None:  # a row written by pre-0008 code after the migration
                    head_seal = self._stored_seal(conn, case_id)
                new_seal = seals.seal(head_seal, new_hash, now)
                conn.execute(
                    insert(ledger_events).values(
                        case_id=case_id,
                        seq=ev.seq,
                        event_id=ev.event_id,
                        type=ev.type,
                        at=iso(ev.at),
                        actor=ev.actor,
                        organisation=ev.organisation,
                        payload=canonical,
                        prev_hash=head_hash,
                        hash=new_hash,
                        recorded_at=now,
                        seal=new_seal,
                    )
                )
                head_seq, head_hash, head_seal = ev.seq, new_hash, new_seal
                new_state = apply(new_state, ev)
                inserted += 1
            if inserted and erase:
                vault.destroy(conn, case_id, erase, datetime.now(UTC))
                new_state = self._fold_stored(conn, case_id)  # the values now read [erased]
                # the case's notifications quote its reminders' subjects: none goes out, or stays, naming anyone
                conn.execute(update(outbox).where(outbox.c.case_id == case_id).values(subject=ERASED, body=ERASED))
            if inserted:
                assert new_state is not None
                self._project(conn, new_state, head_hash)
                for msg in messages:
                    _put_outbox(conn, msg, now)
                if signer is not None:
                    seals.write_head(conn, signer, case_id, head_seq, head_hash, head_seal)
        return AppendResult(inserted, skipped, head_hash)

    def fold_case(self, case_id: str) -> CaseState | None:
        """The fold of the case's stored events (not the projection): what a resumed case starts from."""
        with self._engine.connect() as conn:
            return self._fold_stored(conn, case_id)

    # --- programme-level events ------------------------------------------------------------

    def _programme_head(self, conn: Connection) -> tuple[int, str]:
        head = conn.execute(
            select(programme_events.c.seq, programme_events.c.hash).order_by(programme_events.c.seq.desc()).limit(1)
        ).first()
        return (head.seq, head.hash) if head else (0, GENESIS)

    def append_programme(
        self, decide: Callable[[Connection, int], ProgrammeEvent | None]
    ) -> ProgrammeEvent | None:
        """Append one event to the programme chain, decided under the chain's lock.

        ``decide(conn, seq)`` gets the connection of the writing transaction (to read what the
        decision rests on) and the next seq, and returns the event to append, or None to append
        nothing. Writers serialise on the programme chain (SQLite: BEGIN IMMEDIATE; PostgreSQL: an
        advisory lock), so what ``decide`` read is still true when the row is written. A
        :class:`domain.errors.CommandRejected` raised by ``decide`` writes nothing.
        """
        with self._writing() as conn, conn.begin():
            if conn.dialect.name == "postgresql":
                conn.execute(select(func.pg_advisory_xact_lock(_case_lock_key(PROGRAMME_CHAIN))))
            seq, prev = self._programme_head(conn)
            event = decide(conn, seq + 1)
            if event is None:
                return None
            if event.seq != seq + 1:
                raise ValueError(f"a programme event must take seq {seq + 1}, not {event.seq}")
            canonical = canonical_json(event)
            conn.execute(
                insert(programme_events).values(
                    seq=event.seq, type=event.type, at=iso(event.at), actor=event.actor,
                    version=getattr(event, "version", None), payload=canonical, prev_hash=prev,
                    hash=chain_hash(prev, canonical), recorded_at=iso(datetime.now(UTC)),
                )
            )
        return event

    def adopt_reminder_rules(self, rules: ReminderRules, actor: str, at: datetime) -> tuple[str, bool]:
        """Record ``rules`` as the deployment's reminder rules unless they already are.

        Returns (version, whether a ``ReminderRulesChanged`` was recorded now). Workers starting
        together serialise on the programme chain, so a version is recorded once per change.
        """
        version = rules.version()

        def decide(conn: Connection, seq: int) -> ReminderRulesChanged | None:
            latest = conn.execute(_latest_rules(programme_events.c.version)).scalar()
            if latest == version:
                return None
            return ReminderRulesChanged(
                seq=seq, at=at, actor=actor, version=version, rules=rules,
                reason="the deployment's reminder rules changed" if latest else "first reminder rules",
            )

        return version, self.append_programme(decide) is not None

    def reminder_rules(self) -> ReminderRulesChanged | None:
        """The reminder rules in force (the latest ``ReminderRulesChanged``), or None before any."""
        with self._engine.connect() as conn:
            payload = conn.execute(_latest_rules(programme_events.c.payload)).scalar()
        if payload is None:
            return None
        event = parse_programme_event(payload)
        assert isinstance(event, ReminderRulesChanged)
        return event

    def programme_rows(self) -> list[dict[str, Any]]:
        """The programme chain's stored rows as they are (for ``audit verify``), in seq order."""
        with self._engine.connect() as conn:
            return [dict(r) for r in conn.execute(select(programme_events).order_by(programme_events.c.seq)).mappings()]

    def programme_events(self) -> list[tuple[ProgrammeEvent, str, str]]:
        """Every programme event with its (prev_hash, hash), in order."""
        with self._engine.connect() as conn:
            rows = conn.execute(select(programme_events).order_by(programme_events.c.seq)).all()
        return [(parse_programme_event(r.payload), r.prev_hash, r.hash) for r in rows]

    # --- case ids ---------------------------------------------------------------------------

    def allocate_case_id(self, year: int | None = None) -> str:
        """A new case id ``BP-<year>-<NNNN>`` (this UTC year by default), never handed out before.

        The counter per year is bumped atomically (SQLite: under BEGIN IMMEDIATE's write lock;
        PostgreSQL: INSERT ... ON CONFLICT DO UPDATE ... RETURNING holds the year's row lock until
        commit), so concurrent callers get distinct numbers. Numbers whose id the ledger already
        holds (given by hand with ``--case-id``) are skipped. A number handed out for a case that
        then fails to start stays used: ids have gaps, never duplicates.
        """
        year = year if year is not None else datetime.now(UTC).year
        serial_id(year, 1)  # refuses a year no serial can have, before anything is written
        with self._writing() as conn, conn.begin():
            dialect = import_module(f"sqlalchemy.dialects.{conn.dialect.name}")  # its own upsert; loaded here,
            # not at import: the PostgreSQL dialect costs a listing 18 ms of start-up (bench/bench_list.py)
            bump = (
                dialect.insert(case_serials)
                .values(year=year, last_number=1)
                .on_conflict_do_update(
                    index_elements=[case_serials.c.year],
                    set_={"last_number": case_serials.c.last_number + 1},
                )
                .returning(case_serials.c.last_number)
            )
            while True:
                case_id = serial_id(year, conn.execute(bump).scalar_one())
                if not self._holds(conn, case_id):
                    return case_id

    @staticmethod
    def _holds(conn: Connection, case_id: str) -> bool:
        """Whether the ledger has any event or projection of ``case_id``."""
        for table in (ledger_events, cases):
            if conn.execute(select(table.c.case_id).where(table.c.case_id == case_id).limit(1)).first():
                return True
        return False

    @staticmethod
    def _stored_seal(conn: Connection, case_id: str) -> str:
        from ledger import seals

        value = GENESIS
        for hash_, recorded_at in conn.execute(
            select(ledger_events.c.hash, ledger_events.c.recorded_at)
            .where(ledger_events.c.case_id == case_id).order_by(ledger_events.c.seq)
        ):
            value = seals.seal(value, hash_, recorded_at)
        return value

    @staticmethod
    def _fold_stored(conn: Connection, case_id: str) -> CaseState | None:
        rows = conn.execute(
            select(ledger_events.c.payload)
            .where(ledger_events.c.case_id == case_id)
            .order_by(ledger_events.c.seq)
        ).scalars()
        return fold(parse_event(p) for p in vault.open_in(conn, case_id, rows))

    def rebuild_projection(self) -> int:
        """Recompute the ``cases`` projection from ``ledger_events``; returns the number of cases."""
        with self._writing() as conn, conn.begin():
            if conn.dialect.name == "postgresql":  # no appends while the projection is rebuilt
                conn.exec_driver_sql("LOCK TABLE ledger_events IN SHARE MODE")
            conn.execute(delete(cases))
            conn.execute(delete(case_shares))
            ids = conn.execute(select(ledger_events.c.case_id).distinct()).scalars().all()
            for case_id in ids:
                state = self._fold_stored(conn, case_id)
                head = conn.execute(
                    select(ledger_events.c.hash)
                    .where(ledger_events.c.case_id == case_id)
                    .order_by(ledger_events.c.seq.desc())
                    .limit(1)
                ).scalar_one()
                if state is not None:
                    self._project(conn, state, head)
        return len(ids)

    @staticmethod
    def _project(conn: Connection, state: CaseState, head_hash: str) -> None:
        values = {
            **state.facts(),
            "company_folded": state.lead.company.casefold(),
            "coordinator_folded": folded_name(state.lead.coordinator),
            "kvk": state.lead.kvk,
            "head_hash": head_hash,
            "state": state.model_dump_json(),
            "detected_at": iso(state.detected_at),
            "updated_at": iso(state.updated_at),
        }
        if not conn.execute(update(cases).where(cases.c.case_id == state.case_id).values(**values)).rowcount:
            conn.execute(insert(cases).values(case_id=state.case_id, **values))
        if state.shares:  # shares are never forgotten (a revoked one is marked): no shares, no rows to replace
            conn.execute(delete(case_shares).where(case_shares.c.case_id == state.case_id))
            readers = [{"case_id": state.case_id, "organisation": s.organisation, "until": s.until.isoformat()}
                       for s in state.shares if s.revoked_at is None]
            if readers:
                conn.execute(insert(case_shares), readers)

    # --- reading ---------------------------------------------------------------------------

    def events(
        self, case_id: str, *, as_of: datetime | None = None, upto_seq: int | None = None,
        after_seq: int | None = None,
    ) -> list[LedgerRow]:
        """One case's rows in seq order (workflow time ``<= as_of``, seq ``<= upto_seq`` and seq
        ``> after_seq``, when given)."""
        query = select(*_STORED).where(ledger_events.c.case_id == case_id)
        if after_seq is not None:
            query = query.where(ledger_events.c.seq > after_seq)
        if as_of is not None:
            query = query.where(ledger_events.c.at <= iso(as_of))
        if upto_seq is not None:
            query = query.where(ledger_events.c.seq <= upto_seq)
        with self._engine.connect() as conn:
            rows = conn.execute(query.order_by(ledger_events.c.seq)).cursor.fetchall()
        keys = vault.Keys(self._engine)
        return [LedgerRow.of(StoredRow._make(r), keys) for r in rows]

    def stored_rows(
        self, *, batch: int = 10_000, start: str | None = None, stop: str | None = None
    ) -> Iterator[StoredRow]:
        """Every row as stored, in (case_id, seq) order, streamed by keyset pages (``ledger.paging``).

        ``start``/``stop``: only cases with ``start <= case_id < stop`` in the database's order
        (:meth:`case_ids_at` gives cut points), to split a walk over processes."""
        for page in keyset_pages(self._engine, _STORED, (_T.case_id, _T.seq), batch=batch, start=start, stop=stop):
            yield from map(StoredRow._make, page)

    def iter_all_rows(self, batch: int = 10_000) -> Iterator[LedgerRow]:
        """Every row ordered by (case_id, seq) as a :class:`LedgerRow`: :meth:`stored_rows`, parsed
        and opened."""
        keys = self.keys(walk=True)
        return (LedgerRow.of(r, keys) for r in self.stored_rows(batch=batch))

    def person_keys(self, fingerprints: Sequence[str]) -> dict[str, list[str]]:
        """The live keys of a person's values (``domain.personal.Person.fingerprints``), by case."""
        with self._engine.connect() as conn:
            return vault.person_keys(conn, fingerprints)

    def live_keys(self, case_id: str) -> list[str]:
        """Every live key of the case's sealed values (what the end of its retention destroys)."""
        with self._engine.connect() as conn:
            return vault.live_keys(conn, case_id)

    def reapply_erasures(self, key_ids: Sequence[str]) -> list[str]:
        """Destroy again every listed key that is live (a database restored from a backup made before
        the erasure: ``client.privacy``'s erase list) and refold the cases they belong to; the cases."""
        now = datetime.now(UTC)
        with self._writing() as conn, conn.begin():
            cases_hit = vault.live_cases(conn, key_ids)
            vault.destroyed(conn, key_ids, now)
            for case_id in cases_hit:
                conn.execute(update(outbox).where(outbox.c.case_id == case_id).values(subject=ERASED, body=ERASED))
                state = self._fold_stored(conn, case_id)
                head = conn.execute(select(ledger_events.c.hash).where(ledger_events.c.case_id == case_id)
                                    .order_by(ledger_events.c.seq.desc()).limit(1)).scalar_one()
                if state is not None:
                    self._project(conn, state, head)
        if cases_hit:
            self.scrub()
        return cases_hit

    def scrub(self) -> bool:
        """Make destroyed keys unrecoverable from the database's files (``ledger.vault.scrub``)."""
        return vault.scrub(self._engine)

    def keys(self, *, walk: bool = False) -> vault.Keys:
        """The sealed values' keys for a read (``walk``: a walk over many cases in case order)."""
        return vault.Keys(self._engine, walk=walk)

    def iter_payloads(self, as_of: datetime | None = None) -> Iterator[tuple[str, str]]:
        """(case_id, canonical JSON) of every event (with workflow time ``<= as_of``, when given),
        ordered by (case_id, seq): the cheap read for projections that fold many cases (reports).
        Personal values and free text read as ``[erased]`` (``ledger.vault.redacted``): no figure
        depends on them."""
        query = select(ledger_events.c.case_id, ledger_events.c.payload)
        if as_of is not None:
            query = query.where(ledger_events.c.at <= iso(as_of))
        with self._engine.connect().execution_options(stream_results=True, yield_per=20_000) as conn:
            result = conn.execute(query.order_by(ledger_events.c.case_id, ledger_events.c.seq))
            for case_id, payload in result:  # sealed values read as [erased]: no report shows them
                yield case_id, vault.redacted(payload)

    def count_events(self, *, event_type: str | None = None, case_prefix: str | None = None) -> int:
        """How many events the ledger holds (of ``event_type``, of cases whose id starts with ``case_prefix``)."""
        query = select(func.count()).select_from(ledger_events)
        if event_type is not None:
            query = query.where(ledger_events.c.type == event_type)
        if case_prefix is not None:
            query = query.where(ledger_events.c.case_id.startswith(case_prefix, autoescape=True))
        with self._engine.connect() as conn:
            return conn.execute(query).scalar_one()

    def case_ids_at(self, offsets: Sequence[int]) -> list[str]:
        """The case id of the event at each offset of the (case_id, seq) order: where to cut a walk."""
        with self._engine.connect() as conn:
            return [
                conn.execute(
                    select(ledger_events.c.case_id).order_by(ledger_events.c.case_id, ledger_events.c.seq)
                    .offset(offset).limit(1)
                ).scalar_one()
                for offset in offsets
            ]

    def projection_page(self, from_case: str, *, stop: str | None = None, limit: int = 256) -> list[ProjectionRow]:
        """``cases`` rows of ``from_case`` and the cases after it (database order, below ``stop``),
        at most ``limit``: the projection read in pages beside a walk of the events."""
        page = keyset_page(self._engine, _PROJECTION, (cases.c.case_id,), limit=limit, start=from_case, stop=stop)
        return [ProjectionRow._make((*r[:-1], bool(r[-1]))) for r in page]  # demo: SQLite's driver says 0/1

    def projections_without_events(self) -> list[str]:
        """Case ids with a ``cases`` row but no event (a deleted case, or a made-up row)."""
        orphan = ~exists().where(ledger_events.c.case_id == cases.c.case_id)
        with self._engine.connect() as conn:
            return list(conn.execute(select(cases.c.case_id).where(orphan).order_by(cases.c.case_id)).scalars())

    def case_ids(self) -> list[str]:
        with self._engine.connect() as conn:
            return list(conn.execute(select(ledger_events.c.case_id).distinct().order_by(ledger_events.c.case_id)).scalars())

    def case_state(self, case_id: str) -> CaseState | None:
        """The projected state (the fold of the case's ledger events)."""
        with self._engine.connect() as conn:
            raw = conn.execute(select(cases.c.state).where(cases.c.case_id == case_id)).scalar()
        return CaseState.model_validate_json(raw) if raw else None

    @staticmethod
    def _filtered(
        query: Select[Any], stage: str | None, region: str | None, company: str | None = None,
        coordinator: str | None = None, include_demo: bool = True,
    ) -> Select[Any]:
        query = query.order_by(cases.c.detected_at, cases.c.case_id)
        if not include_demo:
            query = query.where(cases.c.demo == false())
        if coordinator is not None:  # one indexed comparison, no state parsed
            query = query.where(cases.c.coordinator_folded == folded_name(coordinator))
        if stage:
            query = query.where(cases.c.stage == str(getattr(stage, "value", stage)))
        if region:
            query = query.where(cases.c.region == str(getattr(region, "value", region)))
        if company and company.strip():
            needle = company.strip()
            found = cases.c.company_folded.contains(needle.casefold(), autoescape=True)
            if re.match(KVK_PATTERN, needle):
                found = found | (cases.c.kvk == needle)
            query = query.where(found)
        return query

    def case_states(
        self, stage: str | None = None, region: str | None = None, company: str | None = None,
        coordinator: str | None = None, include_demo: bool = True,
    ) -> list[CaseState]:
        """Projected states of the cases, optionally in one stage and/or home region, and/or whose
        company name holds ``company`` (any case) or whose KvK number is ``company``, and/or whose
        coordinator is ``coordinator`` (case-insensitive); ``include_demo`` False leaves demo cases
        out (in SQL, on the ``demo`` column)."""
        query = self._filtered(select(cases.c.state), stage, region, company, coordinator, include_demo)
        with self._engine.connect() as conn:
            return [CaseState.model_validate_json(raw) for raw in conn.execute(query).scalars()]

    def case_page(self, q: CaseQuery) -> tuple[int, list[CaseState]]:
        """How many cases ``q`` finds, and the states of its page only (``ledger.listing``)."""
        from ledger import listing

        with self._engine.connect() as conn:
            found = conn.execute(listing.ordered(listing.where(select(cases.c.case_id, cases.c.last_seq), q), q)).all()
            total = len(found) if q.limit is None else conn.execute(
                listing.where(select(func.count()).select_from(cases), q)).scalar_one()
            kept = {case_id: self._states.get(case_id, seq) for case_id, seq in found}
            missing = [case_id for case_id, state in kept.items() if state is None]
            for start in range(0, len(missing), 500):  # parsed once per change (ledger.state_cache)
                part = missing[start:start + 500]
                for raw in conn.execute(select(cases.c.state).where(cases.c.case_id.in_(part))).scalars():
                    state = CaseState.model_validate_json(raw)
                    self._states.put(state)
                    kept[state.case_id] = state
        return total, [state for state in kept.values() if state is not None]

    def case_rows(self, q: CaseQuery) -> list[CaseSummary]:
        """The rows ``q`` finds (its page, or all with ``limit`` None) from the projection's columns,
        no state parsed: a CSV export, a board."""
        from ledger import listing

        columns = [cases.c[name] for name in CaseSummary.__dataclass_fields__]
        with self._engine.connect() as conn:
            rows = conn.execute(listing.ordered(listing.where(select(*columns), q), q)).mappings().all()
        return [CaseSummary(**{**r, "detected_at": datetime.fromisoformat(r["detected_at"]),
                               "updated_at": datetime.fromisoformat(r["updated_at"])}) for r in rows]

    def stage_counts(self, q: CaseQuery) -> dict[str, int]:
        """How many cases ``q`` finds in each stage (its page and order ignored)."""
        from ledger import listing

        query = listing.where(select(cases.c.stage, func.count()).select_from(cases), q).group_by(cases.c.stage)
        with self._engine.connect() as conn:
            return {stage: n for stage, n in conn.execute(query).all()}

    def list_cases(
        self, stage: str | None = None, region: str | None = None, company: str | None = None,
        coordinator: str | None = None, include_demo: bool = True,
    ) -> list[CaseSummary]:
        """The case list from the projection's columns (no state parsing), oldest detection first;
        the filters as in :meth:`case_states`."""
        columns = [cases.c[name] for name in CaseSummary.__dataclass_fields__ if name != "owner"]
        with self._engine.connect() as conn:
            rows = conn.execute(
                self._filtered(select(*columns), stage, region, company, coordinator, include_demo)
            ).mappings()
            return [
                CaseSummary(
                    **{**r, "detected_at": datetime.fromisoformat(r["detected_at"]),
                       "updated_at": datetime.fromisoformat(r["updated_at"])}
                )
                for r in rows
            ]
