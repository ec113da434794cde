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

import opentelemetry.trace
import temporalio.worker
from opentelemetry import trace
from opentelemetry.sdk.resources import Resource
from opentelemetry.sdk.trace import TracerProvider
from opentelemetry.sdk.trace.export import BatchSpanProcessor, ConsoleSpanExporter, SpanExporter
from temporalio.contrib.opentelemetry import TracingInterceptor, TracingWorkflowInboundInterceptor
from temporalio.contrib.opentelemetry._context import attached_context
from temporalio.runtime import OpenTelemetryConfig, Runtime, TelemetryConfig

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


class _CommandTracingWorkflowInterceptor(TracingWorkflowInboundInterceptor):
    """Runs each update (a coordinator command) in the trace of the command that sent it.

    The SDK's interceptor keeps every workflow span in the trace of the workflow's *start* and
    only links updates to their callers. A case lives for years, so one trace per case would be
    useless; here the update handler, the activities it schedules and their ledger writes join
    the trace of the CLI command that caused them.
    """

    async def handle_update_handler(self, input: temporalio.worker.HandleUpdateInput):  # type: ignore[override]
        header = input.headers.get(self.header_key)
        if not header:
            return await super().handle_update_handler(input)
        carrier = self.payload_converter.from_payloads([header])[0]
        context = self._set_on_context(self.text_map_propagator.extract(carrier))
        with attached_context(context):
            self._completed_span(
                f"HandleUpdate:{input.update}", kind=opentelemetry.trace.SpanKind.SERVER
            )
            return await super(TracingWorkflowInboundInterceptor, self).handle_update_handler(input)


class CommandTracingInterceptor(TracingInterceptor):
    def workflow_interceptor_class(self, input):  # type: ignore[no-untyped-def, override]
        super().workflow_interceptor_class(input)  # registers the extern functions
        return _CommandTracingWorkflowInterceptor


def interceptors() -> list[TracingInterceptor]:
    """Client interceptors (workers built from the client inherit them)."""
    return [CommandTracingInterceptor()] if _provider is not None else []


def runtime() -> Runtime | None:
    """A Temporal runtime exporting SDK metrics over OTLP, when a metrics endpoint is set."""
    url = os.environ.get("OTEL_EXPORTER_OTLP_METRICS_ENDPOINT") or os.environ.get("OTEL_EXPORTER_OTLP_ENDPOINT")
    if not url or os.environ.get("OTEL_METRICS_EXPORTER", "").lower() == "none":
        return None
    return Runtime(telemetry=TelemetryConfig(metrics=OpenTelemetryConfig(url=url)))


@contextmanager
def span(name: str, **attributes: object) -> Iterator[trace.Span]:
    with trace.get_tracer(TRACER).start_as_current_span(name) as s:
        for key, value in attributes.items():
            if value is not None:
                s.set_attribute(key, value if isinstance(value, (str, int, float, bool)) else str(value))
        yield s
