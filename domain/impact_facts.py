"""What the impact report needs from one case, gathered in a single pass over its events.

Kept apart from :mod:`domain.impact` (which counts) so the one place that reads event JSON is
small. Reads the canonical JSON dicts the ledger stores, not models: see :mod:`domain.impact`.
Events at or after ``end`` are skipped, so the facts are those known at the period's end, with one
exception: a ``RealisationCorrected`` of a realisation the period holds applies whenever it was
recorded, since it says the figure was wrong from the start (a mistyped investment must not stay in
every later rendering of the period's report).
"""

from __future__ import annotations

import statistics
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

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

    def days(self, a: str, b: str) -> float:
        return (self.stage_first[b] - self.stage_first[a]).total_seconds() / 86400


_SKIP = frozenset({"ReminderSent", "NoteRecorded"})  # nothing the report counts


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
                for change in ev["changes"]:
                    if change["field"] == "investment_eur":
                        f.investment = change["new"]
                    elif change["field"] == "new_scaleup":
                        f.new_scaleup = change["new"]
            continue
        if at >= end:
            continue
        if t == "LeadDetected" or t == "LeadUpdated":
            lead = ev["lead"]
            f.region, f.domain, f.company_type = lead["home_region"], lead["technology_domain"], lead["company_type"]
            if t == "LeadDetected":
                f.detected_at, phase, f.demo = at, lead["phase"], ev.get("demo", False)
        elif t == "PhaseChanged":
            phase = ev["to_phase"]
        elif t == "NeedsArticulated":
            f.needs.append((at, [k for k in KINDS if ev["needs"].get(k)]))
            if f.needs_first_at is None:
                f.needs_first_at, f.phase_at_needs = at, phase
        elif t == "MatchesProposed":
            f.proposals.append((at, [p["hotspot"] for p in ev["proposals"] if p["viable"]]))
        elif t == "LocationChosen":
            f.choices.append((at, ev["location"]))
        elif t == "ConsultationAnswered" and ev["verdict"] == "negative":
            f.negative_answers.append(at)
        elif t == "Realised":
            r = ev["realisation"]
            f.realised_at, f.outcome, f.closed = at, ev["outcome"], True
            f.investment, f.new_scaleup = r["investment_eur"], r["new_scaleup"]
            f.destination = r["location"].get("hotspot") or r["location"]["region"]
        elif t == "CaseClosed":
            f.closings.append((at, ev))
            f.closed = True
        elif t == "CaseReopened":
            f.reopenings.append(at)
            f.closed = False
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
