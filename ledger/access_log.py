"""The access log's store: append an entry to the one chain, list entries, hand the chain to audit.

Reached as ``Ledger.access_log``. Appends serialise on the chain (SQLite: BEGIN IMMEDIATE;
PostgreSQL: an advisory lock), so two API replicas recording at once never fork it; the table
refuses UPDATE and DELETE (migration 0011).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import Connection, Engine, func, insert, select

from domain.access_log import AccessEntry, AccessKind, chain_problems, entry_hash, roles_held
from domain.chain import GENESIS, canonical_json
from ledger.schema import access_log as t
from ledger.schema import iso, lock_key

ACCESS_CHAIN = "brandpunt:access-log"
"""The advisory-lock name of the chain (hashed to a PostgreSQL lock key like a case id)."""


@dataclass(frozen=True)
class StoredAccess:
    entry: AccessEntry
    prev_hash: str
    hash: str


class AccessLog:
    def __init__(self, engine: Engine) -> None:
        self._engine = engine

    def _writing(self) -> Connection:
        return self._engine.connect().execution_options(ledger_write=True)

    def record(
        self, *, at: datetime, subject: str, organisation: str, kind: AccessKind, purpose: str,
        case_id: str | None = None, detail: str | None = None,
    ) -> StoredAccess:
        """Append one entry (validated: bounds name the field) and return it with its hashes."""
        with self._writing() as conn, conn.begin():
            if conn.dialect.name == "postgresql":
                conn.execute(select(func.pg_advisory_xact_lock(lock_key(ACCESS_CHAIN))))
            head = conn.execute(select(t.c.seq, t.c.hash).order_by(t.c.seq.desc()).limit(1)).first()
            seq, prev = (head.seq, head.hash) if head else (0, GENESIS)
            entry = AccessEntry(
                seq=seq + 1, at=at, subject=subject, organisation=organisation, kind=kind, case_id=case_id,
                purpose=purpose, detail=detail,
            )
            digest = entry_hash(prev, entry)
            conn.execute(
                insert(t).values(
                    seq=entry.seq, at=iso(at), subject=subject, organisation=organisation, kind=kind.value,
                    case_id=case_id, payload=canonical_json(entry.model_dump(mode="json")), prev_hash=prev,
                    hash=digest,
                )
            )
        return StoredAccess(entry, prev, digest)

    def entries(self, case_id: str | None = None) -> list[StoredAccess]:
        """Every entry (or a case's), oldest first, parsed from the stored payload (what was hashed)."""
        query = select(t.c.payload, t.c.prev_hash, t.c.hash).order_by(t.c.seq)
        if case_id is not None:
            query = query.where(t.c.case_id == case_id)
        with self._engine.connect() as conn:
            rows = conn.execute(query).all()
        return [StoredAccess(AccessEntry.model_validate_json(r.payload), r.prev_hash, r.hash) for r in rows]

    def of_subject(self, subject: str, kinds: frozenset[AccessKind]) -> list[AccessEntry]:
        """The entries of ``kinds`` recorded for ``subject``, oldest first (a person's role grants)."""
        query = (select(t.c.payload).where(t.c.subject == subject, t.c.kind.in_(sorted(k.value for k in kinds)))
                 .order_by(t.c.seq))
        with self._engine.connect() as conn:
            return [AccessEntry.model_validate_json(r.payload) for r in conn.execute(query)]

    def holders(self, organisation: str, role: str) -> list[str]:
        """The subjects the log says hold ``role`` in ``organisation`` now (granted at a sign-in and not
        revoked since), sorted: the colleagues a coordinator hands a case over to."""
        kinds = sorted(k.value for k in (AccessKind.GRANT_ROLE, AccessKind.REVOKE_ROLE))
        query = (select(t.c.payload).where(t.c.organisation == organisation, t.c.kind.in_(kinds)).order_by(t.c.seq))
        with self._engine.connect() as conn:
            entries = [AccessEntry.model_validate_json(r.payload) for r in conn.execute(query)]
        by_subject: dict[str, list[AccessEntry]] = {}
        for e in entries:
            by_subject.setdefault(e.subject, []).append(e)
        return sorted(s for s, es in by_subject.items() if (organisation, role) in roles_held(es))

    def problems(self) -> list[str]:
        """What is wrong with the stored chain: altered, missing or inserted entries, and columns that
        say other than the hashed payload (a changed ``case_id`` column would hide an entry from its
        case's listing). Empty when the chain is sound."""
        with self._engine.connect() as conn:
            rows = conn.execute(select(t).order_by(t.c.seq)).all()
        found: list[str] = []
        chain: list[tuple[AccessEntry, str, str]] = []
        for r in rows:
            try:
                entry = AccessEntry.model_validate_json(r.payload)
            except ValueError:
                found.append(f"entry {r.seq}: its payload is not an access entry (altered)")
                continue
            if (r.seq, r.subject, r.organisation, r.kind, r.case_id) != (
                entry.seq, entry.subject, entry.organisation, entry.kind.value, entry.case_id
            ):
                found.append(f"entry {r.seq}: its columns differ from its hashed payload (altered)")
            chain.append((entry, r.prev_hash, r.hash))
        return found + chain_problems(chain)
