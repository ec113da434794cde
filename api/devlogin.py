"""The development sign-in of ``brandpunt dev``: pick one of the demo users, no password.

Anyone who reaches it can be anyone listed, so it exists only where that is the point: the
embedded default on a developer's machine. :func:`api.app.create_app` refuses it unless
development mode is explicit (``BRANDPUNT_DEV_LOGIN=1``, which only ``brandpunt dev`` sets, in its
own process), ``brandpunt web`` refuses to start with that variable set, and ``brandpunt dev``
serves the API on a loopback address only. Every page of it says so in red.
"""

from __future__ import annotations

from dataclasses import dataclass
from html import escape

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from api import identity
from api.forms import form
from client.errors import BadInput
from domain.access import Actor, Role

BANNER = ("DEVELOPMENT SIGN-IN: anyone who can open this page can act as any user below. "
          "It exists only under `brandpunt dev`; never expose it.")


@dataclass(frozen=True)
class DemoUser:
    subject: str
    organisation: str
    roles: tuple[Role, ...]
    what: str

    @property
    def actor(self) -> Actor:
        return Actor(subject=self.subject, organisation=self.organisation, roles=frozenset(self.roles))


DEMO_USERS: tuple[DemoUser, ...] = (
    DemoUser("bom.coordinator", "bom", (Role.COORDINATOR,), "coordinator at BOM (Brabant)"),
    DemoUser("oost.coordinator", "oost-nl", (Role.COORDINATOR,), "coordinator at Oost NL"),
    DemoUser("nfia.coordinator", "nfia", (Role.COORDINATOR,), "coordinator at the NFIA"),
    DemoUser("taskforce.lead", "innovationquarter", (Role.TASKFORCE_LEAD,),
             "taskforce lead (the coordinating ROM): the national overview"),
    DemoUser("ez.monitor", "ez", (Role.MONITOR,), "monitor at the Ministry (EZ): impact reports only"),
    DemoUser("auditor", "audit-office", (Role.AUDITOR,), "auditor: reads every case, acts on none"),
    DemoUser("admin", "bom", (Role.ADMIN,), "administrator: roles and sharing rules, no case content"),
)
BY_SUBJECT = {u.subject: u for u in DEMO_USERS}


def page() -> str:
    rows = "\n".join(
        f'<li><button name="user" value="{escape(u.subject)}">{escape(u.subject)}</button> '
        f"{escape(u.what)} (<code>{escape(u.organisation)}</code>; roles "
        f"{escape(', '.join(r.value for r in u.roles))})</li>"
        for u in DEMO_USERS
    )
    return f"""<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>brandpunt: development sign-in</title></head>
<body>
<p style="background:#b00020;color:#fff;padding:1em;font-weight:bold">{escape(BANNER)}</p>
<h1>Sign in as a demo user</h1>
<form method="post" action="/auth/dev"><ul>
{rows}
</ul></form>
<p>For the command line: <code>brandpunt login --dev-user bom.coordinator</code>.</p>
</body></html>
"""


def router() -> APIRouter:
    routes = APIRouter(prefix="/auth/dev", tags=["sign-in"])

    @routes.get("", response_class=HTMLResponse, summary="Development sign-in: pick a demo user (brandpunt dev only)")
    async def choose() -> HTMLResponse:
        return HTMLResponse(page())

    @routes.post("", summary="Development sign-in as one demo user (form field user)")
    async def sign_in(request: Request) -> Response:
        user = (await form(request)).get("user", "")
        demo = BY_SUBJECT.get(user)
        if demo is None:
            raise BadInput(f"user: not a demo user; one of {', '.join(BY_SUBJECT)}", "user")
        await request.app.state.host.note_roles(demo.actor, "development sign-in")
        identity.sign_in(request, demo.actor, request.app.state.host.clock().timestamp())
        return RedirectResponse("/", status_code=303)

    return routes
