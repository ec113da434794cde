"""The API for tests: the ASGI app over a real ledger (and, for acting, a real dev server and a
worker), reached in-process with httpx's ASGI transport, and callers with personal access tokens
minted the way ``POST /api/tokens`` mints them."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import httpx

import settings
from api.app import create_app
from api.credentials import digest, new_secret
from domain.access import Actor, Role
from ledger.store import Ledger
from ledger.tokens import StoredToken

BASE = "http://testserver"

COORDINATOR = frozenset({Role.COORDINATOR})
BOM_COORDINATOR = Actor("anna.bom", "bom", COORDINATOR)
OOST_COORDINATOR = Actor("otto.oost", "oost-nl", COORDINATOR)
AUDITOR = Actor("astrid.audit", "audit-office", frozenset({Role.AUDITOR}))
MONITOR = Actor("mark.ez", "ez", frozenset({Role.MONITOR}))
TASKFORCE_LEAD = Actor("lotte.lead", "innovationquarter", frozenset({Role.TASKFORCE_LEAD}))
ADMIN = Actor("ad.min", "bom", frozenset({Role.ADMIN}))


class Clock:
    """The API's clock, moved by hand (token expiry without waiting)."""

    def __init__(self) -> None:
        self.now = datetime.now(UTC)

    def __call__(self) -> datetime:
        return self.now


def settings_for(home: Path, ledger_url: str, **env: str) -> settings.Settings:
    return settings.load({"BRANDPUNT_HOME": str(home), "BRANDPUNT_LEDGER_URL": ledger_url, **env})


def mint(ledger: Ledger, actor: Actor, scopes: tuple[str, ...] = ("read", "act"), *, days: int = 30,
         now: datetime | None = None) -> str:
    """A personal access token of ``actor``, stored as the API stores one (its hash)."""
    at = now or datetime.now(UTC)
    secret = new_secret()
    ledger.tokens.add(
        StoredToken(token_id=uuid.uuid4().hex[:16], subject=actor.subject, organisation=actor.organisation,
                    roles=tuple(sorted(r.value for r in actor.roles)), scopes=scopes, name="test", created_at=at,
                    expires_at=at + timedelta(days=days)),
        digest(secret),
    )
    return secret


def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


@dataclass
class Api:
    app: Any
    ledger: Ledger
    http: httpx.AsyncClient
    clock: Clock
    tokens: dict[str, str] = field(default_factory=dict)
    case_ids: dict[str, str] = field(default_factory=dict)
    """Cases a test module started, by a name of its own."""
    cases: Any = None
    """The client library the host acts through (``LocalCases``), when there is a worker."""
    queue: str = ""
    client: Any = None
    """The Temporal client of the worker's server, when there is one."""

    def as_(self, actor: Actor, scopes: tuple[str, ...] = ("read", "act")) -> dict[str, str]:
        """Headers that authenticate as ``actor`` (one token per actor and scopes, minted once)."""
        key = f"{actor.subject}/{actor.organisation}/{'+'.join(sorted(r.value for r in actor.roles))}/{scopes}"
        if key not in self.tokens:
            self.tokens[key] = mint(self.ledger, actor, scopes, now=self.clock())
        return bearer(self.tokens[key])


@asynccontextmanager
async def api(config: settings.Settings, ledger: Ledger, cases: Any = None, base_url: str = BASE,
              **options: Any) -> AsyncIterator[Api]:
    clock = Clock()
    app = create_app(config, cases, ledger=ledger, clock=clock, **options)
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url=base_url) as http:
        yield Api(app=app, ledger=ledger, http=http, clock=clock)
    await app.state.host.aclose()


@asynccontextmanager
async def api_with_worker(client: Any, home: Path, prefix: str, **options: Any) -> AsyncIterator[Api]:
    """The API over a fresh ledger (``BRANDPUNT_TEST_LEDGER``'s database) with a worker on its own task
    queue of ``client``'s server: commands through the API reach real workflows."""
    from client.local import LocalCases
    from tests.db_fixtures import backend_ledger_url
    from tests.temporal_env import SESSION_SIGNER
    from worker import build_worker

    with backend_ledger_url(home) as url:
        ledger = Ledger.open(url, upgrade=True)
        ledger.seed_hotspots()
        queue = f"{prefix}-{uuid.uuid4().hex[:8]}"
        config = settings_for(home, url, BRANDPUNT_TASK_QUEUE=queue,
                              **({"BRANDPUNT_DEV_LOGIN": "1"} if options.get("dev_login") else {}))
        cases = LocalCases(config, client=client, ledger=ledger, via="api")
        async with build_worker(client, ledger, queue, signer=SESSION_SIGNER), \
                api(config, ledger, cases, **options) as a:
            a.cases, a.queue, a.client = cases, queue, client
            yield a
        ledger.dispose()
