"""The few pages a browser needs before the web app exists: who you are, sign in and out, and
making a token for the CLI (shown once). Everything else is the JSON API (``/docs``).

Forms that change something carry the session's CSRF token; every value shown is escaped.
"""

from __future__ import annotations

import secrets
from html import escape

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from pydantic import ValidationError

from api import identity
from api.devlogin import BANNER
from api.forms import form
from client.errors import BadInput, Forbidden, Unauthenticated


def _html(title: str, body: str, dev: bool) -> HTMLResponse:
    warning = (f'<p style="background:#b00020;color:#fff;padding:1em;font-weight:bold">{escape(BANNER)}</p>'
               if dev else "")
    return HTMLResponse(f"""<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>brandpunt: {escape(title)}</title></head>
<body>{warning}
<h1>{escape(title)}</h1>
{body}
<p><a href="/docs">The API (OpenAPI)</a></p>
</body></html>
""")


def _session(request: Request) -> identity.Caller | None:
    try:
        return identity._from_session(request, request.app.state.host)
    except Unauthenticated:
        return None


def _check_csrf(caller: identity.Caller, sent: str) -> None:
    if not caller.csrf or not secrets.compare_digest(sent, caller.csrf):
        raise Forbidden("the form is stale or from another site: reload the page", "csrf", rule="csrf")


def router(dev: bool, oidc: bool) -> APIRouter:
    routes = APIRouter(include_in_schema=False)

    @routes.get("/", response_class=HTMLResponse)
    async def home(request: Request) -> HTMLResponse:
        caller = _session(request)
        if caller is None:
            ways = []
            if oidc:
                ways.append('<a href="/auth/login">Sign in</a>')
            if dev:
                ways.append('<a href="/auth/dev">Development sign-in (demo users)</a>')
            text = " or ".join(ways) or "No browser sign-in is configured here (set BRANDPUNT_OIDC_ISSUER)."
            return _html("brandpunt", f"<p>{text}</p>", dev)
        host = request.app.state.host
        org = host.organisations.get(caller.organisation)
        roles = ", ".join(sorted(r.value for r in caller.actor.roles)) or "none"
        csrf = escape(caller.csrf or "")
        body = f"""<p>Signed in as <strong>{escape(caller.subject)}</strong>, {escape(org.name if org else caller.organisation)}
(roles: {escape(roles)}).</p>
<p><a href="/app">Open the web app: your inbox and cases</a></p>
<h2>A token for the command line</h2>
<form method="post" action="/tokens">
<input type="hidden" name="csrf" value="{csrf}">
<label>Name <input name="name" value="brandpunt CLI" maxlength="100"></label>
<label><input type="checkbox" name="act" value="1" checked> may act (not only read)</label>
<label>Days valid <input name="days" value="30" size="4"></label>
<button>Make a token</button>
</form>
<form method="post" action="/auth/logout"><input type="hidden" name="csrf" value="{csrf}"><button>Sign out</button></form>
"""
        return _html("brandpunt", body, dev)

    @routes.post("/tokens", response_class=HTMLResponse)
    async def make_token(request: Request) -> HTMLResponse:
        from api.tokens import TokenRequest, issue

        caller = _session(request)
        if caller is None:
            raise Unauthenticated("sign in first")
        fields = await form(request)
        _check_csrf(caller, fields.get("csrf", ""))
        try:
            days = int(fields.get("days", "30"))
        except ValueError:
            raise BadInput("days: a whole number of days", "days") from None
        scopes: list[str] = ["read", "act"] if fields.get("act") else ["read"]
        try:
            asked = TokenRequest.model_validate({"name": fields.get("name") or "brandpunt CLI", "scopes": scopes,
                                                 "expires_in_days": days})
        except ValidationError as err:
            first = err.errors(include_input=False)[0]
            where = ".".join(str(p) for p in first["loc"])
            raise BadInput(f"{where}: {first['msg']}", where) from None
        made = await issue(request, caller, asked)
        base = escape(str(request.base_url).rstrip("/"))
        body = f"""<p>Your token (shown this once; copy it now):</p>
<pre>{escape(made.token)}</pre>
<p>Scopes {escape(", ".join(made.scopes))}; valid until {made.expires_at:%Y-%m-%d %H:%M} UTC.</p>
<p>On the command line: <code>brandpunt login --url {base}</code> and paste it, then
<code>export BRANDPUNT_API_URL={base}</code>.</p>
<p><a href="/">Back</a></p>
"""
        return _html("A new token", body, dev)

    @routes.post("/auth/logout")
    async def logout(request: Request) -> Response:
        caller = _session(request)
        if caller is not None:
            _check_csrf(caller, (await form(request)).get("csrf", ""))
        identity.sign_out(request)
        return RedirectResponse("/", status_code=303)

    return routes
