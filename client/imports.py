"""Bringing in a ROM's existing pipeline: a CSV file, one lead per row (``brandpunt lead import``).

The columns are named exactly as the ``lead start`` flags (:data:`COLUMNS`; ``client.forms.LEAD``),
rows are numbered as a spreadsheet shows them (the header is row 1). :func:`read` checks every row
before anything is written and names each problem by row and column; nothing is started when any
row has one. :func:`run` then starts each lead through the client library, one after the other,
and is safe to run again:

- each row's command id is derived from the file's name, the row's number and its content
  (:func:`command_id`), and a row whose command id a case already holds is skipped, so a second
  run after a crash does not start the lead again;
- a row whose company name or KvK number an existing case has (``Cases.similar``), or an earlier row
  of the same file, is skipped, saying which;
- each lead started records where it came from (``LeadDetected.source``: ``import:<file name>#row N``).
"""

from __future__ import annotations

import csv
import hashlib
import io
from collections.abc import AsyncIterator, Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from client import forms
from client.api import CaseFilter, Cases, command_from
from client.errors import BadInput
from domain.commands import DetectLead
from domain.organisations import Organisations, OrganisationsError

PATHS = {**{name: ("lead", *path) for name, path in forms.LEAD.items()}, "signalled-by": ("signalled_by",)}
"""Each column's place in the start command: the lead's fields, and the triple-helix organisation that
signalled the lead (checked against the organisations list when the lead starts, as ``lead start
--signalled-by`` is)."""
COLUMNS = tuple(PATHS)
"""The columns an import file may have, named as the ``lead start`` flags."""
MAX_BYTES = 10 * 1024 * 1024
"""A pipeline file's size limit: 10 MiB is some 50,000 rows, more than any ROM follows."""


@dataclass(frozen=True)
class Problem:
    """Why a row (or, with ``row`` None, the file) cannot be imported; ``column`` names the cell."""

    row: int | None
    column: str | None
    message: str

    def __str__(self) -> str:
        column = self.column if self.column is None or self.column.isprintable() else repr(self.column)
        where = ", ".join(x for x in (f"row {self.row}" if self.row else "", f"column {column}"
                                      if column else "") if x)
        return f"{where}: {self.message}" if where else self.message


@dataclass(frozen=True)
class Row:
    number: int
    command: DetectLead

    @property
    def company(self) -> str:
        return self.command.lead.company


@dataclass(frozen=True)
class Plan:
    """A checked import file: its rows as commands, or the problems that stop it."""

    file: str
    rows: list[Row]
    problems: list[Problem]


@dataclass(frozen=True)
class Outcome:
    """What happened to one row: ``case_id`` started, or ``skipped`` saying why."""

    row: Row
    case_id: str | None = None
    skipped: str | None = None


def source(file: str, number: int) -> str:
    return f"import:{file}#row {number}"


def command_id(file: str, number: int, values: dict[str, Any]) -> str:
    """The same for the same row of the same file (name, number, content): a re-run is recognised."""
    content = "\x1f".join(f"{k}={values[k]}" for k in sorted(values))
    return "import-" + hashlib.sha256(f"{file}\x1e{number}\x1e{content}".encode()).hexdigest()[:32]


def _sniff(text: str) -> str:
    """The delimiter: a comma, or a semicolon where the header has more of them (Dutch Excel)."""
    header = text.split("\n", 1)[0]
    return ";" if header.count(";") > header.count(",") else ","


def _header(names: list[str]) -> list[Problem]:
    problems = []
    for name in names:
        if name not in COLUMNS:
            problems.append(Problem(1, name or "(empty)",
                                    f"unknown column{forms.hint(name, list(COLUMNS), PATHS)}; "
                                    f"the columns are the `lead start` flags: {', '.join(COLUMNS)}"))
    for name in sorted({n for n in names if names.count(n) > 1}):
        problems.append(Problem(1, name, "the column appears twice"))
    missing = [c for c in forms.LEAD_REQUIRED if c not in names]
    if missing:
        problems.append(Problem(1, None, f"missing column(s) {', '.join(missing)} (every lead needs them)"))
    return problems


def _row(number: int, values: dict[str, Any], meta: dict[str, Any], file: str,
         organisations: Organisations | None) -> Row | list[Problem]:
    if values.get("phase") is not None and values["phase"].isdigit():
        values["phase"] = int(values["phase"])  # anything else stays text: refused as no whole number
    row_meta = {**meta, "command_id": command_id(file, number, values)}
    if organisations is not None and values.get("signalled-by"):
        try:  # as `lead start --signalled-by` is checked when the lead starts, but before anything is written
            organisations.signaller(values["signalled-by"])
        except OrganisationsError as err:
            return [Problem(number, "signalled-by", str(err).removeprefix("signalled_by: "))]
    try:
        body = {**forms.body(values, PATHS), "source": source(file, number)}
        return Row(number, command_from("start", body, row_meta))
    except BadInput as err:
        problems = []
        for line in str(err).splitlines()[1:]:
            field, _, message = line.strip().partition(": ")
            column = forms.flag_of(field, PATHS)
            problems.append(Problem(number, column, message if column else line.strip()))
        return problems


def parse(text: str, file: str, meta: dict[str, Any], organisations: Organisations | None = None) -> Plan:
    """Check every row of a pipeline CSV (``text``) and make each a ``start`` command (with
    ``organisations``, a ``signalled-by`` cell must name a triple-helix organisation of it)."""
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=_sniff(text))
    records = list(reader)
    if not records:
        return Plan(file, [], [Problem(None, None, "the file is empty (a header row names the columns)")])
    names = [n.strip() for n in records[0]]
    problems = _header(names)
    if problems:
        return Plan(file, [], problems)
    rows: list[Row] = []
    for number, cells in enumerate(records[1:], start=2):
        if not any(c.strip() for c in cells):
            continue  # an empty line
        if len(cells) > len(names):
            problems.append(Problem(number, None, f"{len(cells)} cells, but {len(names)} columns"))
            continue
        values = {name: (cell.strip() or None) for name, cell in zip(names, cells, strict=False)}
        checked = _row(number, values, meta, file, organisations)
        if isinstance(checked, Row):
            rows.append(checked)
        else:
            problems.extend(checked)
    if not rows and not problems:
        problems.append(Problem(None, None, "no rows below the header"))
    return Plan(file, rows, problems)


def read(path: str, meta: dict[str, Any], organisations: Organisations | None = None) -> Plan:
    """:func:`parse` of the file at ``path`` (UTF-8, a byte-order mark allowed); an unreadable file is
    :class:`BadInput` naming it."""
    text = forms.read_text(path, path, MAX_BYTES, encoding="utf-8-sig")
    return parse(text, Path(path).name, meta, organisations)


def _same(row: Row, earlier: Iterable[Row]) -> Row | None:
    lead = row.command.lead
    name = lead.company.strip().casefold()
    return next((r for r in earlier if r.command.lead.company.strip().casefold() == name
                 or (lead.kvk and r.command.lead.kvk == lead.kvk)), None)


async def skips(cases: Cases, plan: Plan) -> dict[int, str]:
    """Row number -> why the row is not started: imported before (its command id), a case with the
    same company name or KvK number, or an earlier row of the file with them."""
    imported = {cid: s.case_id for s in await cases.list(CaseFilter(include_demo=True))
                for cid in s.recent_command_ids if cid.startswith("import-")}
    out: dict[int, str] = {}
    for i, row in enumerate(plan.rows):
        if row.command.command_id in imported:
            out[row.number] = f"imported before as {imported[row.command.command_id]}"
            continue
        found = await cases.similar(row.command.lead)
        if found:
            ids = ", ".join(s.case_id for s in found)
            out[row.number] = f"{row.company} exists already as {ids} (same company name or KvK number)"
            continue
        earlier = _same(row, plan.rows[:i])
        if earlier is not None:
            out[row.number] = f"the same company as row {earlier.number}"
    return out


async def run(cases: Cases, plan: Plan, deadline: float) -> AsyncIterator[Outcome]:
    """Start each row's lead (the plan must have no problems), skipping what :func:`skips` names;
    one :class:`Outcome` per row, as it happens."""
    if plan.problems:
        raise BadInput(f"{plan.file}: {len(plan.problems)} problem(s); nothing imported", "file")
    skipped = await skips(cases, plan)
    for row in plan.rows:
        if row.number in skipped:
            yield Outcome(row, skipped=skipped[row.number])
            continue
        result = await cases.start(row.command, deadline=deadline)
        yield Outcome(row, case_id=result.state.case_id)
