"""``/healthz`` and ``/readyz`` of the API host, for the load balancer and Kubernetes' probes.

Neither needs a sign-in nor says anything of a case: ``/healthz`` answers while the process serves
requests; ``/readyz`` while it can also reach what it acts through, the ledger database (a count of
the cases, not their content) and Temporal (its health check). A replica that cannot is taken out of
the load balancer until it can, and the others serve meanwhile.
"""

from __future__ import annotations

import asyncio

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse

from api.host import Host

READY_TIMEOUT = 3.0
"""Seconds each dependency has to answer ``/readyz`` (a probe must not hang)."""


def router() -> APIRouter:
    routes = APIRouter(include_in_schema=False)

    @routes.get("/healthz")
    async def healthz() -> dict[str, str]:
        return {"status": "ok"}

    @routes.get("/readyz")
    async def readyz(request: Request) -> JSONResponse:
        host: Host = request.app.state.host
        checks: dict[str, str] = {}
        try:
            await asyncio.wait_for(host.run(lambda ledger: ledger.count_events(case_prefix="BP-0000-")), READY_TIMEOUT)
            checks["ledger"] = "ok"
        except Exception as err:  # noqa: BLE001 - a probe says what failed, never why in detail (no URLs)
            checks["ledger"] = type(err).__name__
        try:
            await asyncio.wait_for(host.temporal_ready(), READY_TIMEOUT)
            checks["temporal"] = "ok"
        except Exception as err:  # noqa: BLE001 - likewise
            checks["temporal"] = type(err).__name__
        ready = all(v == "ok" for v in checks.values())
        return JSONResponse({"status": "ready" if ready else "not ready", **checks}, status_code=200 if ready else 503)

    return routes
