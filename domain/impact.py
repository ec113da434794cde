"""Impact monitoring: the programme's indicators, projected from the ledger's events.

Pure (no I/O, no clock): :func:`impact` takes the events of any number of cases and a
:class:`Period` and returns the report as plain JSON-ready data. Events may be domain events
(``domain.events``) or their canonical JSON dicts as the ledger stores them — the report reads the
dicts directly because validating 100,000 events into models would cost more than the whole report.
They may come grouped as ``(case_id, events)`` pairs or as one flat stream ordered by (case, seq).

The definitions below are printed in every report, so a reader of the annual report knows
exactly what was counted. They follow the programme's monitoring table (sources/002,
"Voortgangsrapportage en monitoring").
"""

from __future__ import annotations

import re
from collections import Counter, defaultdict
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from itertools import chain, groupby
from operator import itemgetter
from typing import Any, cast

from pydantic import BaseModel

from domain.impact_facts import CaseFacts, facts, stats

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
FUNNEL = ("detection", "needs_articulation", "matchmaking", "consultation", "realisation", "realised")

DEFINITIONS: tuple[tuple[str, str], ...] = (
    ("Lead", "a case with a LeadDetected event. The indicator counts the leads detected in the period: "
     "the programme's target is 'leads in portfolio (had), pro rata over 2025-2028', i.e. every lead that "
     "has been in the portfolio, also those closed since, spread over the years; counting new leads per "
     "period makes the periods add up to the 4-year figure. The portfolio (every lead detected up to the "
     "period's end) is shown beside it."),
    ("Case-based approach put into execution", "a case whose first MatchesProposed falls in the period: the "
     "programme adds the case-based approach 'for brokering and switching (makelen en schakelen) on the "
     "lead's scale-up or space question', which starts when the taskforce compares the articulated needs "
     "with the hotspots' offers. A case that goes back from consultation to matchmaking, or is reopened, "
     "counts once, when it first reached matchmaking."),
    ("Realised in another region", "a Realised event in the period with outcome realised_other_region "
     "(the location lies outside the lead's home region). A lead realised in its own region is not counted "
     "here. A realised case is final, so it counts once even if it was closed and reopened before."),
    ("New scale-up", "of the leads realised in another region, those recorded as a new scale-up."),
    ("Investment retained for the Netherlands", "the sum of investment_eur of every realisation in the "
     "period, in another region or in the lead's own region: both keep the investment in the Netherlands. "
     "The programme counts only capital that would otherwise not have been invested, or not in the "
     "Netherlands; the report takes the investment_eur recorded at realisation as that figure."),
    ("Targets", "the 4-year targets (2025-2028) pro rata by the months of the period that fall in the "
     "programme: a half year is 1/8, a year 1/4."),
    ("Periods", "every event counts in the period its own timestamp falls in, so a period can cut a case in "
     "half; events after the period's end are ignored, so a period's report does not change later. The "
     "funnel counts the portfolio's leads that reached each stage by the period's end; lead times use the "
     "first time each stage was reached and count in the period the later stage was reached."),
    ("Early articulation", "days from the first NeedsArticulated to the lead first reaching venture phase "
     "3 or later, counted in the period phase 3 is reached; the programme aims for 2 to 3 years "
     "(730-1095 days)."),
    ("Corrections", "a realised case's investment_eur or new scale-up status corrected afterwards "
     "(RealisationCorrected, with its reason) counts with its corrected value, also when the correction was "
     "recorded after the period's end: it says the recorded figure was wrong from the start. The report says "
     "how many of the period's realisations were corrected, and how many of them after the period's end."),
    ("Demo cases", "cases started as demo or test cases (LeadDetected with demo set) are left out of every "
     "figure unless the report is asked to include them; the header says how many were left out. The "
     "ministry 'wil de resultaten kunnen volgen en meten hoe succesvol het experiment is' (sources/002): "
     "a demonstration is no result."),
    ("Confidentiality", "companies are under NDA with their ROM: the report names no company and no case."),
)


class PeriodError(ValueError):
    pass


@dataclass(frozen=True)
class Period:
    label: str
    start: datetime
    end: datetime  # exclusive

    FORMATS = "YYYY, YYYYH1, YYYYH2, YYYYQ1-YYYYQ4 or YYYY-YYYY (e.g. 2026, 2026H1, 2025-2028)"

    @classmethod
    def parse(cls, text: str) -> Period:
        """``2026``, ``2026H1``/``2026H2``, ``2026Q3`` or ``2025-2028``; anything else is refused."""
        t = text.strip().upper()
        if m := re.fullmatch(r"(\d{4})", t):
            y = int(m[1])
            return cls(t, _d(y, 1), _d(y + 1, 1))
        if m := re.fullmatch(r"(\d{4})H([12])", t):
            y, h = int(m[1]), int(m[2])
            return cls(t, _d(y, 1 + 6 * (h - 1)), _d(y, 7) if h == 1 else _d(y + 1, 1))
        if m := re.fullmatch(r"(\d{4})Q([1-4])", t):
            y, q = int(m[1]), int(m[2])
            return cls(t, _d(y, 3 * q - 2), _d(y + 1, 1) if q == 4 else _d(y, 3 * q + 1))
        if (m := re.fullmatch(r"(\d{4})-(\d{4})", t)) and int(m[2]) >= int(m[1]):
            return cls(t, _d(int(m[1]), 1), _d(int(m[2]) + 1, 1))
        raise PeriodError(f"period {text!r} is not valid: use {cls.FORMATS}")

    @property
    def programme_share(self) -> float:
        """Which part of the 4-year programme this period covers (for pro-rata targets)."""
        start, end = max(self.start, PROGRAMME_START), min(self.end, PROGRAMME_END)
        if end <= start:
            return 0.0
        return ((end.year - start.year) * 12 + end.month - start.month) / PROGRAMME_MONTHS

    def __contains__(self, at: object) -> bool:
        return isinstance(at, datetime) and self.start <= at < self.end


def _d(year: int, month: int) -> datetime:
    return datetime(year, month, 1, tzinfo=UTC)


Json = dict[str, Any]
"""An event's canonical JSON form, or a part of the report."""
AnEvent = Json | BaseModel
"""An event as the ledger stores it (its JSON form) or as a domain event."""
CaseEvents = tuple[str, Iterable[AnEvent]]


def _as_dict(ev: AnEvent) -> Json:
    return ev if isinstance(ev, dict) else ev.model_dump(mode="json")


def group_cases(items: Iterable[CaseEvents] | Iterable[AnEvent]) -> Iterator[tuple[str, Iterator[Json]]]:
    """``(case_id, events)`` pairs from either pairs or a flat stream ordered by (case_id, seq)."""
    it: Iterator[CaseEvents | AnEvent] = iter(items)
    first = next(it, None)
    if first is None:
        return
    if isinstance(first, tuple):
        # the items are all pairs or all events, so the rest are pairs like the first
        for case_id, events in cast(Iterator[CaseEvents], chain([first], it)):
            yield case_id, map(_as_dict, events)
    else:
        yield from groupby(map(_as_dict, cast(Iterator[AnEvent], chain([first], it))), key=itemgetter("case_id"))


def _count(values: Iterable[str]) -> dict[str, int]:
    return dict(sorted(Counter(values).items()))


def impact(cases: Iterable[CaseEvents] | Iterable[AnEvent], period: Period, include_demo: bool = False) -> Json:
    """The whole report for ``period`` as plain data (JSON-ready); demo cases are left out unless
    ``include_demo``."""
    every = [facts(cid, evs, period.end) for cid, evs in group_cases(cases)]
    all_facts = every if include_demo else [c for c in every if not c.demo]
    demo_cases = sum(1 for c in every if c.demo and c.detected_at)
    inp = period.__contains__
    share = period.programme_share

    new_leads = [c for c in all_facts if inp(c.detected_at)]
    approaches = [c for c in all_facts if inp(c.stage_first.get("matchmaking"))]
    realised = [c for c in all_facts if inp(c.realised_at)]
    other = [c for c in realised if c.outcome == "realised_other_region"]
    scaleups = [c for c in other if c.new_scaleup]
    values = {"leads": len(new_leads), "case_approaches": len(approaches),
              "realised_other_region": len(other), "new_scaleups": len(scaleups),
              "retained_investment_eur": sum(c.investment for c in realised)}
    indicators = [
        {"key": k, "label": LABELS[k], "value": v, "target": round(TARGETS[k] * share, 2),
         "target_4y": TARGETS[k], "attainment": round(v / (TARGETS[k] * share), 3) if share else None}
        for k, v in values.items()
    ]
    signals: list[Json] = [
        {"at": at.date().isoformat(), "region": c.region, "technology_domain": c.domain,
         "company_type": c.company_type, "bottleneck": ev.get("bottleneck") or "unknown",
         "reason": ev.get("reason")}
        for c in all_facts for at, ev in c.closings
        if inp(at) and ev["outcome"] == "no_proposition_possible"
    ]
    signals.sort(key=itemgetter("region", "bottleneck", "at"))
    by_region: dict[str, dict[str, int]] = defaultdict(dict)
    for s in signals:
        by_region[s["region"]][s["bottleneck"]] = by_region[s["region"]].get(s["bottleneck"], 0) + 1

    corrected = [c for c in realised if c.corrections]
    return {
        "period": {"label": period.label, "start": period.start.date().isoformat(),
                   "end_exclusive": period.end.date().isoformat(), "programme_share": round(share, 4)},
        "demo": {"included": include_demo, "cases": demo_cases},
        "corrections": {
            "realisations_corrected": len(corrected),
            "corrections": sum(len(c.corrections) for c in corrected),
            "corrected_after_period_end": sum(1 for c in corrected if max(c.corrections) >= period.end),
        },
        "definitions": [{"term": t, "definition": d} for t, d in DEFINITIONS],
        "indicators": indicators,
        "qualitative": _qualitative(all_facts, period, signals),
        "portfolio": sum(1 for c in all_facts if c.detected_at),
        "breakdowns": _breakdowns(all_facts, period),
        "funnel": [{"stage": s, "cases": sum(1 for c in all_facts if s in c.stage_first),
                    "in_period": sum(1 for c in all_facts if inp(c.stage_first.get(s)))} for s in FUNNEL],
        "lead_times": _lead_times(all_facts, period),
        "early_articulation": _early_articulation(all_facts, period),
        "no_proposition_signals": {
            "cases": signals, "by_region": {k: dict(sorted(v.items())) for k, v in sorted(by_region.items())},
            "by_bottleneck": _count(s["bottleneck"] for s in signals),
        },
    }


def _qualitative(all_facts: list[CaseFacts], period: Period, signals: list[Json]) -> list[Json]:
    """The two qualitative targets with the evidence the ledger holds for them."""
    inp = period.__contains__
    proposed = sorted({h for c in all_facts for at, hs in c.proposals if inp(at) for h in hs})
    cross = [(c, loc) for c in all_facts for at, loc in c.choices if inp(at) and loc["region"] != c.region]
    cross_cases = {c.case_id for c, _ in cross}
    flows = Counter((c.region, loc["region"]) for c, loc in {c.case_id: (c, loc) for c, loc in cross}.values())
    realised_other = [c for c in all_facts if inp(c.realised_at) and c.outcome == "realised_other_region"]
    receiving = sorted({c.destination for c in realised_other if c.destination is not None})
    closed = [(c.case_id, ev) for c in all_facts for at, ev in c.closings if inp(at)]
    lessons = sum(1 for _, ev in closed if ev.get("reason") or ev.get("bottleneck"))
    negative = sum(1 for c in all_facts for at in c.negative_answers if inp(at))
    reopened = sum(1 for c in all_facts if any(inp(at) for at in c.reopenings))
    eco = {
        "hotspots_proposed": proposed, "cross_region_cases": len(cross_cases),
        "flows": [{"from": a, "to": b, "cases": n} for (a, b), n in sorted(flows.items())],
        "realised_other_region": len(realised_other), "hotspots_receiving": receiving,
    }
    closed_cases = len({cid for cid, _ in closed})
    les = {
        "closures": len(closed), "closed_cases": closed_cases,
        "closures_with_reason_or_bottleneck": lessons, "by_outcome": _count(ev["outcome"] for _, ev in closed),
        "negative_consultations": negative, "reopened": reopened, "no_proposition_signals": len(signals),
    }
    return [
        {"key": "ecosystem", "label": "One coherent deeptech ecosystem across hotspots", "target": "qualitative",
         "data": eco,
         "evidence": f"{_n(len(proposed), 'hotspot')} proposed as viable in matchmaking; "
                     f"{_n(len(cross_cases), 'lead')} chose a location outside the home region "
                     f"({_n(len(flows), 'region-to-region flow')}); {len(realised_other)} realised in another "
                     f"region, at {_n(len(receiving), 'destination')}"},
        {"key": "lessons", "label": "Lessons learned from the experiment", "target": "qualitative", "data": les,
         "evidence": f"{_n(len(closed), 'closure')} of {_n(closed_cases, 'case')}, {lessons} with a recorded "
                     f"reason or bottleneck; {_n(negative, 'negative consultation answer')} (a location that did "
                     f"not work, and why); {_n(reopened, 'case')} reopened; "
                     f"{_n(len(signals), 'no-proposition signal')} with its bottleneck"},
    ]


def _n(count: int, noun: str) -> str:
    return f"{count} {noun}{'' if count == 1 else 's'}"


METRICS = ("leads", "case_approaches", "realised", "realised_other_region", "new_scaleups", "investment_eur",
           "no_proposition")


def _breakdowns(all_facts: list[CaseFacts], period: Period) -> Json:
    inp = period.__contains__
    counted = []  # (case, its metrics in the period), worked out once for all breakdowns
    for c in all_facts:
        realised, other = inp(c.realised_at), c.outcome == "realised_other_region"
        m = (inp(c.detected_at), inp(c.stage_first.get("matchmaking")), realised, realised and other,
             realised and other and c.new_scaleup, c.investment if realised else 0,
             sum(1 for at, ev in c.closings if inp(at) and ev["outcome"] == "no_proposition_possible"))
        if any(m):
            counted.append((c, m))

    def rows(key: Callable[[CaseFacts], str | None]) -> dict[str, dict[str, int]]:
        out: dict[str, list[int]] = {}
        for c, m in counted:
            k = key(c)
            if k is not None:
                out[k] = [a + b for a, b in zip(out.get(k, [0] * len(METRICS)), m, strict=True)]
        return {k: dict(zip(METRICS, v, strict=True)) for k, v in sorted(out.items())}

    kinds: dict[str, dict[str, int]] = defaultdict(lambda: {"articulated": 0, "realised": 0})
    for c in all_facts:
        asked = [ks for at, ks in c.needs if inp(at)]
        for k in asked[-1] if asked else ():
            kinds[k]["articulated"] += 1
        if inp(c.realised_at) and c.needs:
            for k in c.needs[-1][1]:
                kinds[k]["realised"] += 1
    return {
        "home_region": rows(lambda c: c.region), "technology_domain": rows(lambda c: c.domain),
        "company_type": rows(lambda c: c.company_type),
        "destination": {k: {m: v[m] for m in ("realised", "realised_other_region", "new_scaleups", "investment_eur")}
                        for k, v in rows(lambda c: c.destination if inp(c.realised_at) else None).items()},
        "growth_space_kind": dict(sorted(kinds.items())),
    }


def _lead_times(all_facts: list[CaseFacts], period: Period) -> Json:
    out = {}
    for a, b in zip(FUNNEL[:-1], FUNNEL[1:], strict=True):
        out[f"{a}->{b}"] = stats([c.days(a, b) for c in all_facts if a in c.stage_first and c.stage_first.get(b) in period])
    out["detection->realised"] = stats([c.days("detection", "realised") for c in all_facts if c.realised_at in period])
    return out


def _early_articulation(all_facts: list[CaseFacts], period: Period) -> Json:
    inp = period.__contains__
    articulated = [c for c in all_facts if inp(c.needs_first_at)]
    days = [(c.phase3_at - c.needs_first_at).total_seconds() / 86400 for c in all_facts
            if c.phase3_at is not None and inp(c.phase3_at) and c.needs_first_at and c.needs_first_at < c.phase3_at]
    return {
        "articulated": len(articulated),
        "articulated_in_phase_1_or_2": sum(1 for c in articulated if c.phase_at_needs is not None and c.phase_at_needs <= 2),
        "days_before_phase_3": stats(days),
        "reached_phase_3_at_least_2_years_after": sum(1 for d in days if d >= 730),
        "awaiting_phase_3": sum(1 for c in all_facts if c.needs_first_at and c.phase3_at is None and not c.closed),
        "aim": "articulate the scale-up question 2 to 3 years (730-1095 days) before venture phase 3",
    }
