"""The coordinator's inbox: what is due or overdue across cases, and what falls due soon.

Computed from the cases' states with the same pure plan the workflows follow (``domain.reminders``).
The plan only holds reminders whose reason still stands (needs not yet articulated, still in the
stage, consultation still open), so an item stays in the inbox until the coordinator acts, not
merely until the reminder was sent. One item per reminder chain: the latest step that is due
(reminder, follow-up, escalation), or the next one when nothing is due yet.

Each item says what is true in words (:func:`label`): a consultation due in 7 days is "due in 7
days", not "OVERDUE" because its early reminder went out.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from client.story import Words
from domain.organisations import Organisations
from domain.reminders import PlannedReminder, ReminderRules, plan
from domain.state import CaseState


@dataclass(frozen=True)
class InboxItem:
    case_id: str
    company: str
    stage: str
    key: str
    rule: str
    due_at: datetime
    """When the reminder step fell (or falls) due."""
    deadline: date | None
    """The date the thing itself is due (a consultation's due date), when there is one."""
    escalation: bool
    recipient: str
    subject: str
    sent: bool
    delivery_failed: bool
    label: str

    def as_json(self) -> dict[str, object]:
        return {
            "case_id": self.case_id,
            "company": self.company,
            "stage": self.stage,
            "key": self.key,
            "rule": self.rule,
            "due_at": self.due_at.isoformat(),
            "deadline": self.deadline.isoformat() if self.deadline else None,
            "overdue": self.overdue,
            "escalation": self.escalation,
            "recipient": self.recipient,
            "subject": self.subject,
            "sent": self.sent,
            "delivery_failed": self.delivery_failed,
            "label": self.label,
        }

    @property
    def overdue(self) -> bool:
        """The thing is late (not merely: its reminder has gone out)."""
        return self.label.startswith("overdue") or self.delivery_failed


def _in(n: int, what: str) -> Words:
    """``what`` ("due", "reminder") today, tomorrow or in n days."""
    if what == "due":
        return Words("due today") if n == 0 else Words("due tomorrow") if n == 1 else Words("due in {n} days", n=n)
    return Words("reminder today") if n == 0 else Words("reminder tomorrow") if n == 1 else Words(
        "reminder in {n} days", n=n)


def label(reminder: PlannedReminder, deadline: date | None, now: datetime) -> str:
    """What is true about ``reminder`` at ``now``, in a few words (kept in any language: ``Words``)."""
    today = now.date()
    if deadline is not None:  # a consultation: say when the answer is due, not when we reminded
        if deadline >= today:
            return _in((deadline - today).days, "due")
        return Words("overdue since {day}", day=deadline)
    if reminder.due_at > now:
        return _in((reminder.due_at.date() - today).days, "reminder")
    if reminder.rule == "stage-deadline" or reminder.escalation:
        return Words("overdue since {day}", day=reminder.due_at.date())
    return Words("to do since {day}", day=reminder.due_at.date())


def _deadline(state: CaseState, key: str) -> date | None:
    parts = key.split(":")
    if parts[0] != "consultation" or len(parts) < 3:
        return None
    found = state.consultation(parts[1])
    return found.due if found else None


class _Plans:
    """``domain.reminders.plan`` kept per (case, last event, rules): a plan is a pure function of
    the state and the rules, and an inbox computes the same cases' plans on every load."""

    CAPACITY = 50_000

    def __init__(self) -> None:
        self._plans: OrderedDict[tuple[str, int, str], list[PlannedReminder]] = OrderedDict()
        self._lock = threading.Lock()

    def of(self, state: CaseState, rules: ReminderRules, rules_key: str) -> list[PlannedReminder]:
        key = (state.case_id, state.last_seq, rules_key)
        with self._lock:
            found = self._plans.get(key)
            if found is not None:
                self._plans.move_to_end(key)
                return found
        planned = plan(state, rules)
        with self._lock:
            self._plans[key] = planned
            while len(self._plans) > self.CAPACITY:
                self._plans.popitem(last=False)
        return planned


_PLANS = _Plans()


def items(
    states: Iterable[CaseState], rules: ReminderRules, now: datetime, within: timedelta
) -> list[InboxItem]:
    """The inbox over ``states`` at ``now``: due, overdue, failed deliveries, and what falls due
    within ``within``; soonest first."""
    horizon = now + within
    rules_key = rules.model_dump_json()
    out: list[InboxItem] = []
    for state in states:
        chains: dict[str, PlannedReminder] = {}
        for r in _PLANS.of(state, rules, rules_key):  # earliest first: a later due step replaces an earlier one
            anchor = r.key.rsplit(":", 1)[0]
            if r.due_at <= now or (anchor not in chains and r.due_at <= horizon):
                chains[anchor] = r
        for key, failed in state.failed_deliveries.items():
            retry = f"; next try {failed.retry_at:%Y-%m-%d %H:%M}" if failed.retry_at else "; no more tries"
            out.append(
                InboxItem(
                    case_id=state.case_id, company=state.lead.company, stage=state.stage.value, key=key,
                    rule="delivery", due_at=failed.failed_at, deadline=None, escalation=False,
                    recipient=",".join(failed.channels),
                    subject=f"delivery of reminder {key} failed {failed.failures}x ({failed.error}){retry}",
                    sent=False, delivery_failed=True, label=Words("delivery failed"),
                )
            )
        for r in chains.values():
            deadline = _deadline(state, r.key)
            out.append(
                InboxItem(
                    case_id=state.case_id, company=state.lead.company, stage=state.stage.value, key=r.key,
                    rule=r.rule, due_at=r.due_at, deadline=deadline, escalation=r.escalation,
                    recipient=r.recipient, subject=r.subject, sent=r.key in state.reminder_keys,
                    delivery_failed=False, label=label(r, deadline, now),
                )
            )
    out.sort(key=lambda x: (x.due_at, x.case_id))
    return out


def sharing_items(states: Iterable[CaseState], organisations: Organisations, now: datetime) -> list[InboxItem]:
    """What the owners have to decide about sharing: a location chosen in another region proposed
    sharing the case with that region's ROM (``SharingProposed``), and the case is not shared with it."""
    from client.access import proposed_shares

    out = []
    for state in states:
        for rom in proposed_shares(state, organisations, now.date()) if state.sharing_proposed else ():
            org = organisations.get(rom)
            out.append(InboxItem(
                case_id=state.case_id, company=state.lead.company, stage=state.stage.value, key=f"share:{rom}",
                rule="sharing", due_at=state.updated_at, deadline=None, escalation=False,
                recipient="the owner's coordinators",
                subject=(f"the chosen location lies in {org.name if org else rom}'s region: share the case with it "
                         f"(lead share {state.case_id} --with {rom} --purpose ... --until ...)"),
                sent=False, delivery_failed=False, label=Words("to decide: sharing")))
    return out


NEXT_STEP = {"detection": "articulate-needs", "needs_articulation": "propose-matches",
             "matchmaking": "choose-location", "consultation": "answer-consultation", "realisation": "realise"}
"""The action that moves a case on from each open stage (what a stage's overdue reminder calls for)."""
CALLS_FOR = {"articulation": "articulate-needs", "phase2": "articulate-needs", "consultation": "answer-consultation",
             "sharing": "share"}


def calls_for(item: InboxItem) -> str | None:
    """The action (a ``client.actions`` kind) an inbox item asks of the coordinator, if one does."""
    if item.rule == "stage-deadline":
        return NEXT_STEP.get(item.stage)
    return CALLS_FOR.get(item.rule)


def shared_items(states: Iterable[CaseState], organisation: str, organisations: Organisations, now: datetime,
                 within: timedelta) -> list[InboxItem]:
    """Cases shared with ``organisation`` in the last ``within`` and still shared: what a ROM's
    coordinators are newly let in on, with whose case it is and why."""
    out = []
    for state in states:
        share = state.share_with(organisation)
        if share is None or not share.active(now.date()) or share.since < now - within:
            continue
        owner = organisations.get(state.owner) if state.owner else None
        out.append(InboxItem(
            case_id=state.case_id, company=state.lead.company, stage=state.stage.value, key=f"shared:{organisation}",
            rule="shared", due_at=share.since, deadline=share.until, escalation=False, recipient=organisation,
            subject=Words("shared with you by {owner} for “{purpose}”, until {day}",
                          owner=owner.name if owner else state.owner or "its owner", purpose=share.purpose,
                          day=share.until),
            sent=False, delivery_failed=False, label=Words("new: shared with you")))
    return out
