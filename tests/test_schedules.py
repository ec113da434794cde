"""The reporting calendar as Temporal Schedules on a real dev server; applying is idempotent."""

from __future__ import annotations

import subprocess

from cli.schedules import apply, calendar
from devserver import temporal_cli
from workflows.reporting import ReportKind, period_for


async def test_apply_twice_leaves_the_same_schedules(dev_server_env):
    client = dev_server_env.client
    first = await apply(client, "reports-q")
    assert [what for _, what in first] == ["created"] * 3
    described = {}
    for schedule_id in calendar("reports-q"):
        described[schedule_id] = (await client.get_schedule_handle(schedule_id).describe()).schedule.spec
    second = await apply(client, "reports-q")
    assert [what for _, what in second] == ["updated"] * 3
    for schedule_id, spec in described.items():
        again = (await client.get_schedule_handle(schedule_id).describe()).schedule.spec
        assert again == spec
        assert spec.time_zone_name == "Europe/Amsterdam"
    listed = subprocess.run(
        [temporal_cli(), "schedule", "list", "--address", client.service_client.config.target_host],
        capture_output=True, text=True, check=True, timeout=60,
    ).stdout
    for schedule_id in calendar("reports-q"):
        assert listed.count(schedule_id) == 1
    # each report is made before the talk it is for: the progress report two weeks before June, the
    # annual report two weeks before December ("Ten behoeve van het voortgangsgesprek in december")
    from zoneinfo import ZoneInfo

    amsterdam = ZoneInfo("Europe/Amsterdam")
    for schedule_id, when in (("brandpunt-progress-report", (5, 15)), ("brandpunt-annual-report", (11, 15))):
        info = (await client.get_schedule_handle(schedule_id).describe()).info
        next_runs = {(t.astimezone(amsterdam).month, t.astimezone(amsterdam).day, t.astimezone(amsterdam).hour)
                     for t in info.next_action_times}
        assert next_runs == {(*when, 9)}, (schedule_id, next_runs)


def test_the_calendar_puts_each_report_before_its_talk():
    specs = {i: s.spec.calendars[0] for i, s in calendar("q").items()}
    progress, annual, final = (specs[f"brandpunt-{k}-report"] for k in ("progress", "annual", "final"))
    assert ([r.start for r in progress.month], [r.start for r in progress.day_of_month]) == ([5], [15])
    assert ([r.start for r in annual.month], [r.start for r in annual.day_of_month]) == ([11], [15])
    # "In de maand december van het 4e jaar levert de coördinator een bondige eindrapportage ... op"
    assert ([r.start for r in final.year], [r.start for r in final.month], [r.start for r in final.day_of_month]) == (
        [2028], [12], [1])


def test_report_periods():
    assert period_for(ReportKind.PROGRESS, 2026, 5) == "2026H1"
    assert period_for(ReportKind.PROGRESS, 2026, 12) == "2026H2"
    assert period_for(ReportKind.ANNUAL, 2027, 11) == "2027"
    assert period_for(ReportKind.FINAL, 2028, 12) == "2025-2028"


async def test_report_workflow_stores_the_report_and_its_notice(ts_worker):
    from ledger.snapshots import sha256
    from workflows.reporting import ReportInput, ReportWorkflow

    env, queue, ledger = ts_worker
    result = await env.client.execute_workflow(
        ReportWorkflow.run, ReportInput(kind=ReportKind.PROGRESS, period="2026H1"),
        id="report-test-2026H1", task_queue=queue,
    )
    derived = await env.client.execute_workflow(  # period from the run time, Europe/Amsterdam
        ReportWorkflow.run, ReportInput(kind=ReportKind.ANNUAL), id="report-test-annual", task_queue=queue,
    )
    assert derived.period.isdigit() and len(derived.period) == 4
    annual = ledger.snapshots.get(derived.snapshot_id)
    # the year is the run's own, so the report is made before the year ends: cut at the run's start
    assert derived.cutoff is not None and annual is not None
    from reports.i18n import reading
    from reports.templating import day

    with reading("nl"):  # a scheduled report speaks its recipients' language: Dutch by default
        assert f"afgesneden op {day(derived.cutoff.date())}" in annual.content
    assert result.period == "2026H1" and "progress report for 2026H1 is ready" in result.notice
    assert result.path is None and result.cutoff is not None
    snap = ledger.snapshots.get(result.snapshot_id)
    assert snap is not None and snap.kind == "progress" and snap.period == "2026H1" and snap.format == "html"
    assert "Impactrapportage 2026H1" in snap.content and sha256(snap.content) == snap.sha256 == result.sha256
    [msg] = [m for m in ledger.outbox.messages("programme") if m.key == "report:progress:2026H1"]
    assert msg.body == result.notice and f"brandpunt report get {snap.id}" in msg.body


async def test_a_report_that_cannot_be_produced_fails_its_workflow_after_bounded_retries(ts_worker):
    import pytest
    from temporalio.api.enums.v1 import RetryState
    from temporalio.client import WorkflowFailureError
    from temporalio.exceptions import ApplicationError

    from workflows.reporting import REPORT_RETRY, ReportInput, ReportWorkflow

    env, queue, _ = ts_worker
    with pytest.raises(WorkflowFailureError) as failed:
        await env.client.execute_workflow(  # a period the report cannot be made for: every attempt fails
            ReportWorkflow.run, ReportInput(kind=ReportKind.PROGRESS, period="2026H3"),
            id="report-test-bad-period", task_queue=queue,
        )
    cause = failed.value.cause
    assert isinstance(cause, ApplicationError) and cause.type == "ReportFailed", cause
    assert REPORT_RETRY.maximum_attempts == 5
    assert "progress report for 2026H3 could not be produced after 5 attempts" in cause.message
    history = await env.client.get_workflow_handle("report-test-bad-period").fetch_history()
    [failed_activity] = [e for e in history.events if e.HasField("activity_task_failed_event_attributes")]
    assert failed_activity.activity_task_failed_event_attributes.retry_state == (
        RetryState.RETRY_STATE_MAXIMUM_ATTEMPTS_REACHED
    )
