"""Command-line flags for each coordinator command, and how they become a domain command.

Flags only gather input; ``domain.commands`` validates it (pydantic) and ``domain.decide`` judges
it. A ``--file`` JSON object holds the same flags by name (``{"company": ..., "contact-name": ...}``
for ``lead start``, ``{"needed-by": ...}`` for ``articulate-needs``); flags given on the line win,
and a key that is no flag of the command is refused, naming the flags (``client.forms``).
"""

from __future__ import annotations

import argparse
import json
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from client import actions, forms
from client.actions import Action
from client.errors import BadInput
from client.forms import Paths

NEGATED = frozenset(f.name for a in (actions.START, *actions.ACTIONS.values()) for f in a.fields if f.negated)
"""Flags that say "not": given (true), the field they place is false; not given, it keeps its default."""


def _number(kind: str) -> type:
    return {"int": int, "decimal": float}.get(kind, str)


def add_flags(p: argparse.ArgumentParser, action: Action) -> None:
    """``action``'s fields as flags of ``p``: grouped under their heading, exclusive where they say so."""
    groups: dict[str, argparse._ActionsContainer] = {}
    exclusive: dict[str, argparse._ActionsContainer] = {}
    for f in action.fields:
        where: argparse._ActionsContainer = p
        if f.group:
            where = groups.get(f.group) or groups.setdefault(f.group, p.add_argument_group(f.group))
        if f.one_of:
            where = exclusive.get(f.one_of) or exclusive.setdefault(f.one_of, where.add_mutually_exclusive_group())
        help = f.help + (" (required)" if f.required and action.kind != "start" else "") if f.help else None
        dest = f.name.replace("-", "_")
        if f.kind == "yes":
            where.add_argument(f"--{f.name}", dest=dest, action="store_true", default=None, help=help)
        elif f.kind == "choices":
            where.add_argument(f"--{f.name}", dest=dest, action="append", choices=f.choices, help=help)
        elif f.kind == "date":
            where.add_argument(f"--{f.name}", dest=dest, metavar="YYYY-MM-DD", help=help)
        else:
            where.add_argument(f"--{f.name}", dest=dest, type=_number(f.kind), choices=f.choices or None,
                               help=help)


@dataclass(frozen=True)
class Spec:
    """A coordinator command on the command line: its help, its flags, where each flag's value goes
    in the command's body (``client.actions``, shared with the web app's forms)."""

    help: str
    add_flags: Callable[[argparse.ArgumentParser], object]
    paths: Paths


def _spec(action: Action) -> Spec:
    return Spec(action.help, lambda p: add_flags(p, action), action.paths)


START = _spec(actions.START)
COMMANDS: dict[str, Spec] = {kind: _spec(a) for kind, a in actions.ACTIONS.items()}
MAX_FILE = 16 * 1024 * 1024
"""A ``--file`` is read only below 16 MiB: a command is at most 64 KiB of JSON (``domain.bounds``, which
refuses a larger one with its size), so a file past this is not one, and is not read into memory."""
NOT_IN_FILES = frozenset({"help", "file", "json", "actor", "organisation", "command-id", "timeout"})
"""Flags a ``--file`` does not give: who acts and how the answer is shown come from the command line."""


def file_flags(p: argparse.ArgumentParser) -> dict[str, str]:
    """The flags of a command parser a ``--file`` may give, by name (no dashes), with their ``dest``."""
    return {
        opt[2:]: action.dest
        for action in p._actions
        for opt in action.option_strings
        if opt.startswith("--") and opt[2:] not in NOT_IN_FILES
    }


def read_file(path: str | None) -> dict[str, Any]:
    if path is None:
        return {}
    text = forms.read_text(path, f"--file {path}", MAX_FILE)
    try:
        data = json.loads(text)
    except json.JSONDecodeError as err:
        raise BadInput(f"--file {path}: not valid JSON ({err})", "file") from None
    if not isinstance(data, dict):
        raise BadInput(f"--file {path}: expected a JSON object (the flags by name)", "file")
    return data


def given(args: argparse.Namespace, kind: str) -> dict[str, Any]:
    """The command's values by flag name: the flags on the line, then what ``--file`` gives for the
    flags left out (unknown keys refused, naming the flags to use)."""
    values = {name: getattr(args, dest) for name, dest in args.flags.items()}
    data = read_file(args.file)
    forms.check_names(data, list(values), spec(kind).paths or {}, f"--file {args.file}",
                      f"A --file for `lead {kind}` holds its flags")
    for name, value in data.items():
        if values[name] is None:
            values[name] = [value] if name == "instrument" and isinstance(value, str) else value
    for name in NEGATED & values.keys():
        values[name] = False if values[name] is True else None if values[name] in (None, False) else values[name]
    return values


def spec(kind: str) -> Spec:
    return START if kind == "start" else COMMANDS[kind]


def paths(kind: str, dests: dict[str, str] | None = None) -> Paths:
    """Where each flag of ``kind`` puts its value."""
    return {**spec(kind).paths, "reason": ("reason",)}


def with_flags(err: BadInput, where: Paths) -> BadInput:
    """``err`` with each field it names followed by the flag that sets it (``lead.phase (--phase): ...``)."""
    lines = []
    for text in str(err).splitlines():
        field, sep, _ = text.strip().partition(": ")
        flag = forms.flag_of(field, where) if sep and " " not in field else None
        lines.append(text.replace(f"{field}: ", f"{field} (--{flag}): ", 1) if flag else text)
    return BadInput("\n".join(lines), err.field)
