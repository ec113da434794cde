"""Hostile free text comes out of every report format inert, and case-file text never comes out at all.

The taskforce's entries for the Ministry (lessons, signals, the reason of a withdrawal) are the free
text a report shows; here their title, text and withdrawal reason are HTML, a Markdown table breaker,
Markdown markup and a newline. A closing reason typed in a case file holds the same text and must not
appear in any format. SVG labels are checked directly.
"""

from __future__ import annotations

import re
from datetime import UTC, datetime

import pytest

from domain.events import CaseClosed
from domain.impact import Period, PreviousReport, impact
from reports import render, svg
from tests.impact_data import at, events, scenario

HOSTILE = "<script>alert(1)</script> | **bold** [x](javascript:alert(1)) & `code` # head\nnext line"
CASE_TEXT = "<b>case-file</b> only"


def _entry(seq: int, type_: str, **fields: object) -> dict:
    return {"seq": seq, "at": at(2026, 3).isoformat(), "actor": "a", "organisation": "bom", "type": type_,
            "title": HOSTILE, "text": HOSTILE, "regions": ["bom"]} | fields


PROGRAMME = [
    _entry(1, "LessonRecorded", kind="lesson"),
    _entry(2, "MirtSignalled", concerns=["housing"], regions=["nom"]),
    _entry(3, "FinancingGapSignalled", ticket_eur=60_000_000),
    _entry(4, "KnowledgeShared", from_region="bom", regions=["nom"]),
    _entry(5, "LessonRecorded", kind="what_worked", at=at(2025, 3).isoformat()),
    {"seq": 6, "at": at(2026, 2).isoformat(), "actor": "a", "organisation": "bom", "type": "EntryWithdrawn",
     "entry": 5, "reason": HOSTILE},
]


@pytest.fixture(scope="module")
def data() -> dict:
    evs = [e.model_copy(update={"reason": CASE_TEXT}) if isinstance(e, CaseClosed) else e for e in events(scenario())]
    previous = PreviousReport(1, "annual", "2025", datetime(2026, 1, 1, tzinfo=UTC), "0" * 64)
    d = impact(evs, Period.parse("2026"), programme=PROGRAMME, previous=previous, kind="final")
    assert [e["title"] for e in d["qualitative"][1]["entries"]] == [HOSTILE]
    assert [x["reason"] for x in d["since_last_report"]["entries_withdrawn"]] == [HOSTILE]
    return d


def test_html_escapes_the_entries_and_shows_no_case_text(data):
    out = render(data, "html")
    # title and text of the lesson (in its section and the conclusions), MIRT, gap and knowledge; the withdrawn
    # entry's title and the reason of its withdrawal
    assert out.count("&lt;script&gt;alert(1)&lt;/script&gt;") == 12
    assert "<script" not in out.lower() and "&amp; `code`" in out
    assert "case-file" not in out


def test_markdown_shows_the_text_literally_and_keeps_its_structure(data):
    out = render(data, "md")
    assert "case-file" not in out and "<script>" not in out
    lines = [ln for ln in out.splitlines() if "alert(1)" in ln]
    assert len(lines) == 6, lines  # the lesson (its section, the conclusions), MIRT, gap, knowledge, withdrawal
    for line in lines:
        assert "&lt;script&gt;" in line and r"\*\*bold\*\*" in line and r"\[x\]" in line and r"\`code\`" in line
        assert r"\# head" in line and "next line" in line
    [row] = [ln for ln in lines if ln.startswith("|")]
    cells = re.split(r"(?<!\\)\|", row.strip().strip("|"))
    assert len(cells) == 5, row  # withdrawn, entry of, kind, title, why: the | in the text did not split it


def test_json_keeps_the_text_as_it_was_written(data):
    out = render(data, "json")
    assert "case-file" not in out and '"title": "<script>alert(1)</script> | **bold**' in out


def test_svg_labels_and_titles_are_escaped():
    chart = svg.bars([("<script>x</script>", 1.0, "<b>1</b>")], "title' onload='alert(1)")
    assert "<script>" not in chart and "&lt;script&gt;" in chart and "&lt;b&gt;1&lt;/b&gt;" in chart
    assert "onload='alert" not in chart and "&#39; onload=&#39;" in chart  # the engine's escaping of a quote
    for out in (svg.funnel([("<i>stage</i>", 3)], "<t>"),
                svg.stacked([("<i>row</i>", [1.0, 2.0])], ["<s1>", "s2&"], "<t>")):
        assert "<i>" not in out and "&lt;i&gt;" in out and "<t>" not in out
