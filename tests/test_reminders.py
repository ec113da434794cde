"""Reminders on the time-skipping server: the articulation rule (the end of phase 2), the phase-2
rule of older rule sets, follow-ups, escalation, overdue consultations."""

from __future__ import annotations

import uuid
from contextlib import asynccontextmanager
from datetime import UTC, datetime, time, timedelta

from client import temporal as cases
from domain.reminders import ReminderRules
from domain.state import fold
from keys import Signer
from tests import factories as f
from worker import build_worker

DAY = timedelta(days=1)


def rounded(delta: timedelta) -> timedelta:
    """Workflow time moves on a few milliseconds between a timer firing and the event."""
    return timedelta(minutes=round(delta.total_seconds() / 60))


def new_id() -> str:
    return f"lead-rem-{uuid.uuid4().hex[:10]}"


def reminders_at(ledger, case_id):
    return ledger.events(case_id)[-1].at


def sent(ledger, case_id):
    return [r.event for r in ledger.events(case_id) if r.type == "ReminderSent"]


@asynccontextmanager
async def deployment(env, ledger, rules: ReminderRules, queue: str | None = None, started: list | None = None):
    """A worker with the deployment's ``rules`` on a queue of its own; cases the test started
    there (``started``) are terminated afterwards, so no timer of theirs stalls the shared clock."""
    queue = queue or f"rules-{uuid.uuid4().hex[:8]}"
    # No sticky cache: the time-skipping test server never hands a stopped worker's sticky tasks
    # back to the queue, so a case could not move on to the next worker of the test.
    async with build_worker(env.client, ledger, queue, rules=rules, max_cached_workflows=0,
                            signer=Signer.generate()):
        try:
            yield queue
        finally:
            for case_id in started or []:
                await env.client.get_workflow_handle(case_id).terminate("test over")


PHASE2_RULES = ReminderRules.model_validate({"phase2": {}})
"""A rule set written before issue 14 (it names phase2, not articulation): the phase-2 rule alone."""


async def test_articulation_reminder_before_the_expected_end_of_phase_2_escalated_only_when_the_window_is_at_risk(
        ts_worker):
    """Issue 14: remind as the lead nears the end of phase 2 ("vanaf het einde van levensfase 2"),
    here an end a coordinator recorded 200 days ahead: 90 days before it, a follow-up 30 days later,
    and an escalation only 90 days past the end with the question still not asked."""
    env, queue, ledger = ts_worker
    case_id = new_id()
    start = await cases.start(env.client, queue, f.start(phase=2), case_id)
    t0 = start.state.detected_at
    end = (t0 + 200 * DAY).date()
    await cases.execute(env.client, case_id, f.command("expect-phase2-end", expected_end=end.isoformat()))
    await env.sleep(100 * DAY)
    assert sent(ledger, case_id) == []  # in phase 2, its end 100 days away: nothing owed yet
    await env.sleep(100 * DAY)
    end_at = datetime.combine(end, time(0), tzinfo=UTC)
    anchor = f"articulation:{end.isoformat()}"
    assert [(r.key, rounded(r.at - end_at), r.escalation) for r in sent(ledger, case_id)] == [
        (f"{anchor}:remind", -90 * DAY, False),
        (f"{anchor}:follow-up-1", -60 * DAY, False),
    ]
    await env.sleep(100 * DAY)
    reminders = sent(ledger, case_id)
    assert [(r.key, rounded(r.at - end_at), r.escalation, r.recipient) for r in reminders[2:]] == [
        (f"{anchor}:escalate", 90 * DAY, True, "coordinating-rom")]
    assert "2-3 years head start is at risk" in reminders[2].subject
    assert reminders[0].subject.startswith(f"Photon Forge BV nears the end of venture phase 2 (expected {end}")
    await cases.execute(env.client, case_id, f.command("articulate-needs", needs=f.NEEDS))
    await env.sleep(400 * DAY)
    assert [r.rule for r in sent(ledger, case_id) if r.rule == "articulation"] == ["articulation"] * 3
    assert fold(r.event for r in ledger.events(case_id)) == await cases.state(env.client, case_id)


async def test_without_an_expected_end_the_phase_age_rule_and_phase_3_decide(ts_worker):
    """No end recorded: the reminder falls 90 days before phase 2 is 540 days old; a lead that
    reaches phase 3 first (phase 2 has ended) is reminded then, and its escalation follows 90 days on."""
    env, queue, ledger = ts_worker
    case_id = new_id()
    start = await cases.start(env.client, queue, f.start(phase=2), case_id)
    t0 = start.state.detected_at
    await env.sleep(449 * DAY)
    assert sent(ledger, case_id) == []
    await env.sleep(2 * DAY)
    [first] = sent(ledger, case_id)
    assert (first.key, rounded(first.at - t0)) == (f"articulation:{(t0 + 540 * DAY).date()}:remind", 450 * DAY)
    assert "(typical length" in first.subject

    other = new_id()
    await cases.start(env.client, queue, f.start(phase=2), other)
    await env.sleep(10 * DAY)
    assert sent(ledger, other) == []
    moved = await cases.execute(env.client, other, f.command("change-phase", phase=3))
    phase3 = moved.events[0].at
    await env.sleep(91 * DAY)
    reminders = sent(ledger, other)
    assert [(r.key.rsplit(":", 1)[1], rounded(r.at - phase3), r.escalation) for r in reminders] == [
        ("remind", timedelta(0), False), ("follow-up-1", 30 * DAY, False), ("escalate", 90 * DAY, True)]
    assert reminders[0].subject.startswith("Photon Forge BV is past venture phase 2 (phase 3 since")


async def test_phase2_reminder_follow_ups_and_escalation_then_silence(ts_worker):
    """The rule before issue 14, for a deployment whose rule set still names it."""
    env, _, ledger = ts_worker
    case_id = new_id()
    async with deployment(env, ledger, PHASE2_RULES, started=[case_id]) as queue:
        await _phase2_reminders(env, queue, ledger, case_id)


async def _phase2_reminders(env, queue, ledger, case_id):
    start = await cases.start(env.client, queue, f.start(phase=1), case_id)
    t0 = start.state.detected_at
    await env.sleep(100 * DAY)
    assert sent(ledger, case_id) == []  # phase 1: nothing owed yet
    moved = await cases.execute(env.client, case_id, f.command("change-phase", phase=2))
    day100 = moved.events[0].at
    assert timedelta(days=100) <= day100 - t0 < timedelta(days=101)
    await env.sleep(46 * DAY)
    reminders = sent(ledger, case_id)
    assert [(r.key, rounded(r.at - day100), r.escalation) for r in reminders] == [
        ("phase2:remind", timedelta(0), False),
        ("phase2:follow-up-1", 14 * DAY, False),
        ("phase2:follow-up-2", 30 * DAY, False),
        ("phase2:escalate", 45 * DAY, True),
    ]
    assert reminders[0].recipient == f.LEAD["coordinator"]
    assert reminders[-1].recipient == "coordinating-rom"
    assert all("outbox" in r.channel.split(",") for r in reminders)
    await cases.execute(env.client, case_id, f.command("articulate-needs", needs=f.NEEDS))
    # going back to phase 1 and to phase 2 again brings no new phase-2 reminders
    await cases.execute(env.client, case_id, f.command("change-phase", phase=1))
    await cases.execute(env.client, case_id, f.command("change-phase", phase=2))
    await env.sleep(200 * DAY)
    later = [r for r in sent(ledger, case_id) if r.rule == "phase2"]
    assert len(later) == 4
    assert fold(r.event for r in ledger.events(case_id)) == await cases.state(env.client, case_id)


async def test_articulating_needs_stops_the_follow_ups(ts_worker):
    env, queue, ledger = ts_worker
    case_id = new_id()
    start = await cases.start(env.client, queue, f.start(phase=3), case_id)
    await env.sleep(40 * DAY)  # the reminder at once, follow-up 1 (day 30) goes out
    await cases.execute(env.client, case_id, f.command("articulate-needs", needs=f.NEEDS))
    await env.sleep(100 * DAY)  # no escalation at day 90
    anchor = f"articulation:{start.state.detected_at.date()}"
    assert [r.key for r in sent(ledger, case_id) if r.rule == "articulation"] == [
        f"{anchor}:remind", f"{anchor}:follow-up-1"]
    assert start.state.phase == 3


async def test_overdue_consultation_escalates_on_its_due_date(ts_worker):
    env, _, ledger = ts_worker
    case_id = new_id()
    rules = ReminderRules(phase2=None, stage_service_time={})
    async with deployment(env, ledger, rules, started=[case_id]) as queue:
        await _overdue_consultation(env, queue, ledger, case_id)


async def _overdue_consultation(env, queue, ledger, case_id):
    r = await cases.start(env.client, queue, f.start(), case_id)
    for cmd in f.happy_path(r.state.detected_at.date())[:4]:  # up to a consultation due in 30 days
        r = await cases.execute(env.client, case_id, cmd)
    due = r.state.consultations[0].due
    await env.sleep(40 * DAY)
    reminders = sent(ledger, case_id)
    assert [(x.key, x.at.date(), x.escalation) for x in reminders] == [
        ("consultation:C1:due-soon", due - 7 * DAY, False),
        ("consultation:C1:overdue", due, True),
    ]
    # answering closes the consultation: nothing more for it
    await cases.execute(env.client, case_id, f.command(
        "answer-consultation", consultation_id="C1", verdict="positive", answer="ok"))
    await env.sleep(40 * DAY)
    assert len(sent(ledger, case_id)) == 2


async def test_stage_deadline_reminds_then_escalates(ts_worker):
    env, _, ledger = ts_worker
    case_id = new_id()
    rules = ReminderRules(phase2=None, stage_service_time={"needs_articulation": 10 * DAY},
                          stage_escalate_after=5 * DAY)
    async with deployment(env, ledger, rules, started=[case_id]) as queue:
        r = await cases.start(env.client, queue, f.start(), case_id)
        r = await cases.execute(env.client, case_id, f.command("articulate-needs", needs=f.NEEDS))
        entered = r.state.stage_entered_at
        await env.sleep(20 * DAY)
    reminders = sent(ledger, case_id)
    assert [(x.rule, rounded(x.at - entered), x.escalation) for x in reminders] == [
        ("stage-deadline", 10 * DAY, False),
        ("stage-deadline", 15 * DAY, True),
    ]


async def test_rules_belong_to_the_deployment_and_a_change_is_adopted_at_the_next_wake_up(ts_worker):
    """The starter's rules are ignored; the workers' rules are recorded once per version in the
    programme chain; a case follows a new version from its next wake-up, and every reminder names
    the version it followed."""
    env, _, ledger = ts_worker
    case_id = new_id()
    old = ReminderRules(phase2={"follow_ups": [14 * DAY, 30 * DAY], "escalate_after": None})
    new = ReminderRules(phase2={"follow_ups": [14 * DAY, 20 * DAY], "escalate_after": 25 * DAY})
    queue = f"rules-{uuid.uuid4().hex[:8]}"
    # a starter asking for no reminders at all is not obeyed
    from workflows.case_io import CaseConfig
    silent = CaseConfig(reminders=ReminderRules(phase2=None, stage_service_time={}))
    async with deployment(env, ledger, old, queue):
        await cases.start(env.client, queue, f.start(phase=2), case_id, config=silent)
        await env.sleep(DAY)
    first = sent(ledger, case_id)
    assert [r.key for r in first] == ["phase2:remind"]
    assert first[0].rules_version == old.version()
    async with deployment(env, ledger, new, queue, started=[case_id]):
        await env.sleep(30 * DAY)  # wakes at day 14 (planned under the old rules), adopts the new ones
    # a second worker starting with the same rules records nothing new
    assert ledger.adopt_reminder_rules(new, actor="another-worker", at=reminders_at(ledger, case_id)) == (
        new.version(), False)
    reminders = sent(ledger, case_id)
    assert [(r.key, r.rules_version) for r in reminders] == [
        ("phase2:remind", old.version()),
        ("phase2:follow-up-1", new.version()),
        ("phase2:follow-up-2", new.version()),
        ("phase2:escalate", new.version()),
    ]
    versions = [e.version for e, _, _ in ledger.programme_events() if e.type == "ReminderRulesChanged"]
    assert versions[-2:] == [old.version(), new.version()]
    assert ledger.reminder_rules().version == new.version()
