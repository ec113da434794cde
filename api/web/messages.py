"""A Babel extractor for the messages that live in tables, not in literal ``_()`` calls.

The actions' titles, help texts, field labels and group headings (``client/actions.py``) are shown
through ``_()`` with a variable in the templates (``_(a.title)``); ``pybabel extract`` cannot read
those, so ``babel.cfg`` names this extractor for ``client/actions.py``: it imports the table and
yields every text a page shows from it.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import IO, Any


def action_messages() -> list[str]:
    """Every text of the actions' table a person reads, once each, in table order."""
    from client import actions

    seen: dict[str, None] = {}
    for action in (actions.START, *actions.ACTIONS.values()):
        texts: list[str | None] = [action.title, action.help]
        for f in action.fields:
            texts += [f.label, f.help, f.group]
        for text in texts:
            if text:
                seen.setdefault(text)
    return list(seen)


def extract_actions(fileobj: IO[bytes], keywords: Any, comment_tags: Any, options: Any
                    ) -> Iterator[tuple[int, str, str, list[str]]]:
    """Babel's extractor interface: (line, function, message, comments) per message."""
    for message in action_messages():
        yield 0, "_", message, ["client/actions.py"]
