"""The worker's /metrics gauges (ledger/ops.py) and the dashboard and alert rules that use them."""

from __future__ import annotations

import json
from datetime import timedelta
from pathlib import Path

import yaml
from sqlalchemy import text

from ledger import ops
from ledger.outbox import OutboxMessage
from ledger.store import Ledger

OBSERVABILITY = Path(__file__).resolve().parent.parent / "deploy" / "observability"


def test_outbox_backlog_and_report_count(ledger_url):
    ledger = Ledger.open(ledger_url, upgrade=True)
    try:
        box = ledger.outbox
        for i, recipient in enumerate(["a@example.org", "coordinator"]):
            box.put(OutboxMessage(message_id=f"m{i}", case_id="lead-x", key="k", recipient=recipient,
                                  subject="s", body="b", escalation=False))
        box.mark("m0", "webhook", "HTTP 200")
        with ledger._engine.begin() as conn:  # both an hour old
            conn.execute(text("UPDATE outbox SET created_at = '2020-01-01T00:00:00+00:00'"))
        assert ops.undelivered(ledger, ["email", "webhook"]) == {"email": 1, "webhook": 1}
        assert ops.undelivered(ledger, ["webhook"], grace=timedelta(days=36500)) == {"webhook": 0}
        assert ops.stale_cases(ledger) == {}
        scraped = ops.prometheus_text(ledger, ["email"])
        assert 'brandpunt_outbox_undelivered_messages{channel="email"} 1' in scraped
        assert "brandpunt_report_snapshots 0" in scraped
    finally:
        ledger.dispose()


def _exprs(node: object) -> list[str]:
    if isinstance(node, dict):
        return [node["expr"]] if "expr" in node else [e for v in node.values() for e in _exprs(v)]
    if isinstance(node, list):
        return [e for v in node for e in _exprs(v)]
    return []


def test_alert_rules_cover_the_runbook_signals():
    rules = yaml.safe_load((OBSERVABILITY / "alerts.yaml").read_text(encoding="utf-8"))
    alerts = {r["alert"]: r for g in rules["groups"] for r in g["rules"]}
    assert {"BrandpuntWorkflowTaskFailures", "BrandpuntScheduleToStartLatencyHigh", "BrandpuntOutboxBacklog",
            "BrandpuntAuditVerifyFailed", "BrandpuntStuckCases", "BrandpuntReportFailed",
            "BrandpuntWorkersDown"} <= alerts.keys()
    for name, rule in alerts.items():
        assert rule["expr"].strip() and rule["labels"]["severity"] in ("page", "ticket"), name
        assert "runbook" in rule["annotations"] and rule["annotations"]["summary"], name
        anchor = rule["annotations"]["runbook"].split("#", 1)[1]
        assert f"<a id=\"{anchor}\"></a>" in (OBSERVABILITY.parent / "RUNBOOK.md").read_text(encoding="utf-8"), name


def test_dashboard_is_grafana_json_with_a_query_per_panel():
    board = json.loads((OBSERVABILITY / "grafana-dashboard.json").read_text(encoding="utf-8"))
    assert board["title"] and board["uid"] and board["schemaVersion"] >= 30
    panels = board["panels"]
    assert len(panels) >= 6 and len({p["id"] for p in panels}) == len(panels)
    for p in panels:
        assert p["targets"] and all(t["expr"].strip() for t in p["targets"]), p["title"]
    exprs = " ".join(_exprs(panels))
    for metric in ("temporal_workflow_task_execution_failed", "temporal_workflow_task_schedule_to_start_latency",
                   "brandpunt_outbox_undelivered_messages", "brandpunt_cases_stale",
                   "temporal_activity_execution_latency"):
        assert metric in exprs, metric
