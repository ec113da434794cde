"""The impact report (progress, annual, final) rendered from the ledger as Markdown, HTML or JSON."""

from __future__ import annotations

import json
from itertools import groupby
from operator import itemgetter

from domain.impact import Period, impact
from ledger.store import Ledger

FORMATS = ("md", "html", "json")


def compute(ledger: Ledger, period: Period | str) -> dict:
    p = period if isinstance(period, Period) else Period.parse(period)
    cases = (
        (case_id, (json.loads(payload) for _, payload in rows))
        for case_id, rows in groupby(ledger.iter_payloads(), key=itemgetter(0))
    )
    return impact(cases, p)


def render(data: dict, fmt: str) -> str:
    if fmt == "json":
        return json.dumps(data, indent=2, ensure_ascii=False)
    if fmt == "md":
        from reports.markdown import render_md

        return render_md(data)
    if fmt == "html":
        from reports.html import render_html

        return render_html(data)
    raise ValueError(f"format {fmt!r} is not one of {', '.join(FORMATS)}")


def render_report(ledger: Ledger, period: Period | str, fmt: str) -> str:
    """What the scheduled reporting workflows and ``brandpunt report impact`` produce."""
    return render(compute(ledger, period), fmt)
