"""``brandpunt``: the coordinator's command line.

Exit codes: 0 ok; 2 bad input (the message names the field or the rule); 1 anything else
(for example Temporal unreachable, with how to start it).
"""

from __future__ import annotations

import argparse
import asyncio
import importlib
import inspect
import json
import sys
from typing import Any

from cli.errors import BadInput, CaseError, CommandTimeout
from settings import SettingsError

EXIT_OK, EXIT_FAIL, EXIT_BAD_INPUT = 0, 1, 2

PLUGINS: list[str] = ["cli.reminders", "cli.schedules", "cli.audit", "cli.report", "cli.keys"]
"""Modules adding top-level subcommands: each has ``register(subparsers)`` and sets
``func`` (sync or async, taking the parsed args, returning an exit code) on its parsers."""


def _meta_flags(p: argparse.ArgumentParser) -> None:
    p.add_argument("--actor", help="who acts (default $BRANDPUNT_ACTOR); required")
    p.add_argument("--organisation", help="on whose behalf (default $BRANDPUNT_ORGANISATION)")
    p.add_argument("--reason", help="why; recorded on the event")
    p.add_argument("--json", action="store_true", help="print the result as JSON")
    p.add_argument("--command-id", help="the command's id (default: a new one); sending a command again "
                   "with the id a timed-out attempt printed never applies it twice")
    p.add_argument("--timeout", type=float, default=60.0, metavar="SECONDS",
                   help="how long to wait for the answer (default 60)")


def parser() -> argparse.ArgumentParser:
    from cli.flags import COMMANDS, _lead_flags

    top = argparse.ArgumentParser(prog="brandpunt", description=__doc__.splitlines()[0])
    sub = top.add_subparsers(dest="cmd", required=True, metavar="COMMAND")

    sub.add_parser("dev", help="run the embedded Temporal dev server and a worker (Ctrl-C stops)")
    sub.add_parser("worker", help="run a worker against $TEMPORAL_ADDRESS")
    db = sub.add_parser("db", help="ledger database").add_subparsers(dest="db_cmd", required=True)
    db.add_parser("upgrade", help="create or migrate the ledger schema and load the hotspot offers")

    demo = sub.add_parser("demo", help="run the five programme cases to their outcomes")
    demo.add_argument("--json", action="store_true")

    lead = sub.add_parser("lead", help="cases: start, act, show, list")
    lsub = lead.add_subparsers(dest="lead_cmd", required=True, metavar="ACTION")

    start = lsub.add_parser("start", help="start a case for a new lead")
    start.add_argument("--file", help="JSON file with the lead (fields as in the flags)")
    start.add_argument(
        "--case-id", help="default: the next serial from the ledger, BP-<year>-<NNNN> (ids name nobody)"
    )
    _lead_flags(start)
    _meta_flags(start)

    for name, (help_text, add_flags, _) in COMMANDS.items():
        p = lsub.add_parser(name, help=help_text)
        p.add_argument("case_id", metavar="CASE")
        p.add_argument("--file", help="JSON file with the command's fields")
        add_flags(p)
        _meta_flags(p)

    resume = lsub.add_parser("resume", help="operators: run an ended case's workflow again from its ledger chain")
    resume.add_argument("case_id", metavar="CASE")

    show = lsub.add_parser("show", help="a case's state and its ledger events")
    show.add_argument("case_id", metavar="CASE")
    show.add_argument("--json", action="store_true")

    ls = lsub.add_parser("list", help="cases in the ledger")
    ls.add_argument(
        "--company", metavar="TEXT", help="company name containing TEXT (any case), or KvK number TEXT"
    )
    ls.add_argument("--stage")
    ls.add_argument("--region")
    ls.add_argument("--json", action="store_true")

    for module in PLUGINS:
        importlib.import_module(module).register(sub)
    return top


def _print(data: Any) -> None:
    print(json.dumps(data, indent=2, ensure_ascii=False, default=str))


async def _act(args: argparse.Namespace) -> int:
    import settings as config
    from cli import cases
    from cli.flags import COMMANDS, _lead_body, build, read_file
    from cli.views import check_case_id, summary
    from connection import connect

    s = config.load()
    actor = args.actor or s.actor
    if not actor:
        raise BadInput("no actor: pass --actor NAME or set BRANDPUNT_ACTOR (every event records who acted)")
    meta = {
        "actor": actor, "organisation": args.organisation or s.organisation, "reason": args.reason,
        "command_id": args.command_id,
    }
    base = read_file(args.file)
    client = await connect(s)
    if args.lead_cmd == "start":
        command = build("start", _lead_body(args, {"lead": base.get("lead", base)}), meta)
        given = args.case_id or base.get("case_id")
        case_id = check_case_id(given) if given is not None else _new_case_id(s)
        try:
            result = await cases.start(client, s.task_queue, command, case_id, deadline=args.timeout)
        except CommandTimeout as err:
            if given is None:  # a re-send must name this id: without it, it would get a new serial
                err.args = (f"{err}, together with --case-id {case_id}",)
            raise
    else:
        _, _, body_of = COMMANDS[args.lead_cmd]
        if args.lead_cmd == "update":
            current = await cases.state(client, args.case_id)
            base = {"lead": {**current.lead.model_dump(mode="json"), **base.get("lead", base)}}
        elif args.lead_cmd == "articulate-needs" and base and "needs" not in base:
            base = {"needs": base}  # the file may hold the needs profile itself
        command = build(args.lead_cmd, {**base, **body_of(args, base)}, meta)
        result = await cases.execute(client, args.case_id, command, deadline=args.timeout)
    if args.json:
        _print({**summary(result.state), "duplicate": result.duplicate,
                "events": [e.model_dump(mode="json") for e in result.events]})
    else:
        if args.lead_cmd == "start":  # the id names nobody: it is how every later action finds the case
            print(f"case {result.state.case_id} started (use this id in later actions)")
        if result.duplicate:
            print(f"command {command.command_id} was applied before; nothing new recorded")
        for e in result.events:
            print(f"{e.event_id} {e.type} recorded")
        print(_line(summary(result.state)))
    return EXIT_OK


def _new_case_id(s: Any) -> str:
    """The next serial case id from the ledger (``BP-<year>-<NNNN>``)."""
    from ledger.store import Ledger

    ledger = Ledger.open(s.ledger_url, upgrade=False)
    try:
        ledger.check_schema()
        return ledger.allocate_case_id()
    finally:
        ledger.dispose()


async def _resume(args: argparse.Namespace) -> int:
    import settings as config
    from cli import cases
    from cli.views import summary
    from connection import connect

    s = config.load()
    state = await cases.resume(await connect(s), s.task_queue, args.case_id)
    print(f"resumed from the ledger (up to seq {state.last_seq})")
    print(_line(summary(state)))
    return EXIT_OK


def _line(c: dict[str, Any]) -> str:
    end = f" -> {c['outcome']}" if c["outcome"] else ""
    return (
        f"{c['case_id']:<40} {c['company'][:28]:<28} {c['stage']:<18} phase {c['phase']}  "
        f"{c['region']}{end}"
    )


def _show(args: argparse.Namespace) -> int:
    """The case's state and its ledger events, from the ledger alone.

    The state is the fold of the events shown (``domain.state.fold``, what the workflow's state
    query and the auditor compute too), so ``show`` needs no round trip to Temporal and still
    works for a case whose workflow has left Temporal's retention.
    """
    import settings as config
    from cli.views import check_case_id, summary
    from domain.state import fold
    from ledger.store import Ledger

    s = config.load()
    check_case_id(args.case_id)
    ledger = Ledger.open(s.ledger_url, upgrade=False)
    try:
        ledger.check_schema()
        rows = ledger.events(args.case_id)
    finally:
        ledger.dispose()
    state = fold(r.event for r in rows)
    if state is None:
        where = ledger.engine.url.render_as_string(hide_password=True)
        raise BadInput(f"no case {args.case_id} in the ledger at {where} (see `brandpunt lead list`)")
    if args.json:
        events = [
            {
                "seq": r.seq,
                "type": r.type,
                "at": r.at.isoformat(),
                "actor": r.actor,
                "organisation": r.organisation,
                "prev_hash": r.prev_hash,
                "hash": r.hash,
                "event": json.loads(r.payload),
            }
            for r in rows
        ]
        _print({**summary(state), "state": state.model_dump(mode="json"), "events": events})
        return EXIT_OK
    print(_line(summary(state)))
    for r in rows:
        why = f"  ({r.event.reason})" if r.event.reason else ""
        print(f"  {r.seq:>3} {r.at:%Y-%m-%d %H:%M} {r.type:<22} {r.actor}{why}  {r.hash[:12]}")
    return EXIT_OK


def _list(args: argparse.Namespace) -> int:
    import settings as config
    from cli.views import summary
    from domain.bounds import SEARCH_MAX
    from ledger.store import Ledger

    s = config.load()
    if args.company is not None and len(args.company) > SEARCH_MAX:
        raise BadInput(f"--company: at most {SEARCH_MAX} characters (a company name or part of it, or a KvK number)")
    ledger = Ledger.open(s.ledger_url, upgrade=False)
    try:
        ledger.check_schema()
        rows = [
            summary(st)
            for st in ledger.case_states(stage=args.stage, region=args.region, company=args.company)
        ]
    finally:
        ledger.dispose()
    if args.json:
        _print(rows)
    else:
        for row in rows:
            print(_line(row))
        print(f"{len(rows)} case(s)")
    return EXIT_OK


async def _dispatch(args: argparse.Namespace) -> int:
    if getattr(args, "func", None) is not None:
        result = args.func(args)
        return await result if inspect.isawaitable(result) else result
    if args.cmd == "dev":
        from cli.dev import run_dev

        return await run_dev()
    if args.cmd == "worker":
        import settings as config
        import worker

        await worker.main(config.load())
        return EXIT_OK
    if args.cmd == "db":
        import settings as config
        from ledger.store import Ledger

        s = config.load()
        ledger = Ledger.open(s.ledger_url, upgrade=True)
        n = ledger.seed_hotspots()
        ledger.dispose()
        print(f"ledger schema up to date at {config.safe_url(s.ledger_url)}; {n} hotspot offers loaded")
        return EXIT_OK
    if args.cmd == "demo":
        from cli.demo import run_demo

        return await run_demo(as_json=args.json)
    if args.lead_cmd == "show":
        return _show(args)
    if args.lead_cmd == "list":
        return _list(args)
    if args.lead_cmd == "resume":
        return await _resume(args)
    return await _act(args)


async def _traced(args: argparse.Namespace) -> int:
    from observability import telemetry

    name = " ".join(
        str(v) for v in (args.cmd, getattr(args, "lead_cmd", None), getattr(args, "db_cmd", None)) if v
    )
    with telemetry.span(f"brandpunt {name}", case_id=getattr(args, "case_id", None)):
        return await _dispatch(args)


def main(argv: list[str] | None = None) -> int:
    args = parser().parse_args(argv)
    from observability import logs, telemetry
    from settings import redact

    logs.configure()
    telemetry.setup_tracing(service="brandpunt-cli" if args.cmd in ("lead", "demo") else "brandpunt")
    try:
        return asyncio.run(_traced(args))
    except CaseError as err:  # BadInput exits 2; TemporalUnreachable and the rest 1 (cli/errors.py)
        print(f"brandpunt: {redact(str(err))}", file=sys.stderr)
        return err.exit_code
    except SettingsError as err:
        print(f"brandpunt: {redact(str(err))}", file=sys.stderr)
        return EXIT_BAD_INPUT
    except KeyboardInterrupt:
        return 130
    except Exception as err:  # noqa: BLE001 - last resort: one clear line (or a masked traceback), exit 1
        return _last_resort(err)
    finally:
        telemetry.shutdown()


def _last_resort(err: Exception) -> int:
    """An unexpected failure, told without secrets or payloads: a database error as its driver's
    class and message (no SQL, no parameters), anything else as a traceback with credentials masked."""
    import traceback

    from sqlalchemy.exc import SQLAlchemyError

    from ledger.errors import LedgerDatabaseError, describe
    from ledger.store import SchemaError
    from settings import load, redact, safe_url

    if isinstance(err, SchemaError | LedgerDatabaseError):
        print(f"brandpunt: {redact(str(err))}", file=sys.stderr)
    elif isinstance(err, SQLAlchemyError):
        try:
            where = f" at {safe_url(load().ledger_url)}"
        except Exception:  # noqa: BLE001 - the settings themselves may be what is wrong
            where = ""
        print(f"brandpunt: the ledger{where} failed: {describe(err)}", file=sys.stderr)
    else:
        print(redact("".join(traceback.format_exception(err))), file=sys.stderr, end="")
    return EXIT_FAIL
