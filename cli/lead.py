"""``brandpunt lead ...``: start a case, act on it, show it, list cases, resume one.

Each handler turns flags into a request to the client library (``client.local.LocalCases``) and
its typed result into lines or JSON; refusals arrive as ``client.errors`` types, which
``cli.main`` maps to exit codes.
"""

from __future__ import annotations

import argparse
import json
from typing import Any

from client.errors import BadInput

EXIT_OK = 0


def emit_json(data: Any) -> None:
    print(json.dumps(data, indent=2, ensure_ascii=False, default=str))


def as_flag(err: BadInput) -> BadInput:
    """``err`` with its field spelled as the flag a person typed (``stage: ...`` -> ``--stage: ...``)."""
    field = err.field
    if not field or not str(err).startswith(f"{field}:"):
        return err
    return BadInput(f"--{field.replace('_', '-')}{str(err)[len(field):]}", field)


def _cases() -> Any:
    """The client library: through the API when BRANDPUNT_API_URL is set, else Temporal and the ledger."""
    import settings as config
    from client.choose import cases_for

    return cases_for(config.load())


def _meta(args: argparse.Namespace) -> dict[str, Any]:
    import settings as config

    s = config.load()
    if s.web.api_url:  # the API records the signed-in identity; --actor/--organisation only if they are it
        from client.http import SIGNED_IN

        return {"actor": args.actor or SIGNED_IN, "organisation": args.organisation, "reason": args.reason,
                "command_id": args.command_id}
    actor = args.actor or s.actor
    if not actor:
        raise BadInput("no actor: pass --actor NAME or set BRANDPUNT_ACTOR (every event records who acted)", "actor")
    return {
        "actor": actor, "organisation": args.organisation or s.organisation, "reason": args.reason,
        "command_id": args.command_id,
    }


async def act(args: argparse.Namespace) -> int:
    from cli.flags import given, paths, with_flags
    from client import forms

    meta = _meta(args)
    kind = args.lead_cmd
    values = given(args, kind)
    meta["reason"] = values.pop("reason")  # the line's --reason, else the file's
    case_id = values.pop("case-id", None) if kind == "start" else args.case_id
    where = paths(kind, {n: d for n, d in args.flags.items() if n in values})
    if kind == "update" and all(v is None for v in values.values()):
        raise BadInput("update: give the fields that change (e.g. --coordinator NAME); what was said in a "
                       "meeting, call or e-mail is `brandpunt lead note CASE --text ...`", "changes")
    body = forms.body(values, where)  # `update` too sends only the fields given: the case merges them
    if kind != "start" and not args.json:  # the text a person reads, rendered where the case is
        async with _cases() as cases:
            try:
                print(await cases.act_text(case_id, kind, body, meta, deadline=args.timeout))
            except BadInput as err:
                raise with_flags(err, where) from None
        return EXIT_OK
    return await _act_typed(args, kind, case_id, body, meta, where)


async def _act_typed(args: argparse.Namespace, kind: str, case_id: str | None, body: dict[str, Any],
                     meta: dict[str, Any], where: Any) -> int:
    """A start (with its look for the same company first), or any command with ``--json``."""
    from cli.flags import with_flags
    from client.api import command_from
    from client.text import result_lines
    from client.views import summary
    from domain.commands import DetectLead

    try:
        command = command_from(kind, body, meta)
    except BadInput as err:
        raise with_flags(err, where) from None
    async with _cases() as cases:
        if isinstance(command, DetectLead):
            similar = await cases.similar(command.lead)
            result = await cases.start(command, case_id, deadline=args.timeout)
            # HttpCases counts the matches the user may not read (the API names neither case nor owner)
            warn_similar(result.state.case_id, [s.case_id for s in similar], getattr(cases, "elsewhere", 0))
        else:
            assert case_id is not None  # argparse requires CASE for every action but start
            result = await cases.act(case_id, command, deadline=args.timeout)
    if args.json:
        emit_json({**summary(result.state), "duplicate": result.duplicate,
                   "events": [e.model_dump(mode="json") for e in result.events]})
        return EXIT_OK
    print("\n".join(result_lines(result, command.command_id, started=kind == "start")))
    return EXIT_OK


def warn_similar(case_id: str, others: list[str], elsewhere: int = 0) -> None:
    """A warning on stderr (not a refusal) when a new lead's name or KvK number is another case's:
    the ids of those the coordinator may read, and of the rest only how many there are (under
    another organisation's NDA: neither the case nor the organisation is named; the taskforce lead's
    ``lead duplicates`` names them)."""
    import sys

    others = [c for c in others if c != case_id]
    if others:
        print(f"brandpunt: warning: {case_id} has the company name or KvK number of {', '.join(others)} "
              "(the same company?)", file=sys.stderr)
    if elsewhere:
        print(f"brandpunt: warning: {elsewhere} case(s) elsewhere, under another organisation, have the company "
              f"name or KvK number of {case_id}; the taskforce lead sees which (a company that talks to two ROMs "
              "is one lead)", file=sys.stderr)


async def import_leads(args: argparse.Namespace) -> int:
    """``lead import FILE.csv [--dry-run]``: check every row, then start each lead (``client.imports``)."""
    import sys

    from client import imports

    meta = _meta(args)
    import settings as config

    plan = imports.read(args.file, meta, config.load().organisations())
    for problem in plan.problems:
        print(problem, file=sys.stderr)
    if plan.problems:
        rows = len({p.row for p in plan.problems if p.row})
        raise BadInput(f"{plan.file}: {len(plan.problems)} problem(s) in {rows} row(s); "
                       f"{'nothing written (dry run)' if args.dry_run else 'nothing imported'}", "file")
    started = skipped = 0
    async with _cases() as cases:
        if args.dry_run:
            skips = await imports.skips(cases, plan)
            for row in plan.rows:
                why = skips.get(row.number)
                print(f"row {row.number}: would skip: {why}" if why else f"row {row.number}: would start {row.company}")
            print(f"{plan.file}: {len(plan.rows)} row(s) without problems; {len(plan.rows) - len(skips)} would start, "
                  f"{len(skips)} skipped (dry run: nothing written)")
            return EXIT_OK
        async for outcome in imports.run(cases, plan, args.timeout):
            n = outcome.row.number
            if outcome.case_id:
                started += 1
                print(f"row {n}: {outcome.case_id} started ({outcome.row.company})", flush=True)
            else:
                skipped += 1
                print(f"row {n}: skipped: {outcome.skipped}", flush=True)
    print(f"{plan.file}: {started} started, {skipped} skipped")
    return EXIT_OK


async def resume(args: argparse.Namespace) -> int:
    from client.text import line
    from client.views import summary

    async with _cases() as cases:
        state = await cases.resume(args.case_id)
    print(f"resumed from the ledger (up to seq {state.last_seq})")
    print(line(summary(state)))
    return EXIT_OK


async def show(args: argparse.Namespace) -> int:
    """The case's state and its ledger events, from the ledger alone.

    The state is the fold of the events shown (``domain.state.fold``, what the workflow's state
    query and the auditor compute too), so ``show`` needs no round trip to Temporal and still
    works for a case whose workflow has left Temporal's retention.
    """
    if not args.json:
        async with _cases() as cases:
            print(await cases.read_text(args.case_id))
        return EXIT_OK
    from client.story import timeline
    from client.views import summary

    async with _cases() as cases:
        view = await cases.read(args.case_id)
    state, rows = view.state, view.timeline
    story = timeline(r.event for r in rows)
    # the rows in the ledger's one JSON form (LedgerRow.as_json), then what is new
    emit_json({**summary(state), "state": state.model_dump(mode="json"), "events": [r.as_json() for r in rows],
               "reminders": [x.as_json() for x in view.reminders],
               "timeline": [entry.as_json() for entry in story]})
    return EXIT_OK


LIST_COLUMNS = (
    ("CASE", "case_id"), ("COMPANY", "company"), ("STAGE", "stage"), ("PHASE", "phase"), ("REGION", "region"),
    ("COORDINATOR", "coordinator"),
)
CSV_COLUMNS = (
    "case_id", "company", "kvk", "stage", "outcome", "phase", "region", "hotspot", "technology_domain",
    "company_type", "coordinator", "destination", "destination_region", "bottleneck", "demo", "updated_at",
)
"""``lead list --csv``: a header row of these names (as in ``--json``), then one row per case."""


def _coordinator(args: argparse.Namespace) -> str | None:
    """The coordinator whose cases to list: ``--coordinator``, or the acting one for ``--mine``."""
    if not args.mine:
        return args.coordinator
    import settings as config

    s = config.load()
    if s.web.api_url:
        from client.http import signed_in

        actor = args.actor or signed_in(s)
    else:
        actor = args.actor or s.actor
    if not actor:
        raise BadInput("--mine: who is asking? pass --actor NAME or set BRANDPUNT_ACTOR", "mine")
    return actor


FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
"""A cell a spreadsheet would run as a formula starts so (OWASP, "CSV injection"): a company name
typed as ``=HYPERLINK(...)`` must stay text when the export is opened."""


def csv_cell(value: Any) -> Any:
    """A value as a CSV cell: as in ``--json`` (nothing for null, true/false for a flag), and text
    that would start a formula kept text by a leading apostrophe."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return str(value).lower()
    if isinstance(value, str) and value.startswith(FORMULA_START):
        return "'" + value
    return value


def write_csv(rows: list[dict[str, Any]], columns: tuple[str, ...] = CSV_COLUMNS) -> None:
    """``rows`` as CSV (RFC 4180: CRLF line ends, quoted where needed) with a header row, to stdout."""
    import csv
    import sys

    out = csv.writer(sys.stdout, lineterminator="\r\n")
    out.writerow(columns)
    out.writerows([[csv_cell(row.get(c)) for c in columns] for row in rows])


async def list_cases(args: argparse.Namespace) -> int:
    from client.api import CaseFilter
    from client.views import summary

    where = CaseFilter(stage=args.stage, region=args.region, company=args.company,
                       coordinator=_coordinator(args), include_demo=True)
    async with _cases() as cases:
        try:
            rows = [summary(st) for st in await cases.list(where)]
        except BadInput as err:
            raise as_flag(err) from None
    if args.json:
        emit_json(rows)
    elif args.csv:
        write_csv(rows)
    else:
        import shutil
        import sys

        from cli import table

        width = shutil.get_terminal_size().columns if sys.stdout.isatty() else None  # a pipe gets it whole
        shown = [{**row, "stage": f"{row['stage']} ({row['outcome']})" if row["outcome"] else row["stage"],
                  "company": f"{row['company']} [demo]" if row["demo"] else row["company"]} for row in rows]
        if shown:
            print("\n".join(table.render(LIST_COLUMNS, shown, width, shrink=("company", "coordinator"))))
        print(f"{len(rows)} case(s)")
    return EXIT_OK


async def duplicates(args: argparse.Namespace) -> int:
    """``lead duplicates``: the taskforce lead's list of one company's cases under two organisations."""
    async with _cases() as cases:
        found = await cases.duplicates()
    if args.json:
        emit_json([{"matched_on": d.matched_on, "cases": [{"case_id": c.case_id, "organisation": c.owner,
                                                              "open": c.open} for c in d.cases]} for d in found])
        return EXIT_OK
    for d in found:
        said = "the same KvK number" if d.matched_on == "kvk" else "the same company name"
        listed = ", ".join(f"{c.case_id} ({c.owner}{'' if c.open else ', ended'})" for c in d.cases)
        print(f"{said}: {listed}")
    print(f"{len(found)} possible duplicate(s) across organisations (a company that talks to two ROMs is one lead)")
    return EXIT_OK


async def assign_owners(args: argparse.Namespace) -> int:
    """``lead assign-owners [--dry-run]``: operators, straight to Temporal and the ledger."""
    import settings as config
    from client.local import LocalCases

    s = config.load()
    if s.web.api_url:
        raise BadInput("assign-owners is for operators: run it where Temporal is reachable, without "
                       "BRANDPUNT_API_URL", "api_url")
    done = problems = 0
    async with LocalCases(s) as cases:
        async for case_id, owner, problem in cases.assign_owners(dry_run=args.dry_run, deadline=args.timeout):
            if problem:
                problems += 1
                print(f"{case_id}: not assigned: {problem}")
            else:
                done += 1
                print(f"{case_id}: {'would be' if args.dry_run else ''}{' ' if args.dry_run else ''}owned by {owner}")
    print(f"{done} case(s) {'would get' if args.dry_run else 'got'} their owner; {problems} not")
    return EXIT_OK if not problems else 1


HANDLERS = {"assign-owners": assign_owners, "show": show, "list": list_cases, "resume": resume, "import": import_leads, "duplicates": duplicates}


async def run(args: argparse.Namespace) -> int:
    return await HANDLERS.get(args.lead_cmd, act)(args)
