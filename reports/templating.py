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
from functools import cache
from pathlib import Path

import jinja2

from reports import fmt

HERE = Path(__file__).resolve().parent / "templates"


def environment(*above: Path) -> jinja2.Environment:
    """A template environment over ``above`` (searched first) and the report templates."""
    env = jinja2.Environment(loader=jinja2.FileSystemLoader([*above, HERE]), autoescape=True,
                             extensions=["jinja2.ext.i18n"], undefined=jinja2.StrictUndefined,
                             trim_blocks=True, lstrip_blocks=True, keep_trailing_newline=True)
    env.install_gettext_translations(gettext.NullTranslations(), newstyle=True)  # type: ignore[attr-defined]  # added by the i18n extension
    env.globals.update({name: getattr(fmt, name) for name in (
        "n", "count", "eur", "value", "pct", "step", "change", "entry_meta", "demo_line", "offers_line",
        "corrections_line", "period_line", "previous_line", "scaleups_line")})
    env.globals.update(NAMES=fmt.NAMES, WHERE=fmt.WHERE, COUNTERFACTUAL=fmt.COUNTERFACTUAL, OUTCOMES=fmt.OUTCOMES,
                       REFERRALS=fmt.REFERRALS, COLUMNS=fmt.COLUMNS)
    return env


@cache
def reports_environment() -> jinja2.Environment:
    return environment()


def render(template: str, dirs: Sequence[Path] = (), **context: object) -> str:
    env = environment(*dirs) if dirs else reports_environment()
    return env.get_template(template).render(**context)
