"""One trace from a coordinator command to the ledger write; log lines carry case and trace ids."""

from __future__ import annotations

import io
import json
import logging

from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter
from temporalio.client import Client
from temporalio.contrib.pydantic import pydantic_data_converter

from client import temporal as cases
from keys import Signer
from ledger.store import Ledger
from observability import logs, telemetry
from tests import factories as f
from worker import build_worker


async def test_one_trace_covers_command_update_activity_and_ledger_write(dev_server_env, case_ledger_url):
    exporter = InMemorySpanExporter()
    provider = telemetry.setup_tracing(exporter=exporter)
    assert provider is not None
    client = await Client.connect(
        dev_server_env.client.service_client.config.target_host,
        data_converter=pydantic_data_converter,
        interceptors=telemetry.interceptors(),
    )
    ledger = Ledger.open(case_ledger_url, upgrade=True)
    stream = io.StringIO()
    logs.configure(fmt="json", stream=stream)
    try:
        async with build_worker(client, ledger, "traced", signer=Signer.generate()):
            await cases.start(client, "traced", f.start(phase=1), "lead-traced")
            with telemetry.span("brandpunt lead change-phase", case_id="lead-traced") as root:
                await cases.execute(client, "lead-traced", f.command("change-phase", phase=3))
                trace_id = root.get_span_context().trace_id
        provider.force_flush()
        spans = [s for s in exporter.get_finished_spans() if s.context.trace_id == trace_id]
        names = {s.name for s in spans}
        assert "brandpunt lead change-phase" in names
        assert any(n.startswith("StartWorkflowUpdate:execute") for n in names), names
        assert any(n.startswith("HandleUpdate:execute") for n in names), names
        assert "RunActivity:record_events" in names, names
        assert "ledger.append" in names
        ledger_span = next(s for s in spans if s.name == "ledger.append")
        assert ledger_span.attributes["case_id"] == "lead-traced" and ledger_span.attributes["inserted"] == 1
    finally:
        ledger.dispose()
        logging.getLogger().handlers.clear()
    lines = [json.loads(line) for line in stream.getvalue().splitlines() if line.startswith("{")]
    activity_lines = [x for x in lines if x.get("activity") == "record_events"]
    assert activity_lines, lines
    assert all(x["case_id"] == "lead-traced" and x["workflow_id"] == "lead-traced" and x["run_id"]
               for x in activity_lines)
    assert any(x.get("trace_id") == format(trace_id, "032x") for x in activity_lines)
    workflow_lines = [x for x in lines if x.get("workflow_type") == "LeadCaseWorkflow"]
    assert any("change-phase recorded PhaseChanged" in x["event"] for x in workflow_lines), workflow_lines
    # the context is in keys, not repeated as a dict inside every message
    assert not any("'workflow_id':" in x["event"] for x in activity_lines + workflow_lines), workflow_lines
