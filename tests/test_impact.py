"""Impact indicators on a constructed ledger with known answers (tests/impact_data.scenario).

The six cases, dates in brackets (all at 12:00 UTC; home region first):
  A  bom        detected 2025-03 (phase 2), needs 2025-04, matches 2025-05, twente chosen, phase 3
                2025-08, realised in twente (another region) 2025-10: EUR 100 M, new scale-up
  B  bom        detected 2025-11 (phase 1), phase 2 2025-12, needs 2025-12-20, matches 2026-01-05,
                groningen refused by the grid operator 2026-01-20 (back to matchmaking), matches
                again 2026-02-01, realised at home (brainport-eindhoven) 2026-05: EUR 40 M
  C  nom        detected 2026-02 (phase 3), withdrawn 2026-03, reopened 2026-08, needs (energy)
                2026-08-20, matches 2026-09, no proposition possible (energy) 2026-10
  D  bom        detected 2026-06-20 (phase 1), needs (capital) 2026-06-25, still open
  E  oost-nl    detected 2026-05 (phase 2), needs 2026-06, matches 2026-06-20, withdrawn 2026-06-25,
                reopened 2026-09, matches again, almere, phase 3 2026-12, realised in almere 2027-02:
                EUR 250 M, new scale-up
  F  innovationquarter  detected 2024-11 (before the programme, phase 4), needs 2025-02, matches
                2025-03, left abroad 2025-04 (energy)
"""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from cli.main import main as cli
from domain.chain import canonical_json
from domain.impact import Period, PeriodError, impact
from ledger.store import Ledger
from reports import compute, render
from tests.impact_data import at, events, scenario

M = 1_000_000


@pytest.fixture(scope="module")
def evs():
    return events(scenario())


def report(evs, period: str) -> dict:
    return impact(evs, Period.parse(period))


def ind(r: dict) -> dict:
    return {i["key"]: i["value"] for i in r["indicators"]}


def funnel(r: dict) -> dict:
    return {f["stage"]: (f["cases"], f["in_period"]) for f in r["funnel"]}


def test_whole_programme(evs):
    r = report(evs, "2025-2028")
    # F was detected in 2024: in the portfolio, not a new lead of the programme; its matchmaking
    # (2025-03) is a case approach. B and E went through matchmaking twice: counted once.
    assert ind(r) == {"leads": 5, "case_approaches": 5, "realised_other_region": 2, "new_scaleups": 2,
                      "retained_investment_eur": 390 * M}  # A 100 + B 40 (own region) + E 250
    assert r["portfolio"] == 6
    assert {i["key"]: (i["target"], i["attainment"]) for i in r["indicators"]} == {
        "leads": (40, 0.125), "case_approaches": (24, 0.208), "realised_other_region": (12, 0.167),
        "new_scaleups": (6, 0.333), "retained_investment_eur": (1_500 * M, 0.26)}
    assert funnel(r) == {"detection": (6, 5), "needs_articulation": (6, 6), "matchmaking": (5, 5),
                         "consultation": (3, 3), "realisation": (3, 3), "realised": (3, 3)}


def test_lead_times(evs):
    lt = report(evs, "2025-2028")["lead_times"]
    assert lt == {
        "detection->needs_articulation": {"count": 6, "median_days": 35.5, "mean_days": 65.0},  # 31 40 191 5 31 92
        "needs_articulation->matchmaking": {"count": 5, "median_days": 21.0, "mean_days": 21.0},  # 30 16 21 10 28
        "matchmaking->consultation": {"count": 3, "median_days": 31.0, "mean_days": 45.3},  # 31 2 103
        "consultation->realisation": {"count": 3, "median_days": 84.0, "mean_days": 69.0},  # 92 84 31
        "realisation->realised": {"count": 3, "median_days": 30.0, "mean_days": 50.7},  # 30 30 92
        "detection->realised": {"count": 3, "median_days": 214.0, "mean_days": 217.7},  # 214 172 267
    }


def test_early_articulation(evs):
    e = report(evs, "2025-2028")["early_articulation"]
    # A, B, D, E articulated in phase 1-2; C (phase 3) and F (phase 4) later. A reached phase 3
    # 122 days after articulating, E 174 days; D is open and still in phase 1.
    assert (e["articulated"], e["articulated_in_phase_1_or_2"]) == (6, 4)
    assert e["days_before_phase_3"] == {"count": 2, "median_days": 148.0, "mean_days": 148.0}
    assert e["reached_phase_3_at_least_2_years_after"] == 0 and e["awaiting_phase_3"] == 1
    assert report(evs, "2026H2")["early_articulation"]["days_before_phase_3"]["median_days"] == 174.0


def test_qualitative_evidence(evs):
    eco, lessons = (q["data"] for q in report(evs, "2025-2028")["qualitative"])
    assert eco == {
        "hotspots_proposed": ["almere", "brainport-eindhoven", "groningen", "twente", "zuidvleugel"],
        "cross_region_cases": 3,  # A (twente), B (groningen, before it was refused), E (almere)
        "flows": [{"from": "bom", "to": "nom", "cases": 1}, {"from": "bom", "to": "oost-nl", "cases": 1},
                  {"from": "oost-nl", "to": "horizon-flevoland", "cases": 1}],
        "realised_other_region": 2, "hotspots_receiving": ["almere", "twente"],
    }
    assert lessons == {"closures": 4, "closed_cases": 3, "closures_with_reason_or_bottleneck": 4,
                       "by_outcome": {"left_abroad": 1, "no_proposition_possible": 1, "withdrawn": 2},
                       "negative_consultations": 1, "reopened": 2, "no_proposition_signals": 1}


def test_breakdowns(evs):
    b = report(evs, "2025-2028")["breakdowns"]
    assert b["home_region"]["bom"] == {"leads": 3, "case_approaches": 2, "realised": 2, "realised_other_region": 1,
                                       "new_scaleups": 1, "investment_eur": 140 * M, "no_proposition": 0}
    assert b["home_region"]["nom"]["no_proposition"] == 1
    assert b["home_region"]["innovationquarter"]["leads"] == 0  # detected before the period
    assert b["destination"] == {
        "almere": {"realised": 1, "realised_other_region": 1, "new_scaleups": 1, "investment_eur": 250 * M},
        "brainport-eindhoven": {"realised": 1, "realised_other_region": 0, "new_scaleups": 0, "investment_eur": 40 * M},
        "twente": {"realised": 1, "realised_other_region": 1, "new_scaleups": 1, "investment_eur": 100 * M},
    }
    assert {k: v["leads"] for k, v in b["technology_domain"].items()} == {
        "ai-data": 1, "cybersecurity": 0, "photonics": 2, "quantum": 1, "semiconductors": 1}
    assert {k: v["leads"] for k, v in b["company_type"].items()} == {"grownup": 0, "scaleup": 3, "startup": 2}
    assert b["growth_space_kind"] == {"capital": {"articulated": 1, "realised": 0}, "energy": {"articulated": 5, "realised": 3},
                                      "space": {"articulated": 4, "realised": 3}, "talent": {"articulated": 4, "realised": 3}}


def test_periods_cut_cases_in_half(evs):
    assert ind(report(evs, "2025")) == {"leads": 2, "case_approaches": 2, "realised_other_region": 1,
                                        "new_scaleups": 1, "retained_investment_eur": 100 * M}
    h1 = report(evs, "2026H1")
    # B went back from consultation to matchmaking (2026-01 -> 2026-02): one approach, in 2026-01;
    # its own-region realisation counts as investment, not as 'another region'. E's first matches.
    assert ind(h1) == {"leads": 3, "case_approaches": 2, "realised_other_region": 0, "new_scaleups": 0,
                       "retained_investment_eur": 40 * M}
    assert funnel(h1) == {"detection": (6, 3), "needs_articulation": (5, 2), "matchmaking": (4, 2),
                          "consultation": (2, 1), "realisation": (2, 1), "realised": (2, 1)}
    h2 = report(evs, "2026H2")
    # C reached matchmaking only after reopening: counted here; E was reopened and matched again,
    # but its approach already counted in 2026H1.
    assert ind(h2) == {"leads": 0, "case_approaches": 1, "realised_other_region": 0, "new_scaleups": 0,
                       "retained_investment_eur": 0}
    assert h2["no_proposition_signals"] == {
        "cases": [{"at": "2026-10-10", "region": "nom", "technology_domain": "quantum", "company_type": "startup",
                   "bottleneck": "energy", "reason": "no grid capacity"}],
        "by_region": {"nom": {"energy": 1}}, "by_bottleneck": {"energy": 1}}
    # E, reopened before, is realised once, in 2027
    assert ind(report(evs, "2027")) == {"leads": 0, "case_approaches": 0, "realised_other_region": 1,
                                        "new_scaleups": 1, "retained_investment_eur": 250 * M}
    assert report(evs, "2026H1")["no_proposition_signals"]["cases"] == []


def test_half_years_add_up_to_the_programme(evs):
    halves = [report(evs, f"{y}H{h}") for y in range(2025, 2029) for h in (1, 2)]
    whole = report(evs, "2025-2028")
    for key, value in ind(whole).items():
        assert sum(ind(r)[key] for r in halves) == value
        assert sum(next(i["target"] for i in r["indicators"] if i["key"] == key) for r in halves) == pytest.approx(
            next(i["target_4y"] for i in whole["indicators"] if i["key"] == key))


def test_targets_pro_rata():
    assert Period.parse("2026H1").programme_share == 0.125
    assert Period.parse("2026").programme_share == 0.25
    assert Period.parse("2025Q1").programme_share == 0.0625
    assert Period.parse("2024-2030").programme_share == 1.0
    r = impact([], Period.parse("2026H1"))
    assert {i["key"]: i["target"] for i in r["indicators"]} == {
        "leads": 5, "case_approaches": 3, "realised_other_region": 1.5, "new_scaleups": 0.75,
        "retained_investment_eur": 187.5 * M}
    before_programme = impact([], Period.parse("2024"))["indicators"]
    assert len(before_programme) == 5 and all(i["attainment"] is None for i in before_programme)


def test_a_period_report_does_not_change_later(evs):
    """Events after the period's end are ignored: the 2026H1 report made in July equals a later one."""
    july = [e for e in evs if e.at < datetime(2026, 7, 1, tzinfo=UTC)]
    assert report(july, "2026H1") == report(evs, "2026H1")


def test_input_forms_agree(evs):
    """Domain events or their ledger JSON, flat or grouped per case: the same report."""
    import json
    from itertools import groupby

    as_json = [json.loads(canonical_json(e)) for e in evs]
    grouped = [(cid, list(g)) for cid, g in groupby(as_json, key=lambda e: e["case_id"])]
    assert report(evs, "2025-2028") == report(as_json, "2025-2028") == report(grouped, "2025-2028")


def test_no_company_is_named(evs):
    data = report(evs, "2025-2028")
    for fmt in ("md", "html", "json"):
        text = render(data, fmt)
        assert "Wafer Works" not in text and "lead-b" not in text and "Qubit" not in text


@pytest.mark.parametrize("text", ["2026H3", "2026Q5", "26", "2026-H1", "2028-2025", "H1 2026", ""])
def test_bad_period_is_refused(text, capsys):
    with pytest.raises(PeriodError, match="YYYYH1"):
        Period.parse(text)
    assert cli(["report", "impact", "--period", text]) == 2
    assert "YYYYH1" in capsys.readouterr().err


def test_period_spellings():
    assert Period.parse("2026h1") == Period.parse("2026H1")
    p = Period.parse("2026H2")
    assert (p.start, p.end) == (datetime(2026, 7, 1, tzinfo=UTC), datetime(2027, 1, 1, tzinfo=UTC))
    assert Period.parse("2025-2028").end == datetime(2029, 1, 1, tzinfo=UTC)


@pytest.fixture
def ledger(ledger_url):
    led = Ledger.open(ledger_url, upgrade=True)
    for case in scenario():
        led.append(case.events)
    yield led
    led.dispose()


def test_from_the_ledger(ledger, evs):
    for period in ("2025-2028", "2026H1"):
        assert compute(ledger, period) == report(evs, period)


def test_cli_writes_all_formats(ledger, tmp_path, monkeypatch, capsys):
    monkeypatch.setenv("BRANDPUNT_LEDGER_URL", ledger.url)
    for fmt in ("md", "html", "json"):
        out = tmp_path / f"r.{fmt}"
        assert cli(["report", "impact", "--period", "2026", "--format", fmt, "--out", str(out)]) == 0
        assert out.stat().st_size > 1000
    assert "| Case-based approaches put into execution | 3 | 6 | 24 | 50% |" in (tmp_path / "r.md").read_text()
    html = (tmp_path / "r.html").read_text()
    assert html.count("<svg") == 5 and "<script" not in html and "http" not in html.replace(
        "http://www.w3.org/2000/svg", "")
    assert '"value": 40000000' in (tmp_path / "r.json").read_text()
    assert cli(["report", "impact", "--period", "2026H2"]) == 0
    assert "# Impact report 2026H2" in capsys.readouterr().out


def test_demo_cases_are_left_out_unless_asked_and_the_header_says_so(evs):
    """Issue 12: the demo's cases counted in the official report. Over the demo's eleven leads (marked
    as demo cases) plus one real case, the report counts one lead."""
    from tests.impact_data import Case, at, demo

    demo_cases = demo()
    for c in demo_cases:
        assert c.events[0].type == "LeadDetected"
        c.events[0] = c.events[0].model_copy(update={"demo": True})
    real = Case("lead-real").do(at(2025, 6), "start", phase=2)
    mixed = events([*demo_cases, real])
    r = report(mixed, "2025-2028")
    assert ind(r)["leads"] == 1 and ind(r)["retained_investment_eur"] == 0 and r["portfolio"] == 1
    assert r["demo"] == {"included": False, "cases": 11}
    both = impact(mixed, Period.parse("2025-2028"), include_demo=True)
    assert ind(both)["leads"] == 12 and ind(both)["retained_investment_eur"] > 0
    assert both["demo"] == {"included": True, "cases": 11}
    assert "demo cases excluded: 11" in render(r, "md") and "demo cases excluded: 11" in render(r, "html")
    assert "demo cases included: 11" in render(both, "md") and "demo cases included: 11" in render(both, "html")
    assert report(evs, "2025-2028")["demo"] == {"included": False, "cases": 0}


def test_corrected_realisations_count_with_their_corrected_values_and_the_report_says_how_many():
    """A's EUR 100 M realised in 2025-10 was a typo for EUR 10 M, and it was no new scale-up: corrected
    in January 2026, after the 2025 period's end, the 2025 report counts the corrected figures."""
    cases = scenario()
    before = {p: report(events(cases), p) for p in ("2025", "2026", "2025-2028")}
    a = cases[0]
    a.do(at(2026, 1, 15), "correct-realisation", investment_eur=10 * M, reason="a zero too many")
    a.do(at(2026, 1, 16), "correct-realisation", new_scaleup=False, reason="a spin-off of a grown-up")
    r = report(events(cases), "2025")
    assert ind(r)["retained_investment_eur"] == 10 * M and ind(before["2025"])["retained_investment_eur"] == 100 * M
    assert (ind(r)["new_scaleups"], ind(before["2025"])["new_scaleups"]) == (0, 1)
    assert r["corrections"] == {"realisations_corrected": 1, "corrections": 2, "corrected_after_period_end": 1}
    assert before["2025"]["corrections"] == {"realisations_corrected": 0, "corrections": 0,
                                             "corrected_after_period_end": 0}
    assert "1 realisation of the period corrected (2 corrections, 1 of them after the period's end)" in render(r, "md")
    assert "no realisation of the period was corrected" in render(before["2025"], "md")
    assert report(events(cases), "2026") == before["2026"]  # A was realised in 2025: 2026 is untouched
    whole = report(events(cases), "2025-2028")
    assert ind(whole)["retained_investment_eur"] == 300 * M  # A 10 + B 40 + E 250
    assert whole["corrections"] == {"realisations_corrected": 1, "corrections": 2, "corrected_after_period_end": 0}
    assert report(events(cases[1:]), "2025-2028")["corrections"]["realisations_corrected"] == 0


async def test_the_demo_starts_demo_cases():
    """``brandpunt demo`` marks its five cases as demo cases, so they never count in a report."""
    from types import SimpleNamespace

    from demo import run_case, scripts
    from domain.commands import DetectLead
    from workflows.case_io import CaseConfig

    class Started(Exception):
        """Only the start command matters here: the recorder stops the script after it."""

    started: list[DetectLead] = []

    class Recorder:
        async def start(self, command: DetectLead, case_id: str | None = None, *,
                        config: CaseConfig | None = None) -> SimpleNamespace:
            started.append(command)
            return SimpleNamespace(state=SimpleNamespace(case_id="BP-2026-0001"))

        async def act(self, case_id: str, command: object) -> SimpleNamespace:
            raise Started

    for script in scripts():
        with pytest.raises(Started):
            await run_case(Recorder(), script, CaseConfig())
    assert len(started) == 5 and all(c.demo for c in started)


async def test_a_scheduled_report_leaves_demo_cases_out_unless_its_input_asks(ledger, time_skipping_env):
    """ReportInput.include_demo → ReportRequest → the stored snapshot's header (the schedules never ask)."""
    import uuid
    from concurrent.futures import ThreadPoolExecutor

    from temporalio.worker import Worker

    from activities.notify import Channels, NotifyActivities
    from activities.reports import ReportActivities
    from tests.impact_data import Case
    from workflows.reporting import ReportInput, ReportKind, ReportWorkflow
    from workflows.sandbox import workflow_runner

    ledger.append(Case("lead-demo-x").do(at(2026, 3), "start", phase=2, demo=True).events)
    reporter = ReportActivities(ledger, NotifyActivities(ledger.outbox, Channels()), "coordinating-rom")
    client, queue = time_skipping_env.client, f"reports-{uuid.uuid4().hex[:8]}"
    with ThreadPoolExecutor(2) as pool:
        async with Worker(client, task_queue=queue, workflows=[ReportWorkflow], activities=[reporter.produce_report],
                          activity_executor=pool, workflow_runner=workflow_runner()):
            plain = await client.execute_workflow(
                ReportWorkflow.run, ReportInput(kind=ReportKind.ANNUAL, period="2026"),
                id=f"report-{queue}-1", task_queue=queue)
            asked = await client.execute_workflow(
                ReportWorkflow.run, ReportInput(kind=ReportKind.ANNUAL, period="2026", include_demo=True),
                id=f"report-{queue}-2", task_queue=queue)
    snapshots = ledger.snapshots
    stored = [snapshots.get(r.snapshot_id) for r in (plain, asked)]
    assert stored[0] is not None and "demo cases excluded: 1" in stored[0].content
    assert stored[1] is not None and "demo cases included: 1" in stored[1].content
