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

from collections.abc import Callable
from datetime import timedelta
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import FileResponse, HTMLResponse, RedirectResponse, Response

from api import identity, reading
from api.forms import form
from api.host import Host
from api.web import case as case_pages
from api.web import cases as case_lists
from api.web import oversight
from api.web.common import (
    CSP,
    HERE,
    HTMX,
    as_bad_input,
    caller_of,
    check_csrf,
    form_field,
    htmx_file,
    render,
    signed_in,
)
from client.api import command_from
from client.errors import BadInput, CaseError
from client.inbox import calls_for, shared_items, sharing_items
from client.inbox import items as inbox_items
from domain.access import Role, read_scope
from domain.reminders import ReminderRules
from domain.vocab import Region
from ledger.listing import CaseQuery

__all__ = ["CSP", "HTMX", "router"]
PAGE_SIZE = 50
WITHIN = timedelta(days=14)
"""The inbox holds what is due or overdue and what falls due, or was shared, within two weeks."""
INBOX_MAX = 200
"""Items an inbox page lists (overdue first); it says how many more there are."""
SHOW: dict[str, Callable[[identity.Caller, tuple[str, ...]], dict[str, Any]]] = {
    "all": lambda c, regions: {},
    "mine": lambda c, regions: {"coordinator": c.subject.strip().casefold()},
    "organisation": lambda c, regions: {"owner": c.organisation, "owner_regions": regions},
    "unassigned": lambda c, regions: {"unassigned": True},
}
"""The worklists (``ledger.listing.CaseQuery`` filters): every open case I act on, the ones I
coordinate, my organisation's own, nobody's yet."""


def _shown(host: Host, caller: identity.Caller, items: list[Any], states: dict[str, Any]) -> list[Any]:
    """The first :data:`INBOX_MAX` of ``items`` whose case ``may()`` lets ``caller`` read (the query
    chose by the same rule; each case shown is judged again), then the rest unjudged, only counted."""
    judged: dict[str, bool] = {}
    out: list[Any] = []
    for n, x in enumerate(items):
        if len(out) >= INBOX_MAX:
            return out + items[n:]
        if x.case_id not in judged:
            judged[x.case_id] = bool(reading.visible(host, caller, [states[x.case_id]]))
        if judged[x.case_id]:
            out.append(x)
    return out


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
        caller = signed_in(request)
        if caller is None:
            return RedirectResponse("/", status_code=303)
        host: Host = request.app.state.host
        show = request.query_params.get("show", "all")
        show = show if show in SHOW else "all"
        now = host.clock()
        items = []
        if Role.COORDINATOR in caller.actor.roles:  # the open cases they act on, in SQL; only those parsed
            regions = tuple(r.value for r, org in host.organisations.rom_of.items() if org.id == caller.organisation)
            q = CaseQuery(read_scope(caller.actor), now.date(), regions, open=True, limit=None, **SHOW[show](caller, regions))
            _, states = await host.run(lambda ledger: ledger.case_page(q))
            adopted = await host.run(lambda ledger: ledger.reminder_rules())
            rules = adopted.rules if adopted else ReminderRules()
            shared_q = CaseQuery(read_scope(caller.actor), now.date(), regions, shared_with=caller.organisation,
                                 limit=None, **SHOW[show](caller, regions))  # open or closed since
            _, shared = await host.run(lambda ledger: ledger.case_page(shared_q))
            items = (inbox_items(states, rules, now, WITHIN) + sharing_items(states, host.organisations, now)
                     + shared_items(shared, caller.organisation, host.organisations, now, WITHIN))
            items.sort(key=lambda x: (not x.overdue, x.due_at, x.case_id))
            items = _shown(host, caller, items, {s.case_id: s for s in states + shared})
        return render(request, "inbox.html", caller=caller, items=[(x, calls_for(x)) for x in items[:INBOX_MAX]],
                      more=max(0, len(items) - INBOX_MAX), show=show, shows=list(SHOW), within_days=WITHIN.days,
                      coordinator=Role.COORDINATOR in caller.actor.roles)

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
        caller = signed_in(request)
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

        caller = caller_of(request)
        fields = await form(request)
        check_csrf(caller, fields.get("csrf"))
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
                             as_bad_input(err), form_field(where, PATHS))
        elsewhere = len(found) - len(reading.visible(host, caller, found))
        if elsewhere:
            request.session["flash"] = (f"{elsewhere} case(s) elsewhere, under another organisation, have this "
                                        "company's name or KvK number; the taskforce lead sees which (a company "
                                        "that talks to two ROMs is one lead)")
        return RedirectResponse(f"/app/cases/{result.state.case_id}", status_code=303)

    @routes.post("/app/language")
    async def language(request: Request) -> Response:
        """The reader's language switch: kept in a cookie (a year), then back to the page they were on."""
        from api.web.common import LANGUAGE_COOKIE
        from reports.templating import LANGUAGES

        caller = caller_of(request)
        fields = await form(request)
        check_csrf(caller, fields.get("csrf"))
        chosen = fields.get("language", "")
        if chosen not in LANGUAGES:
            raise BadInput(f"language: one of {', '.join(LANGUAGES)}", "language")
        back = fields.get("back", "/app")
        back = back if back.startswith("/app") and "//" not in back else "/app"
        response = RedirectResponse(back, status_code=303)
        response.set_cookie(LANGUAGE_COOKIE, chosen, max_age=365 * 24 * 3600, httponly=True, samesite="lax",
                            secure=not request.app.state.web_dev)
        return response

    routes.include_router(case_pages.router())
    routes.include_router(case_lists.router())
    routes.include_router(oversight.router())
    return routes
