"""The web app's first slice (issue 15) through the real app, a worker and the development sign-in:
pages answer only who may read, a note is recorded from a form (and from htmx without a reload), a
refused note says why beside its field and writes nothing, a company name never stands in a URL, and
every page carries the strict Content-Security-Policy."""

from __future__ import annotations

import re
from pathlib import Path

import httpx
import pytest_asyncio

from api.web import CSP, HTMX
from tests import factories as f
from tests.api_env import BASE, api_with_worker

LEAD = {**f.LEAD, "home_region": "bom", "company": "Webzichtbaar Fotonica BV", "kvk": "31415926",
        "hotspot": "brainport-eindhoven", "phase": 1}
OOST = {**f.LEAD, "home_region": "oost-nl", "company": "Oostelijk Geheim BV", "kvk": "27182818",
        "hotspot": "twente", "phase": 1}



@pytest_asyncio.fixture(scope="module")
async def env(dev_server_env, tmp_path_factory):
    async with api_with_worker(dev_server_env.client, tmp_path_factory.mktemp("web"), "web", dev_login=True) as a:
        for name, lead in (("bom", LEAD), ("oost", OOST)):
            case_id = f.serial()
            user = "bom.coordinator" if name == "bom" else "oost.coordinator"
            async with browser(a, user) as http:
                csrf = (await http.get("/api/me")).json()["csrf_token"]
                done = await http.post("/api/cases", json={"lead": lead, "case_id": case_id},
                                       headers={"X-CSRF-Token": csrf})
                assert done.status_code == 201, done.text
            a.case_ids[name] = case_id
        yield a


def browser(env, user: str):
    """A browser of its own (its own cookies), signed in through the development sign-in on first use."""
    http = httpx.AsyncClient(transport=httpx.ASGITransport(app=env.app), base_url=BASE, follow_redirects=False)

    class Signed:
        async def __aenter__(self) -> httpx.AsyncClient:
            signed = await http.post("/auth/dev", data={"user": user})
            assert signed.status_code == 303, signed.text
            return http

        async def __aexit__(self, *exc: object) -> None:
            await http.aclose()

    return Signed()


def csrf_of(page: str) -> str:
    found = re.search(r'name="csrf" value="([^"]+)"', page)
    assert found, "no CSRF token in the page"
    return found.group(1)


async def test_pages_need_a_session_and_carry_the_content_security_policy(env):
    anonymous = httpx.AsyncClient(transport=httpx.ASGITransport(app=env.app), base_url=BASE)
    async with anonymous:
        assert (await anonymous.get("/app")).status_code == 303
        assert (await anonymous.get(f"/app/cases/{env.case_ids['bom']}")).status_code == 303
    async with browser(env, "bom.coordinator") as http:
        for path in ("/app", "/app/cases", f"/app/cases/{env.case_ids['bom']}"):
            page = await http.get(path)
            assert page.status_code == 200, (path, re.findall(r"role=\"alert\">([^<]*)<", page.text))
            assert page.headers["content-security-policy"] == CSP and "'unsafe-inline'" not in CSP
            assert "<script>" not in page.text and "style=" not in page.text  # nothing inline: the CSP allows none
            assert '<html lang="en">' in page.text and 'href="#main"' in page.text
        if Path(HTMX).exists():
            js = await http.get("/static/htmx.min.js")
            assert js.status_code == 200 and "htmx" in js.text[:2000]


async def test_a_coordinator_sees_their_cases_and_not_another_roms(env):
    async with browser(env, "bom.coordinator") as http:
        listed = await http.get("/app/cases")
        assert env.case_ids["bom"] in listed.text and LEAD["company"] in listed.text
        assert env.case_ids["oost"] not in listed.text and OOST["company"] not in listed.text
        hidden = await http.get(f"/app/cases/{env.case_ids['oost']}")
        assert hidden.status_code == 404 and OOST["company"] not in hidden.text
        page = await http.get(f"/app/cases/{env.case_ids['bom']}")
        assert "Owned by BOM" in page.text and LEAD["company"] in page.text and "Timeline" in page.text
        found = await http.post("/app/cases", data={"q": "webzichtbaar", "csrf": csrf_of(listed.text)})
        assert found.status_code == 200 and env.case_ids["bom"] in found.text
        assert "webzichtbaar" not in str(found.request.url).lower()  # the name went in the body, not the URL
        stale = await http.post("/app/cases", data={"q": "webzichtbaar", "csrf": "not-the-token"})
        assert stale.status_code == 403
    async with browser(env, "ez.monitor") as http:
        for path in ("/app", "/app/cases"):
            page = await http.get(path)
            assert LEAD["company"] not in page.text and OOST["company"] not in page.text
        assert (await http.get(f"/app/cases/{env.case_ids['bom']}")).status_code == 404


async def test_a_note_from_the_form_and_from_htmx_and_a_refused_one_beside_its_field(env):
    case_id = env.case_ids["bom"]
    async with browser(env, "bom.coordinator") as http:
        page = await http.get(f"/app/cases/{case_id}")
        csrf = csrf_of(page.text)
        before = len(env.ledger.events(case_id))
        posted = await http.post(f"/app/cases/{case_id}/actions/note", data={"text": "met the CFO", "kind": "meeting",
                                                                     "csrf": csrf})
        assert posted.status_code == 303 and posted.headers["location"] == f"/app/cases/{case_id}#timeline"
        swapped = await http.post(f"/app/cases/{case_id}/actions/note", data={"text": "called back", "kind": "call",
                                                                      "csrf": csrf}, headers={"HX-Request": "true"})
        assert swapped.status_code == 200 and "<html" not in swapped.text  # the partial only: form and timeline
        assert swapped.text.index("called back") < swapped.text.index("met the CFO")  # newest first
        assert [r.event.text for r in env.ledger.events(case_id)[before:]] == ["met the CFO", "called back"]
        assert {r.actor for r in env.ledger.events(case_id)[before:]} == {"bom.coordinator"}
        refused = await http.post(f"/app/cases/{case_id}/actions/note", data={"text": "", "kind": "call", "csrf": csrf},
                                  headers={"HX-Request": "true"})
        assert refused.status_code == 422
        assert 'aria-invalid="true"' in refused.text and 'id="note-text-error"' in refused.text
        assert "text" in re.search(r'id="note-text-error"[^>]*>([^<]*)<', refused.text).group(1)
        no_token = await http.post(f"/app/cases/{case_id}/actions/note", data={"text": "x", "kind": "call"})
        assert no_token.status_code == 403
        assert len(env.ledger.events(case_id)) == before + 2  # the refused ones wrote nothing
    async with browser(env, "oost.coordinator") as http:
        other = await http.get("/app")
        outsider = await http.post(f"/app/cases/{case_id}/actions/note", data={"text": "peek", "kind": "call",
                                                                        "csrf": csrf_of(other.text) if 'name="csrf"' in other.text else ""})
        assert outsider.status_code in (403, 404)
    assert len(env.ledger.events(case_id)) == before + 2


def test_proposals_are_grouped_with_their_reasons():
    from api.web.case import grouped as _grouped

    assert _grouped(["1. twente (oost-nl) score 1.00, viable", "     - space: ok", "     - energy: ok",
                     "2. almere (horizon-flevoland) score 0.20, not viable"]) == [
        ("1. twente (oost-nl) score 1.00, viable", ["space: ok", "energy: ok"]),
        ("2. almere (horizon-flevoland) score 0.20, not viable", [])]


async def test_a_new_lead_from_the_form_with_its_field_errors_and_the_duplicate_warning(env):
    async with browser(env, "bom.coordinator") as http:
        page = await http.get("/app/leads/new")
        assert page.status_code == 200 and '<option value="bom" selected>' in page.text
        csrf = csrf_of(page.text)
        fields = {"company": "Formulier Fotonica BV", "kvk": OOST["kvk"], "region": "bom", "hotspot": "none",
                  "domain": "photonics", "type": "scaleup", "phase": "1", "contact-name": "", "csrf": csrf}
        before = env.ledger.count_events()
        missing = await http.post("/app/leads", data=fields)
        assert missing.status_code == 422 and 'id="f-contact-name-error"' in missing.text
        assert 'value="Formulier Fotonica BV"' in missing.text  # nothing typed is lost
        elsewhere = await http.post("/app/leads", data={**fields, "contact-name": "F. Orm", "region": "oost-nl"})
        assert elsewhere.status_code == 422 and 'id="f-region-error"' in elsewhere.text and "Oost NL" in elsewhere.text
        assert env.ledger.count_events() == before  # refused: nothing started
        started = await http.post("/app/leads", data={**fields, "contact-name": "F. Orm"})
        assert started.status_code == 303, started.text
        case_id = started.headers["location"].rsplit("/", 1)[-1]
        shown = await http.get(started.headers["location"])
        assert "1 case(s) elsewhere" in shown.text and "Formulier Fotonica BV" in shown.text
        assert env.case_ids["oost"] not in shown.text and OOST["company"] not in shown.text
        assert "1 case(s) elsewhere" not in (await http.get(started.headers["location"])).text  # said once
        state = env.ledger.case_state(case_id)
        assert (state.owner, state.lead.hotspot, state.lead.contact.name) == ("bom", None, "F. Orm")


def action_form(page: str, kind: str) -> str:
    """The HTML of the form ``kind`` on a case page ("" when the page does not offer it)."""
    found = re.search(rf'<form id="{kind}-form".*?</form>', page, re.S)
    return found.group(0) if found else ""


async def test_a_case_from_detection_to_realisation_through_its_forms(env):
    """Every step by the form its stage offers; a refused one beside its field, writing nothing;
    claimed, handed over and shared; the other ROM then finds it in its inbox."""
    from datetime import date, timedelta

    async with browser(env, "bom.coordinator") as http:
        created = await http.post("/api/cases", json={"lead": {**LEAD, "company": "Formenloop BV", "kvk": "16180339",
                                                               "coordinator": None}, "case_id": f.serial()},
                                  headers={"X-CSRF-Token": (await http.get("/api/me")).json()["csrf_token"]})
        case_id = created.json()["state"]["case_id"]
        page = (await http.get(f"/app/cases/{case_id}")).text
        csrf = csrf_of(page)
        assert action_form(page, "articulate-needs") and not action_form(page, "realise")
        assert not action_form(page, "propose-matches")  # no needs yet
        assert not action_form(page, "revoke-share")  # shared with nobody

        async def send(kind: str, form: str | None = None, **fields: str) -> httpx.Response:
            return await http.post(f"/app/cases/{case_id}/actions/{kind}", headers={"HX-Request": "true"},
                                   data={**fields, "csrf": csrf, **({"form": form} if form else {})})

        before = len(env.ledger.events(case_id))
        past = await send("articulate-needs", m2="2000", **{"needed-by": "2020-01-01"})
        assert past.status_code == 422 and "<html" not in past.text
        assert 'id="articulate-needs-needed-by-error"' in past.text
        assert re.search(r'id="articulate-needs-needed-by"[^>]*aria-invalid="true"', past.text)
        assert 'value="2000"' in past.text  # what was typed is kept
        not_a_number = await send("articulate-needs", m2="lots", **{"needed-by": "2099-01-01"})
        assert not_a_number.status_code == 422 and 'id="articulate-needs-m2-error"' in not_a_number.text
        assert len(env.ledger.events(case_id)) == before  # refused: nothing written

        due = (date.today() + timedelta(days=20)).isoformat()
        steps = [("articulate-needs", {"m2": "2000", "grid-mva": "2.5", "financing-eur": "1000000", "instrument": ["invest-nl", "rom-fund"],
                                       "needed-by": "2099-01-01"}, "needs_articulation"),
                 ("propose-matches", {}, "matchmaking"),
                 ("choose-location", {"hotspot": "twente", "municipality": "Enschede"}, "matchmaking"),
                 ("request-consultation", {"party": "municipality", "subject": "zoning", "due": due}, "consultation"),
                 ("answer-consultation", {"consultation": "C1", "verdict": "positive", "answer": "fits"},
                  "consultation"),
                 ("start-realisation", {}, "realisation")]
        for kind, fields, stage in steps:
            page = (await http.get(f"/app/cases/{case_id}")).text
            assert action_form(page, kind), (kind, env.ledger.case_state(case_id).stage)
            done = await send(kind, **fields)
            assert done.status_code == 200, (kind, re.findall(r"role=\"alert\">([^<]*)<", done.text))
            assert env.ledger.case_state(case_id).stage.value == stage, kind
        assert env.ledger.case_state(case_id).needs.financing.instruments == ["invest-nl", "rom-fund"]

        claimed = await send("update", "claim", coordinator="bom.coordinator")
        assert claimed.status_code == 200 and "Coordinated by bom.coordinator" in claimed.text
        handed = await send("update", "handover", coordinator="bom.colleague", reason="on leave")
        assert handed.status_code == 200 and "Coordinated by bom.colleague" in handed.text
        change = env.ledger.events(case_id)[-1]
        assert (change.type, change.actor, change.event.reason) == ("LeadUpdated", "bom.coordinator", "on leave")

        shared = await send("share", **{"with": "oost-nl", "purpose": "the location is in Twente", "until": due})
        assert shared.status_code == 200 and action_form(shared.text, "revoke-share")
        both = await send("realise", **{"investment-eur": "5000000", "jobs": "12",
                                         "counterfactual": "would_have_gone_abroad", "new-scaleup": "on",
                                         "not-new-scaleup": "on"})
        assert both.status_code == 422 and 'id="realise-new-scaleup-error"' in both.text
        realised = await send("realise", **{"investment-eur": "5000000", "jobs": "12",
                                             "counterfactual": "would_have_gone_abroad"})
        assert realised.status_code == 200, realised.text[-2000:]
        state = env.ledger.case_state(case_id)
        assert (state.stage.value, state.realisation.jobs) == ("closed", 12)
        assert action_form(realised.text, "correct-realisation") and not action_form(realised.text, "reopen")
        from api.web.case import _STORIES
        from client.story import timeline

        told = await _STORIES.of(env.app.state.host, state)  # told step by step, after each action
        whole = timeline(r.event for r in env.ledger.events(case_id))
        assert len(told) == len(whole) == state.last_seq and told == whole

    async with browser(env, "oost.coordinator") as http:
        inbox = (await http.get("/app")).text
        assert case_id in inbox and "shared with you by BOM" in inbox and "Formenloop BV" in inbox
        page = (await http.get(f"/app/cases/{case_id}")).text
        assert not action_form(page, "share")  # shared with Oost NL: it reads and acts, sharing is BOM's
        csrf = csrf_of(page)
        refused = await http.post(f"/app/cases/{case_id}/actions/share", data={
            "with": "innovationquarter", "purpose": "x", "until": due, "csrf": csrf})
        assert refused.status_code == 403


async def test_the_list_filters_sorts_keeps_views_exports_and_shows_the_board(env):
    async with browser(env, "bom.coordinator") as http:
        page = (await http.get("/app/cases?region=bom&status=open&sort=company&order=desc")).text
        csrf = csrf_of(page)
        assert env.case_ids["bom"] in page and env.case_ids["oost"] not in page
        assert '<option value="company" selected>' in page and '<option value="desc" selected>' in page
        bad = await http.get("/app/cases?phase=7")
        assert bad.status_code == 422 and "phase: 1, 2, 3 or 4" in bad.text
        none = await http.get("/app/cases?region=oost-nl")
        assert none.status_code == 200 and env.case_ids["oost"] not in none.text  # filtered, still only readable

        saved = await http.post("/app/cases/views", data={"csrf": csrf, "name": "Webzichtbaar", "q": "webzichtbaar",
                                                          "region": "bom"})
        assert saved.status_code == 303 and "webzichtbaar" not in saved.headers["location"].lower()
        opened = await http.get(saved.headers["location"])
        assert opened.status_code == 200 and env.case_ids["bom"] in opened.text and 'value="webzichtbaar"' in opened.text
        nameless = await http.post("/app/cases/views", data={"csrf": csrf, "name": " "})
        assert nameless.status_code == 422 and "name: give the view a name" in nameless.text

        exported = await http.post("/app/cases.csv", data={"csrf": csrf, "q": "webzichtbaar"})
        assert exported.status_code == 200 and exported.headers["content-type"].startswith("text/csv")
        lines = exported.text.splitlines()
        assert lines[0].startswith("case_id,company,stage") and len(lines) == 2 and env.case_ids["bom"] in lines[1]
        assert "attachment" in exported.headers["content-disposition"]

        board = await http.get("/app/board?region=bom")
        assert board.status_code == 200 and 'id="col-detection"' in board.text
        assert env.case_ids["oost"] not in board.text
    async with browser(env, "oost.coordinator") as http:
        other = await http.get(saved.headers["location"])  # another person's view is not theirs to open
        assert other.status_code == 404 and "webzichtbaar" not in other.text.lower()
    from api.web.cases import _cell

    assert [_cell("=HYPERLINK(1)"), _cell("-3"), _cell("Photon BV"), _cell(None)] == [
        "'=HYPERLINK(1)", "'-3", "Photon BV", ""]


async def test_the_dashboard_names_no_company_and_the_audit_pages_are_the_auditors(env):
    async with browser(env, "ez.monitor") as http:
        shown = await http.get("/app/dashboard?period=2026")
        assert shown.status_code == 200, re.findall(r'role="alert">([^<]*)<', shown.text)
        assert "Indicators against targets" in shown.text and "<svg" in shown.text and 'class="chart"' in shown.text
        assert LEAD["company"] not in shown.text and OOST["company"] not in shown.text
        assert "style=" not in shown.text and "<style" not in shown.text  # the page's CSP allows no inline style
        assert (await http.get("/app/dashboard?period=20x6")).status_code == 422
        mailed = await http.get("/app/dashboard/report.html?period=2026")
        assert mailed.status_code == 200 and "attachment" in mailed.headers["content-disposition"]
        assert (await http.get("/app/audit")).status_code == 403
    case_id = env.case_ids["bom"]
    async with browser(env, "auditor") as http:
        page = await http.get("/app/audit")
        assert page.status_code == 200
        csrf = csrf_of(page.text)
        verified = await http.post("/app/audit", data={"csrf": csrf, "check": "verify"})
        assert verified.status_code == 200 and "Intact:" in verified.text, verified.text[-3000:]
        health = await http.post("/app/audit", data={"csrf": csrf, "check": "health"})
        assert health.status_code == 200 and "running workflow(s)" in health.text
        before = len(env.ledger.access_log.entries(case_id))
        refused = await http.post(f"/app/audit/cases/{case_id}/dossier", data={"csrf": csrf, "reason": " "})
        assert refused.status_code == 422 and len(env.ledger.access_log.entries(case_id)) == before
        got = await http.post(f"/app/audit/cases/{case_id}/dossier", data={"csrf": csrf, "reason": "annual audit"})
        assert got.status_code == 200 and got.headers["content-type"] == "application/zip"
        import io
        import zipfile

        names = zipfile.ZipFile(io.BytesIO(got.content)).namelist()
        assert f"{case_id}/events.json" in names and f"{case_id}/timeline.html" in names
        log = await http.get(f"/app/audit/cases/{case_id}")
        assert log.status_code == 200 and "export-dossier" in log.text and "annual audit" in log.text
        assert len(env.ledger.access_log.entries(case_id)) == before + 1
    async with browser(env, "bom.coordinator") as http:
        assert (await http.get(f"/app/audit/cases/{case_id}")).status_code == 403
        assert (await http.get("/app/dashboard")).status_code == 200  # coordinators report too
