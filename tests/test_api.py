"""The API end to end: HTTP -> identity -> may() -> the client library -> a real dev server and
worker -> the ledger. Who may read and act on which case (the permission matrix, cell by cell),
that nothing is written when the API refuses, that every event's actor is the authenticated
subject, and that the monitor reaches no company's name."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
import pytest
import pytest_asyncio

from client import http as client_http
from client.api import CaseFilter
from client.errors import CommandRefused, Forbidden
from domain.access import Actor, Role
from tests import factories as f
from tests.api_env import (
    ADMIN,
    AUDITOR,
    BASE,
    BOM_COORDINATOR,
    MONITOR,
    OOST_COORDINATOR,
    TASKFORCE_LEAD,
    Api,
    api,
    api_with_worker,
    settings_for,
)

SECRET_COMPANY = "Zwijgzaam Fotonica BV"
SECRET_KVK = "87654321"
SECRET_CONTACT = "Geertruida Geheim"
SECRET_REASON = "Zwijgzaam wil geen tweede locatie"  # a coordinator's free text, naming the company


def lead(region: str, company: str, kvk: str, hotspot: str, phase: int) -> dict[str, Any]:
    return {**f.LEAD, "home_region": region, "company": company, "kvk": kvk, "hotspot": hotspot,
            "phase": phase, "contact": {"name": SECRET_CONTACT if company == SECRET_COMPANY else "Piet Publiek",
                                    "email": "contact@example.org"}}


BOM_LEAD = lead("bom", SECRET_COMPANY, SECRET_KVK, "brainport-eindhoven", 1)
OOST_LEAD = lead("oost-nl", "Oostwaarts Quantum BV", "11223344", "twente", 2)  # phase 2: its inbox has the articulation
SHARED_LEAD = lead("oost-nl", "Gedeelde Sensoren BV", "99887766", "twente", 1)  # Oost NL's, shared with BOM


@pytest_asyncio.fixture(scope="module")
async def env(dev_server_env, tmp_path_factory):
    """One worker, ledger and API for the module, with a BOM case and an Oost NL case started
    through the API by their own coordinators."""
    async with api_with_worker(dev_server_env.client, tmp_path_factory.mktemp("api"), "api") as a:
        for name, actor, body in (("bom", BOM_COORDINATOR, BOM_LEAD), ("oost", OOST_COORDINATOR, OOST_LEAD),
                                  ("shared", OOST_COORDINATOR, SHARED_LEAD)):
            done = await a.http.post("/api/cases", headers=a.as_(actor), json={"lead": body, "reason": "met"})
            assert done.status_code == 201, done.text
            a.case_ids[name] = done.json()["state"]["case_id"]
        shared = await a.http.post(f"/api/cases/{a.case_ids['shared']}/commands", headers=a.as_(OOST_COORDINATOR),
                                   json={"type": "share", "share_with": "bom", "purpose": "a site in Brabant",
                                         "until": "2099-12-31"})
        assert shared.status_code == 200, shared.text
        yield a


def case_of(env: Api, which: str) -> str:
    return env.case_ids[which]


def note(text: str = "called the CFO") -> dict[str, Any]:
    return {"type": "note", "text": text, "kind": "call"}


# --- the permission matrix, cell by cell, through the API --------------------------------------------

ROLES = {
    "coordinator": BOM_COORDINATOR,
    "taskforce-lead": Actor("lotte.lead", "bom", frozenset({Role.TASKFORCE_LEAD})),
    "auditor": Actor("astrid.audit", "bom", frozenset({Role.AUDITOR})),
    "monitor": Actor("mark.ez", "bom", frozenset({Role.MONITOR})),
    "admin": ADMIN,
}
"""One actor per role, all of BOM: "own" is the BOM case, "other" the Oost NL one."""

MATRIX: dict[str, dict[str, dict[str, int]]] = {
    # role -> action -> {case: the status the API answers}; "share": share the case with LIOF
    "coordinator": {"read": {"own": 200, "shared": 200, "other": 404}, "act": {"own": 200, "shared": 200, "other": 404},
                    "share": {"own": 200, "shared": 403, "other": 404}},
    "taskforce-lead": {a: {"own": 404, "shared": 404, "other": 404} for a in ("read", "act", "share")},
    "auditor": {"read": {"own": 200, "shared": 200, "other": 200}, "act": {"own": 403, "shared": 403, "other": 403},
                "share": {"own": 403, "shared": 403, "other": 403}},
    "monitor": {a: {"own": 404, "shared": 404, "other": 404} for a in ("read", "act", "share")},
    "admin": {a: {"own": 404, "shared": 404, "other": 404} for a in ("read", "act", "share")},
}
"""What the README's permission table says, for a case of the caller's organisation (own), one of Oost NL
shared with it (shared) and one of Oost NL not shared (other). 404, not 403, where the caller may not even
read the case: another organisation's case is not to be known to exist. 403 where it may read but not act."""

GLOBAL: dict[str, dict[str, int]] = {
    "coordinator": {"start": 201, "start-other-region": 403, "overview": 403, "report": 200},
    "taskforce-lead": {"start": 403, "start-other-region": 403, "overview": 200, "report": 200},
    "auditor": {"start": 403, "start-other-region": 403, "overview": 200, "report": 200},
    "monitor": {"start": 403, "start-other-region": 403, "overview": 403, "report": 200},
    "admin": {"start": 403, "start-other-region": 403, "overview": 403, "report": 403},
}


@pytest.mark.parametrize("role", list(MATRIX))
@pytest.mark.parametrize("action", ["read", "act", "share"])
@pytest.mark.parametrize("which", ["own", "shared", "other"])
async def test_the_permission_matrix_on_a_case(env, role, action, which):
    case_id = case_of(env, {"own": "bom", "shared": "shared", "other": "oost"}[which])
    headers = env.as_(ROLES[role])
    before = env.ledger.count_events(case_prefix=case_id)
    if action == "read":
        answer = await env.http.get(f"/api/cases/{case_id}", headers=headers)
    elif action == "act":
        answer = await env.http.post(f"/api/cases/{case_id}/commands", headers=headers, json=note())
    else:
        answer = await env.http.post(f"/api/cases/{case_id}/commands", headers=headers, json={
            "type": "share", "share_with": "liof", "purpose": "a second opinion", "until": "2099-01-31"})
    expected = MATRIX[role][action][which]
    assert answer.status_code == expected, answer.text
    written = env.ledger.count_events(case_prefix=case_id) - before
    assert written == (1 if action != "read" and expected == 200 else 0)  # a refusal writes nothing
    if expected == 404:
        assert answer.json()["detail"] == f"no case {case_id}, or none you may see"  # as if it did not exist
    if expected == 403:
        assert answer.json()["rule"] == action


@pytest.mark.parametrize("role", list(GLOBAL))
@pytest.mark.parametrize("action", ["start", "start-other-region", "overview", "report"])
async def test_the_permission_matrix_beyond_one_case(env, role, action):
    headers = env.as_(ROLES[role])
    before = env.ledger.count_events()
    if action.startswith("start"):
        region = "bom" if action == "start" else "oost-nl"
        body = {"lead": {**BOM_LEAD, "home_region": region, "company": f"Matrix {role} {action} BV", "kvk": None},
                "demo": True}
        answer = await env.http.post("/api/cases", headers=headers, json=body)
    elif action == "overview":
        answer = await env.http.get("/api/overview", headers=headers)
    else:
        answer = await env.http.get("/api/reports/impact", headers=headers, params={"period": "2026"})
    assert answer.status_code == GLOBAL[role][action], answer.text
    assert env.ledger.count_events() - before == (1 if answer.status_code == 201 else 0)
    if action == "start-other-region" and role == "coordinator":
        problem = answer.json()
        assert problem["field"] == "lead.home_region" and problem["rule"] == "home-region-of-another-organisation"
        assert "Oost NL" in problem["detail"]


@pytest.mark.parametrize("role", list(MATRIX))
async def test_a_listing_holds_exactly_the_cases_the_caller_may_read(env, role):
    answer = await env.http.get("/api/cases", headers=env.as_(ROLES[role]), params={"include_demo": "true"})
    assert answer.status_code == 200
    listed = {c["case_id"] for c in answer.json()["cases"]}
    module_cases = {case_of(env, "bom"): "own", case_of(env, "shared"): "shared", case_of(env, "oost"): "other"}
    readable = {c for c, which in module_cases.items() if MATRIX[role]["read"][which] == 200}
    assert listed & set(module_cases) == readable
    owners = {(c["owner"], c["case_id"] == case_of(env, "shared")) for c in answer.json()["cases"]}
    if role == "coordinator":
        assert owners == {("bom", False), ("oost-nl", True)}  # its own ROM's cases, and the one shared with it
    elif role != "auditor":
        assert listed == set()


# --- a coordinator of BOM and an Oost NL case --------------------------------------------------------


async def test_a_bom_coordinator_cannot_read_or_act_on_an_oost_nl_case_and_can_on_a_bom_case(env):
    oost, bom = case_of(env, "oost"), case_of(env, "bom")
    headers = env.as_(BOM_COORDINATOR)
    before = env.ledger.count_events()
    for answer in (
        await env.http.get(f"/api/cases/{oost}", headers=headers),
        await env.http.post(f"/api/cases/{oost}/commands", headers=headers, json=note()),
        await env.http.post(f"/api/cases/{oost}/commands", headers=headers, json={"type": "change-phase", "phase": 2}),
    ):
        assert answer.status_code == 404
    assert oost not in {c["case_id"] for c in (await env.http.get("/api/cases", headers=headers)).json()["cases"]}
    assert env.ledger.count_events() == before
    logged = len(env.ledger.access_log.entries(bom))
    shown = await env.http.get(f"/api/cases/{bom}", headers=headers)
    assert shown.status_code == 200 and shown.json()["state"]["lead"]["company"] == SECRET_COMPANY
    assert len(env.ledger.access_log.entries(bom)) == logged  # its own ROM's file: no access-log entry
    acted = await env.http.post(f"/api/cases/{bom}/commands", headers=headers, json=note("visited the site"))
    assert acted.status_code == 200 and acted.json()["events"][0]["type"] == "NoteRecorded"
    assert env.ledger.count_events() == before + 1


async def test_an_auditor_reads_every_case_and_acts_on_none(env):
    headers = env.as_(AUDITOR)
    for which in ("bom", "oost"):
        case_id = case_of(env, which)
        before = len(env.ledger.access_log.entries(case_id))
        assert (await env.http.get(f"/api/cases/{case_id}", headers=headers)).status_code == 200
        opened = env.ledger.access_log.entries(case_id)[before:]  # the owner can see who looked, and why
        assert [(x.entry.kind.value, x.entry.subject, x.entry.organisation, x.entry.purpose) for x in opened] == \
            [("read-case", "astrid.audit", "audit-office", "audit")]
        before = env.ledger.count_events()
        refused = await env.http.post(f"/api/cases/{case_id}/commands", headers=headers, json=note())
        assert refused.status_code == 403
        assert refused.headers["content-type"] == "application/problem+json"
        assert refused.json()["rule"] == "act" and "coordinator role" in refused.json()["detail"]
        assert env.ledger.count_events() == before  # nothing written


# --- who acted --------------------------------------------------------------------------------------------


async def test_every_event_is_recorded_as_the_authenticated_subject(env):
    headers = env.as_(BOM_COORDINATOR)
    body = {"lead": {**BOM_LEAD, "company": "Actor Check BV", "kvk": None}, "demo": True}
    started = await env.http.post("/api/cases", headers=headers, json=body)
    case_id = started.json()["state"]["case_id"]
    for command in (note(), {"type": "change-phase", "phase": 2, "reason": "grew"},
                    {"type": "update", "changes": {"coordinator": "anna@bom.example"}}):
        assert (await env.http.post(f"/api/cases/{case_id}/commands", headers=headers, json=command)).status_code == 200
    rows = env.ledger.events(case_id)
    by_people = [r for r in rows if r.event.command_id]
    assert len(by_people) == 4
    assert {(r.actor, r.organisation) for r in by_people} == {("anna.bom", "bom")}
    assert {r.actor for r in rows} - {"brandpunt-reminders"} == {"anna.bom"}  # and the case's own reminders
    shown = (await env.http.get(f"/api/cases/{case_id}", headers=headers)).json()
    assert [r["actor"] for r in shown["timeline"] if r["command_id"]] == ["anna.bom"] * 4


async def test_a_refused_command_comes_back_as_the_rule_and_field_it_broke(env):
    case_id = case_of(env, "bom")
    before = env.ledger.count_events()
    refused = await env.http.post(f"/api/cases/{case_id}/commands", headers=env.as_(BOM_COORDINATOR),
                                  json={"type": "start-realisation"})
    assert refused.status_code == 409
    problem = refused.json()
    assert problem["type"] == "/problems/command-refused" and problem["rule"] and problem["case_id"] == case_id
    invalid = await env.http.post(f"/api/cases/{case_id}/commands", headers=env.as_(BOM_COORDINATOR),
                                  json={"type": "change-phase", "phase": 9})
    assert invalid.status_code == 422 and invalid.json()["field"] == "phase"
    system = await env.http.post(f"/api/cases/{case_id}/commands", headers=env.as_(BOM_COORDINATOR),
                                 json={"type": "record-reminder", "key": "x"})
    assert system.status_code in (409, 422)
    assert env.ledger.count_events() == before


# --- the monitor ------------------------------------------------------------------------------------------


async def test_the_monitor_sees_no_company_name_anywhere_it_can_reach(env):
    coordinator = env.as_(BOM_COORDINATOR)
    closed = {"lead": {**BOM_LEAD, "company": f"{SECRET_COMPANY} Twee", "kvk": None}}
    case_id = (await env.http.post("/api/cases", headers=coordinator, json=closed)).json()["state"]["case_id"]
    done = await env.http.post(f"/api/cases/{case_id}/commands", headers=coordinator,
                               json={"type": "close", "outcome": "no_proposition_possible", "bottleneck": "energy",
                                     "reason": SECRET_REASON})
    assert done.status_code == 200, done.text
    year = datetime.now(UTC).year
    auditor = await env.http.get("/api/reports/impact", headers=env.as_(AUDITOR), params={"period": str(year)})
    assert auditor.status_code == 200 and SECRET_REASON not in auditor.text  # no case file is quoted, to anyone

    monitor = env.as_(MONITOR)
    reached = [
        await env.http.get("/api/me", headers=monitor),
        await env.http.get("/api/cases", headers=monitor, params={"include_demo": "true"}),
        await env.http.get("/api/cases", headers=monitor, params={"company": "Zwijgzaam"}),
        await env.http.get(f"/api/cases/{case_of(env, 'bom')}", headers=monitor),
        await env.http.get(f"/api/cases/{case_id}", headers=monitor),
        await env.http.post(f"/api/cases/{case_id}/commands", headers=monitor, json=note()),
        await env.http.post("/api/cases/similar", headers=monitor, json=BOM_LEAD),
        await env.http.get("/api/inbox", headers=monitor, params={"within_days": 3660, "include_demo": "true"}),
        await env.http.get("/api/overview", headers=monitor),
        await env.http.get("/api/reports/impact", headers=monitor, params={"period": str(year)}),
        await env.http.get("/api/reports/impact", headers=monitor, params={"period": f"{year}", "include_demo": "true"}),
        await env.http.get("/api/tokens", headers=monitor),
        await env.http.get("/openapi.json"),
    ]
    report = reached[9]
    assert report.status_code == 200 and report.json()["signals"]["no_proposition"]["cases"]  # the signal is there
    assert reached[1].json() == {"cases": []}
    for answer in reached:
        for secret in (SECRET_COMPANY.split()[0], SECRET_KVK, SECRET_CONTACT.split()[1], "tweede locatie"):
            assert secret not in answer.text, (answer.request.url, secret)


async def test_the_taskforce_lead_sees_the_pipeline_without_identities(env):
    answer = await env.http.get("/api/overview", headers=env.as_(TASKFORCE_LEAD), params={"include_demo": "true"})
    assert answer.status_code == 200
    rows = answer.json()["cases"]
    assert rows and set(rows[0]) == {"stage", "outcome", "region", "hotspot", "technology_domain", "phase"}
    assert {"bom", "oost-nl"} <= {r["region"] for r in rows}
    assert sum(answer.json()["by_region"].values()) == len(rows)
    for secret in (SECRET_COMPANY.split()[0], SECRET_KVK, "Oostwaarts", case_of(env, "bom")):
        assert secret not in answer.text


async def test_a_possible_duplicate_in_another_organisation_is_counted_not_named(env):
    oost_twin = {**OOST_LEAD, "home_region": "bom"}  # the same company, now at BOM's door
    answer = await env.http.post("/api/cases/similar", headers=env.as_(BOM_COORDINATOR), json=oost_twin)
    assert answer.status_code == 200
    assert answer.json() == {"cases": [], "elsewhere": 1}
    mine = await env.http.post("/api/cases/similar", headers=env.as_(BOM_COORDINATOR), json=BOM_LEAD)
    assert [c["case_id"] for c in mine.json()["cases"]] == [case_of(env, "bom")]


async def test_the_inbox_holds_only_the_callers_cases(env):
    bom = await env.http.get("/api/inbox", headers=env.as_(BOM_COORDINATOR), params={"within_days": 3660})
    oost = await env.http.get("/api/inbox", headers=env.as_(OOST_COORDINATOR), params={"within_days": 3660})
    assert bom.status_code == oost.status_code == 200
    bom_cases = {i["case_id"] for i in bom.json()["items"]}
    oost_cases = {i["case_id"] for i in oost.json()["items"]}
    assert case_of(env, "oost") in oost_cases and case_of(env, "oost") not in bom_cases
    assert not bom_cases & oost_cases
    bad = await env.http.get("/api/inbox", headers=env.as_(BOM_COORDINATOR), params={"within_days": 99999})
    assert bad.status_code == 422 and bad.json()["field"] == "within_days"


# --- the client library over HTTP against the real worker ---------------------------------------------


async def test_http_cases_start_act_read_and_list_like_local_cases(env):
    transport = httpx.ASGITransport(app=env.app)
    token = env.as_(BOM_COORDINATOR)["Authorization"].removeprefix("Bearer ")
    async with client_http.HttpCases(BASE, token, transport=transport) as cases:
        start = f.start(company="Over HTTP BV", kvk=None, phase=1, demo=True).model_copy(
            update={"actor": client_http.SIGNED_IN, "organisation": None})
        result = await cases.start(start)
        case_id = result.state.case_id
        assert result.events[0].actor == "anna.bom" and result.events[0].organisation == "bom"
        again = await cases.act(case_id, f.command("note", text="over http").model_copy(
            update={"actor": "anna.bom", "organisation": "bom", "command_id": "note-over-http-1"}))
        assert again.events[0].type == "NoteRecorded"
        duplicate = await cases.act(case_id, f.command("note", text="over http").model_copy(
            update={"actor": client_http.SIGNED_IN, "organisation": None, "command_id": "note-over-http-1"}))
        # a retry with the same command id is applied once (Temporal answers the first update's result)
        assert duplicate.duplicate or duplicate.events == again.events
        assert [r.event.command_id for r in env.ledger.events(case_id)].count("note-over-http-1") == 1
        view = await cases.read(case_id)
        local = await env.app.state.host.cases.read(case_id)
        assert view.state == local.state
        assert [(r.seq, r.hash, r.payload, r.actor) for r in view.timeline] == \
            [(r.seq, r.hash, r.payload, r.actor) for r in local.timeline]
        assert case_id not in {s.case_id for s in await cases.list()}  # a demo case: left out unless asked
        assert case_id in {s.case_id for s in await cases.list(CaseFilter(include_demo=True))}
        with pytest.raises(CommandRefused) as refused:
            await cases.act(case_id, f.command("start-realisation").model_copy(
                update={"actor": client_http.SIGNED_IN, "organisation": None}))
        assert refused.value.case_id == case_id and refused.value.rule
        with pytest.raises(Forbidden) as other_region:
            await cases.start(f.start(home_region="oost-nl").model_copy(
                update={"actor": client_http.SIGNED_IN, "organisation": None}))
        assert other_region.value.field == "lead.home_region"
        with pytest.raises(client_http.BadInput, match="actor: the API records"):
            await cases.act(case_id, f.command("note", text="as someone else"))  # actor test-coordinator
        assert await cases.inbox(timedelta(days=1)) is not None


async def test_a_deadline_beyond_the_apis_bounds_is_refused_naming_it(env):
    headers = env.as_(BOM_COORDINATOR)
    for deadline in (0, 301):
        bad = await env.http.post(f"/api/cases/{case_of(env, 'bom')}/commands", headers=headers, json=note(),
                                  params={"deadline": deadline})
        assert bad.status_code == 422 and bad.json()["field"] == "deadline"


async def test_the_taskforce_lead_is_told_of_one_company_at_two_roms_without_its_identity(env):
    """Last in this module: it adds a case. BOM starts the Oost NL company's lead under another name;
    its coordinator was only told "elsewhere: 1"; the taskforce lead's list names the two cases and
    the two organisations, never the company or its KvK number."""
    twin = {**OOST_LEAD, "home_region": "bom", "company": "Oost Twin Holding BV", "hotspot": "brainport-eindhoven"}
    twin_id = f.serial()
    started = await env.http.post("/api/cases", headers=env.as_(BOM_COORDINATOR),
                                  json={"lead": twin, "case_id": twin_id, "reason": "met at a fair"})
    assert started.status_code == 201, started.text
    told = await env.http.get("/api/duplicates", headers=env.as_(TASKFORCE_LEAD))
    assert told.status_code == 200, told.text
    groups = [g for g in told.json()["duplicates"] if twin_id in {c["case_id"] for c in g["cases"]}]
    assert len(groups) == 1 and groups[0]["matched_on"] == "kvk"
    assert {(c["case_id"], c["organisation"]) for c in groups[0]["cases"]} == {
        (twin_id, "bom"), (case_of(env, "oost"), "oost-nl")}
    for secret in ("Oostwaarts", "Twin Holding", OOST_LEAD["kvk"]):
        assert secret not in told.text
    for someone in (BOM_COORDINATOR, MONITOR):
        refused = await env.http.get("/api/duplicates", headers=env.as_(someone))
        assert refused.status_code == 403 and "duplicates" in refused.json()["detail"]
    token = env.as_(TASKFORCE_LEAD)["Authorization"].removeprefix("Bearer ")
    async with client_http.HttpCases(BASE, token, transport=httpx.ASGITransport(app=env.app)) as cases:
        listed = await cases.duplicates()
    assert [(d.matched_on, {c.case_id for c in d.cases}) for d in listed if twin_id in {c.case_id for c in d.cases}] \
        == [("kvk", {twin_id, case_of(env, "oost")})]


async def test_health_and_readiness_need_no_sign_in_and_name_no_case(env, tmp_path):
    assert (await env.http.get("/healthz")).json() == {"status": "ok"}
    ready = await env.http.get("/readyz")
    assert ready.status_code == 200 and ready.json() == {"status": "ready", "ledger": "ok", "temporal": "ok"}
    config = settings_for(tmp_path, "postgresql+psycopg://nobody@127.0.0.1:1/nothing",
                          TEMPORAL_ADDRESS="127.0.0.1:1")
    async with api(config, None) as down:  # neither its ledger nor its Temporal is there
        assert (await down.http.get("/healthz")).status_code == 200
        answer = await down.http.get("/readyz")
        assert answer.status_code == 503 and answer.json()["status"] == "not ready"
        assert answer.json()["ledger"] != "ok" and answer.json()["temporal"] != "ok"
        assert "nobody" not in answer.text and "127.0.0.1" not in answer.text  # no URL, no user
