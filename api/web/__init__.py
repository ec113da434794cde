"""The coordinator web app (issue 15), first slice: server-rendered pages in the API host.

Jinja2 templates (autoescaped; every label through ``_()``, gettext: English now, the Dutch catalogue
is a later issue), htmx 2 for partial updates (from the npm registry: ``package.json`` and its lock,
installed by ``npm ci`` in the set-up scripts and served as a static file, never copied into the
repository), one own stylesheet, and no inline script or style, so the Content-Security-Policy can
say ``'self'`` only. Pages read through the client library and decide access with the same
``domain.access.may`` as the JSON API (``api/reading.py``); a page that changes something checks the
browser session's CSRF token and writes nothing when refused.

Reading works without JavaScript; with it, a note is added without a page reload (htmx swaps the
timeline).
"""

from __future__ import annotations

import gettext
from datetime import timedelta
from pathlib import Path
from typing import Any

import jinja2
from fastapi import APIRouter, Request
from fastapi.responses import FileResponse, HTMLResponse, RedirectResponse, Response

from api import identity, reading
from api.devlogin import BANNER
from api.forms import form
from api.host import Host
from client.access import access_of, proposed_shares
from client.api import CaseFilter, command_from
from client.errors import BadInput, CaseError, Forbidden, Unauthenticated
from client.story import needs_lines, place, proposal_lines, realisation_line, timeline
from domain.access import Action, may
from domain.vocab import NoteKind, Region, Stage

HERE = Path(__file__).resolve().parent
HTMX = HERE.parent.parent / "node_modules" / "htmx.org" / "dist" / "htmx.min.js"
"""htmx as ``npm ci`` installs it in the repository (package.json pins the 2.x line); the image sets
``BRANDPUNT_HTMX`` to where its build stage put the file."""


def htmx_file() -> Path:
    import os

    return Path(os.environ.get("BRANDPUNT_HTMX") or HTMX)
CSP = ("default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self'; object-src 'none'; "
       "base-uri 'none'; frame-ancestors 'none'; form-action 'self'")
HEADERS = {"Content-Security-Policy": CSP, "X-Content-Type-Options": "nosniff", "Referrer-Policy": "no-referrer",
           "Cache-Control": "no-store"}
"""Every page: no inline script or style anywhere, nothing framed, no company in a Referer."""
PAGE_SIZE = 50

_ENV = jinja2.Environment(loader=jinja2.FileSystemLoader(HERE / "templates"), autoescape=True,
                          extensions=["jinja2.ext.i18n"], undefined=jinja2.StrictUndefined)
_ENV.install_gettext_translations(gettext.NullTranslations(), newstyle=True)  # type: ignore[attr-defined]  # added by the i18n extension


def render(request: Request, template: str, status: int = 200, **context: Any) -> HTMLResponse:
    context.setdefault("caller", None)
    html = _ENV.get_template(template).render(
        request=request, dev_banner=BANNER if request.app.state.web_dev else None, **context)
    return HTMLResponse(html, status_code=status, headers=HEADERS)


def _signed_in(request: Request) -> identity.Caller | None:
    """The browser session's caller, or None (a page then sends the browser to the sign-in at ``/``)."""
    try:
        return identity._from_session(request, request.app.state.host)
    except Unauthenticated:
        return None


def _caller(request: Request) -> identity.Caller:
    """The browser session's caller, for a form's POST (no session: 401, nothing done)."""
    caller = _signed_in(request)
    if caller is None:
        raise Unauthenticated("sign in first (/)")
    return caller


def _csrf(caller: identity.Caller, sent: str) -> None:
    import secrets

    if not caller.csrf or not secrets.compare_digest(sent, caller.csrf):
        raise Forbidden("the form is stale or from another site: reload the page", "csrf", rule="csrf")


def _grouped(lines: list[str]) -> list[tuple[str, list[str]]]:
    """``client.story.proposal_lines`` as (proposal, its reasons): a reason line is indented "- "."""
    out: list[tuple[str, list[str]]] = []
    for line in lines:
        if line.lstrip().startswith("- ") and out:
            out[-1][1].append(line.lstrip()[2:])
        else:
            out.append((line, []))
    return out


def _form_field(where: str | None, paths: dict[str, tuple[str, ...]]) -> str | None:
    """The form field a refusal names (``lead.contact.email`` -> ``contact-email``); a missing group
    (``lead.contact``) is its first field's (``contact-name``)."""
    from client import forms

    if not where:
        return None
    parts = tuple(where.split("."))
    return forms.flag_of(where, paths) or next((n for n, path in paths.items() if path[:len(parts)] == parts), None)


def router(dev: bool) -> APIRouter:
    routes = APIRouter(include_in_schema=False)

    @routes.get("/static/htmx.min.js")
    async def htmx() -> Response:
        path = htmx_file()
        if not path.exists():  # the pages still work (they need no script); say how to get it
            return Response("htmx is not installed: run `npm ci` in the repository (run.sh and test.sh do), or "
                            "set BRANDPUNT_HTMX to the file", status_code=503, media_type="text/plain")
        return FileResponse(path, media_type="text/javascript", headers={"Cache-Control": "public, max-age=86400"})

    @routes.get("/static/app.css")
    async def css() -> Response:
        return FileResponse(HERE / "static" / "app.css", media_type="text/css")

    @routes.get("/app", response_class=HTMLResponse)
    async def inbox(request: Request) -> Response:
        caller = _signed_in(request)
        if caller is None:
            return RedirectResponse("/", status_code=303)
        host: Host = request.app.state.host
        states = await host.cases.list(CaseFilter(include_demo=False))
        mine = {s.case_id for s in reading.visible(host, caller, states)}
        items = [x for x in await host.cases.inbox(timedelta(days=14)) if x.case_id in mine]
        return render(request, "inbox.html", caller=caller, items=items)

    async def listing(request: Request, caller: identity.Caller, q: str, stage: str, region: str,
                      page: int) -> Response:
        host: Host = request.app.state.host
        error = None
        try:
            where = CaseFilter(stage=stage or None, region=region or None, company=q or None).checked()
            found = reading.visible(host, caller, await host.cases.list(where))
        except BadInput as err:
            error, found = err, []
        pages = max(1, -(-len(found) // PAGE_SIZE))
        page = min(max(page, 1), pages)
        shown = found[(page - 1) * PAGE_SIZE: page * PAGE_SIZE]
        return render(request, "cases.html", status=422 if error else 200, caller=caller, cases=shown,
                      total=len(found), page=page, pages=pages, q=q, stage=stage, region=region, error=error,
                      stages=[s.value for s in Stage], regions=[r.value for r in Region])

    @routes.get("/app/cases", response_class=HTMLResponse)
    async def cases(request: Request) -> Response:
        caller = _signed_in(request)
        if caller is None:
            return RedirectResponse("/", status_code=303)
        return await listing(request, caller, "", "", "", 1)

    @routes.post("/app/cases", response_class=HTMLResponse)
    async def search(request: Request) -> Response:
        """The list filtered: a form POSTed, so a company name never stands in a URL (history, proxies, logs)."""
        caller = _caller(request)
        fields = await form(request)
        _csrf(caller, fields.get("csrf", ""))
        try:
            page = int(fields.get("page", "1") or "1")
        except ValueError:
            page = 1
        return await listing(request, caller, fields.get("q", "").strip(), fields.get("stage", ""),
                             fields.get("region", ""), page)

    async def case_context(request: Request, caller: identity.Caller, case_id: str) -> dict[str, Any]:
        host: Host = request.app.state.host
        state, decision = await reading.readable(host, caller, case_id)
        access = access_of(state, host.organisations)
        if caller.organisation != access.owner:  # recorded before it is shown, as by the JSON API
            from domain.access_log import AccessKind

            await host.record_access(caller.actor, AccessKind.READ_CASE, decision.reason, case_id=case_id)
        view = await host.cases.read(case_id)
        return {"state": state, "view": view, "story": timeline(r.event for r in view.timeline),
                "owner": host.organisations.get(access.owner), "access": access,
                "may_act": bool(may(caller.actor, Action.ACT, access, host.clock())),
                "needs": needs_lines(state.needs) if state.needs else [],
                "proposals": _grouped(proposal_lines(state.proposals)),
                "proposed_shares": [host.organisations.get(o) or o for o in
                                    proposed_shares(state, host.organisations, host.clock().date())],
                "location": place(state.location) if state.location else None,
                "realisation": realisation_line(state.realisation) if state.realisation else None,
                "note_kinds": [k.value for k in NoteKind], "today": host.clock().date()}

    def lead_form(request: Request, caller: identity.Caller, values: dict[str, str], error: BadInput | None,
                  field: str | None) -> HTMLResponse:
        from domain.vocab import CompanyType, HotspotId, TechnologyDomain

        host: Host = request.app.state.host
        org = host.organisations.get(caller.organisation)
        region = values.get("region") or (org.region.value if org and org.region else "")
        return render(request, "new_lead.html", status=422 if error else 200, caller=caller,
                      values={**values, "region": region}, error=error, bad_field=field,
                      regions=[r.value for r in Region], hotspots=[h.value for h in HotspotId],
                      domains=[d.value for d in TechnologyDomain], types=[t.value for t in CompanyType])

    @routes.get("/app/leads/new", response_class=HTMLResponse)
    async def new_lead(request: Request) -> Response:
        caller = _signed_in(request)
        if caller is None:
            return RedirectResponse("/", status_code=303)
        return lead_form(request, caller, {}, None, None)

    @routes.post("/app/leads", response_class=HTMLResponse)
    async def start_lead(request: Request) -> Response:
        """A new lead from the form: checked by the workflow's own parser (a bad field shown beside it),
        started only by a coordinator of the lead's home region's ROM; a company that other organisations
        already have a case for is started with a warning that names neither the case nor its owner."""
        from client import forms
        from client.imports import PATHS

        caller = _caller(request)
        fields = await form(request)
        _csrf(caller, fields.get("csrf", ""))
        host: Host = request.app.state.host
        values = {name: fields.get(name, "").strip() for name in PATHS if name != "signalled-by"}
        typed: dict[str, Any] = {k: (v or None) for k, v in values.items()}
        if typed.get("phase") and str(typed["phase"]).isdigit():
            typed["phase"] = int(typed["phase"])
        try:
            command = command_from("start", forms.body(typed, PATHS), {
                "actor": caller.subject, "organisation": caller.organisation,
                "reason": fields.get("reason", "").strip() or None, "command_id": None})
            reading.check_start(host, caller, command.lead)
            found = await host.cases.similar(command.lead)
            result = await host.cases.start(command)
        except (BadInput, CaseError) as err:  # nothing was started; the form comes back as it was sent
            where = getattr(err, "field", None)
            return lead_form(request, caller, {**values, "reason": fields.get("reason", "")},
                             err if isinstance(err, BadInput) else BadInput(str(err)), _form_field(where, PATHS))
        elsewhere = len(found) - len(reading.visible(host, caller, found))
        if elsewhere:
            request.session["flash"] = (f"{elsewhere} case(s) elsewhere, under another organisation, have this "
                                        "company's name or KvK number; the taskforce lead sees which (a company "
                                        "that talks to two ROMs is one lead)")
        return RedirectResponse(f"/app/cases/{result.state.case_id}", status_code=303)

    @routes.get("/app/cases/{case_id}", response_class=HTMLResponse)
    async def case(request: Request, case_id: str) -> Response:
        caller = _signed_in(request)
        if caller is None:
            return RedirectResponse("/", status_code=303)
        flash = request.session.pop("flash", None)
        return render(request, "case.html", caller=caller, **await case_context(request, caller, case_id),
                      form_error=None, form_values={}, flash=flash)

    @routes.post("/app/cases/{case_id}/notes", response_class=HTMLResponse)
    async def note(request: Request, case_id: str) -> Response:
        caller = _caller(request)
        fields = await form(request)
        _csrf(caller, fields.get("csrf", ""))
        host: Host = request.app.state.host
        state, _ = await reading.readable(host, caller, case_id)
        allowed = may(caller.actor, Action.ACT, access_of(state, host.organisations), host.clock())
        if not allowed:
            raise Forbidden(f"note on {case_id}: {allowed.reason}", rule="act")
        values = {"text": fields.get("text", ""), "kind": fields.get("kind", "other")}
        partial = request.headers.get("HX-Request") == "true"
        try:
            command = command_from("note", values, {"actor": caller.subject, "organisation": caller.organisation,
                                                    "reason": None, "command_id": None})
            await host.cases.act(case_id, command)
        except (BadInput, CaseError) as err:  # shown beside the field it names; nothing was written
            context = await case_context(request, caller, case_id)
            return render(request, "_note.html" if partial else "case.html", status=422, caller=caller, **context,
                          form_error=err, form_values=values, flash=None)
        if partial:
            context = await case_context(request, caller, case_id)
            return render(request, "_note.html", caller=caller, **context, form_error=None, form_values={})
        return RedirectResponse(f"/app/cases/{case_id}#timeline", status_code=303)

    return routes
