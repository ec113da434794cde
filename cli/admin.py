"""``brandpunt admin offboard SUBJECT --to COLLEAGUE``: an administrator's acts, through the API.

Offboarding revokes every token of the person who leaves and hands their open cases (of the
administrator's organisation) to a named colleague, recorded as one access-log entry and an update
of the coordinator in each case (``api/admin.py``). Through the API only: the API host checks the
administrator's role and records who did it.
"""

from __future__ import annotations

import argparse

from client.errors import BadInput


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    admin = sub.add_parser("admin", help="administrators (through the API): offboard a coordinator")
    asub = admin.add_subparsers(dest="admin_cmd", required=True, metavar="ACTION")
    off = asub.add_parser("offboard", help="revoke a leaving coordinator's tokens and hand their open cases to a "
                          "colleague, in one recorded step")
    off.add_argument("subject", metavar="SUBJECT", help="who leaves (their sign-in subject)")
    off.add_argument("--to", required=True, metavar="COLLEAGUE", help="who takes their open cases over")
    off.add_argument("--reason", help="why (recorded; default: SUBJECT leaves)")
    off.add_argument("--json", action="store_true")
    off.set_defaults(func=run_offboard)


async def run_offboard(args: argparse.Namespace) -> int:
    import settings as config
    from cli.lead import emit_json
    from client.http import HttpCases

    s = config.load()
    if not s.web.api_url:
        raise BadInput("admin offboard goes through the API: set BRANDPUNT_API_URL and `brandpunt login` as an "
                       "administrator", "api_url")
    body = {"subject": args.subject, "to": args.to, **({"reason": args.reason} if args.reason else {})}
    async with HttpCases.from_settings(s) as api:
        done = await api.post("/api/admin/offboard", body)
    if args.json:
        emit_json(done)
        return 0
    print(f"{done['subject']}: {done['tokens_revoked']} token(s) revoked; {len(done['handed_over'])} open case(s) "
          f"handed to {done['to']}" + (f": {', '.join(done['handed_over'])}" if done["handed_over"] else ""))
    for case_id, why in done["not_handed_over"].items():
        print(f"{case_id}: not handed over: {why}")
    return 0 if not done["not_handed_over"] else 1
