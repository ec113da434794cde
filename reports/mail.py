"""A reminder's e-mail and webhook text in its recipients' language (``BRANDPUNT_MAIL_LANGUAGE``).

A reminder's subject is recorded in the ledger in English, exactly as ``domain.reminders`` writes it
(the recorded text never changes). Each subject is one of ``domain.reminders.SUBJECTS`` filled in,
perhaps behind one of its ``PREFIXES`` (a follow-up, an escalation); this module reads the template
and its values back from the text and says the same in the current language (``reports.i18n``),
with dates, stages and consultation parties in the reader's words. A text that matches no template
(one recorded by an older version) is sent as it is.
"""

from __future__ import annotations

import re
from datetime import date
from functools import cache

from domain.reminders import PREFIXES, SUBJECTS
from reports.i18n import _, day, dutch, term

BODY = "{subject}\n\nCase {case}, stage {stage}."
"""A reminder's e-mail body (``workflows.lead_case``'s notification)."""
KINDS = {"stage": "stage", "party": "party"}


@cache
def _pattern(template: str) -> re.Pattern[str]:
    parts = re.split(r"\{(\w+)\}", template)
    regex = "".join(re.escape(p) if i % 2 == 0 else f"(?P<{p}>.+?)" for i, p in enumerate(parts))
    return re.compile(regex, re.DOTALL)


def _value(name: str, value: str) -> str:
    if name == "day":
        try:
            return day(date.fromisoformat(value))
        except ValueError:
            return value
    return term(value, KINDS[name]) if name in KINDS else value


def subject(text: str) -> str:
    """A recorded reminder subject in the current language (English: as it is)."""
    if not dutch():
        return text
    said = _said(text)
    return said if said is not None else text


def _said(text: str) -> str | None:
    """``text`` said in the current language, or None when no template matches it. A prefix is read
    first (a company's name may hold anything), and only when what follows it matches a subject."""
    for template in PREFIXES:
        found = _pattern(template).fullmatch(text)
        inner = _said(found["subject"]) if found else None
        if found and inner is not None:
            return _(template).format(**{**found.groupdict(), "subject": inner})
    for template in SUBJECTS:
        found = _pattern(template).fullmatch(text)
        if found:
            return _(template).format(**{k: _value(k, v) for k, v in found.groupdict().items()})
    return None


def body(text: str) -> str:
    """A reminder's e-mail body in the current language (English, or a body of another form: as it is)."""
    found = _pattern(BODY).fullmatch(text) if dutch() else None
    if not found:
        return text
    return _(BODY).format(subject=subject(found["subject"]), case=found["case"],
                          stage=term(found["stage"], "stage"))
