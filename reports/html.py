"""The impact report as one self-contained HTML page: inline SVG charts (:mod:`reports.svg`), no
scripts or external assets (it must open offline and survive being mailed), and print CSS so the
annual report prints on A4 with each part starting on its own page."""

from __future__ import annotations

from html import escape

from reports import svg
from reports.fmt import (
    COLUMNS,
    COUNTERFACTUAL,
    NAMES,
    OUTCOMES,
    REFERRALS,
    WHERE,
    change,
    corrections_line,
    count,
    demo_line,
    entry_meta,
    eur,
    n,
    offers_line,
    pct,
    period_line,
    previous_line,
    scaleups_line,
    step,
    value,
)

CSS = """
body{font-family:system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;color:#1d2530;max-width:62rem;margin:2rem auto;padding:0 1rem;line-height:1.4}
h1{font-size:1.7rem;margin:0 0 .2rem}h2{font-size:1.25rem;margin-top:2rem;border-bottom:2px solid #0b6e4f;padding-bottom:.2rem}
h3{font-size:1rem;margin:1.2rem 0 .3rem}.sub{color:#555}.note{font-size:.9rem;color:#555}
table{border-collapse:collapse;width:100%;margin:.4rem 0 1rem;font-size:.92rem}
th,td{text-align:left;padding:.25rem .5rem;border-bottom:1px solid #ddd;font-variant-numeric:tabular-nums;vertical-align:top}
th{background:#f1f5f3}td.n,th.n{text-align:right}td.n,td:first-child{white-space:nowrap}
.grid{display:grid;grid-template-columns:1fr 1fr;gap:1.2rem 2rem}figure{margin:0}figcaption{font-weight:600;margin-bottom:.3rem}
.defs dt{font-weight:600}.defs dd{margin:0 0 .5rem 1rem}.prog{font-style:italic;color:#444}
ul.entries li{margin-bottom:.5rem}ul.entries .meta{color:#555;font-size:.88rem}
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


def _entries(entries: list[dict], none: str) -> str:
    if not entries:
        return f"<p class='sub'>{escape(none)}</p>"
    items = "".join(f"<li><b>{escape(e['title'])}</b> <span class='meta'>({escape(entry_meta(e))})</span><br>"
                    f"{escape(e['text'])}</li>" for e in entries)
    return f"<ul class='entries'>{items}</ul>"


def _indicators(d: dict) -> str:
    ind = d["indicators"]
    chart = svg.bars([(i["label"].split(" (")[0], 100 * (i["attainment_to_date"] or 0), pct(i["attainment_to_date"]))
                      for i in ind],
                     "Indicators to date as a percentage of their target to date", width=860, label_w=300,
                     target=100, target_label="target")
    table = _table(["indicator", "in period", "period target", "programme to date", "target to date",
                    "attainment to date"],
                   [[i["label"], value(i["key"], i["value"]),
                     f"{value(i['key'], i['target'])} (pro rata)" if i["pro_rata"] else "– (4-year total)",
                     value(i["key"], i["to_date"]), value(i["key"], i["target_to_date"]), pct(i["attainment_to_date"])]
                    for i in ind])
    r, w, a = d["retained"], d["where_realised"], d["another_region"]
    retained = _table(["counterfactual", "realisations in period", "investment", "to date", "investment to date"],
                      [[COUNTERFACTUAL[k], n(v["cases"]), eur(v["eur"]), n(r["to_date"]["by_counterfactual"][k]["cases"]),
                        eur(r["to_date"]["by_counterfactual"][k]["eur"])]
                       for k, v in r["period"]["by_counterfactual"].items()])
    where = _table(["realised", "in period", "investment", "to date", "investment to date"],
                   [[WHERE[k], n(v["cases"]), eur(v["eur"]), n(w["to_date"][k]["cases"]), eur(w["to_date"][k]["eur"])]
                    for k, v in w["period"].items()])
    return (f"<h2>Indicators against targets</h2><p class='note'>Only the leads are pro rata (\"pro rata tijdvak "
            f"2025-2028\"); the other four are measured against their 4-year total, in the period and programme to "
            f"date.</p><figure><figcaption>Programme to date as a share of the target to date (dashed line: 100%)"
            f"</figcaption>{chart}</figure>{table}<p class='note'>{escape(scaleups_line(d))}.</p>"
            f"<h3>Investment by counterfactual</h3><p class='note'>Only 'would have gone abroad' and 'would not have "
            f"been invested' are retained for the Netherlands.</p>{retained}"
            f"<h3>Where the realisations lie</h3><p class='note'>'Another region' in this report: "
            f"{escape(a['definition'])} <span class='prog'>{escape(a['programme'])}</span></p>{where}")


def _qualitative(d: dict) -> str:
    out = ["<h2>Qualitative targets</h2><p class='note'>The taskforce's entries for the Ministry (anonymised by "
           "their author), then what the cases show in numbers.</p>"]
    for q in d["qualitative"]:
        flows = q["data"].get("flows") or []
        flow_table = _table(["home region", "destination region", "leads"],
                            [[f["from"], f["to"], n(f["cases"])] for f in flows], numeric=(2,)) if flows else ""
        out.append(f"<h3>{escape(q['label'])}</h3><p class='prog'>{escape(q['programme'])}</p>"
                   + _entries(q["entries"], "No entry of the taskforce in this period.")
                   + f"<p>Evidence from the cases: {escape(q['evidence'])}.</p>" + flow_table)
    return "".join(out)


def _conclusions(d: dict) -> str:
    c = d.get("conclusions")
    if c is None:
        return ""
    targets = _table(["target", "reached", "4-year target", "met"],
                     [[t["label"], value(t["key"], t["reached"]), value(t["key"], t["target_4y"]), n(t["met"])]
                      for t in c["targets"]])
    sections = "".join(f"<h3>{escape(s['label'])}</h3>" + _entries(
        s["entries"], "None recorded (record them with `brandpunt programme lesson`).") for s in c["sections"])
    s = c["signals"]
    np = ", ".join(f"{b} {k}" for b, k in s["no_proposition_by_bottleneck"].items()) or "none"
    return (f"<section class='page'><h2>Conclusions</h2><p class='prog'>{escape(c['programme'])}</p>{targets}{sections}"
            f"<h3>Signals over the programme</h3><p>{count(s['mirt'], 'MIRT signal')}, "
            f"{count(s['financing_gap'], 'financing-gap signal')}, {count(s['knowledge_shared'], 'entry', 'entries')} "
            f"on knowledge shared across regions; 'no proposition possible' by bottleneck: {escape(np)}.</p></section>")


def _places(d: dict) -> str:
    b = d["breakdowns"]
    funnel = svg.funnel([(step(f["stage"]), f["cases"]) for f in d["funnel"]], "Funnel: leads that reached each stage")
    dest = svg.stacked([(k, [v["realised_other_region"], v["realised"] - v["realised_other_region"]])
                        for k, v in b["destination_hotspot"].items()], ["another region", "own region"],
                       "Realised leads by destination hotspot")
    region = svg.bars([(k, v["leads"], n(v["leads"])) for k, v in b["home_region"].items() if v["leads"]],
                      "New leads by home region")
    kinds = svg.bars([(k, v["articulated"], n(v["articulated"])) for k, v in b["growth_space_kind"].items()],
                     "Kinds of growth space articulated")
    tables = ""
    for name in ("home_region", "home_hotspot", "signalled_by", "technology_domain", "company_type",
                 "destination_region", "destination_hotspot"):
        rows = b[name]
        cols = list(next(iter(rows.values()))) if rows else []
        tables += f"<h3>By {escape(NAMES[name])}</h3>" + _table(
            [NAMES[name]] + [COLUMNS.get(c, c) for c in cols],
            [[k] + [eur(v[c]) if c.endswith("_eur") else n(v[c]) for c in cols] for k, v in rows.items()])
    return f"""<section class="page"><h2>Funnel and places</h2><div class="grid">
<figure><figcaption>Leads that reached each stage (by the period's end)</figcaption>{funnel}</figure>
<figure><figcaption>Realised leads by destination hotspot</figcaption>{dest}</figure>
<figure><figcaption>New leads by home region</figcaption>{region}</figure>
<figure><figcaption>Kinds of growth space articulated</figcaption>{kinds}</figure>
</div>{tables}</section>"""


def _signals(d: dict) -> str:
    s = d["signals"]
    sig = s["no_proposition"]
    by_region = _table(["home region", "signals", "bottlenecks"],
                       [[r, n(sum(bs.values())), ", ".join(f"{b} ({c})" for b, c in bs.items())]
                        for r, bs in sig["by_region"].items()], numeric=(1,))
    cases = _table(["date", "home region", "technology domain", "company type", "bottleneck"],
                   [[x["at"], x["region"], x["technology_domain"], x["company_type"], x["bottleneck"]]
                    for x in sig["cases"]], numeric=())
    ref = d["referrals"]
    referrals = _table(["referred to", "in period", "to date"],
                       [[REFERRALS[t], n(v), n(ref["to_date"]["by_target"][t])]
                        for t, v in ref["period"]["by_target"].items()])
    closures = _table(["outcome", "cases", "bottlenecks"],
                      [[OUTCOMES.get(o, o), n(v["cases"]), ", ".join(f"{b} ({c})" for b, c in v["by_bottleneck"].items())]
                       for o, v in d["closures"].items()], numeric=(1,))
    return (f"<section class='page'><h2>Programme signals</h2>"
            f"<h3>MIRT signals (housing and accessibility)</h3>{_entries(s['mirt'], 'None in this period.')}"
            f"<h3>Financing gap (tickets from EUR 50 M)</h3>{_entries(s['financing_gap'], 'None in this period.')}"
            f"<h3>\"No proposition possible\": input for spatial-economic policy</h3><p class='note'>Leads for which no "
            f"proposition was possible anywhere in the Netherlands, with the bottleneck behind it, per home region."
            f"</p>{by_region}{cases}<h3>Referrals to adjacent programmes and Invest-NL</h3><p class='prog'>"
            f"\"Aansluiting realiseert bij aanpalende (EZ en regionale) beleidsprogramma's en -instrumenten en "
            f"relevante organisaties, waaronder Invest-NL\" (Analysekader 2e).</p>{referrals}"
            f"<h3>Closed without realisation, by outcome and bottleneck</h3>{closures}</section>")


def _since(d: dict) -> str:
    since = d["since_last_report"]
    head = "<h2>Corrections since the last report</h2>"
    if since is None:
        return head + "<p class='sub'>No earlier report is stored in the ledger: nothing it said can have been corrected.</p>"
    out = head + (f"<p>{escape(previous_line(d))}. What was corrected after its cut-off in figures it showed (that "
                  f"report is kept as it was sent):</p>")
    if not (since["realisations"] or since["leads"] or since["entries_withdrawn"]):
        return out + "<p class='sub'>Nothing.</p>"
    if since["realisations"]:
        out += _table(["recorded", "realised", "home region", "field", "was", "is"],
                      [[x["recorded"], x["realised"], x["home_region"], x["field"], change(x["old"]), change(x["new"])]
                       for x in since["realisations"]], numeric=())
    if since["leads"]:
        out += _table(["recorded", "lead detected", "field", "was", "is"],
                      [[x["recorded"], x["detected"], x["field"], change(x["old"]), change(x["new"])]
                       for x in since["leads"]], numeric=())
    if since["entries_withdrawn"]:
        out += _table(["withdrawn", "entry of", "kind", "title", "why"],
                      [[x["withdrawn"], x["recorded"], x["type"], x["title"], x["reason"]]
                       for x in since["entries_withdrawn"]], numeric=())
    return out


def _times(d: dict) -> str:
    lead_times = _table(["step", "cases", "median", "mean"],
                        [[step(k), n(v["count"]), n(v["median_days"]), n(v["mean_days"])] for k, v in d["lead_times"].items()])
    e, lt = d["early_articulation"], d["early_articulation"]["lead_time"]
    ind_defs = "".join(
        f"<dt>{escape(i['label'])} (4-year target {escape(value(i['key'], i['target_4y']))}"
        f"{', pro rata' if i['pro_rata'] else ''})</dt><dd>{escape(i['definition'])} "
        f"<span class='prog'>Programme: \"{escape(i['programme'])}\"</span></dd>" for i in d["indicators"])
    defs = "".join(f"<dt>{escape(x['term'])}</dt><dd>{escape(x['definition'])}</dd>" for x in d["definitions"])
    return f"""<section class="page"><h2>Lead times (days)</h2>{lead_times}
<h3>Early articulation of the scale-up question</h3>
<p>{count(e['articulated'], 'lead')} first articulated their needs in the period, {e['articulated_in_phase_1_or_2']} of
them while still in venture phase 1 or 2. Lead time from articulation to the date the space is needed: median
{escape(n(lt['median_days']))} days, mean {escape(n(lt['mean_days']))} days; {e['within_aim']} within the aim,
{e['more_than_3_years']} more than 3 years ahead, {e['less_than_2_years']} less than 2 years ahead.
Aim: {escape(e['aim'])}.</p>
<h2>Definitions</h2><h3>The indicators, and the programme's words</h3><dl class="defs">{ind_defs}</dl>
<h3>Terms</h3><dl class="defs">{defs}</dl></section>"""


def render_html(d: dict) -> str:
    p = d["period"]
    title = "Final report" if d.get("kind") == "final" else "Impact report"
    return f"""<!doctype html><html lang="en"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width,initial-scale=1">
<title>{title} {escape(p['label'])}: deeptech scale-up taskforce</title><style>{CSS}</style></head><body>
<h1>{title} {escape(p['label'])}</h1>
<p class="sub">Deeptech scale-up taskforce (Meerjarenprogramma Bovenregionale Samenwerking Technologiebrandpunten)
· {escape(period_line(d))} · portfolio at the period's end: {d['portfolio']} leads · {escape(demo_line(d))}
· {escape(corrections_line(d))} · {escape(offers_line(d))} · {escape(previous_line(d))}</p>
<p class="note">Confidential case data stays with the ROMs: this report names no company and no case.</p>
{_indicators(d)}{_places(d)}{_conclusions(d)}{_qualitative(d)}{_signals(d)}{_since(d)}{_times(d)}</body></html>
"""
