"""Signed case heads and signed tree heads: what makes a forged append detectable without the key.

- **Seal** and **case head** (``ledger.seals``, written by every append in its own transaction; re-
  exported here): a row appended with database access but without the key leaves the chain past
  its signed head; editing the head row breaks its signature.
- **Signed tree head** (``tree_heads``): every so often (the worker, after an append, when the last
  one is older than ``BRANDPUNT_TREE_HEAD_INTERVAL`` seconds, default 30; or ``brandpunt audit
  sign-tree-head``) the heads that changed since the last STH have their signatures *verified*
  (so an STH never launders a forgery), are copied into ``sth_*``, and a Merkle root over every
  case's ``sth_*`` leaf (``leaf``: the checkpoint rule with the seal added) is signed together with
  a serial number, the time, and the numbers of cases and events. ``audit verify --all`` then checks
  one STH signature and the root, and verifies a case's head signature only when the case changed
  since the STH (or the root does not match, to name the case).

Everything here takes the :class:`~ledger.store.Ledger` (its SQL stays in ``ledger/``): making and
adopting heads, and what ``audit verify`` reads of them (:func:`tree_state` in one snapshot,
:func:`signed_heads_page` beside its walk, :func:`heads_without_events`).
"""

from __future__ import annotations

import hashlib
import json
import os
import threading
import time
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, NamedTuple

from sqlalchemy import Connection, exists, func, insert, select, update

from domain.chain import merkle_root
from keys import PublicKeys, Signer
from ledger.paging import keyset_page
from ledger.schema import case_heads, ledger_events, tree_heads
from ledger.seals import head_message, seal, write_head

if TYPE_CHECKING:
    from ledger.store import Ledger

DEFAULT_INTERVAL = 30.0


def tree_message(serial: int, made_at: str, cases: int, events: int, root: str) -> bytes:
    return f"brandpunt/tree-head/v1\n{serial}\n{made_at}\n{cases}\n{events}\n{root}".encode()


def leaf(case_id: str, seq: int, hash_: str, seal_: str) -> str:
    return hashlib.sha256(f"{case_id}\n{seq}\n{hash_}\n{seal_}".encode()).hexdigest()


def sth_root(conn: Connection) -> tuple[str, int, int]:
    """(root, cases, events) over every case head's ``sth_*`` leaf, sorted by case id (Python order)."""
    rows = list(conn.execute(
        select(case_heads.c.case_id, case_heads.c.sth_seq, case_heads.c.sth_hash, case_heads.c.sth_seal)
        .where(case_heads.c.sth_seq.is_not(None))
    ))
    rows.sort(key=lambda r: r[0])
    return merkle_root([leaf(*r) for r in rows]), len(rows), sum(r[1] for r in rows)


@dataclass(frozen=True)
class TreeHead:
    serial: int
    made_at: str
    cases: int
    events: int
    root: str
    key_id: str
    signature: str
    refused: tuple[str, ...] = ()  # "case: problem" for heads left out (their signature failed)

    def message(self) -> bytes:
        return tree_message(self.serial, self.made_at, self.cases, self.events, self.root)

    def as_json(self) -> dict:
        return {"serial": self.serial, "made_at": self.made_at, "cases": self.cases, "events": self.events,
                "root": self.root, "key_id": self.key_id, "signature": self.signature}


def latest_tree_head(conn: Connection) -> TreeHead | None:
    row = conn.execute(select(tree_heads).order_by(tree_heads.c.serial.desc()).limit(1)).first()
    return TreeHead(**row._mapping) if row else None


class TreeHeadRefused(RuntimeError):
    """The case heads no longer give the last tree head: signing over them would launder a deletion."""


class SignedHead(NamedTuple):
    """One ``case_heads`` row: the case's head as signed, and its leaf in the latest tree head."""

    case_id: str
    seq: int
    hash: str
    seal: str
    key_id: str
    signature: str
    sth_seq: int | None
    sth_hash: str | None
    sth_seal: str | None


_HEAD_COLUMNS = tuple(case_heads.c[name] for name in SignedHead._fields)


def signed_heads_page(ledger: Ledger, from_case: str, *, stop: str | None = None, limit: int = 256) -> list[SignedHead]:
    """``case_heads`` rows of ``from_case`` and the cases after it (database order, below ``stop``),
    at most ``limit``: read in pages beside a walk of the events (``ledger.paging``)."""
    page = keyset_page(ledger._engine, _HEAD_COLUMNS, (case_heads.c.case_id,), limit=limit, start=from_case,
                       stop=stop)
    return [SignedHead._make(r) for r in page]


def heads_without_events(ledger: Ledger) -> list[tuple[str, int, int | None]]:
    """(case_id, seq, sth_seq) of every signed head whose case has no event left (a deleted case)."""
    orphan = ~exists().where(ledger_events.c.case_id == case_heads.c.case_id)
    with ledger._engine.connect() as conn:
        rows = conn.execute(
            select(case_heads.c.case_id, case_heads.c.seq, case_heads.c.sth_seq).where(orphan)
            .order_by(case_heads.c.case_id)
        ).all()
    return [(c, s, t) for c, s, t in rows]


@dataclass(frozen=True)
class TreeState:
    """What ``audit verify`` checks the newest signed tree head against, read in one snapshot.

    ``root``/``cases``/``events``: :func:`sth_root` over the case heads now (only with a tree head);
    ``anything``: whether the ledger holds any event or case head (only without one)."""

    tree_head: TreeHead | None
    root: str | None = None
    cases: int = 0
    events: int = 0
    anything: bool = False


def tree_state(ledger: Ledger) -> TreeState:
    """The newest tree head and the case heads' root now, in one snapshot (PostgreSQL: REPEATABLE
    READ; SQLite: one read transaction), so a head written meanwhile cannot pass for a deletion."""
    options = {"isolation_level": "REPEATABLE READ"} if ledger.dialect == "postgresql" else {}
    with ledger._engine.connect().execution_options(**options) as conn, conn.begin():
        sth = latest_tree_head(conn)
        if sth is None:
            anything = bool(conn.execute(select(exists().where(ledger_events.c.id.is_not(None)))).scalar()
                            or conn.execute(select(exists().where(case_heads.c.case_id.is_not(None)))).scalar())
            return TreeState(None, anything=anything)
        root, n_cases, n_events = sth_root(conn)
        return TreeState(sth, root, n_cases, n_events)


def make_tree_head(ledger: Ledger, signer: Signer, trusted: PublicKeys, outside: Path | None = None) -> TreeHead:
    """Sign a new tree head over the current case heads, taking in only heads whose signature verifies.

    Refused (:class:`TreeHeadRefused`) when the ``sth_*`` leaves no longer give the newest tree
    head's root, or when ``outside`` (a copy of the newest tree head kept beside the keys, out of
    the database's reach) is newer than the database's: tree heads or head rows were deleted or
    edited, and a new tree head would hide it. Runs in one write transaction (SQLite: BEGIN
    IMMEDIATE; PostgreSQL: an advisory lock), so two makers never interleave; appends meanwhile only
    touch the current head columns, not ``sth_*``.
    """
    refused: list[str] = []
    with ledger._writing() as conn, conn.begin():
        if conn.dialect.name == "postgresql":
            conn.execute(select(func.pg_advisory_xact_lock(0x62702D737468)))  # "bp-sth"
        previous = latest_tree_head(conn)
        kept = _read_outside(outside)
        if kept and (previous is None or previous.serial < int(kept["serial"])):
            raise TreeHeadRefused(f"tree head #{kept['serial']} kept in {outside} is missing from the ledger "
                                  "(deleted?): run `brandpunt audit verify --all`")
        if previous is not None and sth_root(conn) != (previous.root, previous.cases, previous.events):
            raise TreeHeadRefused(f"the case heads no longer give tree head #{previous.serial}'s root (a head "
                                  "row was deleted or edited): run `brandpunt audit verify --all`")
        changed = conn.execute(
            select(case_heads.c.case_id, case_heads.c.seq, case_heads.c.hash, case_heads.c.seal,
                   case_heads.c.key_id, case_heads.c.signature)
            .where((case_heads.c.sth_seq.is_(None)) | (case_heads.c.sth_seq != case_heads.c.seq)
                   | (case_heads.c.sth_hash != case_heads.c.hash) | (case_heads.c.sth_seal != case_heads.c.seal))
        ).all()
        good = []
        for case_id, seq, hash_, seal_, key_id, signature in changed:
            problem = trusted.problem(key_id, head_message(case_id, seq, hash_, seal_), signature)
            if problem:
                refused.append(f"{case_id} seq {seq}: {problem}")
            else:
                good.append({"c": case_id, "s": seq, "h": hash_, "l": seal_})
        for g in good:
            conn.execute(update(case_heads).where(case_heads.c.case_id == g["c"])
                         .values(sth_seq=g["s"], sth_hash=g["h"], sth_seal=g["l"]))
        root, cases, events = sth_root(conn)
        serial = (conn.execute(select(func.max(tree_heads.c.serial))).scalar() or 0) + 1
        made_at = datetime.now(UTC).isoformat(timespec="microseconds")
        sth = TreeHead(serial, made_at, cases, events, root, signer.key_id,
                       signer.sign(tree_message(serial, made_at, cases, events, root)), tuple(refused))
        conn.execute(insert(tree_heads).values(**sth.as_json()))
    if outside is not None:
        try:
            outside.parent.mkdir(parents=True, exist_ok=True)
            tmp = outside.with_name(outside.name + ".tmp")
            tmp.write_text(json.dumps(sth.as_json(), indent=2) + "\n", encoding="utf-8")
            os.replace(tmp, outside)
        except OSError:  # a read-only keys mount (k8s secret): the copy is optional, the tree head is made
            pass
    return sth


def _read_outside(path: Path | None) -> dict | None:
    if path is None or not path.exists():
        return None
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except ValueError:
        return None


def adopt(ledger: Ledger, signer: Signer, heads: dict[str, tuple[int, str, str]]) -> int:
    """Sign the given verified chain ends (case -> (seq, hash, seal)) as case heads; returns how many."""
    with ledger._writing() as conn, conn.begin():
        for case_id, (seq, hash_, seal_) in heads.items():
            write_head(conn, signer, case_id, seq, hash_, seal_)
    return len(heads)


class TreeHeadMaker:
    """Makes a tree head after an append when the last one is older than ``interval`` seconds.

    Called from the append activity's thread after its transaction committed; one maker at a time
    per process (another thread finding it busy just goes on)."""

    def __init__(self, ledger: Ledger, signer: Signer, trusted: PublicKeys, interval: float = DEFAULT_INTERVAL,
                 outside: Path | None = None) -> None:
        self.ledger, self.signer, self.trusted, self.interval = ledger, signer, trusted, interval
        self.outside = outside
        self._lock = threading.Lock()
        self._last = 0.0

    def due(self) -> bool:
        return time.monotonic() - self._last >= self.interval

    def maybe_make(self) -> TreeHead | None:
        if not self.due() or not self._lock.acquire(blocking=False):
            return None
        try:
            return make_tree_head(self.ledger, self.signer, self.trusted, self.outside)
        finally:
            self._last = time.monotonic()  # refused or not: not again before the interval
            self._lock.release()


__all__ = ["SignedHead", "TreeHeadRefused", "TreeHead", "TreeHeadMaker", "TreeState", "adopt", "head_message",
           "heads_without_events", "latest_tree_head", "leaf", "make_tree_head", "seal", "signed_heads_page",
           "sth_root", "tree_message", "tree_state", "write_head"]
