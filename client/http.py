"""The client library over the HTTP API: :class:`HttpCases`, the same :class:`client.api.Cases` as
``LocalCases``, for people who reach brandpunt through its API host (the CLI when
``BRANDPUNT_API_URL`` is set).

Every request carries a personal access token (``brandpunt login`` keeps one in
``$BRANDPUNT_HOME/api-login.json``, 0600, for the URL it was made for; scripts may set
``BRANDPUNT_API_TOKEN``). The API fills in each command's actor and organisation from the verified
identity, so a command naming someone else is refused here before it travels. Problem details
(RFC 9457) come back as the same typed errors ``LocalCases`` raises (``client.errors``), so a
caller cannot tell the transports apart by their failures.

Light on purpose: no Temporal SDK, no SQLAlchemy (a test checks), so the CLI starts fast; and
:meth:`HttpCases.read_text` and :meth:`HttpCases.act_text` load not even the pydantic domain
(the API renders the text, ``client.text``).
"""

from __future__ import annotations

import builtins  # `list` is also a method name in HttpCases: builtins.list in the methods after it
import json
import os
from dataclasses import asdict, dataclass, field
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Any

import httpx

from client.errors import (
    DEADLINE,
    BadInput,
    CaseEnded,
    CaseError,
    CaseExists,
    CaseNotFound,
    CommandRefused,
    CommandTimeout,
    Forbidden,
    Said,
    Unauthenticated,
    Unreachable,
)
from client.views import check_case_id, new_command_id

if TYPE_CHECKING:  # the typed methods import these when called: the text path never loads pydantic's domain
    from client.api import CaseFilter, CaseView
    from client.inbox import InboxItem
    from domain.commands import Command, DetectLead
    from domain.duplicates import Duplicate
    from domain.models import Lead
    from domain.state import CaseState
    from ledger.rows import LedgerRow
    from settings import Settings
    from workflows.case_io import CaseConfig, CommandResult

SIGNED_IN = "(signed-in)"
"""A command's actor that means "whoever the API verifies" (the CLI's default through the API)."""
LOGIN_FILE = "api-login.json"
TEXT_PLAIN = "text/plain"
"""What the CLI asks the API for when it prints a case or a command's result (``client.text.TEXT``)."""
PRE_SERIAL = "(an id from before serial ids: ask its organisation)"
"""How a case the API lists without its id is shown (its old id may name the company)."""
CONNECT_TIMEOUT = 10.0
READ_TIMEOUT = 60.0
DEADLINE_MAX = 300.0
"""The longest the API waits for a command's answer; a longer deadline is asked as this."""


@dataclass(frozen=True)
class Login:
    """Who the CLI is signed in as, at which API, with which token (the token is never printed)."""

    url: str
    token: str = field(repr=False)
    subject: str
    organisation: str
    roles: tuple[str, ...] = ()
    scopes: tuple[str, ...] = ()
    token_id: str | None = None
    expires_at: str | None = None

    def public(self) -> dict[str, Any]:
        """Everything but the token."""
        return {k: v for k, v in asdict(self).items() if k != "token"}


def login_path(home: Path) -> Path:
    return home / LOGIN_FILE


def load_login(home: Path, url: str) -> Login | None:
    """The stored login for ``url`` (None when there is none, or it is for another API: a token is
    only ever sent to the API that made it)."""
    try:
        data = json.loads(login_path(home).read_text(encoding="utf-8"))
        login = Login(**{**data, "roles": tuple(data.get("roles", ())), "scopes": tuple(data.get("scopes", ()))})
    except (OSError, ValueError, TypeError):
        return None
    return login if login.url.rstrip("/") == url.rstrip("/") else None


def save_login(home: Path, login: Login) -> Path:
    """Keep ``login`` in ``$BRANDPUNT_HOME`` (the directory 0700, the file 0600 from the start)."""
    home.mkdir(mode=0o700, parents=True, exist_ok=True)
    path = login_path(home)
    tmp = path.with_name(f".{LOGIN_FILE}.{os.getpid()}")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w", encoding="utf-8") as fh:
        json.dump(asdict(login), fh, indent=2)
    os.chmod(tmp, 0o600)
    os.replace(tmp, path)
    return path


def signed_in(settings: Settings) -> str | None:
    """The subject the CLI is signed in as at ``BRANDPUNT_API_URL`` (None without the API or a login)."""
    url = settings.web.api_url
    if not url:
        return None
    login = load_login(settings.home, url)
    return login.subject if login else None


def _transport_error(url: str, err: httpx.HTTPError) -> Unreachable:
    return Unreachable(f"cannot reach the API at {url} ({type(err).__name__}); is `brandpunt dev` or "
                       "`brandpunt web` running there, and is BRANDPUNT_API_URL right?")


def error_of(response: httpx.Response, url: str, deadline: float = DEADLINE) -> CaseError:
    """The typed error for an API's problem details (by their ``type``; by the status otherwise)."""
    try:
        problem = response.json()
    except ValueError:
        problem = {}
    if not isinstance(problem, dict):
        problem = {}
    slug = str(problem.get("type", "")).rsplit("/", 1)[-1]
    detail = str(problem.get("detail") or f"the API at {url} answered {response.status_code}")
    field = problem.get("field") if isinstance(problem.get("field"), str) else None
    rule = str(problem.get("rule") or "refused")
    case_id = str(problem.get("case_id") or "?")
    if slug == "case-not-found":
        return CaseNotFound(case_id)
    if slug == "case-exists":
        return CaseExists(case_id)
    if slug == "case-ended":
        return CaseEnded(case_id)
    if slug == "command-refused":
        return CommandRefused(case_id, rule, detail.removeprefix(f"refused for {case_id}: "), field, Said.parse(problem))
    if slug == "unauthenticated" or response.status_code == 401:
        return Unauthenticated(f"{detail} (sign in again: `brandpunt login --url {url}`)", field)
    if slug == "forbidden" or response.status_code == 403:
        return Forbidden(detail, field, rule=rule)
    if slug == "command-timeout":
        return CommandTimeout(case_id, str(problem.get("command_id") or "?"), deadline)
    if slug == "unavailable" or response.status_code in (502, 503, 504):
        return Unreachable(f"the API at {url}: {detail}")
    if 400 <= response.status_code < 500:
        return BadInput(detail, field, Said.parse(problem))
    return CaseError(f"the API at {url} failed: {detail}")


def _me(data: dict[str, Any], url: str, token: str) -> Login:
    return Login(url=url, token=token, subject=data["subject"], organisation=data["organisation"],
                 roles=tuple(data.get("roles", ())), scopes=tuple(data.get("scopes", ())),
                 token_id=data.get("token_id"), expires_at=data.get("expires_at"))


async def sign_in(home: Path, url: str, token: str, transport: httpx.AsyncBaseTransport | None = None) -> Login:
    """Check ``token`` with the API at ``url`` (``GET /api/me``) and keep it for the CLI."""
    async with HttpCases(url, token, transport=transport) as api:
        me = await api.get("/api/me")
        expiry = None
        if me.get("token_id"):
            mine = {t["id"]: t for t in await api.get("/api/tokens")}
            expiry = mine.get(me["token_id"], {}).get("expires_at")
    login = _me({**me, "expires_at": expiry}, url, token)
    save_login(home, login)
    return login


async def dev_token(url: str, user: str, transport: httpx.AsyncBaseTransport | None = None) -> str:
    """``brandpunt login --dev-user``: sign in to ``brandpunt dev``'s development sign-in as ``user``
    and make a token, as a browser would (the API refuses this outside development mode)."""
    try:
        async with httpx.AsyncClient(base_url=url, transport=transport, timeout=CONNECT_TIMEOUT) as http:
            signed = await http.post("/auth/dev", data={"user": user})
            if signed.status_code == 404:
                raise BadInput(f"--dev-user: {url} has no development sign-in (only `brandpunt dev` has one)",
                               "dev_user")
            if signed.status_code != 303:
                raise error_of(signed, url)
            me = await http.get("/api/me")
            if me.status_code != 200:
                raise error_of(me, url)
            made = await http.post("/api/tokens", json={"name": f"brandpunt login --dev-user {user}"},
                                   headers={"X-CSRF-Token": me.json()["csrf_token"]})
            if made.status_code != 201:
                raise error_of(made, url)
            token: str = made.json()["token"]
            return token
    except httpx.HTTPError as err:
        raise _transport_error(url, err) from None


def _row(case_id: str, data: dict[str, Any]) -> LedgerRow:
    """A timeline row of the API (``LedgerRow.as_json(stored=True)``) as the ledger's row type.
    The database's own row id and seal are not in it (storage, checked by ``audit verify``)."""
    from ledger.rows import LedgerRow

    return LedgerRow(
        id=0, case_id=case_id, seq=data["seq"], event_id=data["event_id"], type=data["type"],
        at=datetime.fromisoformat(data["at"]), actor=data["actor"], organisation=data.get("organisation"),
        payload=data["payload"], prev_hash=data["prev_hash"], hash=data["hash"],
        recorded_at=datetime.fromisoformat(data["recorded_at"]), seal=None, recorded_at_text=data["recorded_at"],
        opened=data.get("opened"), erased=tuple(data.get("erased") or ()),
    )


def _item(data: dict[str, Any]) -> InboxItem:
    from client.inbox import InboxItem

    return InboxItem(
        case_id=data["case_id"], company=data["company"], stage=data["stage"], key=data["key"], rule=data["rule"],
        due_at=datetime.fromisoformat(data["due_at"]),
        deadline=date.fromisoformat(data["deadline"]) if data.get("deadline") else None,
        escalation=data["escalation"], recipient=data["recipient"], subject=data["subject"], sent=data["sent"],
        delivery_failed=data["delivery_failed"], label=data["label"],
    )


class HttpCases:
    """:class:`client.api.Cases` over the HTTP API at ``url``, as the holder of ``token``."""

    def __init__(self, url: str, token: str | None, *, subject: str | None = None,
                 organisation: str | None = None, transport: httpx.AsyncBaseTransport | None = None) -> None:
        self.url = url.rstrip("/")
        self._token = token
        self._identity = (subject, organisation) if subject else None
        self._transport = transport
        self._http: httpx.AsyncClient | None = None
        self.elsewhere = 0
        """After :meth:`similar`: how many more cases have the name or KvK number in organisations
        this user may not read (the API names neither them nor their organisations)."""

    @classmethod
    def from_settings(cls, settings: Settings) -> HttpCases:
        """Over ``BRANDPUNT_API_URL`` with ``BRANDPUNT_API_TOKEN``, else the token ``brandpunt login`` kept."""
        url = settings.web.api_url
        if not url:
            raise BadInput("BRANDPUNT_API_URL is not set", "api_url")
        if settings.web.api_token:
            return cls(url, settings.web.api_token)
        login = load_login(settings.home, url)
        if login is None:
            raise Unauthenticated(f"not signed in to {url}: run `brandpunt login --url {url}` "
                                  "(or set BRANDPUNT_API_TOKEN)")
        return cls(url, login.token, subject=login.subject, organisation=login.organisation)

    # --- the transport ---------------------------------------------------------------------------

    def _client(self) -> httpx.AsyncClient:
        if self._http is None:
            if not self._token:
                raise Unauthenticated(f"no token for {self.url}: run `brandpunt login --url {self.url}`")
            self._http = httpx.AsyncClient(
                base_url=self.url, transport=self._transport, follow_redirects=False,
                headers={"Authorization": f"Bearer {self._token}", "Accept": "application/json"},
                timeout=httpx.Timeout(READ_TIMEOUT, connect=CONNECT_TIMEOUT),
            )
        return self._http

    async def _send(self, method: str, path: str, *, json_body: Any = None, params: dict[str, Any] | None = None,
                    timeout: float | None = None, case_id: str | None = None, command_id: str | None = None,
                    deadline: float = DEADLINE, text: bool = False) -> Any:
        """The answer's JSON, or with ``text`` the API's text for people (``client.text``); an error
        answer (problem details) as its ``client.errors`` type."""
        http = self._client()
        extra: dict[str, Any] = {}
        if timeout is not None:
            extra["timeout"] = httpx.Timeout(timeout, connect=CONNECT_TIMEOUT)
        if text:
            extra["headers"] = {"Accept": f"{TEXT_PLAIN}, application/problem+json"}
        try:
            response = await http.request(method, path, json=json_body, params=params, **extra)
        except httpx.TimeoutException as err:
            if case_id is not None and command_id is not None and not isinstance(err, httpx.ConnectTimeout):
                raise CommandTimeout(case_id, command_id, deadline) from None
            raise _transport_error(self.url, err) from None
        except httpx.HTTPError as err:
            raise _transport_error(self.url, err) from None
        if response.status_code >= 300:
            raise error_of(response, self.url, deadline)
        if text:
            return response.text
        try:
            return response.json()
        except ValueError:
            raise CaseError(f"the API at {self.url} answered {response.status_code} without JSON") from None

    async def get(self, path: str, **params: Any) -> Any:
        """``GET path`` of the API (JSON), for what the interface does not name (``/api/me``, ...)."""
        return await self._send("GET", path, params={k: v for k, v in params.items() if v is not None} or None)

    async def post(self, path: str, body: dict[str, Any]) -> Any:
        """``POST path`` of the API with a JSON body, for what the interface does not name (``/api/admin/...``)."""
        return await self._send("POST", path, json_body=body)

    async def aclose(self) -> None:
        if self._http is not None:
            await self._http.aclose()
            self._http = None

    async def __aenter__(self) -> HttpCases:
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.aclose()

    # --- acting ------------------------------------------------------------------------------------

    async def _who(self) -> tuple[str, str | None]:
        if self._identity is None:
            me = await self.get("/api/me")
            self._identity = (me["subject"], me["organisation"])
        return self._identity

    async def _check_identity(self, actor: str, organisation: str | None) -> None:
        """A command that names an actor (other than :data:`SIGNED_IN`) or an organisation must name the
        signed-in identity's (the API records that identity): refused here otherwise, before it travels."""
        if actor != SIGNED_IN or organisation is not None:
            subject, signed_org = await self._who()
            if actor not in (subject, SIGNED_IN):
                raise BadInput(f"actor: the API records who is signed in ({subject}) as the actor; leave --actor "
                               "out", "actor")
            if organisation not in (None, signed_org):
                raise BadInput(f"organisation: the API records your organisation ({signed_org}); leave "
                               "--organisation out", "organisation")

    async def _body(self, command: Command) -> dict[str, Any]:
        """The command as the API takes it: without actor and organisation (the API records the signed-in
        identity)."""
        await self._check_identity(command.actor, command.organisation)
        return command.model_dump(mode="json", exclude={"actor", "organisation"}, exclude_none=True)

    async def start(
        self, command: DetectLead, case_id: str | None = None, *, config: CaseConfig | None = None,
        deadline: float = DEADLINE,
    ) -> CommandResult:
        from client.api import with_command_id
        from workflows.case_io import CommandResult

        if config is not None:
            raise BadInput("config: a case's settings are the deployment's; the API takes none", "config")
        command = with_command_id(command)
        body = await self._body(command)
        if case_id is not None:
            body["case_id"] = check_case_id(case_id)
        wait = min(deadline, DEADLINE_MAX)
        data = await self._send("POST", "/api/cases", json_body=body, params={"deadline": wait}, timeout=wait + 10,
                                case_id=case_id or "(a new case)", command_id=command.command_id, deadline=wait)
        return CommandResult.model_validate(data)

    async def act(self, case_id: str, command: Command, *, deadline: float = DEADLINE) -> CommandResult:
        from client.api import with_command_id
        from workflows.case_io import CommandResult

        check_case_id(case_id)
        command = with_command_id(command)
        body = await self._body(command)
        wait = min(deadline, DEADLINE_MAX)
        data = await self._send("POST", f"/api/cases/{case_id}/commands", json_body=body, params={"deadline": wait},
                                timeout=wait + 10, case_id=case_id, command_id=command.command_id, deadline=wait)
        return CommandResult.model_validate(data)

    async def act_text(self, case_id: str, kind: str, body: dict[str, Any], meta: dict[str, Any], *,
                       deadline: float = DEADLINE) -> str:
        """:meth:`act` on the command ``kind`` made of ``body`` and ``meta`` (as ``client.api.command_from``
        takes them), answered with the text for people (``client.text.result_lines``). The API checks
        the command with the workflow's own parser and names a bad field, so nothing is parsed here."""
        check_case_id(case_id)
        await self._check_identity(str(meta.get("actor") or SIGNED_IN), meta.get("organisation"))
        command_id = meta.get("command_id") or new_command_id(kind)
        sent = {**body, "type": kind, "command_id": command_id,
                **({"reason": meta["reason"]} if meta.get("reason") is not None else {})}
        wait = min(deadline, DEADLINE_MAX)
        answer: str = await self._send(
            "POST", f"/api/cases/{case_id}/commands", json_body=sent, params={"deadline": wait}, timeout=wait + 10,
            case_id=case_id, command_id=command_id, deadline=wait, text=True)
        return answer

    async def resume(self, case_id: str) -> CaseState:
        raise BadInput("resume is for operators: run it where Temporal is reachable, without BRANDPUNT_API_URL")

    # --- reading -----------------------------------------------------------------------------------

    async def read(self, case_id: str) -> CaseView:
        from client.api import CaseView
        from domain.state import CaseState

        check_case_id(case_id)
        data = await self._send("GET", f"/api/cases/{case_id}")
        return CaseView(state=CaseState.model_validate(data["state"]),
                        timeline=[_row(case_id, r) for r in data["timeline"]],
                        reminders=[_item(x) for x in data.get("reminders", [])])

    async def read_text(self, case_id: str) -> str:
        """:meth:`read` as the text for people (``client.text.case_text``), rendered by the API."""
        check_case_id(case_id)
        answer: str = await self._send("GET", f"/api/cases/{case_id}", text=True)
        return answer

    async def list(self, where: CaseFilter | None = None) -> builtins.list[CaseState]:
        from client.api import CaseFilter
        from domain.state import CaseState

        where = (where or CaseFilter()).checked()
        params = {"stage": where.stage, "region": where.region, "company": where.company,
                  "coordinator": where.coordinator, "include_demo": str(where.include_demo).lower()}
        data = await self.get("/api/cases", **params)
        return [CaseState.model_validate(s) for s in data["cases"]]

    async def similar(self, lead: Lead) -> builtins.list[CaseState]:
        from domain.state import CaseState

        data = await self._send("POST", "/api/cases/similar", json_body=lead.model_dump(mode="json"))
        self.elsewhere = int(data.get("elsewhere", 0))
        return [CaseState.model_validate(s) for s in data["cases"]]

    async def duplicates(self) -> builtins.list[Duplicate]:
        from domain.duplicates import CaseRef, Duplicate

        data = await self.get("/api/duplicates")
        return [Duplicate(d["matched_on"], tuple(CaseRef(c["case_id"] or PRE_SERIAL, c["organisation"], c["open"])
                                                 for c in d["cases"]))
                for d in data["duplicates"]]

    async def inbox(self, within: timedelta, include_demo: bool = False) -> builtins.list[InboxItem]:
        data = await self.get("/api/inbox", within_days=within.days, include_demo=str(include_demo).lower())
        return [_item(x) for x in data["items"]]
