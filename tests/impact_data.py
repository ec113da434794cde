"""Cases for the impact-report tests, built through the real stage machine (``decide``) at chosen dates.

``scenario()`` is the constructed ledger whose answers test_impact checks by hand; ``demo()`` is a
larger, realistic mix for the HTML report's screenshot.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from domain.decide import Context, decide
from domain.events import Event
from domain.models import MatchProposal
from domain.state import CaseState, fold
from domain.vocab import HOTSPOT_REGION, GrowthSpaceKind, HotspotId
from tests import factories as f


def at(y: int, m: int, d: int = 10) -> datetime:
    return datetime(y, m, d, 12, 0, tzinfo=UTC)


def proposals(*hotspots: str, viable: bool = True) -> list[dict]:
    return [MatchProposal(hotspot=HotspotId(h), region=HOTSPOT_REGION[HotspotId(h)], score=0.8, viable=viable,
                          reasons=["fits"], shortfalls=[] if viable else [GrowthSpaceKind.ENERGY]).model_dump(mode="json")
            for h in hotspots]


class Case:
    """One case's events, command by command, at the dates given."""

    def __init__(self, case_id: str, facts: bool = False) -> None:
        self.case_id = case_id
        self.facts = facts  # decided as under the workflow patch programme-facts (issue 14)
        self.state: CaseState | None = None
        self.events: list[Event] = []

    def do(self, when: datetime, kind: str, **fields) -> Case:
        cmd = f.start(**fields) if kind == "start" else f.command(kind, **fields)
        events = decide(self.state, cmd, Context(self.case_id, when, programme_facts=self.facts))
        self.state = fold(events, self.state)
        self.events += events
        return self

    def consult(self, when: datetime, verdict: str = "positive", party: str = "municipality") -> Case:
        assert self.state is not None, "consult after start"
        cid = f"C{len(self.state.consultations) + 1}"
        self.do(when, "request-consultation", party=party, subject="zoning and permits",
                due=(when + timedelta(days=40)).date().isoformat())
        return self.do(when + timedelta(days=20), "answer-consultation", consultation_id=cid, verdict=verdict,
                       answer="fits the zoning plan" if verdict != "negative" else "no grid connection before 2031")


ENERGY_ONLY = {"energy": {"grid_mva": 12}, "needed_by": "2028-06-01"}
CAPITAL_ONLY = {"capital": {"capex_eur": 8_000_000}, "needed_by": "2029-01-01"}


def needs(needed_by: str) -> dict:
    """The factories' space, talent and energy need, needed by ``needed_by``."""
    return f.NEEDS | {"needed_by": needed_by}


def scenario() -> list[Case]:
    """Six cases; test_impact.py lists what each period should count."""
    a = Case("lead-a").do(at(2025, 3), "start", phase=2)  # bom, photonics, scaleup
    a.do(at(2025, 4), "articulate-needs", needs=needs("2027-04-10")).do(at(2025, 5), "propose-matches", proposals=proposals("twente"))
    a.do(at(2025, 5, 20), "choose-location", hotspot="twente")
    a.do(at(2025, 6), "request-consultation", party="municipality", subject="z", due="2025-07-10")
    a.do(at(2025, 7), "answer-consultation", consultation_id="C1", verdict="positive", answer="ok")
    a.do(at(2025, 8), "change-phase", phase=3).do(at(2025, 9), "start-realisation")
    a.do(at(2025, 10), "realise", investment_eur=100_000_000, jobs=10, new_scaleup=True)

    b = Case("lead-b").do(at(2025, 11), "start", phase=1, company="Wafer Works BV", technology_domain="semiconductors")
    b.do(at(2025, 12), "change-phase", phase=2).do(at(2025, 12, 20), "articulate-needs", needs=needs("2027-12-19"))
    b.do(at(2026, 1, 5), "propose-matches", proposals=proposals("groningen", "brainport-eindhoven"))
    b.do(at(2026, 1, 6), "choose-location", hotspot="groningen")
    b.do(at(2026, 1, 7), "request-consultation", party="grid_operator", subject="g", due="2026-02-01")
    b.do(at(2026, 1, 20), "answer-consultation", consultation_id="C1", verdict="negative", answer="no grid")
    b.do(at(2026, 2, 1), "propose-matches", proposals=proposals("groningen", "brainport-eindhoven"))
    b.do(at(2026, 2, 2), "choose-location", hotspot="brainport-eindhoven")
    b.do(at(2026, 2, 3), "request-consultation", party="municipality", subject="z", due="2026-03-01")
    b.do(at(2026, 3, 1), "answer-consultation", consultation_id="C2", verdict="positive", answer="ok")
    b.do(at(2026, 4, 1), "start-realisation").do(at(2026, 5, 1), "realise", investment_eur=40_000_000, jobs=5)

    c = Case("lead-c").do(at(2026, 2), "start", phase=3, company="Qubit Labs BV", home_region="nom",
                          hotspot="groningen", technology_domain="quantum", company_type="startup")
    c.do(at(2026, 3), "close", outcome="withdrawn", reason="paused by the founders")
    c.do(at(2026, 8), "reopen").do(at(2026, 8, 20), "articulate-needs", needs=ENERGY_ONLY)
    c.do(at(2026, 9), "propose-matches", proposals=proposals("twente", viable=False), bottleneck="energy")
    c.do(at(2026, 10), "close", outcome="no_proposition_possible", bottleneck="energy", reason="no grid capacity")

    d = Case("lead-d").do(at(2026, 6, 20), "start", phase=1, company="Lumen Start BV", company_type="startup")
    d.do(at(2026, 6, 21), "record-reminder", key="phase-2/lead-d", rule="phase-2", subject="Lumen Start BV: ask about growth",
         channel="email", recipient="coordinator@example.org")
    d.do(at(2026, 6, 25), "articulate-needs", needs=CAPITAL_ONLY)

    e = Case("lead-e").do(at(2026, 5), "start", phase=2, company="Neural Edge BV", home_region="oost-nl",
                          hotspot="twente", technology_domain="ai-data")
    e.do(at(2026, 6), "articulate-needs", needs=needs("2029-06-11")).do(at(2026, 6, 20), "propose-matches", proposals=proposals("almere"))
    e.do(at(2026, 6, 25), "close", outcome="withdrawn", reason="board decision pending")
    e.do(at(2026, 9), "reopen").do(at(2026, 9, 20), "propose-matches", proposals=proposals("almere"))
    e.do(at(2026, 9, 25), "choose-location", hotspot="almere")
    e.do(at(2026, 10, 1), "request-consultation", party="municipality", subject="z", due="2026-11-01")
    e.do(at(2026, 10, 20), "answer-consultation", consultation_id="C1", verdict="positive", answer="ok")
    e.do(at(2026, 11, 1), "start-realisation").do(at(2026, 12, 1), "change-phase", phase=3)
    e.do(at(2027, 2, 1), "realise", investment_eur=250_000_000, jobs=100, new_scaleup=True)

    g = Case("lead-f").do(at(2024, 11, 1), "start", phase=4, company="Cipher Grid BV", home_region="innovationquarter",
                          hotspot="zuidvleugel", technology_domain="cybersecurity", company_type="grownup")
    g.do(at(2025, 2, 1), "articulate-needs", needs=needs("2026-02-01")).do(at(2025, 3, 1), "propose-matches", proposals=proposals("zuidvleugel"))
    g.do(at(2025, 4, 1), "close", outcome="left_abroad", bottleneck="energy", reason="R&D went to the US for a grid connection")
    return [a, b, c, d, e, g]


DEMO_LEADS = [
    # company, home region, home hotspot, domain, type, destination, outcome
    ("Photon Forge BV", "bom", "brainport-eindhoven", "photonics", "scaleup", "twente", "other"),
    ("Wafer Works BV", "bom", "brainport-eindhoven", "semiconductors", "scaleup", "groningen", "other"),
    ("Qubit Labs BV", "innovationquarter", "zuidvleugel", "quantum", "startup", "zuidvleugel", "own"),
    ("Cell Motion BV", "oost-nl", "arnhem-nijmegen", "biomolecular", "scaleup", "almere", "other"),
    ("Grid Store BV", "nom", "groningen", "energy-materials", "scaleup", None, "energy"),
    ("Vibra Optics BV", "innovationquarter", "zuidvleugel", "mechatronics", "grownup", None, "space"),
    ("Neural Edge BV", "oost-nl", "twente", "ai-data", "startup", "brainport-eindhoven", "other"),
    ("Flow Sense BV", "horizon-flevoland", "almere", "imaging", "scaleup", None, "talent"),
    ("Secure Die BV", "bom", "brainport-eindhoven", "cybersecurity", "startup", None, "open"),
    ("Helix Process BV", "liof", "brainport-eindhoven", "process-technology", "grownup", "twente", "other"),
    ("Nano Coat BV", "rom-utrecht", "zuidvleugel", "energy-materials", "startup", "twente", "matchmaking"),
]


def demo() -> list[Case]:
    """Eleven realistic leads over 2025-2026: realised elsewhere and at home, no proposition, open."""
    cases = []
    for i, (company, region, hotspot, domain, kind, dest, end) in enumerate(DEMO_LEADS):
        t = at(2025, 1 + i, 5)
        c = Case(f"lead-demo-{i}").do(t, "start", phase=2, company=company, home_region=region, hotspot=hotspot,
                                      technology_domain=domain, company_type=kind)
        if end == "open":
            cases.append(c)
            continue
        c.do(t + timedelta(days=40), "articulate-needs", needs=f.NEEDS)
        c.do(t + timedelta(days=70), "propose-matches", proposals=proposals(dest or "twente", viable=dest is not None),
             bottleneck=None if dest else end)
        if dest is None:
            c.do(t + timedelta(days=120), "close", outcome="no_proposition_possible", bottleneck=end,
                 reason=f"no hotspot has the {end} this company needs")
        elif end != "matchmaking":
            if i == 3:  # refused by the grid operator first: back to matchmaking
                c.do(t + timedelta(days=75), "choose-location", hotspot="groningen")
                c.consult(t + timedelta(days=76), verdict="negative", party="grid_operator")
                c.do(t + timedelta(days=97), "propose-matches", proposals=proposals(dest))
            c.do(t + timedelta(days=98), "choose-location", hotspot=dest)
            c.consult(t + timedelta(days=100))
            c.do(t + timedelta(days=200), "change-phase", phase=3)
            c.do(t + timedelta(days=220), "start-realisation")
            c.do(t + timedelta(days=300), "realise", investment_eur=(60 + 35 * i) * 1_000_000, jobs=40 + 10 * i,
                 new_scaleup=kind == "startup" or i % 3 == 0)
        cases.append(c)
    return cases


def events(cases: list[Case]) -> list[Event]:
    return [e for c in cases for e in c.events]
