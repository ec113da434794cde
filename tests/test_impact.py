"""Impact indicators on constructed ledgers with known answers."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from cli.main import main as cli
from domain.decide import Context, decide
from domain.impact import Period, PeriodError
from domain.models import MatchProposal
from domain.state import fold
from ledger.store import Ledger
from reports import compute
from tests import factories as f


def at(y: int, m: int, d: int = 10) -> datetime:
    return datetime(y, m, d, 12, 0, tzinfo=UTC)


class Script:
    """Writes one case to the ledger, command by command, at the dates given."""

    def __init__(self, ledger: Ledger, case_id: str) -> None:
        self.ledger, self.case_id, self.state = ledger, case_id, None

    def do(self, when: datetime, kind: str, **fields) -> Script:
        cmd = f.command(kind, **fields) if kind != "start" else f.start(**fields)
        events = decide(self.state, cmd, Context(self.case_id, when))
        self.ledger.append(events)
        self.state = fold(events, self.state)
        return self


def proposals(hotspot: str = "twente", region: str = "oost-nl") -> list[dict]:
    return [MatchProposal(hotspot=hotspot, region=region, score=0.8, viable=True, reasons=["r"]).model_dump()]


def realise_path(s: Script, start: datetime, hotspot: str, investment: int, scaleup: bool, gap: int = 30) -> Script:
    d = lambda n: start + timedelta(days=gap * n)  # noqa: E731
    s.do(d(1), "articulate-needs", needs=f.NEEDS)
    s.do(d(2), "propose-matches", proposals=proposals())
    s.do(d(3), "choose-location", hotspot=hotspot)
    s.do(d(4), "request-consultation", party="municipality", subject="z", due=(d(5)).date().isoformat())
    s.do(d(5), "answer-consultation", consultation_id="C1", verdict="positive", answer="ok")
    s.do(d(6), "start-realisation")
    return s.do(d(7), "realise", investment_eur=investment, jobs=10, new_scaleup=scaleup)


@pytest.fixture
def ledger(ledger_url):
    led = Ledger.open(ledger_url, upgrade=True)
    # A: detected 2025-03, realised in another region (twente) 2025-10, new scale-up, EUR 100 M
    realise_path(Script(led, "lead-a").do(at(2025, 3), "start", phase=2), at(2025, 3), "twente", 100_000_000, True)
    # B: detected 2025-11; consultation negative -> back to matchmaking (2026-01), again, realised in own
    #    region (brainport, home bom) 2026-05, EUR 40 M
    b = Script(led, "lead-b").do(at(2025, 11), "start", phase=1)
    b.do(at(2025, 12), "change-phase", phase=2).do(at(2025, 12, 20), "articulate-needs", needs=f.NEEDS)
    b.do(at(2026, 1, 5), "propose-matches", proposals=proposals())
    b.do(at(2026, 1, 6), "choose-location", hotspot="groningen")
    b.do(at(2026, 1, 7), "request-consultation", party="grid_operator", subject="g", due="2026-02-01")
    b.do(at(2026, 1, 20), "answer-consultation", consultation_id="C1", verdict="negative", answer="no")
    b.do(at(2026, 2, 1), "propose-matches", proposals=proposals())
    b.do(at(2026, 2, 2), "choose-location", hotspot="brainport-eindhoven")
    b.do(at(2026, 2, 3), "request-consultation", party="municipality", subject="z", due="2026-03-01")
    b.do(at(2026, 3, 1), "answer-consultation", consultation_id="C2", verdict="positive", answer="ok")
    b.do(at(2026, 4, 1), "start-realisation").do(at(2026, 5, 1), "realise", investment_eur=40_000_000, jobs=5)
    # C: detected 2026-02, withdrawn 2026-03, reopened 2026-08, matchmaking 2026-09, no proposition 2026-10
    c = Script(led, "lead-c").do(at(2026, 2), "start", phase=3, home_region="nom", hotspot="groningen")
    c.do(at(2026, 3), "close", outcome="withdrawn", reason="paused")
    c.do(at(2026, 8), "reopen").do(at(2026, 8, 20), "articulate-needs", needs=f.NEEDS)
    c.do(at(2026, 9), "propose-matches", proposals=proposals())
    c.do(at(2026, 10), "close", outcome="no_proposition_possible", bottleneck="energy", reason="no grid")
    # D: detected 2026-06-20 in phase 1, nothing else
    Script(led, "lead-d").do(at(2026, 6, 20), "start", phase=1, company_type="startup")
    yield led
    led.dispose()


def ind(report: dict) -> dict:
    return {i["key"]: i["value"] for i in report["indicators"]}


def test_whole_programme(ledger):
    r = compute(ledger, "2025-2028")
    assert ind(r) == {"leads": 4, "case_approaches": 3, "realised_other_region": 1, "new_scaleups": 1,
                      "retained_investment_eur": 140_000_000}
    targets = {i["key"]: i["target"] for i in r["indicators"]}
    assert targets["leads"] == 40 and targets["retained_investment_eur"] == 1_500_000_000
    funnel = {x["stage"]: x["cases"] for x in r["funnel"]}
    assert funnel == {"detection": 4, "needs_articulation": 3, "matchmaking": 3, "consultation": 2,
                      "realisation": 2, "closed": 3}
    assert r["no_proposition_signals"]["by_region"] == {"nom": {"energy": 1}}
    assert r["breakdowns"]["destination"]["twente"]["realised"] == 1
    assert r["breakdowns"]["destination"]["brainport-eindhoven"]["investment_eur"] == 40_000_000
    assert r["breakdowns"]["company_type"]["startup"]["leads"] == 1


def test_periods_cut_cases_in_half(ledger):
    y2025, h1, h2 = compute(ledger, "2025"), compute(ledger, "2026H1"), compute(ledger, "2026H2")
    assert ind(y2025) == {"leads": 2, "case_approaches": 1, "realised_other_region": 1, "new_scaleups": 1,
                          "retained_investment_eur": 100_000_000}
    # B went back to matchmaking in 2026H1 but its case approach started once, in 2026-01
    assert ind(h1) == {"leads": 2, "case_approaches": 1, "realised_other_region": 0, "new_scaleups": 0,
                       "retained_investment_eur": 40_000_000}
    # C was reopened: its first matchmaking is in 2026H2, counted once
    assert ind(h2) == {"leads": 0, "case_approaches": 1, "realised_other_region": 0, "new_scaleups": 0,
                       "retained_investment_eur": 0}
    assert h1["period"]["programme_share"] == 0.125
    assert {i["key"]: i["target"] for i in h1["indicators"]}["case_approaches"] == 3.0
    assert h1["portfolio"] == 4 and y2025["portfolio"] == 2
    assert [s["case_id"] for s in h2["no_proposition_signals"]["cases"]] == ["lead-c"]


def test_lead_times_and_early_articulation(ledger):
    r = compute(ledger, "2025-2028")
    assert r["lead_times"]["detection->realised"]["count"] == 2
    # A articulated in phase 2 (at start); B in phase 2; C in phase 3
    e = r["early_articulation"]
    assert e["articulated"] == 3 and e["articulated_in_phase_1_or_2"] == 2


def test_bad_period_is_refused():
    with pytest.raises(PeriodError, match="YYYYH1"):
        Period.parse("2026H3")
    assert cli(["report", "impact", "--period", "2026H3"]) == 2


def test_cli_writes_all_formats(ledger, tmp_path, monkeypatch, capsys):
    monkeypatch.setenv("BRANDPUNT_LEDGER_URL", ledger.url)
    for fmt in ("md", "html", "json"):
        out = tmp_path / f"r.{fmt}"
        assert cli(["report", "impact", "--period", "2026", "--format", fmt, "--out", str(out)]) == 0
        assert out.stat().st_size > 500
    assert "Case-based approaches put into execution" in (tmp_path / "r.md").read_text()
    assert "<svg" in (tmp_path / "r.html").read_text()
