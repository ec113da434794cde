"""Authentication of the API without Temporal: personal access tokens (stored hashed, scoped,
expiring, revocable), the browser session with its CSRF token, the development sign-in that only
development mode allows, and problem details for every refusal."""

from __future__ import annotations

import dataclasses
from datetime import UTC, datetime, timedelta
from pathlib import Path

import httpx
import pytest

import settings
from api.credentials import digest
from api.serve import run_web
from client import http as client_http
from client.errors import CaseNotFound, Forbidden, Unauthenticated
from ledger import migrate
from ledger.store import Ledger
from ledger.tokens import StoredToken
from tests.api_env import AUDITOR, BASE, BOM_COORDINATOR, MONITOR, api, bearer, mint, settings_for

NOW = datetime(2026, 11, 24, 12, tzinfo=UTC)


@pytest.fixture
def ledger(ledger_url):
    led = Ledger.open(ledger_url, upgrade=True)
    yield led
    led.dispose()


@pytest.fixture
def sqlite_ledger(tmp_path):
    led = Ledger.open(f"sqlite:///{tmp_path / 'ledger.db'}", upgrade=True)
    yield led
    led.dispose()


# --- the store (both databases) ---------------------------------------------------------------------


def _token(token_id: str, subject: str = "anna.bom", days: int = 30) -> StoredToken:
    return StoredToken(token_id=token_id, subject=subject, organisation="bom", roles=("coordinator",),
                       scopes=("read",), name="cli", created_at=NOW, expires_at=NOW + timedelta(days=days))


def test_tokens_are_found_by_hash_listed_by_subject_and_revoked_by_their_owner_only(ledger):
    tokens = ledger.tokens
    tokens.add(_token("t1"), digest("bpat_one"))
    tokens.add(_token("t2"), digest("bpat_two"))
    tokens.add(_token("t3", subject="otto.oost"), digest("bpat_three"))
    found = tokens.find(digest("bpat_one"))
    assert found == _token("t1")
    assert found.valid_at(NOW) and not found.valid_at(NOW + timedelta(days=30))  # the expiry is exclusive
    assert tokens.find(digest("bpat_unknown")) is None
    assert [t.token_id for t in tokens.of_subject("anna.bom")] == ["t1", "t2"]
    assert tokens.revoke("t3", "anna.bom", NOW) is None  # not hers
    assert tokens.find(digest("bpat_three")).revoked_at is None
    revoked = tokens.revoke("t1", "anna.bom", NOW + timedelta(hours=1))
    assert revoked.revoked_at == NOW + timedelta(hours=1) and not revoked.valid_at(NOW)
    again = tokens.revoke("t1", "anna.bom", NOW + timedelta(hours=2))
    assert again.revoked_at == NOW + timedelta(hours=1)  # revoked once, when it was
    assert tokens.revoke_all("anna.bom", NOW) == 1  # t2; t1 was revoked already
    assert tokens.find(digest("bpat_two")).revoked_at == NOW


def test_the_store_refuses_anything_but_a_sha256(sqlite_ledger):
    with pytest.raises(ValueError, match="token_hash"):
        sqlite_ledger.tokens.add(_token("t1"), "bpat_the-secret-itself")
    assert sqlite_ledger.tokens.of_subject("anna.bom") == []


def test_migration_0012_is_an_expand(tmp_path):
    led = Ledger(f"sqlite:///{tmp_path / 'l.db'}")
    try:
        migrate.upgrade(led._engine, "0012")  # (0013 came after it)
        assert migrate.current_revision(led._engine) == "0012"
        assert migrate.compatible_ahead(led._engine, "0012", head="0011")  # 0011 workers keep running
    finally:
        led.dispose()


# --- tokens through the API ----------------------------------------------------------------------------


async def test_no_expired_revoked_or_forged_token_gets_in(tmp_path, sqlite_ledger):
    config = settings_for(tmp_path, sqlite_ledger.url)
    async with api(config, sqlite_ledger) as a:
        token = mint(sqlite_ledger, BOM_COORDINATOR, days=1, now=a.clock())
        ok = await a.http.get("/api/me", headers=bearer(token))
        assert ok.status_code == 200 and ok.json()["subject"] == "anna.bom" and ok.json()["via"] == "token"

        for headers, words in [
            ({}, "not signed in"),
            (bearer("bpat_" + "A" * 43), "unknown access token"),  # forged: the right shape, no such token
            (bearer(token[:-1] + ("A" if token[-1] != "A" else "B")), "unknown access token"),
            ({"Authorization": f"Basic {token}"}, "only 'Bearer"),
            (bearer("eyJhbGciOiJub25lIn0.eyJzdWIiOiJ4In0."), "no identity provider"),  # a JWT, and no provider
        ]:
            refused = await a.http.get("/api/me", headers=headers)
            assert refused.status_code == 401, refused.text
            assert refused.headers["content-type"] == "application/problem+json"
            assert refused.headers["www-authenticate"] == "Bearer"
            problem = refused.json()
            assert problem["type"] == "/problems/unauthenticated" and problem["status"] == 401
            assert words in problem["detail"]
            assert token not in refused.text

        a.clock.now += timedelta(days=1)  # its last moment has passed
        expired = await a.http.get("/api/me", headers=bearer(token))
        assert expired.status_code == 401 and "expired" in expired.json()["detail"]

        a.clock.now -= timedelta(days=1)
        mine = (await a.http.get("/api/tokens", headers=bearer(token))).json()
        assert [t["subject"] for t in mine] == ["anna.bom"] and "token" not in mine[0]
        gone = await a.http.delete(f"/api/tokens/{mine[0]['id']}", headers=bearer(token))
        assert gone.status_code == 200 and gone.json()["revoked_at"]
        revoked = await a.http.get("/api/me", headers=bearer(token))
        assert revoked.status_code == 401 and "revoked" in revoked.json()["detail"]


async def test_the_secret_is_never_stored_and_a_token_cannot_revoke_anothers(tmp_path, sqlite_ledger):
    config = settings_for(tmp_path, sqlite_ledger.url)
    async with api(config, sqlite_ledger) as a:
        anna = mint(sqlite_ledger, BOM_COORDINATOR)
        mark = mint(sqlite_ledger, MONITOR)
        marks = (await a.http.get("/api/tokens", headers=bearer(mark))).json()
        assert (await a.http.delete(f"/api/tokens/{marks[0]['id']}", headers=bearer(anna))).status_code == 404
        assert (await a.http.get("/api/me", headers=bearer(mark))).status_code == 200
    db = Path(sqlite_ledger.url.removeprefix("sqlite:///"))
    stored = b"".join(p.read_bytes() for p in db.parent.glob(f"{db.name}*"))  # the database and its WAL
    for secret in (anna, mark):
        assert secret.encode() not in stored and secret[5:].encode() not in stored
        assert digest(secret).encode() in stored


async def test_a_read_token_reads_and_acts_on_nothing(tmp_path, sqlite_ledger):
    config = settings_for(tmp_path, sqlite_ledger.url)
    async with api(config, sqlite_ledger) as a:
        reader = a.as_(BOM_COORDINATOR, ("read",))
        assert (await a.http.get("/api/cases", headers=reader)).status_code == 200
        before = sqlite_ledger.count_events()
        refused = await a.http.post("/api/cases", headers=reader, json={"lead": {}})
        assert refused.status_code == 403
        assert refused.json()["rule"] == "token-scope" and "act scope" in refused.json()["detail"]
        assert sqlite_ledger.count_events() == before


async def test_a_body_naming_the_actor_or_organisation_is_refused_naming_it(tmp_path, sqlite_ledger):
    config = settings_for(tmp_path, sqlite_ledger.url)
    async with api(config, sqlite_ledger) as a:
        for name in ("actor", "organisation"):
            refused = await a.http.post("/api/cases", headers=a.as_(BOM_COORDINATOR),
                                        json={name: "minister.of.ez", "lead": {}})
            assert refused.status_code == 422, refused.text
            assert refused.json()["field"] == name and "signed-in identity" in refused.json()["detail"]
        json_headers = {**a.as_(BOM_COORDINATOR), "content-type": "application/json"}
        bad = await a.http.post("/api/cases", headers=json_headers, content=b"[1]")
        assert bad.status_code == 422 and bad.json()["field"] == "body"
        huge = await a.http.post("/api/cases", headers=json_headers, content=b'{"x": "' + b"a" * 200_000 + b'"}')
        assert huge.status_code == 413 and huge.json()["type"] == "/problems/too-large"
        assert sqlite_ledger.count_events() == 0


async def test_a_case_nobody_may_see_and_a_case_that_does_not_exist_get_the_same_answer(tmp_path, sqlite_ledger):
    config = settings_for(tmp_path, sqlite_ledger.url)
    async with api(config, sqlite_ledger) as a:
        missing = await a.http.get("/api/cases/BP-2026-9999", headers=a.as_(AUDITOR))
        assert missing.status_code == 404
        assert missing.json() == {"type": "/problems/case-not-found", "title": "No such case", "status": 404,
                                  "detail": "no case BP-2026-9999, or none you may see",
                                  "instance": "/api/cases/BP-2026-9999", "field": "case_id",
                                  "case_id": "BP-2026-9999"}
        bad = await a.http.get("/api/cases/no%20spaces", headers=a.as_(AUDITOR))
        assert bad.status_code == 422 and bad.json()["field"] == "case_id"
        described = await a.http.get("/problems/case-not-found")
        assert "not disclosed" in described.json()["description"]


# --- the client library over HTTP ------------------------------------------------------------------


async def test_http_cases_map_problems_back_to_the_client_librarys_errors(tmp_path, sqlite_ledger):
    config = settings_for(tmp_path, sqlite_ledger.url)
    async with api(config, sqlite_ledger) as a:
        transport = httpx.ASGITransport(app=a.app)
        token = mint(sqlite_ledger, BOM_COORDINATOR)
        async with client_http.HttpCases(BASE, token, transport=transport) as cases:
            assert await cases.list() == []
            with pytest.raises(CaseNotFound) as missing:
                await cases.read("BP-2026-0001")
            assert missing.value.case_id == "BP-2026-0001" and missing.value.field == "case_id"
            assert await cases.inbox(timedelta(days=14)) == []
        async with client_http.HttpCases(BASE, "bpat_" + "x" * 43, transport=transport) as cases:
            with pytest.raises(Unauthenticated, match="brandpunt login"):
                await cases.list()
        async with client_http.HttpCases(BASE, mint(sqlite_ledger, MONITOR), transport=transport) as cases:
            with pytest.raises(Forbidden) as refused:
                await cases.get("/api/overview")
            assert refused.value.rule == "role"


async def test_login_keeps_the_token_for_its_api_only_and_private(tmp_path, sqlite_ledger):
    config = settings_for(tmp_path, sqlite_ledger.url)
    async with api(config, sqlite_ledger) as a:
        token = mint(sqlite_ledger, BOM_COORDINATOR)
        login = await client_http.sign_in(tmp_path / "home", BASE, token, transport=httpx.ASGITransport(app=a.app))
    assert (login.subject, login.organisation, login.roles) == ("anna.bom", "bom", ("coordinator",))
    path = client_http.login_path(tmp_path / "home")
    assert path.stat().st_mode & 0o777 == 0o600 and (tmp_path / "home").stat().st_mode & 0o777 == 0o700
    assert token not in repr(login) and "token" not in login.public()
    assert client_http.load_login(tmp_path / "home", BASE).token == token
    assert client_http.load_login(tmp_path / "home", "http://elsewhere.example") is None  # never sent elsewhere
    with_api = settings.load({"BRANDPUNT_HOME": str(tmp_path / "home"), "BRANDPUNT_API_URL": BASE})
    assert client_http.signed_in(with_api) == "anna.bom"
    elsewhere = dataclasses.replace(with_api, web=dataclasses.replace(with_api.web, api_url="http://other"))
    with pytest.raises(Unauthenticated, match="not signed in to http://other"):
        client_http.HttpCases.from_settings(elsewhere)


# --- sessions and the development sign-in -------------------------------------------------------------


async def test_the_development_sign_in_needs_development_mode(tmp_path, sqlite_ledger):
    with pytest.raises(settings.SettingsError, match="BRANDPUNT_DEV_LOGIN=1"):
        async with api(settings_for(tmp_path, sqlite_ledger.url), sqlite_ledger, dev_login=True):
            pass
    with pytest.raises(settings.SettingsError, match="belongs to `brandpunt dev`"):
        await run_web(settings_for(tmp_path, sqlite_ledger.url, BRANDPUNT_DEV_LOGIN="1"))
    async with api(settings_for(tmp_path, sqlite_ledger.url), sqlite_ledger) as a:  # no dev mode: no such page
        assert (await a.http.post("/auth/dev", data={"user": "auditor"})).status_code == 404
        assert (await a.http.get("/auth/dev")).status_code == 404


async def test_a_browser_session_makes_tokens_with_its_csrf_token_and_a_token_cannot(tmp_path, sqlite_ledger):
    config = settings_for(tmp_path, sqlite_ledger.url, BRANDPUNT_DEV_LOGIN="1")
    async with api(config, sqlite_ledger, dev_login=True) as a:
        page = await a.http.get("/auth/dev")
        assert "DEVELOPMENT SIGN-IN" in page.text and "bom.coordinator" in page.text
        signed = await a.http.post("/auth/dev", data={"user": "bom.coordinator"})
        assert signed.status_code == 303
        cookie = signed.headers["set-cookie"].lower()
        assert "httponly" in cookie and "samesite=lax" in cookie and "secure" not in cookie  # dev: plain http
        me = (await a.http.get("/api/me")).json()
        assert (me["subject"], me["organisation"], me["via"]) == ("bom.coordinator", "bom", "session")
        assert me["may"] == {"start": True, "overview": False, "report": True}

        no_csrf = await a.http.post("/api/tokens", json={"name": "cli"})
        assert no_csrf.status_code == 403 and no_csrf.json()["rule"] == "csrf"
        made = await a.http.post("/api/tokens", json={"name": "cli", "scopes": ["read"], "expires_in_days": 7},
                                 headers={"X-CSRF-Token": me["csrf_token"]})
        assert made.status_code == 201, made.text
        token = made.json()["token"]
        assert token.startswith("bpat_") and len(token) >= 45 and made.json()["scopes"] == ["read"]
        assert sqlite_ledger.tokens.find(digest(token)).subject == "bom.coordinator"

        by_token = await a.http.post("/api/tokens", json={"name": "more"}, headers=bearer(token))
        assert by_token.status_code == 403 and by_token.json()["rule"] == "tokens-from-a-session"
        too_long = await a.http.post("/api/tokens", json={"expires_in_days": 366},
                                     headers={"X-CSRF-Token": me["csrf_token"]})
        assert too_long.status_code == 422 and too_long.json()["field"] == "expires_in_days"
        unknown = await a.http.post("/auth/dev", data={"user": "minister"})
        assert unknown.status_code == 422 and unknown.json()["field"] == "user"

        mine = (await a.http.get("/api/tokens")).json()
        gone = await a.http.delete(f"/api/tokens/{mine[0]['id']}", headers={"X-CSRF-Token": me["csrf_token"]})
        assert gone.status_code == 200
        logged = [(x.entry.kind.value, x.entry.subject, x.entry.detail) for x in sqlite_ledger.access_log.entries()]
        assert logged == [("grant-role", "bom.coordinator", "coordinator"),  # as the sign-in first met it
                          ("create-token", "bom.coordinator", f"{made.json()['id']} (read) until "
                           f"{made.json()['expires_at'][:10]}"),
                          ("revoke-token", "bom.coordinator", made.json()["id"])]
        assert token not in repr(logged)

        out = await a.http.post("/auth/logout", data={"csrf": me["csrf_token"]})
        assert out.status_code == 303
        assert (await a.http.get("/api/me")).status_code == 401


async def test_a_forged_session_cookie_is_nobody(tmp_path, sqlite_ledger):
    config = settings_for(tmp_path, sqlite_ledger.url, BRANDPUNT_DEV_LOGIN="1")
    async with api(config, sqlite_ledger, dev_login=True) as a:
        await a.http.post("/auth/dev", data={"user": "auditor"})
        real = a.http.cookies["brandpunt_session"]
    async with api(config, sqlite_ledger, dev_login=True) as b:  # another process: another session secret
        b.http.cookies.set("brandpunt_session", real)
        assert (await b.http.get("/api/me")).status_code == 401


def test_a_session_secret_is_required_with_an_identity_provider_and_long_enough(tmp_path):
    from api.app import create_app

    oidc = {"BRANDPUNT_OIDC_ISSUER": "http://127.0.0.1:9", "BRANDPUNT_OIDC_CLIENT_ID": "brandpunt"}
    url = f"sqlite:///{tmp_path / 'l.db'}"
    with pytest.raises(settings.SettingsError, match="BRANDPUNT_SESSION_SECRET is not set"):
        create_app(settings_for(tmp_path, url, **oidc))
    with pytest.raises(settings.SettingsError, match="32 characters"):
        create_app(settings_for(tmp_path, url, BRANDPUNT_SESSION_SECRET="short", **oidc))


def test_secrets_of_the_api_are_masked():
    text = "token bpat_abcdefghijklmnopqrstuvwxyz0123456789AB and ?client_secret=s3cr3t-value"
    shown = settings.redact(text, secrets=[])
    assert "abcdefghijklmnop" not in shown and "s3cr3t-value" not in shown
    env = {"BRANDPUNT_OIDC_CLIENT_SECRET": "oidc-secret-1", "BRANDPUNT_SESSION_SECRET": "session-secret-2",
           "BRANDPUNT_API_TOKEN": "bpat_whatever-3"}
    assert set(settings.secret_values(env)) == set(env.values())
    assert "oidc-secret-1" not in repr(settings.load(env)) and "session-secret-2" not in repr(settings.load(env))


async def test_the_openapi_schema_documents_bodies_responses_and_problems(tmp_path, sqlite_ledger):
    async with api(settings_for(tmp_path, sqlite_ledger.url), sqlite_ledger) as a:
        answer = await a.http.get("/openapi.json")
    assert answer.status_code == 200
    spec = answer.json()
    components = spec["components"]["schemas"]
    act = spec["paths"]["/api/cases/{case_id}/commands"]["post"]
    body = act["requestBody"]["content"]["application/json"]["schema"]
    refs = [r["$ref"].rsplit("/", 1)[-1] for r in body["oneOf"]]
    assert "RecordNoteRequest" in refs and "DetectLeadRequest" not in refs and "RecordReminderRequest" not in refs
    assert all(name in components for name in refs)
    assert "actor" not in components["RecordNoteRequest"]["properties"]  # the identity is the API's to fill in
    assert "organisation" not in components["DetectLeadRequest"]["properties"]
    assert act["responses"]["200"]["content"]["application/json"]["schema"]["$ref"].endswith("/CommandResult")
    for path in ("/api/me", "/api/cases", "/api/cases/{case_id}", "/api/inbox", "/api/overview",
                 "/api/reports/impact", "/api/tokens"):
        assert path in spec["paths"], path
    described = await _problem(tmp_path, sqlite_ledger, "forbidden")
    assert described["status"] == 403


async def _problem(tmp_path, ledger, slug):
    async with api(settings_for(tmp_path, ledger.url), ledger) as a:
        return (await a.http.get(f"/problems/{slug}")).json()


def test_the_servers_socket_sends_without_waiting_for_acks():
    """TCP_NODELAY on the API's socket (and a protocol asyncio recognises, so it sets it on every
    accepted connection too): without it each kept-alive request waited ~40 ms for a delayed ACK."""
    import socket

    from api.serve import bind

    sock = bind("127.0.0.1", 0)
    try:
        assert sock.proto == socket.IPPROTO_TCP
        assert sock.getsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY) != 0
    finally:
        sock.close()
    taken = bind("127.0.0.1", 0)
    try:
        with pytest.raises(settings.SettingsError, match="BRANDPUNT_WEB_PORT"):
            bind("127.0.0.1", taken.getsockname()[1])
    finally:
        taken.close()
