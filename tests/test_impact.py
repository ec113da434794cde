"""Impact indicators on a constructed ledger with known answers (tests/impact_data.scenario).

The six cases, dates in brackets (all at 12:00 UTC; home region first):
  A  bom        detected 2025-03 (phase 2), needs 2025-04 (needed by 2027-04-10: 2 years), matches
                2025-05, twente chosen, phase 3 2025-08, realised in twente (another region) 2025-10:
                EUR 100 M, new scale-up
  B  bom        detected 2025-11 (phase 1), phase 2 2025-12, needs 2025-12-20 (needed by 2027-12-19:
                2 years less a day), matches 2026-01-05, groningen refused by the grid operator 2026-01-20 (back
                to matchmaking), matches again 2026-02-01, realised at home (brainport-eindhoven)
                2026-05: EUR 40 M
  C  nom        detected 2026-02 (phase 3), withdrawn 2026-03, reopened 2026-08, needs (energy)
                2026-08-20 (needed by 2028-06-01: 651 days), matches 2026-09, no proposition
                possible (energy) 2026-10
  D  bom        detected 2026-06-20 (phase 1), needs (capital) 2026-06-25 (needed by 2029-01-01: 921
                days), still open
  E  oost-nl    detected 2026-05 (phase 2), needs 2026-06 (needed by 2029-06-11: 3 years and a day),
                matches 2026-06-20, withdrawn 2026-06-25, reopened 2026-09, matches again, almere,
                phase 3 2026-12, realised in almere 2027-02: EUR 250 M, new scale-up
  F  innovationquarter  detected 2024-11 (before the programme, phase 4, still open on 1 January
                2025), needs 2025-02-01 (needed by 2026-02-01: 365 days), matches 2025-03, left abroad
                2025-04 (energy)

The realisations carry no counterfactual (recorded before it was asked) unless a test gives them one
(:func:`with_counterfactuals`), so retained investment is 0 until then.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from cli.main import main as cli
from domain.chain import canonical_json
from domain.impact import INDICATORS, Period, PeriodError, PreviousReport, entered, impact
from domain.impact_facts import facts
from ledger.store import Ledger
from reports import compute, render
from tests.impact_data import Case, at, events, scenario

M = 1_000_000


@pytest.fixture(scope="module")
def evs():
    return events(scenario())


def report(evs, period: str, **kw: Any) -> dict:
    return impact(evs, Period.parse(period), **kw)


def ind(r: dict, column: str = "value") -> dict:
    return {i["key"]: i[column] for i in r["indicators"]}


def funnel(r: dict) -> dict:
    return {f["stage"]: (f["cases"], f["in_period"]) for f in r["funnel"]}


def as_dicts(evs) -> list[dict]:
    return [json.loads(canonical_json(e)) for e in evs]


def with_counterfactuals(evs, counterfactuals: dict[str, str]) -> list[dict]:
    """The events as the ledger stores them, each named case's Realised carrying ``counterfactual``
    (the added field Part A of issue 14 records at realisation)."""
    out = as_dicts(evs)
    for e in out:
        if e["type"] == "Realised" and e["case_id"] in counterfactuals:
            e["counterfactual"] = counterfactuals[e["case_id"]]
    return out


def test_whole_programme(evs):
    r = report(evs, "2025-2028")
    # F was detected in 2024 and still open on 1 January 2025: it entered the portfolio then. B and
    # E went through matchmaking twice: counted once.
    assert ind(r) == {"leads": 6, "case_approaches": 5, "realised_other_region": 2, "new_scaleups": 2,
                      "retained_investment_eur": 0}  # no counterfactual recorded: nothing counts as retained
    assert ind(r, "to_date") == ind(r)
    assert ind(r, "target") == {"leads": 40, "case_approaches": 24, "realised_other_region": 12, "new_scaleups": 6,
                                "retained_investment_eur": 1_500 * M}
    assert ind(r, "attainment") == {"leads": 0.15, "case_approaches": 0.208, "realised_other_region": 0.167,
                                    "new_scaleups": 0.333, "retained_investment_eur": 0.0}
    assert r["retained"]["period"]["by_counterfactual"]["not_recorded"] == {"cases": 3, "eur": 390 * M}
    assert r["portfolio"] == 6
    assert funnel(r) == {"detection": (6, 5), "needs_articulation": (6, 6), "matchmaking": (5, 5),
                         "consultation": (3, 3), "realisation": (3, 3), "realised": (3, 3)}


def test_only_the_leads_are_pro_rata_and_programme_to_date_counts_from_2025(evs):
    """'Aantal leads in portefeuille (gehad) pro rata tijdvak 2025-2028': the other four targets are
    4-year totals, in the period and programme to date."""
    h1 = report(evs, "2026H1")
    assert [i["key"] for i in h1["indicators"] if i["pro_rata"]] == ["leads"]
    assert ind(h1) == {"leads": 3, "case_approaches": 2, "realised_other_region": 0, "new_scaleups": 0,
                       "retained_investment_eur": 0}  # C, D, E new; B and E matched; B realised at home
    assert ind(h1, "target") == {"leads": 5, "case_approaches": 24, "realised_other_region": 12, "new_scaleups": 6,
                                 "retained_investment_eur": 1_500 * M}
    # programme to date: 2025-01-01 up to 2026-07-01, 18 of 48 months
    assert h1["period"]["to_date"] == {"start": "2025-01-01", "end_exclusive": "2026-07-01", "programme_share": 0.375}
    assert ind(h1, "to_date") == {"leads": 6, "case_approaches": 4, "realised_other_region": 1, "new_scaleups": 1,
                                  "retained_investment_eur": 0}  # A, B, F in 2025; A, F approaches in 2025
    assert ind(h1, "target_to_date") == {"leads": 15, "case_approaches": 24, "realised_other_region": 12,
                                         "new_scaleups": 6, "retained_investment_eur": 1_500 * M}
    assert ind(h1, "attainment_to_date") == {"leads": 0.4, "case_approaches": 0.167, "realised_other_region": 0.083,
                                             "new_scaleups": 0.167, "retained_investment_eur": 0.0}
    assert ind(h1, "attainment") == {"leads": 0.6, "case_approaches": 0.083, "realised_other_region": 0.0,
                                     "new_scaleups": 0.0, "retained_investment_eur": 0.0}


def test_periods_cut_cases_in_half(evs):
    assert ind(report(evs, "2025")) == {"leads": 3, "case_approaches": 2, "realised_other_region": 1,
                                        "new_scaleups": 1, "retained_investment_eur": 0}
    h1 = report(evs, "2026H1")
    assert funnel(h1) == {"detection": (6, 3), "needs_articulation": (5, 2), "matchmaking": (4, 2),
                          "consultation": (2, 1), "realisation": (2, 1), "realised": (2, 1)}
    h2 = report(evs, "2026H2")
    # C reached matchmaking only after reopening: counted here; E was reopened and matched again,
    # but its approach already counted in 2026H1.
    assert ind(h2) == {"leads": 0, "case_approaches": 1, "realised_other_region": 0, "new_scaleups": 0,
                       "retained_investment_eur": 0}
    assert h2["signals"]["no_proposition"] == {
        "cases": [{"at": "2026-10-10", "region": "nom", "technology_domain": "quantum", "company_type": "startup",
                   "bottleneck": "energy"}],
        "by_region": {"nom": {"energy": 1}}, "by_bottleneck": {"energy": 1}}
    # E, reopened before, is realised once, in 2027
    assert ind(report(evs, "2027")) == {"leads": 0, "case_approaches": 0, "realised_other_region": 1,
                                        "new_scaleups": 1, "retained_investment_eur": 0}
    assert report(evs, "2026H1")["signals"]["no_proposition"]["cases"] == []


def test_half_years_add_up_to_the_programme(evs):
    halves = [report(evs, f"{y}H{h}") for y in range(2025, 2029) for h in (1, 2)]
    whole = report(evs, "2025-2028")
    for key, value in ind(whole).items():
        assert sum(ind(r)[key] for r in halves) == value
        assert ind(halves[-1], "to_date")[key] == value  # the last half year's programme to date is the whole
    assert sum(ind(r, "target")["leads"] for r in halves) == pytest.approx(40)
    assert [ind(r, "target_to_date")["leads"] for r in halves] == [5, 10, 15, 20, 25, 30, 35, 40]


def test_retained_investment_counts_only_the_counterfactuals_that_count(evs):
    """'Vermogen dat anders niet zou worden geïnvesteerd of niet in Nederland': A would have gone abroad
    (EUR 100 M), B would have happened in the Netherlands anyway (EUR 40 M), E would not have been
    invested (EUR 250 M)."""
    data = with_counterfactuals(evs, {"lead-a": "would_have_gone_abroad", "lead-b": "would_have_happened_in_nl_anyway",
                                      "lead-e": "would_not_have_been_invested"})
    r = report(data, "2025-2028")
    assert ind(r)["retained_investment_eur"] == 350 * M
    assert r["retained"]["period"] == {"counted": {"cases": 2, "eur": 350 * M}, "by_counterfactual": {
        "would_have_gone_abroad": {"cases": 1, "eur": 100 * M},
        "would_not_have_been_invested": {"cases": 1, "eur": 250 * M},
        "would_have_happened_in_nl_anyway": {"cases": 1, "eur": 40 * M},
        "not_recorded": {"cases": 0, "eur": 0}}}
    h1 = report(data, "2026H1")  # B only: it would have happened anyway
    assert ind(h1)["retained_investment_eur"] == 0 and ind(h1, "to_date")["retained_investment_eur"] == 100 * M
    only_a = with_counterfactuals(evs, {"lead-a": "would_have_gone_abroad"})
    r = report(only_a, "2025-2028")
    assert ind(r)["retained_investment_eur"] == 100 * M
    assert r["retained"]["period"]["by_counterfactual"]["not_recorded"] == {"cases": 2, "eur": 290 * M}
    md = render(r, "md")
    assert "| counterfactual not recorded | 2 | EUR 290.0 M | 2 | EUR 290.0 M |" in md
    odd = report(with_counterfactuals(evs, {"lead-a": "perhaps"}), "2025")  # no value the programme knows
    assert odd["retained"]["period"]["by_counterfactual"]["not_recorded"] == {"cases": 1, "eur": 100 * M}


def test_a_corrected_counterfactual_counts_as_corrected(evs):
    data = with_counterfactuals(evs, {"lead-a": "would_have_happened_in_nl_anyway"})
    data.append({"type": "RealisationCorrected", "case_id": "lead-a", "seq": 99, "at": at(2026, 1, 15).isoformat(), "actor": "x", "reason": "asked again",
                 "changes": [{"field": "counterfactual", "old": "would_have_happened_in_nl_anyway",
                              "new": "would_have_gone_abroad"}]})
    data.sort(key=lambda e: (e["case_id"], e["seq"]))
    assert ind(report(data, "2025"))["retained_investment_eur"] == 100 * M


def test_another_region_is_a_rom_region_by_default_and_configurable(evs):
    """A Twente lead realised in Arnhem/Nijmegen stays in Oost NL: 'own region' by ROM region, 'another
    region' when the report counts hotspots. The report says which definition it used."""
    g = Case("lead-g").do(at(2026, 1), "start", phase=2, home_region="oost-nl", hotspot="twente", company_type="startup")
    g.do(at(2026, 2), "articulate-needs", needs={"space": {"m2": 800}, "needed_by": "2028-01-01"})
    g.do(at(2026, 3), "propose-matches", proposals=[]).do(at(2026, 3, 2), "choose-location", hotspot="arnhem-nijmegen")
    g.consult(at(2026, 3, 3)).do(at(2026, 4), "start-realisation")
    g.do(at(2026, 5), "realise", investment_eur=30 * M, jobs=12, new_scaleup=True)
    data = events([*scenario(), g])
    rom, hot = report(data, "2026H1"), report(data, "2026H1", another_region="hotspot")
    assert (ind(rom)["realised_other_region"], ind(hot)["realised_other_region"]) == (0, 1)
    assert (ind(rom)["new_scaleups"], ind(hot)["new_scaleups"]) == (0, 1)
    assert (ind(rom, "to_date")["realised_other_region"], ind(hot, "to_date")["realised_other_region"]) == (1, 2)
    assert (rom["breakdowns"]["home_region"]["oost-nl"]["realised_other_region"],
            hot["breakdowns"]["home_region"]["oost-nl"]["realised_other_region"]) == (0, 1)
    assert (rom["qualitative"][0]["data"]["realised_other_region"],
            hot["qualitative"][0]["data"]["realised_other_region"]) == (0, 1)
    assert rom["another_region"]["key"] == "rom-region" and "Twente to Arnhem/Nijmegen" in rom["another_region"]["definition"]
    assert hot["another_region"]["key"] == "hotspot" and "counts" in hot["another_region"]["definition"]
    assert "aim b" in rom["another_region"]["programme"]
    assert rom["where_realised"]["period"]["own_region_site_not_recorded"] == {"cases": 2, "eur": 70 * M}  # B and G
    assert hot["where_realised"]["period"]["another_region"] == {"cases": 1, "eur": 30 * M}  # G, by hotspot
    assert rom["breakdowns"]["destination_hotspot"]["arnhem-nijmegen"] == {
        "realised": 1, "realised_other_region": 0, "new_scaleups": 0, "investment_eur": 30 * M}
    assert rom["breakdowns"]["destination_region"]["oost-nl"]["realised"] == 1
    assert ("'another region' in this report: a technology hotspot other than the lead's own: a move from twente to "
            "arnhem/nijmegen (both oost nl) counts") in render(hot, "md").lower()
    with pytest.raises(ValueError, match="another_region must be one of rom-region, hotspot, not 'province'"):
        report(data, "2026H1", another_region="province")


def realised_case(case_id: str, home: tuple[str, str], dest: str, **realise: Any) -> Case:
    """A lead of ``home`` (region, hotspot) realised at hotspot ``dest`` in June 2026, decided as under
    the patch programme-facts; ``realise`` holds the realise command's fields beyond investment and jobs."""
    start = realise.pop("start", {})
    c = Case(case_id, facts=True).do(at(2026, 1), "start", phase=2, home_region=home[0], hotspot=home[1], **start)
    c.do(at(2026, 2), "articulate-needs", needs={"space": {"m2": 900}, "needed_by": "2028-03-01"})
    c.do(at(2026, 3), "propose-matches", proposals=[]).do(at(2026, 3, 2), "choose-location", hotspot=dest)
    c.consult(at(2026, 3, 3)).do(at(2026, 5), "start-realisation")
    return c.do(at(2026, 6), "realise", **{"investment_eur": 10 * M, "jobs": 5, **realise})


def test_the_case_facts_recorded_since_issue_14():
    """Realisations with their counterfactual, new scale-up (derived or overridden with a reason) and
    site; a lead signalled by a triple-helix organisation; referrals to Invest-NL and an EZ programme."""
    g1 = realised_case("lead-g1", ("bom", "brainport-eindhoven"), "twente", counterfactual="would_have_gone_abroad",
                       company_type="scaleup", start={"company_type": "startup"})  # a startup grown into a scale-up
    g2 = realised_case("lead-g2", ("bom", "brainport-eindhoven"), "brainport-eindhoven", at_current_site=False,
                       counterfactual="would_have_happened_in_nl_anyway")
    g3 = realised_case("lead-g3", ("oost-nl", "twente"), "twente", at_current_site=True,
                       counterfactual="would_not_have_been_invested", start={"signalled_by": "twente-board"})
    g4 = realised_case("lead-g4", ("bom", "brainport-eindhoven"), "groningen", counterfactual="would_have_gone_abroad",
                       new_scaleup=True, new_scaleup_reason="a new legal entity for the production line")
    g3.do(at(2026, 7), "refer", to="invest-nl", subject="a growth round")
    g3.do(at(2026, 7, 2), "refer", to="ez-programme", name="a national growth fund", subject="grid")
    g1.do(at(2026, 8), "refer", to="invest-nl", subject="co-financing")
    r = report(events([g1, g2, g3, g4]), "2026")
    assert ind(r) == {"leads": 4, "case_approaches": 4, "realised_other_region": 2, "new_scaleups": 2,
                      "retained_investment_eur": 30 * M}  # g1, g3, g4: not g2 (it would have happened anyway)
    assert r["new_scaleups"]["period"] == {"derived": 1, "override": 1, "unchecked": 0}
    assert r["where_realised"]["period"] == {
        "another_region": {"cases": 2, "eur": 20 * M}, "own_region_elsewhere": {"cases": 1, "eur": 10 * M},
        "current_site": {"cases": 1, "eur": 10 * M}, "own_region_site_not_recorded": {"cases": 0, "eur": 0}}
    assert r["referrals"]["period"] == {"referrals": 3, "cases": 2, "by_target": {
        "invest-nl": 2, "ez-programme": 1, "regional-programme": 0, "organisation": 0}}
    assert r["referrals"]["to_date"]["referrals"] == 3
    assert report(events([g1, g2, g3, g4]), "2026H1")["referrals"]["period"]["referrals"] == 0
    assert {k: v["leads"] for k, v in r["breakdowns"]["signalled_by"].items()} == {
        "a ROM's own pipeline": 3, "twente-board": 1}
    md = render(r, "md")
    for words in ("| elsewhere in the own region | 1 | EUR 10.0 M |", "| at its current site | 1 | EUR 10.0 M |",
                  "2 new scale-ups in the period: 1 derived from the company type",
                  "| Invest-NL | 2 | 2 |", "| a ROM's own pipeline | 3 |"):
        assert words in md, words
    assert "growth round" not in md and "national growth fund" not in md  # a referral's words stay in the case


def test_a_lead_closed_before_the_programme_never_entered_its_portfolio():
    closed = Case("lead-old").do(datetime(2024, 3, 1, tzinfo=UTC), "start", phase=2)
    closed.do(datetime(2024, 6, 1, tzinfo=UTC), "close", outcome="withdrawn")
    reopened = Case("lead-back").do(datetime(2024, 3, 1, tzinfo=UTC), "start", phase=2)
    reopened.do(datetime(2024, 6, 1, tzinfo=UTC), "close", outcome="withdrawn")
    reopened.do(datetime(2024, 9, 1, tzinfo=UTC), "reopen")
    late = Case("lead-late").do(datetime(2024, 3, 1, tzinfo=UTC), "start", phase=2)
    late.do(datetime(2025, 2, 1, tzinfo=UTC), "close", outcome="withdrawn")  # open on 1 January 2025
    realised = Case("lead-done").do(datetime(2023, 3, 1, tzinfo=UTC), "start", phase=2, home_region="nom")
    realised.do(datetime(2023, 4, 1, tzinfo=UTC), "articulate-needs", needs={"space": {"m2": 500}, "needed_by": "2025-01-01"})
    realised.do(datetime(2023, 5, 1, tzinfo=UTC), "propose-matches", proposals=[])
    realised.do(datetime(2023, 5, 2, tzinfo=UTC), "choose-location", hotspot="twente")
    realised.consult(datetime(2023, 5, 3, tzinfo=UTC)).do(datetime(2023, 7, 1, tzinfo=UTC), "start-realisation")
    realised.do(datetime(2024, 7, 1, tzinfo=UTC), "realise", investment_eur=M, jobs=1, new_scaleup=False)
    at_start = Case("lead-edge").do(datetime(2024, 3, 1, tzinfo=UTC), "start", phase=2)
    at_start.do(datetime(2025, 1, 1, tzinfo=UTC), "close", outcome="withdrawn")  # closed as the programme began
    r = report(events([closed, reopened, late, realised, at_start]), "2025")
    assert ind(r)["leads"] == 3 and r["portfolio"] == 5  # reopened, late, at_start; not closed, not realised
    end = datetime(2029, 1, 1, tzinfo=UTC)
    assert entered(facts("x", as_dicts(closed.events), end)) is None
    assert entered(facts("x", as_dicts(reopened.events), end)) == datetime(2025, 1, 1, tzinfo=UTC)


def test_a_report_made_before_its_period_ends_is_cut_at_its_cut_off(evs):
    """A report for 2026 cut at 16 June 2026 counts up to its cut-off, against the pro-rata target of
    the 5.5 months that have passed: not the whole year's."""
    cutoff = datetime(2026, 6, 16, tzinfo=UTC)
    period = Period.parse("2026").cut(cutoff)
    assert (period.start, period.end, period.full_end) == (datetime(2026, 1, 1, tzinfo=UTC), cutoff,
                                                           datetime(2027, 1, 1, tzinfo=UTC))
    assert period.programme_share == pytest.approx((5 + 15 / 30) / 48)
    r = impact([e for e in evs if e.at <= cutoff], period)
    assert ind(r) == {"leads": 2, "case_approaches": 1, "realised_other_region": 0, "new_scaleups": 0,
                      "retained_investment_eur": 0}  # C and E (D comes on 20 June); B (E matches on 20 June)
    assert ind(r, "target")["leads"] == round(40 * 5.5 / 48, 2) == 4.58
    assert ind(r, "target_to_date")["leads"] == round(40 * 17.5 / 48, 2) == 14.58
    assert (r["period"]["programme_share"], r["period"]["to_date"]["programme_share"]) == (0.1146, 0.3646)
    assert r["period"]["cut"] and r["period"]["end_exclusive"] == "2026-06-16"
    assert r["period"]["full_end_exclusive"] == "2027-01-01"
    assert "cut at 2026-06-16" in render(r, "md")
    assert Period.parse("2026").cut(datetime(2027, 3, 1, tzinfo=UTC)) == Period.parse("2026")  # run after its end
    assert Period.parse("2026").cut(datetime(2027, 1, 1, tzinfo=UTC)) == Period.parse("2026")  # run at its end
    assert datetime(2026, 7, 1, tzinfo=UTC) not in Period.parse("2026H1")  # the end is exclusive
    assert datetime(2026, 7, 1, tzinfo=UTC) in Period.parse("2026H2")
    assert Period.parse("2026").cut(datetime(2025, 3, 1, tzinfo=UTC)).programme_share == 0  # before it began
    assert Period.parse("2026").cut(datetime(2026, 12, 1, 9, tzinfo=UTC)).programme_share == pytest.approx(
        (11 + 9 / (31 * 24)) / 48)


def test_targets_pro_rata():
    assert Period.parse("2026H1").programme_share == 0.125
    assert Period.parse("2026").programme_share == 0.25
    assert Period.parse("2025Q1").programme_share == 0.0625
    assert Period.parse("2024-2030").programme_share == 1.0
    r = impact([], Period.parse("2026H1"))
    assert ind(r, "target") == {"leads": 5, "case_approaches": 24, "realised_other_region": 12, "new_scaleups": 6,
                                "retained_investment_eur": 1_500 * M}
    before = impact([], Period.parse("2024"))
    assert [i["key"] for i in before["indicators"]] == [i.key for i in INDICATORS]
    assert [i["attainment"] for i in before["indicators"]] == [None, 0.0, 0.0, 0.0, 0.0]
    assert before["period"]["to_date"]["programme_share"] == 0


def test_early_articulation_is_the_lead_time_to_the_date_the_space_is_needed(evs):
    """'2 tot 3 jaar eerder in de tijd', in calendar years, both ends included: A 2 years exactly (730 days,
    within), B a day less (729, under), C 651 (under), D 921 (within), E 3 years and a day (1,097, over),
    F 365 (under)."""
    e = report(evs, "2025-2028")["early_articulation"]
    assert (e["articulated"], e["articulated_in_phase_1_or_2"]) == (6, 4)  # C in phase 3, F in 4
    assert e["lead_time"] == {"count": 6, "median_days": 729.5, "mean_days": 748.8}
    assert (e["less_than_2_years"], e["within_aim"], e["more_than_3_years"]) == (3, 2, 1)
    h2 = report(evs, "2026H2")["early_articulation"]  # C only
    assert h2["lead_time"]["median_days"] == 651.0 and h2["less_than_2_years"] == 1
    assert "2 to 3 years (both included)" in e["aim"]


@pytest.mark.parametrize("articulated, needed_by, verdict", [
    ((2026, 6, 10), "2029-06-10", "within_aim"),  # three years to the day: still within
    ((2026, 6, 10), "2029-06-11", "more_than_3_years"),
    ((2026, 6, 10), "2028-06-10", "within_aim"),  # two years to the day (a leap year between: 731 days)
    ((2026, 6, 10), "2028-06-09", "less_than_2_years"),
    ((2028, 2, 29), "2030-02-28", "within_aim"),  # from a leap day: two years on is 28 February
    ((2028, 2, 29), "2030-02-27", "less_than_2_years"),
    ((2028, 2, 29), "2031-03-01", "more_than_3_years"),
])
def test_the_aims_ends_are_calendar_years(articulated, needed_by, verdict):
    when = at(*articulated)
    case = Case("lead-t").do(when, "start", phase=2)
    case.do(when, "articulate-needs", needs={"space": {"m2": 500}, "needed_by": needed_by})
    e = report(events([case]), str(when.year))["early_articulation"]
    assert {k: e[k] for k in ("less_than_2_years", "within_aim", "more_than_3_years")} == {
        k: int(k == verdict) for k in ("less_than_2_years", "within_aim", "more_than_3_years")}


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


def test_closures_report_why_cases_ended_without_realisation(evs):
    """Reasons for leaving abroad are reported beside 'no proposition possible', by bottleneck."""
    assert report(evs, "2025-2028")["closures"] == {
        "left_abroad": {"cases": 1, "by_bottleneck": {"energy": 1}},
        "no_proposition_possible": {"cases": 1, "by_bottleneck": {"energy": 1}},
        "withdrawn": {"cases": 2, "by_bottleneck": {"not recorded": 2}},
    }
    assert report(evs, "2025")["closures"] == {"left_abroad": {"cases": 1, "by_bottleneck": {"energy": 1}}}
    second = Case("lead-c2").do(at(2026, 7), "start", phase=2, home_region="nom", technology_domain="photonics")
    second.do(at(2026, 7, 15), "close", outcome="no_proposition_possible", bottleneck="energy")
    third = Case("lead-c3").do(at(2026, 7), "start", phase=2, home_region="bom")
    third.do(at(2026, 7, 16), "close", outcome="no_proposition_possible", bottleneck="talent")
    fourth = Case("lead-c4").do(at(2026, 7), "start", phase=2, home_region="nom")
    fourth.do(at(2026, 7, 17), "close", outcome="no_proposition_possible", bottleneck="talent")
    signals = report(events([*scenario(), second, third, fourth]), "2026H2")["signals"]["no_proposition"]
    assert signals["by_region"] == {"bom": {"talent": 1}, "nom": {"energy": 2, "talent": 1}}
    assert [(x["region"], x["bottleneck"], x["at"]) for x in signals["cases"]] == [  # by region, bottleneck, date
        ("bom", "talent", "2026-07-16"), ("nom", "energy", "2026-07-15"), ("nom", "energy", "2026-10-10"),
        ("nom", "talent", "2026-07-17")]
    b = report(evs, "2025")["breakdowns"]["home_region"]["innovationquarter"]
    assert (b["leads"], b["left_abroad"]) == (1, 1)


def test_qualitative_evidence(evs):
    eco, lessons = (q["data"] for q in report(evs, "2025-2028")["qualitative"])
    assert eco == {
        "hotspots_proposed": ["almere", "brainport-eindhoven", "groningen", "twente", "zuidvleugel"],
        "cross_region_cases": 3,  # A (twente), B (groningen, before it was refused), E (almere)
        "flows": [{"from": "bom", "to": "nom", "cases": 1}, {"from": "bom", "to": "oost-nl", "cases": 1},
                  {"from": "oost-nl", "to": "horizon-flevoland", "cases": 1}],
        "realised_other_region": 2, "hotspots_receiving": ["almere", "twente"], "knowledge_shared": 0,
    }
    q = report(evs, "2025-2028")["qualitative"]
    assert [(x["key"], x["label"], x["target"], x["programme"]) for x in q] == [
        ("ecosystem", "One coherent deeptech ecosystem across hotspots", "qualitative",
         "Mate van één samenhangend deeptech ecosysteem brandpunten: kwalitatieve beschrijving"),
        ("lessons", "Lessons learned from the experiment", "qualitative",
         "Leereffecten van het experiment: kwalitatieve beschrijving")]
    assert q[0]["evidence"] == ("0 entries on knowledge shared across regions; 5 hotspots proposed as viable in "
                                "matchmaking; 3 leads chose a location outside the home region (3 region-to-region "
                                "flows); 2 realised in another region, at 2 destinations")
    assert q[1]["evidence"] == ("0 lessons recorded by the taskforce; 4 closures of 3 cases, 2 with the bottleneck "
                                "behind it; 1 negative consultation answer; 2 cases reopened; 1 no-proposition signal")
    one = report(evs, "2026H2")["qualitative"]
    assert one[0]["evidence"] == ("0 entries on knowledge shared across regions; 1 hotspot proposed as viable in "
                                  "matchmaking; 1 lead chose a location outside the home region (1 region-to-region "
                                  "flow); 0 realised in another region, at 0 destinations")
    assert one[1]["evidence"] == ("0 lessons recorded by the taskforce; 1 closure of 1 case, 1 with the bottleneck "
                                  "behind it; 0 negative consultation answers; 2 cases reopened; 1 no-proposition "
                                  "signal")
    assert lessons == {"closures": 4, "closed_cases": 3, "closures_with_bottleneck": 2,
                       "by_outcome": {"left_abroad": 1, "no_proposition_possible": 1, "withdrawn": 2},
                       "negative_consultations": 1, "reopened": 2, "no_proposition_signals": 1, "lessons": 0}


def test_breakdowns(evs):
    b = report(evs, "2025-2028")["breakdowns"]
    assert b["home_region"]["bom"] == {"leads": 3, "case_approaches": 2, "realised": 2, "realised_other_region": 1,
                                       "new_scaleups": 1, "investment_eur": 140 * M, "left_abroad": 0,
                                       "no_proposition": 0}
    assert b["home_region"]["nom"]["no_proposition"] == 1
    assert b["home_region"]["innovationquarter"]["leads"] == 1  # F entered on 1 January 2025
    assert {k: v["leads"] for k, v in b["home_hotspot"].items()} == {
        "brainport-eindhoven": 3, "groningen": 1, "twente": 1, "zuidvleugel": 1}
    assert b["destination_hotspot"] == {
        "almere": {"realised": 1, "realised_other_region": 1, "new_scaleups": 1, "investment_eur": 250 * M},
        "brainport-eindhoven": {"realised": 1, "realised_other_region": 0, "new_scaleups": 0, "investment_eur": 40 * M},
        "twente": {"realised": 1, "realised_other_region": 1, "new_scaleups": 1, "investment_eur": 100 * M},
    }
    assert {k: v["realised"] for k, v in b["destination_region"].items()} == {
        "bom": 1, "horizon-flevoland": 1, "oost-nl": 1}
    assert {k: v["leads"] for k, v in b["technology_domain"].items()} == {
        "ai-data": 1, "cybersecurity": 1, "photonics": 2, "quantum": 1, "semiconductors": 1}
    assert {k: v["leads"] for k, v in b["company_type"].items()} == {"grownup": 1, "scaleup": 3, "startup": 2}
    assert b["growth_space_kind"] == {"capital": {"articulated": 1, "realised": 0}, "energy": {"articulated": 5, "realised": 3},
                                      "space": {"articulated": 4, "realised": 3}, "talent": {"articulated": 4, "realised": 3}}


def test_a_lead_outside_any_hotspot_is_broken_down_as_such(evs):
    data = as_dicts(evs)
    for e in data:
        if e["case_id"] == "lead-c" and e["type"] == "LeadDetected":
            e["lead"]["hotspot"] = None
    b = report(data, "2026")["breakdowns"]["home_hotspot"]
    assert b["outside a hotspot"]["leads"] == 1 and "groningen" not in b


def test_a_period_report_does_not_change_later(evs):
    """Events after the period's end are ignored: the 2026H1 report made in July equals a later one."""
    july = [e for e in evs if e.at < datetime(2026, 7, 1, tzinfo=UTC)]
    assert report(july, "2026H1") == report(evs, "2026H1")


def test_input_forms_agree(evs):
    """Domain events or their ledger JSON, flat or grouped per case: the same report."""
    from itertools import groupby

    as_json = as_dicts(evs)
    grouped = [(cid, list(g)) for cid, g in groupby(as_json, key=lambda e: e["case_id"])]
    assert report(evs, "2025-2028") == report(as_json, "2025-2028") == report(grouped, "2025-2028")


def test_no_company_is_named_and_no_case_text_is_quoted(evs):
    """Case-file free text (a closing reason, a consultation answer, a note) never reaches a report."""
    cases = scenario()
    cases[3].do(at(2026, 7), "note", text="Met the founders of Lumen Start about a second site")
    data = report(events(cases), "2025-2028")
    for fmt in ("md", "html", "json"):
        text = render(data, fmt)
        for secret in ("Wafer Works", "lead-b", "Qubit", "Lumen", "no grid capacity", "R&D went to the US",
                       "board decision pending", "fits the zoning plan", "no grid"):
            assert secret not in text, (fmt, secret)


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


# --- the taskforce's entries, corrections since the last report, the final report --------------


def entry(seq: int, when: datetime, type_: str = "LessonRecorded", **fields: Any) -> dict:
    base = {"seq": seq, "at": when.isoformat(), "actor": "j.jansen", "organisation": "bom", "type": type_,
            "title": f"entry {seq}", "text": f"text of entry {seq}", "regions": ["bom"]}
    if type_ == "LessonRecorded":
        base["kind"] = "lesson"
    return base | fields


PROGRAMME = [
    {"seq": 1, "at": at(2025, 1, 1).isoformat(), "actor": "worker", "type": "ReminderRulesChanged", "version": "r-1",
     "rules": {}},
    entry(2, at(2025, 6), kind="what_worked", title="Early questions", text="Asked at the end of phase 2."),
    entry(3, at(2026, 2), kind="recommendation", title="Bundle financing", text="Bundle tickets across regions."),
    entry(4, at(2026, 3), "MirtSignalled", title="Housing for a plant", text="Thousands of jobs in the north.",
          regions=["nom"], concerns=["housing", "road"], jobs=3000),
    entry(5, at(2026, 4), "FinancingGapSignalled", title="A EUR 80 M round", text="No lead investor.",
          ticket_eur=80 * M),
    entry(6, at(2026, 5), "KnowledgeShared", title="Grid playbook", text="Shared with the north.",
          from_region="bom", regions=["nom"]),
    entry(7, at(2026, 5, 20), kind="lesson", title="Said too much", text="Withdrawn."),
    {"seq": 8, "at": at(2026, 5, 21).isoformat(), "actor": "j.jansen", "organisation": "bom",
     "type": "EntryWithdrawn", "entry": 7, "reason": "it was about one company"},
]


def test_the_taskforce_entries_fill_the_qualitative_sections(evs):
    r = report(evs, "2026H1", programme=PROGRAMME)
    eco, lessons = r["qualitative"]
    assert [e["title"] for e in lessons["entries"]] == ["Bundle financing"]  # seq 2 is 2025, seq 7 withdrawn
    assert [e["title"] for e in eco["entries"]] == ["Grid playbook"]
    assert eco["entries"][0] == {"seq": 6, "at": "2026-05-10", "type": "KnowledgeShared", "title": "Grid playbook",
                                 "text": "Shared with the north.", "organisation": "bom", "regions": ["nom"],
                                 "from_region": "bom"}
    assert [e["title"] for e in r["signals"]["mirt"]] == ["Housing for a plant"]
    assert r["signals"]["mirt"][0]["concerns"] == ["housing", "road"] and r["signals"]["mirt"][0]["jobs"] == 3000
    assert [e["ticket_eur"] for e in r["signals"]["financing_gap"]] == [80 * M]
    assert "conclusions" not in r
    md, html = render(r, "md"), render(r, "html")
    assert "- **Bundle financing** (2026-02-10 · recommendation · by bom · bom): Bundle tickets across regions." in md
    assert eco["evidence"].startswith("1 entry on knowledge shared across regions; ")
    assert lessons["evidence"].startswith("1 lesson recorded by the taskforce; ")
    assert "ticket EUR 80.0 M" in md and "asks: housing, road · 3,000 jobs" in md
    for out in (md, html):
        assert "Said too much" not in out and "Early questions" not in out


def test_the_final_report_draws_its_conclusions(evs):
    r = report(evs, "2025-2028", programme=PROGRAMME, kind="final")
    c = r["conclusions"]
    assert c["programme"] == ("In de maand december van het 4e jaar levert de coördinator een bondige eindrapportage "
                              "met conclusies over het experiment op.")
    assert [(s["kind"], [e["title"] for e in s["entries"]]) for s in c["sections"]] == [
        ("what_worked", ["Early questions"]), ("lesson", []), ("recommendation", ["Bundle financing"])]
    assert c["signals"] == {"mirt": 1, "financing_gap": 1, "knowledge_shared": 1,
                            "no_proposition_by_bottleneck": {"energy": 1}}
    assert [(t["key"], t["reached"], t["met"]) for t in c["targets"]] == [
        ("leads", 6, False), ("case_approaches", 5, False), ("realised_other_region", 2, False),
        ("new_scaleups", 2, False), ("retained_investment_eur", 0, False)]
    md = render(r, "md")
    assert md.startswith("# Final report 2025-2028") and "## Conclusions" in md and "### Recommendations" in md
    assert "met |" in md and "<h2>Conclusions</h2>" in render(r, "html")
    many = [e for i in range(40) for e in Case(f"lead-{i:02d}").do(at(2025, 2), "start", phase=2).events]
    met = report(many, "2025-2028", kind="final")["conclusions"]["targets"][0]
    assert (met["reached"], met["met"]) == (40, True)
    assert report(many[:-1], "2025-2028", kind="final")["conclusions"]["targets"][0]["met"] is False


PREVIOUS = PreviousReport(id=7, kind="progress", period="2026H1", cutoff=datetime(2026, 7, 1, tzinfo=UTC),
                          sha256="ab" * 32)


def test_corrections_since_the_last_report_are_listed_and_the_old_report_is_not_rewritten():
    """The last report was cut on 1 July 2026. A's EUR 100 M realised in 2025-10 (which it showed) was a
    typo for EUR 10 M: corrected on 15 July (its jobs, corrected in June, the report already had). D's
    home region (open, detected in June) corrected on 20 July. Lesson 2 (shown then) withdrawn in
    August; lesson 9, recorded and withdrawn after the cut-off, was never shown."""
    cases = scenario()
    a, d = cases[0], cases[3]
    a.do(at(2026, 6, 1), "correct-realisation", jobs=11, reason="a typo")  # before the last report: not listed
    a.do(at(2026, 7, 15), "correct-realisation", investment_eur=10 * M, reason="a zero too many")
    d.do(at(2026, 7, 20), "update", changes={"home_region": "liof", "contact": {"email": "new@example.org"}})
    programme = [
        *PROGRAMME[:2],
        {"seq": 3, "at": at(2026, 8).isoformat(), "actor": "x", "organisation": "bom", "type": "EntryWithdrawn",
         "entry": 2, "reason": "not a result of the programme"},
        entry(9, at(2026, 8, 11)),
        {"seq": 10, "at": at(2026, 8, 12).isoformat(), "actor": "x", "organisation": "bom", "type": "EntryWithdrawn",
         "entry": 9, "reason": "duplicate"},
    ]
    r = report(events(cases), "2026H2", programme=programme, previous=PREVIOUS)
    since = r["since_last_report"]
    assert since["previous"] == {"id": 7, "kind": "progress", "period": "2026H1",
                                 "cutoff": "2026-07-01T00:00:00+00:00", "sha256": "ab" * 32}
    assert since["realisations"] == [{"recorded": "2026-07-15", "realised": "2025-10-10", "home_region": "bom",
                                      "field": "investment_eur", "old": 100 * M, "new": 10 * M}]
    assert since["leads"] == [{"recorded": "2026-07-20", "detected": "2026-06-20", "field": "home_region",
                               "old": "bom", "new": "liof"}]  # the contact is no figure of a report
    assert since["entries_withdrawn"] == [{"withdrawn": "2026-08-10", "recorded": "2025-06-10",
                                           "type": "LessonRecorded", "title": "Early questions",
                                           "reason": "not a result of the programme"}]
    md = render(r, "md")
    assert "Follows report 7 (progress 2026H1, cut-off 2026-07-01T00:00:00+00:00, sha256 abababababababab…)" in md
    assert "| 2026-07-15 | 2025-10-10 | bom | investment\\_eur | EUR 100.0 M | EUR 10.0 M |" in md
    assert "corrections since the last report" in render(r, "html").lower()
    # the 2025 report, made again now, counts the corrected figure ('wrong from the start')
    assert report(events(cases), "2025")["retained"]["period"]["by_counterfactual"]["not_recorded"]["eur"] == 10 * M
    nothing = report(events(scenario()), "2026H2", previous=PREVIOUS)
    assert (nothing["since_last_report"]["realisations"], nothing["since_last_report"]["leads"],
            nothing["since_last_report"]["entries_withdrawn"]) == ([], [], [])
    assert "Nothing." in render(nothing, "md")
    assert report(events(cases), "2026H2")["since_last_report"] is None


def test_since_the_last_report_at_its_cut_off_exactly():
    """The last report held every event up to and including its cut-off. Cut at the moment of A's
    realisation (2025-10-10 12:00): it showed A, so a correction later is listed, one at that same
    moment was already in it. Likewise a lead detected at the cut-off, its change at the cut-off, and
    an entry recorded at the cut-off (withdrawn later: listed; withdrawn at the cut-off: not)."""
    cut = at(2025, 10)
    previous = PreviousReport(id=3, kind="progress", period="2025H2", cutoff=cut, sha256="cd" * 32)
    cases = scenario()
    cases[0].do(cut, "correct-realisation", jobs=12, reason="same moment")
    cases[0].do(at(2025, 10, 11), "correct-realisation", investment_eur=90 * M, reason="later")
    late = Case("lead-cut").do(cut, "start", phase=2)
    late.do(cut, "update", changes={"company_type": "grownup"})
    late.do(at(2025, 10, 12), "update", changes={"technology_domain": "quantum"})
    later = Case("lead-cut-2").do(cut, "start", phase=2)
    later.do(at(2025, 10, 13), "update", changes={"hotspot": "twente"})
    programme = [entry(1, cut), entry(2, cut),
                 {"seq": 3, "at": cut.isoformat(), "actor": "x", "organisation": "bom", "type": "EntryWithdrawn",
                  "entry": 2, "reason": "at once"},
                 {"seq": 4, "at": at(2025, 11).isoformat(), "actor": "x", "organisation": "bom",
                  "type": "EntryWithdrawn", "entry": 1, "reason": "later"}]
    since = report(events([*cases, later, late]), "2025", programme=programme, previous=previous)["since_last_report"]
    assert [(x["recorded"], x["field"]) for x in since["realisations"]] == [("2025-10-11", "investment_eur")]
    assert [(x["recorded"], x["field"]) for x in since["leads"]] == [  # in the order recorded
        ("2025-10-12", "technology_domain"), ("2025-10-13", "hotspot")]
    assert [x["title"] for x in since["entries_withdrawn"]] == ["entry 1"]


def test_the_listed_corrections_are_in_the_order_they_were_recorded():
    cases = scenario()
    cases[1].do(at(2026, 7, 20), "correct-realisation", investment_eur=41 * M, reason="B first")  # B after A
    cases[0].do(at(2026, 7, 21), "correct-realisation", investment_eur=11 * M, reason="A second")
    since = report(events(cases), "2026H2", previous=PREVIOUS)["since_last_report"]
    assert [(x["recorded"], x["realised"]) for x in since["realisations"]] == [
        ("2026-07-20", "2026-05-01"), ("2026-07-21", "2025-10-10")]


def test_corrected_realisations_count_with_their_corrected_values_and_the_report_says_how_many():
    """A's EUR 100 M realised in 2025-10 was a typo for EUR 10 M, and it was no new scale-up: corrected
    in January 2026, after the 2025 period's end, the 2025 report counts the corrected figures."""
    cases = scenario()
    before = {p: report(events(cases), p) for p in ("2025", "2026", "2025-2028")}
    a = cases[0]
    a.do(at(2026, 1, 15), "correct-realisation", investment_eur=10 * M, reason="a zero too many")
    a.do(at(2026, 1, 16), "correct-realisation", new_scaleup=False, reason="a spin-off of a grown-up")
    r = report(events(cases), "2025")
    assert (ind(r)["new_scaleups"], ind(before["2025"])["new_scaleups"]) == (0, 1)
    assert r["retained"]["period"]["by_counterfactual"]["not_recorded"]["eur"] == 10 * M
    assert before["2025"]["retained"]["period"]["by_counterfactual"]["not_recorded"]["eur"] == 100 * M
    assert r["corrections"] == {"realisations_corrected": 1, "corrections": 2, "corrected_after_period_end": 1}
    assert before["2025"]["corrections"] == {"realisations_corrected": 0, "corrections": 0,
                                             "corrected_after_period_end": 0}
    assert "1 realisation of the period corrected (2 corrections, 1 of them after the period's end)" in render(r, "md")
    assert "no realisation of the period was corrected" in render(before["2025"], "md")
    assert ind(report(events(cases), "2026")) == ind(before["2026"])  # A was realised in 2025
    b = scenario()
    b[0].do(datetime(2026, 1, 1, tzinfo=UTC), "correct-realisation", jobs=9, reason="at the period's end exactly")
    assert report(events(b), "2025")["corrections"]["corrected_after_period_end"] == 1
    assert ind(report(events(cases), "2026"), "to_date")["new_scaleups"] == 0  # but programme to date holds it
    whole = report(events(cases), "2025-2028")
    assert whole["corrections"] == {"realisations_corrected": 1, "corrections": 2, "corrected_after_period_end": 0}
    assert report(events(cases[1:]), "2025-2028")["corrections"]["realisations_corrected"] == 0


def test_every_indicator_has_its_definition_and_the_programmes_words(evs):
    r = report(evs, "2026")
    assert {i["key"]: i["programme"].split(":")[0] for i in r["indicators"]} == {
        "leads": "Aantal leads in portefeuille (gehad) pro rata tijdvak 2025-2028",
        "case_approaches": "Aantal case based aanpakken in uitvoering gebracht",
        "realised_other_region": "Aantal leads andere regio gerealiseerd",
        "new_scaleups": "Waarvan aantal nieuwe scale-ups",
        "retained_investment_eur": "Behoud geïnvesteerd vermogen voor NL alle leads samen",
    }
    md, html = render(r, "md"), render(r, "html")
    for i in r["indicators"]:
        assert len(i["definition"]) > 100
        assert i["programme"] in md and i["definition"] in md
    assert "Vermogen dat anders niet zou worden geïnvesteerd of niet in Nederland" in html


# --- from the ledger, the CLI, demo cases, the scheduled report -------------------------------


@pytest.fixture
def ledger(ledger_url):
    led = Ledger.open(ledger_url, upgrade=True)
    for case in scenario():
        led.append(case.events)
    yield led
    led.dispose()


NOW = datetime(2029, 3, 1, tzinfo=UTC)  # after every event of the scenario


def test_from_the_ledger(ledger, evs):
    for period in ("2025-2028", "2026H1"):
        assert compute(ledger, period, as_of=NOW) == report(evs, period)
    cutoff = datetime(2026, 6, 16, tzinfo=UTC)
    assert compute(ledger, "2026", as_of=cutoff) == impact([e for e in evs if e.at <= cutoff],
                                                         Period.parse("2026").cut(cutoff))


def test_the_last_stored_report_before_the_cut_off_is_the_previous_one(ledger):
    snapshots = ledger.snapshots
    old = snapshots.store("progress", "2025H1", "html", datetime(2025, 5, 15, 7, tzinfo=UTC), "<p>old</p>")
    last = snapshots.store("annual", "2025", "html", datetime(2025, 11, 15, 8, tzinfo=UTC), "<p>annual</p>")
    snapshots.store("progress", "2026H1", "html", datetime(2026, 5, 15, 7, tzinfo=UTC), "<p>later</p>")
    since = compute(ledger, "2026", as_of=datetime(2026, 3, 1, tzinfo=UTC))["since_last_report"]
    assert since["previous"]["id"] == last.id and since["previous"]["sha256"] == last.sha256
    assert snapshots.last_before(datetime(2025, 11, 15, 8, tzinfo=UTC)).id == old.id  # strictly before
    assert snapshots.last_before(datetime(2025, 5, 15, 7, tzinfo=UTC)) is None


def test_cli_writes_all_formats(ledger, tmp_path, monkeypatch, capsys):
    monkeypatch.setenv("BRANDPUNT_LEDGER_URL", ledger.url)
    for fmt in ("md", "html", "json"):
        out = tmp_path / f"r.{fmt}"
        assert cli(["report", "impact", "--period", "2026", "--format", fmt, "--out", str(out),
                    "--as-of", "2027-01-01"]) == 0
        assert out.stat().st_size > 1000
    assert "| Case-based approaches put into execution | 3 | – (4-year total) | 5 | 24 | 21% |" in (
        tmp_path / "r.md").read_text()
    html = (tmp_path / "r.html").read_text()
    assert html.count("<svg") == 5 and "<script" not in html and "http" not in html.replace(
        "http://www.w3.org/2000/svg", "")
    assert '"value": 3' in (tmp_path / "r.json").read_text()
    capsys.readouterr()
    assert cli(["report", "impact", "--period", "2026H2", "--as-of", "2026-10-01", "--kind", "final",
                "--another-region", "hotspot"]) == 0
    out = capsys.readouterr().out
    assert out.startswith("# Final report 2026H2") and "cut at 2026-10-01" in out and "## Conclusions" in out
    assert cli(["report", "impact", "--period", "2026", "--as-of", "yesterday"]) == 2
    assert "--as-of 'yesterday'" in capsys.readouterr().err


def test_demo_cases_are_left_out_unless_asked_and_the_header_says_so(evs, ledger, monkeypatch, capsys):
    """Issue 12: the demo's cases counted in the official report. Over the demo's eleven leads (marked
    as demo cases) plus one real case, the report counts one lead."""
    from tests.impact_data import demo

    demo_cases = demo()
    for c in demo_cases:
        assert c.events[0].type == "LeadDetected"
        c.events[0] = c.events[0].model_copy(update={"demo": True})
    real = Case("lead-real").do(at(2025, 6), "start", phase=2)
    mixed = events([*demo_cases, real])
    r = report(mixed, "2025-2028")
    assert ind(r)["leads"] == 1 and ind(r)["case_approaches"] == 0 and r["portfolio"] == 1
    assert r["demo"] == {"included": False, "cases": 11}
    both = impact(mixed, Period.parse("2025-2028"), include_demo=True)
    assert ind(both)["leads"] == 12 and ind(both)["case_approaches"] > 0
    assert both["demo"] == {"included": True, "cases": 11}
    assert "demo cases excluded: 11" in render(r, "md") and "demo cases excluded: 11" in render(r, "html")
    assert "demo cases included: 11" in render(both, "md") and "demo cases included: 11" in render(both, "html")
    assert report(evs, "2025-2028")["demo"] == {"included": False, "cases": 0}
    ledger.append(demo_cases[0].events)
    monkeypatch.setenv("BRANDPUNT_LEDGER_URL", ledger.url)
    assert cli(["report", "impact", "--period", "2025", "--format", "json", "--include-demo"]) == 0
    assert json.loads(capsys.readouterr().out)["demo"] == {"included": True, "cases": 1}


def test_the_impact_report_over_the_demo_counts_only_the_counterfactuals_that_count():
    """Issue 14, done when: the demo's five cases as the programme tells them (decided as a new case is,
    under the patch programme-facts); the report over them, demo cases included, retains only the
    energy-storage scale-up's EUR 75 M ('would have gone abroad'); the flow-meter maker and the
    multinational left abroad, for talent and the grid; left out, nothing counts."""
    from tests.audit_cases import run
    from tests.test_demo import SCRIPTS, commands

    t0 = datetime.now(UTC)
    evs = [e for i, slug in enumerate(SCRIPTS) for e in run(f"BP-2026-{i + 1:04d}", commands(SCRIPTS[slug]), t0,
                                                             facts=True)]
    period = Period.parse("2025-2028").cut(t0 + timedelta(days=60))
    r = impact(evs, period, include_demo=True)
    assert ind(r)["retained_investment_eur"] == 75 * M and ind(r)["realised_other_region"] == 1
    assert r["retained"]["period"]["by_counterfactual"] == {
        "would_have_gone_abroad": {"cases": 1, "eur": 75 * M}, "would_not_have_been_invested": {"cases": 0, "eur": 0},
        "would_have_happened_in_nl_anyway": {"cases": 0, "eur": 0}, "not_recorded": {"cases": 0, "eur": 0}}
    assert r["closures"] == {"left_abroad": {"cases": 2, "by_bottleneck": {"energy": 1, "talent": 1}}}
    assert r["demo"] == {"included": True, "cases": 5}
    left_out = impact(evs, period)
    assert ind(left_out)["retained_investment_eur"] == 0 and left_out["portfolio"] == 0


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
    """ReportInput.include_demo → ReportRequest → the stored snapshot's header (the schedules never ask);
    the second report follows the first ("corrections since the last report")."""
    import uuid
    from concurrent.futures import ThreadPoolExecutor

    from temporalio.worker import Worker

    from activities.notify import Channels, NotifyActivities
    from activities.reports import ReportActivities
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
                ReportWorkflow.run, ReportInput(kind=ReportKind.FINAL, period="2026", include_demo=True,
                                                another_region="hotspot", language="en"),
                id=f"report-{queue}-2", task_queue=queue)
    snapshots = ledger.snapshots
    stored = [snapshots.get(r.snapshot_id) for r in (plain, asked)]
    # a scheduled report is in its recipients' language: Dutch unless asked (the Ministry's)
    assert stored[0] is not None and "democasussen weggelaten: 1" in stored[0].content
    assert "Impactrapportage 2026" in stored[0].content and '<html lang="nl">' in stored[0].content
    assert stored[1] is not None and "demo cases included: 1" in stored[1].content
    assert "Er staat geen eerdere rapportage in het grootboek" in stored[0].content
    assert f"Follows report {plain.snapshot_id} (annual 2026" in stored[1].content
    assert "<h2>Conclusions</h2>" in stored[1].content and "<h2>Conclusions</h2>" not in stored[0].content
    assert "Twente to Arnhem/Nijmegen (both Oost NL) counts" in stored[1].content


def test_the_readme_lists_every_indicator_with_the_programmes_words():
    from pathlib import Path

    readme = (Path(__file__).resolve().parent.parent / "README.md").read_text(encoding="utf-8")
    section = readme[readme.index("## Reports for the Ministry"):readme.index("## Auditing")]
    for i in INDICATORS:
        assert f'"{i.programme}"' in section, i.key
        assert f"| {i.label.split(' (')[0]}" in section, i.key


def test_the_report_says_how_much_matchmaking_rested_on_illustrative_offers():
    """Issue 14, point 4: the shipped offers are illustrative "and say so in match reasons and reports".
    Three proposal sets in 2026: one on the shipped (illustrative) figures, one on a ROM's supplied
    offers, one recorded before offers carried a version; one in 2025 does not count for 2026."""
    from tests.impact_data import proposals

    def scored(*, illustrative: bool, version: str | None) -> list[dict]:
        return [{**p, "illustrative": illustrative, "offer_version": version} for p in proposals("twente")]

    cases = []
    for n, (when, sets) in enumerate([
        (at(2026, 2), scored(illustrative=True, version="o-000000000001")),
        (at(2026, 3), scored(illustrative=False, version="o-000000000002")),
        (at(2026, 4), proposals("twente")),  # before offer versions: neither field
        (at(2025, 5), scored(illustrative=True, version="o-000000000001")),
    ]):
        c = Case(f"lead-offers-{n}").do(when, "start", phase=3)
        c.do(when, "articulate-needs", needs={"space": {"m2": 1000}, "needed_by": "2030-01-01"})
        cases.append(c.do(when, "propose-matches", proposals=sets))
    r = report(events(cases), "2026")
    assert r["offers"] == {"proposal_sets": 3, "illustrative": 1, "supplied": 1, "unversioned": 1}
    line = ("3 proposal sets in the period: 1 on illustrative hotspot offers (shipped figures, not a ROM's), "
            "1 recorded before offers carried a version")
    assert line in render(r, "md") and line.replace("'", "&#39;") in render(r, "html")
    assert report(events(cases), "2027")["offers"]["proposal_sets"] == 0
    assert "no matchmaking in the period" in render(report(events(cases), "2027"), "md")
