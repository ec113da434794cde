"""The HTTP API: JSON endpoints for every read and action of the CLI, for verified callers only.

:func:`create_app` builds it over the client library (``client.api.Cases``; by default
``LocalCases`` over the deployment's Temporal and ledger): ``brandpunt web`` serves it, ``brandpunt
dev`` serves it next to the dev server and the worker. The API host is what talks to Temporal on
behalf of people; a command's actor and organisation come from the verified identity
(``api.identity``), never from the request: a body that names them is refused.

Every endpoint asks :func:`domain.access.may` (with ``client.access.access_of`` for a case):

- reading a case needs ``read`` on it, and a case the caller may not read is answered 404 exactly
  like a case that does not exist (403 would tell a coordinator that another ROM has a case under
  that id, which the NDA is about);
- a command needs ``act`` on the case (403 when the caller may read it but not act, e.g. an auditor);
- a start needs ``start``, and the new case belongs to the caller's organisation: a lead whose home
  region is another ROM's is refused (403 naming ``lead.home_region``), because the company is
  under NDA with its own ROM and, until cases can be shared, its owner is that ROM
  (``client.access``);
- opening a case's file from outside its owning organisation (an auditor's, a share's) is an entry
  in the access log first (who, when, why: the reason ``may`` gave), and so is making or revoking a
  personal access token;
- listings, the inbox and duplicate checks hold only the cases the caller may read; the national
  overview (taskforce lead, auditor) holds no company identity; the impact report holds no free
  text typed into a case file, except for auditors (who may read every case file).

Errors are RFC 9457 problem details (``api.problems``).
"""

from __future__ import annotations

import json
import secrets
from collections import Counter
from collections.abc import Callable
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any

from fastapi import APIRouter, Depends, FastAPI, Query, Request
from fastapi.responses import JSONResponse, PlainTextResponse

from api import admin, health, identity, models, problems, reading, schema
from api.host import Host, utc_now
from api.identity import ACT, READ, Caller, needs
from api.problems import Problem
from client.access import access_of
from client.api import CaseFilter, Cases, command_from
from client.errors import DEADLINE, BadInput, Forbidden
from client.text import TEXT, case_text, result_lines
from client.views import check_case_id
from domain import case_ids
from domain.access import Action, Decision, may
from domain.access_log import AccessKind
from domain.bounds import COMMAND_JSON_MAX
from domain.commands import OPERATOR_COMMANDS, RevokeShare, ShareCase
from domain.models import Lead
from domain.state import CaseState
from settings import Settings, SettingsError
from workflows.case_io import CommandResult

if TYPE_CHECKING:
    from ledger.store import Ledger

BODY_MAX = COMMAND_JSON_MAX + 4096
"""Bytes a request body may hold: a command's limit (the domain checks it exactly) and some room."""
DEADLINE_MAX = 300.0
"""The longest a request may ask the API to wait for a command's answer (seconds)."""
WITHIN_MAX_DAYS = 3660


async def json_body(request: Request) -> dict[str, Any]:
    """The request's JSON object, read up to :data:`BODY_MAX` bytes (a larger body is refused
    before it is read whole)."""
    if request.headers.get("content-type", "").split(";")[0].strip() != "application/json":
        raise Problem("unsupported-media-type", "send the body as application/json")
    declared = request.headers.get("content-length", "")
    if declared.isdigit() and int(declared) > BODY_MAX:
        raise Problem("too-large", f"the body is larger than {BODY_MAX} bytes")
    chunks, size = [], 0
    async for chunk in request.stream():
        size += len(chunk)
        if size > BODY_MAX:
            raise Problem("too-large", f"the body is larger than {BODY_MAX} bytes")
        chunks.append(chunk)
    try:
        data = json.loads(b"".join(chunks))
    except ValueError:
        raise Problem("bad-request", "the body is not valid JSON") from None
    if not isinstance(data, dict):
        raise BadInput("body: a JSON object", "body")
    for name in schema.IDENTITY_FIELDS:
        if name in data:
            what = ("the API host signs each command itself" if name == "signature"
                    else f"the API records the signed-in identity as the command's {name}")
            raise BadInput(f"{name}: not accepted: {what}; leave it out", name)
    return data


def _meta(caller: Caller, body: dict[str, Any]) -> dict[str, Any]:
    return {"actor": caller.subject, "organisation": caller.organisation, "reason": body.pop("reason", None),
            "command_id": body.pop("command_id", None)}


OPERATOR_TYPES = frozenset(c.model_fields["type"].default for c in OPERATOR_COMMANDS)
SHARING_TYPES = frozenset(c.model_fields["type"].default for c in (ShareCase, RevokeShare))


def wants_text(request: Request) -> bool:
    """Whether the caller asked for the text a person reads (``Accept: text/plain`` first): the CLI
    prints it as it comes, so it never loads the pydantic domain to render a case itself."""
    first = request.headers.get("accept", "").split(",")[0].split(";")[0].strip().lower()
    return first == TEXT


AS_TEXT: dict[int | str, dict[str, Any]] = {200: {"content": {f"{TEXT}; charset=utf-8": {"schema": {"type": "string"}}},
                                                  "description": f"JSON, or with `Accept: {TEXT}` the text "
                                                                 "`brandpunt` prints"}}


def _deadline(value: float | None) -> float:
    return DEADLINE if value is None else value


def case_router() -> APIRouter:
    routes = APIRouter(prefix="/api", tags=["cases"])

    def host_of(request: Request) -> Host:
        host: Host = request.app.state.host
        return host

    async def readable(request: Request, caller: Caller, case_id: str) -> tuple[CaseState, Decision]:
        return await reading.readable(host_of(request), caller, case_id)

    visible = reading.visible

    @routes.get("/me", response_model=models.Me, tags=["identity"], summary="Who you are, as the API verified it")
    async def me(request: Request, caller: Caller = Depends(needs(READ))) -> models.Me:
        host = host_of(request)
        org = host.organisations.get(caller.organisation)
        return models.Me(
            subject=caller.subject, organisation=caller.organisation,
            organisation_name=org.name if org else caller.organisation,
            roles=sorted(r.value for r in caller.actor.roles), via=caller.via, scopes=sorted(caller.scopes),
            token_id=caller.token_id, csrf_token=caller.csrf if caller.via == "session" else None,
            may={a.value: bool(may(caller.actor, a)) for a in (Action.START, Action.OVERVIEW, Action.REPORT)},
        )

    @routes.get("/cases", response_model=models.CaseList, summary="The cases you may read (filters as `lead list`)")
    async def list_cases(
        request: Request, caller: Caller = Depends(needs(READ)),
        stage: str | None = None, region: str | None = None,
        company: str | None = Query(None, description="part of the company name (any case), or a KvK number"),
        coordinator: str | None = None, include_demo: bool = False,
    ) -> models.CaseList:
        host = host_of(request)
        where = CaseFilter(stage=stage, region=region, company=company, coordinator=coordinator,
                           include_demo=include_demo).checked()
        return models.CaseList(cases=visible(host, caller, await host.cases.list(where)))

    @routes.post("/cases", status_code=201, response_model=CommandResult,
                 summary="Start a case for a new lead (owned by your organisation)",
                 openapi_extra={"requestBody": {"required": True, "content": {"application/json": {
                     "schema": schema.start_body()[0]}}}})
    async def start(request: Request, deadline: float | None = Query(None, gt=0, le=DEADLINE_MAX),
                    caller: Caller = Depends(needs(ACT))) -> CommandResult:
        host = host_of(request)
        allowed = may(caller.actor, Action.START)
        if not allowed:
            raise Forbidden(f"start: {allowed.reason}", rule="role")
        body = await json_body(request)
        case_id = body.pop("case_id", None)  # a retry after a timeout names the id it was given
        if case_id is not None:  # (a taken id answers 409: ids are serials that name nobody, nothing leaks)
            check_case_id(case_id)
        body.pop("type", None)
        command = command_from("start", body, _meta(caller, body))
        reading.check_start(host, caller, command.lead)
        return await host.cases.start(command, case_id, deadline=_deadline(deadline))

    @routes.post("/cases/similar", response_model=models.Similar,
                 summary="Cases with this lead's company name or KvK number (before a start)")
    async def similar(request: Request, lead: Lead, caller: Caller = Depends(needs(READ))) -> models.Similar:
        host = host_of(request)
        allowed = may(caller.actor, Action.START)
        if not allowed:
            raise Forbidden(f"similar: {allowed.reason}", rule="role")
        found = await host.cases.similar(lead)
        mine = visible(host, caller, found)
        return models.Similar(cases=mine, elsewhere=len(found) - len(mine))

    @routes.get("/cases/{case_id}", response_model=models.CaseView, responses=AS_TEXT,
                summary="A case: state, timeline, reminders")
    async def show(request: Request, case_id: str,
                   caller: Caller = Depends(needs(READ))) -> models.CaseView | PlainTextResponse:
        host = host_of(request)
        state, decision = await readable(request, caller, case_id)
        if caller.organisation != access_of(state, host.organisations).owner:  # recorded before it is shown
            await host.record_access(caller.actor, AccessKind.READ_CASE, decision.reason, case_id=case_id)
        view = await host.cases.read(case_id)
        if wants_text(request):
            return PlainTextResponse(case_text(view))
        return models.CaseView.model_validate({
            "state": view.state, "timeline": [r.as_json(stored=True) for r in view.timeline],
            "reminders": [x.as_json() for x in view.reminders]})

    @routes.post("/cases/{case_id}/commands", response_model=CommandResult, responses=AS_TEXT,
                 summary="Send a coordinator command to a case (the command JSON without actor and organisation)",
                 openapi_extra={"requestBody": {"required": True, "content": {"application/json": {
                     "schema": schema.command_body()[0]}}}})
    async def act(request: Request, case_id: str, deadline: float | None = Query(None, gt=0, le=DEADLINE_MAX),
                  caller: Caller = Depends(needs(ACT))) -> CommandResult | PlainTextResponse:
        host = host_of(request)
        state, _ = await readable(request, caller, case_id)
        body = await json_body(request)
        kind = body.pop("type", None)
        if not isinstance(kind, str) or not kind:
            raise BadInput("type: which command (e.g. \"note\", \"change-phase\")", "type")
        if kind == "start":
            raise BadInput("type: a new case is started with POST /api/cases", "type")
        if kind in OPERATOR_TYPES:
            raise BadInput(f"type: {kind} is an operator's command (brandpunt on the operators' side), not the API's",
                           "type")
        action = Action.SHARE if kind in SHARING_TYPES else Action.ACT  # sharing is the owner's to decide
        allowed = may(caller.actor, action, access_of(state, host.organisations), host.clock())
        if not allowed:
            raise Forbidden(f"{kind} on {case_id}: {allowed.reason}", rule=action.value)
        command = command_from(kind, body, _meta(caller, body))
        result = await host.cases.act(case_id, command, deadline=_deadline(deadline))
        if wants_text(request):
            return PlainTextResponse("\n".join(result_lines(result, command.command_id)))
        return result

    @routes.get("/inbox", response_model=models.Inbox, summary="What is due or overdue on the cases you may read")
    async def inbox(request: Request, caller: Caller = Depends(needs(READ)),
                    within_days: int = Query(14, ge=0, le=WITHIN_MAX_DAYS), include_demo: bool = False) -> models.Inbox:
        host = host_of(request)
        states = await host.cases.list(CaseFilter(include_demo=include_demo))
        mine = {s.case_id for s in visible(host, caller, states)}
        found = await host.cases.inbox(timedelta(days=within_days), include_demo=include_demo)
        return models.Inbox.model_validate({"items": [x.as_json() for x in found if x.case_id in mine]})

    @routes.get("/overview", response_model=models.Overview, tags=["reports"],
                summary="The national pipeline without company identities (taskforce lead, auditor)")
    async def overview(request: Request, caller: Caller = Depends(needs(READ)),
                       include_demo: bool = False) -> models.Overview:
        host = host_of(request)
        allowed = may(caller.actor, Action.OVERVIEW)
        if not allowed:
            raise Forbidden(f"overview: {allowed.reason}", rule="role")
        states = await host.cases.list(CaseFilter(include_demo=include_demo))
        rows = sorted(
            (models.OverviewRow(stage=s.stage.value, outcome=s.outcome.value if s.outcome else None,
                                region=s.lead.home_region.value,
                                hotspot=s.lead.hotspot.value if s.lead.hotspot else None,
                                technology_domain=s.lead.technology_domain.value, phase=s.phase)
             for s in states),
            key=lambda r: (r.region, r.stage, r.hotspot or "", r.technology_domain, r.phase, r.outcome or ""),
        )
        return models.Overview(cases=rows, by_stage=dict(sorted(Counter(r.stage for r in rows).items())),
                               by_region=dict(sorted(Counter(r.region for r in rows).items())))

    @routes.get("/duplicates", response_model=models.Duplicates, tags=["reports"],
                summary="Possible duplicates across organisations: case ids and organisations, no company "
                        "(taskforce lead, auditor)")
    async def duplicates(request: Request, caller: Caller = Depends(needs(READ))) -> models.Duplicates:
        """"A company that talks to two ROMs is one lead": the taskforce lead is told which cases of
        which organisations share a KvK number or a name, to bring those ROMs together. The coordinator
        who starts the second case was only told that one exists elsewhere (``/cases/similar``)."""
        host = host_of(request)
        allowed = may(caller.actor, Action.OVERVIEW)
        if not allowed:
            raise Forbidden(f"duplicates: {allowed.reason}", rule="role")

        def named(owner: str) -> str:
            org = host.organisations.get(owner)
            return org.name if org else owner

        return models.Duplicates(duplicates=[
            models.DuplicateOut(matched_on=d.matched_on, cases=[
                models.DuplicateCase(case_id=c.case_id if case_ids.SERIAL.match(c.case_id) else None,
                                     organisation=c.owner, organisation_name=named(c.owner), open=c.open)
                for c in d.cases])
            for d in await host.cases.duplicates()])

    @routes.get("/reports/impact", response_model=models.ImpactReport, tags=["reports"],
                summary="The impact report for a period (JSON), as `brandpunt report impact --format json`")
    async def impact(request: Request, period: str = Query(..., max_length=20, description="e.g. 2026H1, 2026, "
                                                              "2026Q3, 2025-2028"),
                     include_demo: bool = False, caller: Caller = Depends(needs(READ))) -> JSONResponse:
        from domain.impact import Period, PeriodError
        from reports import compute

        host = host_of(request)
        allowed = may(caller.actor, Action.REPORT)
        if not allowed:
            raise Forbidden(f"report: {allowed.reason}", rule="role")
        try:
            parsed = Period.parse(period)
        except PeriodError as err:
            raise BadInput(f"period: {err}", "period") from None
        # the report quotes no case file, for anyone (an auditor reads the case itself): its only free
        # text is the taskforce's entries for the Ministry (domain.impact, issue 14)
        report = await host.run(lambda ledger: compute(ledger, parsed, include_demo=include_demo))
        return JSONResponse(report)

    return routes


def _openapi(app: FastAPI) -> Callable[[], dict[str, Any]]:
    """FastAPI's schema plus the command schemas the request bodies refer to."""
    def build() -> dict[str, Any]:
        if app.openapi_schema:
            return app.openapi_schema
        from fastapi.openapi.utils import get_openapi

        spec = get_openapi(title=app.title, version=app.version, description=app.description, routes=app.routes)
        components = spec.setdefault("components", {}).setdefault("schemas", {})
        for _, defs in (schema.command_body(), schema.start_body()):
            for name, value in defs.items():
                components.setdefault(name, value)
        app.openapi_schema = spec
        return spec

    return build


def create_app(settings: Settings, cases: Cases | None = None, *, ledger: Ledger | None = None,
               clock: Callable[[], datetime] | None = None, dev_login: bool = False) -> FastAPI:
    """The API over ``cases`` (default: ``LocalCases`` over ``ledger``, default the settings' ledger).

    ``dev_login`` adds the development sign-in, and is refused unless development mode is explicit
    (``settings.web.dev_login``: ``BRANDPUNT_DEV_LOGIN=1``, which ``brandpunt dev`` sets). Browser
    sign-in with OpenID Connect is on when ``BRANDPUNT_OIDC_ISSUER`` and ``_CLIENT_ID`` are set; it
    needs ``BRANDPUNT_SESSION_SECRET`` (the same on every API host, so sessions survive a load
    balancer). ``clock`` is the time access and expiry are judged at (tests move it).
    """
    from starlette.middleware.sessions import SessionMiddleware

    web = settings.web
    if dev_login and not web.dev_login:
        raise SettingsError("the development sign-in needs development mode (BRANDPUNT_DEV_LOGIN=1, which only "
                            "`brandpunt dev` sets)")
    host = Host(settings, cases, ledger, clock or utc_now)
    provider = None
    if web.oidc:
        from api.oidc import Provider

        host.oidc = provider = Provider(web, host.organisations, host.clock)
    secret = web.session_secret
    browser = host.oidc is not None or dev_login
    if browser and not secret:
        if not dev_login:
            raise SettingsError("BRANDPUNT_SESSION_SECRET is not set: browser sessions (OpenID Connect) are signed "
                                "with it, the same secret on every API host (32 characters or more, e.g. from "
                                "`python -c 'import secrets; print(secrets.token_urlsafe(32))'`)")
        secret = secrets.token_urlsafe(32)  # development: sessions end with the process
    if secret is not None and len(secret) < 32:
        raise SettingsError("BRANDPUNT_SESSION_SECRET: 32 characters or more")

    app = FastAPI(
        title="brandpunt",
        version="1",
        summary="Cases of the deeptech scale-up taskforce: start, act, read, list; for verified callers only.",
        description=__doc__,
    )
    app.state.host = host
    app.state.web_dev = dev_login
    problems.install(app)
    if browser and secret is not None:
        app.add_middleware(SessionMiddleware, secret_key=secret, session_cookie="brandpunt_session",
                           max_age=identity.SESSION_HOURS * 3600, same_site="lax", https_only=not dev_login)
    app.include_router(case_router())
    from api import codec as codec_server
    from api import pages, tokens

    app.include_router(tokens.router())
    app.include_router(admin.router())
    app.include_router(health.router())
    app.include_router(codec_server.router(settings.web.codec_origins))
    app.middleware("http")(codec_server.cors_middleware(settings.web.codec_origins))
    if browser:
        from api.web.common import in_the_readers_language

        app.middleware("http")(in_the_readers_language)
    app.include_router(pages.router(dev=dev_login, oidc=host.oidc is not None))
    if browser:  # the web app's pages live in browser sessions
        from api import web as web_app

        app.include_router(web_app.router(dev=dev_login))
    if provider is not None:
        from api import oidc

        app.include_router(oidc.router(provider))
    if dev_login:
        from api import devlogin

        app.include_router(devlogin.router())

    @app.get("/problems/{slug}", include_in_schema=False)
    async def problem_type(slug: str) -> JSONResponse:
        if slug not in problems.PROBLEMS:
            raise Problem("not-found", "no such problem type")
        status, title, text = problems.PROBLEMS[slug]
        return JSONResponse({"type": f"/problems/{slug}", "title": title, "status": status, "description": text})

    app.openapi = _openapi(app)  # type: ignore[method-assign]  # FastAPI's documented way to extend the schema
    return app
