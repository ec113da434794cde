"""The codec server for the Temporal Web UI and the ``temporal`` CLI (``--codec-endpoint``).

``POST /api/codec/decode`` and ``/encode`` take and give ``{"payloads": [{"metadata": {...}, "data":
...}]}`` (base64), as Temporal's codec-server protocol says. They answer only who signs in to the API
(a bearer token, or the browser session the UI sends with its "include credentials" setting), and
decode a payload only for a caller who may read the case it names (``keys.codec``: the case id is in
the payload's metadata and bound into its ciphertext): every other payload comes back as it was,
encrypted, so the UI shows a coordinator their own cases and nobody anything else. Opening a case's
payloads from outside its owner is recorded in the access log, as opening its page is. CORS admits
the origins of ``BRANDPUNT_CODEC_ORIGINS`` (``brandpunt dev``: its own Temporal UI), with credentials.
"""

from __future__ import annotations

import base64
import binascii
import json
from collections.abc import Awaitable, Callable
from functools import partial
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse, Response
from temporalio.api.common.v1 import Payload

from api.host import Host
from api.identity import READ, Caller, identify
from client.access import access_of
from client.errors import BadInput, Forbidden
from domain.access import Action, Role, may
from keys import codec

PAYLOADS_MAX = 1000
BODY_MAX = 8 * 1024 * 1024


def _payloads(body: Any) -> list[Payload]:
    try:
        items = body["payloads"]
        if not isinstance(items, list) or len(items) > PAYLOADS_MAX:
            raise BadInput(f"payloads: a list of at most {PAYLOADS_MAX}", "payloads")
        return [Payload(metadata={k: base64.b64decode(v) for k, v in (p.get("metadata") or {}).items()},
                        data=base64.b64decode(p.get("data") or "")) for p in items]
    except (KeyError, TypeError, AttributeError, binascii.Error, ValueError) as err:
        if isinstance(err, BadInput):
            raise
        raise BadInput("payloads: {\"payloads\": [{\"metadata\": {...}, \"data\": \"<base64>\"}]}", "payloads") from None


def _json(payloads: list[Payload]) -> dict[str, Any]:
    return {"payloads": [{"metadata": {k: base64.b64encode(v).decode() for k, v in p.metadata.items()},
                          "data": base64.b64encode(p.data).decode()} for p in payloads]}


def _cors(origins: frozenset[str], request: Request, response: Response) -> Response:
    origin = request.headers.get("origin")
    if origin and origin in origins:
        response.headers.update({
            "Access-Control-Allow-Origin": origin, "Access-Control-Allow-Credentials": "true",
            "Access-Control-Allow-Methods": "POST, OPTIONS",
            "Access-Control-Allow-Headers": "authorization, content-type, x-namespace",
            "Vary": "Origin"})
    return response


def cors_middleware(origins: frozenset[str]) -> Callable[[Request, Any], Awaitable[Response]]:
    """CORS for every answer of the codec server, refusals too: the UI then shows a refusal
    (401: not signed in) rather than "Codec Server could not connect"."""

    async def middleware(request: Request, call_next: Any) -> Response:
        response: Response = await call_next(request)
        if request.url.path.startswith("/api/codec/"):
            _cors(origins, request, response)
        return response

    return middleware


def router(origins: frozenset[str]) -> APIRouter:
    routes = APIRouter(prefix="/api/codec", include_in_schema=False)

    async def body(request: Request) -> list[Payload]:
        raw = await request.body()
        if len(raw) > BODY_MAX:
            raise BadInput(f"the body is larger than {BODY_MAX} bytes")
        try:
            return _payloads(json.loads(raw or b"{}"))
        except json.JSONDecodeError:
            raise BadInput("payloads: the body is not JSON", "payloads") from None

    async def caller_of(request: Request) -> Caller:
        caller = await identify(request)
        if READ not in caller.scopes:
            raise Forbidden("this token cannot read", rule="token-scope")
        return caller

    @routes.options("/{op}")
    async def preflight(request: Request, op: str) -> Response:
        return Response(status_code=204)  # cors_middleware adds the headers

    @routes.post("/decode")
    async def decode(request: Request) -> Response:
        """Each payload decrypted if the caller may read its case; else as it came."""
        from domain.access_log import AccessKind

        caller = await caller_of(request)
        host: Host = request.app.state.host
        payloads = await body(request)
        cipher = codec.PayloadCipher(_keys(host))
        decided: dict[str, bool] = {}
        out = []
        for p in payloads:
            case_id = codec.case_of(p)
            if case_id is not None and case_id not in decided:
                state = await host.run(partial(_state, case_id=case_id))
                if state is None:  # a report's or another workflow's: the auditors'
                    decided[case_id] = Role.AUDITOR in caller.actor.roles
                else:
                    access = access_of(state, host.organisations)
                    allowed = may(caller.actor, Action.READ, access, host.clock())
                    decided[case_id] = bool(allowed)
                    if allowed and caller.organisation != access.owner:
                        await host.record_access(caller.actor, AccessKind.READ_CASE,
                                                 f"{allowed.reason} (Temporal payloads)", case_id=case_id)
            if case_id is None and p.metadata.get("encoding") == codec.ENCODING:
                decided.setdefault("", Role.AUDITOR in caller.actor.roles)
                case_id = ""
            try:
                out.append(cipher.open(p) if case_id is None or decided[case_id] else p)
            except codec.CodecError:
                out.append(p)  # not this deployment's key, or altered: shown as it is
        return JSONResponse(_json(out))

    @routes.post("/encode")
    async def encode(request: Request) -> Response:
        """Payloads encrypted with the active key (for what a coordinator sends from the UI)."""
        caller = await caller_of(request)
        if Role.COORDINATOR not in caller.actor.roles:
            raise Forbidden("encode: only coordinators send anything to cases", rule="role")
        host: Host = request.app.state.host
        return JSONResponse(_json(await codec.PayloadCipher(_keys(host)).encode(await body(request))))

    return routes


def _state(ledger: Any, case_id: str) -> Any:
    return ledger.case_state(case_id)


def _keys(host: Host) -> codec.PayloadKeys:
    found = codec.load(host.settings.keys_dir)
    if found is None:
        raise BadInput("this API host has no payload key: payloads are not encrypted (brandpunt keys init)")
    return found
