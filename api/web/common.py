"""What every page of the web app shares: the templates, the headers, who is signed in, the CSRF check.

Templates are Jinja2, autoescaped, every label through ``_()`` (gettext; English now, the Dutch
catalogue is issue 19), undefined names an error rather than an empty string. A page is rendered
whole; an htmx request gets one block of the same template (``jinja2-fragments``), so a partial
is never a second copy of the page's markup.
"""

from __future__ import annotations

import os
import secrets
from pathlib import Path
from typing import Any

from fastapi import Request
from fastapi.responses import HTMLResponse
from jinja2_fragments import render_block

from api import identity
from api.devlogin import BANNER
from client.errors import BadInput, Forbidden, Unauthenticated
from reports.templating import LANGUAGE, LANGUAGES, environment

HERE = Path(__file__).resolve().parent
HTMX = HERE.parent.parent / "node_modules" / "htmx.org" / "dist" / "htmx.min.js"
"""htmx as ``npm ci`` installs it in the repository (package.json pins the 2.x line); the image sets
``BRANDPUNT_HTMX`` to where its build stage put the file."""
CSP = ("default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self'; object-src 'none'; "
       "base-uri 'none'; frame-ancestors 'none'; form-action 'self'")
HEADERS = {"Content-Security-Policy": CSP, "X-Content-Type-Options": "nosniff", "Referrer-Policy": "no-referrer",
           "Cache-Control": "no-store"}
"""Every page: no inline script or style anywhere, nothing framed, no company in a Referer."""

ENV = environment(HERE / "templates")
"""The web pages' templates over the reports' (``reports.templating``: one templating system)."""


def htmx_file() -> Path:
    return Path(os.environ.get("BRANDPUNT_HTMX") or HTMX)


def partial(request: Request) -> bool:
    """The request is htmx's (it swaps a block in), not a browser's page load."""
    return request.headers.get("HX-Request") == "true"


def _context(request: Request, context: dict[str, Any]) -> dict[str, Any]:
    context.setdefault("caller", None)
    return {"request": request, "dev_banner": BANNER if request.app.state.web_dev else None,
            "language": language_of(request), "languages": LANGUAGES, **context}


LANGUAGE_COOKIE = "brandpunt_lang"


def language_of(request: Request) -> str:
    """The reader's language: the one they chose (a cookie the switch sets), else the first of their
    browser's languages brandpunt speaks, else English."""
    chosen = request.cookies.get(LANGUAGE_COOKIE)
    if chosen in LANGUAGES:
        return chosen
    for part in request.headers.get("accept-language", "").split(","):
        code = part.split(";")[0].strip().lower()[:2]
        if code in LANGUAGES:
            return code
    return "en"


async def in_the_readers_language(request: Request, call_next: Any) -> Any:
    """Everything a web page's request makes is in its reader's language: the page, and what the
    request computes for it before (the dashboard's report, a downloaded report, a refusal)."""
    if not request.url.path.startswith("/app"):
        return await call_next(request)
    token = LANGUAGE.set(language_of(request))
    try:
        return await call_next(request)
    finally:
        LANGUAGE.reset(token)


def render(request: Request, template: str, status: int = 200, block: str | None = None,
           **context: Any) -> HTMLResponse:
    """``template`` as a page, or only its ``block`` (for htmx) with the same context, in the reader's
    language (:func:`language_of`)."""
    values = _context(request, context)
    token = LANGUAGE.set(language_of(request))
    try:
        html = (render_block(ENV, template, block, values) if block else ENV.get_template(template).render(values))
    finally:
        LANGUAGE.reset(token)
    return HTMLResponse(html, status_code=status, headers={**HEADERS, "Content-Language": language_of(request)})


def signed_in(request: Request) -> identity.Caller | None:
    """The browser session's caller, or None (a page then sends the browser to the sign-in at ``/``)."""
    try:
        return identity._from_session(request, request.app.state.host)
    except Unauthenticated:
        return None


def caller_of(request: Request) -> identity.Caller:
    """The browser session's caller, for a form's POST (no session: 401, nothing done)."""
    caller = signed_in(request)
    if caller is None:
        raise Unauthenticated("sign in first (/)")
    return caller


def check_csrf(caller: identity.Caller, sent: str | None) -> None:
    """The form carries this session's CSRF token (else 403, nothing done)."""
    if not caller.csrf or not sent or not secrets.compare_digest(sent, caller.csrf):
        raise Forbidden("the form is stale or from another site: reload the page", "csrf", rule="csrf")


def form_field(where: str | None, paths: dict[str, tuple[str, ...]] | Any) -> str | None:
    """The form field a refusal names (``lead.contact.email`` -> ``contact-email``); a missing group
    (``lead.contact``) is its first field's (``contact-name``)."""
    from client import forms

    if not where:
        return None
    if where in paths:  # named by its form name already (two boxes that exclude each other)
        return str(where)
    parts = tuple(where.split("."))
    return forms.flag_of(where, paths) or next((n for n, path in paths.items() if path[:len(parts)] == parts), None)


def as_bad_input(err: Exception) -> BadInput:
    return err if isinstance(err, BadInput) else BadInput(str(err))
