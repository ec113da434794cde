"""The impact report as one self-contained HTML page: the template ``report.html`` (its body
``report_body.html`` is also the web app's impact dashboard), inline SVG charts
(:mod:`reports.svg`), no scripts or external assets (it must open offline and survive being
mailed), and print CSS so the annual report prints on A4 with each part starting on its own page."""

from __future__ import annotations

from functools import cache
from typing import Any

from markupsafe import Markup

from reports import svg
from reports.fmt import COLUMNS, evidence, n, pct, step, value
from reports.i18n import LANGUAGE, _
from reports.templating import HERE, reports_environment

tr = _  # a value to say in the reader's language (data, not a message of this file)


@cache
def css() -> str:
    """The report's stylesheet (inlined in the mailed file; served as /static/report.css by the web app)."""
    return (HERE / "report.css").read_text(encoding="utf-8")


def _indicator_row(i: dict) -> list[str]:
    return [tr(i["label"]), value(i["key"], i["value"]),
            _("{target} (pro rata)").format(target=value(i["key"], i["target"])) if i["pro_rata"]
            else _("– (4-year total)"),
            value(i["key"], i["to_date"]), value(i["key"], i["target_to_date"]), pct(i["attainment_to_date"])]


def charts(d: dict) -> dict[str, Markup]:
    """The report's charts (their geometry computed, their markup from ``_charts.html``)."""
    b = d["breakdowns"]
    return {
        "indicators": svg.bars(
            [(tr(i["label"]).split(" (")[0], 100 * (i["attainment_to_date"] or 0), pct(i["attainment_to_date"]))
             for i in d["indicators"]],
            _("Indicators to date as a percentage of their target to date"), width=860, label_w=300, target=100,
            target_label=_("target")),
        "funnel": svg.funnel([(step(f["stage"]), f["cases"]) for f in d["funnel"]],
                             _("Funnel: leads that reached each stage")),
        "destination": svg.stacked([(k, [v["realised_other_region"], v["realised"] - v["realised_other_region"]])
                                    for k, v in b["destination_hotspot"].items()], [_("another region"), _("own region")],
                                   _("Realised leads by destination hotspot")),
        "region": svg.bars([(k, v["leads"], n(v["leads"])) for k, v in b["home_region"].items() if v["leads"]],
                           _("New leads by home region")),
        "kinds": svg.bars([(k, v["articulated"], n(v["articulated"])) for k, v in b["growth_space_kind"].items()],
                          _("Kinds of growth space articulated")),
    }


def context(d: dict) -> dict[str, Any]:
    """What ``report_body.html`` renders ``d`` with."""
    return {"d": d, "charts": charts(d), "title": _("Final report") if d.get("kind") == "final" else _("Impact report"),
            "language": LANGUAGE.get()}


def install_filters(env: Any) -> None:
    """The report's own filters, on any environment that renders ``report_body.html``."""
    env.filters.update(indicator_row=_indicator_row, column_name=lambda c: COLUMNS.get(c, c),
                       bottleneck_count=lambda bc: f"{bc[0]} ({bc[1]})")
    env.globals["evidence"] = evidence


def render_html(d: dict) -> str:
    env = reports_environment()
    install_filters(env)
    return env.get_template("report.html").render(css=Markup(css()), **context(d))

