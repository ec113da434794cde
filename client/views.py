"""How a case is named and shown: the case-id check and the flat summary every listing gives.

Light on purpose (no Temporal client, no database driver): a CLI command's start-up time is mostly
its imports.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from client.errors import BadInput
from domain import case_ids

if TYPE_CHECKING:
    from domain.state import CaseState


def check_case_id(case_id: object) -> str:
    """``case_id`` if it follows the case-id rule (``domain.case_ids``); else :class:`BadInput`."""
    try:
        return case_ids.require(case_id)
    except case_ids.InvalidCaseId as err:
        raise BadInput(str(err), "case_id") from None


def new_command_id(kind: str) -> str:
    """A new id for a ``kind`` command: the transports send it as the update's id, so a retry with
    the same id is applied once (``client.api.with_command_id``)."""
    import uuid

    return f"{kind}-{uuid.uuid4()}"


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
        "coordinator": state.lead.coordinator,
        "kvk": state.lead.kvk,
        "updated_at": state.updated_at.isoformat(),
    }
