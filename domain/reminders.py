"""Reminder rules and the pure plan of which reminders a case is owed, and when.

Why a *plan* rather than timers: every reminder a case is owed follows from its state (when phase 2
was first reached, when the current stage was entered, each consultation's due date) and the
deployment's rules. The workflow sleeps until the earliest unsent one; the coordinator's inbox
(``brandpunt reminders due``) lists the same plan from the ledger. Each reminder has a stable
``key``; a ``ReminderSent`` event records the key, so a reminder is never sent twice, and a lead
that drops back to phase 1 and reaches phase 2 again gets no new storm (the anchor is the *first*
time phase 2 was reached).
"""

from __future__ import annotations

import hashlib
import json
from datetime import UTC, date, datetime, time, timedelta

from pydantic import BaseModel, ConfigDict, Field

from domain import bounds as b
from domain.state import CaseState
from domain.vocab import Stage


class Phase2Rule(BaseModel):
    """From phase 2 on, a company's space need can be articulated: start needs articulation."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    follow_ups: list[b.Duration] = Field(
        default_factory=lambda: [timedelta(days=14), timedelta(days=30)],
        max_length=b.FOLLOW_UPS_MAX,
        description="after the first reminder, while the needs are not articulated",
    )
    escalate_after: b.Duration | None = Field(default=timedelta(days=45))


class ReminderRules(BaseModel):
    """Per deployment (``BRANDPUNT_REMINDER_RULES`` names a JSON file of this shape, read by the
    worker; the starter of a case has no say).

    How rules change without workflow patches: a case receives the rules as data (the
    ``case_settings`` local activity, recorded in its history) and :func:`plan` derives everything
    from the case's state and these rules. So a new timing rule (the programme's "from the end of
    venture phase 2", ...) is a new field here, or a new value of
    an existing one, whose default keeps today's behaviour, and a branch in :func:`plan` on that
    field, never on the code's age: histories replay with the rules they recorded, running cases
    adopt a new rule set at their next wake-up, and each reminder names the version it followed.

    Every duration is more than zero and at most ``domain.bounds.DURATION_MAX`` (10 years): a
    rules file saying 10^9 days would otherwise overflow a datetime and wedge every case.
    """

    model_config = ConfigDict(frozen=True, extra="forbid")

    phase2: Phase2Rule | None = Field(default_factory=Phase2Rule)
    stage_service_time: dict[Stage, b.Duration] = Field(
        default_factory=lambda: {
            Stage.NEEDS_ARTICULATION: timedelta(days=60),
            Stage.MATCHMAKING: timedelta(days=60),
            Stage.CONSULTATION: timedelta(days=120),
            Stage.REALISATION: timedelta(days=365),
        },
        description="how long a case may stay in a stage before it is overdue",
    )
    stage_escalate_after: b.Duration = Field(default=timedelta(days=14))
    consultation_remind_before: b.Duration = Field(default=timedelta(days=7))
    default_recipient: str = Field(default="taskforce-coordinator", min_length=1, max_length=b.RECIPIENT_MAX)
    escalation_recipient: str = Field(default="coordinating-rom", min_length=1, max_length=b.RECIPIENT_MAX)
    delivery_retry_after: list[b.Duration] = Field(
        default_factory=lambda: [timedelta(hours=1), timedelta(hours=6), timedelta(hours=24)],
        max_length=b.FOLLOW_UPS_MAX,
        description="after a reminder's e-mail/webhook delivery failed (its bounded attempts used up), "
        "try again after each of these in turn; when they are used up the failure stands in the inbox",
    )

    def version(self) -> str:
        """A content address: the same rules give the same version on every worker."""
        return rules_version(self)


def rules_version(rules: ReminderRules) -> str:
    canonical = json.dumps(rules.model_dump(mode="json"), sort_keys=True, separators=(",", ":"))
    return "r-" + hashlib.sha256(canonical.encode("utf-8")).hexdigest()[:12]


EMAIL_CHANNEL = "email"
WEBHOOK_CHANNEL = "webhook"
OUTBOX_CHANNEL = "outbox"


def channels_for(recipient: str, configured: list[str]) -> list[str]:
    """The external channels a reminder to ``recipient`` goes out on, of those the deployment has.

    The outbox (the inbox every coordinator reads) always holds it; e-mail only reaches recipients
    that are addresses; a webhook gets every reminder.
    """
    out = []
    if EMAIL_CHANNEL in configured and "@" in recipient:
        out.append(EMAIL_CHANNEL)
    if WEBHOOK_CHANNEL in configured:
        out.append(WEBHOOK_CHANNEL)
    return out


class PlannedReminder(BaseModel):
    model_config = ConfigDict(frozen=True)

    key: str
    rule: str
    due_at: datetime
    subject: str
    recipient: str
    escalation: bool = False


def _start_of(day: date) -> datetime:
    return datetime.combine(day, time(0, 0), tzinfo=UTC)


def _phase_words(phase: int) -> str:
    """Where the lead is, for the articulation reminder: space needs "kunnen vanaf het einde van
    levensfase 2 van het venture buildingsmodel inzichtelijk worden gemaakt" (sources/002), so the
    reminder is owed from phase 2 on, and its text says the phase the lead is in now (a lead that
    started in phase 3 never "reached phase 2"; one back in phase 1 had been in phase 2 or later)."""
    if phase == 2:
        return "reached venture phase 2"
    if phase > 2:
        return f"is in venture phase {phase}, past phase 2"
    return f"is back in venture phase {phase} after phase 2 or later"


def plan(state: CaseState, rules: ReminderRules) -> list[PlannedReminder]:
    """Every reminder the case is owed in its current state, sent or not, earliest first."""
    if not state.open:
        return []
    to = state.lead.coordinator or rules.default_recipient
    up = rules.escalation_recipient
    company = state.lead.company
    out: list[PlannedReminder] = []

    phase2_at = min((at for phase, at in state.phase_reached_at.items() if phase >= 2), default=None)
    if rules.phase2 and phase2_at is not None and state.needs is None:
        subject = f"{company} {_phase_words(state.phase)}: start needs articulation"
        out.append(PlannedReminder(key="phase2:remind", rule="phase2", due_at=phase2_at, subject=subject, recipient=to))
        for i, after in enumerate(rules.phase2.follow_ups, start=1):
            out.append(PlannedReminder(key=f"phase2:follow-up-{i}", rule="phase2", due_at=phase2_at + after,
                                       subject=f"follow-up {i}: {subject}", recipient=to))
        if rules.phase2.escalate_after is not None:
            out.append(PlannedReminder(key="phase2:escalate", rule="phase2", due_at=phase2_at + rules.phase2.escalate_after,
                                       subject=f"escalation: {subject}", recipient=up, escalation=True))

    service = rules.stage_service_time.get(state.stage)
    if service is not None:
        entered = state.stage_entered_at
        overdue_at = entered + service
        anchor = f"stage:{state.stage.value}:{entered.isoformat()}"
        subject = f"{company} is overdue in stage {state.stage.value} (since {overdue_at:%Y-%m-%d})"
        out.append(PlannedReminder(key=f"{anchor}:overdue", rule="stage-deadline", due_at=overdue_at,
                                   subject=subject, recipient=to))
        out.append(PlannedReminder(key=f"{anchor}:escalate", rule="stage-deadline",
                                   due_at=overdue_at + rules.stage_escalate_after,
                                   subject=f"escalation: {subject}", recipient=up, escalation=True))

    for c in state.consultations:
        if not c.open:
            continue
        due = _start_of(c.due)
        subject = f"{company}: consultation {c.consultation_id} ({c.party.value}, {c.subject}) due {c.due}"
        out.append(PlannedReminder(key=f"consultation:{c.consultation_id}:due-soon", rule="consultation",
                                   due_at=due - rules.consultation_remind_before, subject=subject, recipient=to))
        out.append(PlannedReminder(key=f"consultation:{c.consultation_id}:overdue", rule="consultation",
                                   due_at=due, subject=f"overdue, escalated: {subject}", recipient=up, escalation=True))
    return sorted(out, key=lambda r: (r.due_at, r.key))


def pending(state: CaseState, rules: ReminderRules) -> list[PlannedReminder]:
    """The planned reminders not yet recorded as sent."""
    sent = set(state.reminder_keys)
    return [r for r in plan(state, rules) if r.key not in sent]


def redeliveries(state: CaseState) -> list[tuple[datetime, str]]:
    """(when, key) of the reminders whose failed delivery is to be tried again, earliest first."""
    return sorted((d.retry_at, key) for key, d in state.failed_deliveries.items() if d.retry_at is not None)


def retry_at(rules: ReminderRules, failures: int, failed_at: datetime) -> datetime | None:
    """When to try a delivery again after its ``failures``-th failed round (None: give up)."""
    if failures < 1 or failures > len(rules.delivery_retry_after):
        return None
    return failed_at + rules.delivery_retry_after[failures - 1]
