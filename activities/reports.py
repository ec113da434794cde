"""Producing a scheduled report: render the impact report from the ledger as of the run's cut-off
(its period cut there when it has not ended; the taskforce's entries up to it; corrections since the
last stored report; the final report with its conclusions), keep it in the ledger database as an
immutable snapshot (never on the worker's disk: read-only in production, and gone with the
container), and put a notice in the outbox that it is ready (the outbox delivers it by mail or
webhook where configured)."""

from __future__ import annotations

from datetime import UTC, datetime

from pydantic import BaseModel
from temporalio import activity

from activities.notify import Notification, NotifyActivities
from ledger.store import Ledger
from reports import render_report
from reports.i18n import reading

REPORT_FORMAT = "html"


class ReportRequest(BaseModel):
    kind: str
    period: str
    cutoff: datetime | None = None  # events with workflow time up to here; None: now (older runs)
    format: str = REPORT_FORMAT
    include_demo: bool = False  # demo cases count too (never in the scheduled reports)
    another_region: str = "rom-region"  # the definition of "another region" (domain.impact.ANOTHER_REGION)
    language: str = "nl"  # the recipients' language (reports.i18n.LANGUAGES); runs from before it: Dutch


class ReportResult(BaseModel):
    kind: str
    period: str
    path: str | None = None  # runs before snapshots wrote a file; now always None
    notice: str
    snapshot_id: int | None = None
    sha256: str | None = None
    cutoff: datetime | None = None


class ReportActivities:
    def __init__(self, ledger: Ledger, notifier: NotifyActivities, recipient: str) -> None:
        self._ledger = ledger
        self._snapshots = ledger.snapshots
        self._notifier = notifier
        self._recipient = recipient

    @activity.defn(name="produce_report")
    def produce_report(self, req: ReportRequest) -> ReportResult:
        cutoff = req.cutoff or datetime.now(UTC)
        with reading(req.language):  # the recipients' language (Dutch for the Ministry's)
            content = render_report(self._ledger, req.period, req.format, as_of=cutoff,
                                    include_demo=req.include_demo, kind=req.kind, another_region=req.another_region)
        snap = self._snapshots.store(req.kind, req.period, req.format, cutoff, content)
        notice = (
            f"The {req.kind} report for {req.period} is ready: report {snap.id} "
            f"(`brandpunt report get {snap.id}`), sha256 {snap.sha256}"
        )
        self._notifier.deliver_notification(
            Notification(
                message_id=f"report/{req.kind}/{req.period}/{snap.id}",
                case_id="programme",
                key=f"report:{req.kind}:{req.period}",
                recipient=self._recipient,
                subject=f"The {req.kind} report for {req.period} is ready",
                body=notice,
            )
        )
        return ReportResult(
            kind=req.kind, period=req.period, notice=notice, snapshot_id=snap.id, sha256=snap.sha256,
            cutoff=cutoff,
        )
