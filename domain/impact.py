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
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from itertools import chain, groupby
from operator import itemgetter
from types import MappingProxyType
from typing import Any, cast

from pydantic import BaseModel

from domain.impact_facts import CaseFacts, facts, stats
from domain.timing import LeadTimeVerdict
from domain.vocab import RETAINED_COUNTERFACTUALS, Counterfactual, ReferralTarget, RegionBasis, Where

PROGRAMME_START = datetime(2025, 1, 1, tzinfo=UTC)
PROGRAMME_END = datetime(2029, 1, 1, tzinfo=UTC)
PROGRAMME_MONTHS = 48


@dataclass(frozen=True)
class Indicator:
    """One impact target of the programme's monitoring table, with what the report counts for it."""

    key: str
    label: str
    target_4y: int
    pro_rata: bool
    """Only the leads: "pro rata tijdvak 2025-2028". The others are measured against the 4-year total."""
    definition: str
    programme: str
    """The programme's own words (sources/002, "Voortgangsrapportage en monitoring")."""


INDICATORS: tuple[Indicator, ...] = (
    Indicator(
        "leads", "Leads in portfolio (had)", 40, True,
        "every lead that has been in the portfolio during the programme, also those closed since. A lead counts "
        "in the period it entered the portfolio: when it was detected, or on 1 January 2025 for a lead detected "
        "before the programme and still open then (a lead closed before 2025 never entered). This is the one "
        "target the programme spreads over time: a period's target is 40 times its share of the 48 months of "
        "2025-2028 (a year 10, a half year 5), and programme to date 40 times the share elapsed.",
        "Aantal leads in portefeuille (gehad) pro rata tijdvak 2025-2028: 40"),
    Indicator(
        "case_approaches", "Case-based approaches put into execution", 24, False,
        "a case whose first MatchesProposed falls in the period: the case-based approach brokers and switches "
        "(\"makelen en schakelen\") on the lead's articulated need, which starts when the taskforce compares it "
        "with the hotspots' offers. A case that goes back from consultation to matchmaking, or is reopened, "
        "counts once, when it first reached matchmaking. Measured against the 4-year total, not pro rata: an "
        "approach follows its lead by months or years.",
        "Aantal case based aanpakken in uitvoering gebracht: 24"),
    Indicator(
        "realised_other_region", "Leads realised in another region", 12, False,
        "a realisation (Realised) in the period at a location in another region, as the report's definition of "
        "'another region' says (below). A realised case is final: it counts once, also when it was closed and "
        "reopened before. Measured against the 4-year total, not pro rata: realisations come years after the "
        "leads.",
        "Aantal leads andere regio gerealiseerd: 12"),
    Indicator(
        "new_scaleups", "of which new scale-ups", 6, False,
        "of the leads realised in another region, those recorded as a new scale-up at realisation (derived from "
        "the company type, or set with a reason; corrected values count). Against the 4-year total.",
        "Waarvan aantal nieuwe scale-ups: 6"),
    Indicator(
        "retained_investment_eur", "Investment retained for the Netherlands (EUR), all leads together",
        1_500_000_000, False,
        "the investment of every realisation in the period, in another region or in the lead's own region, whose "
        "recorded counterfactual is that it would have gone abroad or would not have been invested at all. A "
        "realisation that would have happened in the Netherlands anyway retains nothing, and one whose "
        "counterfactual was not recorded (realisations before it was asked) is not counted: both are shown "
        "apart. Against the 4-year total.",
        "Behoud geïnvesteerd vermogen voor NL alle leads samen: € 1,5 miljard. *Vermogen dat anders niet zou "
        "worden geïnvesteerd of niet in Nederland."),
)
TARGETS = {i.key: i.target_4y for i in INDICATORS}
LABELS = {i.key: i.label for i in INDICATORS}

COUNTERFACTUALS: Mapping[str, bool] = MappingProxyType({c.value: c in RETAINED_COUNTERFACTUALS for c in Counterfactual})
"""The counterfactual recorded at realisation (``Realised.counterfactual``), and whether its investment is
retained for the Netherlands: "Vermogen dat anders niet zou worden geïnvesteerd of niet in Nederland"
(sources/002; ``domain.vocab.RETAINED_COUNTERFACTUALS``)."""
NOT_RECORDED = "not_recorded"

AIM_B = ("\"Deze deeptech bedrijven bij gebrek aan ruimte de keuze geven om door te kunnen groeien door te "
         "investeren elders in de eigen regio of in een andere Nederlandse regio\" (sources/002, aim b)")
ANOTHER_REGION: Mapping[str, str] = MappingProxyType({
    RegionBasis.ROM_REGION.value: "a ROM region other than the lead's home region (the region of the ROM it is under NDA with). A move "
           "between two hotspots of one ROM region, e.g. Twente to Arnhem/Nijmegen (both Oost NL), is 'elsewhere in "
           "the own region', not 'another region'.",
    RegionBasis.HOTSPOT.value: "a technology hotspot other than the lead's own: a move from Twente to Arnhem/Nijmegen "
                               "(both Oost NL) counts. Where the lead or the realisation lies outside any hotspot, "
                               "the ROM region decides.",
})
"""The definitions of "another region" a report may use (``impact(another_region=...)``); "rom-region" by default."""

SITE_NOT_RECORDED = "own_region_site_not_recorded"
WHERE = (*(w.value for w in Where), SITE_NOT_RECORDED)
NEW_SCALEUP_BASES = ("derived", "override", "unchecked")
"""How a realisation's "new scale-up" was decided (``CaseFacts.new_scaleup_basis``): derived from the
company type at detection and at realisation, set against them with a reason, or a bare flag recorded
before the types were (realisations before issue 14)."""
"""Where a realisation lies relative to the lead (aim b; ``domain.impact_facts.where_realised``): in
another region (by the report's definition); elsewhere in its own region; at its current site (growing in
place); in its own region, whether at its site not recorded (realisations before issue 14)."""

FUNNEL = ("detection", "needs_articulation", "matchmaking", "consultation", "realisation", "realised")

DEFINITIONS: tuple[tuple[str, str], ...] = (
    ("Periods", "an event counts in the period its own timestamp falls in, so a period can cut a case in half. A "
     "report made before its period ends is cut at its cut-off (a scheduled report: its run time): it counts the "
     "period up to the cut-off, and a pro-rata target covers the part of the period that has passed (months, "
     "a part month by its days). The funnel counts the leads that reached each stage by the period's end; "
     "lead times use the first time each stage was reached and count in the period the later stage was reached."),
    ("Programme to date", "from 1 January 2025 up to the period's end (or its cut-off), at most to the end of "
     "2028: what the 4-year targets are measured against."),
    ("Retained investment and the counterfactual", "at realisation the taskforce records what would have "
     "happened without the programme: the company would have gone abroad, would not have invested, or would "
     "have invested in the Netherlands anyway. Only the first two retain investment for the Netherlands."),
    ("Early articulation", "the lead time from a lead's first NeedsArticulated to the date its space is needed "
     "(needed_by of its latest articulation), for the leads that first articulated in the period. The programme "
     "aims for 2 to 3 years, both included, in calendar years: articulation \"vanaf het einde van levensfase 2\", "
     "so that the question is asked \"2 tot 3 jaar eerder in de tijd\". Leads articulated less than 2 years "
     "ahead are counted (the report names none)."),
    ("Corrections", "a realised case's figures corrected afterwards (RealisationCorrected, with its reason) count "
     "with their corrected value, also when the correction was recorded after the period's end: it says the "
     "recorded figure was wrong from the start. A report that was sent is never rewritten: it is a snapshot (its "
     "cut-off, its content's sha256), and what was corrected after its cut-off is listed in the next report under "
     "'corrections since the last report'."),
    ("Qualitative sections", "the taskforce's entries for the Ministry (lessons learned, the MIRT signal, the "
     "financing gap from EUR 50 M, knowledge shared across regions: `brandpunt programme`), recorded in the "
     "programme chain and anonymised by their author, are the only free text in a report. A case file's notes, "
     "reasons and answers stay in the case; the report counts and classifies cases, it never quotes them."),
    ("Where a realisation lies", "in another region (by the report's definition), elsewhere in the lead's own region, "
     "or at its current site (recorded at realisation since issue 14; before that a realisation in the own region "
     "is 'site not recorded'): aim b, \"elders in de eigen regio of in een andere Nederlandse regio\"."),
    ("Referrals", "referrals of a case to an adjacent programme or organisation (Referred), counted by where to in "
     "the period they were made: \"Aansluiting realiseert bij aanpalende (EZ en regionale) beleidsprogramma's en "
     "-instrumenten en relevante organisaties, waaronder Invest-NL\" (Analysekader 2e). What a referral was about "
     "stays in the case."),
    ("Signalled by", "the triple-helix organisation that signalled a lead (LeadDetected.signalled_by), or a ROM's "
     "own pipeline; the lead is owned by the ROM of its home region either way: \"ROM's en sommige triple-helix "
     "organisaties beschikken over een dergelijk pijplijn\"."),
    ("Closed without realisation", "closures in the period by outcome and by the bottleneck recorded with them, "
     "so the reasons companies left abroad are reported beside the 'no proposition possible' signals: \"Dit zijn "
     "signalen die essentieel zijn om op te halen ten behoeve van toekomstig ruimtelijk economisch beleid\"."),
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
    full_end: datetime | None = None
    """The end of the period as named, when the report is cut before it (``end`` is then the cut-off)."""

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

    def cut(self, at: datetime | None) -> Period:
        """The period as a report cut at ``at`` sees it: up to ``at`` when that is before its end
        (a report made before its period ends), else the whole period. Cut before it starts, the
        period is empty (its share is 0)."""
        if at is None or at >= self.end:
            return self
        return Period(self.label, self.start, max(at, self.start), self.full_end or self.end)

    def to_date(self) -> Period:
        """The programme from its start up to this period's end (at most the programme's end)."""
        end = min(max(self.end, PROGRAMME_START), PROGRAMME_END)
        return Period("programme to date", PROGRAMME_START, end)

    @property
    def programme_share(self) -> float:
        """Which part of the 48-month programme this period covers (for the pro-rata target): whole
        months, and a part month by its days (a cut-off of 1 December 09:00 ends 11 months in)."""
        start, end = max(self.start, PROGRAMME_START), min(self.end, PROGRAMME_END)
        if end <= start:
            return 0.0
        return (_months(end) - _months(start)) / PROGRAMME_MONTHS

    def __contains__(self, at: object) -> bool:
        return isinstance(at, datetime) and self.start <= at < self.end


def _d(year: int, month: int) -> datetime:
    return datetime(year, month, 1, tzinfo=UTC)


def _months(at: datetime) -> float:
    """Months from 2000-01 to ``at``, the month ``at`` falls in counted by the part of it that has passed."""
    first = _d(at.year, at.month)
    following = _d(at.year + 1, 1) if at.month == 12 else _d(at.year, at.month + 1)
    return (at.year - 2000) * 12 + at.month - 1 + (at - first) / (following - first)


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


@dataclass(frozen=True)
class PreviousReport:
    """The last report made before this one (a stored snapshot): what 'since the last report' means."""

    id: int
    kind: str
    period: str
    cutoff: datetime
    sha256: str


def entered(c: CaseFacts) -> datetime | None:
    """When the lead entered the programme's portfolio: its detection, or the programme's start for a
    lead detected before it and still open then; None for a lead closed before the programme began."""
    if c.detected_at is None or c.detected_at >= PROGRAMME_START:
        return c.detected_at
    changes = sorted([(at, False) for at, _ in c.closings] + [(at, True) for at in c.reopenings]
                     + ([(c.realised_at, False)] if c.realised_at else []))
    open_then = True
    for at, opened in changes:
        if at >= PROGRAMME_START:
            break
        open_then = opened
    return PROGRAMME_START if open_then else None


def where(c: CaseFacts, another_region: str = RegionBasis.ROM_REGION.value) -> str | None:
    """Where the case was realised (one of :data:`WHERE`) under the definition ``another_region`` (a
    key of :data:`ANOTHER_REGION`); None when it was not realised."""
    if c.realised_at is None:
        return None
    found = c.where(RegionBasis(another_region))
    return SITE_NOT_RECORDED if found is None else found.value


def in_another_region(c: CaseFacts, another_region: str) -> bool:
    """Whether the case was realised in another region under the definition ``another_region``."""
    return where(c, another_region) == Where.ANOTHER_REGION.value


def _offer_bases(cases: list[CaseFacts], period: Period) -> Json:
    """How many proposal sets of the period rested on illustrative hotspot offers: the report says
    so, as the match reasons do ("the shipped file is marked illustrative and says so in match
    reasons and reports", issue 14)."""
    bases = [basis for c in cases for at, basis in c.offer_bases if at in period]
    return {"proposal_sets": len(bases), "illustrative": bases.count("illustrative"),
            "supplied": bases.count("supplied"), "unversioned": bases.count("unversioned")}


def impact(
    cases: Iterable[CaseEvents] | Iterable[AnEvent],
    period: Period,
    include_demo: bool = False,
    *,
    programme: Iterable[Json] = (),
    previous: PreviousReport | None = None,
    kind: str | None = None,
    another_region: str = "rom-region",
) -> Json:
    """The whole report for ``period`` as plain data (JSON-ready).

    ``cases``: the events of the cases up to the report's cut-off; ``period``: cut at the cut-off
    already (:meth:`Period.cut`) when the report is made before the period ends; ``programme``:
    the programme chain's events (JSON dicts) up to the cut-off, whose entries for the Ministry fill
    the qualitative sections; ``previous``: the last report made before this one, for "corrections
    since the last report"; ``kind`` ``final`` adds the conclusions; ``another_region``: a key of
    :data:`ANOTHER_REGION`. Demo cases are left out unless ``include_demo``.
    """
    if another_region not in ANOTHER_REGION:
        raise ValueError(f"another_region must be one of {', '.join(ANOTHER_REGION)}, not {another_region!r}")
    every = [facts(cid, evs, period.end) for cid, evs in group_cases(cases)]
    all_facts = every if include_demo else [c for c in every if not c.demo]
    demo_cases = sum(1 for c in every if c.demo and c.detected_at)
    to_date = period.to_date()
    in_period, so_far = _values(all_facts, period, another_region), _values(all_facts, to_date, another_region)
    share, share_td = period.programme_share, to_date.programme_share
    indicators = []
    for ind in INDICATORS:
        target = ind.target_4y * share if ind.pro_rata else ind.target_4y
        target_td = ind.target_4y * share_td if ind.pro_rata else ind.target_4y
        value, value_td = in_period["values"][ind.key], so_far["values"][ind.key]
        indicators.append({
            "key": ind.key, "label": ind.label, "pro_rata": ind.pro_rata,
            "value": value, "target": round(target, 2), "attainment": _ratio(value, target),
            "to_date": value_td, "target_to_date": round(target_td, 2), "attainment_to_date": _ratio(value_td, target_td),
            "target_4y": ind.target_4y, "definition": ind.definition, "programme": ind.programme,
        })
    entries = _entries(programme)
    signals = _no_proposition(all_facts, period)
    corrected = [c for c in all_facts if period.__contains__(c.realised_at) and c.corrections]
    data: Json = {
        "period": {"label": period.label, "start": _day(period.start), "end_exclusive": _day(period.end),
                   "cut": period.full_end is not None,
                   "full_end_exclusive": _day(period.full_end or period.end),
                   "programme_share": round(share, 4),
                   "to_date": {"start": _day(to_date.start), "end_exclusive": _day(to_date.end),
                               "programme_share": round(share_td, 4)}},
        "kind": kind,
        "demo": {"included": include_demo, "cases": demo_cases},
        "another_region": {"key": another_region, "definition": ANOTHER_REGION[another_region], "programme": AIM_B},
        "corrections": {
            "realisations_corrected": len(corrected),
            "corrections": sum(len(c.corrections) for c in corrected),
            "corrected_after_period_end": sum(1 for c in corrected if max(c.corrections) >= period.end),
        },
        "since_last_report": _since(all_facts, entries, previous),
        "offers": _offer_bases(all_facts, period),
        "indicators": indicators,
        "retained": {"period": in_period["retained"], "to_date": so_far["retained"]},
        "where_realised": {"period": in_period["where"], "to_date": so_far["where"]},
        "new_scaleups": {"period": in_period["new_scaleups"], "to_date": so_far["new_scaleups"]},
        "referrals": {"period": in_period["referrals"], "to_date": so_far["referrals"]},
        "qualitative": _qualitative(all_facts, period, signals, entries, another_region),
        "signals": {
            "mirt": [e for e in _visible(entries, period) if e["type"] == "MirtSignalled"],
            "financing_gap": [e for e in _visible(entries, period) if e["type"] == "FinancingGapSignalled"],
            "no_proposition": signals,
        },
        "closures": _closures(all_facts, period),
        "portfolio": sum(1 for c in all_facts if c.detected_at),
        "breakdowns": _breakdowns(all_facts, period, another_region),
        "funnel": [{"stage": s, "cases": sum(1 for c in all_facts if s in c.stage_first),
                    "in_period": sum(1 for c in all_facts if period.__contains__(c.stage_first.get(s)))} for s in FUNNEL],
        "lead_times": _lead_times(all_facts, period),
        "early_articulation": _early_articulation(all_facts, period),
        "definitions": [{"term": t, "definition": d} for t, d in DEFINITIONS],
    }
    if kind == "final":
        data["conclusions"] = _conclusions(indicators, entries, to_date, all_facts)
    return data


def _day(at: datetime) -> str:
    return at.date().isoformat()


def _ratio(value: float, target: float) -> float | None:
    return round(value / target, 3) if target else None


def _values(all_facts: list[CaseFacts], p: Period, another_region: str) -> Json:
    """The five indicators' values in ``p``, with the retained investment by counterfactual and the
    realisations by where they lie."""
    inp = p.__contains__
    realised = [c for c in all_facts if inp(c.realised_at)]
    other = [c for c in realised if in_another_region(c, another_region)]
    retained: dict[str, Json] = {k: {"cases": 0, "eur": 0} for k in (*COUNTERFACTUALS, NOT_RECORDED)}
    for c in realised:
        cf = c.counterfactual
        row = retained[cf if cf is not None and cf in COUNTERFACTUALS else NOT_RECORDED]
        row["cases"] += 1
        row["eur"] += c.investment
    counted = [k for k, retains in COUNTERFACTUALS.items() if retains]
    values = {
        "leads": sum(1 for c in all_facts if inp(entered(c))),
        "case_approaches": sum(1 for c in all_facts if inp(c.stage_first.get("matchmaking"))),
        "realised_other_region": len(other),
        "new_scaleups": sum(1 for c in other if c.new_scaleup),
        "retained_investment_eur": sum(retained[k]["eur"] for k in counted),
    }
    where_rows: dict[str, Json] = {k: {"cases": 0, "eur": 0} for k in WHERE}
    for c in realised:
        w = where(c, another_region)
        if w is not None:
            where_rows[w]["cases"] += 1
            where_rows[w]["eur"] += c.investment
    basis = Counter(c.new_scaleup_basis for c in other if c.new_scaleup)
    referred = [(c, ev) for c in all_facts for at, ev in c.referrals if inp(at)]
    return {"values": values, "retained": {"counted": {"cases": sum(retained[k]["cases"] for k in counted),
                                                       "eur": values["retained_investment_eur"]},
                                           "by_counterfactual": retained},
            "where": where_rows,
            "new_scaleups": {k: basis[k] for k in NEW_SCALEUP_BASES},
            "referrals": {"referrals": len(referred), "cases": len({c.case_id for c, _ in referred}),
                          "by_target": {t.value: sum(1 for _, ev in referred if ev["to"] == t.value)
                                        for t in ReferralTarget}}}


# --- the taskforce's entries (programme chain) -----------------------------------------------

_ENTRY_FIELDS = ("kind", "hotspot", "concerns", "jobs", "ticket_eur", "from_region")


def _entries(programme: Iterable[Json]) -> list[Json]:
    """The taskforce's entries (lessons and signals) as the report shows them, withdrawn ones marked."""
    events = list(programme)
    withdrawn = {e["entry"]: e for e in events if e["type"] == "EntryWithdrawn"}
    out = []
    for e in events:
        if e["type"] not in ("LessonRecorded", "MirtSignalled", "FinancingGapSignalled", "KnowledgeShared"):
            continue
        w = withdrawn.get(e["seq"])
        row = {"seq": e["seq"], "at": datetime.fromisoformat(e["at"]), "type": e["type"], "title": e["title"],
               "text": e["text"], "organisation": e.get("organisation")}
        row |= {k: e[k] for k in _ENTRY_FIELDS if e.get(k) is not None}
        row["regions"] = e["regions"]  # a list, empty for the programme as a whole (never left out)
        row["withdrawn"] = None if w is None else {"at": datetime.fromisoformat(w["at"]), "reason": w["reason"]}
        out.append(row)
    return out


def _shown(e: Json) -> Json:
    """An entry as the report's data holds it (dates as ISO days, no withdrawal)."""
    return {k: (_day(v) if k == "at" else v) for k, v in e.items() if k != "withdrawn"}


def _visible(entries: list[Json], p: Period) -> list[Json]:
    """The entries recorded in ``p`` that are not withdrawn."""
    return [_shown(e) for e in entries if e["at"] in p and e["withdrawn"] is None]


def _since(all_facts: list[CaseFacts], entries: list[Json], previous: PreviousReport | None) -> Json | None:
    """What changed after the last report's cut-off in figures or entries that report showed."""
    if previous is None:
        return None
    cut = previous.cutoff
    realisations = [
        {"recorded": _day(at), "realised": _day(c.realised_at), "home_region": c.region, "field": ch["field"],
         "old": ch["old"], "new": ch["new"]}
        for c in all_facts if c.realised_at is not None and c.realised_at <= cut
        for at, changes in c.correction_changes if at > cut for ch in changes
    ]
    leads = [
        {"recorded": _day(at), "detected": _day(c.detected_at), "field": ch["field"], "old": ch["old"], "new": ch["new"]}
        for c in all_facts if c.detected_at is not None and c.detected_at <= cut
        for at, changes in c.lead_changes if at > cut for ch in changes if ch["field"] in _REPORTED_LEAD_FIELDS
    ]
    withdrawn = [
        {"withdrawn": _day(e["withdrawn"]["at"]), "recorded": _day(e["at"]), "type": e["type"], "title": e["title"],
         "reason": e["withdrawn"]["reason"]}
        for e in entries if e["withdrawn"] is not None and e["at"] <= cut < e["withdrawn"]["at"]
    ]
    return {
        "previous": {"id": previous.id, "kind": previous.kind, "period": previous.period,
                     "cutoff": previous.cutoff.isoformat(), "sha256": previous.sha256},
        "realisations": sorted(realisations, key=itemgetter("recorded", "realised", "field")),
        "leads": sorted(leads, key=itemgetter("recorded", "detected", "field")),
        "entries_withdrawn": withdrawn,
    }


_REPORTED_LEAD_FIELDS = frozenset({"home_region", "hotspot", "technology_domain", "company_type"})
"""The lead's fields the report breaks its figures down by: a change to one of them after a report
changes what that report said."""


# --- qualitative sections, signals, closures --------------------------------------------------


def _no_proposition(all_facts: list[CaseFacts], period: Period) -> Json:
    inp = period.__contains__
    cases: list[Json] = [
        {"at": at.date().isoformat(), "region": c.region, "technology_domain": c.domain,
         "company_type": c.company_type, "bottleneck": ev.get("bottleneck") or "not recorded"}
        for c in all_facts for at, ev in c.closings
        if inp(at) and ev["outcome"] == "no_proposition_possible"
    ]
    cases.sort(key=itemgetter("region", "bottleneck", "at"))
    by_region: dict[str, dict[str, int]] = defaultdict(dict)
    for s in cases:
        by_region[s["region"]][s["bottleneck"]] = by_region[s["region"]].get(s["bottleneck"], 0) + 1
    return {"cases": cases, "by_region": {k: dict(sorted(v.items())) for k, v in sorted(by_region.items())},
            "by_bottleneck": _count(s["bottleneck"] for s in cases)}


def _closures(all_facts: list[CaseFacts], period: Period) -> Json:
    """Closures without realisation in the period, by outcome and the bottleneck recorded with them."""
    rows: dict[str, Counter[str]] = defaultdict(Counter)
    for c in all_facts:
        for at, ev in c.closings:
            if at in period:
                rows[ev["outcome"]][ev.get("bottleneck") or "not recorded"] += 1
    return {o: {"cases": sum(b.values()), "by_bottleneck": dict(sorted(b.items()))} for o, b in sorted(rows.items())}


def _qualitative(
    all_facts: list[CaseFacts], period: Period, signals: Json, entries: list[Json], another_region: str
) -> list[Json]:
    """The two qualitative targets: the taskforce's entries for the Ministry, and the evidence the
    ledger's cases hold for them (counts only)."""
    inp = period.__contains__
    proposed = sorted({h for c in all_facts for at, hs in c.proposals if inp(at) for h in hs})
    cross = [(c, loc) for c in all_facts for at, loc in c.choices if inp(at) and loc["region"] != c.region]
    cross_cases = {c.case_id for c, _ in cross}
    flows = Counter((c.region, loc["region"]) for c, loc in {c.case_id: (c, loc) for c, loc in cross}.values())
    realised_other = [c for c in all_facts if inp(c.realised_at) and in_another_region(c, another_region)]
    receiving = sorted({c.destination for c in realised_other if c.destination is not None})
    closed = [(c.case_id, ev) for c in all_facts for at, ev in c.closings if inp(at)]
    with_bottleneck = sum(1 for _, ev in closed if ev.get("bottleneck"))
    negative = sum(1 for c in all_facts for at in c.negative_answers if inp(at))
    reopened = sum(1 for c in all_facts if any(inp(at) for at in c.reopenings))
    visible = _visible(entries, period)
    shared = [e for e in visible if e["type"] == "KnowledgeShared"]
    lessons = [e for e in visible if e["type"] == "LessonRecorded"]
    eco = {
        "hotspots_proposed": proposed, "cross_region_cases": len(cross_cases),
        "flows": [{"from": a, "to": b, "cases": n} for (a, b), n in sorted(flows.items())],
        "realised_other_region": len(realised_other), "hotspots_receiving": receiving,
        "knowledge_shared": len(shared),
    }
    closed_cases = len({cid for cid, _ in closed})
    les = {
        "closures": len(closed), "closed_cases": closed_cases, "closures_with_bottleneck": with_bottleneck,
        "by_outcome": _count(ev["outcome"] for _, ev in closed), "negative_consultations": negative,
        "reopened": reopened, "no_proposition_signals": len(signals["cases"]), "lessons": len(lessons),
    }
    return [
        {"key": "ecosystem", "label": "One coherent deeptech ecosystem across hotspots", "target": "qualitative",
         "programme": "Mate van één samenhangend deeptech ecosysteem brandpunten: kwalitatieve beschrijving",
         "data": eco, "entries": shared,
         "evidence": f"{_n(len(shared), 'entry', 'entries')} on knowledge shared across regions; "
                     f"{_n(len(proposed), 'hotspot')} proposed as viable in matchmaking; "
                     f"{_n(len(cross_cases), 'lead')} chose a location outside the home region "
                     f"({_n(len(flows), 'region-to-region flow')}); {len(realised_other)} realised in another "
                     f"region, at {_n(len(receiving), 'destination')}"},
        {"key": "lessons", "label": "Lessons learned from the experiment", "target": "qualitative",
         "programme": "Leereffecten van het experiment: kwalitatieve beschrijving", "data": les, "entries": lessons,
         "evidence": f"{_n(len(lessons), 'lesson')} recorded by the taskforce; {_n(len(closed), 'closure')} of "
                     f"{_n(closed_cases, 'case')}, {with_bottleneck} with the bottleneck behind it; "
                     f"{_n(negative, 'negative consultation answer')}; {_n(reopened, 'case')} reopened; "
                     f"{_n(len(signals['cases']), 'no-proposition signal')}"},
    ]


def _n(count: int, noun: str, plural: str | None = None) -> str:
    return f"{count} {noun if count == 1 else plural or noun + 's'}"


CONCLUSION_KINDS = (("what_worked", "What worked"), ("lesson", "Lessons"), ("recommendation", "Recommendations"))


def _conclusions(indicators: list[Json], entries: list[Json], to_date: Period, all_facts: list[CaseFacts]) -> Json:
    """The final report's conclusions: "een bondige eindrapportage met conclusies over het experiment"
    (sources/002). From the taskforce's lessons and signals over the whole programme (not withdrawn),
    and each target against what was reached."""
    visible = _visible(entries, to_date)
    lessons = [e for e in visible if e["type"] == "LessonRecorded"]
    return {
        "programme": "In de maand december van het 4e jaar levert de coördinator een bondige eindrapportage met "
                     "conclusies over het experiment op.",
        "targets": [{"key": i["key"], "label": i["label"], "reached": i["to_date"], "target_4y": i["target_4y"],
                     "met": i["to_date"] >= i["target_4y"]} for i in indicators],
        "sections": [{"kind": k, "label": label, "entries": [e for e in lessons if e.get("kind") == k]}
                     for k, label in CONCLUSION_KINDS],
        "signals": {
            "mirt": sum(1 for e in visible if e["type"] == "MirtSignalled"),
            "financing_gap": sum(1 for e in visible if e["type"] == "FinancingGapSignalled"),
            "knowledge_shared": sum(1 for e in visible if e["type"] == "KnowledgeShared"),
            "no_proposition_by_bottleneck": _no_proposition(all_facts, to_date)["by_bottleneck"],
        },
    }


# --- breakdowns, lead times, early articulation -----------------------------------------------

METRICS = ("leads", "case_approaches", "realised", "realised_other_region", "new_scaleups", "investment_eur",
           "left_abroad", "no_proposition")
OUTSIDE = "outside a hotspot"
OWN_PIPELINE = "a ROM's own pipeline"
"""A lead no triple-helix organisation signalled (``LeadDetected.signalled_by`` unset)."""


def _breakdowns(all_facts: list[CaseFacts], period: Period, another_region: str) -> Json:
    inp = period.__contains__
    counted = []  # (case, its metrics in the period), worked out once for all breakdowns
    for c in all_facts:
        realised, other = inp(c.realised_at), in_another_region(c, another_region)
        outcomes = [ev["outcome"] for at, ev in c.closings if inp(at)]
        m = (inp(entered(c)), inp(c.stage_first.get("matchmaking")), realised, realised and other,
             realised and other and c.new_scaleup, c.investment if realised else 0,
             outcomes.count("left_abroad"), outcomes.count("no_proposition_possible"))
        if any(m):
            counted.append((c, m))

    def rows(key: Callable[[CaseFacts], str | None]) -> dict[str, dict[str, int]]:
        out: dict[str, list[int]] = {}
        for c, m in counted:
            k = key(c)
            if k is not None:
                out[k] = [a + b for a, b in zip(out.get(k, [0] * len(METRICS)), m, strict=True)]
        return {k: dict(zip(METRICS, v, strict=True)) for k, v in sorted(out.items())}

    def realised_by(key: Callable[[CaseFacts], str | None]) -> dict[str, dict[str, int]]:
        return {k: {m: v[m] for m in ("realised", "realised_other_region", "new_scaleups", "investment_eur")}
                for k, v in rows(lambda c: key(c) if inp(c.realised_at) else None).items()}

    kinds: dict[str, dict[str, int]] = defaultdict(lambda: {"articulated": 0, "realised": 0})
    for c in all_facts:
        asked = [ks for at, ks in c.needs if inp(at)]
        for k in asked[-1] if asked else ():
            kinds[k]["articulated"] += 1
        if inp(c.realised_at) and c.needs:
            for k in c.needs[-1][1]:
                kinds[k]["realised"] += 1
    return {
        "home_region": rows(lambda c: c.region), "home_hotspot": rows(lambda c: c.hotspot or OUTSIDE),
        "technology_domain": rows(lambda c: c.domain), "company_type": rows(lambda c: c.company_type),
        "signalled_by": rows(lambda c: c.signalled_by or OWN_PIPELINE),
        "destination_region": realised_by(lambda c: c.realised_region),
        "destination_hotspot": realised_by(lambda c: c.realised_hotspot or OUTSIDE),
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
    times = [t for t in (c.lead_time for c in articulated) if t is not None]
    verdicts = Counter(t.verdict for t in times)
    return {
        "articulated": len(articulated),
        "articulated_in_phase_1_or_2": sum(1 for c in articulated if c.phase_at_needs is not None and c.phase_at_needs <= 2),
        "lead_time": stats([float(t.days) for t in times]),
        "less_than_2_years": verdicts[LeadTimeVerdict.UNDER_TWO_YEARS],
        "within_aim": verdicts[LeadTimeVerdict.TWO_TO_THREE_YEARS],
        "more_than_3_years": verdicts[LeadTimeVerdict.OVER_THREE_YEARS],
        "aim": "the space question asked 2 to 3 years (both included) before the space is needed",
    }
