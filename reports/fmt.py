"""Number formatting shared by the Markdown and HTML renderers, so both print the same figures."""

from __future__ import annotations

NAMES = {
    "home_region": "home region", "technology_domain": "technology domain", "company_type": "company type",
    "destination": "destination (hotspot, or region outside a hotspot)", "growth_space_kind": "kind of growth space",
}

COLUMNS = {
    "leads": "new leads", "case_approaches": "case approaches", "realised": "realised",
    "realised_other_region": "in another region", "new_scaleups": "new scale-ups", "investment_eur": "investment",
    "no_proposition": "no proposition",
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


def count(k: int, noun: str) -> str:
    """``1 lead``, ``3 leads``."""
    return f"{k:,} {noun}{'' if k == 1 else 's'}"


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


def corrections_line(d: dict) -> str:
    """How many of the period's realisations had their figures corrected."""
    c = d["corrections"]
    if not c["realisations_corrected"]:
        return "no realisation of the period was corrected"
    later = c["corrected_after_period_end"]
    after = f", {later} of them after the period's end" if later else ""
    return (f"{count(c['realisations_corrected'], 'realisation')} of the period corrected "
            f"({count(c['corrections'], 'correction')}{after}); the figures are the corrected ones")
