"""The Temporal tracing interceptor brandpunt uses: one trace per coordinator command.

Imported only when tracing is on (``observability.telemetry.interceptors``), so commands that do
not trace do not pay for loading the worker and OpenTelemetry SDK modules.
"""

from __future__ import annotations

from typing import Any

import opentelemetry.trace
import temporalio.worker
from temporalio.contrib.opentelemetry import TracingInterceptor, TracingWorkflowInboundInterceptor
from temporalio.contrib.opentelemetry._context import attached_context


class _CommandTracingWorkflowInterceptor(TracingWorkflowInboundInterceptor):
    """Runs each update (a coordinator command) in the trace of the command that sent it.

    The SDK's interceptor keeps every workflow span in the trace of the workflow's *start* and
    only links updates to their callers. A case lives for years, so one trace per case would be
    useless; here the update handler, the activities it schedules and their ledger writes join
    the trace of the CLI command that caused them.
    """

    async def handle_update_handler(self, input: temporalio.worker.HandleUpdateInput) -> Any:
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
    def workflow_interceptor_class(
        self, input: temporalio.worker.WorkflowInterceptorClassInput
    ) -> type[TracingWorkflowInboundInterceptor]:
        super().workflow_interceptor_class(input)  # registers the extern functions
        return _CommandTracingWorkflowInterceptor
