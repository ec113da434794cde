"""structlog for every process: JSON in production, readable in development.

Every line carries the case id, workflow id, run id, activity and trace id when they exist.
Temporal's own ``workflow.logger`` (replay-safe: it stays silent while a workflow replays) and
``activity.logger`` put their context under ``temporal_workflow`` / ``temporal_activity`` in the
record's extras; :func:`_temporal_context` lifts those into flat keys, so workflow, activity,
worker and CLI lines all look alike. The SDK's Rust core logs through the stdlib logger ``temporalio.core`` (see
``observability.telemetry.runtime``); its target and fields become ``core_target``/``core_fields``.
``BRANDPUNT_LOG_FORMAT=json|console`` picks the renderer
(default: console on a terminal, JSON otherwise); ``BRANDPUNT_LOG_LEVEL`` the level.
"""

from __future__ import annotations

import logging
import os
import sys
from collections.abc import MutableMapping
from typing import Any

import structlog
from opentelemetry import trace
from structlog.typing import EventDict, Processor

from domain import case_ids
from settings import redact, secret_values

_configured = False


def _temporal_context(_: Any, __: str, event: EventDict) -> EventDict:
    record = event.get("_record")
    wf = getattr(record, "temporal_workflow", None) or {}
    act = getattr(record, "temporal_activity", None) or {}
    if wf:
        event.setdefault("workflow_id", wf.get("workflow_id"))
        event.setdefault("run_id", wf.get("run_id"))
        event.setdefault("workflow_type", wf.get("workflow_type"))
    if act:
        event.setdefault("workflow_id", act.get("workflow_id"))
        event.setdefault("run_id", act.get("workflow_run_id"))
        event.setdefault("activity", act.get("activity_type"))
    core = getattr(record, "temporal_log", None)  # a line of the SDK's Rust core, forwarded
    if core is not None:
        event.setdefault("core_target", core.target)
        if core.fields:
            event.setdefault("core_fields", {k: str(v) for k, v in core.fields.items()})
    case_id = getattr(record, "case_id", None) or event.get("workflow_id")
    if case_id and case_ids.valid(case_id):  # a workflow id is a case id (BP-2026-0042, or an old lead-...)
        event.setdefault("case_id", case_id)
    return event


def _trace_context(_: Any, __: str, event: EventDict) -> EventDict:
    ctx = trace.get_current_span().get_span_context()
    if ctx.is_valid:
        event.setdefault("trace_id", format(ctx.trace_id, "032x"))
        event.setdefault("span_id", format(ctx.span_id, "016x"))
    return event


def _redactor(secrets: list[str]) -> Processor:
    """The last line of defence: a processor masking credentials (``user:password@`` in a URL,
    tokens, the configured ``secrets``) in every value of every line, the formatted traceback
    included. The secrets are read once, here: workflow code logs from inside Temporal's sandbox,
    where the environment is off limits."""

    def clean(value: Any) -> Any:
        if isinstance(value, str):
            return redact(value, secrets)
        if isinstance(value, dict):
            return {k: clean(v) for k, v in value.items()}
        if isinstance(value, (list, tuple)):
            return type(value)(clean(v) for v in value)
        if value is None or isinstance(value, (bool, int, float)):
            return value
        return redact(str(value), secrets)  # rendered as text anyway (a Settings, an exception)

    def processor(_: Any, __: str, event: MutableMapping[str, Any]) -> dict[str, Any]:
        return {k: clean(v) for k, v in event.items()}

    return processor


def configure(fmt: str | None = None, level: str | None = None, stream: Any = None, sdk: bool = True) -> None:
    """Route structlog and stdlib logging (temporalio, sqlalchemy, ours) through one renderer.

    ``sdk=False`` leaves the Temporal SDK's workflow and activity loggers alone: a process that runs
    no worker (a CLI command acting as a client) need not import them (about 0.1 s of start-up)."""
    global _configured
    stream = stream or sys.stderr
    fmt = fmt or os.environ.get("BRANDPUNT_LOG_FORMAT") or ("console" if stream.isatty() else "json")
    level = (level or os.environ.get("BRANDPUNT_LOG_LEVEL") or "INFO").upper()
    shared: list[Processor] = [
        structlog.contextvars.merge_contextvars,
        structlog.stdlib.add_log_level,
        structlog.stdlib.add_logger_name,
        structlog.processors.TimeStamper(fmt="iso", utc=True),
        _temporal_context,
        _trace_context,
    ]
    renderer = (
        structlog.processors.JSONRenderer() if fmt == "json" else structlog.dev.ConsoleRenderer(colors=False)
    )
    structlog.configure(
        processors=[*shared, structlog.stdlib.ProcessorFormatter.wrap_for_formatter],
        logger_factory=structlog.stdlib.LoggerFactory(),
        wrapper_class=structlog.stdlib.BoundLogger,
        cache_logger_on_first_use=True,
    )
    handler = logging.StreamHandler(stream)
    handler.setFormatter(
        structlog.stdlib.ProcessorFormatter(
            foreign_pre_chain=shared,
            processors=[
                structlog.stdlib.ProcessorFormatter.remove_processors_meta,
                structlog.processors.format_exc_info,
                _redactor(secret_values()),
                renderer,
            ],
            pass_foreign_args=True,
        )
    )
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(level)
    logging.getLogger("sqlalchemy").setLevel(logging.WARNING)
    logging.getLogger("alembic").setLevel(logging.WARNING)  # its INFO lines narrate every schema check
    for name in ("httpx", "httpcore"):  # a line per request, URL and query (a company filter) included
        logging.getLogger(name).setLevel(logging.WARNING)
    _configured = True
    if not sdk:
        return
    # The SDK's loggers also append their context dict to every message; it is in flat keys already.
    import temporalio.activity
    import temporalio.workflow

    temporalio.workflow.logger.workflow_info_on_message = False
    temporalio.activity.logger.activity_info_on_message = False


def get(name: str = "brandpunt") -> structlog.stdlib.BoundLogger:
    return structlog.get_logger(name)
