"""brandpunt's one templating system: Jinja2, autoescaped, every label through gettext.

The impact report, the dossier's timeline and the web app's pages are all templates of this one
environment kind (``reports/templates`` here; the web app adds ``api/web/templates`` above it), so
the dashboard and the printed report are one template and no HTML is built by hand in Python.
Values are escaped by the engine; a chart's markup is a template too (``_charts.html``), fed the
geometry ``reports.svg`` computes.
"""

from __future__ import annotations

from collections.abc import Sequence
from functools import cache
from pathlib import Path

import jinja2

from domain.messages import N_
from reports import fmt
from reports.i18n import BABEL_LOCALE, LANGUAGE, LANGUAGES, LOCALE, day, term, translations, vocabulary

__all__ = ["BABEL_LOCALE", "HERE", "LANGUAGE", "LANGUAGES", "LOCALE", "environment", "render", "said", "term",
           "translations", "vocabulary"]

HERE = Path(__file__).resolve().parent / "templates"

REFUSED = N_("refused for {case}: {message}")
PARAM_KINDS = {"stage": "stage", "stages": "stage", "region": "region", "in_region": "region",
               "home_region": "region", "hotspot": "hotspot", "outcome": "outcome", "company_type": "company_type",
               "detected": "company_type", "party": "party", "verdict": "verdict", "note_kind": "note_kind",
               "bottleneck": "bottleneck"}
"""A refusal's parameters that are vocabulary values, and their vocabulary (named in the reader's words)."""


def _param(name: str, value: object) -> str:
    if hasattr(value, "template") and hasattr(value, "params"):  # a sentence within a sentence (client.story)
        return said(value)
    if isinstance(value, list):
        return ", ".join(_param(name, v) for v in value)
    if name == "day":
        from datetime import date

        try:
            return day(date.fromisoformat(value) if isinstance(value, str) else value)
        except ValueError:
            return str(value)
    kind = PARAM_KINDS.get(name)
    return term(value, kind) if kind else str(value)


def said(err: object) -> str:
    """A refusal or an invalid input (``client.errors.BadInput`` and kin) in the reader's language:
    its template through the catalogue, with its parameters named in the reader's words, and each
    invalid field's problem by its stable type (``domain.messages``); in English, and for anything
    without a template, the message as it is."""
    from domain.messages import VALIDATION

    found = getattr(err, "said", None)
    if found is None and hasattr(err, "template") and hasattr(err, "params"):
        found = err  # a sentence that keeps its template (client.story.Words)
    if found is None or LANGUAGE.get() == "en":
        return str(err)
    lines = []
    for p in getattr(found, "problems", ()):
        template = VALIDATION.get(str(p.get("type")))
        ctx = p.get("ctx") if isinstance(p.get("ctx"), dict) else {}
        try:
            problem = _gettext(template).format(**ctx) if template else str(p.get("message"))
        except (KeyError, IndexError, ValueError):
            problem = str(p.get("message"))
        lines.append(f"{p.get('field')}: {problem}")
    if lines:
        return "\n".join(lines)
    try:
        text = _gettext(found.template).format(
            field=getattr(err, "field", None), **{k: _param(k, v) for k, v in found.params.items()})
    except (KeyError, IndexError, ValueError):
        return str(err)
    case_id = getattr(err, "case_id", None)
    return _gettext(REFUSED).format(case=case_id, message=text) if case_id else text


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
        "n", "count", "eur", "value", "pct", "step", "change", "entry_meta", "demo_line", "offers_line", "named",
        "corrections_line", "period_line", "previous_line", "scaleups_line")})
    env.filters["day"] = day
    env.filters["term"] = term
    env.filters["said"] = said
    env.globals.update(NAMES=fmt.NAMES, WHERE=fmt.WHERE, COUNTERFACTUAL=fmt.COUNTERFACTUAL, OUTCOMES=fmt.OUTCOMES,
                       REFERRALS=fmt.REFERRALS, COLUMNS=fmt.COLUMNS)
    return env


@cache
def reports_environment() -> jinja2.Environment:
    return environment()


def render(template: str, dirs: Sequence[Path] = (), **context: object) -> str:
    env = environment(*dirs) if dirs else reports_environment()
    return env.get_template(template).render(**context)
