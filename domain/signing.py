"""Signed commands: who sent a command, as the API host (or an operator's key) vouches for it.

Issue 13: "A command that reaches Temporal without passing the API (a raw update from the
``temporal`` CLI with any actor name) is refused: the API host signs each command (case id,
command id, subject, organisation, the command's canonical form, an expiry; Ed25519 ...), the
update validator checks the signature against the configured public keys, and the ledger keeps
it, so ``audit verify --signatures`` can check who acted without trusting the database."

The signed :class:`Statement` holds the SHA-256 of the command's canonical JSON (without its
signature), never the command itself: what the ledger keeps of it names no company, and a
personal field encrypted or erased later (the confidentiality issue) cannot break a signature.
Each event a signed command records carries the statement and signature (``EventBase.signed``),
inside the hash chain.

Pure: the Ed25519 verification itself is ``keys.PublicKeys.problem`` over :func:`statement_bytes`.
"""

from __future__ import annotations

import hashlib
from datetime import datetime, timedelta
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from domain import bounds as b
from domain.chain import canonical_json

VALIDITY = timedelta(minutes=5)
"""How long a signed command may take to reach its case (the validator compares workflow time)."""
Via = Literal["api", "operator"]
"""Who signed: the API host, for a verified person (its ``may()`` is checked again in the case), or an
operator's key (direct access for operators: the worker's own tools, ``assign-owners``, the demo)."""


class Statement(BaseModel):
    """What a signature vouches for (its canonical JSON is what is signed)."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    case_id: str = Field(min_length=1, max_length=b.CASE_ID)
    command_id: str = Field(min_length=1, max_length=b.COMMAND_ID_MAX)
    subject: str = Field(min_length=1, max_length=b.NAME_MAX)
    organisation: str | None = Field(default=None, max_length=b.NAME_MAX)
    digest: str = Field(pattern=r"^[0-9a-f]{64}$", description="sha256 of the command's canonical JSON")
    issued_at: datetime
    expires_at: datetime
    via: Via
    key_id: str = Field(min_length=1, max_length=64)


class Signed(BaseModel):
    """A statement and its Ed25519 signature (hex)."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    statement: Statement
    signature: str = Field(pattern=r"^[0-9a-f]{128}$")


def command_digest(command: Any) -> str:
    """SHA-256 (hex) of the command's canonical JSON without its signature (a pydantic command)."""
    data = command.model_dump(mode="json", exclude={"signature"}, exclude_none=True)
    return hashlib.sha256(canonical_json(data).encode("utf-8")).hexdigest()


def statement_bytes(statement: Statement) -> bytes:
    """The bytes signed: the statement's canonical JSON (sorted keys, no whitespace, UTF-8)."""
    return canonical_json(statement.model_dump(mode="json")).encode("utf-8")


def statement_for(command: Any, case_id: str, at: datetime, via: Via, key_id: str) -> Statement:
    """The statement for ``command`` (which has its command id) sent to ``case_id`` at ``at``."""
    if not command.command_id:
        raise ValueError("a command is signed with its command id")
    return Statement(case_id=case_id, command_id=command.command_id, subject=command.actor,
                     organisation=command.organisation, digest=command_digest(command), issued_at=at,
                     expires_at=at + VALIDITY, via=via, key_id=key_id)


def mismatch(signed: Signed | None, command: Any, case_id: str, now: datetime) -> str | None:
    """Why ``signed`` does not vouch for ``command`` to ``case_id`` at ``now`` (None: it does, but
    for the signature itself, which ``keys.PublicKeys.problem`` checks)."""
    if signed is None:
        return "the command is not signed: commands reach a case through the API host (or an operator's key)"
    s = signed.statement
    if s.case_id != case_id:
        return f"signed for case {s.case_id}, not this one"
    if s.command_id != command.command_id or s.subject != command.actor or s.organisation != command.organisation:
        return "signed for another command id, actor or organisation"
    if s.digest != command_digest(command):
        return "the command is not the one signed (its content differs)"
    if not s.issued_at - VALIDITY <= now <= s.expires_at:
        return f"the signature is valid from {s.issued_at:%Y-%m-%d %H:%M:%S} to {s.expires_at:%H:%M:%S} UTC"
    return None


def event_mismatch(signed: Signed, case_id: str, command_id: str | None, actor: str,
                   organisation: str | None) -> str | None:
    """Why the statement an event carries does not name that event's case, command, actor and
    organisation (``audit verify --signatures``); None when it does."""
    s = signed.statement
    if (s.case_id, s.command_id, s.subject, s.organisation) != (case_id, command_id, actor, organisation):
        return "its signature names another case, command, actor or organisation"
    return None
