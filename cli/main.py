"""``brandpunt``: the coordinator's command line.

Exit codes: 0 ok; 2 bad input (the message names the field or the rule); 1 anything else
(for example Temporal unreachable, with how to start it).
"""

from __future__ import annotations

import argparse
import asyncio
import inspect
import os
import sys

from cli import admin, audit, keys, offers, privacy, programme, reminders, report, schedules, web
from cli.files import seconds
from client.errors import BadInput, CaseError
from settings import SettingsError

EXIT_OK, EXIT_FAIL, EXIT_BAD_INPUT = 0, 1, 2

SUBCOMMANDS = (reminders, schedules, audit, report, programme, keys, web, offers, admin, privacy)
"""Modules adding top-level subcommands: each has ``register(subparsers)`` and sets
``func`` (sync or async, taking the parsed args, returning an exit code) on its parsers."""


def exit_code(err: CaseError) -> int:
    """2 when the request was refused (the message names the field or rule), 1 otherwise."""
    return EXIT_BAD_INPUT if isinstance(err, BadInput) else EXIT_FAIL


def _meta_flags(p: argparse.ArgumentParser) -> None:
    p.add_argument("--actor", help="who acts (default $BRANDPUNT_ACTOR); required")
    p.add_argument("--organisation", help="on whose behalf (default $BRANDPUNT_ORGANISATION)")
    p.add_argument("--reason", help="why; recorded on the event")
    p.add_argument("--json", action="store_true", help="print the result as JSON")
    p.add_argument("--command-id", help="the command's id (default: a new one); sending a command again "
                   "with the id a timed-out attempt printed never applies it twice")
    p.add_argument("--timeout", type=seconds, default=60.0, metavar="SECONDS",
                   help="how long to wait for the answer (default 60)")


def parser() -> argparse.ArgumentParser:
    from cli.flags import COMMANDS, START, file_flags

    top = argparse.ArgumentParser(prog="brandpunt", description=__doc__.splitlines()[0])
    sub = top.add_subparsers(dest="cmd", required=True, metavar="COMMAND")

    sub.add_parser("dev", help="run the embedded Temporal dev server, a worker and the API with a development "
                   "sign-in (Ctrl-C stops)")
    sub.add_parser("worker", help="run a worker against $TEMPORAL_ADDRESS")
    db = sub.add_parser("db", help="ledger database").add_subparsers(dest="db_cmd", required=True)
    db.add_parser("upgrade", help="create or migrate the ledger schema; load the shipped (illustrative) hotspot "
                  "offers where no offers loaded from a file are in force")

    demo = sub.add_parser("demo", help="run the programme's five cases as it tells them (demo cases; 1 and 2 stay open)")
    demo.add_argument("--json", action="store_true")

    lead = sub.add_parser("lead", help="cases: start, act, show, list")
    lsub = lead.add_subparsers(dest="lead_cmd", required=True, metavar="ACTION")

    for name, spec in {"start": START, **COMMANDS}.items():
        p = lsub.add_parser(name, help=spec.help)
        if name == "start":
            p.add_argument(
                "--case-id", help="default: the next serial from the ledger, BP-<year>-<NNNN> (ids name nobody)"
            )
        else:
            p.add_argument("case_id", metavar="CASE")
        p.add_argument("--file", help='JSON object of the flags by name, e.g. {"phase": 3}; flags on the line win')
        spec.add_flags(p)
        _meta_flags(p)
        p.set_defaults(flags=file_flags(p))

    imp = lsub.add_parser("import", help="bring in a pipeline: a CSV file, one lead per row (columns as the "
                          "`lead start` flags: company, kvk, region, ...; see the README)")
    imp.add_argument("file", metavar="FILE.csv")
    imp.add_argument("--dry-run", action="store_true",
                     help="check every row and say what would happen; write nothing (exit 2 on any problem)")
    imp.add_argument("--actor", help="who imports (default $BRANDPUNT_ACTOR); recorded on every lead")
    imp.add_argument("--organisation", help="on whose behalf (default $BRANDPUNT_ORGANISATION)")
    imp.add_argument("--reason", help="why; recorded on every lead with the row it came from")
    imp.add_argument("--timeout", type=seconds, default=60.0, metavar="SECONDS", help="per lead (default 60)")
    imp.set_defaults(command_id=None)

    resume = lsub.add_parser("resume", help="operators: run an ended case's workflow again from its ledger chain")
    resume.add_argument("case_id", metavar="CASE")

    show = lsub.add_parser("show", help="a case's state and its ledger events")
    show.add_argument("case_id", metavar="CASE")
    show.add_argument("--json", action="store_true")

    ls = lsub.add_parser("list", help="cases in the ledger, oldest first")
    ls.add_argument(
        "--company", metavar="TEXT", help="company name containing TEXT (any case), or KvK number TEXT"
    )
    ls.add_argument("--stage", help="one stage (a wrong name is refused with the valid ones)")
    ls.add_argument("--region", help="home region (ROM)")
    who = ls.add_mutually_exclusive_group()
    who.add_argument("--coordinator", metavar="NAME", help="cases NAME coordinates (any case)")
    who.add_argument("--mine", action="store_true",
                     help="cases the acting coordinator coordinates (--actor, default $BRANDPUNT_ACTOR)")
    ls.add_argument("--actor", help="who is asking, for --mine (default $BRANDPUNT_ACTOR)")
    out = ls.add_mutually_exclusive_group()
    out.add_argument("--json", action="store_true")
    out.add_argument("--csv", action="store_true", help="CSV (RFC 4180) with a header row, to standard output")

    owners = lsub.add_parser("assign-owners", help="operators: record the owner of every case started before owners "
                             "were recorded (the ROM of its home region), as an event in the case")
    owners.add_argument("--dry-run", action="store_true", help="say which cases would get which owner; record nothing")
    owners.add_argument("--timeout", type=seconds, default=60.0, metavar="SECONDS", help="per case (default 60)")

    dup = lsub.add_parser("duplicates", help="taskforce lead: cases of two or more organisations with one KvK number "
                          "or company name (case ids and organisations only)")
    dup.add_argument("--json", action="store_true")

    for module in SUBCOMMANDS:
        module.register(sub)
    return top


async def _dispatch(args: argparse.Namespace) -> int:
    if getattr(args, "func", None) is not None:
        result = args.func(args)
        return await result if inspect.isawaitable(result) else result
    if args.cmd == "dev":
        import os

        from api.serve import dev_api
        from devserver import run_dev

        os.environ["BRANDPUNT_DEV_LOGIN"] = "1"  # development mode, explicit: this process's API has a dev sign-in
        return await run_dev(dev_api)
    if args.cmd == "worker":
        import settings as config
        import worker

        await worker.main(config.load())
        return EXIT_OK
    if args.cmd == "db":
        import settings as config
        from ledger.store import Ledger

        s = config.load()
        from ledger.offers import OffersUnusable

        ledger = Ledger.open(s.ledger_url, upgrade=True)
        try:
            plan = ledger.seed_hotspots()
            offers = ledger.offers.current()
        except OffersUnusable as err:
            raise CaseError(f"ledger schema up to date; hotspot offers not loaded: {err}") from None
        finally:
            ledger.dispose()
        print(f"ledger schema up to date at {config.safe_url(s.ledger_url)}; {len(offers)} hotspot offers in force, "
              f"{sum(o.provenance.illustrative for o in offers)} of them illustrative "
              f"({len(plan.offers)} loaded from the shipped catalogue now, {len(plan.kept)} loaded from a file kept)")
        return EXIT_OK
    if args.cmd == "demo":
        from demo import run_demo

        return await run_demo(as_json=args.json)
    from cli import lead

    return await lead.run(args)


async def _traced(args: argparse.Namespace) -> int:
    from observability import telemetry

    name = " ".join(
        str(v) for v in (args.cmd, getattr(args, "lead_cmd", None), getattr(args, "db_cmd", None)) if v
    )
    with telemetry.span(f"brandpunt {name}", case_id=getattr(args, "case_id", None)):
        return await _dispatch(args)


def language(env: dict[str, str] | None = None) -> str:
    """The CLI reader's language (``reports.i18n.language_from``: ``BRANDPUNT_LANG``, else the locale's)."""
    from reports.i18n import language_from

    return language_from(dict(os.environ) if env is None else env)


def in_language(err: CaseError) -> str:
    """``err`` as the CLI's reader reads it (a refusal in Dutch under ``LANG=nl_NL.UTF-8``)."""
    chosen = language()
    if chosen == "en":
        return str(err)  # no catalogue to load: English is the messages' own
    from reports.i18n import reading
    from reports.templating import said

    with reading(chosen):
        return said(err)


def main(argv: list[str] | None = None) -> int:
    args = parser().parse_args(argv)
    if language() != "en":  # what the CLI prints for people: `lead show` in Dutch under LANG=nl_NL.UTF-8
        from reports.i18n import LANGUAGE

        LANGUAGE.set(language())
    from observability import logs, telemetry
    from settings import redact

    logs.configure(sdk=args.cmd in ("dev", "worker"))  # the processes that run a worker
    telemetry.setup_tracing(service="brandpunt-cli" if args.cmd in ("lead", "demo") else "brandpunt")
    try:
        return asyncio.run(_traced(args))
    except CaseError as err:  # BadInput exits 2; Unreachable and the rest 1 (client/errors.py)
        print(f"brandpunt: {redact(in_language(err))}", file=sys.stderr)
        return exit_code(err)
    except SettingsError as err:
        print(f"brandpunt: {redact(str(err))}", file=sys.stderr)
        return EXIT_BAD_INPUT
    except KeyboardInterrupt:
        return 130
    except BrokenPipeError:  # `brandpunt lead show --json | head -1`: the reader has what it wanted
        quiet_stdout()
        return EXIT_OK
    except Exception as err:  # noqa: BLE001 - last resort: one clear line (or a masked traceback), exit 1
        return _last_resort(err)
    finally:
        telemetry.shutdown()


def quiet_stdout() -> None:
    """Point standard output at /dev/null: its reader has gone, and the interpreter's last flush of
    what is still buffered must not fail with a second BrokenPipeError (and its traceback)."""
    import os

    devnull = os.open(os.devnull, os.O_WRONLY)
    os.dup2(devnull, sys.stdout.fileno())
    os.close(devnull)


def _last_resort(err: Exception) -> int:
    """An unexpected failure, told without secrets or payloads: a database error as its driver's
    class and message (no SQL, no parameters), anything else as a traceback with credentials masked."""
    import traceback

    from ledger.errors import LedgerDatabaseError, describe, is_database_error
    from ledger.store import SchemaError
    from settings import load, redact, safe_url

    if isinstance(err, SchemaError | LedgerDatabaseError):
        print(f"brandpunt: {redact(str(err))}", file=sys.stderr)
    elif isinstance(err, OSError) and err.strerror:  # e.g. the ledger's folder cannot be made
        where = f": {err.filename}" if err.filename else ""
        print(f"brandpunt: {redact(f'{err.strerror}{where}')}", file=sys.stderr)
    elif is_database_error(err):
        try:
            where = f" at {safe_url(load().ledger_url)}"
        except Exception:  # noqa: BLE001 - the settings themselves may be what is wrong
            where = ""
        print(f"brandpunt: the ledger{where} failed: {describe(err)}", file=sys.stderr)
    else:
        print(redact("".join(traceback.format_exception(err))), file=sys.stderr, end="")
    return EXIT_FAIL
