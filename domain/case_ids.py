"""The one rule for case ids, applied at every entry: CLI, API, workflow input, ledger.

A case id is also the Temporal workflow id, which Temporal never encrypts: it shows in the Web UI,
in visibility queries, in traces and in every URL. So new case ids name nothing: a readable serial
``BP-<year>-<number>`` (``BP-2026-0042``), handed out by the ledger. Ids issued before this rule
(``lead-photon-forge-bv``) stay valid so their cases keep working; nothing issues them any more.

Why these limits: at most 100 characters (the ledger's columns and Temporal's limits hold far more,
so no valid id can fail in a database), letters, digits and dashes only (safe in a URL path, a
visibility query and a file name without escaping), starting with a letter or digit.
"""

from __future__ import annotations

import re
from typing import TypeGuard

CASE_ID_MAX = 100
PATTERN = re.compile(r"^[A-Za-z0-9][A-Za-z0-9-]{0,99}$")
PREFIX = "BP"
SERIAL = re.compile(r"^BP-(\d{4})-(\d{4,})$")


class InvalidCaseId(ValueError):
    """A case id that breaks the rule; the message says what a valid one looks like."""


def valid(case_id: object) -> TypeGuard[str]:
    return isinstance(case_id, str) and len(case_id) <= CASE_ID_MAX and PATTERN.match(case_id) is not None


def require(case_id: object) -> str:
    """``case_id`` if it follows the rule; else :class:`InvalidCaseId` naming the rule."""
    if valid(case_id):
        return case_id
    shown = repr(case_id)[:60]
    raise InvalidCaseId(
        f"case id {shown} is not valid: letters, digits and dashes, at most {CASE_ID_MAX} "
        f"characters, like {PREFIX}-2026-0042"
    )


def serial_id(year: int, number: int) -> str:
    """The case id of the ``number``-th case of ``year``: ``BP-2026-0042``."""
    if not (1 <= number and 2000 <= year <= 9999):
        raise ValueError(f"no serial case id for year {year}, number {number}")
    return f"{PREFIX}-{year:04d}-{number:04d}"
