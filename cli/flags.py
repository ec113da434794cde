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
from enum import Enum
from typing import Any

from client import forms
from client.errors import BadInput
from client.forms import Paths
from domain.vocab import (
    Bottleneck,
    CompanyType,
    ConsultationParty,
    Counterfactual,
    FinancingInstrument,
    HotspotId,
    NoteKind,
    Outcome,
    ReferralTarget,
    Region,
    TechnologyDomain,
    Verdict,
)


def _values(enum: type[Enum]) -> list[str]:
    return [m.value for m in enum]


def _lead_flags(p: argparse.ArgumentParser) -> None:
    p.add_argument("--company", help="company name")
    p.add_argument("--kvk", help="KvK number (8 digits)")
    p.add_argument("--region", choices=_values(Region), help="home region (ROM)")
    p.add_argument("--hotspot", choices=[*_values(HotspotId), forms.NONE_VALUES["hotspot"]],
                   help="nearest technology hotspot; none: the company sits outside any hotspot")
    p.add_argument("--site", help="municipality of the company's current site")
    p.add_argument("--domain", choices=_values(TechnologyDomain), help="technology domain")
    p.add_argument("--type", choices=_values(CompanyType), dest="company_type")
    p.add_argument("--phase", type=int, help="venture phase 1-4")
    p.add_argument("--contact-name")
    p.add_argument("--contact-email")
    p.add_argument("--contact-phone")
    p.add_argument("--coordinator", help="who coordinates the case (receives reminders)")


def _needs_flags(p: argparse.ArgumentParser) -> None:
    g = p.add_argument_group("growth space (give at least one kind)")
    g.add_argument("--m2", type=int, help="space: floor area in m²")
    g.add_argument("--cleanroom-iso-class", type=int, help="space: ISO cleanroom class needed")
    g.add_argument("--vibration-free", action="store_true", default=None)
    g.add_argument("--heavy-transport", action="store_true", default=None)
    g.add_argument("--environmental-category", type=int)
    g.add_argument("--capex-eur", type=int, help="capital: investment in EUR")
    g.add_argument("--no-shared-facility", action="store_true", default=None)
    g.add_argument("--mbo-fte", type=int)
    g.add_argument("--hbo-fte", type=int)
    g.add_argument("--wo-fte", type=int)
    g.add_argument("--jobs", type=int, help="housing: jobs the growth brings")
    g.add_argument("--housing-units", type=int)
    g.add_argument("--public-transport", action="store_true", default=None)
    g.add_argument("--grid-mva", type=float, help="energy: grid capacity in MVA")
    g.add_argument("--financing-eur", type=int)
    g.add_argument("--instrument", action="append", choices=_values(FinancingInstrument))
    g.add_argument("--needed-by", help="date the growth space is needed (YYYY-MM-DD)")
    g.add_argument("--notes")


NEEDS: dict[str, tuple[str, ...]] = {
    "m2": ("needs", "space", "m2"),
    "cleanroom-iso-class": ("needs", "space", "cleanroom_iso_class"),
    "vibration-free": ("needs", "space", "vibration_free"),
    "heavy-transport": ("needs", "space", "heavy_transport"),
    "environmental-category": ("needs", "space", "environmental_category"),
    "capex-eur": ("needs", "capital", "capex_eur"),
    "no-shared-facility": ("needs", "capital", "shared_facility_ok"),  # negated: see NEGATED
    "mbo-fte": ("needs", "talent", "mbo_fte"),
    "hbo-fte": ("needs", "talent", "hbo_fte"),
    "wo-fte": ("needs", "talent", "wo_fte"),
    "jobs": ("needs", "housing", "jobs"),
    "housing-units": ("needs", "housing", "housing_units"),
    "public-transport": ("needs", "housing", "needs_public_transport"),
    "grid-mva": ("needs", "energy", "grid_mva"),
    "financing-eur": ("needs", "financing", "amount_eur"),
    "instrument": ("needs", "financing", "instruments"),
    "needed-by": ("needs", "needed_by"),
    "notes": ("needs", "notes"),
}
NEGATED = {"no-shared-facility", "not-new-scaleup", "not-at-current-site"}
"""Flags that say "not": given (true), the field they place is false; not given, it keeps its default."""
LOCATION = {name: ("location", name) for name in ("hotspot", "region", "municipality")}

def _location_flags(p: argparse._ActionsContainer) -> None:
    p.add_argument("--hotspot", choices=_values(HotspotId))
    p.add_argument("--region", choices=_values(Region))
    p.add_argument("--municipality")


def _scaleup_flags(p: argparse.ArgumentParser, help_yes: str, help_no: str) -> None:
    scaleup = p.add_mutually_exclusive_group()
    scaleup.add_argument("--new-scaleup", action="store_true", default=None, help=help_yes)
    scaleup.add_argument("--not-new-scaleup", action="store_true", default=None, help=help_no)


def _counterfactual_flag(p: argparse.ArgumentParser, help_text: str) -> None:
    p.add_argument("--counterfactual", choices=_values(Counterfactual), help=help_text)


def _realise_flags(p: argparse.ArgumentParser) -> None:
    p.add_argument("--investment-eur", type=int, help="investment retained, EUR")
    p.add_argument("--jobs", type=int)
    _counterfactual_flag(p, "what would have happened without the programme (required): only "
                            "would_have_gone_abroad and would_not_have_been_invested count as retained investment")
    p.add_argument("--type", choices=_values(CompanyType), dest="company_type",
                   help="the company type now (default: the lead's); with the type at detection it says "
                        "whether this is a new scale-up")
    _scaleup_flags(p, "a new scale-up, against what the company types say (give --new-scaleup-reason)",
                   "no new scale-up, against what the company types say (give --new-scaleup-reason)")
    p.add_argument("--new-scaleup-reason", help="why --new-scaleup or --not-new-scaleup departs from the types")
    site = p.add_mutually_exclusive_group()
    site.add_argument("--at-current-site", action="store_true", default=None,
                      help="in the own region: grows at the company's current site")
    site.add_argument("--not-at-current-site", action="store_true", default=None,
                      help="in the own region: elsewhere than the company's current site")
    g = p.add_argument_group("location (default: the chosen location)")
    _location_flags(g)


def _none(p: argparse.ArgumentParser) -> None:
    return None


def _note_flags(p: argparse.ArgumentParser) -> None:
    p.add_argument("--text", help="what was said or agreed (required)")
    p.add_argument("--kind", choices=_values(NoteKind), help="meeting, call, email or other (default other)")


def _correction_flags(p: argparse.ArgumentParser) -> None:
    p.add_argument("--investment-eur", type=int, help="the right investment retained, EUR")
    p.add_argument("--jobs", type=int, help="the right number of jobs")
    _scaleup_flags(p, "it is a new scale-up", "it is no new scale-up")
    _counterfactual_flag(p, "the right counterfactual")


@dataclass(frozen=True)
class Spec:
    """A coordinator command on the command line: its help, its flags, where each flag's value goes
    in the command's body (``None``: to the field its flag's ``dest`` names)."""

    help: str
    add_flags: Callable[[argparse.ArgumentParser], object]
    paths: Paths | None = None


def _start_flags(p: argparse.ArgumentParser) -> None:
    _lead_flags(p)
    p.add_argument("--demo", action="store_true", default=None,
                   help="a demo, training or test case: the impact report and the inbox leave it out")
    p.add_argument("--signalled-by", metavar="ORG",
                   help="the triple-helix organisation that signalled the lead (its id, e.g. twente-board); "
                        "the case stays the home region's ROM's")


START = Spec("start a case for a new lead", _start_flags,
             {**{k: ("lead", *v) for k, v in forms.LEAD.items()}, "demo": ("demo",),
              "signalled-by": ("signalled_by",)})
COMMANDS: dict[str, Spec] = {
    "update": Spec(
        "correct the lead's facts (not its phase); only the fields given change",
        _lead_flags, {k: ("changes", *v) for k, v in forms.LEAD.items()},
    ),
    "note": Spec("record a note of a meeting, call or e-mail (changes no stage)", _note_flags),
    "change-phase": Spec(
        "record a new venture phase",
        lambda p: p.add_argument("--phase", type=int, help="1-4 (required, here or in --file)"),
    ),
    "articulate-needs": Spec("record the growth question", _needs_flags, NEEDS),
    "propose-matches": Spec(
        "score the hotspots against the needs",
        lambda p: p.add_argument("--limit", type=int, help="how many proposals (default 3)"),
    ),
    "choose-location": Spec("record the location the company chose", _location_flags),
    "request-consultation": Spec(
        "consult a municipality, province or grid operator",
        lambda p: (
            p.add_argument("--party", choices=_values(ConsultationParty)),
            p.add_argument("--subject"),
            p.add_argument("--due", help="YYYY-MM-DD"),
        ),
    ),
    "answer-consultation": Spec(
        "record a consulted party's answer (negative returns to matchmaking)",
        lambda p: (
            p.add_argument("--consultation", dest="consultation_id", help="e.g. C1"),
            p.add_argument("--verdict", choices=_values(Verdict)),
            p.add_argument("--answer"),
        ),
    ),
    "start-realisation": Spec("the company goes ahead at the chosen location", _none),
    "realise": Spec(
        "record the realised growth and close the case", _realise_flags,
        {"investment-eur": ("investment_eur",), "jobs": ("jobs",), "counterfactual": ("counterfactual",),
         "type": ("company_type",), "new-scaleup": ("new_scaleup",), "not-new-scaleup": ("new_scaleup",),
         "new-scaleup-reason": ("new_scaleup_reason",), "at-current-site": ("at_current_site",),
         "not-at-current-site": ("at_current_site",), **LOCATION},
    ),
    "close": Spec(
        "end the case without realisation",
        lambda p: (
            p.add_argument(
                "--outcome",
                choices=[Outcome.LEFT_ABROAD.value, Outcome.WITHDRAWN.value, Outcome.NO_PROPOSITION_POSSIBLE.value],
            ),
            p.add_argument("--bottleneck", choices=_values(Bottleneck)),
        ),
    ),
    "reopen": Spec("reopen a case closed without realisation", _none),
    "correct-realisation": Spec(
        "correct a realised case's figures (--reason required)", _correction_flags,
        {"investment-eur": ("investment_eur",), "jobs": ("jobs",), "new-scaleup": ("new_scaleup",),
         "not-new-scaleup": ("new_scaleup",), "counterfactual": ("counterfactual",)},
    ),
    "refer": Spec(
        "refer the case to an adjacent programme or organisation, Invest-NL among them (any stage)",
        lambda p: (
            p.add_argument("--to", choices=_values(ReferralTarget)),
            p.add_argument("--name", help="which programme or organisation (unless invest-nl), e.g. Innovatiekrediet"),
            p.add_argument("--subject", help="what the referral is about"),
        ),
    ),
    "share": Spec(
        "share the case with another organisation for a purpose, until a date (the owner's coordinators; "
        "sharing again replaces purpose and date)",
        lambda p: (
            p.add_argument("--with", metavar="ORG", help="the organisation's id, e.g. oost-nl"),
            p.add_argument("--purpose", help="why it needs to know (recorded; shown in its access log entries)"),
            p.add_argument("--until", help="the share's last day, YYYY-MM-DD"),
        ),
        {"with": ("share_with",), "purpose": ("purpose",), "until": ("until",)},
    ),
    "revoke-share": Spec(
        "end a share before its date (--reason says why)",
        lambda p: p.add_argument("--with", metavar="ORG", help="the organisation whose share ends"),
        {"with": ("share_with",)},
    ),
    "expect-phase2-end": Spec(
        "record when the lead is expected to reach the end of venture phase 2 (its articulation reminder "
        "falls 90 days before it)",
        lambda p: p.add_argument("--expected-end", help="YYYY-MM-DD"),
    ),
}
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


def paths(kind: str, dests: dict[str, str]) -> Paths:
    """Where each flag of ``kind`` puts its value (``dests``: the flags' argparse destinations)."""
    return {**(spec(kind).paths or {name: (dest,) for name, dest in dests.items()}), "reason": ("reason",)}


def with_flags(err: BadInput, where: Paths) -> BadInput:
    """``err`` with each field it names followed by the flag that sets it (``lead.phase (--phase): ...``)."""
    lines = []
    for text in str(err).splitlines():
        field, sep, _ = text.strip().partition(": ")
        flag = forms.flag_of(field, where) if sep and " " not in field else None
        lines.append(text.replace(f"{field}: ", f"{field} (--{flag}): ", 1) if flag else text)
    return BadInput("\n".join(lines), err.field)
