"""The reader's language for everything brandpunt writes for people: the catalogue, and numbers.

One :data:`LANGUAGE` per request or report (a ``ContextVar``: the web app sets it per request, the
CLI from ``BRANDPUNT_LANG``/``LANG``, a scheduled report from its recipients' language), read by the
templates (``reports.templating``), the report's formats (``reports.fmt``) and the refusals
(``reports.templating.said``). The catalogues are ``locale/<language>/LC_MESSAGES/messages.po``, read
as they are (nothing to compile); English is the messages' own language.
"""

from __future__ import annotations

import gettext
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from contextvars import ContextVar
from functools import cache
from pathlib import Path

LOCALE = Path(__file__).resolve().parent / "locale"
LANGUAGES = ("en", "nl")
"""The readers' languages: English (the messages' own) and Dutch (``locale/nl``)."""
LANGUAGE: ContextVar[str] = ContextVar("brandpunt_language", default="en")
"""The language the current request or report is rendered in."""
BABEL_LOCALE = {"en": "en_GB", "nl": "nl_NL"}


@cache
def translations(language: str) -> gettext.NullTranslations:
    """The catalogue of ``language``, read from its ``.po`` as it is (nothing to compile); English and
    an unknown language are the messages themselves."""
    import io

    from babel.messages.mofile import write_mo
    from babel.messages.pofile import read_po

    path = LOCALE / language / "LC_MESSAGES" / "messages.po"
    if language == "en" or not path.exists():
        return gettext.NullTranslations()
    with path.open("rb") as fh:
        catalog = read_po(fh, locale=language)
    compiled = io.BytesIO()
    write_mo(compiled, catalog)
    compiled.seek(0)
    return gettext.GNUTranslations(compiled)


def _(message: str) -> str:
    """``message`` in the current reader's language."""
    return translations(LANGUAGE.get()).gettext(message)


def ngettext(singular: str, plural: str, n: int) -> str:
    return translations(LANGUAGE.get()).ngettext(singular, plural, n)


def language_from(env: Mapping[str, str]) -> str:
    """A command line's reader's language: ``BRANDPUNT_LANG``, else the locale's (``LC_ALL``,
    ``LC_MESSAGES``, ``LANG``: ``nl_NL.UTF-8`` is Dutch); English otherwise."""
    for name in ("BRANDPUNT_LANG", "LC_ALL", "LC_MESSAGES", "LANG"):
        value = env.get(name, "").strip().lower()
        if value:
            return "nl" if value.startswith("nl") else "en"
    return "en"


def dutch() -> bool:
    return LANGUAGE.get() == "nl"


@contextmanager
def reading(language: str) -> Iterator[None]:
    """Render what is inside in ``language`` (a report for its recipients, a CLI's output)."""
    token = LANGUAGE.set(language if language in LANGUAGES else "en")
    try:
        yield
    finally:
        LANGUAGE.reset(token)


def number(v: float | int, decimals: int = 0) -> str:
    """``v`` with the reader's separators: 1,234.5 in English, 1.234,5 in Dutch."""
    text = f"{v:,.{decimals}f}"
    return text.translate(str.maketrans(",.", ".,")) if dutch() else text


VOCABULARY = Path(__file__).resolve().parent / "vocabulary.json"


@cache
def vocabulary() -> dict[str, dict[str, dict[str, str]]]:
    """The display names of the vocabulary's values per language (``vocabulary.json``)."""
    import json

    data: dict[str, dict[str, dict[str, str]]] = json.loads(VOCABULARY.read_text(encoding="utf-8"))
    data.pop("_about", None)
    return data


def term(value: object, kind: str) -> str:
    """``value`` (a vocabulary value or its enum member) as its reader calls it: "makelen en
    schakelen" for ``matchmaking`` in Dutch; the value itself when the vocabulary has no name for it."""
    raw = str(getattr(value, "value", value))
    names = vocabulary().get(kind, {}).get(raw)
    return names.get(LANGUAGE.get(), names.get("en", raw)) if names else raw


def day(value: object) -> str:
    """A date as its reader writes it: "24 november 2026", "24 November 2026"."""
    from datetime import date, datetime

    from babel.dates import format_date

    if isinstance(value, datetime):
        value = value.date()
    if not isinstance(value, date):
        return str(value)
    return format_date(value, format="long", locale=BABEL_LOCALE.get(LANGUAGE.get(), "en_GB"))


