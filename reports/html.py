"""The impact report as one self-contained HTML page: inline SVG charts (:mod:`reports.svg`), no
scripts or external assets (it must open offline and survive being mailed), and print CSS so the
annual report prints on A4 with each part starting on its own page."""

from __future__ import annotations

from html import escape

from reports import svg
from reports.fmt import COLUMNS, NAMES, corrections_line, count, demo_line, eur, n, pct, step, value

CSS = """
body{font-family:system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;color:#1d2530;max-width:62rem;margin:2rem auto;padding:0 1rem;line-height:1.4}
h1{font-size:1.7rem;margin:0 0 .2rem}h2{font-size:1.25rem;margin-top:2rem;border-bottom:2px solid #0b6e4f;padding-bottom:.2rem}
h3{font-size:1rem;margin:1.2rem 0 .3rem}.sub{color:#555}.note{font-size:.9rem;color:#555}
table{border-collapse:collapse;width:100%;margin:.4rem 0 1rem;font-size:.92rem}
th,td{text-align:left;padding:.25rem .5rem;border-bottom:1px solid #ddd;font-variant-numeric:tabular-nums;vertical-align:top}
th{background:#f1f5f3}td.n,th.n{text-align:right}td.n,td:first-child{white-space:nowrap}
.grid{display:grid;grid-template-columns:1fr 1fr;gap:1.2rem 2rem}figure{margin:0}figcaption{font-weight:600;margin-bottom:.3rem}
.defs dt{font-weight:600}.defs dd{margin:0 0 .5rem 1rem}
@page{size:A4;margin:14mm}
@media print{body{max-width:none;margin:0;padding:0;font-size:10pt}h2{break-after:avoid}h3{break-after:avoid}
figure,tr,.defs dd{break-inside:avoid}thead{display:table-header-group}section.page{break-before:page}.grid{gap:.8rem 1.2rem}}
"""


def _table(head: list[str], rows: list[list[str]], numeric: tuple[int, ...] | None = None) -> str:
    """``rows`` hold formatted, unescaped strings; ``numeric`` columns (default: all but the first)
    align right and do not wrap."""
    if not rows:
        return "<p class='sub'>Nothing in this period.</p>"
    numeric = tuple(range(1, len(head))) if numeric is None else numeric
    cls = lambda i: " class='n'" if i in numeric else ""  # noqa: E731
    th = "".join(f"<th{cls(i)}>{escape(h)}</th>" for i, h in enumerate(head))
    body = "".join("<tr>" + "".join(f"<td{cls(i)}>{escape(c)}</td>" for i, c in enumerate(r)) + "</tr>" for r in rows)
    return f"<table><thead><tr>{th}</tr></thead><tbody>{body}</tbody></table>"


def _indicators(d: dict) -> str:
    ind = d["indicators"]
    chart = svg.bars([(i["label"].split(" (")[0], 100 * (i["attainment"] or 0), pct(i["attainment"])) for i in ind],
                     "Indicators as a percentage of their pro-rata target", width=860, label_w=300,
                     target=100, target_label="target")
    table = _table(["indicator", "value", "target (pro rata)", "4-year target", "attainment"],
                   [[i["label"], value(i["key"], i["value"]), value(i["key"], i["target"]),
                     value(i["key"], i["target_4y"]), pct(i["attainment"])] for i in ind])
    qual = "".join(f"<li><b>{escape(q['label'])}</b> (qualitative): {escape(q['evidence'])}.</li>" for q in d["qualitative"])
    flows = d["qualitative"][0]["data"]["flows"]
    flow_table = _table(["home region", "destination region", "leads"],
                        [[f["from"], f["to"], n(f["cases"])] for f in flows], numeric=(2,)) if flows else ""
    return (f"<h2>Indicators against targets</h2><figure><figcaption>Value as a share of the pro-rata target "
            f"(dashed line: 100%)</figcaption>{chart}</figure>{table}<ul>{qual}</ul>"
            + (f"<h3>Cross-region choices of location</h3>{flow_table}" if flows else ""))


def _places(d: dict) -> str:
    b = d["breakdowns"]
    funnel = svg.funnel([(step(f["stage"]), f["cases"]) for f in d["funnel"]], "Funnel: leads that reached each stage")
    dest = svg.stacked([(k, [v["realised_other_region"], v["realised"] - v["realised_other_region"]])
                        for k, v in b["destination"].items()], ["another region", "own region"],
                       "Realised leads by destination")
    region = svg.bars([(k, v["leads"], n(v["leads"])) for k, v in b["home_region"].items() if v["leads"]],
                      "New leads by home region")
    kinds = svg.bars([(k, v["articulated"], n(v["articulated"])) for k, v in b["growth_space_kind"].items()],
                     "Kinds of growth space articulated")
    tables = ""
    for name in ("home_region", "technology_domain", "company_type", "destination"):
        rows = b[name]
        cols = list(next(iter(rows.values()))) if rows else []
        tables += f"<h3>By {escape(NAMES[name])}</h3>" + _table(
            [name.replace("_", " ")] + [COLUMNS.get(c, c) for c in cols],
            [[k] + [eur(v[c]) if c.endswith("_eur") else n(v[c]) for c in cols] for k, v in rows.items()])
    return f"""<section class="page"><h2>Funnel and places</h2><div class="grid">
<figure><figcaption>Leads that reached each stage (by the period's end)</figcaption>{funnel}</figure>
<figure><figcaption>Realised leads by destination hotspot</figcaption>{dest}</figure>
<figure><figcaption>New leads by home region</figcaption>{region}</figure>
<figure><figcaption>Kinds of growth space articulated</figcaption>{kinds}</figure>
</div>{tables}</section>"""


def _times_and_signals(d: dict) -> str:
    lead_times = _table(["step", "cases", "median", "mean"],
                        [[step(k), n(v["count"]), n(v["median_days"]), n(v["mean_days"])] for k, v in d["lead_times"].items()])
    e, b3 = d["early_articulation"], d["early_articulation"]["days_before_phase_3"]
    sig = d["no_proposition_signals"]
    by_region = _table(["home region", "signals", "bottlenecks"],
                       [[r, n(sum(bs.values())), ", ".join(f"{b} ({c})" for b, c in bs.items())]
                        for r, bs in sig["by_region"].items()], numeric=(1,))
    cases = _table(["date", "home region", "technology domain", "company type", "bottleneck", "reason"],
                   [[s["at"], s["region"], s["technology_domain"], s["company_type"], s["bottleneck"], s["reason"] or ""]
                    for s in sig["cases"]], numeric=())
    defs = "".join(f"<dt>{escape(x['term'])}</dt><dd>{escape(x['definition'])}</dd>" for x in d["definitions"])
    return f"""<section class="page"><h2>Lead times (days)</h2>{lead_times}
<h3>Early articulation of the scale-up question</h3>
<p>{count(e['articulated'], 'lead')} articulated their needs in the period, {e['articulated_in_phase_1_or_2']} of them
while still in venture phase 1 or 2. {count(b3['count'], 'lead')} reached phase 3 in the period after articulating:
median {escape(n(b3['median_days']))} days, mean {escape(n(b3['mean_days']))} days earlier;
{e['reached_phase_3_at_least_2_years_after']} of them 2 years or more. {count(e['awaiting_phase_3'], 'open lead')}
articulated and not yet in phase 3. Aim: {escape(e['aim'])}.</p>
<h2>"No proposition possible" signals: input for spatial-economic policy</h2>
<p class="note">Leads for which no proposition was possible anywhere in the Netherlands, with the bottleneck
behind it, per home region.</p>{by_region}{cases}
<h2>Definitions</h2><dl class="defs">{defs}</dl></section>"""


def render_html(d: dict) -> str:
    p = d["period"]
    return f"""<!doctype html><html lang="en"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width,initial-scale=1">
<title>Impact report {escape(p['label'])}: deeptech scale-up taskforce</title><style>{CSS}</style></head><body>
<h1>Impact report {escape(p['label'])}</h1>
<p class="sub">Deeptech scale-up taskforce (Meerjarenprogramma Bovenregionale Samenwerking Technologiebrandpunten)
· {escape(p['start'])} up to {escape(p['end_exclusive'])} · {p['programme_share'] * 100:.1f}% of the 2025–2028
programme, targets pro rata · portfolio at the period's end: {d['portfolio']} leads · {escape(demo_line(d))}
· {escape(corrections_line(d))}</p>
<p class="note">Confidential case data stays with the ROMs: this report names no company and no case.</p>
{_indicators(d)}{_places(d)}{_times_and_signals(d)}</body></html>
"""
