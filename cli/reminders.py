"""``brandpunt reminders due``: the coordinator's inbox of reminders due or overdue, all cases.

Computed from the ledger's case projection with the same pure plan the workflows follow
(``domain.reminders``). The plan only holds reminders whose reason still stands (needs not yet
articulated, still in the stage, consultation still open), so an item stays in the inbox until
the coordinator acts, not merely until the reminder was sent. One line per item: the latest
step that is due (reminder, follow-up, escalation), or the next one when nothing is due yet.
"""

from __future__ import annotations

import argparse
import json
from datetime import UTC, datetime, timedelta


def register(sub: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    rem = sub.add_parser("reminders", help="reminders due or overdue across all cases")
    rsub = rem.add_subparsers(dest="reminders_cmd", required=True)
    due = rsub.add_parser("due", help="what is due or overdue (and what falls due soon)")
    due.add_argument("--within", type=int, default=14, help="also list what falls due within N days")
    due.add_argument("--json", action="store_true")
    due.set_defaults(func=run_due)


def run_due(args: argparse.Namespace) -> int:
    import settings as config
    from domain.reminders import ReminderRules, plan
    from ledger.store import Ledger

    s = config.load()
    ledger = Ledger.open(s.ledger_url)
    ledger.check_schema()
    adopted = ledger.reminder_rules()  # the rules the workers run with (the programme chain)
    rules = adopted.rules if adopted else ReminderRules()
    now = datetime.now(UTC)
    horizon = now + timedelta(days=args.within)
    rows = []
    for state in ledger.case_states():
        items: dict[str, object] = {}
        for r in plan(state, rules):  # earliest first: a later due step replaces an earlier one
            anchor = r.key.rsplit(":", 1)[0]
            if r.due_at <= now or (anchor not in items and r.due_at <= horizon):
                items[anchor] = r
        for key, failed in state.failed_deliveries.items():
            retry = f"; next try {failed.retry_at:%Y-%m-%d %H:%M}" if failed.retry_at else "; no more tries"
            rows.append(
                {
                    "case_id": state.case_id,
                    "company": state.lead.company,
                    "stage": state.stage.value,
                    "key": key,
                    "rule": "delivery",
                    "due_at": failed.failed_at.isoformat(),
                    "overdue": True,
                    "escalation": False,
                    "recipient": ",".join(failed.channels),
                    "subject": f"delivery of reminder {key} failed {failed.failures}x ({failed.error}){retry}",
                    "sent": False,
                    "delivery_failed": True,
                }
            )
        for r in items.values():
            rows.append(
                {
                    "case_id": state.case_id,
                    "company": state.lead.company,
                    "stage": state.stage.value,
                    "key": r.key,
                    "rule": r.rule,
                    "due_at": r.due_at.isoformat(),
                    "overdue": r.due_at <= now,
                    "escalation": r.escalation,
                    "recipient": r.recipient,
                    "subject": r.subject,
                    "sent": r.key in state.reminder_keys,
                }
            )
    ledger.dispose()
    rows.sort(key=lambda x: (x["due_at"], x["case_id"]))
    if args.json:
        print(json.dumps(rows, indent=2, ensure_ascii=False))
        return 0
    for x in rows:
        flag = "FAILED " if x.get("delivery_failed") else "OVERDUE" if x["overdue"] else "due    "
        up = " [escalation]" if x["escalation"] else ""
        print(f"{flag} {x['due_at'][:16]}  {x['case_id']:<40} {x['subject']}{up} -> {x['recipient']}")
    print(f"{len(rows)} reminder(s) due or due within {args.within} days")
    return 0
