"""``brandpunt report impact``: the impact report for a period, from the ledger.

The same :func:`reports.render_report` the scheduled progress, annual and final reports call, so
a coordinator can produce (or re-produce) any of them by hand.
"""

from __future__ import annotations

import argparse
from pathlib import Path

from cli.errors import BadInput


def register(sub: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    rep = sub.add_parser("report", help="reports from the ledger")
    rsub = rep.add_subparsers(dest="report_cmd", required=True)
    imp = rsub.add_parser("impact", help="indicators against targets, funnel, lead times, policy signals")
    imp.add_argument("--period", required=True,
                     help="YYYY, YYYYH1, YYYYH2, YYYYQ1-4 or YYYY-YYYY (e.g. 2026H1, 2026, 2025-2028)")
    imp.add_argument("--format", choices=["md", "html", "json"], default="md")
    imp.add_argument("--out", help="write to this file instead of standard output")
    imp.set_defaults(func=run_impact)


def run_impact(args: argparse.Namespace) -> int:
    import settings as config
    from domain.impact import Period, PeriodError
    from ledger.store import Ledger
    from reports import render_report

    try:
        period = Period.parse(args.period)
    except PeriodError as err:
        raise BadInput(str(err)) from None
    ledger = Ledger.open(config.load().ledger_url)
    try:
        ledger.check_schema()
        text = render_report(ledger, period, args.format)
    finally:
        ledger.dispose()
    if args.out:
        Path(args.out).write_text(text, encoding="utf-8")
        print(args.out)
    else:
        print(text, end="" if text.endswith("\n") else "\n")
    return 0
