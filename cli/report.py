"""``brandpunt report impact``: the impact report for a period, from the ledger.

The same :func:`reports.render_report` the scheduled progress, annual and final reports call, so
a coordinator can produce (or re-produce) any of them by hand. ``brandpunt report list`` and
``brandpunt report get ID`` show the reports the schedules produced, kept in the ledger database
as immutable snapshots (``ledger.snapshots``).
"""

from __future__ import annotations

import argparse
import os
from typing import TYPE_CHECKING

from client.errors import BadInput, CaseError

if TYPE_CHECKING:
    from ledger.snapshots import ReportSnapshots
    from ledger.store import Ledger


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    rep = sub.add_parser("report", help="reports from the ledger")
    rsub = rep.add_subparsers(dest="report_cmd", required=True)
    imp = rsub.add_parser("impact", help="indicators against targets, funnel, lead times, policy signals")
    imp.add_argument("--period", required=True,
                     help="YYYY, YYYYH1, YYYYH2, YYYYQ1-4 or YYYY-YYYY (e.g. 2026H1, 2026, 2025-2028)")
    imp.add_argument("--format", choices=["md", "html", "json"], default="md")
    imp.add_argument("--language", choices=["nl", "en"],
                     help="the report's language (default: BRANDPUNT_LANG or the locale's, else English)")
    imp.add_argument("--out", help="write to this file instead of standard output")
    imp.add_argument("--kind", choices=["progress", "annual", "final"],
                     help="final adds the conclusions (from the taskforce's lessons and signals)")
    imp.add_argument("--as-of", metavar="TIME",
                     help="cut-off (ISO date or time, UTC unless it says otherwise; default now): events after it "
                          "are left out, and a period not ended by then is cut there")
    imp.add_argument("--include-demo", action="store_true", help="count demo cases too (left out by default)")
    imp.add_argument("--another-region", choices=["rom-region", "hotspot"], default="rom-region",
                     help="what 'another region' means: another ROM region (default), or also another hotspot "
                          "of the own ROM region")
    imp.set_defaults(func=run_impact)
    ls = rsub.add_parser("list", help="the produced reports kept in the ledger database")
    ls.add_argument("--kind", choices=["progress", "annual", "final"])
    ls.add_argument("--period")
    ls.add_argument("--json", action="store_true")
    ls.set_defaults(func=run_list)
    get = rsub.add_parser("get", help="one produced report's content (checked against its sha256)")
    get.add_argument("id", type=int, metavar="ID")
    get.add_argument("--out", help="write to this file instead of standard output")
    get.set_defaults(func=run_get)


def _snapshots() -> tuple[Ledger, ReportSnapshots]:
    import settings as config
    from ledger.store import Ledger

    ledger = Ledger.open(config.load().ledger_url)
    ledger.check_schema()
    return ledger, ledger.snapshots


def run_list(args: argparse.Namespace) -> int:
    import json
    from dataclasses import asdict

    ledger, snapshots = _snapshots()
    try:
        rows = snapshots.list(kind=args.kind, period=args.period)
    finally:
        ledger.dispose()
    if args.json:
        print(json.dumps([{k: v for k, v in asdict(r).items() if k != "content"} for r in rows], indent=2))
        return 0
    for r in rows:
        print(f"{r.id:>5} {r.kind:<9} {r.period:<10} {r.format:<5} cut-off {r.cutoff}  "
              f"{r.size:>9} chars  sha256 {r.sha256[:16]}  created {r.created_at}")
    print(f"{len(rows)} report(s)")
    return 0


def run_get(args: argparse.Namespace) -> int:
    from ledger.snapshots import sha256

    ledger, snapshots = _snapshots()
    try:
        snap = snapshots.get(args.id)
    finally:
        ledger.dispose()
    if snap is None or snap.content is None:
        raise BadInput(f"no report {args.id} (see `brandpunt report list`)")
    if sha256(snap.content) != snap.sha256:
        raise CaseError(f"report {args.id}: its content does not match its sha256 {snap.sha256}")
    _emit(snap.content, args.out)
    return 0


def _emit(text: str, out: str | None) -> None:
    if out:
        from cli.files import write_text

        write_text(out, text)
        print(out)
    else:
        print(text, end="" if text.endswith("\n") else "\n")


def run_impact(args: argparse.Namespace) -> int:
    import settings as config
    from cli.audit import _as_of
    from domain.impact import Period, PeriodError
    from ledger.store import Ledger
    from reports import render_report
    from reports.i18n import language_from, reading

    try:
        period = Period.parse(args.period)
    except PeriodError as err:
        raise BadInput(str(err), "period") from None
    as_of = _as_of(args.as_of)  # the same cut-off flag as `audit history --as-of`
    ledger = Ledger.open(config.load().ledger_url)
    try:
        ledger.check_schema()
        with reading(args.language or language_from(os.environ)):
            text = render_report(ledger, period, args.format, as_of=as_of, include_demo=args.include_demo,
                                 kind=args.kind, another_region=args.another_region)
    finally:
        ledger.dispose()
    _emit(text, args.out)
    return 0
