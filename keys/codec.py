"""Encryption of everything brandpunt sends through Temporal: a ``PayloadCodec`` with AES-256-GCM.

Every payload (workflow input, updates and their results, queries, activity arguments and results,
memos, and, with the failure converter that encodes attributes, failure messages and stack traces)
is serialised, encrypted and stored as ``binary/encrypted`` with two metadata entries: the id of the
key (``encryption-key-id``) and the case it belongs to (``brandpunt-case``: the workflow id, from the
SDK's serialization context; case ids name nobody). Both are bound into the ciphertext as
associated data, so a payload relabelled to another case or key does not decrypt: the codec
server (``api/codec.py``) decodes a payload only for a user who may read the case it names.

Keys: the keyring's ``payload`` keys (``brandpunt keys init`` makes one, ``brandpunt keys rotate
payload`` a new one; the old ones stay to decrypt), or ``BRANDPUNT_PAYLOAD_KEYS`` (``id:hex,...``, the
first active) for a deployment that keeps keys in a secret store. New payloads use the active key;
any known key decrypts. A payload that is not encrypted (histories from before encryption, recorded
test histories) passes through as it is. Search attributes are not payloads of this codec: they stay
readable (``workflows/search_attributes.py`` lists them; none names a company or a person).
"""

from __future__ import annotations

import dataclasses
import os
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from temporalio.api.common.v1 import Payload
from temporalio.converter import (
    ActivitySerializationContext,
    DataConverter,
    DefaultFailureConverterWithEncodedAttributes,
    PayloadCodec,
    SerializationContext,
    WithSerializationContext,
    WorkflowSerializationContext,
)

ENCODING = b"binary/encrypted"
KEY_ID = "encryption-key-id"
CASE = "brandpunt-case"
NONCE_BYTES = 12
ENV = "BRANDPUNT_PAYLOAD_KEYS"


class CodecError(ValueError):
    """A payload that cannot be decrypted: an unknown key, or altered (the message names neither
    content nor key material)."""


@dataclasses.dataclass(frozen=True)
class PayloadKeys:
    """The payload keys by id and the one new payloads use."""

    active: str
    keys: Mapping[str, bytes]

    def __post_init__(self) -> None:
        if self.active not in self.keys:
            raise ValueError("the active payload key is not among the keys")
        for key_id, raw in self.keys.items():
            if len(raw) != 32:
                raise ValueError(f"payload key {key_id}: AES-256 needs 32 bytes")

    def __repr__(self) -> str:  # never the secrets
        return f"PayloadKeys(active={self.active!r}, ids={sorted(self.keys)!r})"

    @classmethod
    def parse(cls, text: str) -> PayloadKeys:
        """``id:hex,id:hex`` (the first is active), as ``BRANDPUNT_PAYLOAD_KEYS`` holds them."""
        pairs = []
        for part in (p.strip() for p in text.split(",") if p.strip()):
            key_id, sep, hexed = part.partition(":")
            try:
                raw = bytes.fromhex(hexed.strip())
            except ValueError:
                raise ValueError(f"{ENV}: key {key_id.strip()!r} is not hex") from None
            if not sep or not key_id.strip():
                raise ValueError(f"{ENV}: give id:hex pairs, comma-separated")
            pairs.append((key_id.strip(), raw))
        if not pairs:
            raise ValueError(f"{ENV}: no key")
        return cls(pairs[0][0], dict(pairs))


def load(keys_dir: Path | None, env: Mapping[str, str] | None = None) -> PayloadKeys | None:
    """The deployment's payload keys: ``BRANDPUNT_PAYLOAD_KEYS``, else the keyring's; None when there
    are none (payloads then travel unencrypted; ``brandpunt keys init`` makes a key)."""
    from keys.keyring import Keyring

    given = (os.environ if env is None else env).get(ENV, "").strip()
    if given:
        return PayloadKeys.parse(given)
    if keys_dir is None:
        return None
    active, found = Keyring(keys_dir).secrets("payload")
    return PayloadKeys(active, found) if active else None


class PayloadCipher(PayloadCodec, WithSerializationContext):
    """AES-256-GCM over each payload, with the key id and the case bound in as associated data."""

    def __init__(self, keys: PayloadKeys, case: str | None = None) -> None:
        self._keys = keys
        self._ciphers = {key_id: AESGCM(raw) for key_id, raw in keys.keys.items()}
        self._case = case

    def with_context(self, context: SerializationContext) -> PayloadCipher:
        case = None
        if isinstance(context, WorkflowSerializationContext | ActivitySerializationContext):
            case = context.workflow_id
        return PayloadCipher(self._keys, case) if case != self._case else self

    @staticmethod
    def _aad(key_id: str, case: str) -> bytes:
        return b"brandpunt-payload/1\n" + key_id.encode() + b"\n" + case.encode()

    async def encode(self, payloads: Sequence[Payload]) -> list[Payload]:
        key_id, case = self._keys.active, self._case or ""
        cipher = self._ciphers[key_id]
        out = []
        for p in payloads:
            nonce = os.urandom(NONCE_BYTES)
            sealed = cipher.encrypt(nonce, p.SerializeToString(), self._aad(key_id, case))
            out.append(Payload(metadata={"encoding": ENCODING, KEY_ID: key_id.encode(), CASE: case.encode()},
                               data=nonce + sealed))
        return out

    async def decode(self, payloads: Sequence[Payload]) -> list[Payload]:
        return [self.open(p) for p in payloads]

    def open(self, p: Payload) -> Payload:
        """``p`` decrypted (as it is when it was never encrypted); :class:`CodecError` when it cannot be."""
        if p.metadata.get("encoding") != ENCODING:
            return p
        key_id = p.metadata.get(KEY_ID, b"").decode(errors="replace")
        cipher = self._ciphers.get(key_id)
        if cipher is None:
            raise CodecError(f"payload encrypted with an unknown key {key_id!r} (give the keyring that holds it)")
        case = p.metadata.get(CASE, b"").decode(errors="replace")
        try:
            plain = cipher.decrypt(p.data[:NONCE_BYTES], p.data[NONCE_BYTES:], self._aad(key_id, case))
        except InvalidTag:
            raise CodecError(f"payload of {case or 'no case'} does not decrypt with key {key_id} (altered?)") from None
        return Payload.FromString(plain)


def case_of(p: Payload) -> str | None:
    """The case an encrypted payload says it belongs to (None: not encrypted, or no case)."""
    if p.metadata.get("encoding") != ENCODING:
        return None
    return p.metadata.get(CASE, b"").decode(errors="replace") or None


def converter(keys: PayloadKeys | None) -> DataConverter:
    """brandpunt's data converter (pydantic), encrypting with ``keys`` when there are any: payloads
    through :class:`PayloadCipher`, failures' messages and stack traces encoded into a payload too."""
    from temporalio.contrib.pydantic import pydantic_data_converter

    if keys is None:
        return pydantic_data_converter
    return dataclasses.replace(pydantic_data_converter, payload_codec=PayloadCipher(keys),
                               failure_converter_class=DefaultFailureConverterWithEncodedAttributes)


def open_message(message: Any, cipher: PayloadCipher) -> int:
    """Decrypt, in place, every payload under a protobuf ``message`` (a history event: inputs,
    results, memos, headers, failures' encoded attributes); returns how many were encrypted. A
    payload that cannot be decrypted raises :class:`CodecError`."""
    opened = 0
    for _field, value in message.ListFields():
        if isinstance(value, Payload):
            if value.metadata.get("encoding") == ENCODING:
                value.CopyFrom(cipher.open(value))
                opened += 1
        elif hasattr(value, "ListFields"):
            opened += open_message(value, cipher)
        elif hasattr(value, "items") and hasattr(value, "get_or_create"):  # a map of messages
            for item in value.values():
                if isinstance(item, Payload):
                    if item.metadata.get("encoding") == ENCODING:
                        item.CopyFrom(cipher.open(item))
                        opened += 1
                elif hasattr(item, "ListFields"):
                    opened += open_message(item, cipher)
        elif hasattr(value, "add"):  # a repeated field of messages
            for item in value:
                if isinstance(item, Payload):
                    if item.metadata.get("encoding") == ENCODING:
                        item.CopyFrom(cipher.open(item))
                        opened += 1
                elif hasattr(item, "ListFields"):
                    opened += open_message(item, cipher)
    return opened
