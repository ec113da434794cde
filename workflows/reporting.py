"""ReportWorkflow: run by Temporal Schedules on the programme's calendar.

A progress report for the June talk, the annual report for the December talk, the final report for
December 2028 (``cli/schedules.py``). The workflow only decides which report and period are due
(from workflow time in Europe/Amsterdam) and its cut-off (the run's start); the ``produce_report``
activity renders it, cut at the cut-off when its period has not ended (a pro-rata target then
covers the part that has passed), and stores it in the ledger database as an immutable snapshot.
The activity is retried under :data:`REPORT_RETRY` (bounded); after the last attempt the workflow
fails with an error that names the report, so a failed report is visible (``temporal workflow
list``, alerts) instead of retrying forever.
"""

from __future__ import annotations

from datetime import timedelta
from enum import Enum
from typing import Literal

from pydantic import BaseModel
from temporalio import workflow
from temporalio.common import RetryPolicy
from temporalio.exceptions import ActivityError, ApplicationError

with workflow.unsafe.imports_passed_through():
    from activities.reports import ReportActivities, ReportRequest, ReportResult

REPORT_RETRY = RetryPolicy(
    initial_interval=timedelta(seconds=10),
    backoff_coefficient=2.0,
    maximum_interval=timedelta(minutes=2),
    maximum_attempts=5,
)
"""The report activity's retry policy: 5 attempts, 10 s, 20 s, 40 s, 80 s apart (about 2.5 minutes)."""

class ReportKind(str, Enum):
    PROGRESS = "progress"
    ANNUAL = "annual"
    FINAL = "final"


class ReportInput(BaseModel):
    kind: ReportKind
    period: str | None = None  # default: derived from the (scheduled) run time, Amsterdam time
    include_demo: bool = False  # count demo cases too; the schedules never do (the report says so)
    another_region: Literal["rom-region", "hotspot"] = "rom-region"  # the definition of "another region" (domain.impact)
    language: Literal["nl", "en"] = "nl"  # the recipients' language: Dutch for the Ministry's, unless asked otherwise


def period_for(kind: ReportKind, year: int, month: int) -> str:
    """A progress report covers the half-year it is made in (up to its cut-off), an annual report
    the year, the final report all four."""
    if kind == ReportKind.FINAL:
        return "2025-2028"
    if kind == ReportKind.ANNUAL:
        return str(year)
    return f"{year}H1" if month <= 6 else f"{year}H2"


@workflow.defn
class ReportWorkflow:
    # Worker versioning: AUTO_UPGRADE like the cases (the versioned worker's default; no per-workflow
    # behaviour, see LeadCaseWorkflow). Its one decision (run the report activity, then wrap a failure)
    # is the same on every version, so moving mid-report is harmless and no old version is kept busy.

    @workflow.run
    async def run(self, input: ReportInput) -> ReportResult:
        # The schedules fire at 09:00 Europe/Amsterdam, never near midnight, so the UTC date is
        # the Amsterdam date (and the sandbox need not read time-zone files).
        now = workflow.now()
        period = input.period or period_for(input.kind, now.year, now.month)
        workflow.logger.info("%s report due for %s", input.kind.value, period)
        try:
            return await workflow.execute_activity_method(
                ReportActivities.produce_report,
                ReportRequest(kind=input.kind.value, period=period, cutoff=now, include_demo=input.include_demo,
                              another_region=input.another_region, language=input.language),
                start_to_close_timeout=timedelta(minutes=5),
                retry_policy=REPORT_RETRY,
            )
        except ActivityError as err:
            cause = err.cause.message if isinstance(err.cause, ApplicationError) else str(err.cause or err)
            raise ApplicationError(
                f"the {input.kind.value} report for {period} could not be produced after "
                f"{REPORT_RETRY.maximum_attempts} attempts: {cause}",
                type="ReportFailed",
                non_retryable=True,
            ) from err
