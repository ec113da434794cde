"""``brandpunt schedules apply``: the programme's reporting calendar as Temporal Schedules.

The programme: "Hiertoe vinden jaarlijks in juni en in december voortgangsgesprekken plaats" and
"Ten behoeve van het voortgangsgesprek in december levert de coördinator van de taskforce een
jaarverslag aan [...]. In de maand december van het 4e jaar levert de coördinator een bondige
eindrapportage met conclusies over het experiment op" (sources/002). So each report is made before
the talk it is for, two weeks before the talk's month begins (:data:`BEFORE_THE_TALK`), whatever day
of June or December the talk is held: the progress report for the June talk on 15 May, the annual
report for the December talk on 15 November; the final report on 1 December 2028. Each is cut at
its run time (its period has not ended: the report says so, and the pro-rata target covers the part
that has passed); what happens after the cut-off counts programme to date in the next report.

Idempotent: a schedule that exists is updated to the spec below, so applying twice leaves the
same schedules. Times are Europe/Amsterdam.
"""

from __future__ import annotations

import argparse
from datetime import datetime
from typing import TYPE_CHECKING
from zoneinfo import ZoneInfo

if TYPE_CHECKING:  # loaded when the calendar is built: `brandpunt` parses its flags without them
    from temporalio.client import Client, Schedule, ScheduleCalendarSpec

    from workflows.reporting import ReportKind

TZ = "Europe/Amsterdam"
PROGRAMME_END = datetime(2029, 1, 1, tzinfo=ZoneInfo(TZ))
BEFORE_THE_TALK = 15
"""Reports for a talk are made on this day of the month before it: two weeks to read them, add what
the taskforce has to say, and send them before a talk on any day of June or December."""


def _at(months: list[int], day: int, note: str, years: list[int] | None = None) -> ScheduleCalendarSpec:
    from temporalio.client import ScheduleCalendarSpec, ScheduleRange

    return ScheduleCalendarSpec(
        comment=note,
        year=[ScheduleRange(y) for y in years] if years else [ScheduleRange(2025, 2028)],
        month=[ScheduleRange(m) for m in months],
        day_of_month=[ScheduleRange(day)],
        hour=[ScheduleRange(9)],
        minute=[ScheduleRange(0)],
        second=[ScheduleRange(0)],
    )


def calendar(task_queue: str, language: str = "nl") -> dict[str, Schedule]:
    """Schedule id -> schedule: the progress report for the June talk (15 May), the annual report for
    the December talk (15 November), the final report (1 December 2028); each in ``language``, the
    recipients' (Dutch: the Ministry's and the talks')."""
    from temporalio.client import Schedule, ScheduleActionStartWorkflow, ScheduleSpec

    from workflows.reporting import ReportInput, ReportKind, ReportWorkflow

    def schedule(kind: ReportKind, spec: ScheduleCalendarSpec) -> Schedule:
        return Schedule(
            action=ScheduleActionStartWorkflow(
                ReportWorkflow.run,
                ReportInput(kind=kind, language="en" if language == "en" else "nl"),
                id=f"report-{kind.value}",
                task_queue=task_queue,
            ),
            spec=ScheduleSpec(calendars=[spec], time_zone_name=TZ, end_at=PROGRAMME_END),
        )

    return {
        "brandpunt-progress-report": schedule(
            ReportKind.PROGRESS, _at([5], BEFORE_THE_TALK, "progress report for the June talk: EZ, coordinator, IPO, NFIA")
        ),
        "brandpunt-annual-report": schedule(
            ReportKind.ANNUAL, _at([11], BEFORE_THE_TALK, "annual report on the impact targets, for the December talk")
        ),
        "brandpunt-final-report": schedule(
            ReportKind.FINAL, _at([12], 1, "final report of the 4-year pilot, with conclusions", years=[2028])
        ),
    }


async def apply(client: Client, task_queue: str, language: str = "nl") -> list[tuple[str, str]]:
    """Create or update every schedule; returns (id, "created" | "updated")."""
    from temporalio.client import ScheduleAlreadyRunningError, ScheduleUpdate, ScheduleUpdateInput

    done = []
    for schedule_id, schedule in calendar(task_queue, language).items():
        try:
            await client.create_schedule(schedule_id, schedule)
            done.append((schedule_id, "created"))
        except ScheduleAlreadyRunningError:

            def replace(_: ScheduleUpdateInput, new: Schedule = schedule) -> ScheduleUpdate:
                return ScheduleUpdate(schedule=new)

            await client.get_schedule_handle(schedule_id).update(replace)
            done.append((schedule_id, "updated"))
    return done


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    sch = sub.add_parser("schedules", help="the reporting calendar (Temporal Schedules)")
    ssub = sch.add_subparsers(dest="schedules_cmd", required=True)
    a = ssub.add_parser("apply", help="create or update the schedules (idempotent)")
    a.add_argument("--language", choices=["nl", "en"], default="nl",
                   help="the reports' language, their recipients' (default nl: the Ministry's)")
    a.set_defaults(func=run_apply)


async def run_apply(args: argparse.Namespace) -> int:
    import settings as config
    from client.connection import connect

    s = config.load()
    client = await connect(s)
    for schedule_id, what in await apply(client, s.task_queue, args.language):
        print(f"{schedule_id}: {what}")
    return 0
