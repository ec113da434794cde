"""OpenID Connect against a real provider (``oidc-provider-mock``, in-process on a free port): the
authorization code flow with PKCE signs a browser in with the claims mapped to organisation and
roles; a token of the provider is accepted as a bearer token while it verifies, and refused (401)
when it is expired or forged; an unknown organisation is authenticated but not allowed (403)."""

from __future__ import annotations

import warnings
from datetime import timedelta
from urllib.parse import parse_qs, urlparse

import authlib.deprecate
import httpx
import pytest
from joserfc import jwt
from joserfc.jwk import RSAKey

from domain.access_log import AccessKind
from ledger.store import Ledger
from tests.api_env import api, bearer, settings_for

with warnings.catch_warnings():  # the provider imports authlib.jose, which authlib itself calls deprecated
    warnings.simplefilter("ignore", authlib.deprecate.AuthlibDeprecationWarning)
    import oidc_provider_mock

pytestmark = pytest.mark.filterwarnings(  # the provider's own use of authlib, in its server thread
    "ignore:get_jwt_config:DeprecationWarning")

APP = "https://testserver"  # the session cookie is Secure outside development: the tests speak https
CALLBACK = f"{APP}/auth/callback"
SECRET = "a-session-secret-of-at-least-32-characters"
USERS = [
    oidc_provider_mock.User(sub="anna.bom", claims={"organisation": "bom", "roles": ["coordinator", "staff"], "name": "Anna"}),
    oidc_provider_mock.User(sub="nora.nowhere", claims={"organisation": "acme-corp", "roles": ["coordinator"]}),
    oidc_provider_mock.User(sub="astrid.audit", claims={"org": ["audit-office"], "groups": "auditor everyone"}),
]


@pytest.fixture(scope="module")
def idp():
    with oidc_provider_mock.run_server_in_thread(user_claims=USERS) as server:
        yield f"http://localhost:{server.server_port}"


@pytest.fixture(scope="module")
def stale_idp():
    """A provider whose tokens expired an hour before they were issued (beyond any leeway)."""
    with oidc_provider_mock.run_server_in_thread(user_claims=USERS, access_token_max_age=timedelta(hours=-1)) as server:
        yield f"http://localhost:{server.server_port}"


@pytest.fixture
def ledger(tmp_path):
    led = Ledger.open(f"sqlite:///{tmp_path / 'ledger.db'}", upgrade=True)
    yield led
    led.dispose()


def oidc_settings(tmp_path, ledger, issuer, **extra):
    return settings_for(tmp_path, ledger.url, BRANDPUNT_OIDC_ISSUER=issuer, BRANDPUNT_OIDC_CLIENT_ID="brandpunt",
                        BRANDPUNT_OIDC_CLIENT_SECRET="client-secret", BRANDPUNT_SESSION_SECRET=SECRET, **extra)


async def browser_sign_in(http: httpx.AsyncClient, sub: str) -> httpx.Response:
    """What a browser does: to the provider, sign in there as ``sub``, back to the callback."""
    login = await http.get("/auth/login")
    assert login.status_code == 302
    authorize = login.headers["location"]
    asked = parse_qs(urlparse(authorize).query)
    assert asked["code_challenge_method"] == ["S256"] and len(asked["code_challenge"][0]) >= 43  # PKCE
    assert asked["redirect_uri"] == [CALLBACK] and "openid" in asked["scope"][0]
    async with httpx.AsyncClient() as browser:
        signed = await browser.post(authorize, data={"sub": sub})
    assert signed.status_code == 302, signed.text
    back = urlparse(signed.headers["location"])
    assert f"{back.scheme}://{back.netloc}{back.path}" == CALLBACK
    return await http.get(f"{back.path}?{back.query}")


async def provider_token(idp: str, sub: str) -> str:
    """An ID token of the provider for ``sub`` (the code flow done by hand, as a script would)."""
    async with httpx.AsyncClient() as http:
        signed = await http.post(f"{idp}/oauth2/authorize", params={
            "response_type": "code", "client_id": "brandpunt", "redirect_uri": CALLBACK, "scope": "openid",
            "state": "s", "nonce": "n"}, data={"sub": sub})
        code = parse_qs(urlparse(signed.headers["location"]).query)["code"][0]
        made = await http.post(f"{idp}/oauth2/token", auth=("brandpunt", "client-secret"), data={
            "grant_type": "authorization_code", "code": code, "redirect_uri": CALLBACK})
    token: str = made.json()["id_token"]
    return token


async def test_a_browser_signs_in_with_the_code_flow_and_pkce(tmp_path, ledger, idp):
    async with api(oidc_settings(tmp_path, ledger, idp), ledger, base_url=APP) as a:
        back = await browser_sign_in(a.http, "anna.bom")
        assert back.status_code == 303 and back.headers["location"] == "/"
        cookie = back.headers["set-cookie"].lower()
        assert "httponly" in cookie and "samesite=lax" in cookie and "secure" in cookie
        me = (await a.http.get("/api/me")).json()
        assert (me["subject"], me["organisation"], me["roles"], me["via"]) == \
            ("anna.bom", "bom", ["coordinator"], "session")  # "staff" is no brandpunt role: ignored
        made = await a.http.post("/api/tokens", json={"name": "laptop"}, headers={"X-CSRF-Token": me["csrf_token"]})
        assert made.status_code == 201
        by_token = await a.http.get("/api/me", headers=bearer(made.json()["token"]))
        assert by_token.json()["subject"] == "anna.bom" and by_token.json()["via"] == "token"
        home = await a.http.get("/")
        assert "anna.bom" in home.text and "Make a token" in home.text


async def test_the_claim_names_are_the_deployments(tmp_path, ledger, idp):
    config = oidc_settings(tmp_path, ledger, idp, BRANDPUNT_OIDC_ORG_CLAIM="org", BRANDPUNT_OIDC_ROLES_CLAIM="groups")
    async with api(config, ledger, base_url=APP) as a:
        assert (await browser_sign_in(a.http, "astrid.audit")).status_code == 303
        me = (await a.http.get("/api/me")).json()
        assert (me["organisation"], me["roles"]) == ("audit-office", ["auditor"])


async def test_an_organisation_brandpunt_does_not_know_is_signed_in_but_not_allowed(tmp_path, ledger, idp):
    async with api(oidc_settings(tmp_path, ledger, idp), ledger, base_url=APP) as a:
        refused = await browser_sign_in(a.http, "nora.nowhere")
        assert refused.status_code == 403
        assert refused.json()["field"] == "organisation" and refused.json()["rule"] == "unknown-organisation"
        assert (await a.http.get("/api/me")).status_code == 401  # no session came of it


async def test_an_expired_id_token_signs_nobody_in(tmp_path, ledger, stale_idp):
    async with api(oidc_settings(tmp_path, ledger, stale_idp), ledger, base_url=APP) as a:
        refused = await browser_sign_in(a.http, "anna.bom")
        assert refused.status_code == 401 and "did not verify" in refused.json()["detail"]
        assert (await a.http.get("/api/me")).status_code == 401


async def test_a_callback_with_another_state_signs_nobody_in(tmp_path, ledger, idp):
    async with api(oidc_settings(tmp_path, ledger, idp), ledger, base_url=APP) as a:
        await a.http.get("/auth/login")  # the session holds this login's state
        forged = await a.http.get("/auth/callback?code=made-up&state=not-the-one")
        assert forged.status_code == 401
        assert (await a.http.get("/api/me")).status_code == 401


async def test_the_providers_token_is_a_bearer_token_until_it_expires_and_a_forged_one_never(tmp_path, ledger, idp):
    token = await provider_token(idp, "anna.bom")
    async with api(oidc_settings(tmp_path, ledger, idp), ledger, base_url=APP) as a:
        me = await a.http.get("/api/me", headers=bearer(token))
        assert me.status_code == 200, me.text
        assert (me.json()["subject"], me.json()["organisation"], me.json()["via"]) == ("anna.bom", "bom", "oidc")

        real = jwt.decode(token, await a.app.state.host.oidc.keys())
        header, claims = real.header, real.claims
        kid = {"kid": header["kid"]} if "kid" in header else {}  # the same key id, if the provider names one
        forged = jwt.encode({"alg": "RS256", **kid}, {**claims, "sub": "astrid.audit"},
                            RSAKey.generate_key(2048, parameters=kid or None))
        refused = await a.http.get("/api/me", headers=bearer(forged))
        assert refused.status_code == 401 and "BadSignatureError" in refused.json()["detail"]
        unsigned = token.rsplit(".", 1)[0] + "."
        assert (await a.http.get("/api/me", headers=bearer(unsigned))).status_code == 401

        a.clock.now += timedelta(hours=2)  # the provider's token lived an hour
        expired = await a.http.get("/api/me", headers=bearer(token))
        assert expired.status_code == 401 and "ExpiredTokenError" in expired.json()["detail"]
    config = oidc_settings(tmp_path, ledger, idp, BRANDPUNT_OIDC_AUDIENCE="another-api")
    async with api(config, ledger, base_url=APP) as other:
        wrong = await other.http.get("/api/me", headers=bearer(token))
        assert wrong.status_code == 401 and "aud" in wrong.json()["detail"]



async def test_roles_the_identity_provider_grants_are_in_the_access_log_once_and_their_changes_too(tmp_path, ledger, idp):
    """Roles are granted in the identity provider; brandpunt records them in the access log as it first
    meets them (a grant per role), records nothing while they stay the same, and records a revocation and
    a grant when the claims change (here: the deployment reads another claim, as after a change at the
    provider)."""
    kinds = frozenset({AccessKind.GRANT_ROLE, AccessKind.REVOKE_ROLE})
    async with api(oidc_settings(tmp_path, ledger, idp), ledger, base_url=APP) as a:
        assert (await browser_sign_in(a.http, "astrid.audit")).status_code == 403  # no `organisation` claim
        assert ledger.access_log.of_subject("astrid.audit", kinds) == []  # refused: nothing granted
        assert (await browser_sign_in(a.http, "anna.bom")).status_code == 303
        assert (await browser_sign_in(a.http, "anna.bom")).status_code == 303
    async with api(oidc_settings(tmp_path, ledger, idp), ledger, base_url=APP) as a:  # another process
        assert (await browser_sign_in(a.http, "anna.bom")).status_code == 303
    first = ledger.access_log.of_subject("anna.bom", kinds)
    assert [(e.kind, e.organisation, e.detail) for e in first] == [(AccessKind.GRANT_ROLE, "bom", "coordinator")]
    assert "OpenID Connect" in first[0].purpose
    config = oidc_settings(tmp_path, ledger, idp, BRANDPUNT_OIDC_ORG_CLAIM="org", BRANDPUNT_OIDC_ROLES_CLAIM="groups")
    async with api(config, ledger, base_url=APP) as a:
        assert (await browser_sign_in(a.http, "astrid.audit")).status_code == 303
    token = await provider_token(idp, "anna.bom")
    async with api(oidc_settings(tmp_path, ledger, idp, BRANDPUNT_OIDC_ROLES_CLAIM="name"), ledger, base_url=APP) as a:
        assert (await a.http.get("/api/me", headers=bearer(token))).status_code == 200  # "Anna": no role at all
    assert [(e.kind, e.organisation, e.detail) for e in ledger.access_log.of_subject("anna.bom", kinds)] == [
        (AccessKind.GRANT_ROLE, "bom", "coordinator"), (AccessKind.REVOKE_ROLE, "bom", "coordinator")]
    assert [(e.kind, e.detail) for e in ledger.access_log.of_subject("astrid.audit", kinds)] == [
        (AccessKind.GRANT_ROLE, "auditor")]
    assert ledger.access_log.problems() == []
