"""Personal access tokens for the CLI and scripts: made and revoked by their user.

A token is ``bpat_`` and 256 random bits (``secrets.token_urlsafe(32)``), shown once when it is
made and never again: the ledger keeps only its sha256 (``ledger.tokens``), so a copy of the
database does not hold a usable token, and ``settings.redact`` masks ``bpat_...`` in every log line
and message. A token acts as the identity that made it (subject, organisation, roles at that
moment), within its scopes (``read``: the GET endpoints; ``act``: commands and starts too), until
it expires (at most :data:`MAX_DAYS` days) or is revoked.

Only a signed-in browser session makes tokens: a token cannot make another (a leaked read-only
token must not become one that acts). Any of a user's credentials revokes that user's tokens.
"""

from __future__ import annotations

import secrets
from datetime import datetime, timedelta
from typing import Literal

from fastapi import APIRouter, Depends, Request
from pydantic import BaseModel, ConfigDict, Field, field_validator

from api.credentials import digest, new_secret
from api.identity import READ, Caller, needs
from api.problems import Problem
from client.errors import Forbidden
from domain.access_log import AccessKind
from ledger.tokens import StoredToken

MAX_DAYS = 365
DEFAULT_DAYS = 30


class TokenRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")

    name: str = Field(default="brandpunt CLI", min_length=1, max_length=100,
                      description="what the token is for (shown in the list of tokens)")
    scopes: list[Literal["read", "act"]] = Field(default=["read", "act"], min_length=1, max_length=2,
                                                 description="read: the GET endpoints; act: commands and starts")
    expires_in_days: int = Field(default=DEFAULT_DAYS, ge=1, le=MAX_DAYS)

    @field_validator("scopes")
    @classmethod
    def _once(cls, value: list[str]) -> list[str]:
        if len(set(value)) != len(value):
            raise ValueError("each scope once")
        return sorted(value, key=["read", "act"].index)


class TokenInfo(BaseModel):
    """A token without its secret."""

    id: str
    name: str
    scopes: list[str]
    subject: str
    organisation: str
    roles: list[str]
    created_at: datetime
    expires_at: datetime
    revoked_at: datetime | None = None

    @classmethod
    def of(cls, t: StoredToken) -> TokenInfo:
        return cls(id=t.token_id, name=t.name, scopes=list(t.scopes), subject=t.subject, organisation=t.organisation,
                   roles=list(t.roles), created_at=t.created_at, expires_at=t.expires_at, revoked_at=t.revoked_at)


class NewToken(TokenInfo):
    token: str = Field(description="the secret: shown this once, never again; send it as 'Authorization: Bearer'")


async def issue(request: Request, caller: Caller, asked: TokenRequest) -> NewToken:
    """Make a token for ``caller`` (a browser session) and store its hash."""
    if caller.via != "session":
        raise Forbidden("tokens are made from a signed-in browser session (a token cannot make another)",
                        rule="tokens-from-a-session")
    host = request.app.state.host
    now = host.clock()
    stored = StoredToken(
        token_id=secrets.token_hex(8), subject=caller.subject, organisation=caller.organisation,
        roles=tuple(sorted(r.value for r in caller.actor.roles)), scopes=tuple(asked.scopes), name=asked.name,
        created_at=now, expires_at=now + timedelta(days=asked.expires_in_days),
    )
    secret = new_secret()
    await host.record_access(caller.actor, AccessKind.CREATE_TOKEN, "personal access token",
                 detail=f"{stored.token_id} ({' '.join(stored.scopes)}) until {stored.expires_at:%Y-%m-%d}")
    await host.run(lambda ledger: ledger.tokens.add(stored, digest(secret)))
    return NewToken(**TokenInfo.of(stored).model_dump(), token=secret)


def router() -> APIRouter:
    routes = APIRouter(prefix="/api/tokens", tags=["tokens"])

    @routes.post("", status_code=201, response_model=NewToken,
                 summary="Make a personal access token (from a signed-in browser; the secret is shown once)")
    async def create(request: Request, asked: TokenRequest, caller: Caller = Depends(needs(READ))) -> NewToken:
        return await issue(request, caller, asked)

    @routes.get("", response_model=list[TokenInfo], summary="Your tokens (never their secrets)")
    async def mine(request: Request, caller: Caller = Depends(needs(READ))) -> list[TokenInfo]:
        found = await request.app.state.host.run(lambda ledger: ledger.tokens.of_subject(caller.subject))
        return [TokenInfo.of(t) for t in found]

    @routes.delete("/{token_id}", response_model=TokenInfo, summary="Revoke one of your tokens")
    async def revoke(request: Request, token_id: str, caller: Caller = Depends(needs(READ))) -> TokenInfo:
        host = request.app.state.host
        if len(token_id) > 32:
            raise Problem("not-found", "no such token of yours", field="token_id")
        mine = await host.run(lambda ledger: ledger.tokens.of_subject(caller.subject))
        if not any(t.token_id == token_id for t in mine):
            raise Problem("not-found", "no such token of yours", field="token_id")
        await host.record_access(caller.actor, AccessKind.REVOKE_TOKEN, "personal access token", detail=token_id)
        done = await host.run(lambda ledger: ledger.tokens.revoke(token_id, caller.subject, host.clock()))
        if done is None:
            raise Problem("not-found", "no such token of yours", field="token_id")
        return TokenInfo.of(done)

    return routes
