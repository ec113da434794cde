"""What a caller may read, for every page and endpoint of the API host: one case (404 when it may
not be read, exactly as when it does not exist) and the readable part of a list; and whether they may
start a case for a lead.

Shared by the JSON API (``api/app.py``) and the web pages (``api/web``), so both decide by the same
``domain.access.may`` over the same ``client.access.access_of``.
"""

from __future__ import annotations

from api.host import Host
from api.identity import Caller
from api.problems import not_found
from client.access import access_of, owner_of
from client.errors import Forbidden
from client.views import check_case_id
from domain.access import Action, Decision, may
from domain.models import Lead
from domain.state import CaseState


async def readable(host: Host, caller: Caller, case_id: str) -> tuple[CaseState, Decision]:
    """The case's current state and why ``caller`` may read it; else the not-found problem."""
    check_case_id(case_id)
    state = await host.run(lambda ledger: ledger.case_state(case_id))
    if state is None:
        raise not_found(case_id)
    decision = may(caller.actor, Action.READ, access_of(state, host.organisations), host.clock())
    if not decision:  # 404, not 403: that another ROM has a case under this id is its NDA's to keep
        raise not_found(case_id)
    return state, decision


def visible(host: Host, caller: Caller, states: list[CaseState]) -> list[CaseState]:
    """The states of ``states`` that ``caller`` may read."""
    now = host.clock()
    return [s for s in states if may(caller.actor, Action.READ, access_of(s, host.organisations), now)]


def check_start(host: Host, caller: Caller, lead: Lead) -> None:
    """``caller`` may start a case for ``lead``: the role, and a lead of their own ROM's region (the
    company is under NDA with its home ROM); else :class:`Forbidden` naming the field and rule."""
    allowed = may(caller.actor, Action.START)
    if not allowed:
        raise Forbidden(f"start: {allowed.reason}", rule="role")
    owner = owner_of(lead, host.organisations)
    if owner != caller.organisation:
        rom = host.organisations.get(owner)
        raise Forbidden(
            f"lead.home_region: a lead of {lead.home_region.value} is under NDA with "
            f"{rom.name if rom else owner}, whose coordinators start it; a case belongs to the ROM of its "
            "home region (pass the lead on, or correct the region)", "lead.home_region",
            rule="home-region-of-another-organisation")
