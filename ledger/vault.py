"""The vault of sealed values (table ``data_keys``): crypto-shredding of personal data in the ledger.

Every personal value of an event (a contact's name, e-mail, phone, also as the old or new value of a
change) and every free text (a note, a reason, an answer...: ``domain.personal.places``) is sealed
(``keys.sealing``) with a key of its own before the event is canonicalised, so the chain's hash
covers the ciphertext. Keys:

- a person's value: one key per value per case, found again by the sha256 of its fingerprint
  (``ref``), so ``brandpunt privacy erase --email`` finds every key of that e-mail address;
- a free text: one key per field of one event (``ref``: the sha256 of event id and place), so
  erasing a person also erases the notes that name them, and nothing else.

Erasing a key sets ``key`` and ``ref`` to NULL (the row stays: it says the value was erased, and
when): the value then reads as ``[erased]`` (``domain.personal.ERASED``) everywhere, and nothing
left in the database links the erased key to the person. SQLite runs with ``secure_delete`` and the
WAL is checkpointed after an erasure (freed space zeroed); on PostgreSQL the table is vacuumed (its
space freed for reuse, not overwritten: see :func:`scrub`). Backups: the erase list
(``client.privacy``), kept outside the database.

The key rows are the ledger's own: like the rest of the ledger they are protected by the database's
access control; the Temporal side has its own keys (``keys.codec``).
"""

from __future__ import annotations

import base64
import hashlib
import json
import secrets
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import Connection, Engine, and_, insert, select, update

from domain.personal import ERASED, Place, fingerprint, places, replaced
from keys.sealing import PREFIX, Unopenable, key_id_of, new_key, open_sealed, seal
from ledger.schema import data_keys, iso

_K = data_keys.c
SEALED_MARK = '"' + PREFIX
"""How a stored payload that holds a sealed value is recognised cheaply (a substring test)."""
WALK_BATCH = 5_000
"""Key rows fetched at once by a walk over many cases (one query per range of cases, not per case)."""


def _ref(case_id: str, event: Mapping[str, Any], place: Place, value: str) -> str:
    if place.kind == "text":
        text = f"brandpunt-text/1:{case_id}/{event.get('seq')}:{place.path}"
    else:
        text = fingerprint(place.kind, value)
    return hashlib.sha256(text.encode()).hexdigest()


def _decode(key: str) -> bytes:
    return base64.b64decode(key)


def seal_event(conn: Connection, case_id: str, event: dict[str, Any]) -> dict[str, Any]:
    """``event`` (a JSON form about to be hashed) with its personal values and free text sealed.

    Run in the append's transaction (appends to one case are serialised): a value's key is made on
    its first use and found again by its ref, so a retried append seals to the same bytes. A value
    that already reads ``[erased]`` (a lead carried past an erasure) is stored as it is. Every other
    value is sealed, whatever it looks like: a person may type text that looks sealed."""
    found = [(p, v) for p, v in places(event) if v != ERASED]
    if not found:
        return event
    refs = {p.path: _ref(case_id, event, p, v) for p, v in found}
    have = {r.ref: (r.key_id, _decode(r.key)) for r in conn.execute(
        select(_K.ref, _K.key_id, _K.key).where(_K.case_id == case_id, _K.ref.in_(set(refs.values()))))}
    missing = sorted(set(refs.values()) - set(have))
    if missing:
        now = iso(datetime.now(UTC))
        rows = []
        for ref in missing:
            key_id, key = secrets.token_hex(16), new_key()
            have[ref] = (key_id, key)
            rows.append({"key_id": key_id, "case_id": case_id, "ref": ref,
                         "key": base64.b64encode(key).decode(), "created_at": now, "erased_at": None})
        conn.execute(insert(data_keys), rows)

    def sealed(place: Place, value: str) -> str:
        if place.path not in refs:
            return value
        key_id, key = have[refs[place.path]]
        return seal(key_id, key, case_id, place.path, value)

    return replaced(event, sealed)


@dataclass(frozen=True)
class Opened:
    """A stored payload with its sealed values opened: the canonical JSON people's programs read,
    and the places whose key was erased (they read ``[erased]``)."""

    text: str
    erased: tuple[str, ...] = ()


_CANONICAL = json.JSONEncoder(sort_keys=True, separators=(",", ":"), ensure_ascii=False)


def open_payload(payload: str, case_id: str, keys: Mapping[str, bytes | None]) -> Opened | None:
    """``payload`` opened with ``keys`` (the case's key ids -> key, ``None``: erased), or ``None`` when it
    holds no sealed value. :class:`keys.sealing.Unopenable` for an altered or moved sealed value (a
    key the case does not have, a ciphertext that does not open for its case and place)."""
    if SEALED_MARK not in payload:
        return None
    data = json.loads(payload)
    if not isinstance(data, dict):
        raise Unopenable("the payload is no JSON object")
    erased: list[str] = []

    def opened(place: Place, value: str) -> str:
        key_id = key_id_of(value)
        if key_id is None:
            return value
        if key_id not in keys:
            raise Unopenable(f"{place.path}: sealed with a key case {case_id} does not have (moved from another case?)")
        key = keys[key_id]
        if key is None:
            erased.append(place.path)
            return ERASED
        return open_sealed(value, key, case_id, place.path)

    return Opened(_CANONICAL.encode(replaced(data, opened)), tuple(erased))


def sealed_key_ids(payload: str) -> list[str]:
    """The key ids of the sealed values of ``payload`` (at their places only)."""
    if SEALED_MARK not in payload:
        return []
    try:
        data = json.loads(payload)
    except ValueError:
        return []
    return [k for _, v in places(data) if (k := key_id_of(v)) is not None] if isinstance(data, dict) else []


class Keys:
    """The live keys of the cases a read meets, fetched once per case (or per range of cases, for a
    walk in case order: ``walk=True``), for :func:`open_payload`."""

    def __init__(self, engine: Engine, *, walk: bool = False) -> None:
        self._engine = engine
        self._walk = walk
        self._cases: dict[str, dict[str, bytes | None]] = {}

    def of(self, case_id: str) -> dict[str, bytes | None]:
        got = self._cases.get(case_id)
        if got is None:
            self._fetch(case_id)
            got = self._cases.setdefault(case_id, {})
        return got

    def _fetch(self, case_id: str) -> None:
        if not self._walk:
            self._cases = {case_id: self._one(case_id)}
            return
        query = (select(_K.case_id, _K.key_id, _K.key).where(_K.case_id >= case_id)
                 .order_by(_K.case_id).limit(WALK_BATCH))
        with self._engine.connect() as conn:
            rows = conn.execute(query).all()
        fetched: dict[str, dict[str, bytes | None]] = {}
        for r in rows:
            fetched.setdefault(r.case_id, {})[r.key_id] = _decode(r.key) if r.key else None
        if len(rows) == WALK_BATCH:  # the last case may be cut off: fetched again when met
            fetched.pop(rows[-1].case_id, None)
        self._cases = fetched if case_id in fetched else {case_id: self._one(case_id)}

    def _one(self, case_id: str) -> dict[str, bytes | None]:
        with self._engine.connect() as conn:
            return case_keys(conn, case_id)

    def open(self, case_id: str, payload: str) -> Opened | None:
        """:func:`open_payload` with this case's keys."""
        if SEALED_MARK not in payload:
            return None
        return open_payload(payload, case_id, self.of(case_id))


def case_keys(conn: Connection, case_id: str) -> dict[str, bytes | None]:
    """Every key of case ``case_id``: key id -> key (``None``: erased)."""
    return {r.key_id: _decode(r.key) if r.key else None
            for r in conn.execute(select(_K.key_id, _K.key).where(_K.case_id == case_id))}


def open_in(conn: Connection, case_id: str, payloads: Iterable[str]) -> list[str]:
    """``payloads`` of case ``case_id`` opened in ``conn`` (the append's transaction: a fold of the
    stored chain)."""
    payloads = list(payloads)
    keys: dict[str, bytes | None] | None = None
    out = []
    for p in payloads:
        if SEALED_MARK in p:
            if keys is None:
                keys = case_keys(conn, case_id)
            opened = open_payload(p, case_id, keys)
            out.append(opened.text if opened else p)
        else:
            out.append(p)
    return out


def redacted(payload: str) -> str:
    """``payload`` with every sealed value read as ``[erased]``, without keys: for the reports, which
    never show a person's data, and must not need the vault."""
    if SEALED_MARK not in payload:
        return payload
    try:
        data = json.loads(payload)
    except ValueError:
        return payload  # not JSON: the strict checks say so
    if not isinstance(data, dict):
        return payload
    return _CANONICAL.encode(replaced(data, lambda _, v: ERASED if key_id_of(v) is not None else v))


def person_keys(conn: Connection, fingerprints: Sequence[str]) -> dict[str, list[str]]:
    """The live keys of a person's values, by case: every case that recorded any of them."""
    refs = [hashlib.sha256(f.encode()).hexdigest() for f in fingerprints]
    if not refs:
        return {}
    out: dict[str, list[str]] = {}
    for r in conn.execute(select(_K.case_id, _K.key_id).where(_K.ref.in_(refs), _K.key.is_not(None))
                          .order_by(_K.case_id, _K.key_id)):
        out.setdefault(r.case_id, []).append(r.key_id)
    return out


def live_keys(conn: Connection, case_id: str) -> list[str]:
    """Every live key of case ``case_id`` (what its retention destroys)."""
    return list(conn.execute(select(_K.key_id).where(_K.case_id == case_id, _K.key.is_not(None))
                             .order_by(_K.key_id)).scalars())


def destroy(conn: Connection, case_id: str, key_ids: Iterable[str], at: datetime) -> int:
    """Destroy these keys of case ``case_id`` (key and ref to NULL): how many were live."""
    ids = sorted(set(key_ids))
    if not ids:
        return 0
    done = conn.execute(update(data_keys).where(and_(_K.case_id == case_id, _K.key_id.in_(ids), _K.key.is_not(None)))
                        .values(key=None, ref=None, erased_at=iso(at)))
    return int(done.rowcount or 0)


def destroyed(conn: Connection, key_ids: Iterable[str], at: datetime) -> int:
    """Destroy these keys whatever their case (the erase list applied after a restore): how many were live."""
    ids = sorted(set(key_ids))
    done = 0
    for i in range(0, len(ids), 500):
        result = conn.execute(update(data_keys).where(_K.key_id.in_(ids[i:i + 500]), _K.key.is_not(None))
                              .values(key=None, ref=None, erased_at=iso(at)))
        done += int(result.rowcount or 0)
    return done


def live_cases(conn: Connection, key_ids: Iterable[str]) -> list[str]:
    """The cases that hold any of these keys alive."""
    ids = sorted(set(key_ids))
    found: set[str] = set()
    for i in range(0, len(ids), 500):
        found.update(conn.execute(select(_K.case_id).where(_K.key_id.in_(ids[i:i + 500]), _K.key.is_not(None))
                                  .distinct()).scalars())
    return sorted(found)


def scrub(engine: Engine, attempts: int = 20) -> bool:
    """Make destroyed key bytes unrecoverable from the database files, as far as the database lets us:
    SQLite's WAL checkpointed (and truncated) into the ``secure_delete`` database, which zeroes freed
    space; PostgreSQL's ``data_keys`` vacuumed, which frees the old rows' space for reuse (it does not
    overwrite it: on PostgreSQL the disk's own encryption and the backups' expiry are what remain).
    False when SQLite stayed busy (a reader held the WAL): the next erasure or ``reapply`` tries again."""
    if engine.dialect.name == "sqlite":
        import time

        raw = engine.raw_connection()  # no transaction: a checkpoint inside one leaves pages behind
        try:
            for _ in range(attempts):
                busy = raw.cursor().execute("PRAGMA wal_checkpoint(TRUNCATE)").fetchone()
                if not busy or not busy[0]:
                    return True
                time.sleep(0.05)
            return False
        finally:
            raw.close()
    if engine.dialect.name == "postgresql":
        with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
            conn.exec_driver_sql("VACUUM data_keys")
    return True


__all__ = ["Keys", "Opened", "Unopenable", "case_keys", "destroy", "destroyed", "live_cases", "live_keys", "open_in", "open_payload",
           "person_keys", "redacted", "scrub", "seal_event", "sealed_key_ids", "SEALED_MARK"]
