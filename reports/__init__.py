"""The impact report (progress talks, annual and final reports) from the ledger, as Markdown, HTML or JSON.

The counting is pure (:mod:`domain.impact`); this package only reads the ledger and renders.
:func:`render_report` is the one entry point for ``brandpunt report impact`` and for the scheduled
reporting workflows' activity, so both produce the same report.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import UTC, datetime
from itertools import groupby
from operator import itemgetter
from typing import TYPE_CHECKING

if TYPE_CHECKING:  # the package is also where reports.i18n lives, which the CLI loads lean (no domain, no database)
    from domain.impact import Period, PreviousReport
    from ledger.store import Ledger

FORMATS = ("md", "html", "json")
# Payloads are canonical JSON (sorted keys), so a reminder's payload ends with its type. Reminders
# hold nothing the report counts and are a good share of a busy ledger: not decoding them is cheap.
_REMINDER = '"type":"ReminderSent"}'


def _cases(ledger: Ledger, as_of: datetime | None = None) -> Iterator[tuple[str, Iterator[dict]]]:
    """Each case's events (up to ``as_of``, workflow time) as JSON dicts, ordered by (case_id, seq), streamed.

    ``iter_payloads`` reads only (case_id, payload), which is what makes 10,000 cases fast; a
    ledger without it is read through the agreed ``iter_all_rows``.
    """
    rows = ledger.iter_payloads(as_of) if hasattr(ledger, "iter_payloads") else (
        (r.case_id, r.opened or r.payload) for r in ledger.iter_all_rows() if as_of is None or r.at <= as_of)
    for case_id, group in groupby(rows, key=itemgetter(0)):
        yield case_id, (json.loads(payload) for _, payload in group if not payload.endswith(_REMINDER))


def previous_report(ledger: Ledger, cutoff: datetime) -> PreviousReport | None:
    """The last report stored before ``cutoff`` (any kind): what "since the last report" refers to."""
    snap = ledger.snapshots.last_before(cutoff)
    if snap is None:
        return None
    from domain.impact import PreviousReport

    return PreviousReport(snap.id, snap.kind, snap.period, datetime.fromisoformat(snap.cutoff), snap.sha256)


def compute(
    ledger: Ledger, period: Period | str, as_of: datetime | None = None, include_demo: bool = False, *,
    kind: str | None = None, another_region: str = "rom-region",
) -> dict:
    """The report's data for ``period`` (a :class:`Period` or its text, e.g. ``2026H1``), from the
    events up to ``as_of`` (the cut-off of a stored snapshot; now when ``None``). A period that has
    not ended by the cut-off is cut there (:meth:`Period.cut`). The taskforce's entries come from
    the programme chain up to the cut-off, and "corrections since the last report" from the last
    report stored before it. Demo cases are left out unless ``include_demo`` (the report says which,
    and how many); ``kind`` ``final`` adds the conclusions; ``another_region`` picks the definition
    of "another region" (``domain.impact.ANOTHER_REGION``)."""
    cutoff = as_of or datetime.now(UTC)
    from domain.impact import Period, impact

    p = (period if isinstance(period, Period) else Period.parse(period)).cut(cutoff)
    return impact(_cases(ledger, as_of), p, include_demo=include_demo,
                  programme=ledger.programme.payloads(as_of), previous=previous_report(ledger, cutoff),
                  kind=kind, another_region=another_region)


def render(data: dict, fmt: str) -> str:
    if fmt == "json":
        return json.dumps(data, indent=2, ensure_ascii=False) + "\n"
    if fmt == "md":
        from reports.md import render_md

        return render_md(data)
    if fmt == "html":
        from reports.html import render_html

        return render_html(data)
    raise ValueError(f"format {fmt!r} is not one of {', '.join(FORMATS)}")


def render_report(
    ledger: Ledger, period: Period | str, fmt: str, as_of: datetime | None = None, include_demo: bool = False, *,
    kind: str | None = None, another_region: str = "rom-region",
) -> str:
    """The impact report for ``period`` in ``fmt`` (md, html or json): what the CLI and the
    scheduled reports produce. Raises :class:`domain.impact.PeriodError` for a bad period."""
    if fmt not in FORMATS:
        raise ValueError(f"format {fmt!r} is not one of {', '.join(FORMATS)}")
    return render(compute(ledger, period, as_of, include_demo, kind=kind, another_region=another_region), fmt)
