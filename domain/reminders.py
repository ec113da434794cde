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
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, model_validator

from domain import bounds as b
from domain.state import CaseState
from domain.vocab import Stage


class Phase2Rule(BaseModel):
    """The rule before issue 14: remind when a lead *reaches* phase 2, follow up, and escalate every
    lead still unarticulated 45 days later. Kept for rule sets that name it (and the histories that
    followed it); the programme's rule is :class:`ArticulationRule`."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    follow_ups: list[b.Duration] = Field(
        default_factory=lambda: [timedelta(days=14), timedelta(days=30)],
        max_length=b.FOLLOW_UPS_MAX,
        description="after the first reminder, while the needs are not articulated",
    )
    escalate_after: b.Duration | None = Field(default=timedelta(days=45))


class ArticulationRule(BaseModel):
    """When to ask a lead for its growth question: as it nears the end of venture phase 2.

    The programme: the space need "kan ... vanaf het einde van levensfase 2 van het venture
    buildingsmodel inzichtelijk worden gemaakt", and the aim is to have it asked "2 tot 3 jaar
    eerder" (sources/002). So the reminder falls ``remind_before_end`` before the end of phase 2;
    that end is, in this order: when the lead reached phase 3 (phase 2 has ended), the end a
    coordinator recorded (``expect-phase2-end``), or phase 2's start plus ``phase2_length`` (a rule
    on the phase's age). Escalation only when the articulation window is at risk: the end of phase 2
    lies ``escalate_after_end`` behind and the question is still not asked. The durations are the
    deployment's (the programme names none); the defaults are a starting point.
    """

    model_config = ConfigDict(frozen=True, extra="forbid")

    phase2_length: b.Duration = Field(
        default=timedelta(days=540), description="the expected length of phase 2 when no end is recorded (18 months)"
    )
    remind_before_end: b.Duration = Field(default=timedelta(days=90))
    follow_ups: list[b.Duration] = Field(
        default_factory=lambda: [timedelta(days=30)],
        max_length=b.FOLLOW_UPS_MAX,
        description="after the reminder, while the needs are not articulated",
    )
    escalate_after_end: b.Duration | None = Field(
        default=timedelta(days=90), description="past the end of phase 2 without articulation: the window is at risk"
    )


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

    phase2: Phase2Rule | None = None
    articulation: ArticulationRule | None = Field(default_factory=ArticulationRule)
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

    @model_validator(mode="before")
    @classmethod
    def _written_before_the_articulation_rule(cls, data: Any) -> Any:
        """A rule set that names ``phase2`` but not ``articulation`` was written before the
        articulation rule existed (every rule set recorded in a case's history then, and a
        deployment's file of that time): it keeps its meaning, the phase-2 rule alone. Replay of
        those histories depends on it."""
        if isinstance(data, dict) and "phase2" in data and "articulation" not in data:
            return {**data, "articulation": None}
        return data

    def version(self) -> str:
        """A content address: the same rules give the same version on every worker."""
        return rules_version(self)


def rules_version(rules: ReminderRules) -> str:
    """``r-`` and 12 hex digits of the rules' canonical JSON. A rule set without the articulation
    rule is addressed without the field, so a rule set written before it keeps its version."""
    data = rules.model_dump(mode="json")
    if data["articulation"] is None:
        del data["articulation"]
    canonical = json.dumps(data, sort_keys=True, separators=(",", ":"))
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


SUBJECTS = (
    "{company} is past venture phase 2 (phase 3 since {day}): articulate its growth question",
    "{company} nears the end of venture phase 2 (expected {day}): articulate its growth question",
    "{company} nears the end of venture phase 2 (typical length {day}): articulate its growth question",
    "escalation: {company} is past the end of venture phase 2 ({day}) and its growth question is not "
    "articulated: the 2-3 years head start is at risk",
    "{company} reached venture phase 2: start needs articulation",
    "{company} is in venture phase {phase}, past phase 2: start needs articulation",
    "{company} is back in venture phase {phase} after phase 2 or later: start needs articulation",
    "{company} is overdue in stage {stage} (since {day})",
    "{company}: consultation {consultation} ({party}, {subject}) due {day}",
)
"""A reminder's subject, as templates: the English text recorded in the ledger is exactly one of
these filled in, perhaps behind :data:`PREFIXES`, so an e-mail can be said in its recipient's language
(``activities.notify``; the catalogue has each). The text itself never changes: it is recorded."""
PREFIXES = ("follow-up {i}: {subject}", "escalation: {subject}", "overdue, escalated: {subject}")
"""What a follow-up or an escalation puts before a reminder's subject."""


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


class Phase2End(BaseModel):
    """When phase 2 ends (or ended) for the articulation reminder, what says so, and since when that
    is known (a reminder is never due before its reason)."""

    model_config = ConfigDict(frozen=True)

    at: datetime
    basis: str
    """``reached phase 3`` (it has ended), ``expected`` (recorded by a coordinator) or ``typical
    length`` (phase 2's start plus the rule's ``phase2_length``)."""
    known_at: datetime


def phase2_end(state: CaseState, rule: ArticulationRule) -> Phase2End | None:
    """The end of phase 2 the articulation reminder falls before; ``None`` before phase 2 with no
    end expected."""
    ended = min((at for phase, at in state.phase_reached_at.items() if phase >= 3), default=None)
    if ended is not None:
        return Phase2End(at=ended, basis="reached phase 3", known_at=ended)
    if state.phase2_end_expected is not None and state.phase2_end_expected_at is not None:
        return Phase2End(at=_start_of(state.phase2_end_expected), basis="expected",
                         known_at=state.phase2_end_expected_at)
    started = state.phase_reached_at.get(2)
    if started is not None:
        return Phase2End(at=started + rule.phase2_length, basis="typical length", known_at=started)
    return None


def _articulation(state: CaseState, rule: ArticulationRule, to: str, up: str) -> list[PlannedReminder]:
    end = phase2_end(state, rule)
    if end is None:
        return []
    end_at, basis = end.at, end.basis
    remind_at = max(end_at - rule.remind_before_end, min(end.known_at, end_at))
    anchor = f"articulation:{end_at:%Y-%m-%d}"
    company = state.lead.company
    if basis == "reached phase 3":
        subject = f"{company} is past venture phase 2 (phase 3 since {end_at:%Y-%m-%d}): articulate its growth question"
    else:
        subject = (f"{company} nears the end of venture phase 2 ({basis} {end_at:%Y-%m-%d}): "
                   "articulate its growth question")
    out = [PlannedReminder(key=f"{anchor}:remind", rule="articulation", due_at=remind_at, subject=subject,
                           recipient=to)]
    for i, after in enumerate(rule.follow_ups, start=1):
        out.append(PlannedReminder(key=f"{anchor}:follow-up-{i}", rule="articulation", due_at=remind_at + after,
                                   subject=f"follow-up {i}: {subject}", recipient=to))
    if rule.escalate_after_end is not None:
        out.append(PlannedReminder(
            key=f"{anchor}:escalate", rule="articulation", due_at=end_at + rule.escalate_after_end,
            subject=(f"escalation: {company} is past the end of venture phase 2 ({end_at:%Y-%m-%d}) and its "
                     "growth question is not articulated: the 2-3 years head start is at risk"),
            recipient=up, escalation=True))
    return out


def plan(state: CaseState, rules: ReminderRules) -> list[PlannedReminder]:
    """Every reminder the case is owed in its current state, sent or not, earliest first."""
    if not state.open:
        return []
    to = state.lead.coordinator or rules.default_recipient
    up = rules.escalation_recipient
    company = state.lead.company
    out: list[PlannedReminder] = []

    phase2_at = min((at for phase, at in state.phase_reached_at.items() if phase >= 2), default=None)
    if rules.articulation and state.needs is None:
        out += _articulation(state, rules.articulation, to, up)
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
