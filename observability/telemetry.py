"""OpenTelemetry tracing and Temporal SDK metrics, off unless configured by ``OTEL_*`` variables.

Tracing is on when ``OTEL_TRACES_EXPORTER`` is ``otlp`` or ``console``, or when
``OTEL_EXPORTER_OTLP_ENDPOINT`` (or ``..._TRACES_ENDPOINT``) is set; it uses the standard OTel
environment (service name, headers, sampler). Temporal client and worker get the SDK's
``TracingInterceptor``, so one trace follows a command from the CLI through the update into the
activity and the ledger write. Metrics: the SDK's own metrics go over OTLP to
``OTEL_EXPORTER_OTLP_METRICS_ENDPOINT`` (or the general endpoint) when set.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
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


def tracing_enabled(env: dict[str, str] | None = None) -> bool:
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
    from opentelemetry.sdk.resources import Resource
    from opentelemetry.sdk.trace import TracerProvider
    from opentelemetry.sdk.trace.export import BatchSpanProcessor, ConsoleSpanExporter

    if exporter is None:
        if not tracing_enabled():
            return None
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


def runtime() -> Runtime | None:
    """A Temporal runtime exporting SDK metrics over OTLP, when a metrics endpoint is set."""
    url = os.environ.get("OTEL_EXPORTER_OTLP_METRICS_ENDPOINT") or os.environ.get("OTEL_EXPORTER_OTLP_ENDPOINT")
    if not url or os.environ.get("OTEL_METRICS_EXPORTER", "").lower() == "none":
        return None
    from temporalio.runtime import OpenTelemetryConfig, Runtime, TelemetryConfig

    return Runtime(telemetry=TelemetryConfig(metrics=OpenTelemetryConfig(url=url)))


@contextmanager
def span(name: str, **attributes: object) -> Iterator[trace.Span]:
    with trace.get_tracer(TRACER).start_as_current_span(name) as s:
        for key, value in attributes.items():
            if value is not None:
                s.set_attribute(key, value if isinstance(value, (str, int, float, bool)) else str(value))
        yield s
