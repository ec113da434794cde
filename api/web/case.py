"""A case's page and every action on it as a form (issue 15 points 3 and 4).

The page shows what the case's stage and facts admit (``domain.decide.possible``) and only to whom
``domain.access.may`` lets act (sharing: the owner's coordinators). Each form is built from the one
table of actions (``client.actions``) and goes through the same parser and the same workflow as the
CLI and the JSON API: a refusal is shown beside the field it names with everything typed kept, and
writes nothing; a success swaps the case in without a page load (htmx), or redirects (no script).
Claiming a case and handing it over are the lead's ``coordinator`` changed by an ``update``: one
``LeadUpdated`` event with who, when and why, which the inbox and "my cases" follow.
"""

from __future__ import annotations

from collections import OrderedDict
from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from api import identity, reading
from api.forms import ACTION_FORM_MAX, form_lists
from api.host import Host
from api.problems import not_found
from api.web.common import as_bad_input, caller_of, check_csrf, form_field, partial, render, signed_in
from client import actions
from client.access import access_of, proposed_shares
from client.api import command_from
from client.errors import BadInput, CaseError, Forbidden
from client.forms import body
from client.inbox import items
from client.story import Entry, needs_lines, place, proposal_lines, realisation_line, timeline
from domain.access import Action, Role, may
from domain.decide import possible
from domain.reminders import ReminderRules
from domain.state import CaseState, fold

SHARING = frozenset({"share", "revoke-share"})
TIMELINE_SHOWN = 200
"""Events the page lists, newest first; the rest on asking (``?timeline=all``) and in the dossier."""
REMINDERS_AHEAD = timedelta(days=36_500)
"""A case's page lists every open reminder chain's next step, however far ahead."""
"""Who may see the file is the owner's coordinators' to decide (``Action.SHARE``)."""


class _Stories:
    """A case's events in words (``client.story.timeline``) for the cases read lately, kept with the
    state they were told up to: a page load of an unchanged 1,000-event case neither reads nor folds
    it, and after an action only the new events are read and told."""

    CAPACITY = 256

    def __init__(self) -> None:
        self._kept: OrderedDict[str, tuple[list[Entry], CaseState]] = OrderedDict()

    async def of(self, host: Host, state: CaseState) -> list[Entry]:
        """The story of ``state.case_id`` up to ``state.last_seq``."""
        case_id, last = state.case_id, state.last_seq
        kept = self._kept.get(case_id)
        if kept is not None and kept[1].last_seq == last:
            self._kept.move_to_end(case_id)
            return kept[0]
        since = kept[1] if kept is not None and kept[1].last_seq < last else None
        after = since.last_seq if since is not None else 0
        rows = await host.run(lambda ledger: ledger.events(case_id, upto_seq=last, after_seq=after))
        events = [r.event for r in rows]
        story = (kept[0] if since is not None and kept is not None else []) + timeline(events, since)
        told = fold(events, since)
        if told is not None and told.last_seq == last:
            self._kept[case_id] = (story, told)
            self._kept.move_to_end(case_id)
            while len(self._kept) > self.CAPACITY:
                self._kept.popitem(last=False)
        return story


_STORIES = _Stories()


@dataclass(frozen=True)
class FormState:
    """A form sent back: which one (its id prefix), what was typed, the refusal and the field it names."""

    prefix: str
    values: dict[str, Any] = field(default_factory=dict)
    error: BadInput | None = None
    field: str | None = None


def grouped(lines: list[str]) -> list[tuple[str, list[str]]]:
    """``client.story.proposal_lines`` as (proposal, its reasons): a reason line is indented "- "."""
    out: list[tuple[str, list[str]]] = []
    for line in lines:
        if line.lstrip().startswith("- ") and out:
            out[-1][1].append(line.lstrip()[2:])
        else:
            out.append((line, []))
    return out


async def context(request: Request, caller: identity.Caller, case_id: str, record_read: bool = True,
                  show_all: bool = False) -> dict[str, Any]:
    """Everything the case page shows ``caller`` (404 when they may not read it): the state as
    projected with the chain, the case's events in words (the latest :data:`TIMELINE_SHOWN` unless
    ``show_all``), its open reminders, and the actions it offers them."""
    from domain.access_log import AccessKind

    host: Host = request.app.state.host
    state, decision = await reading.readable(host, caller, case_id)
    access = access_of(state, host.organisations)
    now = host.clock()
    if record_read and caller.organisation != access.owner:  # recorded before it is shown, as by the JSON API
        await host.record_access(caller.actor, AccessKind.READ_CASE, decision.reason, case_id=case_id)
    adopted = await host.run(lambda ledger: ledger.reminder_rules())
    reminders = items([state], adopted.rules if adopted else ReminderRules(), now, REMINDERS_AHEAD)
    story = await _STORIES.of(host, state)
    shown = story if show_all else story[-TIMELINE_SHOWN:]
    may_act = bool(may(caller.actor, Action.ACT, access, now))
    may_share = bool(may(caller.actor, Action.SHARE, access, now))
    offered = [actions.ACTIONS[k] for k in possible(state, now.date())
               if k in actions.ACTIONS and k != "note" and (may_share if k in SHARING else may_act)]
    colleagues = (await host.run(lambda ledger: ledger.access_log.holders(caller.organisation, Role.COORDINATOR.value))
                  if may_act else [])
    return {"state": state, "reminders": reminders, "story": shown, "events": len(story),
            "returns": [e for e in story if e.went_back],
            "owner": host.organisations.get(access.owner), "access": access, "may_act": may_act,
            "offered": offered, "actions_by_kind": actions.ACTIONS,
            "coordinator_field": actions.ACTIONS["update"].field("coordinator"), "colleagues": colleagues,
            "needs": needs_lines(state.needs) if state.needs else [],
            "proposals": grouped(proposal_lines(state.proposals)),
            "proposed_shares": [host.organisations.get(o) or o for o in
                                proposed_shares(state, host.organisations, now.date())],
            "location": place(state.location) if state.location else None,
            "realisation": realisation_line(state.realisation) if state.realisation else None,
            "today": now.date(), "form": None, "flash": None}


def router() -> APIRouter:
    routes = APIRouter(include_in_schema=False)

    @routes.get("/app/cases/{case_id}", response_class=HTMLResponse)
    async def case(request: Request, case_id: str) -> Response:
        caller = signed_in(request)
        if caller is None:
            return RedirectResponse("/", status_code=303)
        values = await context(request, caller, case_id, show_all=request.query_params.get("timeline") == "all")
        values["flash"] = request.session.pop("flash", None)
        return render(request, "case.html", caller=caller, **values)

    @routes.post("/app/cases/{case_id}/actions/{kind}", response_class=HTMLResponse)
    async def act(request: Request, case_id: str, kind: str) -> Response:
        """One action from its form: the same checks as ``POST /api/cases/{id}/commands``, then the
        case as it is now (htmx) or a redirect to its page; refused, the form comes back as sent."""
        caller = caller_of(request)
        sent = await form_lists(request, ACTION_FORM_MAX)
        check_csrf(caller, (sent.get("csrf") or [""])[0])
        host: Host = request.app.state.host
        action = actions.ACTIONS.get(kind)
        if action is None:
            raise not_found(f"action {kind}")
        state, _ = await reading.readable(host, caller, case_id)
        rule = Action.SHARE if kind in SHARING else Action.ACT
        allowed = may(caller.actor, rule, access_of(state, host.organisations), host.clock())
        if not allowed:
            raise Forbidden(f"{kind} on {case_id}: {allowed.reason}", rule=rule.value)
        prefix = (sent.get("form") or [kind])[0][:40]
        reason = (sent.get("reason") or [""])[0].strip()
        typed: dict[str, Any] = {}
        try:
            typed = actions.typed(action, sent)
            command = command_from(kind, body(typed, action.paths), {
                "actor": caller.subject, "organisation": caller.organisation, "reason": reason or None,
                "command_id": None})
            await host.cases.act(case_id, command)
        except (BadInput, CaseError) as err:  # shown beside the field it names; nothing was written
            error = as_bad_input(err)
            where = form_field(getattr(err, "field", None), {**action.paths, "reason": ("reason",)})
            shown = {**{k: (v if len(v) > 1 else v[0]) for k, v in sent.items() if k in action.paths}, **typed,
                     "reason": reason}
            values = await context(request, caller, case_id, record_read=False)
            values["form"] = FormState(prefix, shown, error, where)
            return render(request, "case.html", status=422, block="case" if partial(request) else None,
                          caller=caller, **values)
        if partial(request):
            values = await context(request, caller, case_id, record_read=False)
            values["flash"] = f"{action.title}: recorded."
            return render(request, "case.html", block="case", caller=caller, **values)
        request.session["flash"] = f"{action.title}: recorded."
        return RedirectResponse(f"/app/cases/{case_id}" + ("#timeline" if kind == "note" else ""),
                                status_code=303)

    return routes
