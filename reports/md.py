"""The impact report as Markdown: for the progress talks' papers, e-mail and diffs between periods."""

from __future__ import annotations

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

# Text shows literally: no HTML, no Markdown markup, no table row or list item broken by | or a newline.
_CELL = str.maketrans({c: "\\" + c for c in "\\`*_[]|#"} | {"<": "&lt;", ">": "&gt;", "&": "&amp;", "\n": " ", "\r": " "})


def _t(text: str) -> str:
    return text.translate(_CELL)


def _table(head: list[str], rows: list[list[object]]) -> list[str]:
    out = ["| " + " | ".join(head) + " |", "|" + "---|" * len(head)]
    out += ["| " + " | ".join(_t(c) if isinstance(c, str) else n(c) for c in r) + " |" for r in rows]
    return out + [""]


def _entries(entries: list[dict], none: str) -> list[str]:
    if not entries:
        return [none, ""]
    return [f"- **{_t(e['title'])}** ({_t(entry_meta(e))}): {_t(e['text'])}" for e in entries] + [""]


def _indicators(d: dict) -> list[str]:
    out = ["## Indicators against targets", "",
           "Only the leads are pro rata (\"pro rata tijdvak 2025-2028\"); the other four are measured against "
           "their 4-year total, in the period and programme to date.", ""]
    out += _table(
        ["indicator", "in period", "period target", "programme to date", "target to date", "attainment to date"],
        [[i["label"], value(i["key"], i["value"]),
          f"{value(i['key'], i['target'])} (pro rata)" if i["pro_rata"] else "– (4-year total)",
          value(i["key"], i["to_date"]), value(i["key"], i["target_to_date"]), pct(i["attainment_to_date"])]
         for i in d["indicators"]])
    out += [f"{scaleups_line(d)}.", ""]
    r = d["retained"]
    out += ["Investment of the realisations by their counterfactual (only the first two are retained for the "
            "Netherlands):", ""]
    out += _table(["counterfactual", "realisations in period", "investment", "to date", "investment to date"],
                  [[COUNTERFACTUAL[k], v["cases"], eur(v["eur"]), r["to_date"]["by_counterfactual"][k]["cases"],
                    eur(r["to_date"]["by_counterfactual"][k]["eur"])] for k, v in r["period"]["by_counterfactual"].items()])
    w = d["where_realised"]
    a = d["another_region"]
    out += [f"Where the realisations lie. 'Another region' in this report: {_t(a['definition'])} The programme: "
            f"{_t(a['programme'])}.", ""]
    out += _table(["realised", "in period", "investment", "to date", "investment to date"],
                  [[WHERE[k], v["cases"], eur(v["eur"]), w["to_date"][k]["cases"], eur(w["to_date"][k]["eur"])]
                   for k, v in w["period"].items()])
    return out


def _qualitative(d: dict) -> list[str]:
    out = ["## Qualitative targets", "",
           "The taskforce's entries for the Ministry (anonymised by their author), then what the cases show in "
           "numbers.", ""]
    for q in d["qualitative"]:
        out += [f"### {q['label']}", "", f"Programme: \"{q['programme']}\".", ""]
        out += _entries(q["entries"], "No entry of the taskforce in this period.")
        out += [f"Evidence from the cases: {q['evidence']}.", ""]
        if q["key"] == "ecosystem" and q["data"]["flows"]:
            out += ["Cross-region choices of location (home region → destination region):", ""]
            out += _table(["from", "to", "leads"], [[f["from"], f["to"], f["cases"]] for f in q["data"]["flows"]])
    return out


def _signals(d: dict) -> list[str]:
    s = d["signals"]
    out = ["## Programme signals", "", "### MIRT signals (housing and accessibility)", ""]
    out += _entries(s["mirt"], "None in this period.")
    out += ["### Financing gap (tickets from EUR 50 M)", ""]
    out += _entries(s["financing_gap"], "None in this period.")
    sig = s["no_proposition"]
    out += ["### 'No proposition possible' signals (input for spatial-economic policy)", ""]
    if sig["by_region"]:
        out += _table(["home region", "bottlenecks"],
                      [[r, ", ".join(f"{b} {c}" for b, c in bs.items())] for r, bs in sig["by_region"].items()])
        out += _table(["date", "home region", "technology domain", "company type", "bottleneck"],
                      [[x["at"], x["region"], x["technology_domain"], x["company_type"], x["bottleneck"]]
                       for x in sig["cases"]])
    else:
        out += ["None in this period.", ""]
    ref = d["referrals"]
    out += ["### Referrals to adjacent programmes and Invest-NL", "",
            "\"Aansluiting realiseert bij aanpalende (EZ en regionale) beleidsprogramma's en -instrumenten en "
            "relevante organisaties, waaronder Invest-NL\" (Analysekader 2e).", ""]
    out += _table(["referred to", "in period", "to date"],
                  [[REFERRALS[t], v, ref["to_date"]["by_target"][t]] for t, v in ref["period"]["by_target"].items()])
    out += ["### Closed without realisation, by outcome and bottleneck", ""]
    if d["closures"]:
        out += _table(["outcome", "cases", "bottlenecks"],
                      [[OUTCOMES.get(o, o), v["cases"], ", ".join(f"{b} {c}" for b, c in v["by_bottleneck"].items())]
                       for o, v in d["closures"].items()])
    else:
        out += ["None in this period.", ""]
    return out


def _since(d: dict) -> list[str]:
    out = ["## Corrections since the last report", ""]
    since = d["since_last_report"]
    if since is None:
        return out + ["No earlier report is stored in the ledger: nothing it said can have been corrected.", ""]
    out += [f"{previous_line(d)}. What was corrected after its cut-off in figures it showed (that report is "
            "kept as it was sent):", ""]
    if not (since["realisations"] or since["leads"] or since["entries_withdrawn"]):
        return out + ["Nothing.", ""]
    if since["realisations"]:
        out += _table(["recorded", "realised", "home region", "field", "was", "is"],
                      [[x["recorded"], x["realised"], x["home_region"], x["field"], change(x["old"]), change(x["new"])]
                       for x in since["realisations"]])
    if since["leads"]:
        out += _table(["recorded", "lead detected", "field", "was", "is"],
                      [[x["recorded"], x["detected"], x["field"], change(x["old"]), change(x["new"])]
                       for x in since["leads"]])
    if since["entries_withdrawn"]:
        out += _table(["withdrawn", "entry of", "kind", "title", "why"],
                      [[x["withdrawn"], x["recorded"], x["type"], x["title"], x["reason"]]
                       for x in since["entries_withdrawn"]])
    return out


def _conclusions(d: dict) -> list[str]:
    c = d.get("conclusions")
    if c is None:
        return []
    out = ["## Conclusions", "", f"Programme: \"{c['programme']}\"", ""]
    out += _table(["target", "reached", "4-year target", "met"],
                  [[t["label"], value(t["key"], t["reached"]), value(t["key"], t["target_4y"]), t["met"]]
                   for t in c["targets"]])
    for section in c["sections"]:
        out += [f"### {section['label']}", ""]
        out += _entries(section["entries"], "None recorded (record them with `brandpunt programme lesson`).")
    s = c["signals"]
    np = ", ".join(f"{b} {k}" for b, k in s["no_proposition_by_bottleneck"].items()) or "none"
    out += ["### Signals over the programme", "",
            f"{count(s['mirt'], 'MIRT signal')}, {count(s['financing_gap'], 'financing-gap signal')}, "
            f"{count(s['knowledge_shared'], 'entry', 'entries')} on knowledge shared across regions; 'no proposition "
            f"possible' by bottleneck: {np}.", ""]
    return out


def render_md(d: dict) -> str:
    p = d["period"]
    title = "Final report" if d.get("kind") == "final" else "Impact report"
    out = [f"# {title} {p['label']}", "",
           f"Deeptech scale-up taskforce. {period_line(d)} Portfolio at the period's end: {d['portfolio']} leads; "
           f"{demo_line(d)}; {corrections_line(d)}; {offers_line(d)}. {previous_line(d)}.", ""]
    out += _indicators(d) + _conclusions(d) + _qualitative(d) + _signals(d) + _since(d)
    out += ["## Funnel", "", "Leads in the portfolio that reached each stage by the period's end, and in it.", ""]
    out += _table(["stage", "reached by period end", "reached in period"],
                  [[step(f["stage"]), f["cases"], f["in_period"]] for f in d["funnel"]])
    out += ["## Lead times (days)", ""] + _table(
        ["step", "cases", "median", "mean"],
        [[step(k), v["count"], v["median_days"], v["mean_days"]] for k, v in d["lead_times"].items()])
    e = d["early_articulation"]
    lt = e["lead_time"]
    out += ["## Early articulation", "",
            f"{count(e['articulated'], 'lead')} first articulated their needs in the period, "
            f"{e['articulated_in_phase_1_or_2']} of them while in venture phase 1 or 2. Lead time from articulation "
            f"to the date the space is needed: median {n(lt['median_days'])} days, mean {n(lt['mean_days'])} days; "
            f"{e['within_aim']} within the aim, {e['more_than_3_years']} more than 3 years ahead, "
            f"{e['less_than_2_years']} less than 2 years ahead. Aim: {e['aim']}.", ""]
    for name, rows in d["breakdowns"].items():
        out += [f"## By {NAMES.get(name, name)}", ""]
        if not rows:
            out += ["Nothing in this period.", ""]
        elif name == "growth_space_kind":
            out += _table(["kind", "leads articulating it", "realised leads that asked it"],
                          [[k, v["articulated"], v["realised"]] for k, v in rows.items()])
        else:
            cols = list(next(iter(rows.values())))
            out += _table([NAMES.get(name, name)] + [COLUMNS.get(c, c) for c in cols],
                          [[k] + [eur(v[c]) if c.endswith("_eur") else v[c] for c in cols] for k, v in rows.items()])
    out += ["## Definitions", "", "### The indicators, and the programme's words", ""]
    out += [f"- **{i['label']}** (4-year target {value(i['key'], i['target_4y'])}"
            f"{', pro rata' if i['pro_rata'] else ''}): {i['definition']} Programme: \"{i['programme']}\""
            for i in d["indicators"]] + [""]
    out += ["### Terms", ""] + [f"- **{x['term']}**: {x['definition']}" for x in d["definitions"]] + [""]
    return "\n".join(out)
