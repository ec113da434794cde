"""The impact report as one self-contained HTML page: inline SVG charts, no scripts, prints well."""

from __future__ import annotations

import html

from reports.markdown import _n

CSS = """
body{font-family:system-ui,-apple-system,"Segoe UI",sans-serif;color:#1d2530;max-width:60rem;margin:2rem auto;padding:0 1rem}
h1{font-size:1.7rem;margin-bottom:.2rem}h2{font-size:1.2rem;margin-top:2rem;border-bottom:2px solid #0b6e4f;padding-bottom:.2rem}
.sub{color:#555}table{border-collapse:collapse;width:100%;margin:.5rem 0 1rem}
th,td{text-align:left;padding:.3rem .5rem;border-bottom:1px solid #ddd;font-variant-numeric:tabular-nums}
td.n{text-align:right}.grid{display:grid;grid-template-columns:1fr 1fr;gap:1.5rem}
figure{margin:0}figcaption{font-weight:600;margin-bottom:.3rem}.defs li{margin-bottom:.3rem}
@media print{body{max-width:none;margin:0}h2{break-after:avoid}figure,table{break-inside:avoid}
.grid{grid-template-columns:1fr 1fr}section.page{break-before:page}}
"""
GREEN, GREY, AMBER = "#0b6e4f", "#c9d3cf", "#d98c00"


def _esc(v: object) -> str:
    return html.escape(str(v))


def _pct(v: float | None) -> str:
    return "" if v is None else f"{v * 100:.0f}%"


def bars(
    rows: list[tuple[str, float, float | None]], *, width: int = 440, unit: str = "", label_w: int = 170
) -> str:
    """Horizontal bars; an optional target per row is drawn as a marker line."""
    if not rows:
        return "<p class='sub'>No data in this period.</p>"
    bar_h, gap = 18, 8
    top = max([v for _, v, _ in rows] + [t or 0 for _, _, t in rows] + [1])
    scale = (width - label_w - 60) / top
    h = len(rows) * (bar_h + gap) + gap
    parts = [f"<svg xmlns='http://www.w3.org/2000/svg' width='{width}' height='{h}' role='img'>"]
    for i, (label, value, target) in enumerate(rows):
        y = gap + i * (bar_h + gap)
        w = max(value * scale, 1)
        color = GREEN if target is None or value >= target else AMBER
        parts.append(f"<text x='{label_w - 6}' y='{y + 13}' font-size='12' text-anchor='end'>{_esc(label)}</text>")
        parts.append(f"<rect x='{label_w}' y='{y}' width='{w:.1f}' height='{bar_h}' fill='{color}' rx='2'/>")
        parts.append(f"<text x='{label_w + w + 4:.1f}' y='{y + 13}' font-size='12'>{_esc(_n(value))}{unit}</text>")
        if target:
            x = label_w + target * scale
            parts.append(f"<line x1='{x:.1f}' x2='{x:.1f}' y1='{y - 3}' y2='{y + bar_h + 3}' stroke='#1d2530' stroke-width='2'/>")
    parts.append("</svg>")
    return "".join(parts)


def render_html(d: dict) -> str:
    p = d["period"]
    ind = d["indicators"]
    attainment = [(i["label"].split(" (")[0], round(100 * (i["attainment"] or 0)), 100.0) for i in ind]
    funnel = [(f["stage"].replace("_", " "), f["cases"], None) for f in d["funnel"]]
    dest = [(k, v["realised"], None) for k, v in d["breakdowns"]["destination"].items() if v["realised"]]
    region = [(k, v["leads"], None) for k, v in d["breakdowns"]["home_region"].items()]
    rows = "".join(
        f"<tr><td>{_esc(i['label'])}</td><td class='n'>{_esc(_n(i['value']))}</td>"
        f"<td class='n'>{_esc(_n(i['target']))}</td><td class='n'>{_esc(_n(i['target_4y']))}</td>"
        f"<td class='n'>{_pct(i['attainment'])}</td></tr>"
        for i in ind
    )
    lead_rows = "".join(
        f"<tr><td>{_esc(k.replace('->', ' → ').replace('_', ' '))}</td><td class='n'>{v['count']}</td>"
        f"<td class='n'>{_esc(_n(v['median_days']))}</td><td class='n'>{_esc(_n(v['mean_days']))}</td></tr>"
        for k, v in d["lead_times"].items()
    )
    sig = d["no_proposition_signals"]["cases"]
    sig_rows = "".join(
        f"<tr><td>{_esc(s['company'])}</td><td>{_esc(s['region'])}</td><td>{_esc(s['bottleneck'])}</td>"
        f"<td>{_esc(s['reason'] or '')}</td></tr>" for s in sig
    ) or "<tr><td colspan='4' class='sub'>None in this period.</td></tr>"
    e = d["early_articulation"]
    qual = "".join(f"<li><b>{_esc(q['label'])}</b>: {_esc(q['evidence'])}</li>" for q in d["qualitative"])
    defs = "".join(
        f"<li>{_esc(x).replace('**', '').replace('``', '').replace('*', '')}</li>" for x in d["definitions"]
    )
    kinds = [(k, v, None) for k, v in d["breakdowns"]["growth_space_kind"].items()]
    return f"""<!doctype html><html lang="en"><head><meta charset="utf-8">
<title>Impact report {_esc(p['label'])} — deeptech scale-up taskforce</title><style>{CSS}</style></head><body>
<h1>Impact report {_esc(p['label'])}</h1>
<p class="sub">Deeptech scale-up taskforce · {_esc(p['start'])} to {_esc(p['end_exclusive'])} (exclusive) ·
{p['programme_share'] * 100:.1f}% of the 2025–2028 programme, targets pro rata · portfolio at period end:
{d['portfolio']} leads</p>
<h2>Indicators against targets</h2>
<figure><figcaption>Attainment of the pro-rata target (%, line = 100%)</figcaption>{bars(attainment, width=820, unit='%', label_w=330)}</figure>
<table><tr><th>indicator</th><th>value</th><th>target (pro rata)</th><th>4-year target</th><th>attainment</th></tr>{rows}</table>
<ul>{qual}</ul>
<h2>Funnel and places</h2>
<div class="grid">
<figure><figcaption>Leads that reached each stage</figcaption>{bars(funnel)}</figure>
<figure><figcaption>Realised cases by destination</figcaption>{bars(dest)}</figure>
<figure><figcaption>New leads by home region</figcaption>{bars(region)}</figure>
<figure><figcaption>Kinds of growth space asked for</figcaption>{bars(kinds)}</figure>
</div>
<section class="page">
<h2>Lead times (days)</h2>
<table><tr><th>step</th><th>cases</th><th>median</th><th>mean</th></tr>{lead_rows}</table>
<p>{e['articulated']} needs articulated in the period, {e['articulated_in_phase_1_or_2']} before venture phase 3;
median {_esc(_n(e['days_before_phase_3']['median_days']))} days before phase 3 ({e['days_before_phase_3']['count']} cases).
Aim: {_esc(e['aim'])}.</p>
<h2>"No proposition possible" signals — input for spatial-economic policy</h2>
<table><tr><th>company</th><th>home region</th><th>bottleneck</th><th>reason</th></tr>{sig_rows}</table>
<h2>Definitions</h2><ul class="defs">{defs}</ul>
</section></body></html>"""
