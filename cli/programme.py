"""``brandpunt programme``: the taskforce's entries for the Ministry (lessons and programme signals).

Not a case's note: an entry is written for the Ministry by a taskforce organisation, names no
company or case (the ledger refuses one that does), and is recorded in the programme chain. Only
these entries reach the reports' qualitative sections and the final report's conclusions.

    brandpunt programme lesson --kind what_worked|lesson|recommendation --title T --text TEXT [--region R ...]
    brandpunt programme signal mirt --title T --text TEXT --region R [--region R] --concern housing [--jobs N]
    brandpunt programme signal financing-gap --title T --text TEXT --ticket-eur 80000000 [--region R ...]
    brandpunt programme signal knowledge-shared --title T --text TEXT --from-region R --to-region R2 [...]
    brandpunt programme withdraw SEQ --reason TEXT
    brandpunt programme list [--json]
"""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any

from client.errors import BadInput

KINDS = ("what_worked", "lesson", "recommendation")
CONCERNS = ("housing", "road", "public_transport", "public_facilities")


def _regions() -> list[str]:
    from domain.vocab import Region

    return [r.value for r in Region]


def _hotspots() -> list[str]:
    from domain.vocab import HotspotId

    return [h.value for h in HotspotId]


def _author_flags(p: argparse.ArgumentParser) -> None:
    p.add_argument("--actor", help="who writes it (default $BRANDPUNT_ACTOR); required")
    p.add_argument("--organisation", help="the taskforce organisation it is written for: a ROM, the NFIA or a "
                   "triple-helix organisation (default $BRANDPUNT_ORGANISATION); required")
    p.add_argument("--json", action="store_true", help="print the recorded entry as JSON")


def _entry_flags(p: argparse.ArgumentParser, regions_help: str = "a ROM region it concerns (repeat)",
                 regions_flag: str = "--region") -> None:
    p.add_argument("--title", required=True, help="a short title (at most 200 characters)")
    text = p.add_mutually_exclusive_group(required=True)
    text.add_argument("--text", help="the entry, anonymised: no company, KvK number or case id")
    text.add_argument("--text-file", metavar="FILE", help="read the text from FILE (UTF-8)")
    p.add_argument(regions_flag, action="append", default=[], choices=_regions(), dest="regions", help=regions_help)
    _author_flags(p)


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    prog = sub.add_parser("programme", help="the taskforce's lessons and programme signals for the Ministry")
    psub = prog.add_subparsers(dest="programme_cmd", required=True, metavar="ACTION")

    lesson = psub.add_parser("lesson", help="a lesson learned: what worked, a lesson, a recommendation")
    lesson.add_argument("--kind", required=True, choices=KINDS)
    _entry_flags(lesson)
    lesson.set_defaults(func=run_record, entry_type="LessonRecorded")

    signal = psub.add_parser("signal", help="a programme signal: MIRT, financing gap, knowledge shared")
    ssub = signal.add_subparsers(dest="signal_kind", required=True, metavar="KIND")
    mirt = ssub.add_parser("mirt", help="housing and accessibility for a very large scale-up, for the MIRT")
    _entry_flags(mirt, "the ROM region it concerns (required; repeat)")
    mirt.add_argument("--concern", action="append", default=[], choices=CONCERNS, dest="concerns",
                      help="what is asked (required; repeat): housing, road, public transport, public facilities")
    mirt.add_argument("--hotspot", choices=_hotspots())
    mirt.add_argument("--jobs", type=int, help="new jobs expected, when known")
    mirt.set_defaults(func=run_record, entry_type="MirtSignalled")
    gap = ssub.add_parser("financing-gap", help="a financing question from EUR 50 M ('tickets vanaf 50 miljoen')")
    _entry_flags(gap)
    gap.add_argument("--ticket-eur", type=int, required=True, help="the ticket asked, in EUR (at least 50,000,000)")
    gap.set_defaults(func=run_record, entry_type="FinancingGapSignalled")
    shared = ssub.add_parser("knowledge-shared", help="knowledge shared from one region to others")
    _entry_flags(shared, "a region that received it (required; repeat)", "--to-region")
    shared.add_argument("--from-region", required=True, choices=_regions())
    shared.set_defaults(func=run_record, entry_type="KnowledgeShared")

    withdraw = psub.add_parser("withdraw", help="take back an entry (it stays in the chain; reports leave it out)")
    withdraw.add_argument("entry", type=int, metavar="SEQ", help="the entry's seq (see `brandpunt programme list`)")
    withdraw.add_argument("--reason", required=True, help="why it is withdrawn (shown in the next report)")
    _author_flags(withdraw)
    withdraw.set_defaults(func=run_record, entry_type="EntryWithdrawn")

    ls = psub.add_parser("list", help="the entries of the programme chain, withdrawn ones marked")
    ls.add_argument("--json", action="store_true")
    ls.set_defaults(func=run_list)


def fields_of(args: argparse.Namespace) -> dict[str, Any]:
    """The entry's fields from the flags (checked by :func:`domain.programme.parse_entry`)."""
    import settings as config

    s = config.load()
    actor = args.actor or s.actor
    if not actor:
        raise BadInput("no actor: pass --actor NAME or set BRANDPUNT_ACTOR (every entry records who wrote it)", "actor")
    fields: dict[str, Any] = {"type": args.entry_type, "actor": actor, "organisation": args.organisation or s.organisation}
    if args.entry_type == "EntryWithdrawn":
        return fields | {"entry": args.entry, "reason": args.reason}
    if args.text_file:
        try:
            text = Path(args.text_file).read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError) as err:
            raise BadInput(f"--text-file: cannot read {args.text_file} ({type(err).__name__})", "text") from None
    else:
        text = args.text
    fields |= {"title": args.title, "text": text, "regions": args.regions}
    if args.entry_type == "LessonRecorded":
        fields["kind"] = args.kind
    elif args.entry_type == "MirtSignalled":
        fields |= {"concerns": args.concerns, "hotspot": args.hotspot, "jobs": args.jobs}
    elif args.entry_type == "FinancingGapSignalled":
        fields["ticket_eur"] = args.ticket_eur
    elif args.entry_type == "KnowledgeShared":
        fields["from_region"] = args.from_region
    return fields


def run_record(args: argparse.Namespace) -> int:
    import json
    from datetime import UTC, datetime

    import settings as config
    from cli.audit import _ledger
    from domain.errors import CommandRejected

    fields = fields_of(args)
    ledger = _ledger()
    try:
        event = ledger.programme.record(fields, datetime.now(UTC), config.load().organisations())
    except CommandRejected as err:
        raise BadInput(f"refused, nothing recorded: {err.message}", err.field) from None
    finally:
        ledger.dispose()
    if args.json:
        print(json.dumps(event.model_dump(mode="json"), indent=2, ensure_ascii=False))
    else:
        what = f"withdrawal of entry {args.entry}" if args.entry_type == "EntryWithdrawn" else "entry"
        print(f"{what} recorded: programme seq {event.seq} ({event.type}) by {event.actor} for {event.organisation}")
    return 0


def run_list(args: argparse.Namespace) -> int:
    import json

    from cli.audit import _ledger
    from domain.programme import ENTRY_TYPES

    ledger = _ledger()
    try:
        events = ledger.programme.payloads()
    finally:
        ledger.dispose()
    withdrawn = {e["entry"]: e for e in events if e["type"] == "EntryWithdrawn"}
    entries = [e | {"withdrawn": e["seq"] in withdrawn} for e in events if e["type"] in ENTRY_TYPES]
    if args.json:
        print(json.dumps(entries, indent=2, ensure_ascii=False))
        return 0
    for e in entries:
        mark = f"  [withdrawn {withdrawn[e['seq']]['at'][:10]}]" if e["withdrawn"] else ""
        print(f"{e['seq']:>5} {e['at'][:10]} {e['type']:<22} {e.get('organisation') or '':<22} {e['title']}{mark}")
    print(f"{len(entries)} entr{'y' if len(entries) == 1 else 'ies'}")
    return 0
