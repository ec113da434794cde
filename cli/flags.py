"""Command-line flags for each coordinator command, and how they become a domain command.

Flags only gather input; ``domain.commands`` validates it (pydantic) and ``domain.decide`` judges
it. A ``--file`` JSON gives the same fields as the flags; flags given on the line win.
"""

from __future__ import annotations

import argparse
import json
from collections.abc import Callable
from enum import Enum
from pathlib import Path
from typing import Any

from client.api import command_from
from client.errors import BadInput
from domain.commands import Command
from domain.vocab import (
    Bottleneck,
    CompanyType,
    ConsultationParty,
    FinancingInstrument,
    HotspotId,
    Outcome,
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
    p.add_argument("--hotspot", choices=_values(HotspotId), help="nearest technology hotspot")
    p.add_argument("--domain", choices=_values(TechnologyDomain), help="technology domain")
    p.add_argument("--type", choices=_values(CompanyType), dest="company_type")
    p.add_argument("--phase", type=int, help="venture phase 1-4")
    p.add_argument("--contact-name")
    p.add_argument("--contact-email")
    p.add_argument("--contact-phone")
    p.add_argument("--coordinator", help="who coordinates the case (receives reminders)")


def _lead_body(a: argparse.Namespace, base: dict[str, Any]) -> dict[str, Any]:
    lead = dict(base.get("lead", {}))
    contact = dict(lead.get("contact", {}))
    for flag, field in [
        ("company", "company"),
        ("kvk", "kvk"),
        ("region", "home_region"),
        ("hotspot", "hotspot"),
        ("domain", "technology_domain"),
        ("company_type", "company_type"),
        ("phase", "phase"),
        ("coordinator", "coordinator"),
    ]:
        if getattr(a, flag) is not None:
            lead[field] = getattr(a, flag)
    for flag in ("name", "email", "phone"):
        if getattr(a, f"contact_{flag}") is not None:
            contact[flag] = getattr(a, f"contact_{flag}")
    if contact:
        lead["contact"] = contact
    return {"lead": lead}


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


def _needs_body(a: argparse.Namespace, base: dict[str, Any]) -> dict[str, Any]:
    needs = dict(base.get("needs", {}))

    def put(kind: str, field: str, value: Any) -> None:
        if value is not None:
            needs[kind] = {**needs.get(kind, {}), field: value}

    put("space", "m2", a.m2)
    put("space", "cleanroom_iso_class", a.cleanroom_iso_class)
    put("space", "vibration_free", a.vibration_free)
    put("space", "heavy_transport", a.heavy_transport)
    put("space", "environmental_category", a.environmental_category)
    put("capital", "capex_eur", a.capex_eur)
    put("capital", "shared_facility_ok", False if a.no_shared_facility else None)
    put("talent", "mbo_fte", a.mbo_fte)
    put("talent", "hbo_fte", a.hbo_fte)
    put("talent", "wo_fte", a.wo_fte)
    put("housing", "jobs", a.jobs)
    put("housing", "housing_units", a.housing_units)
    put("housing", "needs_public_transport", a.public_transport)
    put("energy", "grid_mva", a.grid_mva)
    put("financing", "amount_eur", a.financing_eur)
    put("financing", "instruments", a.instrument)
    if a.needed_by is not None:
        needs["needed_by"] = a.needed_by
    if a.notes is not None:
        needs["notes"] = a.notes
    return {"needs": needs}


def _location_flags(p: argparse._ActionsContainer) -> None:
    p.add_argument("--hotspot", choices=_values(HotspotId))
    p.add_argument("--region", choices=_values(Region))
    p.add_argument("--municipality")


def _pick(a: argparse.Namespace, *names: str) -> dict[str, Any]:
    return {n: getattr(a, n) for n in names if getattr(a, n) is not None}


def _realise_body(a: argparse.Namespace, base: dict[str, Any]) -> dict[str, Any]:
    body = _pick(a, "investment_eur", "jobs", "new_scaleup")
    location = _pick(a, "hotspot", "region", "municipality")
    if location:
        body["location"] = location
    return body


def _realise_flags(p: argparse.ArgumentParser) -> None:
    p.add_argument("--investment-eur", type=int, help="investment retained, EUR")
    p.add_argument("--jobs", type=int)
    p.add_argument("--new-scaleup", action="store_true", default=None)
    g = p.add_argument_group("location (default: the chosen location)")
    _location_flags(g)


def _none(p: argparse.ArgumentParser) -> None:
    return None


Spec = tuple[str, Callable[[argparse.ArgumentParser], object], Callable[..., dict[str, Any]]]
"""(help, adds the command's flags (its result unused), builds the command's fields from the flags and a --file)."""

COMMANDS: dict[str, Spec] = {
    "update": ("correct the lead's facts (not its phase)", _lead_flags, _lead_body),
    "change-phase": (
        "record a new venture phase",
        lambda p: p.add_argument("--phase", type=int, help="1-4 (required, here or in --file)"),
        lambda a, b: _pick(a, "phase"),
    ),
    "articulate-needs": ("record the growth question", _needs_flags, _needs_body),
    "propose-matches": (
        "score the hotspots against the needs",
        lambda p: p.add_argument("--limit", type=int, help="how many proposals (default 3)"),
        lambda a, b: _pick(a, "limit"),
    ),
    "choose-location": (
        "record the location the company chose",
        _location_flags,
        lambda a, b: _pick(a, "hotspot", "region", "municipality"),
    ),
    "request-consultation": (
        "consult a municipality, province or grid operator",
        lambda p: (
            p.add_argument("--party", choices=_values(ConsultationParty)),
            p.add_argument("--subject"),
            p.add_argument("--due", help="YYYY-MM-DD"),
        ),
        lambda a, b: _pick(a, "party", "subject", "due"),
    ),
    "answer-consultation": (
        "record a consulted party's answer (negative returns to matchmaking)",
        lambda p: (
            p.add_argument("--consultation", dest="consultation_id", help="e.g. C1"),
            p.add_argument("--verdict", choices=_values(Verdict)),
            p.add_argument("--answer"),
        ),
        lambda a, b: _pick(a, "consultation_id", "verdict", "answer"),
    ),
    "start-realisation": ("the company goes ahead at the chosen location", _none, lambda a, b: {}),
    "realise": ("record the realised growth and close the case", _realise_flags, _realise_body),
    "close": (
        "end the case without realisation",
        lambda p: (
            p.add_argument(
                "--outcome",
                choices=[Outcome.LEFT_ABROAD.value, Outcome.WITHDRAWN.value, Outcome.NO_PROPOSITION_POSSIBLE.value],
            ),
            p.add_argument("--bottleneck", choices=_values(Bottleneck)),
        ),
        lambda a, b: _pick(a, "outcome", "bottleneck"),
    ),
    "reopen": ("reopen a case closed without realisation", _none, lambda a, b: {}),
}


def read_file(path: str | None) -> dict[str, Any]:
    if path is None:
        return {}
    try:
        data = json.loads(Path(path).read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise BadInput(f"--file {path}: no such file") from None
    except json.JSONDecodeError as err:
        raise BadInput(f"--file {path}: not valid JSON ({err})") from None
    if not isinstance(data, dict):
        raise BadInput(f"--file {path}: expected a JSON object")
    return data


def build(kind: str, body: dict[str, Any], meta: dict[str, Any]) -> Command:
    """``body`` as a ``kind`` command (:func:`client.api.command_from`: the workflow's own check)."""
    return command_from(kind, body, meta)
