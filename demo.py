"""``brandpunt demo``: the five anonymised programme cases of DOMAIN.md, run to their outcomes.

They go through the same client path as a coordinator's commands (updates validated by the
workflow, events in the ledger), so the demo also shows every stage and both ways a case can end.
"""

from __future__ import annotations

import asyncio
import json
from datetime import date, timedelta
from typing import Any

from client.api import Cases, command_from
from client.views import summary
from workflows.case_io import CaseConfig

ACTOR = "demo-coordinator"
ORG = "taskforce (demo)"


def _due(days: int) -> str:
    return (date.today() + timedelta(days=days)).isoformat()


def scripts() -> list[dict[str, Any]]:
    """Each case: its lead, then (command, fields, reason) steps in order."""
    needed = (date.today() + timedelta(days=540)).isoformat()
    return [
        {
            "slug": "maritime-manufacturer",
            "lead": {
                "company": "Maritime manufacturer (anonymised)",
                "home_region": "impuls-zeeland", "hotspot": "zuidvleugel",
                "technology_domain": "mechatronics", "company_type": "grownup", "phase": 4,
                "contact": {"name": "CEO"},
            },
            "steps": [
                ("articulate-needs", {"needs": {
                    "space": {"m2": 12000, "heavy_transport": True, "environmental_category": 4},
                    "housing": {"jobs": 150, "housing_units": 60}, "needed_by": needed}},
                 "housing built inside its environmental zone blocks growth"),
                ("propose-matches", {}, None),
                ("choose-location", {"region": "impuls-zeeland", "municipality": "Vlissingen-Oost"},
                 "company prefers a port site in its own region"),
                ("request-consultation", {"party": "municipality", "subject": "zoning of port site",
                                          "due": _due(60)}, None),
                ("answer-consultation", {"consultation_id": "C1", "verdict": "positive",
                                         "answer": "zoning fits category 4"}, None),
                ("start-realisation", {}, None),
                ("realise", {"investment_eur": 40_000_000, "jobs": 150}, "new yard opened"),
            ],
        },
        {
            "slug": "microchip-scaleup",
            "lead": {
                "company": "Microchip scale-up (anonymised)",
                "home_region": "bom", "hotspot": "brainport-eindhoven",
                "technology_domain": "semiconductors", "company_type": "scaleup", "phase": 2,
                "contact": {"name": "COO"},
            },
            "steps": [
                ("change-phase", {"phase": 3}, "product validated, scaling up"),
                ("articulate-needs", {"needs": {
                    "space": {"m2": 4000, "cleanroom_iso_class": 6, "vibration_free": True},
                    "talent": {"mbo_fte": 30, "hbo_fte": 40, "wo_fte": 20},
                    "energy": {"grid_mva": 3}, "needed_by": needed}},
                 "no space in its dense region"),
                ("propose-matches", {}, None),
                ("choose-location", {"hotspot": "arnhem-nijmegen", "municipality": "Nijmegen"}, None),
                ("request-consultation", {"party": "municipality", "subject": "permit for cleanroom fab",
                                          "due": _due(90)}, None),
                ("request-consultation", {"party": "grid_operator", "subject": "3 MVA connection",
                                          "due": _due(120)}, None),
                ("answer-consultation", {"consultation_id": "C1", "verdict": "positive",
                                         "answer": "permit procedure started"}, None),
                ("answer-consultation", {"consultation_id": "C2", "verdict": "conditional",
                                         "answer": "connection in 2027 Q2"}, None),
                ("start-realisation", {}, None),
                ("realise", {"investment_eur": 120_000_000, "jobs": 90, "new_scaleup": True}, None),
            ],
        },
        {
            "slug": "flow-meter-maker",
            "lead": {
                "company": "Flow-meter maker (anonymised)",
                "home_region": "oost-nl", "hotspot": "twente",
                "technology_domain": "imaging", "company_type": "grownup", "phase": 4,
                "contact": {"name": "CTO"},
            },
            "steps": [
                ("articulate-needs", {"needs": {"talent": {"wo_fte": 60, "hbo_fte": 40},
                                                "needed_by": needed}},
                 "new development lab needs more engineers than the region offers"),
                ("propose-matches", {}, None),
                ("close", {"outcome": "left_abroad", "bottleneck": "talent"},
                 "lab placed abroad for lack of talent"),
            ],
        },
        {
            "slug": "energy-storage-scaleup",
            "lead": {
                "company": "Energy-storage scale-up (anonymised)",
                "home_region": "innovationquarter", "hotspot": "zuidvleugel",
                "technology_domain": "energy-materials", "company_type": "scaleup", "phase": 3,
                "contact": {"name": "founder"},
            },
            "steps": [
                ("articulate-needs", {"needs": {"space": {"m2": 8000, "heavy_transport": True},
                                                "energy": {"grid_mva": 15}, "needed_by": needed}},
                 "could not settle for lack of power"),
                ("propose-matches", {}, None),
                ("choose-location", {"hotspot": "almere", "municipality": "Almere"}, None),
                ("request-consultation", {"party": "grid_operator", "subject": "15 MVA connection",
                                          "due": _due(45)}, None),
                ("answer-consultation", {"consultation_id": "C1", "verdict": "negative",
                                         "answer": "no capacity before 2030"}, "grid congestion"),
                ("choose-location", {"hotspot": "groningen", "municipality": "Groningen"},
                 "case approach found another site"),
                ("request-consultation", {"party": "grid_operator", "subject": "15 MVA connection",
                                          "due": _due(45)}, None),
                ("answer-consultation", {"consultation_id": "C2", "verdict": "positive",
                                         "answer": "capacity reserved"}, None),
                ("start-realisation", {}, None),
                ("realise", {"investment_eur": 75_000_000, "jobs": 120, "new_scaleup": True}, None),
            ],
        },
        {
            "slug": "multinational-rd-facility",
            "lead": {
                "company": "Multinational R&D facility (anonymised)",
                "home_region": "bom", "hotspot": "brainport-eindhoven",
                "technology_domain": "semiconductors", "company_type": "grownup", "phase": 4,
                "contact": {"name": "site director"},
            },
            "steps": [
                ("articulate-needs", {"needs": {"space": {"m2": 20000, "cleanroom_iso_class": 5},
                                                "energy": {"grid_mva": 60}, "needed_by": _due(200)}},
                 "new R&D facility needs a grid connection within a year"),
                ("propose-matches", {}, None),
                ("close", {"outcome": "no_proposition_possible", "bottleneck": "energy"},
                 "no grid connection possible in time anywhere; facility went to the US"),
            ],
        },
    ]


async def run_case(cases: Cases, script: dict[str, Any], config: CaseConfig) -> dict[str, Any]:
    """Play one script through the client library; the case id is the ledger's next serial."""
    meta = {"actor": ACTOR, "organisation": ORG}
    # a demo case: the impact report and the inbox leave it out unless asked (LeadDetected.demo)
    result = await cases.start(command_from("start", {"lead": script["lead"], "demo": True}, meta), config=config)
    case_id = result.state.case_id
    for kind, fields, reason in script["steps"]:
        result = await cases.act(case_id, command_from(kind, fields, {**meta, "reason": reason}))
    return summary(result.state)


async def run_demo(as_json: bool = False) -> int:
    import settings as config
    from client.local import LocalCases

    async with LocalCases(config.load()) as cases:
        rows = await asyncio.gather(*(run_case(cases, sc, CaseConfig()) for sc in scripts()))
    if as_json:
        print(json.dumps(rows, indent=2, ensure_ascii=False))
    else:
        for row in rows:
            print(f"{row['case_id']:<50} {row['stage']:<8} {row['outcome']}")
    return 0
