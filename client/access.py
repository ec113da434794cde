"""Who a case belongs to and who it is shared with, as the client library and the API host decide
access (``domain.access.may`` takes what :func:`access_of` gives).

Need-to-know is data in the case: its owner (``LeadDetected.owner``, or ``OwnerAssigned`` for a case
started before owners were recorded) and its shares (``CaseShared``, ``ShareRevoked``), folded into
``CaseState``. The owner is decided once, when the lead starts, by the rule ``domain.events.OWNER_RULE``
(the ROM of the lead's home region: "Omdat dit doorgaans gaat om bedrijven die onder NDA staan bij de
ROM's, zijn zij een sleutelspeler", sources/002), and then never follows a corrected home region. A
case with no owner recorded yet (started before this, and not yet given one by ``brandpunt cases
assign-owners``) is read by the same rule, so nobody else's coordinators see it meanwhile.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date

from domain.access import CaseAccess
from domain.duplicates import Duplicate, Known, possible_duplicates
from domain.models import Lead
from domain.organisations import Organisations
from domain.state import CaseState


def owner_of(lead: Lead, organisations: Organisations) -> str:
    """The organisation a new lead is under NDA with: the ROM of its home region (its id)."""
    return organisations.owner_for(lead.home_region).id


def access_of(state: CaseState, organisations: Organisations) -> CaseAccess:
    """What decides access to the case ``state`` (for ``domain.access.may``): its owner and shares."""
    return state.access(default_owner=owner_of(state.lead, organisations))


def proposed_shares(state: CaseState, organisations: Organisations, on: date) -> list[str]:
    """The ROMs a chosen location proposed sharing with (``SharingProposed``) that the case is not
    shared with now and that do not own it: what the owner's inbox asks them to decide."""
    owner = access_of(state, organisations).owner
    roms = (organisations.owner_for(region).id for region in state.sharing_proposed)
    return [rom for rom in roms if rom != owner and not ((s := state.share_with(rom)) and s.active(on))]


def duplicates(states: Iterable[CaseState], organisations: Organisations) -> list[Duplicate]:
    """The possible duplicates across organisations among ``states`` (demo cases left out), each case
    with its owner as :func:`access_of` decides it (``domain.duplicates``)."""
    return possible_duplicates(
        Known(case_id=s.case_id, owner=access_of(s, organisations).owner, kvk=s.lead.kvk, company=s.lead.company,
              open=s.open)
        for s in states if not s.demo
    )
