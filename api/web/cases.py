"""The case list (issue 15 point 2): filters, a search, sorting, paging, saved views, CSV and the board.

Every listing is one ``ledger.listing.CaseQuery`` over the caller's ``read_scope``: the filters and
the page in SQL, only the page's states parsed, each then judged by ``may()`` as any read is. A
search for a company travels in a POSTed form (never in a URL: history, proxies and logs keep
URLs); the other filters name no company and may stand in a link. Saved views keep all of them,
a search too, under an opaque id.
"""

from __future__ import annotations

import csv
import io
from dataclasses import asdict, dataclass, fields, replace
from functools import partial
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from api import identity, reading
from api.forms import form
from api.host import Host
from api.web.common import HEADERS, caller_of, check_csrf, render, signed_in
from client.api import choice
from client.errors import BadInput
from domain.access import read_scope
from domain.bounds import NAME_MAX, SEARCH_MAX
from domain.vocab import HotspotId, Region, Stage, TechnologyDomain
from ledger.listing import SORTS, CaseQuery, Sort

PAGE_SIZE = 50
BOARD_CARDS = 25
"""Cards shown per stage on the board (the count says how many there are)."""
WHO = ("mine", "unassigned")


@dataclass(frozen=True)
class Filters:
    """The list's filters as a person sets them (every value text, empty: any)."""

    q: str = ""
    stage: str = ""
    region: str = ""
    hotspot: str = ""
    domain: str = ""
    phase: str = ""
    who: str = ""
    owner: str = ""
    status: str = ""
    sort: str = "detected"
    order: str = "asc"

    @classmethod
    def of(cls, values: Any) -> Filters:
        given = {f.name: str(values.get(f.name) or "").strip() for f in fields(cls)}
        return cls(**{k: v for k, v in given.items() if v or k in ("q",)})

    def link(self) -> str:
        """The filters as a query string, the search left out (it names a company)."""
        from urllib.parse import urlencode

        return urlencode({k: v for k, v in asdict(self).items() if v and k != "q"})

    def query(self, host: Host, caller: identity.Caller, page: int | None) -> CaseQuery:
        """The :class:`CaseQuery` of these filters for ``caller``; :class:`BadInput` names a bad filter."""
        if len(self.q) > SEARCH_MAX:
            raise BadInput(f"q: at most {SEARCH_MAX} characters", "q")
        owner = self.owner or None
        if owner is not None and owner not in host.organisations:
            raise BadInput(f"owner: no organisation {owner!r}", "owner")
        if self.phase and self.phase not in ("1", "2", "3", "4"):
            raise BadInput("phase: 1, 2, 3 or 4", "phase")
        if self.who and self.who not in WHO:
            raise BadInput(f"who: {' or '.join(WHO)}", "who")
        if self.status and self.status not in ("open", "closed"):
            raise BadInput("status: open or closed", "status")
        if self.sort not in SORTS or self.order not in ("asc", "desc"):
            raise BadInput(f"sort: one of {', '.join(SORTS)}, ascending or descending", "sort")
        sort: Sort = self.sort  # type: ignore[assignment]  # checked against SORTS just above
        return CaseQuery(
            scope=read_scope(caller.actor), today=host.clock().date(),
            regions_owned=_regions(host, caller.organisation), stage=choice("stage", self.stage or None, Stage),
            region=choice("region", self.region or None, Region),
            hotspot=choice("hotspot", self.hotspot or None, HotspotId),
            technology_domain=choice("domain", self.domain or None, TechnologyDomain),
            phase=int(self.phase) if self.phase else None,
            coordinator=caller.subject.strip().casefold() if self.who == "mine" else None,
            unassigned=self.who == "unassigned", owner=owner, owner_regions=_regions(host, owner or ""),
            open={"open": True, "closed": False}.get(self.status), company=self.q or None,
            sort=sort, descending=self.order == "desc",
            offset=(page - 1) * PAGE_SIZE if page else 0, limit=PAGE_SIZE if page else None)


def _regions(host: Host, organisation: str) -> tuple[str, ...]:
    return tuple(r.value for r, org in host.organisations.rom_of.items() if org.id == organisation)


def _choices(host: Host) -> dict[str, Any]:
    return {"stages": [s.value for s in Stage], "regions": [r.value for r in Region],
            "hotspots": [h.value for h in HotspotId], "domains": [d.value for d in TechnologyDomain],
            "owners": sorted((o.id, o.name) for o in host.organisations.by_id.values()), "sorts": list(SORTS)}


def router() -> APIRouter:
    routes = APIRouter(include_in_schema=False)

    async def listing(request: Request, caller: identity.Caller, filters: Filters, page: int,
                      view: str | None = None, refused: BadInput | None = None) -> Response:
        """The list as ``filters`` find it; ``refused``: a form about it was refused (shown, status 422)."""
        host: Host = request.app.state.host
        error, total, shown = refused, 0, []
        try:
            q = filters.query(host, caller, max(page, 1))
            total, states = await host.run(lambda ledger: ledger.case_page(q))
            shown = reading.visible(host, caller, states)  # may() again, on each case shown
        except BadInput as err:
            error = err
        pages = max(1, -(-total // PAGE_SIZE))
        views = await host.run(lambda ledger: ledger.views.of(caller.subject))
        return render(request, "cases.html", status=422 if error else 200, caller=caller, cases=shown,
                      total=total, page=min(max(page, 1), pages), pages=pages, f=filters, error=error,
                      views=views, view=view, **_choices(host))

    def page_of(values: Any) -> int:
        try:
            return int(values.get("page") or 1)
        except ValueError:
            return 1

    @routes.get("/app/cases", response_class=HTMLResponse)
    async def cases(request: Request) -> Response:
        caller = signed_in(request)
        if caller is None:
            return RedirectResponse("/", status_code=303)
        view_id = request.query_params.get("view")
        if view_id:
            host: Host = request.app.state.host
            saved = await host.run(lambda ledger: ledger.views.get(caller.subject, view_id))
            if saved is None:
                return render(request, "cases.html", status=404, caller=caller, cases=[], total=0, page=1, pages=1,
                              f=Filters(), error=BadInput("view: no such saved view of yours"), views=[], view=None,
                              **_choices(host))
            return await listing(request, caller, Filters.of(saved.filters), 1, view=saved.view_id)
        return await listing(request, caller, replace(Filters.of(request.query_params), q=""),
                             page_of(request.query_params))

    @routes.post("/app/cases", response_class=HTMLResponse)
    async def search(request: Request) -> Response:
        """The list filtered: a form POSTed, so a company name never stands in a URL (history, proxies, logs)."""
        caller = caller_of(request)
        values = await form(request)
        check_csrf(caller, values.get("csrf"))
        return await listing(request, caller, Filters.of(values), page_of(values), values.get("view") or None)

    @routes.post("/app/cases/views", response_class=HTMLResponse)
    async def save_view(request: Request) -> Response:
        caller = caller_of(request)
        values = await form(request)
        check_csrf(caller, values.get("csrf"))
        name = values.get("name", "").strip()
        filters = Filters.of(values)
        host: Host = request.app.state.host
        try:
            if not name or len(name) > NAME_MAX:
                raise BadInput(f"name: give the view a name (at most {NAME_MAX} characters)", "name")
            filters.query(host, caller, 1)  # a view of filters that work
            kept = {k: v for k, v in asdict(filters).items() if v}
            saved = await host.run(lambda ledger: ledger.views.save(caller.subject, name, kept, host.clock()))
        except (BadInput, ValueError) as err:
            bad = err if isinstance(err, BadInput) else BadInput(f"name: {err}", "name")
            return await listing(request, caller, filters, 1, refused=bad)
        return RedirectResponse(f"/app/cases?view={saved.view_id}", status_code=303)

    @routes.post("/app/cases/views/{view_id}/delete")
    async def delete_view(request: Request, view_id: str) -> Response:
        caller = caller_of(request)
        values = await form(request)
        check_csrf(caller, values.get("csrf"))
        host: Host = request.app.state.host
        await host.run(lambda ledger: ledger.views.delete(caller.subject, view_id))
        return RedirectResponse("/app/cases", status_code=303)

    async def export(request: Request, caller: identity.Caller, filters: Filters) -> Response:
        host: Host = request.app.state.host
        q = filters.query(host, caller, None)
        rows = await host.run(lambda ledger: ledger.case_rows(q))
        out = io.StringIO()
        writer = csv.writer(out)
        columns = ["case_id", "company", "stage", "outcome", "region", "hotspot", "technology_domain", "phase",
                   "owner", "detected_at", "updated_at"]
        writer.writerow(columns)
        for r in rows:
            writer.writerow([_cell(getattr(r, c)) for c in columns])
        return Response(out.getvalue(), media_type="text/csv; charset=utf-8", headers={
            **HEADERS, "Content-Disposition": 'attachment; filename="brandpunt-cases.csv"'})

    @routes.get("/app/cases.csv")
    async def csv_get(request: Request) -> Response:
        caller = caller_of(request)
        return await export(request, caller, replace(Filters.of(request.query_params), q=""))

    @routes.post("/app/cases.csv")
    async def csv_post(request: Request) -> Response:
        caller = caller_of(request)
        values = await form(request)
        check_csrf(caller, values.get("csrf"))
        return await export(request, caller, Filters.of(values))

    @routes.get("/app/board", response_class=HTMLResponse)
    async def board(request: Request) -> Response:
        """The pipeline by stage: how many cases each stage holds, and the first of them."""
        caller = signed_in(request)
        if caller is None:
            return RedirectResponse("/", status_code=303)
        host: Host = request.app.state.host
        filters = replace(Filters.of(request.query_params), q="", stage="")
        error, counts, columns = None, {}, []
        try:
            q = filters.query(host, caller, 1)
            counts = await host.run(lambda ledger: ledger.stage_counts(q))
            for stage in Stage:
                if counts.get(stage.value):
                    q_stage = replace(q, stage=stage.value, limit=BOARD_CARDS, sort="updated", descending=True)
                    rows = await host.run(partial(_rows, q=q_stage))
                    columns.append((stage.value, counts[stage.value], rows))
                else:
                    columns.append((stage.value, 0, []))
        except BadInput as err:
            error = err
        return render(request, "board.html", status=422 if error else 200, caller=caller, columns=columns,
                      f=filters, error=error, link=filters.link(), **_choices(host))

    return routes


def _rows(ledger: Any, q: CaseQuery) -> list[Any]:
    return list(ledger.case_rows(q))


def _cell(value: Any) -> str:
    """A CSV cell that a spreadsheet takes as text: a value starting with ``= + - @`` (a formula) is
    prefixed with an apostrophe (OWASP's CSV injection advice); dates as ISO text."""
    text = value.isoformat() if hasattr(value, "isoformat") else "" if value is None else str(value)
    return "'" + text if text[:1] in ("=", "+", "-", "@", "\t", "\r") else text
