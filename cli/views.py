"""How a case is named and shown: case ids and the flat summary every listing prints.

Light on purpose (no Temporal client, no database driver): ``lead show`` and ``lead list`` read the
ledger only, and a CLI command's start-up time is mostly its imports.
"""

from __future__ import annotations

import re
import unicodedata
from typing import Any

from cli.errors import BadInput
from domain.state import CaseState

CASE_ID = re.compile(r"^lead-[a-z0-9][a-z0-9-]{0,78}$")


def case_id_for(company: str) -> str:
    """``lead-<slug>`` from a company name: lowercase ASCII, dashes, at most 80 characters."""
    ascii_name = unicodedata.normalize("NFKD", company).encode("ascii", "ignore").decode()
    slug = re.sub(r"[^a-z0-9]+", "-", ascii_name.lower()).strip("-")[:74].strip("-")
    if not slug:
        raise BadInput(f"company name {company!r} gives no usable case id; pass --case-id lead-...")
    return f"lead-{slug}"


def check_case_id(case_id: str) -> str:
    if not CASE_ID.match(case_id):
        raise BadInput(
            f"case id {case_id!r} is not valid: it must look like lead-<lowercase letters, digits, dashes>"
        )
    return case_id


def summary(state: CaseState) -> dict[str, Any]:
    """The case as one flat JSON object: what ``lead list --json`` prints per case."""
    where = state.realisation.location if state.realisation else state.location
    return {
        "case_id": state.case_id,
        **state.facts(),
        "company_type": state.lead.company_type.value,
        "destination": where.hotspot.value if where and where.hotspot else None,
        "destination_region": where.region.value if where else None,
        "bottleneck": state.bottleneck.value if state.bottleneck else None,
        "updated_at": state.updated_at.isoformat(),
    }
