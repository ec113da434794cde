"""Number formatting and the report's sentences, shared by the Markdown and HTML renderers, so both
print the same figures in the reader's language (``reports.i18n.LANGUAGE``): 1,234 and EUR 1.5 bn in
English, 1.234 and € 1,5 mld in Dutch; every label and sentence through the catalogue."""

from __future__ import annotations

from typing import Any

from domain.messages import N_
from reports.i18n import _, day, dutch, number, term


class Labels(dict[str, str]):
    """Names of keys, said in the reader's language when looked up (the English names are the msgids)."""

    def __getitem__(self, key: str) -> str:
        return _(super().__getitem__(key))

    def get(self, key: str, default: Any = None) -> Any:
        return self[key] if key in self else default


NAMES = Labels({
    "home_region": N_("home region (ROM)"), "home_hotspot": N_("home hotspot"),
    "technology_domain": N_("technology domain"), "company_type": N_("company type"),
    "signalled_by": N_("signalled by"), "destination_region": N_("destination region (ROM)"),
    "destination_hotspot": N_("destination hotspot"), "growth_space_kind": N_("kind of growth space"),
})

WHERE = Labels({
    "another_region": N_("in another region"), "own_region_elsewhere": N_("elsewhere in the own region"),
    "current_site": N_("at its current site"),
    "own_region_site_not_recorded": N_("in the own region, site not recorded"),
})
COUNTERFACTUAL = Labels({
    "would_have_gone_abroad": N_("would have gone abroad"),
    "would_not_have_been_invested": N_("would not have been invested"),
    "would_have_happened_in_nl_anyway": N_("would have happened in the Netherlands anyway"),
    "not_recorded": N_("counterfactual not recorded"),
})
OUTCOMES = Labels({
    "left_abroad": N_("left abroad"), "no_proposition_possible": N_("no proposition possible"),
    "withdrawn": N_("withdrawn"), "realised_own_region": N_("stayed in its own region"),
    "realised_other_region": N_("realised in another region"),
})
ENTRY_TYPES = Labels({
    "LessonRecorded": N_("lesson"), "MirtSignalled": N_("MIRT signal"), "FinancingGapSignalled": N_("financing gap"),
    "KnowledgeShared": N_("knowledge shared"),
})
REFERRALS = Labels({
    "invest-nl": N_("Invest-NL"), "ez-programme": N_("an EZ programme or instrument"),
    "regional-programme": N_("a regional programme or instrument"), "organisation": N_("another organisation"),
})
LESSON_KINDS = Labels({"what_worked": N_("what worked"), "lesson": N_("lesson"),
                       "recommendation": N_("recommendation")})

COLUMNS = Labels({
    "leads": N_("new leads"), "case_approaches": N_("case approaches"), "realised": N_("realised"),
    "realised_other_region": N_("in another region"), "new_scaleups": N_("new scale-ups"),
    "investment_eur": N_("investment"), "left_abroad": N_("left abroad"), "no_proposition": N_("no proposition"),
})


KINDS = {"home_region": "region", "destination_region": "region", "home_hotspot": "hotspot",
         "destination_hotspot": "hotspot", "technology_domain": "technology_domain", "company_type": "company_type"}
"""A breakdown's keys that are vocabulary values, and their vocabulary."""


def named(breakdown: str, key: str) -> str:
    """A breakdown's key as its reader calls it: "Oost NL" for ``oost-nl``, "Twente" for ``twente``."""
    kind = KINDS.get(breakdown)
    return term(key, kind) if kind else key


def n(v: object) -> str:
    """1,234 for counts, 12.5 or 0.75 for fractional values, – for nothing (1.234 and 12,5 in Dutch)."""
    if v is None:
        return "–"
    if isinstance(v, bool):
        return _("yes") if v else _("no")
    if isinstance(v, float):
        text = f"{v:,.2f}".rstrip("0").rstrip(".")
        return text.translate(str.maketrans(",.", ".,")) if dutch() else text
    if isinstance(v, int):
        return number(v)
    return str(v)


COUNTED = (N_("lead"), N_("leads"), N_("proposal set"), N_("proposal sets"), N_("realisation"), N_("realisations"),
           N_("correction"), N_("corrections"), N_("new scale-up"), N_("new scale-ups"), N_("MIRT signal"),
           N_("MIRT signals"), N_("financing-gap signal"), N_("financing-gap signals"), N_("entry"), N_("entries"),
           N_("case"), N_("cases"), N_("hotspot"), N_("hotspots"), N_("region-to-region flow"),
           N_("region-to-region flows"), N_("destination"), N_("destinations"), N_("lesson"), N_("lessons"),
           N_("closure"), N_("closures"), N_("negative consultation answer"), N_("negative consultation answers"),
           N_("no-proposition signal"), N_("no-proposition signals"))
"""The nouns :func:`count` says, singular and plural, for the catalogue."""


def count(k: int, noun: str, plural: str | None = None) -> str:
    """``1 lead``, ``3 leads`` (``1 entry``, ``2 entries`` with ``plural``), in the reader's language
    (each form in :data:`COUNTED`)."""
    return f"{number(k)} {_(noun if k == 1 else plural or noun + 's')}"


def _day(text: str) -> str:
    """An ISO date as the reader writes it: as it is in English, "24 november 2026" in Dutch."""
    from datetime import date

    if not dutch():
        return text
    try:
        return day(date.fromisoformat(text))
    except (TypeError, ValueError):
        return text


def eur(v: float | int | None) -> str:
    """EUR 1.50 bn, EUR 25.0 M, EUR 25,000; in Dutch € 1,50 mld, € 25,0 mln, € 25.000."""
    if v is None:
        return "–"
    if dutch():
        if abs(v) >= 1e9:
            return f"€ {number(v / 1e9, 2)} mld"
        if abs(v) >= 1e6:
            return f"€ {number(v / 1e6, 1)} mln"
        return f"€ {number(v)}"
    if abs(v) >= 1e9:
        return f"EUR {v / 1e9:,.2f} bn"
    if abs(v) >= 1e6:
        return f"EUR {v / 1e6:,.1f} M"
    return f"EUR {v:,.0f}"


def value(key: str, v: float | int | None) -> str:
    """An indicator's value or target: money for the investment indicator, a count otherwise."""
    return eur(v) if key.endswith("_eur") else n(v)


def pct(v: float | None) -> str:
    return "–" if v is None else f"{v * 100:.0f}%"


def step(key: str) -> str:
    """``needs_articulation->matchmaking`` as ``needs articulation → matchmaking`` (the stages' names in
    Dutch: ``vraagarticulatie → makelen en schakelen``)."""
    if not dutch():
        return key.replace("->", " → ").replace("_", " ")
    return " → ".join(term(part, "stage") if part != "realised" else _("realised") for part in key.split("->"))


def demo_line(d: dict) -> str:
    """What the report did with demo cases: ``demo cases excluded: 3`` (or ``included``)."""
    demo = d["demo"]
    said = _("demo cases included: {n}") if demo["included"] else _("demo cases excluded: {n}")
    return said.format(n=number(demo["cases"]))


def offers_line(d: dict) -> str:
    """What the period's matchmaking rested on: ``3 proposal sets, 2 on illustrative hotspot offers``."""
    o = d["offers"]
    if not o["proposal_sets"]:
        return _("no matchmaking in the period")
    parts = [_("{n} on illustrative hotspot offers (shipped figures, not a ROM's)").format(n=number(o["illustrative"]))]
    if o["unversioned"]:
        parts.append(_("{n} recorded before offers carried a version").format(n=number(o["unversioned"])))
    return _("{sets} in the period: {parts}").format(sets=count(o["proposal_sets"], N_("proposal set")),
                                                     parts=", ".join(parts))


def corrections_line(d: dict) -> str:
    """How many of the period's realisations had their figures corrected."""
    c = d["corrections"]
    if not c["realisations_corrected"]:
        return _("no realisation of the period was corrected")
    later = c["corrected_after_period_end"]
    after = _(", {n} of them after the period's end").format(n=number(later)) if later else ""
    return _("{realisations} of the period corrected ({corrections}{after}); the figures are the corrected ones").format(
        realisations=count(c["realisations_corrected"], N_("realisation")),
        corrections=count(c["corrections"], N_("correction")), after=after)


def period_line(d: dict) -> str:
    """The period, whether it was cut, and programme to date: the report's first sentence."""
    p = d["period"]
    td = p["to_date"]
    cut = (_(", cut at {cut} (made before the period's end on {end}: the period up to its cut-off)").format(
        cut=_day(p["end_exclusive"]), end=_day(p["full_end_exclusive"])) if p["cut"] else "")
    return _("Period {start} up to {end} (exclusive){cut}: {share}% of the 2025–2028 programme. Programme to date: "
             "{td_start} up to {td_end} ({td_share}%).").format(
        start=_day(p["start"]), end=_day(p["end_exclusive"]), cut=cut, share=number(p["programme_share"] * 100, 1),
        td_start=_day(td["start"]), td_end=_day(td["end_exclusive"]), td_share=number(td["programme_share"] * 100, 1))


def previous_line(d: dict) -> str:
    """Which report this one follows (its snapshot's id, cut-off and sha256), or that none does."""
    since = d["since_last_report"]
    if since is None:
        return _("No earlier report is stored in the ledger")
    p = since["previous"]
    return _("Follows report {id} ({kind} {period}, cut-off {cutoff}, sha256 {sha}…)").format(
        id=p["id"], kind=p["kind"], period=p["period"], cutoff=p["cutoff"], sha=p["sha256"][:16])


def entry_meta(e: dict) -> str:
    """``2026-05-04 · lesson · bom · regions nom, bom``: what an entry is, when, from whom, about where."""
    parts = [_day(e["at"]), LESSON_KINDS.get(e.get("kind", ""), ENTRY_TYPES.get(e["type"], e["type"]))]
    if e.get("organisation"):
        parts.append(_("by {organisation}").format(organisation=e["organisation"]))
    if e.get("from_region"):
        parts.append(_("from {region}").format(region=e["from_region"]))
    if e.get("regions"):
        parts.append((_("to") + " " if e.get("from_region") else "") + ", ".join(e["regions"]))
    if e.get("hotspot"):
        parts.append(e["hotspot"])
    if e.get("concerns"):
        parts.append(_("asks: {concerns}").format(concerns=", ".join(c.replace("_", " ") for c in e["concerns"])))
    if e.get("jobs") is not None:
        parts.append(_("{n} jobs").format(n=number(e["jobs"])))
    if e.get("ticket_eur") is not None:
        parts.append(_("ticket {eur}").format(eur=eur(e["ticket_eur"])))
    return " · ".join(parts)


def change(v: object) -> str:
    """A corrected value as the report shows it (money in EUR when large)."""
    if isinstance(v, int) and not isinstance(v, bool) and v >= 1_000_000:
        return eur(v)
    return COUNTERFACTUAL.get(v, n(v)) if isinstance(v, str) else n(v)


def scaleups_line(d: dict) -> str:
    """How the period's new scale-ups were decided."""
    b = d["new_scaleups"]["period"]
    total = sum(b.values())
    return _("{scaleups} in the period: {derived} derived from the company type at detection and at realisation, "
             "{override} set against it with a reason, {unchecked} recorded before the types were (a bare flag)").format(
        scaleups=count(total, N_("new scale-up")), derived=number(b["derived"]), override=number(b["override"]),
        unchecked=number(b["unchecked"]))


def evidence(q: dict) -> str:
    """What the cases show for a qualitative target, in numbers: the domain's own sentence in English,
    the same sentence from its figures (``q["data"]``) in another language."""
    if not dutch():
        return str(q["evidence"])
    x = q["data"]
    if q["key"] == "ecosystem":
        return _("{entries} on knowledge shared across regions; {hotspots} proposed as viable in matchmaking; {leads} "
                 "chose a location outside the home region ({flows}); {realised} realised in another region, at "
                 "{destinations}").format(
            entries=count(x["knowledge_shared"], N_("entry"), N_("entries")),
            hotspots=count(len(x["hotspots_proposed"]), N_("hotspot")),
            leads=count(x["cross_region_cases"], N_("lead")), flows=count(len(x["flows"]), N_("region-to-region flow")),
            realised=number(x["realised_other_region"]), destinations=count(len(x["hotspots_receiving"]),
                                                                            N_("destination")))
    return _("{lessons} recorded by the taskforce; {closures} of {cases}, {with_bottleneck} with the bottleneck behind "
             "it; {negative}; {reopened} reopened; {signals}").format(
        lessons=count(x["lessons"], N_("lesson")), closures=count(x["closures"], N_("closure")),
        cases=count(x["closed_cases"], N_("case")), with_bottleneck=number(x["closures_with_bottleneck"]),
        negative=count(x["negative_consultations"], N_("negative consultation answer")),
        reopened=count(x["reopened"], N_("case")), signals=count(x["no_proposition_signals"], N_("no-proposition signal")))
