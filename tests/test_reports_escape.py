"""Hostile free text (a closing reason typed by a coordinator) comes out of every report format inert.

The reason of a 'no proposition possible' closing is the one free text the impact report shows; it
is set here to HTML, a Markdown table breaker and Markdown markup. SVG labels are checked directly.
"""

from __future__ import annotations

import re

import pytest

from domain.events import CaseClosed
from domain.impact import Period, impact
from reports import render, svg
from tests.impact_data import events, scenario

HOSTILE = "<script>alert(1)</script> | **bold** [x](javascript:alert(1)) & `code`\nnext line"


@pytest.fixture(scope="module")
def data() -> dict:
    evs = [e.model_copy(update={"reason": HOSTILE})
           if isinstance(e, CaseClosed) and e.outcome.value == "no_proposition_possible" else e
           for e in events(scenario())]
    d = impact(evs, Period.parse("2025-2028"))
    assert [s["reason"] for s in d["no_proposition_signals"]["cases"]] == [HOSTILE]
    return d


def test_html_escapes_the_reason(data):
    out = render(data, "html")
    assert "<script>" not in out and "&lt;script&gt;alert(1)&lt;/script&gt;" in out
    assert "&amp; `code`" in out
    assert "<script" not in out.lower()


def test_markdown_keeps_the_table_and_shows_the_text_literally(data):
    out = render(data, "md")
    [line] = [ln for ln in out.splitlines() if "alert(1)" in ln]  # one row: the newline did not split it
    cells = re.split(r"(?<!\\)\|", line.strip().strip("|"))
    assert len(cells) == 5, line  # date, home region, technology domain, bottleneck, reason
    reason = cells[-1]
    assert "<script>" not in reason and "&lt;script&gt;" in reason
    assert r"\*\*bold\*\*" in reason and r"\[x\]" in reason and r"\`code\`" in reason and r"\|" in line
    assert "next line" in reason


def test_svg_labels_and_titles_are_escaped():
    chart = svg.bars([("<script>x</script>", 1.0, "<b>1</b>")], "title' onload='alert(1)")
    assert "<script>" not in chart and "&lt;script&gt;" in chart and "&lt;b&gt;1&lt;/b&gt;" in chart
    assert "onload='alert" not in chart and "&#x27; onload=&#x27;" in chart
    for out in (svg.funnel([("<i>stage</i>", 3)], "<t>"),
                svg.stacked([("<i>row</i>", [1.0, 2.0])], ["<s1>", "s2&"], "<t>")):
        assert "<i>" not in out and "&lt;i&gt;" in out and "<t>" not in out
