"""Sealed values: one personal value (or one free text) encrypted in a ledger event with a key of its own.

Crypto-shredding: the ledger is append-only and hash-chained, so nothing in it can be deleted without
breaking verification. A person's data is therefore stored sealed (``sealed:1:<key id>:<base64url of
nonce ‖ AES-256-GCM ciphertext>``) before the event is canonicalised and hashed: the hash covers the
ciphertext, and destroying the value's key (``ledger.vault``) erases the value while every chain
still verifies.

The nonce is synthetic: the first 12 bytes of HMAC-SHA256(key, place ‖ 0 ‖ value). Sealing is
therefore deterministic, so a retried append gives the same bytes and is recognised as a repeat;
the same key and nonce never meet two different values (a different value gives a different nonce),
which is what AES-GCM needs. The associated data is the case and the value's place in the event
(``domain.personal.Place``): a sealed value copied into another case or field does not open.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import os

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

PREFIX = "sealed:1:"
KEY_BYTES = 32
NONCE_BYTES = 12


class Unopenable(ValueError):
    """A sealed value that does not open with its key: altered, or moved to another place or case."""


def new_key() -> bytes:
    """A fresh AES-256 key for one value."""
    return os.urandom(KEY_BYTES)


def _aad(case_id: str, place: str) -> bytes:
    return f"{case_id}\x00{place}".encode()


def seal(key_id: str, key: bytes, case_id: str, place: str, value: str) -> str:
    """``value`` sealed with ``key`` for ``place`` of case ``case_id``: the text the ledger stores."""
    data = value.encode()
    nonce = hmac.new(key, place.encode() + b"\x00" + data, hashlib.sha256).digest()[:NONCE_BYTES]
    body = nonce + AESGCM(key).encrypt(nonce, data, _aad(case_id, place))
    return f"{PREFIX}{key_id}:{base64.urlsafe_b64encode(body).decode().rstrip('=')}"


def key_id_of(sealed: str) -> str | None:
    """The key id of a sealed value, or ``None`` when ``sealed`` is no sealed value (a plain value,
    as recorded before sealing began)."""
    if not sealed.startswith(PREFIX):
        return None
    key_id, sep, _ = sealed[len(PREFIX):].partition(":")
    return key_id if sep and key_id else None


def open_sealed(sealed: str, key: bytes, case_id: str, place: str) -> str:
    """The value ``sealed`` holds; :class:`Unopenable` when it was altered or moved."""
    body = sealed[len(PREFIX):].partition(":")[2]
    try:
        raw = base64.urlsafe_b64decode(body + "=" * (-len(body) % 4))
        if len(raw) <= NONCE_BYTES:
            raise Unopenable(f"{place}: the sealed value is too short")
        return AESGCM(key).decrypt(raw[:NONCE_BYTES], raw[NONCE_BYTES:], _aad(case_id, place)).decode()
    except (InvalidTag, ValueError) as err:
        if isinstance(err, Unopenable):
            raise
        raise Unopenable(f"{place}: the sealed value does not open with its key (altered, or moved)") from None
