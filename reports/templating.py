"""brandpunt's one templating system: Jinja2, autoescaped, every label through gettext.

The impact report, the dossier's timeline and the web app's pages are all templates of this one
environment kind (``reports/templates`` here; the web app adds ``api/web/templates`` above it), so
the dashboard and the printed report are one template and no HTML is built by hand in Python.
Values are escaped by the engine; a chart's markup is a template too (``_charts.html``), fed the
geometry ``reports.svg`` computes.
"""

from __future__ import annotations

import gettext
from collections.abc import Sequence
from contextvars import ContextVar
from functools import cache
from pathlib import Path

import jinja2

from reports import fmt

HERE = Path(__file__).resolve().parent / "templates"
LOCALE = Path(__file__).resolve().parent / "locale"
LANGUAGES = ("en", "nl")
"""The readers' languages: English (the messages' own) and Dutch (``locale/nl``)."""
LANGUAGE: ContextVar[str] = ContextVar("brandpunt_language", default="en")
"""The language the current request or report is rendered in (set by the web app per request)."""


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


BABEL_LOCALE = {"en": "en_GB", "nl": "nl_NL"}
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


def _gettext(message: str) -> str:
    return translations(LANGUAGE.get()).gettext(message)


def _ngettext(singular: str, plural: str, n: int) -> str:
    return translations(LANGUAGE.get()).ngettext(singular, plural, n)


def environment(*above: Path) -> jinja2.Environment:
    """A template environment over ``above`` (searched first) and the report templates."""
    env = jinja2.Environment(loader=jinja2.FileSystemLoader([*above, HERE]), autoescape=True,
                             extensions=["jinja2.ext.i18n"], undefined=jinja2.StrictUndefined,
                             trim_blocks=True, lstrip_blocks=True, keep_trailing_newline=True)
    env.install_gettext_callables(_gettext, _ngettext, newstyle=True)  # type: ignore[attr-defined]  # added by the i18n extension
    env.globals.update({name: getattr(fmt, name) for name in (
        "n", "count", "eur", "value", "pct", "step", "change", "entry_meta", "demo_line", "offers_line",
        "corrections_line", "period_line", "previous_line", "scaleups_line")})
    env.filters["day"] = day
    env.filters["term"] = term
    env.globals.update(NAMES=fmt.NAMES, WHERE=fmt.WHERE, COUNTERFACTUAL=fmt.COUNTERFACTUAL, OUTCOMES=fmt.OUTCOMES,
                       REFERRALS=fmt.REFERRALS, COLUMNS=fmt.COLUMNS)
    return env


@cache
def reports_environment() -> jinja2.Environment:
    return environment()


def render(template: str, dirs: Sequence[Path] = (), **context: object) -> str:
    env = environment(*dirs) if dirs else reports_environment()
    return env.get_template(template).render(**context)
