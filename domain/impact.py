"""Impact monitoring: the programme's indicators, straight from the ledger's events.

Pure: takes each case's events in their canonical JSON form (dicts, as the ledger stores them;
parsing them into models would cost more than the whole report) and a :class:`Period`.

Definitions (also printed in every report):
- **Lead**: a case whose ``LeadDetected`` falls in the period ("new leads"); the *portfolio* is
  every lead detected up to the period's end.
- **Case approach put into execution**: a case whose first ``MatchesProposed`` falls in the period —
  the moment the taskforce starts brokering locations across regions (makelen en schakelen). A case
  that goes back to matchmaking or is reopened counts once, at its first time.
- **Realised in another region**: a ``Realised`` event in the period whose location lies outside
  the lead's home region (outcome ``realised_other_region``); **new scale-up**: of those, the ones
  recorded as a new scale-up.
- **Retained investment**: the sum of ``investment_eur`` of all realisations in the period, in the
  home region or another: both keep the investment in the Netherlands.
- Every event counts in the period its own timestamp falls in, so a period can cut a case in half.
- Targets are the 4-year targets (2025–2028) pro rata by the months of the period.
"""

from __future__ import annotations

import re
import statistics
from collections import Counter, defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import UTC, datetime

PROGRAMME_START = datetime(2025, 1, 1, tzinfo=UTC)
PROGRAMME_END = datetime(2029, 1, 1, tzinfo=UTC)
PROGRAMME_MONTHS = 48

TARGETS = {
    "leads": 40,
    "case_approaches": 24,
    "realised_other_region": 12,
    "new_scaleups": 6,
    "retained_investment_eur": 1_500_000_000,
}
LABELS = {
    "leads": "Leads in portfolio (new in period)",
    "case_approaches": "Case-based approaches put into execution",
    "realised_other_region": "Leads realised in another region",
    "new_scaleups": "of which new scale-ups",
    "retained_investment_eur": "Investment retained for the Netherlands (EUR)",
}
STAGES = ["detection", "needs_articulation", "matchmaking", "consultation", "realisation", "closed"]
DEFINITIONS = [
    " ".join(item.split())
    for item in (__doc__ or "").split("Definitions (also printed in every report):")[1].split("\n- ")
    if item.strip()
]


class PeriodError(ValueError):
    pass


@dataclass(frozen=True)
class Period:
    label: str
    start: datetime
    end: datetime  # exclusive

    @classmethod
    def parse(cls, text: str) -> Period:
        """``2026``, ``2026H1``/``2026H2``, ``2026Q3`` or ``2025-2028``."""
        t = text.strip().upper()
        if m := re.fullmatch(r"(\d{4})", t):
            y = int(m[1])
            return cls(text, datetime(y, 1, 1, tzinfo=UTC), datetime(y + 1, 1, 1, tzinfo=UTC))
        if m := re.fullmatch(r"(\d{4})H([12])", t):
            y, h = int(m[1]), int(m[2])
            return cls(text, datetime(y, 1 + 6 * (h - 1), 1, tzinfo=UTC),
                       datetime(y + (h == 2), 7 if h == 1 else 1, 1, tzinfo=UTC))
        if m := re.fullmatch(r"(\d{4})Q([1-4])", t):
            y, q = int(m[1]), int(m[2])
            end = datetime(y + 1, 1, 1, tzinfo=UTC) if q == 4 else datetime(y, 3 * q + 1, 1, tzinfo=UTC)
            return cls(text, datetime(y, 3 * q - 2, 1, tzinfo=UTC), end)
        if m := re.fullmatch(r"(\d{4})-(\d{4})", t):
            a, b = int(m[1]), int(m[2])
            if b >= a:
                return cls(text, datetime(a, 1, 1, tzinfo=UTC), datetime(b + 1, 1, 1, tzinfo=UTC))
        raise PeriodError(f"period {text!r} is not one of YYYY, YYYYH1, YYYYH2, YYYYQ1-4, YYYY-YYYY")

    @property
    def programme_share(self) -> float:
        """Which part of the 4-year programme this period covers (for pro-rata targets)."""
        start, end = max(self.start, PROGRAMME_START), min(self.end, PROGRAMME_END)
        if end <= start:
            return 0.0
        months = (end.year - start.year) * 12 + end.month - start.month
        return months / PROGRAMME_MONTHS

    def __contains__(self, at: datetime) -> bool:
        return self.start <= at < self.end


def _at(ev: dict) -> datetime:
    return datetime.fromisoformat(ev["at"].replace("Z", "+00:00"))


@dataclass
class CaseFacts:
    """What the report needs from one case, gathered in one pass over its events."""

    case_id: str
    company: str = ""
    region: str = ""
    hotspot: str = ""
    domain: str = ""
    company_type: str = ""
    detected_at: datetime | None = None
    first_matches_at: datetime | None = None
    needs_kinds: list[str] = field(default_factory=list)
    needs_first_at: datetime | None = None
    phase_first: dict[int, datetime] = field(default_factory=dict)
    phase_at_needs: int | None = None
    stage_first: dict[str, datetime] = field(default_factory=dict)
    realised: dict | None = None
    realised_at: datetime | None = None
    closings: list[tuple[datetime, dict]] = field(default_factory=list)
    destination: str | None = None


_STAGE_OF = {
    "LeadDetected": "detection", "NeedsArticulated": "needs_articulation", "MatchesProposed": "matchmaking",
    "ConsultationRequested": "consultation", "RealisationStarted": "realisation",
    "Realised": "closed", "CaseClosed": "closed",
}


def facts(case_id: str, events: Iterable[dict]) -> CaseFacts:
    f = CaseFacts(case_id)
    phase = None
    for ev in events:
        t, at = ev["type"], _at(ev)
        if t in ("LeadDetected", "LeadUpdated"):
            lead = ev["lead"]
            f.company, f.region, f.hotspot = lead["company"], lead["home_region"], lead["hotspot"]
            f.domain, f.company_type = lead["technology_domain"], lead["company_type"]
            if t == "LeadDetected":
                f.detected_at, phase = at, lead["phase"]
                f.phase_first.setdefault(phase, at)
        elif t == "PhaseChanged":
            phase = ev["to_phase"]
            f.phase_first.setdefault(phase, at)
        elif t == "NeedsArticulated":
            f.needs_kinds = [k for k in ("space", "capital", "talent", "housing", "energy") if ev["needs"].get(k)]
            if f.needs_first_at is None:
                f.needs_first_at, f.phase_at_needs = at, phase
        elif t == "MatchesProposed" and f.first_matches_at is None:
            f.first_matches_at = at
        elif t == "LocationChosen":
            f.destination = ev["location"].get("hotspot") or ev["location"]["region"]
        elif t == "Realised":
            f.realised, f.realised_at = ev, at
            loc = ev["realisation"]["location"]
            f.destination = loc.get("hotspot") or loc["region"]
        elif t == "CaseClosed":
            f.closings.append((at, ev))
        stage = _STAGE_OF.get(t)
        if stage:
            f.stage_first.setdefault(stage, at)
    return f


def _stats(days: list[float]) -> dict:
    if not days:
        return {"count": 0, "median_days": None, "mean_days": None}
    return {"count": len(days), "median_days": round(statistics.median(days), 1),
            "mean_days": round(statistics.fmean(days), 1)}


def impact(cases: Iterable[tuple[str, Iterable[dict]]], period: Period) -> dict:
    """The whole report as plain data (JSON-ready)."""
    all_facts = [facts(cid, evs) for cid, evs in cases]
    share = period.programme_share
    in_p = period.__contains__

    new_leads = [c for c in all_facts if c.detected_at and in_p(c.detected_at)]
    portfolio = [c for c in all_facts if c.detected_at and c.detected_at < period.end]
    approaches = [c for c in all_facts if c.first_matches_at and in_p(c.first_matches_at)]
    realised = [c for c in all_facts if c.realised_at and in_p(c.realised_at)]
    other = [c for c in realised if c.realised["outcome"] == "realised_other_region"]  # type: ignore[index]
    scaleups = [c for c in other if c.realised["realisation"]["new_scaleup"]]  # type: ignore[index]
    investment = sum(c.realised["realisation"]["investment_eur"] for c in realised)  # type: ignore[index]

    values = {"leads": len(new_leads), "case_approaches": len(approaches),
              "realised_other_region": len(other), "new_scaleups": len(scaleups),
              "retained_investment_eur": investment}
    indicators = [
        {"key": k, "label": LABELS[k], "value": v, "target": round(TARGETS[k] * share, 2),
         "target_4y": TARGETS[k], "attainment": round(v / (TARGETS[k] * share), 3) if share else None}
        for k, v in values.items()
    ]
    chosen = {c.destination for c in all_facts if c.destination and c.stage_first.get("matchmaking")
              and c.stage_first["matchmaking"] < period.end}
    cross = [c for c in all_facts if c.realised_at and c.realised_at < period.end
             and c.realised["outcome"] == "realised_other_region"]  # type: ignore[index]
    signals = []
    for c in all_facts:
        for at, ev in c.closings:
            if in_p(at) and ev["outcome"] == "no_proposition_possible":
                signals.append({"case_id": c.case_id, "company": c.company, "region": c.region,
                                "bottleneck": ev.get("bottleneck"), "reason": ev.get("reason"),
                                "at": at.isoformat()})
    lessons = sum(1 for c in all_facts for at, ev in c.closings if in_p(at) and ev.get("reason"))
    qualitative = [
        {"key": "ecosystem", "label": "One coherent deeptech ecosystem across hotspots",
         "evidence": f"{len(chosen)} destinations considered in matchmaking; {len(cross)} leads realised "
                     f"across regions up to the period's end; {len(portfolio)} leads in the portfolio"},
        {"key": "lessons", "label": "Lessons learned from the experiment",
         "evidence": f"{lessons} cases closed with a recorded reason in the period; "
                     f"{len(signals)} 'no proposition possible' signals with their bottleneck"},
    ]

    def breakdown(attr: str) -> dict:
        rows: dict[str, dict[str, float]] = defaultdict(lambda: {"leads": 0, "realised": 0, "investment_eur": 0})
        for c in new_leads:
            rows[getattr(c, attr) or "-"]["leads"] += 1
        for c in realised:
            key = (c.destination if attr == "destination" else getattr(c, attr)) or "-"
            rows[key]["realised"] += 1
            rows[key]["investment_eur"] += c.realised["realisation"]["investment_eur"]  # type: ignore[index]
        return dict(sorted(rows.items()))

    kinds: Counter[str] = Counter(k for c in new_leads for k in c.needs_kinds)
    for c in all_facts:
        if c.needs_first_at and in_p(c.needs_first_at) and not (c.detected_at and in_p(c.detected_at)):
            kinds.update(c.needs_kinds)

    funnel = [{"stage": s, "cases": sum(1 for c in portfolio if s in c.stage_first and c.stage_first[s] < period.end)}
              for s in STAGES]

    pairs = list(zip(STAGES[:-1], STAGES[1:], strict=True))
    lead_times = {}
    for a, b in pairs:
        days = [(c.stage_first[b] - c.stage_first[a]).total_seconds() / 86400 for c in all_facts
                if a in c.stage_first and b in c.stage_first and in_p(c.stage_first[b])]
        lead_times[f"{a}->{b}"] = _stats(days)
    lead_times["detection->realised"] = _stats(
        [(c.realised_at - c.detected_at).total_seconds() / 86400 for c in realised if c.detected_at])  # type: ignore[operator]

    articulated = [c for c in all_facts if c.needs_first_at and in_p(c.needs_first_at)]
    early = [c for c in articulated if (c.phase_at_needs or 9) <= 2]
    before3 = [(c.phase_first[3] - c.needs_first_at).total_seconds() / 86400 for c in articulated
               if 3 in c.phase_first and c.phase_first[3] > c.needs_first_at]  # type: ignore[operator]
    early_articulation = {
        "articulated": len(articulated), "articulated_in_phase_1_or_2": len(early),
        "days_before_phase_3": _stats(before3),
        "aim": "articulate the scale-up question 2 to 3 years (730-1095 days) before phase 3",
    }
    by_region_bottleneck: dict[str, dict[str, int]] = defaultdict(dict)
    for s in signals:
        b = s["bottleneck"] or "unknown"
        by_region_bottleneck[s["region"]][b] = by_region_bottleneck[s["region"]].get(b, 0) + 1

    return {
        "period": {"label": period.label, "start": period.start.date().isoformat(),
                   "end_exclusive": period.end.date().isoformat(), "programme_share": round(share, 4)},
        "definitions": DEFINITIONS,
        "indicators": indicators,
        "qualitative": qualitative,
        "portfolio": len(portfolio),
        "breakdowns": {
            "home_region": breakdown("region"), "destination": breakdown("destination"),
            "technology_domain": breakdown("domain"), "company_type": breakdown("company_type"),
            "growth_space_kind": dict(sorted(kinds.items())),
        },
        "funnel": funnel,
        "lead_times": lead_times,
        "early_articulation": early_articulation,
        "no_proposition_signals": {"cases": signals, "by_region": {k: dict(v) for k, v in sorted(by_region_bottleneck.items())}},
    }
