"""The case-level facts of issue 14 as the reports read them (``domain.impact_facts``), and the timing
measure (``domain.timing``): known answers, from events built by the real stage machine."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime, timedelta

import pytest

from domain.chain import canonical_json
from domain.impact_facts import facts, where_realised
from domain.timing import LeadTime, LeadTimeVerdict, lead_time, years_after
from domain.vocab import RegionBasis, Where
from tests import factories as f
from tests.test_domain import T0, Case, propose

END = datetime(2030, 1, 1, tzinfo=UTC)


def as_rows(case: Case) -> list[dict]:
    """The events as the ledger stores them (canonical JSON dicts)."""
    return [json.loads(canonical_json(e)) for e in case.events]


def realised(hotspot: str = "twente", municipality: str = "Enschede", **realise) -> Case:
    """A bom lead (startup, site Eindhoven) realised at ``hotspot``."""
    case = Case(company_type="startup", site="Eindhoven")
    case.run(f.command("articulate-needs", needs={**f.NEEDS, "needed_by": "2028-06-01"}))
    propose(case)
    case.run(f.command("choose-location", hotspot=hotspot, municipality=municipality))
    case.run(f.command("request-consultation", party="municipality", subject="zoning", due="2026-03-01"))
    case.run(f.command("answer-consultation", consultation_id="C1", verdict="positive", answer="ok"))
    case.run(f.command("start-realisation"))
    case.run(f.command("realise", investment_eur=40_000_000, jobs=50, **realise))
    return case


@pytest.mark.parametrize("counterfactual, retained", [
    ("would_have_gone_abroad", True), ("would_not_have_been_invested", True),
    ("would_have_happened_in_nl_anyway", False),
])
def test_only_investment_that_would_have_gone_abroad_or_not_been_invested_is_retained(counterfactual, retained):
    case = realised(counterfactual=counterfactual, company_type="scaleup")
    got = facts("lead-domain", as_rows(case), END)
    assert (got.counterfactual, got.retained, got.investment) == (counterfactual, retained, 40_000_000)
    assert (got.detected_type, got.realised_type, got.new_scaleup, got.new_scaleup_basis) == (
        "startup", "scaleup", True, "derived")


def test_a_realisation_from_before_issue_14_has_no_counterfactual_and_is_not_counted_as_retained():
    old = Case(facts=False)
    old.run(f.command("articulate-needs", needs=f.NEEDS))
    propose(old)
    old.run(f.command("choose-location", hotspot="twente"))
    old.run(f.command("request-consultation", party="municipality", subject="zoning", due="2026-03-01"))
    old.run(f.command("answer-consultation", consultation_id="C1", verdict="positive", answer="ok"))
    old.run(f.command("start-realisation"))
    old.run(f.command("realise", investment_eur=9, jobs=1, new_scaleup=True))
    got = facts("lead-old", as_rows(old), END)
    assert (got.counterfactual, got.retained, got.new_scaleup, got.new_scaleup_basis) == (None, False, True, "unchecked")
    assert got.where() == Where.ANOTHER_REGION  # bom -> twente is another ROM region whatever was recorded


def test_a_corrected_counterfactual_counts_with_its_new_value_also_after_the_period():
    case = realised(counterfactual="would_have_gone_abroad")
    case.run(f.command("correct-realisation", counterfactual="would_have_happened_in_nl_anyway", reason="asked"))
    cut = case.events[-1].at  # the correction is recorded at the cut-off: after the period's end
    got = facts("lead-domain", as_rows(case), cut)
    assert (got.counterfactual, got.retained, len(got.corrections)) == ("would_have_happened_in_nl_anyway", False, 1)


def test_an_override_of_new_scaleup_says_so():
    case = realised(counterfactual=f.RETAINED, new_scaleup=False, new_scaleup_reason="still pre-revenue",
                    company_type="scaleup")
    got = facts("lead-domain", as_rows(case), END)
    assert (got.new_scaleup, got.new_scaleup_basis, got.new_scaleup_reason) == (False, "override", "still pre-revenue")


def test_where_realised_known_answers():
    # (region, hotspot) realised at, the lead's (home region, hotspot), at_current_site
    cases = [
        (("oost-nl", "twente"), ("bom", "brainport-eindhoven"), None, Where.ANOTHER_REGION, Where.ANOTHER_REGION),
        (("oost-nl", "arnhem-nijmegen"), ("oost-nl", "twente"), False, Where.OWN_REGION_ELSEWHERE, Where.ANOTHER_REGION),
        (("oost-nl", "arnhem-nijmegen"), ("oost-nl", "twente"), None, None, Where.ANOTHER_REGION),
        (("bom", "brainport-eindhoven"), ("bom", "brainport-eindhoven"), True, Where.CURRENT_SITE, Where.CURRENT_SITE),
        (("bom", "brainport-eindhoven"), ("bom", "brainport-eindhoven"), False, Where.OWN_REGION_ELSEWHERE,
         Where.OWN_REGION_ELSEWHERE),
        (("bom", None), ("bom", "brainport-eindhoven"), False, Where.OWN_REGION_ELSEWHERE, Where.OWN_REGION_ELSEWHERE),
        (("liof", None), ("bom", None), None, Where.ANOTHER_REGION, Where.ANOTHER_REGION),  # no hotspots: by region
        (("bom", None), ("bom", None), True, Where.CURRENT_SITE, Where.CURRENT_SITE),
    ]
    for (region, hotspot), (home, home_hotspot), here, by_region, by_hotspot in cases:
        args = (region, hotspot, home, home_hotspot, here)
        assert where_realised(*args) == by_region, args
        assert where_realised(*args, basis=RegionBasis.HOTSPOT) == by_hotspot, args


def test_where_a_case_was_realised_from_its_events():
    other = facts("a", as_rows(realised(counterfactual=f.RETAINED)), END)
    assert (other.realised_region, other.realised_hotspot, other.at_current_site) == ("oost-nl", "twente", None)
    assert other.where() == other.where(RegionBasis.HOTSPOT) == Where.ANOTHER_REGION
    moved = facts("b", as_rows(realised("brainport-eindhoven", "Veldhoven", counterfactual=f.RETAINED)), END)
    assert (moved.site, moved.hotspot, moved.at_current_site) == ("Eindhoven", "brainport-eindhoven", False)
    assert moved.where() == Where.OWN_REGION_ELSEWHERE
    stayed = facts("c", as_rows(realised("brainport-eindhoven", "Eindhoven", counterfactual=f.RETAINED,
                                         at_current_site=True)), END)
    assert stayed.where() == Where.CURRENT_SITE
    assert facts("d", as_rows(Case()), END).where() is None  # not realised


def test_referrals_and_the_signalling_organisation_reach_the_facts():
    case = Case(hotspot=None, signalled_by="twente-board")
    assert case.state.signalled_by == "twente-board"
    case.run(f.command("refer", to="invest-nl", subject="co-financing a EUR 60 M ticket"))
    case.run(f.command("refer", to="ez-programme", name="Innovatiekrediet", subject="development credit"))
    got = facts("lead-domain", as_rows(case), END)
    assert (got.signalled_by, got.hotspot) == ("twente-board", None)
    assert [(ev["to"], ev.get("name")) for _, ev in got.referrals] == [
        ("invest-nl", None), ("ez-programme", "Innovatiekrediet")]
    assert facts("lead-domain", as_rows(case), T0 + timedelta(minutes=90)).referrals[0][1]["to"] == "invest-nl"
    assert len(facts("lead-domain", as_rows(case), T0 + timedelta(minutes=90)).referrals) == 1  # cut at the end


# --- the timing measure: "2 tot 3 jaar eerder" ------------------------------------------------------


@pytest.mark.parametrize("needed_by, verdict", [
    (date(2028, 2, 29), LeadTimeVerdict.UNDER_TWO_YEARS),   # a day short of two years
    (date(2028, 3, 1), LeadTimeVerdict.TWO_TO_THREE_YEARS),  # two years to the day
    (date(2029, 3, 1), LeadTimeVerdict.TWO_TO_THREE_YEARS),  # three years to the day
    (date(2029, 3, 2), LeadTimeVerdict.OVER_THREE_YEARS),
    (date(2026, 3, 1), LeadTimeVerdict.UNDER_TWO_YEARS),     # needed the day it was asked
])
def test_lead_time_against_the_aim_on_both_sides_of_each_limit(needed_by, verdict):
    got = lead_time(date(2026, 3, 1), needed_by)
    assert got.verdict == verdict and got.short == (verdict == LeadTimeVerdict.UNDER_TWO_YEARS)


def test_lead_time_in_days_and_words_and_a_leap_day():
    got = LeadTime(date(2026, 3, 1), date(2027, 9, 1))
    assert got.days == 549
    assert got.describe() == "articulated 2026-03-01, needed by 2027-09-01: 549 days (1.5 years), under two years"
    assert years_after(date(2024, 2, 29), 2) == date(2026, 2, 28) and years_after(date(2024, 2, 29), 4) == date(2028, 2, 29)
    assert "750 days (2.1 years), two to three years" in LeadTime(date(2026, 3, 1), date(2028, 3, 20)).describe()


def test_a_case_articulated_less_than_two_years_ahead_is_flagged_from_its_first_articulation():
    case = Case()
    case.run(f.command("articulate-needs", needs={**f.NEEDS, "needed_by": "2027-06-01"}))  # on 2026-01-05
    first = case.state.articulation_lead_time
    assert (first.articulated_on, first.needed_by, first.short) == (date(2026, 1, 5), date(2027, 6, 1), True)
    case.run(f.command("articulate-needs", needs={**f.NEEDS, "needed_by": "2028-06-01"}))  # later need, same ask
    again = case.state.articulation_lead_time
    assert (again.articulated_on, again.verdict) == (date(2026, 1, 5), LeadTimeVerdict.TWO_TO_THREE_YEARS)
    got = facts("lead-domain", as_rows(case), END).lead_time
    assert got == again
    assert Case().state.articulation_lead_time is None and facts("x", as_rows(Case()), END).lead_time is None
