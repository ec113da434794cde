"""Producing a scheduled report: render the impact report from the ledger into the report
directory, and put a notice in the outbox that it is ready (the outbox delivers it by mail or
webhook where configured)."""

from __future__ import annotations

from pathlib import Path

from pydantic import BaseModel
from temporalio import activity

from activities.notify import Notification, NotifyActivities
from ledger.store import Ledger
from reports import render_report


class ReportRequest(BaseModel):
    kind: str
    period: str


class ReportResult(BaseModel):
    kind: str
    period: str
    path: str | None
    notice: str


class ReportActivities:
    def __init__(self, ledger: Ledger, notifier: NotifyActivities, out_dir: Path, recipient: str) -> None:
        self._ledger = ledger
        self._notifier = notifier
        self._out_dir = out_dir
        self._recipient = recipient

    @activity.defn(name="produce_report")
    def produce_report(self, req: ReportRequest) -> ReportResult:
        self._out_dir.mkdir(parents=True, exist_ok=True)
        target = self._out_dir / f"{req.kind}-{req.period}.html"
        target.write_text(render_report(self._ledger, req.period, "html"), encoding="utf-8")
        path = str(target)
        notice = f"The {req.kind} report for {req.period} is ready: {path}"
        self._notifier.deliver_notification(
            Notification(
                message_id=f"report/{req.kind}/{req.period}",
                case_id="programme",
                key=f"report:{req.kind}:{req.period}",
                recipient=self._recipient,
                subject=notice,
                body=notice,
            )
        )
        return ReportResult(kind=req.kind, period=req.period, path=path, notice=notice)
