"""What each append writes beside its events: the seal chain and the signed case head.

- **Seal** (per row, in ``ledger_events.seal``): ``sha256(prev_seal ‖ hash ‖ recorded_at)``, from 64
  zeros per case. The event hash (``domain.chain``) covers the event; the seal adds the storage
  metadata the event leaves out, without touching the hash rule (old rows and VERIFY.txt keep working).
- **Case head** (``case_heads``, one row per case): the worker signs ``head_message(case, seq, hash,
  seal)`` with the ledger key in the same transaction as the append (one Ed25519 signature per
  append batch, ~50 µs).

``Ledger.append`` calls these inside its transaction; the signed tree heads over the case heads,
and what ``audit verify`` reads of them, are in ``ledger.heads``.
"""

from __future__ import annotations

import hashlib

from sqlalchemy import Connection, insert, update

from keys import Signer
from ledger.schema import case_heads


def seal(prev_seal: str, hash_: str, recorded_at: str) -> str:
    return hashlib.sha256((prev_seal + hash_ + recorded_at).encode("utf-8")).hexdigest()


def head_message(case_id: str, seq: int, hash_: str, seal_: str) -> bytes:
    return f"brandpunt/case-head/v1\n{case_id}\n{seq}\n{hash_}\n{seal_}".encode()


def write_head(conn: Connection, signer: Signer, case_id: str, seq: int, hash_: str, seal_: str) -> None:
    """Sign (case, seq, hash, seal) as the case's head, in the caller's transaction."""
    values = {"seq": seq, "hash": hash_, "seal": seal_, "key_id": signer.key_id,
              "signature": signer.sign(head_message(case_id, seq, hash_, seal_))}
    if not conn.execute(update(case_heads).where(case_heads.c.case_id == case_id).values(**values)).rowcount:
        conn.execute(insert(case_heads).values(case_id=case_id, **values))
