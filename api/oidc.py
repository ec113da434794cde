"""OpenID Connect: browsers sign in with the authorization code flow and PKCE (``authlib``'s
Starlette client), and scripts may send the provider's JWTs as bearer tokens (checked with
``joserfc`` against the provider's JWKS).

Settings (``settings.WebSettings``): ``BRANDPUNT_OIDC_ISSUER`` (its
``/.well-known/openid-configuration`` is read), ``BRANDPUNT_OIDC_CLIENT_ID``,
``BRANDPUNT_OIDC_CLIENT_SECRET`` (a secret: never printed or logged), and the names of the claims
that carry the organisation (``BRANDPUNT_OIDC_ORG_CLAIM``, default ``organisation``) and the roles
(``BRANDPUNT_OIDC_ROLES_CLAIM``, default ``roles``). The callback is
``<BRANDPUNT_PUBLIC_URL or the request's own origin>/auth/callback``: register it at the provider.
"""

from __future__ import annotations

import asyncio
import time
import warnings
from collections.abc import Callable
from datetime import datetime
from typing import Any

import httpx
from fastapi import APIRouter, Request
from fastapi.responses import RedirectResponse, Response
from joserfc import jwt
from joserfc.errors import InvalidKeyIdError, JoseError
from joserfc.jwk import KeySet

from api import identity
from client.errors import Unauthenticated, Unreachable
from domain.access import Actor
from domain.organisations import Organisations
from settings import SettingsError, WebSettings, redact

ALGORITHMS = ["RS256", "RS384", "RS512", "PS256", "ES256", "ES384", "EdDSA"]
"""Signature algorithms accepted for the provider's JWTs (never ``none``, never a shared secret)."""
LEEWAY = 60
"""Seconds of clock skew tolerated on ``exp`` / ``nbf`` / ``iat``."""
KEYS_TTL = 600.0
"""Seconds the provider's keys are kept before they are fetched again."""
KEYS_MIN_REFRESH = 30.0
"""Seconds at least between two fetches of the keys for a token that names an unknown key."""


class Provider:
    """The configured identity provider: its metadata and keys (fetched on first use, cached), the
    claim mapping, and the browser sign-in client."""

    def __init__(self, web: WebSettings, organisations: Organisations, clock: Callable[[], datetime]) -> None:
        if not web.oidc_issuer or not web.oidc_client_id:
            raise SettingsError("BRANDPUNT_OIDC_ISSUER and BRANDPUNT_OIDC_CLIENT_ID go together")
        self.web = web
        self.issuer = web.oidc_issuer
        self.audience = web.oidc_audience or web.oidc_client_id
        self.organisations = organisations
        self.clock = clock
        self._metadata: dict[str, Any] | None = None
        self._keys: tuple[float, KeySet] | None = None
        self._lock = asyncio.Lock()
        import authlib.deprecate  # noqa: F401 - first: importing it adds an "always" filter for its warnings

        with warnings.catch_warnings():  # authlib would rather see the `httpx2` fork; httpx works as before
            warnings.filterwarnings("ignore", message="The httpx module is deprecated")
            from authlib.integrations.starlette_client import OAuth

        self.oauth = OAuth()
        self.oauth.register(
            "idp",
            server_metadata_url=f"{self.issuer}/.well-known/openid-configuration",
            client_id=web.oidc_client_id,
            client_secret=web.oidc_client_secret,
            client_kwargs={"scope": "openid profile email", "code_challenge_method": "S256"},
        )

    def actor(self, claims: dict[str, Any]) -> Actor:
        return identity.actor_from_claims(claims, self.web.oidc_org_claim, self.web.oidc_roles_claim,
                                          self.organisations)

    async def _get(self, url: str) -> dict[str, Any]:
        try:
            async with httpx.AsyncClient(timeout=10.0) as http:
                response = await http.get(url)
                response.raise_for_status()
                data = response.json()
        except (httpx.HTTPError, ValueError) as err:
            raise Unreachable(f"the identity provider did not answer at {url}: {redact(str(err))}") from None
        if not isinstance(data, dict):
            raise Unreachable(f"the identity provider's {url} is not a JSON object")
        return data

    async def metadata(self) -> dict[str, Any]:
        if self._metadata is None:
            self._metadata = await self._get(f"{self.issuer}/.well-known/openid-configuration")
        return self._metadata

    async def keys(self, refresh: bool = False) -> KeySet:
        """The provider's keys: cached for :data:`KEYS_TTL` s; ``refresh`` fetches them again (a key
        rotated at the provider), at most once per :data:`KEYS_MIN_REFRESH` s (a flood of tokens
        naming unknown keys must not become a flood of requests to the provider)."""
        async with self._lock:
            age = time.monotonic() - self._keys[0] if self._keys else KEYS_TTL + 1
            if self._keys is None or age > KEYS_TTL or (refresh and age > KEYS_MIN_REFRESH):
                uri = (await self.metadata()).get("jwks_uri")
                if not isinstance(uri, str):
                    raise Unreachable("the identity provider publishes no jwks_uri")
                document: Any = await self._get(uri)
                self._keys = (time.monotonic(), KeySet.import_key_set(document))
            return self._keys[1]

    async def verify(self, token: str) -> dict[str, Any]:
        """The claims of the provider's JWT ``token`` once its signature, issuer, audience and expiry
        hold; :class:`Unauthenticated` saying which does not (a forged or expired token)."""
        try:
            try:
                decoded = jwt.decode(token, await self.keys(), algorithms=ALGORITHMS)
            except InvalidKeyIdError:  # a key the provider rotated in since the keys were fetched?
                decoded = jwt.decode(token, await self.keys(refresh=True), algorithms=ALGORITHMS)
            registry = jwt.JWTClaimsRegistry(
                now=lambda: int(self.clock().timestamp()), leeway=LEEWAY,
                iss={"essential": True, "value": self.issuer}, aud={"essential": True, "value": self.audience},
                exp={"essential": True}, sub={"essential": True},
            )
            registry.validate(decoded.claims)
        except JoseError as err:
            why = f"{type(err).__name__}: {err.description}" if err.description else type(err).__name__
            raise Unauthenticated(f"the bearer token does not verify ({why})") from None
        except ValueError:
            raise Unauthenticated("the bearer token is not a JWT") from None
        return dict(decoded.claims)


def router(provider: Provider) -> APIRouter:
    """``/auth/login`` (to the provider) and ``/auth/callback`` (back, signed in)."""
    routes = APIRouter(prefix="/auth", tags=["sign-in"])
    idp = provider.oauth.create_client("idp")

    def callback_url(request: Request) -> str:
        base = provider.web.public_url or str(request.base_url).rstrip("/")
        return f"{base}/auth/callback"

    @routes.get("/login", summary="Sign in with the identity provider (a browser)")
    async def login(request: Request) -> Response:
        response: Response = await idp.authorize_redirect(request, callback_url(request))
        return response

    @routes.get("/callback", summary="Where the identity provider sends the browser back", include_in_schema=False)
    async def callback(request: Request) -> Response:
        from authlib.integrations.base_client import OAuthError
        from joserfc.errors import JoseError

        try:
            token = await idp.authorize_access_token(request)
        except (OAuthError, JoseError) as err:
            identity.sign_out(request)
            what = getattr(err, "description", None) or getattr(err, "error", None) or type(err).__name__
            raise Unauthenticated(f"the sign-in did not verify ({what}): sign in again") from None
        claims = token.get("userinfo") or {}
        actor = provider.actor(dict(claims))
        await request.app.state.host.note_roles(actor, "OpenID Connect")
        identity.sign_in(request, actor, provider.clock().timestamp())
        return RedirectResponse("/", status_code=303)

    return routes
