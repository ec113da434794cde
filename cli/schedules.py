"""``brandpunt schedules apply``: the programme's reporting calendar as Temporal Schedules.

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


def calendar(task_queue: str) -> dict[str, Schedule]:
    """Schedule id -> schedule: progress talks (1 June, 1 December), annual (15 December), final (15 December 2028)."""
    from temporalio.client import Schedule, ScheduleActionStartWorkflow, ScheduleSpec

    from workflows.reporting import ReportInput, ReportKind, ReportWorkflow

    def schedule(kind: ReportKind, spec: ScheduleCalendarSpec) -> Schedule:
        return Schedule(
            action=ScheduleActionStartWorkflow(
                ReportWorkflow.run,
                ReportInput(kind=kind),
                id=f"report-{kind.value}",
                task_queue=task_queue,
            ),
            spec=ScheduleSpec(calendars=[spec], time_zone_name=TZ, end_at=PROGRAMME_END),
        )

    return {
        "brandpunt-progress-report": schedule(
            ReportKind.PROGRESS, _at([6, 12], 1, "half-yearly progress talk: EZ, coordinator, IPO, NFIA")
        ),
        "brandpunt-annual-report": schedule(
            ReportKind.ANNUAL, _at([12], 15, "annual report on the impact targets")
        ),
        "brandpunt-final-report": schedule(
            ReportKind.FINAL, _at([12], 15, "final report of the 4-year pilot", years=[2028])
        ),
    }


async def apply(client: Client, task_queue: str) -> list[tuple[str, str]]:
    """Create or update every schedule; returns (id, "created" | "updated")."""
    from temporalio.client import ScheduleAlreadyRunningError, ScheduleUpdate, ScheduleUpdateInput

    done = []
    for schedule_id, schedule in calendar(task_queue).items():
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
    ssub.add_parser("apply", help="create or update the schedules (idempotent)").set_defaults(func=run_apply)


async def run_apply(args: argparse.Namespace) -> int:
    import settings as config
    from client.connection import connect

    s = config.load()
    client = await connect(s)
    for schedule_id, what in await apply(client, s.task_queue):
        print(f"{schedule_id}: {what}")
    return 0
