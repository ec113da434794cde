"""The report's words that live as data in ``domain.impact`` (indicator labels and definitions, the
definitions of terms, the qualitative targets' labels, the aims), for the catalogues.

``domain.impact`` is pure and stays English; the report renders these through the catalogue
(``_(i.label)`` in ``report_body.html``). They are data, not literal ``_()`` calls, so a Babel
extractor of our own (``babel.cfg``) lists them: from a report over no cases, which carries every
label and definition, and from the tables the report is built from.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import IO, Any

TEXT_KEYS = ("label", "definition", "term", "aim")


def report_messages() -> list[str]:
    """Every label and definition a report carries (a final report of the whole programme, no cases)."""
    from domain.impact import ANOTHER_REGION, CONCLUSION_KINDS, DEFINITIONS, INDICATORS, Period, impact

    found: list[str] = []

    def walk(node: object) -> None:
        if isinstance(node, dict):
            for k, v in node.items():
                if k in TEXT_KEYS and isinstance(v, str) and not v[:1].isdigit():  # not a period's label
                    found.append(v)
                else:
                    walk(v)
        elif isinstance(node, list):
            for v in node:
                walk(v)

    for basis in ANOTHER_REGION:
        walk(impact([], Period.parse("2025-2028"), kind="final", another_region=basis))
    found += [i.label for i in INDICATORS] + [i.definition for i in INDICATORS]
    found += [t for pair in DEFINITIONS for t in pair] + list(ANOTHER_REGION.values())
    found += [label for _, label in CONCLUSION_KINDS]
    return sorted(set(found))


def extract_report_terms(fileobj: IO[bytes], keywords: Any, comment_tags: Any, options: Any
                         ) -> Iterator[tuple[int, str, str, list[str]]]:
    """Babel's extractor interface: (line, function, message, comments) per message."""
    for message in report_messages():
        yield 0, "_", message, ["domain/impact.py"]


def extract_reminder_subjects(fileobj: IO[bytes], keywords: Any, comment_tags: Any, options: Any
                              ) -> Iterator[tuple[int, str, str, list[str]]]:
    """The reminders' subjects and prefixes (``domain.reminders.SUBJECTS``, ``PREFIXES``) and the
    e-mail's body (``reports.mail.BODY``): what an e-mail says in its recipients' language."""
    from domain.reminders import PREFIXES, SUBJECTS
    from reports.mail import BODY

    for message in (*SUBJECTS, *PREFIXES, BODY):
        yield 0, "_", message, ["domain/reminders.py"]
