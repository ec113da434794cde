"""The impact report as Markdown (for the progress talks' papers and for diffs)."""

from __future__ import annotations


def _n(v: object) -> str:
    if isinstance(v, float):
        return f"{v:,.2f}"
    if isinstance(v, int):
        return f"{v:,}"
    return "–" if v is None else str(v)


def _table(head: list[str], rows: list[list[object]]) -> list[str]:
    out = ["| " + " | ".join(head) + " |", "|" + "---|" * len(head)]
    out += ["| " + " | ".join(_n(c) for c in r) + " |" for r in rows]
    return out + [""]


def render_md(d: dict) -> str:
    p = d["period"]
    out = [f"# Impact report {p['label']}", "",
           f"Period {p['start']} to {p['end_exclusive']} (exclusive): {p['programme_share'] * 100:.1f}% of the "
           f"2025–2028 programme; targets pro rata. Portfolio at period end: {d['portfolio']} leads.", "",
           "## Indicators", ""]
    out += _table(["indicator", "value", "target (pro rata)", "4-year target", "attainment"],
                  [[i["label"], i["value"], i["target"], i["target_4y"],
                    f"{i['attainment'] * 100:.0f}%" if i["attainment"] is not None else None]
                   for i in d["indicators"]])
    out += [f"- **{q['label']}** (qualitative): {q['evidence']}" for q in d["qualitative"]] + [""]
    out += ["## Funnel", ""] + _table(["stage reached", "cases"], [[f["stage"], f["cases"]] for f in d["funnel"]])
    out += ["## Lead times (days)", ""] + _table(
        ["step", "count", "median", "mean"],
        [[k, v["count"], v["median_days"], v["mean_days"]] for k, v in d["lead_times"].items()])
    e = d["early_articulation"]
    out += ["## Early articulation", "",
            f"{e['articulated']} needs articulated in the period, {e['articulated_in_phase_1_or_2']} of them before "
            f"venture phase 3. Days from articulation to phase 3: median {_n(e['days_before_phase_3']['median_days'])} "
            f"({e['days_before_phase_3']['count']} cases). Aim: {e['aim']}.", ""]
    for name, rows in d["breakdowns"].items():
        out += [f"## By {name.replace('_', ' ')}", ""]
        if name == "growth_space_kind":
            out += _table(["kind", "leads"], [[k, v] for k, v in rows.items()])
        else:
            out += _table([name, "new leads", "realised", "investment EUR"],
                          [[k, v["leads"], v["realised"], v["investment_eur"]] for k, v in rows.items()])
    sig = d["no_proposition_signals"]
    out += ["## 'No proposition possible' signals (policy input)", ""]
    out += _table(["case", "home region", "bottleneck", "reason"],
                  [[s["case_id"], s["region"], s["bottleneck"], s["reason"]] for s in sig["cases"]])
    out += ["## Definitions", ""] + [f"- {x}" for x in d["definitions"]] + [""]
    return "\n".join(out)
