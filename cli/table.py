"""Plain-text tables for the terminal: a header line, columns as wide as their widest value.

Full values by default (a pipe, a file, ``grep``); given a terminal width, the columns named to
shrink are cut (with ``…``) until the table fits, each to no less than :data:`MIN_SHRUNK`.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

GAP = "  "
MIN_SHRUNK = 12
"""The narrowest a shrunk column becomes: enough to tell most company names apart."""


def cell(value: Any) -> str:
    """A value as table text: nothing for None, one line (a newline in a name never breaks the table)."""
    return "" if value is None else " ".join(str(value).split())


def cut(text: str, width: int) -> str:
    return text if len(text) <= width else text[: max(width - 1, 0)] + "…"


def render(
    columns: Sequence[tuple[str, str]], rows: Sequence[dict[str, Any]], width: int | None = None,
    shrink: Sequence[str] = (),
) -> list[str]:
    """The header line and one line per row. ``columns`` are (heading, key); ``width`` the
    terminal's (None: no limit); ``shrink`` the keys that give way, first named first."""
    texts = [[cell(row.get(key)) for _, key in columns] for row in rows]
    widths = [max([len(head), *(len(t[i]) for t in texts)]) for i, (head, _) in enumerate(columns)]
    if width is not None:
        for key in shrink:
            i = next(n for n, (_, k) in enumerate(columns) if k == key)
            over = sum(widths) + len(GAP) * (len(columns) - 1) - width
            if over <= 0:
                break
            widths[i] = max(widths[i] - over, min(MIN_SHRUNK, widths[i]))
    lines = []
    for values in ([head for head, _ in columns], *texts):
        parts = [cut(v, widths[i]).ljust(widths[i]) for i, v in enumerate(values)]
        lines.append(GAP.join(parts).rstrip())
    return lines
