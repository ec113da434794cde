"""Who is asking: the verified identity of a request, never a field of it.

Three ways in, tried in this order:

1. ``Authorization: Bearer bpat_...``: a personal access token (``api.tokens``), looked up by the
   sha256 of its secret; refused when unknown, revoked or expired. Its scopes (``read``, ``act``)
   bound what the request may do.
2. ``Authorization: Bearer <JWT>``: a token of the configured identity provider (an access token
   where the provider issues JWTs, or an ID token), checked with the provider's published keys
   (JWKS, by ``joserfc``): signature, issuer, audience (the client id, or
   ``BRANDPUNT_OIDC_AUDIENCE``), expiry. A forged or expired one is refused (401).
3. The session cookie of a browser that signed in (OpenID Connect, ``api.oidc``, or the
   development sign-in of ``brandpunt dev``, ``api.devlogin``): signed, HttpOnly, SameSite=Lax.
   A request that changes something with it must carry the session's ``X-CSRF-Token``.

Either way the result is a :class:`domain.access.Actor` (subject, organisation, roles): the actor
of every command the request sends, and what :func:`domain.access.may` judges.
"""

from __future__ import annotations

import secrets
import time
from collections.abc import Awaitable, Callable, Iterable, Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from fastapi import Request

from api import credentials
from client.errors import Forbidden, Unauthenticated
from domain import bounds as b
from domain.access import Actor, Role
from domain.organisations import Organisations

if TYPE_CHECKING:
    from api.host import Host

READ, ACT = "read", "act"
SCOPES = (READ, ACT)
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})
SESSION_KEY = "identity"
SESSION_HOURS = 8
"""How long a browser session lasts after signing in (then sign in again)."""
CSRF_HEADER = "X-CSRF-Token"


@dataclass(frozen=True)
class Caller:
    """A request's verified identity and how it was verified."""

    actor: Actor
    via: str  # "token" (personal access token), "oidc" (a provider's bearer JWT), "session" (a browser)
    scopes: frozenset[str] = frozenset(SCOPES)
    token_id: str | None = None
    csrf: str | None = field(default=None, repr=False)

    @property
    def subject(self) -> str:
        return self.actor.subject

    @property
    def organisation(self) -> str:
        return self.actor.organisation

    @property
    def may_report(self) -> bool:
        """Whether the impact dashboard is theirs to see (a page shows its link only then)."""
        from domain.access import Action, may

        return bool(may(self.actor, Action.REPORT))

    @property
    def may_verify(self) -> bool:
        """Whether the auditors' pages are theirs."""
        from domain.access import Action, may

        return bool(may(self.actor, Action.VERIFY))


def roles_from(values: Iterable[str]) -> frozenset[Role]:
    """The known roles among ``values``; the rest (an identity provider's other groups) are ignored."""
    known = {r.value: r for r in Role}
    return frozenset(known[v] for v in values if v in known)


def actor_from_claims(claims: Mapping[str, Any], org_claim: str, roles_claim: str,
                      organisations: Organisations) -> Actor:
    """The actor an identity provider's claims describe: ``sub`` is the subject, ``org_claim`` the
    organisation's id (one of ``organisations``), ``roles_claim`` the roles (a list, or a
    space-separated string). Unknown roles are ignored; a missing or unknown organisation is refused
    (:class:`Forbidden` naming the claim): nobody acts for an organisation brandpunt does not know."""
    subject = claims.get("sub")
    if not isinstance(subject, str) or not subject.strip() or len(subject) > b.NAME_MAX:
        raise Unauthenticated("the identity provider's token has no usable subject (sub)", "sub")
    org = claims.get(org_claim)
    if isinstance(org, list) and len(org) == 1:
        org = org[0]
    if not isinstance(org, str) or org not in organisations:
        raise Forbidden(f"{org_claim}: the identity provider names no organisation brandpunt knows for "
                        f"{subject}; ask your administrator to set the {org_claim!r} claim",
                        org_claim, rule="unknown-organisation")
    raw = claims.get(roles_claim, [])
    values = raw.split() if isinstance(raw, str) else [str(v) for v in raw] if isinstance(raw, list) else []
    return Actor(subject=subject, organisation=org, roles=roles_from(values))


# --- the browser session ---------------------------------------------------------------------------


def sign_in(request: Request, actor: Actor, now: float | None = None) -> None:
    """Start a browser session for ``actor`` (after OpenID Connect or the development sign-in)."""
    request.session.clear()  # nothing of the login's state (or of an earlier user) stays
    request.session[SESSION_KEY] = {
        "sub": actor.subject, "org": actor.organisation, "roles": sorted(r.value for r in actor.roles),
        "exp": int((now if now is not None else time.time()) + SESSION_HOURS * 3600),
        "csrf": secrets.token_urlsafe(24),
    }


def sign_out(request: Request) -> None:
    request.session.clear()


def _from_session(request: Request, host: Host) -> Caller | None:
    if "session" not in request.scope:  # no session middleware: no browser sign-in configured
        return None
    data = request.session.get(SESSION_KEY)
    if not isinstance(data, dict):
        return None
    if int(data.get("exp", 0)) <= host.clock().timestamp():
        request.session.clear()
        raise Unauthenticated("the session has expired: sign in again")
    if data.get("org") not in host.organisations:
        request.session.clear()
        raise Unauthenticated("the session's organisation is no longer known: sign in again")
    actor = Actor(subject=str(data["sub"]), organisation=str(data["org"]), roles=roles_from(data.get("roles", [])))
    return Caller(actor=actor, via="session", csrf=str(data.get("csrf") or ""))


# --- bearer tokens -----------------------------------------------------------------------------------


async def _from_bearer(token: str, host: Host) -> Caller:
    if token.startswith(credentials.PREFIX):
        stored = await host.run(lambda ledger: ledger.tokens.find(credentials.digest(token)))
        now = host.clock()
        if stored is None:
            raise Unauthenticated("unknown access token (revoked tokens stay known; this one never was)")
        if stored.revoked_at is not None:
            raise Unauthenticated(f"access token {stored.token_id} was revoked")
        if not stored.valid_at(now):
            raise Unauthenticated(f"access token {stored.token_id} expired at {stored.expires_at:%Y-%m-%d %H:%M} UTC")
        if stored.organisation not in host.organisations:
            raise Unauthenticated(f"access token {stored.token_id}: its organisation is no longer known")
        actor = Actor(subject=stored.subject, organisation=stored.organisation, roles=roles_from(stored.roles))
        return Caller(actor=actor, via="token", scopes=frozenset(stored.scopes), token_id=stored.token_id)
    if host.oidc is None:
        raise Unauthenticated("unknown bearer token (no identity provider is configured for JWTs)")
    claims = await host.oidc.verify(token)
    actor = host.oidc.actor(claims)
    await host.note_roles(actor, "the identity provider's token")
    return Caller(actor=actor, via="oidc")


async def identify(request: Request) -> Caller:
    """The caller of ``request`` (:class:`Unauthenticated` when there is none or it does not verify)."""
    host: Host = request.app.state.host
    header = request.headers.get("authorization")
    if header is not None:
        scheme, _, token = header.partition(" ")
        if scheme.lower() != "bearer" or not token.strip():
            raise Unauthenticated("Authorization: only 'Bearer <token>' is accepted")
        return await _from_bearer(token.strip(), host)
    caller = _from_session(request, host)
    if caller is None:
        raise Unauthenticated("not signed in: send 'Authorization: Bearer <token>' (a token from "
                              "`brandpunt login` or the web page) or sign in with a browser")
    return caller


def needs(scope: str) -> Callable[[Request], Awaitable[Caller]]:
    """A FastAPI dependency: the caller, who must hold ``scope`` (``read`` or ``act``). A session
    request that changes something must carry the session's CSRF token (a header another site's
    page cannot set)."""

    async def dependency(request: Request) -> Caller:
        caller = await identify(request)
        if scope not in caller.scopes:
            raise Forbidden(f"this token's scopes are {', '.join(sorted(caller.scopes)) or 'none'}; this needs "
                            f"a token with the {scope} scope", rule="token-scope")
        if caller.via == "session" and request.method not in SAFE_METHODS:
            sent = request.headers.get(CSRF_HEADER, "")
            if not caller.csrf or not secrets.compare_digest(sent, caller.csrf):
                raise Forbidden(f"{CSRF_HEADER}: a signed-in browser's change needs the session's CSRF token "
                                "(GET /api/me gives it)", CSRF_HEADER, rule="csrf")
        return caller

    return dependency
