"""The impact dashboard and the auditors' pages (issue 15 points 5 and 6).

The dashboard is the impact report itself: ``reports/templates/report_body.html`` rendered into the
page, the same template the mailed and printed report uses; it names no company and no case, so
the monitor (EZ) sees it as the taskforce lead does. The auditors' pages verify the ledger, list
the cases whose workflow is stuck, export a case's dossier (recorded in the access log before it is
sent) and show a case's access log. Every page checks ``may()`` first.
"""

from __future__ import annotations

import io
import tempfile
import zipfile
from pathlib import Path

from fastapi import APIRouter, Request
from fastapi.responses import FileResponse, HTMLResponse, RedirectResponse, Response

from api import identity
from api.forms import form
from api.host import Host
from api.problems import not_found
from api.web.common import ENV, HEADERS, caller_of, check_csrf, render, signed_in
from client.errors import BadInput, Forbidden
from client.views import check_case_id
from domain.access import Action, may
from keys import codec
from reports.html import context as report_context
from reports.html import install_filters
from reports.templating import HERE as REPORTS

install_filters(ENV)


def _allowed(caller: identity.Caller, action: Action) -> None:
    allowed = may(caller.actor, action)
    if not allowed:
        raise Forbidden(f"{action.value}: {allowed.reason}", rule="role")


def _period(request: Request, today: str) -> str:
    return (request.query_params.get("period") or today[:4]).strip()[:20]


def router() -> APIRouter:
    routes = APIRouter(include_in_schema=False)

    @routes.get("/static/report.css")
    async def report_css() -> Response:
        return FileResponse(REPORTS / "report.css", media_type="text/css")

    @routes.get("/app/dashboard", response_class=HTMLResponse)
    async def dashboard(request: Request) -> Response:
        """The impact report of a period (``?period=2026``, ``2026H1``, ``2026Q3``...) with its charts."""
        from domain.impact import PeriodError
        from reports import compute

        caller = signed_in(request)
        if caller is None:
            return RedirectResponse("/", status_code=303)
        _allowed(caller, Action.REPORT)
        host: Host = request.app.state.host
        period = _period(request, host.clock().date().isoformat())
        try:
            data = await host.run(lambda ledger: compute(ledger, period))
        except PeriodError as err:
            return render(request, "dashboard.html", status=422, caller=caller, period=period,
                          error=BadInput(f"period: {err}", "period"), report=None)
        return render(request, "dashboard.html", caller=caller, period=period, error=None,
                      report=report_context(data))

    @routes.get("/app/dashboard/report.html")
    async def report_file(request: Request) -> Response:
        """The same report as the self-contained file that is mailed (a download: it carries its own style)."""
        from reports import render_report

        caller = caller_of(request)
        _allowed(caller, Action.REPORT)
        host: Host = request.app.state.host
        period = _period(request, host.clock().date().isoformat())
        try:
            html = await host.run(lambda ledger: render_report(ledger, period, "html"))
        except ValueError as err:
            raise BadInput(f"period: {err}", "period") from None
        return Response(html, media_type="text/html; charset=utf-8", headers={
            **HEADERS, "Content-Disposition": f'attachment; filename="impact-report-{period}.html"'})

    @routes.get("/app/audit", response_class=HTMLResponse)
    async def audit(request: Request) -> Response:
        caller = signed_in(request)
        if caller is None:
            return RedirectResponse("/", status_code=303)
        _allowed(caller, Action.VERIFY)
        return render(request, "audit.html", caller=caller, verified=None, health=None, health_error=None)

    @routes.post("/app/audit", response_class=HTMLResponse)
    async def audit_run(request: Request) -> Response:
        """Verify the ledger now, or look for stuck cases now (the button pressed says which)."""
        from audit import health as stuck
        from audit import status

        caller = caller_of(request)
        values = await form(request)
        check_csrf(caller, values.get("csrf"))
        _allowed(caller, Action.VERIFY)
        host: Host = request.app.state.host
        keys_dir = host.settings.keys_dir
        if values.get("check") == "health":
            try:
                found = await stuck.check(await host.cases.temporal())  # type: ignore[attr-defined]  # LocalCases
                error = None
            except Exception as err:  # noqa: BLE001 - Temporal unreachable: said on the page
                found, error = None, f"Temporal did not answer: {type(err).__name__}"
            return render(request, "audit.html", caller=caller, verified=None, health=found, health_error=error)
        result = await host.run(lambda ledger: status.check(ledger, keys_dir))
        return render(request, "audit.html", caller=caller, verified=result, health=None, health_error=None)

    @routes.get("/app/audit/case")
    async def audit_case(request: Request) -> Response:
        """The "one case" form of the audit page: to the case's page (its id names nobody)."""
        case_id = (request.query_params.get("case_id") or "").strip()
        check_case_id(case_id)
        return RedirectResponse(f"/app/audit/cases/{case_id}", status_code=303)

    @routes.get("/app/audit/cases/{case_id}", response_class=HTMLResponse)
    async def access_log(request: Request, case_id: str) -> Response:
        """A case's access log: who opened its file from outside its owner, and every dossier export."""
        caller = signed_in(request)
        if caller is None:
            return RedirectResponse("/", status_code=303)
        _allowed(caller, Action.VERIFY)
        check_case_id(case_id)
        host: Host = request.app.state.host
        entries = await host.run(lambda ledger: ledger.access_log.entries(case_id))
        exists = await host.run(lambda ledger: ledger.case_state(case_id)) is not None
        if not exists and not entries:
            raise not_found(case_id)
        return render(request, "audit_case.html", caller=caller, case_id=case_id,
                      entries=[e.entry for e in entries])

    @routes.post("/app/audit/cases/{case_id}/dossier")
    async def dossier(request: Request, case_id: str) -> Response:
        """The case's dossier as a zip (events, timeline, VERIFY.txt, the Temporal histories), recorded
        in the access log with its reason before it is sent."""
        from audit import dossier as files
        from audit.replay import fetch_histories
        from domain.access_log import AccessKind

        caller = caller_of(request)
        values = await form(request)
        check_csrf(caller, values.get("csrf"))
        check_case_id(case_id)
        host: Host = request.app.state.host
        state = await host.run(lambda ledger: ledger.case_state(case_id))
        if state is None:
            raise not_found(case_id)
        from client.access import access_of

        allowed = may(caller.actor, Action.DOSSIER, access_of(state, host.organisations), host.clock())
        if not allowed:
            raise Forbidden(f"dossier: {allowed.reason}", rule="dossier")
        reason = values.get("reason", "").strip()
        if not reason:
            raise BadInput("reason: say why the dossier is exported (it is recorded in the access log)", "reason")
        rows = await host.run(lambda ledger: ledger.events(case_id))
        try:
            histories = await fetch_histories(await host.cases.temporal(), case_id)  # type: ignore[attr-defined]  # LocalCases
        except Exception:  # noqa: BLE001 - the dossier still holds the ledger's record; VERIFY.txt says how to check it
            histories = []
        await host.record_access(caller.actor, AccessKind.EXPORT_DOSSIER, reason[:500], case_id=case_id)
        with tempfile.TemporaryDirectory() as tmp:
            written, _ = files.write(Path(tmp), case_id, rows, histories, codec.load(host.settings.keys_dir))
            packed = io.BytesIO()
            with zipfile.ZipFile(packed, "w", zipfile.ZIP_DEFLATED) as z:
                for path in written:
                    z.write(path, f"{case_id}/{path.name}")
        return Response(packed.getvalue(), media_type="application/zip", headers={
            **HEADERS, "Content-Disposition": f'attachment; filename="dossier-{case_id}.zip"'})

    return routes
