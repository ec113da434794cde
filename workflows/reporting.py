"""ReportWorkflow: run by Temporal Schedules on the programme's calendar.

June and December progress talks, the December annual report, the final report in December 2028.
The workflow only decides which report and period are due (from workflow time in
Europe/Amsterdam); the ``produce_report`` activity writes it.
"""

from __future__ import annotations

from datetime import timedelta
from enum import Enum

from pydantic import BaseModel
from temporalio import workflow

with workflow.unsafe.imports_passed_through():
    from activities.reports import ReportActivities, ReportRequest, ReportResult



class ReportKind(str, Enum):
    PROGRESS = "progress"
    ANNUAL = "annual"
    FINAL = "final"


class ReportInput(BaseModel):
    kind: ReportKind
    period: str | None = None  # default: derived from the (scheduled) run time, Amsterdam time


def period_for(kind: ReportKind, year: int, month: int) -> str:
    """Progress talks cover the half-year just ending; annual reports the year; final all four."""
    if kind == ReportKind.FINAL:
        return "2025-2028"
    if kind == ReportKind.ANNUAL:
        return str(year)
    return f"{year}H1" if month <= 6 else f"{year}H2"


@workflow.defn
class ReportWorkflow:
    @workflow.run
    async def run(self, input: ReportInput) -> ReportResult:
        # The schedules fire at 09:00 Europe/Amsterdam, never near midnight, so the UTC date is
        # the Amsterdam date (and the sandbox need not read time-zone files).
        now = workflow.now()
        period = input.period or period_for(input.kind, now.year, now.month)
        workflow.logger.info("%s report due for %s", input.kind.value, period)
        return await workflow.execute_activity(
            ReportActivities.produce_report,
            ReportRequest(kind=input.kind.value, period=period),
            start_to_close_timeout=timedelta(minutes=5),
        )
