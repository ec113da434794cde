"""``brandpunt demo``: the five anonymised cases of the programme, as the programme tells them.

The programme (sources/002, "Voorbeelden") gives five cases "van deeptech maakbedrijven uit de
praktijk. Om bedrijfsvertrouwelijke redenen zijn de casussen geanonimiseerd verwoord." Each script
below quotes its case. What the programme says decides the story: the kind of growth space that
blocks the company, and how the case ends where the programme says so (cases 3, 4 and 5). Cases 1
and 2 it leaves open ("dreigt [...] te vertrekken", "een serieuze optie die wordt onderzocht"), so
their cases stay open here. Everything else is fictional and marked so in each script (``fiction``):
the home region and hotspot (the programme names none), the figures of the needs, the dates, the
municipalities, the investment and jobs. The figures are chosen so that matchmaking against the
shipped offers (illustrative too, ``ledger/data/hotspots.json``) tells the same story: the company's
own hotspot falls short on exactly the growth space the programme names. Matchmaking proposes all
six hotspots (``limit`` 6), so that shortfall is on record in the case.

The cases go through the same client path as a coordinator's commands (updates validated by the
workflow, events in the ledger) and are started as demo cases (``demo: true`` on the start), so
no report counts them unless asked (``--include-demo``) and the inbox leaves them out.
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


def _in(days: int) -> str:
    return (date.today() + timedelta(days=days)).isoformat()


def scripts() -> list[dict[str, Any]]:
    """Each case: the programme's words, what is fictional, its lead, the (command, fields, reason)
    steps in order, and how it ends (``ends``: stage and outcome; an open case has no outcome)."""
    return [
        {
            "slug": "maritime-manufacturer",
            "programme": "Een maritiem maakbedrijf dreigt naar het buitenland te vertrekken, omdat de gemeente "
                         "woontorens heeft gebouwd in de milieuzone van het bedrijf en dit groei en investeringen "
                         "op de huidige plek belemmert.",
            # A space need: "Ruimte-intensief. Dit gaat over aantallen vierkante meters en de kwaliteit
            # van de ruimte (cleanrooms, trillingvrije vloeren, bereikbaarheid voor personeel en
            # vrachtverkeer, milieuruimte etc.)" - the environmental room its zone no longer gives it.
            # Not housing: the housing was built by the municipality, the company asks for none.
            "fiction": "home region and hotspot, the figures (12,000 m², environmental category 5, truck "
                       "access), the date needed; the programme does not tell how the case ends: it stays open",
            "lead": {
                "company": "Maritime manufacturer (anonymised)",
                "home_region": "impuls-zeeland", "hotspot": "zuidvleugel",
                "technology_domain": "mechatronics", "company_type": "grownup", "phase": 4,
                "contact": {"name": "CEO"},
            },
            "steps": [
                ("articulate-needs", {"needs": {
                    "space": {"m2": 12000, "heavy_transport": True, "environmental_category": 5},
                    "needed_by": _in(3 * 365),
                    "notes": "residential towers built inside its environmental zone block growth at its current site"}},
                 "growth and investment at the current site blocked by housing inside its environmental zone"),
                ("propose-matches", {"limit": 6}, None),
                ("note", {"kind": "meeting", "text": "The company weighs the proposed sites against a site "
                          "abroad; no decision yet (the programme does not tell the outcome)."}, None),
            ],
            "ends": {"stage": "matchmaking", "outcome": None},
        },
        {
            "slug": "microchip-scaleup",
            "programme": "Een scale-up in de microchip sector kan in zijn huidige verdichte regio geen geschikte "
                         "ruimte vinden voor opschalen. Verhuizen naar het buitenland is een serieuze optie die "
                         "wordt onderzocht.",
            "fiction": "home region and hotspot, the figures (8,000 m² with an ISO 5 cleanroom, vibration-free; "
                       "the talent), the date needed; the programme leaves the case open: it stays open",
            "lead": {
                "company": "Microchip scale-up (anonymised)",
                "home_region": "bom", "hotspot": "brainport-eindhoven",
                "technology_domain": "semiconductors", "company_type": "scaleup", "phase": 2,
                "contact": {"name": "COO"},
            },
            "steps": [
                ("change-phase", {"phase": 3}, "product validated, scaling up"),
                # its dense home region has too few m² (the shipped offer: 6,000), the rest it has
                ("articulate-needs", {"needs": {
                    "space": {"m2": 8000, "cleanroom_iso_class": 5, "vibration_free": True},
                    "talent": {"hbo_fte": 30, "wo_fte": 20}, "needed_by": _in(30 * 30)}},
                 "no suitable space for scaling up in its dense home region"),
                ("propose-matches", {"limit": 6}, None),
                ("note", {"kind": "call", "text": "Moving abroad is a serious option the company is examining "
                          "next to the proposed sites (the programme leaves the case open)."}, None),
            ],
            "ends": {"stage": "matchmaking", "outcome": None},
        },
        {
            "slug": "flow-meter-maker",
            "programme": "Een maakbedrijf voor debietmeters vestigt een nieuw ontwikkel laboratorium niet in "
                         "Nederland omdat er in de regio, waar het is gevestigd, geen geschikt talent is te vinden.",
            "fiction": "home region and hotspot, the talent asked (150 wo, 60 hbo FTE), the date needed",
            "lead": {
                "company": "Flow-meter maker (anonymised)",
                "home_region": "oost-nl", "hotspot": "twente",
                "technology_domain": "mechatronics", "company_type": "grownup", "phase": 4,
                "contact": {"name": "CTO"},
            },
            "steps": [
                # more engineers than its home hotspot supplies (the shipped offer: 120 wo a year)
                ("articulate-needs", {"needs": {"talent": {"wo_fte": 150, "hbo_fte": 60},
                                                "needed_by": _in(365)}},
                 "a new development lab needs more engineers than its region offers"),
                ("propose-matches", {"limit": 6}, None),
                ("close", {"outcome": "left_abroad", "bottleneck": "talent"},
                 "the new development lab is placed abroad: no suitable talent in its region"),
            ],
            "ends": {"stage": "closed", "outcome": "left_abroad"},
        },
        {
            "slug": "energy-storage-scaleup",
            "programme": "Een scale-up die technologie ontwikkelt voor de opslag van energie kon zich door gebrek "
                         "aan voldoende stroom niet vestigen. Ternauwernood is met een case based aanpak een andere "
                         "locatie gevonden en is voorkomen dat de investeringen in het buitenland zouden "
                         "plaatsvinden.",
            "fiction": "home region and hotspot, the figures (3,000 m², 15 MVA), the sites, the dates, the "
                       "investment (EUR 75 M) and jobs (120)",
            "lead": {
                "company": "Energy-storage scale-up (anonymised)",
                "home_region": "innovationquarter", "hotspot": "zuidvleugel",
                "technology_domain": "energy-materials", "company_type": "scaleup", "phase": 3,
                "contact": {"name": "founder"},
            },
            "steps": [
                # its home hotspot has the m² but not the power (the shipped offer: 3 MVA of headroom)
                ("articulate-needs", {"needs": {"space": {"m2": 3000}, "energy": {"grid_mva": 15},
                                                "needed_by": _in(18 * 30)}},
                 "needs more grid capacity than its region has"),
                ("propose-matches", {"limit": 6}, None),
                ("choose-location", {"hotspot": "zuidvleugel", "municipality": "Rotterdam"},
                 "the company's intended site"),
                ("request-consultation", {"party": "grid_operator", "subject": "15 MVA connection",
                                          "due": _in(30)}, None),
                ("answer-consultation", {"consultation_id": "C1", "verdict": "negative",
                                         "answer": "no 15 MVA connection before 2030"},
                 "it cannot settle for lack of power"),
                ("choose-location", {"hotspot": "groningen", "municipality": "Groningen"},
                 "the case-based approach found another site"),
                ("request-consultation", {"party": "grid_operator", "subject": "15 MVA connection",
                                          "due": _in(45)}, None),
                ("answer-consultation", {"consultation_id": "C2", "verdict": "positive",
                                         "answer": "capacity reserved"}, None),
                ("start-realisation", {}, None),
                # a scale-up when found and when realised: no new scale-up (the default)
                ("realise", {"investment_eur": 75_000_000, "jobs": 120, "counterfactual": "would_have_gone_abroad"},
                 "realised in the Netherlands; otherwise the investment would have gone abroad"),
            ],
            "ends": {"stage": "closed", "outcome": "realised_other_region"},
        },
        {
            "slug": "multinational-rd-facility",
            "programme": "Een toonaangevende multinational die in Nederland een nieuwe R&D faciliteit wilde "
                         "realiseren, koos ervoor dit in de VS te doen. Dit omdat in de regio, waar het is "
                         "gevestigd, niet tijdig een stroomaansluiting was te realiseren en het bedrijf hierdoor "
                         "vreesde een technologische achterstand op te lopen.",
            "fiction": "home region and hotspot, the figures (5,000 m², 25 MVA), the site, the dates",
            "lead": {
                "company": "Multinational R&D facility (anonymised)",
                "home_region": "bom", "hotspot": "brainport-eindhoven",
                "technology_domain": "semiconductors", "company_type": "grownup", "phase": 4,
                "contact": {"name": "site director"},
            },
            "steps": [
                # its home hotspot has the m² but no grid connection of this size (2 MVA of headroom)
                ("articulate-needs", {"needs": {"space": {"m2": 5000}, "energy": {"grid_mva": 25},
                                                "needed_by": _in(9 * 30)}},
                 "a new R&D facility needs a grid connection within the year"),
                ("propose-matches", {"limit": 6}, None),
                ("choose-location", {"hotspot": "brainport-eindhoven", "municipality": "Eindhoven"},
                 "the company wants the facility in its own region"),
                ("request-consultation", {"party": "grid_operator", "subject": "25 MVA connection",
                                          "due": _in(30)}, None),
                ("answer-consultation", {"consultation_id": "C1", "verdict": "negative",
                                         "answer": "no 25 MVA connection before 2029"},
                 "no grid connection in time"),
                # it went abroad: left_abroad, with the grid as the bottleneck (not "no proposition")
                ("close", {"outcome": "left_abroad", "bottleneck": "energy"},
                 "chose to build the R&D facility in the US: no grid connection in time, it feared a "
                 "technological lag"),
            ],
            "ends": {"stage": "closed", "outcome": "left_abroad"},
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
    proposals = result.state.proposals
    return {"slug": script["slug"], **summary(result.state),
            "offers_illustrative": any(p.illustrative for p in proposals) if proposals else None}


async def run_demo(as_json: bool = False) -> int:
    import settings as config
    from client.local import LocalCases

    async with LocalCases(config.load()) as cases:
        rows = await asyncio.gather(*(run_case(cases, sc, CaseConfig()) for sc in scripts()))
    if as_json:
        print(json.dumps(rows, indent=2, ensure_ascii=False))
    else:
        for row in rows:
            print(f"{row['case_id']:<14} {row['slug']:<26} {row['stage']:<12} {row['outcome'] or 'open'}")
        if any(r["offers_illustrative"] for r in rows):
            print("matched against illustrative hotspot offers (see `brandpunt offers list`)")
    return 0
