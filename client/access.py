"""Who a case belongs to, as the client library and the API host decide access today.

Until the ledger records a case's owner and its shares (``CaseShared`` / ``ShareRevoked``, issue
13 point 2), a case is owned by the ROM of its lead's home region and shared with nobody: "Companies
are under NDA with their ROM" (DOMAIN.md); the programme: "Omdat dit doorgaans gaat om bedrijven
die onder NDA staan bij de ROM's, zijn zij een sleutelspeler." :func:`access_of` is the one place
that says so; when the ownership events land it folds them instead, and nothing else changes.
"""

from __future__ import annotations

from collections.abc import Iterable

from domain.access import CaseAccess
from domain.duplicates import Duplicate, Known, possible_duplicates
from domain.models import Lead
from domain.organisations import Organisations
from domain.state import CaseState


def owner_of(lead: Lead, organisations: Organisations) -> str:
    """The organisation a lead is under NDA with: the ROM of its home region (its id)."""
    return organisations.owner_for(lead.home_region).id


def access_of(state: CaseState, organisations: Organisations) -> CaseAccess:
    """What decides access to the case ``state`` (for ``domain.access.may``): its owner and shares."""
    return CaseAccess(owner=owner_of(state.lead, organisations), shares=())


def duplicates(states: Iterable[CaseState], organisations: Organisations) -> list[Duplicate]:
    """The possible duplicates across organisations among ``states`` (demo cases left out), each case
    with its owner as :func:`access_of` decides it (``domain.duplicates``)."""
    return possible_duplicates(
        Known(case_id=s.case_id, owner=access_of(s, organisations).owner, kvk=s.lead.kvk, company=s.lead.company,
              open=s.open)
        for s in states if not s.demo
    )
