"""OpenTelemetry tracing and Temporal SDK metrics, off unless configured by ``OTEL_*`` variables.

Tracing is on when ``OTEL_TRACES_EXPORTER`` is ``otlp`` or ``console``, or when
``OTEL_EXPORTER_OTLP_ENDPOINT`` (or ``..._TRACES_ENDPOINT``) is set; it uses the standard OTel
environment (service name, headers, sampler). Temporal client and worker get the SDK's
``TracingInterceptor``, so one trace follows a command from the CLI through the update into the
activity and the ledger write; traces go over OTLP/HTTP (``/v1/traces``). Metrics: the SDK's own
metrics go over OTLP/HTTP to ``/v1/metrics`` (or gRPC when ``OTEL_EXPORTER_OTLP_PROTOCOL=grpc``), see
:func:`metrics_endpoint`. The SDK core's log lines are forwarded into stdlib logging (:func:`runtime`).
"""

from __future__ import annotations

import os
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from typing import TYPE_CHECKING

from opentelemetry import trace

if TYPE_CHECKING:  # the SDK, exporters and interceptors load only when tracing is on (CLI start-up time)
    from opentelemetry.sdk.trace import TracerProvider
    from opentelemetry.sdk.trace.export import SpanExporter
    from temporalio.contrib.opentelemetry import TracingInterceptor
    from temporalio.runtime import Runtime

TRACER = "brandpunt"
_provider: TracerProvider | None = None


def tracing_enabled(env: Mapping[str, str] | None = None) -> bool:
    e = os.environ if env is None else env
    exporter = e.get("OTEL_TRACES_EXPORTER", "").lower()
    if exporter == "none" or e.get("OTEL_SDK_DISABLED", "").lower() == "true":
        return False
    return exporter in ("otlp", "console") or bool(
        e.get("OTEL_EXPORTER_OTLP_ENDPOINT") or e.get("OTEL_EXPORTER_OTLP_TRACES_ENDPOINT")
    )


def setup_tracing(exporter: SpanExporter | None = None, service: str = "brandpunt") -> TracerProvider | None:
    """Install a tracer provider (once). ``exporter`` is for tests (in-memory)."""
    global _provider
    if _provider is not None:
        return _provider
    if exporter is None and not tracing_enabled():
        return None  # before the SDK's imports: a CLI command without tracing saves 20 ms
    from opentelemetry.sdk.resources import Resource
    from opentelemetry.sdk.trace import TracerProvider
    from opentelemetry.sdk.trace.export import BatchSpanProcessor, ConsoleSpanExporter

    if exporter is None:
        if os.environ.get("OTEL_TRACES_EXPORTER", "").lower() == "console":
            exporter = ConsoleSpanExporter()
        else:
            from opentelemetry.exporter.otlp.proto.http.trace_exporter import OTLPSpanExporter

            exporter = OTLPSpanExporter()
    resource = Resource.create({"service.name": os.environ.get("OTEL_SERVICE_NAME", service)})
    _provider = TracerProvider(resource=resource)
    _provider.add_span_processor(BatchSpanProcessor(exporter))
    trace.set_tracer_provider(_provider)
    return _provider


def shutdown() -> None:
    if _provider is not None:
        _provider.shutdown()


def interceptors() -> list[TracingInterceptor]:
    """Client interceptors (workers built from the client inherit them)."""
    if _provider is None:
        return []
    from observability.tracing import CommandTracingInterceptor

    return [CommandTracingInterceptor()]


def _metrics_exporting(e: Mapping[str, str]) -> bool:
    if e.get("OTEL_METRICS_EXPORTER", "").lower() == "none" or e.get("OTEL_SDK_DISABLED", "").lower() == "true":
        return False
    return bool(e.get("OTEL_EXPORTER_OTLP_METRICS_ENDPOINT") or e.get("OTEL_EXPORTER_OTLP_ENDPOINT"))


def metrics_protocol(env: Mapping[str, str] | None = None) -> str:
    """``http/protobuf`` (the OTel default) or ``grpc``, as ``OTEL_EXPORTER_OTLP_[METRICS_]PROTOCOL`` say."""
    e = os.environ if env is None else env
    protocol = (
        e.get("OTEL_EXPORTER_OTLP_METRICS_PROTOCOL") or e.get("OTEL_EXPORTER_OTLP_PROTOCOL") or "http/protobuf"
    ).strip().lower()
    if protocol not in ("http/protobuf", "grpc"):
        raise ValueError(
            f"OTEL_EXPORTER_OTLP_PROTOCOL={protocol}: the Temporal SDK exports metrics as http/protobuf or grpc"
        )
    return protocol


def metrics_endpoint(env: Mapping[str, str] | None = None) -> str | None:
    """Where the SDK's metrics go, by the OTel rules for OTLP exporters.

    ``OTEL_EXPORTER_OTLP_METRICS_ENDPOINT`` is used as it is. The general
    ``OTEL_EXPORTER_OTLP_ENDPOINT`` is a base URL: over http/protobuf ``/v1/metrics`` is appended to
    it (``http://collector:4318`` -> ``http://collector:4318/v1/metrics``); over gRPC it is the
    collector's gRPC address as it is (``http://collector:4317``).
    """
    e = os.environ if env is None else env
    if not _metrics_exporting(e):
        return None
    specific = e.get("OTEL_EXPORTER_OTLP_METRICS_ENDPOINT")
    if specific:
        return specific
    base = e["OTEL_EXPORTER_OTLP_ENDPOINT"]
    if metrics_protocol(e) == "grpc":
        return base
    return base.rstrip("/") + "/v1/metrics"


def _headers(e: Mapping[str, str]) -> dict[str, str]:
    """``OTEL_EXPORTER_OTLP_[METRICS_]HEADERS``: ``key=value,key2=value2`` (values URL-encoded)."""
    from urllib.parse import unquote

    raw = e.get("OTEL_EXPORTER_OTLP_METRICS_HEADERS") or e.get("OTEL_EXPORTER_OTLP_HEADERS") or ""
    pairs = (item.split("=", 1) for item in raw.split(",") if "=" in item)
    return {unquote(k).strip(): unquote(v).strip() for k, v in pairs}


def runtime(env: Mapping[str, str] | None = None) -> Runtime:
    """The Temporal SDK runtime of this process.

    Its Rust core's log lines are forwarded to the stdlib logger ``temporalio.core``, so they come
    out through structlog like every other line (JSON in production), not as the core's own
    coloured stderr text. When a metrics endpoint is configured (see :func:`metrics_endpoint`) the
    SDK's metrics (``temporal_workflow_completed``, ``temporal_activity_execution_latency``, ...)
    are exported over OTLP every ``OTEL_METRIC_EXPORT_INTERVAL`` milliseconds (default 60000).
    """
    import logging
    from datetime import timedelta

    from temporalio.runtime import (
        LogForwardingConfig,
        LoggingConfig,
        OpenTelemetryConfig,
        Runtime,
        TelemetryConfig,
        TelemetryFilter,
    )

    e = os.environ if env is None else env
    forwarding = LogForwardingConfig(
        logger=logging.getLogger("temporalio.core"),
        append_target_to_name=False,
        prepend_target_on_message=False,
        append_log_fields_to_message=False,  # logs.py puts the target and fields in their own keys
    )
    logging_config = LoggingConfig(
        filter=TelemetryFilter(core_level="WARN", other_level="ERROR"), forwarding=forwarding
    )
    url = metrics_endpoint(e)
    metrics = None
    if url:
        interval_ms = int(e.get("OTEL_METRIC_EXPORT_INTERVAL") or 60000)
        metrics = OpenTelemetryConfig(
            url=url,
            headers=_headers(e) or None,
            metric_periodicity=timedelta(milliseconds=interval_ms),
            http=metrics_protocol(e) == "http/protobuf",
        )
    return Runtime(telemetry=TelemetryConfig(logging=logging_config, metrics=metrics))


@contextmanager
def span(name: str, **attributes: object) -> Iterator[trace.Span]:
    with trace.get_tracer(TRACER).start_as_current_span(name) as s:
        for key, value in attributes.items():
            if value is not None:
                s.set_attribute(key, value if isinstance(value, (str, int, float, bool)) else str(value))
        yield s
