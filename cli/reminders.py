"""``brandpunt reminders due``: the coordinator's inbox of reminders due or overdue, all cases.

What is in it and how each item is labelled is the client library's (``client.inbox``); this
module only prints it.
"""

from __future__ import annotations

import argparse
from datetime import timedelta

from cli.files import days


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    rem = sub.add_parser("reminders", help="reminders due or overdue across all cases")
    rsub = rem.add_subparsers(dest="reminders_cmd", required=True)
    due = rsub.add_parser("due", help="what is due or overdue (and what falls due soon)")
    due.add_argument("--within", type=days, default=14, metavar="N",
                     help="also list what falls due within N days (0-3660, default 14)")
    due.add_argument("--include-demo", action="store_true", help="also the demo cases (left out by default)")
    due.add_argument("--json", action="store_true")
    due.set_defaults(func=run_due)


async def run_due(args: argparse.Namespace) -> int:
    from cli.lead import _cases, emit_json

    async with _cases() as cases:
        found = await cases.inbox(timedelta(days=args.within), include_demo=args.include_demo)
    if args.json:
        emit_json([x.as_json() for x in found])
        return 0
    width = max((len(x.label) for x in found), default=0)
    for x in found:
        up = " [escalation]" if x.escalation else ""
        print(f"{x.label:<{width}}  {x.case_id:<14} {x.subject}{up} -> {x.recipient}")
    demo = "" if args.include_demo else " (demo cases left out; --include-demo shows them)"
    print(f"{len(found)} reminder(s) due or due within {args.within} days{demo}")
    return 0
