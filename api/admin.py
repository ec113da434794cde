"""Administrative acts of the API host: offboarding a coordinator.

"People come and go: ... offboarding a coordinator revokes their tokens and hands their open cases
to a named colleague in one recorded step" (issue 13). An administrator (``Action.ADMIN``, no case
content) revokes every token of the person who leaves, hands each open case of their own
organisation that they coordinate to the colleague (an ``update`` of the coordinator in each case,
so the inbox and "my cases" follow the colleague, recorded in each case's chain), and the whole act
is one entry in the access log naming what was done.
"""

from __future__ import annotations

import hashlib

from fastapi import APIRouter, Depends, Request
from pydantic import BaseModel, ConfigDict, Field

from api.host import Host
from api.identity import ACT, Caller, needs
from client.access import access_of
from client.api import CaseFilter, command_from
from client.errors import BadInput, CaseError, Forbidden
from domain import bounds as b
from domain.access import Action, may
from domain.access_log import AccessKind

SHOWN_IN_DETAIL = 20
"""Case ids named in the access log entry; more are counted (the entry's detail is bounded)."""


class OffboardRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")

    subject: str = Field(min_length=1, max_length=b.NAME_MAX, description="who leaves (their sign-in subject)")
    to: str = Field(min_length=1, max_length=b.NAME_MAX, description="the colleague who takes their cases over")
    reason: str | None = Field(default=None, max_length=b.REASON_MAX)


class Offboarded(BaseModel):
    subject: str
    to: str
    tokens_revoked: int
    handed_over: list[str] = Field(description="the case ids now coordinated by the colleague")
    not_handed_over: dict[str, str] = Field(description="case id -> why it could not be handed over")


def _detail(body: OffboardRequest, revoked: int, done: list[str], failed: dict[str, str]) -> str:
    named = ", ".join(done[:SHOWN_IN_DETAIL]) + (f" and {len(done) - SHOWN_IN_DETAIL} more"
                                                 if len(done) > SHOWN_IN_DETAIL else "")
    text = f"{body.subject}: {revoked} token(s) revoked; {len(done)} open case(s) handed to {body.to}"
    text += f": {named}" if done else ""
    text += f"; {len(failed)} not handed over: {', '.join(sorted(failed))[:200]}" if failed else ""
    return text[: b.REASON_MAX]


def router() -> APIRouter:
    routes = APIRouter(prefix="/api/admin", tags=["admin"])

    @routes.post("/offboard", response_model=Offboarded,
                 summary="Offboard a coordinator: revoke their tokens, hand their open cases to a colleague")
    async def offboard(request: Request, body: OffboardRequest, caller: Caller = Depends(needs(ACT))) -> Offboarded:
        host: Host = request.app.state.host
        allowed = may(caller.actor, Action.ADMIN)
        if not allowed:
            raise Forbidden(f"offboard: {allowed.reason}", rule="role")
        if body.to.casefold() == body.subject.casefold():
            raise BadInput("to: the colleague who takes the cases over is someone else", "to")
        now = host.clock()
        revoked = await host.run(lambda ledger: ledger.tokens.revoke_all(body.subject, now))
        theirs = await host.cases.list(CaseFilter(coordinator=body.subject, include_demo=True))
        ours = [s for s in theirs if s.open and access_of(s, host.organisations).owner == caller.organisation]
        done: list[str] = []
        failed: dict[str, str] = {}
        why = body.reason or f"{body.subject} leaves: the cases go to {body.to}"
        who = hashlib.sha256(body.subject.encode()).hexdigest()[:12]  # an update id names nobody (Temporal shows it)
        for state in ours:
            command = command_from("update", {"changes": {"coordinator": body.to}}, {
                "actor": caller.subject, "organisation": caller.organisation, "reason": why,
                "command_id": f"offboard-{who}-{state.case_id}-{now:%Y%m%d}"})
            try:
                await host.cases.act(state.case_id, command)
            except CaseError as err:
                failed[state.case_id] = str(err)
                continue
            done.append(state.case_id)
        await host.record_access(caller.actor, AccessKind.OFFBOARD, why, detail=_detail(body, revoked, done, failed))
        return Offboarded(subject=body.subject, to=body.to, tokens_revoked=revoked, handed_over=done,
                          not_handed_over=failed)

    return routes
