"""Errors as RFC 9457 problem details (``application/problem+json``), in one place.

Every error the API answers is a JSON object with ``type`` (a URI naming the kind of problem, served
at ``/problems/<slug>``), ``title``, ``status`` and ``detail``, plus the extensions ``field`` (the
input at fault, as the client library's errors name it) and ``rule`` (the rule that refused), and
``case_id`` / ``command_id`` where they help. The client library's typed errors map to statuses
here, and ``client.http`` maps them back by ``type``:

| error (``client.errors``) | status | type slug |
| --- | --- | --- |
| ``BadInput`` with a field / without | 422 / 400 | ``invalid-input`` / ``bad-request`` |
| ``CaseNotFound`` (also: a case the caller may not know) | 404 | ``case-not-found`` |
| ``CaseExists``, ``CaseEnded``, ``CommandRefused`` | 409 | ``case-exists``, ``case-ended``, ``command-refused`` |
| ``Unauthenticated`` | 401 | ``unauthenticated`` |
| ``Forbidden`` | 403 | ``forbidden`` |
| ``Unreachable`` | 503 | ``unavailable`` |
| ``CommandTimeout`` | 504 | ``command-timeout`` |
| any other ``CaseError`` | 500 | ``case-error`` |

Details never echo the request's values (a company name in a refused body stays out of logs and
answers); they name the field and the rule.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException as StarletteHTTPException

from client.errors import (
    BadInput,
    CaseEnded,
    CaseError,
    CaseExists,
    CaseNotFound,
    CommandRefused,
    CommandTimeout,
    Forbidden,
    Unauthenticated,
    Unreachable,
)

MEDIA_TYPE = "application/problem+json"

PROBLEMS: dict[str, tuple[int, str, str]] = {
    "bad-request": (400, "Bad request", "The request cannot be understood; nothing was recorded."),
    "invalid-input": (422, "Invalid input", "A field of the request is not valid (``field`` names it); "
                      "nothing was recorded."),
    "unauthenticated": (401, "Not signed in", "No valid credentials: sign in (a browser), or send "
                        "``Authorization: Bearer`` with a personal access token (``brandpunt login``) or a "
                        "token of the identity provider. Expired, revoked and forged tokens are refused."),
    "forbidden": (403, "Not allowed", "You are signed in, but your organisation or roles do not allow this "
                  "(``rule`` says why); nothing was recorded."),
    "case-not-found": (404, "No such case", "There is no case under this id, or none you may see: a case "
                       "of another organisation that is not shared with yours is answered as if it did not "
                       "exist, so its existence is not disclosed."),
    "not-found": (404, "Not found", "No such resource."),
    "method-not-allowed": (405, "Method not allowed", "This resource does not accept the method."),
    "case-exists": (409, "The case exists", "A case with this id exists already; nothing was recorded."),
    "case-ended": (409, "The case has ended", "The case is closed and past its reopening period: read-only."),
    "command-refused": (409, "Command refused", "The case refused the command (``rule`` names the rule of "
                        "the stage machine, ``field`` the input); nothing was recorded."),
    "too-large": (413, "Request too large", "The body is larger than any command may be."),
    "unsupported-media-type": (415, "Unsupported media type", "Send ``application/json``."),
    "case-error": (500, "The case could not answer", "The system failed to answer; try again later."),
    "internal-error": (500, "Internal error", "The API host failed; its log has the details."),
    "unavailable": (503, "Unavailable", "Temporal (or the ledger) did not answer; nothing was recorded."),
    "command-timeout": (504, "No answer in time", "No answer within the deadline: the command may still take "
                        "effect. Send it again with the same ``command_id`` (it is never applied twice), or "
                        "read the case."),
}


class Problem(Exception):
    """A problem to answer: raise it anywhere in a request."""

    def __init__(self, slug: str, detail: str, *, field: str | None = None, rule: str | None = None,
                 headers: dict[str, str] | None = None, **extra: Any) -> None:
        super().__init__(detail)
        self.slug = slug
        self.status, self.title, _ = PROBLEMS[slug]
        self.detail = detail
        self.field = field
        self.rule = rule
        self.headers = headers
        self.extra = {k: v for k, v in extra.items() if v is not None}

    def body(self, instance: str | None = None) -> dict[str, Any]:
        out: dict[str, Any] = {"type": f"/problems/{self.slug}", "title": self.title, "status": self.status,
                               "detail": self.detail}
        if instance:
            out["instance"] = instance
        if self.field:
            out["field"] = self.field
        if self.rule:
            out["rule"] = self.rule
        return {**out, **self.extra}


def not_found(case_id: str) -> Problem:
    """The one answer for a case that does not exist *and* for one the caller may not know exists:
    the same status and the same words, so a caller cannot tell which (another ROM's NDA)."""
    return Problem("case-not-found", f"no case {case_id}, or none you may see", field="case_id", case_id=case_id)


def problem_of(err: CaseError) -> Problem:
    """The problem for one of the client library's errors."""
    message = str(err)
    if isinstance(err, CaseNotFound):
        return not_found(err.case_id)
    if isinstance(err, CaseExists):
        return Problem("case-exists", f"case {err.case_id} exists already", field="case_id", case_id=err.case_id)
    if isinstance(err, CaseEnded):
        return Problem("case-ended", message, case_id=err.case_id)
    said = err.said.as_json() if isinstance(err, BadInput) and err.said else {}
    if isinstance(err, CommandRefused):
        return Problem("command-refused", message, field=err.field, rule=err.rule, case_id=err.case_id, **said)
    if isinstance(err, Unauthenticated):
        return Problem("unauthenticated", message, field=err.field, headers={"WWW-Authenticate": "Bearer"})
    if isinstance(err, Forbidden):
        return Problem("forbidden", message, field=err.field, rule=err.rule)
    if isinstance(err, BadInput):
        return Problem("invalid-input" if err.field else "bad-request", message, field=err.field, **said)
    if isinstance(err, CommandTimeout):
        return Problem("command-timeout", f"{err.case_id}: no answer within the deadline; the command may still "
                       f"take effect. Send it again with command_id {err.command_id} (never applied twice).",
                       case_id=err.case_id, command_id=err.command_id)
    if isinstance(err, Unreachable):
        return Problem("unavailable", "the API host cannot reach Temporal or the ledger now; nothing was recorded")
    return Problem("case-error", message)


def respond(problem: Problem, request: Request | None = None) -> JSONResponse:
    instance = request.url.path if request is not None else None
    return JSONResponse(problem.body(instance), status_code=problem.status, media_type=MEDIA_TYPE,
                        headers=problem.headers)


def _field(loc: Sequence[Any]) -> str:
    """A validation error's location as a field name: ``('query', 'within_days')`` -> ``within_days``."""
    parts = [str(p) for p in loc if p not in ("body", "query", "path", "header", "cookie")]
    return ".".join(parts) or "body"


def install(app: FastAPI) -> None:
    """Answer every error of ``app`` as problem details."""
    log = logging.getLogger("brandpunt.api")

    async def on_problem(request: Request, exc: Exception) -> JSONResponse:
        assert isinstance(exc, Problem)
        return respond(exc, request)

    async def on_case_error(request: Request, exc: Exception) -> JSONResponse:
        assert isinstance(exc, CaseError)
        return respond(problem_of(exc), request)

    async def on_validation(request: Request, exc: Exception) -> JSONResponse:
        assert isinstance(exc, RequestValidationError)
        errors = exc.errors()
        first = errors[0] if errors else {"loc": (), "msg": "invalid"}
        field = _field(first.get("loc", ()))
        detail = "; ".join(f"{_field(e.get('loc', ()))}: {e.get('msg', 'invalid')}" for e in errors[:5])
        return respond(Problem("invalid-input", detail, field=field), request)

    async def on_http(request: Request, exc: Exception) -> JSONResponse:
        assert isinstance(exc, StarletteHTTPException)
        slug = {404: "not-found", 405: "method-not-allowed", 413: "too-large", 415: "unsupported-media-type",
                401: "unauthenticated", 403: "forbidden"}.get(exc.status_code, "bad-request")
        return respond(Problem(slug, str(exc.detail), headers=dict(exc.headers or {}) or None), request)

    async def on_anything(request: Request, exc: Exception) -> JSONResponse:
        from settings import redact

        log.error("api request failed: %s %s: %s", request.method, request.url.path,
                  redact(f"{type(exc).__name__}: {exc}"))
        return respond(Problem("internal-error", "the API host failed; its log has the details"), request)

    app.add_exception_handler(Problem, on_problem)
    app.add_exception_handler(CaseError, on_case_error)
    app.add_exception_handler(RequestValidationError, on_validation)
    app.add_exception_handler(StarletteHTTPException, on_http)
    app.add_exception_handler(Exception, on_anything)
