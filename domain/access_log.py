"""The access log: who opened a company's file from outside its owning organisation, and every
administrative act, in one append-only hash chain.

Issue 13: "every time someone outside the owning organisation opens a case's details (and every
dossier export), an entry records who, when and why (purpose of the share or audit),
append-only and hash-chained like the ledger; the owning ROM can list who has seen its company's
file". Administrative acts (role grants, token creation and revocation, sharing rules) are
recorded the same way. The chain uses the ledger's own hash rule (``domain.chain``), so an auditor
re-checks it the same way.

Pure: the ledger stores entries (``ledger.access_log``); the API host and the auditor's tools
decide when to record one.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from enum import Enum
from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field

from domain import bounds as b
from domain.chain import GENESIS, canonical_json, chain_hash


class AccessKind(str, Enum):
    READ_CASE = "read-case"  # a case's file opened by someone outside its owning organisation
    EXPORT_DOSSIER = "export-dossier"  # a dossier exported (by anyone)
    GRANT_ROLE = "grant-role"
    REVOKE_ROLE = "revoke-role"
    CREATE_TOKEN = "create-token"
    REVOKE_TOKEN = "revoke-token"
    SHARING_RULE = "sharing-rule"
    OFFBOARD = "offboard"
    SUBJECT_ACCESS = "subject-access"  # a data subject's access request answered (no identifier of theirs here)
    ERASURE = "erasure"  # personal data erased: a request, or the end of retention (its reference only)


ADMINISTRATIVE = frozenset(
    {AccessKind.GRANT_ROLE, AccessKind.REVOKE_ROLE, AccessKind.CREATE_TOKEN, AccessKind.REVOKE_TOKEN,
     AccessKind.SHARING_RULE, AccessKind.OFFBOARD}
)


class AccessEntry(BaseModel):
    """One access: who (subject, organisation), when, what, on which case (if any), and why."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    seq: int = Field(ge=1)
    at: datetime
    subject: b.Name
    organisation: Annotated[str, b.length(b.NAME_MAX, min_length=1)]
    kind: AccessKind
    case_id: Annotated[str, b.length(b.CASE_ID, min_length=1)] | None = None
    purpose: Annotated[str, b.length(b.REASON_MAX, min_length=1)]
    detail: Annotated[str, b.length(b.REASON_MAX)] | None = Field(
        default=None, description="what was granted, revoked or created (never a secret)"
    )


def entry_hash(prev_hash: str, entry: AccessEntry) -> str:
    """``sha256(prev_hash ‖ canonical JSON of the entry)``: the ledger's rule (``domain.chain``)."""
    return chain_hash(prev_hash, canonical_json(entry.model_dump(mode="json")))


def chain_problems(rows: list[tuple[AccessEntry, str, str]]) -> list[str]:
    """What is wrong with a stored chain of ``(entry, prev_hash, hash)`` in seq order (nothing: ``[]``)."""
    problems: list[str] = []
    prev = GENESIS
    for expected_seq, (entry, prev_hash, stored) in enumerate(rows, start=1):
        if entry.seq != expected_seq:
            problems.append(f"entry {entry.seq}: expected seq {expected_seq} (an entry is missing or inserted)")
        if prev_hash != prev:
            problems.append(f"entry {entry.seq}: its prev_hash is not the hash of entry {entry.seq - 1}")
        if entry_hash(prev_hash, entry) != stored:
            problems.append(f"entry {entry.seq}: its content does not match its hash (altered)")
        prev = stored
    return problems


Held = frozenset[tuple[str, str]]
"""Roles as (organisation, role) pairs: a role is held for an organisation."""


def roles_held(entries: Iterable[AccessEntry]) -> Held:
    """The roles a subject holds as the access log last recorded them: the fold of their
    ``grant-role`` and ``revoke-role`` entries (``detail`` is the role, ``organisation`` whose)."""
    held: set[tuple[str, str]] = set()
    for e in entries:
        if e.detail is None:
            continue
        if e.kind == AccessKind.GRANT_ROLE:
            held.add((e.organisation, e.detail))
        elif e.kind == AccessKind.REVOKE_ROLE:
            held.discard((e.organisation, e.detail))
    return frozenset(held)


def role_changes(recorded: Held, now: Held) -> list[tuple[AccessKind, str, str]]:
    """What to record when a subject signs in holding ``now`` and the log says ``recorded``: a grant
    per role newly held, a revocation per role no longer held, as ``(kind, organisation, role)``.
    Roles are granted in the identity provider (its claims), so brandpunt records them as it first
    sees them: who held which role when is then in the same chain as what they opened."""
    return ([(AccessKind.REVOKE_ROLE, org, role) for org, role in sorted(recorded - now)]
            + [(AccessKind.GRANT_ROLE, org, role) for org, role in sorted(now - recorded)])
