"""Number formatting shared by the Markdown and HTML renderers, so both print the same figures."""

from __future__ import annotations

NAMES = {
    "home_region": "home region (ROM)", "home_hotspot": "home hotspot", "technology_domain": "technology domain",
    "company_type": "company type", "signalled_by": "signalled by", "destination_region": "destination region (ROM)",
    "destination_hotspot": "destination hotspot", "growth_space_kind": "kind of growth space",
}

WHERE = {
    "another_region": "in another region", "own_region_elsewhere": "elsewhere in the own region",
    "current_site": "at its current site", "own_region_site_not_recorded": "in the own region, site not recorded",
}
COUNTERFACTUAL = {
    "would_have_gone_abroad": "would have gone abroad", "would_not_have_been_invested": "would not have been invested",
    "would_have_happened_in_nl_anyway": "would have happened in the Netherlands anyway",
    "not_recorded": "counterfactual not recorded",
}
OUTCOMES = {
    "left_abroad": "left abroad", "no_proposition_possible": "no proposition possible", "withdrawn": "withdrawn",
    "realised_own_region": "stayed in its own region", "realised_other_region": "realised in another region",
}
ENTRY_TYPES = {
    "LessonRecorded": "lesson", "MirtSignalled": "MIRT signal", "FinancingGapSignalled": "financing gap",
    "KnowledgeShared": "knowledge shared",
}
REFERRALS = {
    "invest-nl": "Invest-NL", "ez-programme": "an EZ programme or instrument",
    "regional-programme": "a regional programme or instrument", "organisation": "another organisation",
}
LESSON_KINDS = {"what_worked": "what worked", "lesson": "lesson", "recommendation": "recommendation"}

COLUMNS = {
    "leads": "new leads", "case_approaches": "case approaches", "realised": "realised",
    "realised_other_region": "in another region", "new_scaleups": "new scale-ups", "investment_eur": "investment",
    "left_abroad": "left abroad", "no_proposition": "no proposition",
}


def n(v: object) -> str:
    """1,234 for counts, 12.5 or 0.75 for fractional values, – for nothing."""
    if v is None:
        return "–"
    if isinstance(v, bool):
        return "yes" if v else "no"
    if isinstance(v, float):
        return f"{v:,.2f}".rstrip("0").rstrip(".")
    if isinstance(v, int):
        return f"{v:,}"
    return str(v)


def count(k: int, noun: str, plural: str | None = None) -> str:
    """``1 lead``, ``3 leads`` (``1 entry``, ``2 entries`` with ``plural``)."""
    return f"{k:,} {noun if k == 1 else plural or noun + 's'}"


def eur(v: float | int | None) -> str:
    if v is None:
        return "–"
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
    """``needs_articulation->matchmaking`` as ``needs articulation → matchmaking``."""
    return key.replace("->", " → ").replace("_", " ")


def demo_line(d: dict) -> str:
    """What the report did with demo cases: ``demo cases excluded: 3`` (or ``included``)."""
    demo = d["demo"]
    return f"demo cases {'included' if demo['included'] else 'excluded'}: {demo['cases']:,}"


def offers_line(d: dict) -> str:
    """What the period's matchmaking rested on: ``3 proposal sets, 2 on illustrative hotspot offers``."""
    o = d["offers"]
    if not o["proposal_sets"]:
        return "no matchmaking in the period"
    parts = [f"{o['illustrative']} on illustrative hotspot offers (shipped figures, not a ROM's)"]
    if o["unversioned"]:
        parts.append(f"{o['unversioned']} recorded before offers carried a version")
    return f"{count(o['proposal_sets'], 'proposal set')} in the period: {', '.join(parts)}"


def corrections_line(d: dict) -> str:
    """How many of the period's realisations had their figures corrected."""
    c = d["corrections"]
    if not c["realisations_corrected"]:
        return "no realisation of the period was corrected"
    later = c["corrected_after_period_end"]
    after = f", {later} of them after the period's end" if later else ""
    return (f"{count(c['realisations_corrected'], 'realisation')} of the period corrected "
            f"({count(c['corrections'], 'correction')}{after}); the figures are the corrected ones")


def period_line(d: dict) -> str:
    """The period, whether it was cut, and programme to date: the report's first sentence."""
    p = d["period"]
    td = p["to_date"]
    cut = (f", cut at {p['end_exclusive']} (made before the period's end on {p['full_end_exclusive']}: the "
           f"period up to its cut-off)" if p["cut"] else "")
    return (f"Period {p['start']} up to {p['end_exclusive']} (exclusive){cut}: {p['programme_share'] * 100:.1f}% of "
            f"the 2025–2028 programme. Programme to date: {td['start']} up to {td['end_exclusive']} "
            f"({td['programme_share'] * 100:.1f}%).")


def previous_line(d: dict) -> str:
    """Which report this one follows (its snapshot's id, cut-off and sha256), or that none does."""
    since = d["since_last_report"]
    if since is None:
        return "No earlier report is stored in the ledger"
    p = since["previous"]
    return (f"Follows report {p['id']} ({p['kind']} {p['period']}, cut-off {p['cutoff']}, sha256 "
            f"{p['sha256'][:16]}…)")


def entry_meta(e: dict) -> str:
    """``2026-05-04 · lesson · bom · regions nom, bom``: what an entry is, when, from whom, about where."""
    parts = [e["at"], LESSON_KINDS.get(e.get("kind", ""), ENTRY_TYPES.get(e["type"], e["type"]))]
    if e.get("organisation"):
        parts.append(f"by {e['organisation']}")
    if e.get("from_region"):
        parts.append(f"from {e['from_region']}")
    if e.get("regions"):
        parts.append(("to " if e.get("from_region") else "") + ", ".join(e["regions"]))
    if e.get("hotspot"):
        parts.append(e["hotspot"])
    if e.get("concerns"):
        parts.append("asks: " + ", ".join(c.replace("_", " ") for c in e["concerns"]))
    if e.get("jobs") is not None:
        parts.append(f"{e['jobs']:,} jobs")
    if e.get("ticket_eur") is not None:
        parts.append(f"ticket {eur(e['ticket_eur'])}")
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
    return (f"{count(total, 'new scale-up')} in the period: {b['derived']} derived from the company type at "
            f"detection and at realisation, {b['override']} set against it with a reason, {b['unchecked']} "
            f"recorded before the types were (a bare flag)")
