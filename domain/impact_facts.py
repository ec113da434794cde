"""What the impact report needs from one case, gathered in a single pass over its events.

Kept apart from :mod:`domain.impact` (which counts) so the one place that reads event JSON is
small. Reads the canonical JSON dicts the ledger stores, not models: see :mod:`domain.impact`.
Events at or after ``end`` are skipped, so the facts are those known at the period's end, with one
exception: a ``RealisationCorrected`` of a realisation the period holds applies whenever it was
recorded, since it says the figure was wrong from the start (a mistyped investment must not stay in
every later rendering of the period's report).

The facts of issue 14 (recorded since the workflow patch ``programme-facts``; ``None`` on older
events, "not recorded"): the realisation's ``counterfactual`` (only two count as retained, see
:attr:`CaseFacts.retained`), the company type at detection and at realisation behind ``new_scaleup``
(:attr:`CaseFacts.new_scaleup_basis`), where it was realised relative to the lead
(:func:`where_realised`, by a configurable definition of "another region"), referrals, the
triple-helix organisation that signalled the lead, and the lead time from articulation to the date
the space is needed (:attr:`CaseFacts.lead_time`, ``domain.timing``).
"""

from __future__ import annotations

import statistics
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from domain.timing import LeadTime, lead_time
from domain.vocab import RETAINED_COUNTERFACTUALS, RegionBasis, Where

_RETAINED = frozenset(c.value for c in RETAINED_COUNTERFACTUALS)

KINDS = ("space", "capital", "talent", "housing", "energy")
_STAGE_OF = {
    "LeadDetected": "detection", "NeedsArticulated": "needs_articulation", "MatchesProposed": "matchmaking",
    "ConsultationRequested": "consultation", "RealisationStarted": "realisation", "Realised": "realised",
}


@dataclass
class CaseFacts:
    case_id: str
    region: str = ""
    domain: str = ""
    company_type: str = ""
    detected_at: datetime | None = None
    stage_first: dict[str, datetime] = field(default_factory=dict)
    needs: list[tuple[datetime, list[str]]] = field(default_factory=list)
    needs_first_at: datetime | None = None
    phase_at_needs: int | None = None
    phase3_at: datetime | None = None
    proposals: list[tuple[datetime, list[str]]] = field(default_factory=list)
    offer_bases: list[tuple[datetime, str]] = field(default_factory=list)
    """Per proposal set: what its hotspot offers were (:func:`offer_basis`)."""
    choices: list[tuple[datetime, dict[str, Any]]] = field(default_factory=list)
    negative_answers: list[datetime] = field(default_factory=list)
    closings: list[tuple[datetime, dict[str, Any]]] = field(default_factory=list)
    reopenings: list[datetime] = field(default_factory=list)
    closed: bool = False
    realised_at: datetime | None = None
    outcome: str | None = None
    investment: int = 0
    new_scaleup: bool = False
    destination: str | None = None
    demo: bool = False
    corrections: list[datetime] = field(default_factory=list)
    # --- issue 14 ---
    hotspot: str | None = None
    """The lead's own hotspot (``None``: outside any hotspot)."""
    site: str | None = None
    """Municipality of the lead's current site, when recorded."""
    signalled_by: str | None = None
    """The triple-helix organisation that signalled the lead (its id), if one did."""
    detected_type: str = ""
    """The company type at detection (``company_type`` is the latest)."""
    realised_type: str | None = None
    """The company type at realisation (``None``: realised before it was recorded)."""
    new_scaleup_reason: str | None = None
    """Why the coordinator set ``new_scaleup`` against the company types (an override)."""
    counterfactual: str | None = None
    """What would have happened without the programme (``None``: not recorded, or not realised)."""
    realised_region: str | None = None
    realised_hotspot: str | None = None
    at_current_site: bool | None = None
    referrals: list[tuple[datetime, dict[str, Any]]] = field(default_factory=list)
    """(when, the Referred event) of each referral to an adjacent programme or organisation."""
    needed_by: date | None = None
    """The latest articulated needed-by date."""
    correction_changes: list[tuple[datetime, list[dict[str, Any]]]] = field(default_factory=list)
    """(when, the changes) of each RealisationCorrected of the realisation, whenever recorded."""
    lead_changes: list[tuple[datetime, list[dict[str, Any]]]] = field(default_factory=list)
    """Every LeadUpdated's changes, also those at or after ``end`` (for "corrections since the last report")."""

    def days(self, a: str, b: str) -> float:
        return (self.stage_first[b] - self.stage_first[a]).total_seconds() / 86400

    @property
    def retained(self) -> bool:
        """The realised investment counts as retained for the Netherlands: its counterfactual is
        would_have_gone_abroad or would_not_have_been_invested ("Vermogen dat anders niet zou worden
        geïnvesteerd of niet in Nederland", sources/002). False when not recorded: the report counts
        those apart ("counterfactual not recorded")."""
        return self.realised_at is not None and self.counterfactual in _RETAINED

    @property
    def new_scaleup_basis(self) -> str | None:
        """How ``new_scaleup`` was decided: ``derived`` from the company types, ``override`` (with
        its reason), ``unchecked`` (recorded before the types were, a bare flag); ``None`` unrealised."""
        if self.realised_at is None:
            return None
        if self.realised_type is None:
            return "unchecked"
        return "override" if self.new_scaleup_reason is not None else "derived"

    @property
    def lead_time(self) -> LeadTime | None:
        """From the first needs articulation to the latest needed-by date; ``.short`` flags a case
        articulated less than two years ahead (``domain.timing``)."""
        if self.needs_first_at is None or self.needed_by is None:
            return None
        return lead_time(self.needs_first_at.date(), self.needed_by)

    def where(self, basis: RegionBasis = RegionBasis.ROM_REGION) -> Where | None:
        """:func:`where_realised` for this case's realisation (``None``: not realised, or in the own
        region before the current site was recorded)."""
        if self.realised_at is None or self.realised_region is None:
            return None
        return where_realised(self.realised_region, self.realised_hotspot, self.region, self.hotspot,
                              self.at_current_site, basis)


def where_realised(
    region: str, hotspot: str | None, home_region: str, home_hotspot: str | None,
    at_current_site: bool | None, basis: RegionBasis = RegionBasis.ROM_REGION,
) -> Where | None:
    """Where a realisation at (``region``, ``hotspot``) took place relative to a lead of
    (``home_region``, ``home_hotspot``): in another region, elsewhere in its own region, or at its
    current site. Programme aim b: "door te kunnen groeien en door te investeren elders in de eigen
    regio of in een andere Nederlandse regio" (sources/002).

    "Another region" by ``basis`` (``domain.vocab.RegionBasis``): another ROM region (the default),
    or another technology hotspot, the ROM region deciding where either side has none. Within the own
    region, ``at_current_site`` (recorded at realisation) tells growing in place from a move;
    ``None`` when it was not recorded (realisations before issue 14).
    """
    if basis == RegionBasis.HOTSPOT and hotspot is not None and home_hotspot is not None:
        other = hotspot != home_hotspot
    else:
        other = region != home_region
    if other:
        return Where.ANOTHER_REGION
    if at_current_site is None:
        return None
    return Where.CURRENT_SITE if at_current_site else Where.OWN_REGION_ELSEWHERE


_SKIP = frozenset({"ReminderSent", "NoteRecorded", "Phase2EndExpected"})  # nothing the report counts


def facts(case_id: str, events: Iterable[dict[str, Any]], end: datetime) -> CaseFacts:
    """The case as known before ``end`` (exclusive)."""
    f = CaseFacts(case_id)
    phase = 0
    for ev in events:
        t = ev["type"]
        if t in _SKIP:
            continue
        at = datetime.fromisoformat(ev["at"])
        if t == "RealisationCorrected":
            if f.realised_at is not None:  # corrects a realisation the period's facts hold
                f.corrections.append(at)
                f.correction_changes.append((at, ev["changes"]))
                for change in ev["changes"]:
                    if change["field"] == "investment_eur":
                        f.investment = change["new"]
                    elif change["field"] == "new_scaleup":
                        f.new_scaleup = change["new"]
                    elif change["field"] == "counterfactual":
                        f.counterfactual = change["new"]
            continue
        if t == "LeadUpdated" and ev.get("changes"):
            f.lead_changes.append((at, ev["changes"]))
        if at >= end:
            continue
        if t == "LeadDetected" or t == "LeadUpdated":
            lead = ev["lead"]
            f.region, f.domain, f.company_type = lead["home_region"], lead["technology_domain"], lead["company_type"]
            f.hotspot, f.site = lead["hotspot"], lead.get("site")
            if t == "LeadDetected":
                f.detected_at, phase, f.demo = at, lead["phase"], ev.get("demo", False)
                f.detected_type, f.signalled_by = lead["company_type"], ev.get("signalled_by")
        elif t == "PhaseChanged":
            phase = ev["to_phase"]
        elif t == "NeedsArticulated":
            f.needs.append((at, [k for k in KINDS if ev["needs"].get(k)]))
            f.needed_by = date.fromisoformat(ev["needs"]["needed_by"])
            if f.needs_first_at is None:
                f.needs_first_at, f.phase_at_needs = at, phase
        elif t == "MatchesProposed":
            f.proposals.append((at, [p["hotspot"] for p in ev["proposals"] if p["viable"]]))
            f.offer_bases.append((at, offer_basis(ev["proposals"])))
        elif t == "LocationChosen":
            f.choices.append((at, ev["location"]))
        elif t == "ConsultationAnswered" and ev["verdict"] == "negative":
            f.negative_answers.append(at)
        elif t == "Realised":
            r = ev["realisation"]
            f.realised_at, f.outcome, f.closed = at, ev["outcome"], True
            f.investment, f.new_scaleup = r["investment_eur"], r["new_scaleup"]
            f.destination = r["location"].get("hotspot") or r["location"]["region"]
            f.realised_region, f.realised_hotspot = r["location"]["region"], r["location"].get("hotspot")
            f.counterfactual, f.realised_type = ev.get("counterfactual"), ev.get("company_type")
            f.new_scaleup_reason, f.at_current_site = ev.get("new_scaleup_reason"), ev.get("at_current_site")
        elif t == "CaseClosed":
            f.closings.append((at, ev))
            f.closed = True
        elif t == "CaseReopened":
            f.reopenings.append(at)
            f.closed = False
        elif t == "Referred":
            f.referrals.append((at, ev))
        if phase >= 3 and f.phase3_at is None:
            f.phase3_at = at
        stage = _STAGE_OF.get(t)
        if stage and stage not in f.stage_first:
            f.stage_first[stage] = at
    return f


def stats(days: list[float]) -> dict[str, Any]:
    """Count, median and mean of a list of durations in days."""
    if not days:
        return {"count": 0, "median_days": None, "mean_days": None}
    return {"count": len(days), "median_days": round(statistics.median(days), 1),
            "mean_days": round(statistics.fmean(days), 1)}


def offer_basis(proposals: list[dict[str, Any]]) -> str:
    """What a set of proposals was scored against: ``illustrative`` when any proposal rests on an
    illustrative offer (the shipped figures, "not from the sources", issue 14), ``unversioned`` when
    it was recorded before offers carried a version, else ``supplied`` (offers a ROM supplied)."""
    if any(p.get("illustrative") for p in proposals):
        return "illustrative"
    if not proposals or any(not p.get("offer_version") for p in proposals):
        return "unversioned"
    return "supplied"
