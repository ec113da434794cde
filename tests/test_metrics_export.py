"""Metrics and traces really arrive: a `brandpunt worker` configured by the standard OTel variables
exports to a local OTLP/HTTP receiver, and every line it writes is JSON (the SDK core's too).

The receiver is a tiny HTTP server on 127.0.0.1 in this test; the bodies are decoded with
``opentelemetry-proto`` as a collector would.
"""

from __future__ import annotations

import asyncio
import gzip
import json
import os
import subprocess
import sys
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest
from opentelemetry.proto.collector.metrics.v1.metrics_service_pb2 import ExportMetricsServiceRequest
from opentelemetry.proto.collector.trace.v1.trace_service_pb2 import ExportTraceServiceRequest

from observability import telemetry

BIN = Path(sys.executable).parent


class Receiver:
    """An OTLP/HTTP receiver: keeps the bodies POSTed to /v1/metrics and /v1/traces."""

    def __init__(self) -> None:
        self.bodies: dict[str, list[bytes]] = {"/v1/metrics": [], "/v1/traces": []}
        self.other_paths: list[str] = []
        received = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:  # noqa: N802 - http.server's name
                body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
                if self.headers.get("Content-Encoding") == "gzip":
                    body = gzip.decompress(body)
                if self.path in received.bodies:
                    received.bodies[self.path].append(body)
                else:
                    received.other_paths.append(self.path)
                self.send_response(200)
                self.send_header("Content-Type", "application/x-protobuf")
                self.send_header("Content-Length", "0")
                self.end_headers()

            def log_message(self, *args: object) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def metric_names(self) -> set[str]:
        names: set[str] = set()
        for body in list(self.bodies["/v1/metrics"]):
            req = ExportMetricsServiceRequest.FromString(body)
            for rm in req.resource_metrics:
                for sm in rm.scope_metrics:
                    names.update(m.name for m in sm.metrics)
        return names

    def spans(self) -> list[tuple[str, str, str]]:
        """(service.name, scope name, span name) of every span received."""
        found = []
        for body in list(self.bodies["/v1/traces"]):
            req = ExportTraceServiceRequest.FromString(body)
            for rs in req.resource_spans:
                service = next(
                    (a.value.string_value for a in rs.resource.attributes if a.key == "service.name"), ""
                )
                for ss in rs.scope_spans:
                    found += [(service, ss.scope.name, s.name) for s in ss.spans]
        return found

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()


def test_metrics_endpoint_follows_the_otel_conventions():
    base = {"OTEL_EXPORTER_OTLP_ENDPOINT": "http://collector:4318/"}
    assert telemetry.metrics_endpoint(base) == "http://collector:4318/v1/metrics"
    assert telemetry.metrics_protocol(base) == "http/protobuf"
    grpc = {"OTEL_EXPORTER_OTLP_ENDPOINT": "http://collector:4317", "OTEL_EXPORTER_OTLP_PROTOCOL": "grpc"}
    assert telemetry.metrics_endpoint(grpc) == "http://collector:4317"
    assert telemetry.metrics_protocol(grpc) == "grpc"
    specific = {**base, "OTEL_EXPORTER_OTLP_METRICS_ENDPOINT": "https://m.example/custom"}
    assert telemetry.metrics_endpoint(specific) == "https://m.example/custom"  # used as it is
    assert telemetry.metrics_endpoint({**base, "OTEL_METRICS_EXPORTER": "none"}) is None
    assert telemetry.metrics_endpoint({}) is None
    with pytest.raises(ValueError, match="http/protobuf or grpc"):
        telemetry.metrics_protocol({"OTEL_EXPORTER_OTLP_PROTOCOL": "http/json"})


async def test_worker_exports_sdk_metrics_and_brandpunt_spans_over_otlp_http(
    dev_server_env, tmp_path, case_ledger_url
):
    from client import temporal as cases
    from keys import Keyring
    from ledger.store import Ledger
    from tests import factories as f
    from workflows.reporting import ReportInput, ReportKind, ReportWorkflow

    Ledger.open(case_ledger_url, upgrade=True).dispose()
    Keyring(tmp_path / "keys").init()  # the worker refuses to start without its ledger key
    receiver = Receiver()
    env = {
        "BRANDPUNT_KEYS_DIR": str(tmp_path / "keys"),
        "PATH": os.environ.get("PATH", ""),
        "HOME": str(tmp_path),
        "TEMPORAL_ADDRESS": dev_server_env.client.service_client.config.target_host,
        "TEMPORAL_NAMESPACE": "default",
        "BRANDPUNT_LEDGER_URL": case_ledger_url,
        "BRANDPUNT_TASK_QUEUE": "otlp",
        "BRANDPUNT_LOG_FORMAT": "json",
        "OTEL_EXPORTER_OTLP_ENDPOINT": receiver.url,
        "OTEL_SERVICE_NAME": "brandpunt-worker",
        "OTEL_METRIC_EXPORT_INTERVAL": "300",
        "OTEL_BSP_SCHEDULE_DELAY": "200",
    }
    proc = subprocess.Popen([str(BIN / "brandpunt"), "worker"], env=env, cwd=tmp_path,
                            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    wanted_metrics = {"temporal_activity_execution_latency", "temporal_workflow_completed"}
    try:
        await cases.start(dev_server_env.client, "otlp", f.start(phase=1), "lead-otlp")
        await dev_server_env.client.execute_workflow(  # a workflow that completes
            ReportWorkflow.run, ReportInput(kind=ReportKind.PROGRESS, period="2026H1"),
            id="report-otlp", task_queue="otlp",
        )
        for _ in range(100):
            names = receiver.metric_names()
            if wanted_metrics <= names:
                break
            await asyncio.sleep(0.2)
    finally:
        proc.terminate()
        out, _ = proc.communicate(timeout=30)
        receiver.close()
    assert proc.returncode == 0, out
    assert not receiver.other_paths, receiver.other_paths
    names = receiver.metric_names()
    assert wanted_metrics <= names, sorted(names)
    assert "temporal_workflow_task_schedule_to_start_latency" in names or any(
        n.startswith("temporal_workflow_task") for n in names
    ), sorted(names)
    spans = receiver.spans()
    assert ("brandpunt-worker", "brandpunt", "ledger.append") in spans, spans
    assert any(name == "RunActivity:record_events" for _, _, name in spans), spans
    # every line the worker wrote is JSON: no coloured text from the SDK core
    lines = [line for line in out.splitlines() if line.strip()]
    assert lines and all(line.startswith("{") for line in lines), out
    assert all(isinstance(json.loads(line), dict) for line in lines)
