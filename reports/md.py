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
    evidence,
    n,
    named,
    offers_line,
    pct,
    period_line,
    previous_line,
    scaleups_line,
    step,
    value,
)
from reports.i18n import _

tr = _  # a value to say in the reader's language (data, not a message of this file)

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
    out = ["## " + _("Indicators against targets"), "",
           _("Only the leads are pro rata (\"pro rata tijdvak 2025-2028\"); the other four are measured against "
             "their 4-year total, in the period and programme to date."), ""]
    out += _table(
        [_("indicator"), _("in period"), _("period target"), _("programme to date"), _("target to date"),
         _("attainment to date")],
        [[tr(i["label"]), value(i["key"], i["value"]),
          _("{target} (pro rata)").format(target=value(i["key"], i["target"])) if i["pro_rata"]
          else _("– (4-year total)"),
          value(i["key"], i["to_date"]), value(i["key"], i["target_to_date"]), pct(i["attainment_to_date"])]
         for i in d["indicators"]])
    out += [f"{scaleups_line(d)}.", ""]
    r = d["retained"]
    out += [_("Investment of the realisations by their counterfactual (only the first two are retained for the "
              "Netherlands):"), ""]
    out += _table([_("counterfactual"), _("realisations in period"), _("investment"), _("to date"),
                   _("investment to date")],
                  [[COUNTERFACTUAL[k], v["cases"], eur(v["eur"]), r["to_date"]["by_counterfactual"][k]["cases"],
                    eur(r["to_date"]["by_counterfactual"][k]["eur"])] for k, v in r["period"]["by_counterfactual"].items()])
    w = d["where_realised"]
    a = d["another_region"]
    out += [_("Where the realisations lie. 'Another region' in this report: {definition} The programme: {programme}.")
            .format(definition=_t(tr(a["definition"])), programme=_t(a["programme"])), ""]
    out += _table([_("realised"), _("in period"), _("investment"), _("to date"), _("investment to date")],
                  [[WHERE[k], v["cases"], eur(v["eur"]), w["to_date"][k]["cases"], eur(w["to_date"][k]["eur"])]
                   for k, v in w["period"].items()])
    return out


def _qualitative(d: dict) -> list[str]:
    out = ["## " + _("Qualitative targets"), "",
           _("The taskforce's entries for the Ministry (anonymised by their author), then what the cases show in "
             "numbers."), ""]
    for q in d["qualitative"]:
        out += [f"### {tr(q['label'])}", "", f"{_('Programme:')} \"{q['programme']}\".", ""]
        out += _entries(q["entries"], _("No entry of the taskforce in this period."))
        out += [_("Evidence from the cases: %(evidence)s.") % {"evidence": evidence(q)}, ""]
        if q["key"] == "ecosystem" and q["data"]["flows"]:
            out += [_("Cross-region choices of location (home region → destination region):"), ""]
            out += _table([_("from"), _("to"), _("leads")], [[f["from"], f["to"], f["cases"]] for f in q["data"]["flows"]])
    return out


def _signals(d: dict) -> list[str]:
    s = d["signals"]
    out = ["## " + _("Programme signals"), "", "### " + _("MIRT signals (housing and accessibility)"), ""]
    out += _entries(s["mirt"], _("None in this period."))
    out += ["### " + _("Financing gap (tickets from EUR 50 M)"), ""]
    out += _entries(s["financing_gap"], _("None in this period."))
    sig = s["no_proposition"]
    out += ["### " + _("'No proposition possible' signals (input for spatial-economic policy)"), ""]
    if sig["by_region"]:
        out += _table([_("home region"), _("bottlenecks")],
                      [[r, ", ".join(f"{b} {c}" for b, c in bs.items())] for r, bs in sig["by_region"].items()])
        out += _table([_("date"), _("home region"), _("technology domain"), _("company type"), _("bottleneck")],
                      [[x["at"], x["region"], x["technology_domain"], x["company_type"], x["bottleneck"]]
                       for x in sig["cases"]])
    else:
        out += [_("None in this period."), ""]
    ref = d["referrals"]
    out += ["### " + _("Referrals to adjacent programmes and Invest-NL"), "",
            "\"Aansluiting realiseert bij aanpalende (EZ en regionale) beleidsprogramma's en -instrumenten en "
            "relevante organisaties, waaronder Invest-NL\" (Analysekader 2e).", ""]
    out += _table([_("referred to"), _("in period"), _("to date")],
                  [[REFERRALS[t], v, ref["to_date"]["by_target"][t]] for t, v in ref["period"]["by_target"].items()])
    out += ["### " + _("Closed without realisation, by outcome and bottleneck"), ""]
    if d["closures"]:
        out += _table([_("outcome"), _("cases"), _("bottlenecks")],
                      [[OUTCOMES.get(o, o), v["cases"], ", ".join(f"{b} {c}" for b, c in v["by_bottleneck"].items())]
                       for o, v in d["closures"].items()])
    else:
        out += [_("None in this period."), ""]
    return out


def _since(d: dict) -> list[str]:
    out = ["## " + _("Corrections since the last report"), ""]
    since = d["since_last_report"]
    if since is None:
        return out + [_("No earlier report is stored in the ledger: nothing it said can have been corrected."), ""]
    out += [f"{previous_line(d)}. " + _("What was corrected after its cut-off in figures it showed (that report is "
                                        "kept as it was sent):"), ""]
    if not (since["realisations"] or since["leads"] or since["entries_withdrawn"]):
        return out + [_("Nothing."), ""]
    if since["realisations"]:
        out += _table([_("recorded"), _("realised"), _("home region"), _("field"), _("was"), _("is")],
                      [[x["recorded"], x["realised"], x["home_region"], x["field"], change(x["old"]), change(x["new"])]
                       for x in since["realisations"]])
    if since["leads"]:
        out += _table([_("recorded"), _("lead detected"), _("field"), _("was"), _("is")],
                      [[x["recorded"], x["detected"], x["field"], change(x["old"]), change(x["new"])]
                       for x in since["leads"]])
    if since["entries_withdrawn"]:
        out += _table([_("withdrawn"), _("entry of"), _("kind"), _("title"), _("why")],
                      [[x["withdrawn"], x["recorded"], x["type"], x["title"], x["reason"]]
                       for x in since["entries_withdrawn"]])
    return out


def _conclusions(d: dict) -> list[str]:
    c = d.get("conclusions")
    if c is None:
        return []
    out = ["## " + _("Conclusions"), "", f"{_('Programme:')} \"{c['programme']}\"", ""]
    out += _table([_("target"), _("reached"), _("4-year target"), _("met")],
                  [[tr(t["label"]), value(t["key"], t["reached"]), value(t["key"], t["target_4y"]), t["met"]]
                   for t in c["targets"]])
    for section in c["sections"]:
        out += [f"### {tr(section['label'])}", ""]
        out += _entries(section["entries"], _("None recorded (record them with `brandpunt programme lesson`)."))
    s = c["signals"]
    np = ", ".join(f"{b} {k}" for b, k in s["no_proposition_by_bottleneck"].items()) or _("none")
    out += ["### " + _("Signals over the programme"), "",
            _("%(mirt)s, %(gap)s, %(knowledge)s on knowledge shared across regions; 'no proposition possible' by "
              "bottleneck: %(bottlenecks)s.") % {
                "mirt": count(s["mirt"], "MIRT signal"), "gap": count(s["financing_gap"], "financing-gap signal"),
                "knowledge": count(s["knowledge_shared"], "entry", "entries"), "bottlenecks": np}, ""]
    return out


def render_md(d: dict) -> str:
    p = d["period"]
    title = _("Final report") if d.get("kind") == "final" else _("Impact report")
    out = [f"# {title} {p['label']}", "",
           _("Deeptech scale-up taskforce.") + f" {period_line(d)} "
           + _("Portfolio at the period's end: {n} leads").format(n=n(d["portfolio"]))
           + f"; {demo_line(d)}; {corrections_line(d)}; {offers_line(d)}. {previous_line(d)}.", ""]
    out += _indicators(d) + _conclusions(d) + _qualitative(d) + _signals(d) + _since(d)
    out += ["## " + _("Funnel"), "", _("Leads in the portfolio that reached each stage by the period's end, and in it."),
            ""]
    out += _table([_("stage"), _("reached by period end"), _("reached in period")],
                  [[step(f["stage"]), f["cases"], f["in_period"]] for f in d["funnel"]])
    out += ["## " + _("Lead times (days)"), ""] + _table(
        [_("step"), _("cases"), _("median"), _("mean")],
        [[step(k), v["count"], v["median_days"], v["mean_days"]] for k, v in d["lead_times"].items()])
    e = d["early_articulation"]
    lt = e["lead_time"]
    out += ["## " + _("Early articulation"), "",
            _("%(leads)s first articulated their needs in the period, %(early)s of them while still in venture phase 1 "
              "or 2. Lead time from articulation to the date the space is needed: median %(median)s days, mean "
              "%(mean)s days; %(within)s within the aim, %(later)s more than 3 years ahead, %(sooner)s less than 2 "
              "years ahead.") % {
                "leads": count(e["articulated"], "lead"), "early": n(e["articulated_in_phase_1_or_2"]),
                "median": n(lt["median_days"]), "mean": n(lt["mean_days"]), "within": n(e["within_aim"]),
                "later": n(e["more_than_3_years"]), "sooner": n(e["less_than_2_years"])}
            + f" {_('Aim:')} {tr(e['aim'])}.", ""]
    for name, rows in d["breakdowns"].items():
        out += ["## " + _("By %(name)s") % {"name": NAMES.get(name, name)}, ""]
        if not rows:
            out += [_("Nothing in this period."), ""]
        elif name == "growth_space_kind":
            out += _table([_("kind"), _("leads articulating it"), _("realised leads that asked it")],
                          [[k, v["articulated"], v["realised"]] for k, v in rows.items()])
        else:
            cols = list(next(iter(rows.values())))
            out += _table([NAMES.get(name, name)] + [COLUMNS.get(c, c) for c in cols],
                          [[named(name, k)] + [eur(v[c]) if c.endswith("_eur") else v[c] for c in cols]
                           for k, v in rows.items()])
    out += ["## " + _("Definitions"), "", "### " + _("The indicators, and the programme's words"), ""]
    out += [f"- **{tr(i['label'])}** ({_('4-year target %(target)s') % {'target': value(i['key'], i['target_4y'])}}"
            f"{_(', pro rata') if i['pro_rata'] else ''}): {tr(i['definition'])} {_('Programme:')} \"{i['programme']}\""
            for i in d["indicators"]] + [""]
    out += ["### " + _("Terms"), ""] + [f"- **{tr(x['term'])}**: {tr(x['definition'])}" for x in d["definitions"]] + [""]
    return "\n".join(out)
