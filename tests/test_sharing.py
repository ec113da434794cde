"""Need-to-know as data in the case (issue 13 points 2, 7, 9): the owner recorded with the lead, shares
decided by the owner's coordinators, revoked and expired shares, a location in another region proposing
a share, and owners given to cases started before owners were recorded. Through the API against a real
worker on the session's dev server, and the client library for what operators do."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
import pytest_asyncio

from client import temporal as transport
from client.errors import CaseEnded
from domain.access import Actor, Role
from domain.events import OWNER_RULE
from tests import factories as f
from tests.api_env import ADMIN, BOM_COORDINATOR, OOST_COORDINATOR, api_with_worker

LIOF_COORDINATOR = Actor("lia.liof", "liof", frozenset({Role.COORDINATOR}))
LEAD = {**f.LEAD, "home_region": "bom", "company": "Gedeeld Fotonica BV", "kvk": "55667788",
        "hotspot": "brainport-eindhoven", "phase": 1}



@pytest_asyncio.fixture(scope="module")
async def env(dev_server_env, tmp_path_factory):
    async with api_with_worker(dev_server_env.client, tmp_path_factory.mktemp("sharing"), "sharing") as a:
        yield a


async def start(env, lead: dict[str, Any] | None = None) -> str:
    case_id = f.serial()
    done = await env.http.post("/api/cases", headers=env.as_(BOM_COORDINATOR),
                               json={"lead": lead or LEAD, "case_id": case_id, "reason": "met at the fair"})
    assert done.status_code == 201, done.text
    return case_id


async def command(env, actor: Actor, case_id: str, **body: Any):
    return await env.http.post(f"/api/cases/{case_id}/commands", headers=env.as_(actor), json=body)


def note(text: str = "a call") -> dict[str, Any]:
    return {"type": "note", "text": text}


async def test_a_case_is_another_roms_to_see_only_while_shared_with_it(env):
    case_id = await start(env)
    assert env.ledger.events(case_id)[0].event.owner == "bom"  # recorded with the lead, by the rule
    shown = await env.http.get(f"/api/cases/{case_id}", headers=env.as_(BOM_COORDINATOR))
    assert shown.json()["state"]["owner"] == "bom"
    assert (await env.http.get(f"/api/cases/{case_id}", headers=env.as_(OOST_COORDINATOR))).status_code == 404
    assert (await command(env, OOST_COORDINATOR, case_id, **note())).status_code == 404
    events = len(env.ledger.events(case_id))

    until = (env.clock.now + timedelta(days=30)).date().isoformat()
    shared = await command(env, BOM_COORDINATOR, case_id, type="share", share_with="oost-nl",
                           purpose="grid consultation in Twente", until=until, reason="location in Oost NL")
    assert shared.status_code == 200, shared.text
    assert shared.json()["events"][0]["type"] == "CaseShared"
    seen = await env.http.get(f"/api/cases/{case_id}", headers=env.as_(OOST_COORDINATOR))
    assert seen.status_code == 200 and seen.json()["state"]["lead"]["company"] == LEAD["company"]
    logged = [e.entry for e in env.ledger.access_log.entries(case_id)]
    assert [(e.subject, e.purpose) for e in logged] == [
        ("otto.oost", f"shared for grid consultation in Twente until {until}")]
    acted = await command(env, OOST_COORDINATOR, case_id, **note("met the grid operator"))
    assert acted.status_code == 200 and acted.json()["events"][0]["organisation"] == "oost-nl"
    listed = await env.http.get("/api/cases", headers=env.as_(OOST_COORDINATOR))
    assert case_id in {c["case_id"] for c in listed.json()["cases"]}
    assert (await env.http.get(f"/api/cases/{case_id}", headers=env.as_(LIOF_COORDINATOR))).status_code == 404

    onward = await command(env, OOST_COORDINATOR, case_id, type="share", share_with="liof", purpose="x", until=until)
    assert onward.status_code == 403 and "only the owning organisation" in onward.json()["detail"]
    revoked = await command(env, BOM_COORDINATOR, case_id, type="revoke-share", share_with="oost-nl",
                            reason="consultation done")
    assert revoked.status_code == 200, revoked.text
    assert (await env.http.get(f"/api/cases/{case_id}", headers=env.as_(OOST_COORDINATOR))).status_code == 404
    assert (await command(env, OOST_COORDINATOR, case_id, **note())).status_code == 404
    assert [r.type for r in env.ledger.events(case_id)][events:] == ["CaseShared", "NoteRecorded", "ShareRevoked"]


async def test_a_share_ends_on_its_last_day(env):
    case_id = await start(env)
    today = env.clock.now.date().isoformat()
    shared = await command(env, BOM_COORDINATOR, case_id, type="share", share_with="oost-nl", purpose="a visit",
                           until=today)
    assert shared.status_code == 200, shared.text
    assert (await env.http.get(f"/api/cases/{case_id}", headers=env.as_(OOST_COORDINATOR))).status_code == 200
    before = env.clock.now
    try:
        env.clock.now = before + timedelta(days=1)
        assert (await env.http.get(f"/api/cases/{case_id}", headers=env.as_(OOST_COORDINATOR))).status_code == 404
        assert (await command(env, OOST_COORDINATOR, case_id, **note())).status_code == 404
    finally:
        env.clock.now = before


async def test_sharing_refuses_what_makes_no_sense_naming_the_field_and_writes_nothing(env):
    case_id = await start(env)
    before = len(env.ledger.events(case_id))
    until = (env.clock.now + timedelta(days=7)).date().isoformat()
    past = (env.clock.now - timedelta(days=2)).date().isoformat()
    for body, field in (
        ({"share_with": "bom", "purpose": "x", "until": until}, "share_with"),  # the owner itself
        ({"share_with": "acme-corp", "purpose": "x", "until": until}, "share_with"),  # no such organisation
        ({"share_with": "oost-nl", "purpose": "x", "until": past}, "until"),
        ({"share_with": "oost-nl", "purpose": "   ", "until": until}, "purpose"),
    ):
        refused = await command(env, BOM_COORDINATOR, case_id, type="share", **body)
        assert refused.status_code in (400, 409, 422), (body, refused.text)
        assert refused.json()["field"] == field, (body, refused.json())
    nothing = await command(env, BOM_COORDINATOR, case_id, type="revoke-share", share_with="oost-nl")
    assert nothing.status_code in (400, 409, 422) and nothing.json()["field"] == "share_with"
    operator = await command(env, BOM_COORDINATOR, case_id, type="assign-owner", owner="oost-nl", rule="mine now")
    assert operator.status_code == 422 and operator.json()["field"] == "type"
    assert len(env.ledger.events(case_id)) == before


async def test_a_corrected_home_region_does_not_move_the_case_to_another_rom(env):
    case_id = await start(env)
    moved = await command(env, BOM_COORDINATOR, case_id, type="update",
                          changes={"home_region": "oost-nl", "hotspot": "twente"}, reason="it is in Enschede")
    assert moved.status_code == 200, moved.text
    assert moved.json()["state"]["lead"]["home_region"] == "oost-nl" and moved.json()["state"]["owner"] == "bom"
    assert (await env.http.get(f"/api/cases/{case_id}", headers=env.as_(OOST_COORDINATOR))).status_code == 404
    assert (await env.http.get(f"/api/cases/{case_id}", headers=env.as_(BOM_COORDINATOR))).status_code == 200


async def test_a_location_in_another_region_asks_the_owner_to_share_with_its_rom(env):
    case_id = await start(env)
    for cmd in f.happy_path(env.clock.now.date())[:3]:  # needs, matches, a location in Twente (Oost NL)
        body = cmd.model_dump(mode="json", exclude={"actor", "organisation", "command_id"}, exclude_none=True)
        answered = await command(env, BOM_COORDINATOR, case_id, **body)
        assert answered.status_code == 200, answered.text
    assert [e["type"] for e in answered.json()["events"]] == ["LocationChosen", "SharingProposed"]
    inbox = await env.http.get("/api/inbox", headers=env.as_(BOM_COORDINATOR), params={"within_days": 1})
    asked = [i for i in inbox.json()["items"] if i["case_id"] == case_id and i["rule"] == "sharing"]
    assert [i["key"] for i in asked] == ["share:oost-nl"] and "Oost NL" in asked[0]["subject"]
    text = await env.http.get(f"/api/cases/{case_id}", headers={**env.as_(BOM_COORDINATOR), "Accept": "text/plain"})
    assert "to share?    the location proposed sharing with the ROM of oost-nl" in text.text
    until = (env.clock.now + timedelta(days=60)).date().isoformat()
    assert (await command(env, BOM_COORDINATOR, case_id, type="share", share_with="oost-nl",
                          purpose="municipal and grid consultation", until=until)).status_code == 200
    inbox = await env.http.get("/api/inbox", headers=env.as_(BOM_COORDINATOR), params={"within_days": 1})
    assert not [i for i in inbox.json()["items"] if i["case_id"] == case_id and i["rule"] == "sharing"]


async def test_cases_started_before_owners_were_recorded_get_theirs_once_by_the_rule(env):
    case_id = f.serial()
    await transport.start(env.client, env.queue, f.start(home_region="liof", hotspot=None), case_id)
    assert env.ledger.case_state(case_id).owner is None  # as a case started by the code before this
    found = [x async for x in env.cases.assign_owners(dry_run=True) if x[0] == case_id]
    assert found == [(case_id, "liof", None)] and env.ledger.case_state(case_id).owner is None
    done = [x async for x in env.cases.assign_owners() if x[0] == case_id]
    assert done == [(case_id, "liof", None)]
    rows = env.ledger.events(case_id)
    assert rows[-1].type == "OwnerAssigned" and rows[-1].event.owner == "liof"
    assert OWNER_RULE in rows[-1].event.rule
    assert [x async for x in env.cases.assign_owners() if x[0] == case_id] == []  # once
    assert len(env.ledger.events(case_id)) == len(rows)


async def test_an_owner_is_recorded_once_by_an_operator_and_an_ended_case_is_named_not_skipped_silently(env):
    case_id = f.serial()
    await transport.start(env.client, env.queue, f.start(home_region="nom", hotspot="groningen"), case_id)
    await transport.execute(env.client, case_id, f.command("close", outcome="withdrawn",
                                                           reason="the company stopped"))
    await env.client.get_workflow_handle(case_id).terminate("as a case whose workflow has left Temporal")
    found = [x async for x in env.cases.assign_owners() if x[0] == case_id]
    assert len(found) == 1 and found[0][2] and "resume" in found[0][2]
    with pytest.raises(CaseEnded):
        await env.cases.act(case_id, f.command("note", text="x"))


async def test_offboarding_revokes_the_tokens_and_hands_the_open_cases_over_in_one_recorded_step(env):
    leaving = Actor("anna.leaves", "bom", frozenset({Role.COORDINATOR}))
    hers = [await start(env, {**LEAD, "company": f"Haar Zaak {i} BV", "kvk": None, "coordinator": "Anna.Leaves"})
            for i in range(2)]
    oost = f.serial()
    started = await env.http.post("/api/cases", headers=env.as_(OOST_COORDINATOR), json={
        "case_id": oost, "lead": {**LEAD, "home_region": "oost-nl", "hotspot": "twente", "kvk": None,
                                  "company": "Niet van BOM BV", "coordinator": "anna.leaves"}})
    assert started.status_code == 201, started.text
    headers = env.as_(leaving)
    assert (await env.http.get("/api/me", headers=headers)).status_code == 200
    body = {"subject": "anna.leaves", "to": "ben.bom", "reason": "Anna moved to another job"}
    refused = await env.http.post("/api/admin/offboard", headers=env.as_(BOM_COORDINATOR), json=body)
    assert refused.status_code == 403 and (await env.http.get("/api/me", headers=headers)).status_code == 200
    same = await env.http.post("/api/admin/offboard", headers=env.as_(ADMIN), json={**body, "to": "ANNA.leaves"})
    assert same.status_code == 422 and same.json()["field"] == "to"

    done = await env.http.post("/api/admin/offboard", headers=env.as_(ADMIN), json=body)
    assert done.status_code == 200, done.text
    assert done.json()["tokens_revoked"] == 1 and sorted(done.json()["handed_over"]) == sorted(hers)
    assert done.json()["not_handed_over"] == {}
    assert (await env.http.get("/api/me", headers=headers)).status_code == 401
    for case_id in hers:
        last = env.ledger.events(case_id)[-1]
        assert (last.type, last.event.lead.coordinator, last.actor) == ("LeadUpdated", "ben.bom", ADMIN.subject)
    assert env.ledger.case_state(oost).lead.coordinator == "anna.leaves"  # Oost NL's case is Oost NL's to hand over
    entries = [e.entry for e in env.ledger.access_log.entries() if e.entry.kind.value == "offboard"]
    assert len(entries) == 1 and entries[0].subject == ADMIN.subject
    assert entries[0].detail.startswith("anna.leaves: 1 token(s) revoked; 2 open case(s) handed to ben.bom: ")
    assert set(hers) <= set(entries[0].detail.split(": ")[-1].split(", "))
    assert env.ledger.access_log.problems() == []


async def test_a_serial_taken_in_temporal_but_not_in_the_ledger_is_skipped_not_refused(env):
    """A ledger restored from an older backup, or a second ledger on one Temporal namespace (as each test
    module's ledger on the session's dev server): the serial it hands out next may name a workflow that
    exists. The start takes the next serial instead of failing with "already exists"."""
    from temporalio.exceptions import WorkflowAlreadyStartedError

    from domain.case_ids import serial_id

    year, number = (int(x) for x in env.ledger.allocate_case_id().split("-")[1:])
    taken = serial_id(year, number + 1)
    try:  # (on the session's server another module's case may hold it already: taken either way)
        await env.client.start_workflow("LeadCaseWorkflow", id=taken, task_queue=f"nobody-{taken}")
        ours = True
    except WorkflowAlreadyStartedError:
        ours = False
    try:
        result = await env.cases.start(f.start(phase=1).model_copy(update={"organisation": "bom"}))
        got = int(result.state.case_id.rsplit("-", 1)[1])
        assert result.state.case_id.startswith(f"BP-{year}-") and got > number + 1
        assert not env.ledger.events(taken)  # nothing was written under the taken id
    finally:
        if ours:
            await env.client.get_workflow_handle(taken).terminate("test over")
