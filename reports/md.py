"""The impact report as Markdown: for the progress talks' papers, e-mail and diffs between periods."""

from __future__ import annotations

from reports.fmt import COLUMNS, NAMES, corrections_line, count, demo_line, eur, n, pct, step, value

# A table cell shows its text literally: no HTML, no Markdown markup, no row broken by | or a newline.
_CELL = str.maketrans({c: "\\" + c for c in "\\`*_[]|"} | {"<": "&lt;", ">": "&gt;", "&": "&amp;", "\n": " ", "\r": " "})


def _table(head: list[str], rows: list[list[object]]) -> list[str]:
    out = ["| " + " | ".join(head) + " |", "|" + "---|" * len(head)]
    out += ["| " + " | ".join(c.translate(_CELL) if isinstance(c, str) else n(c) for c in r) + " |" for r in rows]
    return out + [""]


def render_md(d: dict) -> str:
    p = d["period"]
    out = [f"# Impact report {p['label']}", "",
           f"Deeptech scale-up taskforce. Period {p['start']} to {p['end_exclusive']} (exclusive): "
           f"{p['programme_share'] * 100:.1f}% of the 2025–2028 programme, targets pro rata. "
           f"Portfolio at the period's end: {d['portfolio']} leads; {demo_line(d)}; {corrections_line(d)}.", "",
           "## Indicators against targets", ""]
    out += _table(["indicator", "value", "target (pro rata)", "4-year target", "attainment"],
                  [[i["label"], value(i["key"], i["value"]), value(i["key"], i["target"]),
                    value(i["key"], i["target_4y"]), pct(i["attainment"])] for i in d["indicators"]])
    out += [f"- **{q['label']}** (qualitative): {q['evidence']}." for q in d["qualitative"]] + [""]
    flows = d["qualitative"][0]["data"]["flows"]
    if flows:
        out += ["Cross-region choices of location (home region → destination region):", ""]
        out += _table(["from", "to", "leads"], [[f["from"], f["to"], f["cases"]] for f in flows])
    out += ["## Funnel", "", "Leads in the portfolio that reached each stage by the period's end, and in it.", ""]
    out += _table(["stage", "reached by period end", "reached in period"],
                  [[step(f["stage"]), f["cases"], f["in_period"]] for f in d["funnel"]])
    out += ["## Lead times (days)", ""] + _table(
        ["step", "cases", "median", "mean"],
        [[step(k), v["count"], v["median_days"], v["mean_days"]] for k, v in d["lead_times"].items()])
    e = d["early_articulation"]
    b3 = e["days_before_phase_3"]
    out += ["## Early articulation", "",
            f"{count(e['articulated'], 'lead')} articulated their needs in the period, "
            f"{e['articulated_in_phase_1_or_2']} of them while in venture phase 1 or 2. {count(b3['count'], 'lead')} "
            f"reached phase 3 in the period after articulating: median {n(b3['median_days'])} days, mean "
            f"{n(b3['mean_days'])} days earlier; {e['reached_phase_3_at_least_2_years_after']} of them 2 years or more. "
            f"{count(e['awaiting_phase_3'], 'open lead')} articulated and not yet in phase 3. Aim: {e['aim']}.", ""]
    for name, rows in d["breakdowns"].items():
        out += [f"## By {NAMES.get(name, name)}", ""]
        if not rows:
            out += ["Nothing in this period.", ""]
        elif name == "growth_space_kind":
            out += _table(["kind", "leads articulating it", "realised leads that asked it"],
                          [[k, v["articulated"], v["realised"]] for k, v in rows.items()])
        else:
            cols = list(next(iter(rows.values())))
            out += _table([name.replace("_", " ")] + [COLUMNS.get(c, c) for c in cols],
                          [[k] + [eur(v[c]) if c.endswith("_eur") else v[c] for c in cols] for k, v in rows.items()])
    sig = d["no_proposition_signals"]
    out += ["## 'No proposition possible' signals (input for spatial-economic policy)", ""]
    if sig["by_region"]:
        out += _table(["home region", "bottlenecks"],
                      [[r, ", ".join(f"{b} {c}" for b, c in bs.items())] for r, bs in sig["by_region"].items()])
        out += _table(["date", "home region", "technology domain", "bottleneck", "reason"],
                      [[s["at"], s["region"], s["technology_domain"], s["bottleneck"], s["reason"] or ""]
                       for s in sig["cases"]])
    else:
        out += ["None in this period.", ""]
    out += ["## Definitions", ""] + [f"- **{x['term']}**: {x['definition']}" for x in d["definitions"]] + [""]
    return "\n".join(out)
