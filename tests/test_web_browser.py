"""The web app in a real browser (issue 15 point 9, first slice): Debian's chromium driven by
pytest-playwright through ``executable_path`` (Playwright cannot download its own browsers here),
against a real ``brandpunt dev``: a coordinator signs in through the development sign-in, finds a
case by name, adds a note that appears without a page load, sees a refused note's message beside its
field; every page is scanned by axe-core (axe-playwright-python) with no serious or critical
violation. Screenshots of the pages go to .test-logs/screenshots/ (test.sh keeps .test-logs)."""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
from pathlib import Path

import pytest
from playwright.sync_api import TimeoutError as PlaywrightTimeout

from tests.test_cli_e2e import BIN, SERIAL, Dev

CHROMIUM = next((p for p in ("/usr/bin/chromium", shutil.which("chromium")) if p and os.path.exists(p)), None)
SHOTS = Path(__file__).resolve().parent.parent / ".test-logs" / "screenshots"
LEAD = ["--kvk", "11235813", "--hotspot", "brainport-eindhoven", "--domain", "photonics", "--type", "scaleup",
        "--phase", "2", "--contact-name", "Anna de Vries"]


@pytest.fixture(scope="session")
def browser_type_launch_args():
    """pytest-playwright's launch arguments: Debian's chromium, not a downloaded one."""
    if CHROMIUM is None:
        if os.environ.get("CI"):
            pytest.fail("Chromium is required in CI: apt-get install -y chromium (test.sh does this as root)")
        pytest.skip("no chromium on this machine (apt-get install chromium)")
    return {"executable_path": CHROMIUM, "args": ["--no-sandbox", "--disable-gpu"]}


@pytest.fixture
def dev(tmp_path):
    d = Dev(tmp_path / "home", "sqlite")
    d.start()
    person = {**d.env, "BRANDPUNT_API_URL": d.api_url}
    person.pop("BRANDPUNT_ACTOR")
    subprocess.run([str(BIN), "login", "--dev-user", "bom.coordinator"], env=person, check=True,
                   capture_output=True, timeout=60)
    started = subprocess.run([str(BIN), "lead", "start", "--company", "Photon Forge BV", "--region", "bom", *LEAD],
                             env=person, check=True, capture_output=True, text=True, timeout=60)
    d.case_id = SERIAL.search(started.stdout).group(0)
    yield d
    d.stop()


def accessible(page, name: str) -> None:
    """No serious or critical axe-core violation on ``page``; a screenshot of it for the record."""
    from axe_playwright_python.sync_playwright import Axe

    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / f"{name}.png"), full_page=True)
    results = Axe().run(page)
    bad = [(v["id"], v["impact"], len(v["nodes"])) for v in results.response["violations"]
           if v["impact"] in ("serious", "critical")]
    assert bad == [], f"{name}: {bad}"


def test_a_coordinator_finds_a_case_adds_a_note_and_sees_a_refusal_beside_its_field(dev, page):
    page.goto(dev.api_url + "/")
    accessible(page, "start")
    page.get_by_role("link", name="Development sign-in (demo users)").click()
    accessible(page, "dev-sign-in")
    page.get_by_role("button", name="bom.coordinator").click()
    accessible(page, "signed-in")
    page.get_by_role("link", name="Open the web app: your inbox and cases").click()
    assert page.url.endswith("/app")
    accessible(page, "inbox")

    page.get_by_role("navigation", name="Main").get_by_role("link", name="New lead").click()
    accessible(page, "new-lead")
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Cases").click()
    accessible(page, "cases")
    page.get_by_label("Company name or KvK number").fill("photon forge")
    page.get_by_role("button", name="Find").click()
    assert "photon" not in page.url.lower()  # searched in the body, not the address
    page.get_by_role("link", name=dev.case_id).click()
    assert page.url.endswith(f"/app/cases/{dev.case_id}")
    accessible(page, "case")

    loads: list[str] = []
    page.on("load", lambda p: loads.append(p.url))
    page.get_by_label("What was said (a meeting, call or e-mail)").fill("Met the CFO: 30 MVA by 2028")
    page.locator("#note-kind").select_option("meeting")
    page.get_by_role("button", name="Record the note").click()
    timeline = page.locator("#timeline")
    timeline.get_by_text("note (meeting): Met the CFO: 30 MVA by 2028").wait_for()
    assert loads == []  # htmx swapped the timeline in: no page load
    page.get_by_role("button", name="Record the note").click()  # an empty note
    error = page.locator("#note-text-error")
    error.wait_for()
    assert re.search(r"text", error.inner_text()) and page.get_by_label(
        "What was said (a meeting, call or e-mail)").get_attribute("aria-invalid") == "true"
    accessible(page, "case-refused-note")
    shown = subprocess.run([str(BIN), "lead", "show", dev.case_id, "--json"], env=dev.env, check=True,
                           capture_output=True, text=True, timeout=60).stdout
    notes = [e for e in json.loads(shown)["events"] if e["type"] == "NoteRecorded"]
    assert [(e["event"]["text"], e["actor"]) for e in notes] == [("Met the CFO: 30 MVA by 2028", "bom.coordinator")]


def sign_in(page, dev, user: str) -> None:
    page.goto(dev.api_url + "/")
    page.get_by_role("link", name="Development sign-in (demo users)").click()
    page.get_by_role("button", name=user).click()
    page.goto(dev.api_url + "/app")


def act(page, kind: str, fields: dict[str, str], *, expect_error: str | None = None) -> None:
    """Open the action ``kind``'s form, fill it, send it, and wait for the case to be swapped in (or
    for the error beside the field ``expect_error``)."""
    form = page.locator(f"#{kind}-form")
    if not form.is_visible():
        page.locator("details", has=form).locator("summary").click()
    for name, value in fields.items():
        field = page.locator(f"#{kind}-{name}")
        if field.evaluate("e => e.tagName") == "SELECT":
            field.select_option(value)
        else:
            field.fill(value)
    page.evaluate("document.getElementById('case').dataset.before = 'yes'")  # marks the case as it is now
    form.get_by_role("button").click()
    page.locator("#case:not([data-before])").wait_for()  # htmx swapped a new one in
    if expect_error:
        page.locator(f"#{kind}-{expect_error}-error").wait_for()
    else:
        page.get_by_role("status").filter(has_text="recorded").wait_for()


def test_a_case_runs_from_detection_to_realisation_in_the_browser_and_is_shared(dev, page, browser):
    """Issue 15 point 9: the whole case through the forms (no page load: htmx swaps the case in), a
    refused action beside its field, a note, a share with Oost NL, whose coordinator then finds the
    case in their inbox; the monitor sees the dashboard and no company; axe on every page."""
    from datetime import date, timedelta

    sign_in(page, dev, "bom.coordinator")
    page.goto(f"{dev.api_url}/app/cases/{dev.case_id}")
    loads: list[str] = []
    page.on("load", lambda p: loads.append(p.url))
    act(page, "articulate-needs", {"m2": "2500", "needed-by": "2020-01-01"}, expect_error="needed-by")
    assert page.locator("#articulate-needs-needed-by").get_attribute("aria-invalid") == "true"
    assert page.locator("#articulate-needs-m2").input_value() == "2500"  # what was typed is kept
    accessible(page, "case-refused-action")
    act(page, "articulate-needs", {"m2": "2500", "needed-by": "2099-06-01"})
    act(page, "propose-matches", {})
    accessible(page, "case-proposals")
    page.set_viewport_size({"width": 1280, "height": 1000})
    page.evaluate("window.scrollTo(0, 0)")
    page.screenshot(path=str(SHOTS / "readme-case-page.png"))  # the README's opening picture (docs/screenshots)
    act(page, "choose-location", {"hotspot": "twente", "municipality": "Enschede"})
    due = (date.today() + timedelta(days=21)).isoformat()
    act(page, "request-consultation", {"party": "grid_operator", "subject": "30 MVA", "due": due})
    act(page, "answer-consultation", {"consultation": "C1", "verdict": "positive", "answer": "capacity by 2028"})
    act(page, "start-realisation", {})
    act(page, "share", {"with": "oost-nl", "purpose": "the site is in Twente", "until": due})
    act(page, "realise", {"investment-eur": "12000000", "jobs": "40", "counterfactual": "would_have_gone_abroad"})
    assert loads == []  # every step swapped in by htmx
    page.reload()
    assert "closed" in page.locator(".stages [aria-current=step]").inner_text()
    accessible(page, "case-realised")
    page.get_by_role("button", name="Nederlands").click()  # the reader's switch, kept in a cookie
    page.get_by_role("heading", name="Tijdlijn").wait_for()
    assert page.locator("html").get_attribute("lang") == "nl"
    assert "afgesloten" in page.locator(".stages [aria-current=step]").inner_text()
    timeline = page.locator("#timeline").inner_text()
    assert "lead gedetecteerd: Photon Forge BV, fase 2, BOM" in timeline and "locatie gekozen: Twente" in timeline
    accessible(page, "case-realised-nl")
    page.set_viewport_size({"width": 1280, "height": 1000})
    page.evaluate("window.scrollTo(0, 0)")
    page.screenshot(path=str(SHOTS / "readme-case-page-nl.png"))  # the README's Dutch pictures (docs/screenshots)
    page.goto(f"{dev.api_url}/app/dashboard?period={date.today().year}")  # this year's annual report
    page.get_by_role("heading", name="Indicatoren tegen de doelen").wait_for()
    assert "makelen en schakelen" in page.content() and "€ 12,0 mln" in page.content()
    accessible(page, "dashboard-annual-nl")
    page.screenshot(path=str(SHOTS / "readme-annual-report-nl.png"))
    page.goto(f"{dev.api_url}/app/cases/{dev.case_id}")
    page.get_by_role("button", name="English").click()
    page.get_by_role("heading", name="Timeline").wait_for()
    for path, name in (("/app/cases", "cases"), ("/app/board", "board"), ("/app/dashboard", "dashboard-coordinator")):
        page.goto(dev.api_url + path)
        accessible(page, name)

    oost = browser.new_context()
    other = oost.new_page()
    sign_in(other, dev, "oost.coordinator")
    row = other.get_by_role("row").filter(has_text=dev.case_id)
    row.get_by_text("shared with you by BOM").wait_for()
    accessible(other, "inbox-shared")
    oost.close()

    ez = browser.new_context()
    monitor = ez.new_page()
    sign_in(monitor, dev, "ez.monitor")
    monitor.goto(dev.api_url + "/app/dashboard")
    monitor.get_by_role("heading", name="Indicators against targets").wait_for()
    assert "Photon Forge" not in monitor.content()
    accessible(monitor, "dashboard")
    ez.close()

    audit = browser.new_context()
    auditor = audit.new_page()
    sign_in(auditor, dev, "auditor")
    auditor.goto(dev.api_url + "/app/audit")
    auditor.get_by_role("button", name="Verify the ledger now").click()
    auditor.get_by_text("Intact:").wait_for()
    accessible(auditor, "audit")
    auditor.goto(f"{dev.api_url}/app/audit/cases/{dev.case_id}")
    accessible(auditor, "audit-case")
    audit.close()


def _temporal_ui(dev) -> str:
    return f"http://127.0.0.1:{int(dev.address.rsplit(':', 1)[1]) + 1000}"


def _input_in_the_temporal_ui(browser, dev, user: str | None, readable: str) -> str:
    """The case's workflow page in ``brandpunt dev``'s Temporal Web UI, opened by ``user`` (signed in to
    the web app first; None: nobody), with the UI's data encoder set to send the session along
    ("include cross-origin credentials", the setting docs/notes/keys.md asks for): its Input as shown."""
    context = browser.new_context()
    page = context.new_page()
    try:
        if user:
            sign_in(page, dev, user)
        ui = _temporal_ui(dev)
        page.goto(f"{ui}/namespaces/default/workflows")
        page.evaluate("""([endpoint]) => {
            localStorage.setItem('endpoint', JSON.stringify(endpoint));
            localStorage.setItem('includeCredentials', 'true');
            localStorage.setItem('overrideRemoteCodecConfiguration', 'true'); }""", [dev.api_url + "/api/codec"])
        with page.expect_response(lambda r: "/api/codec/decode" in r.url) as decoded:
            page.goto(f"{ui}/namespaces/default/workflows/{dev.case_id}")
        status = decoded.value.status
        try:  # the decoded payload replaces the encoded one once the codec server answered
            page.wait_for_function("t => document.body.innerText.includes(t)", arg=readable, timeout=10_000)
        except PlaywrightTimeout:
            pass  # still encrypted 10 s after the answer: what a reader who may not see it gets
        SHOTS.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(SHOTS / f"temporal-ui-{user or 'anonymous'}.png"), full_page=True)
        return f"{status}\n{page.inner_text('body')}"
    finally:
        context.close()


def test_the_temporal_ui_shows_a_case_decoded_only_to_who_may_read_it(dev, browser):
    """Issue 16 point 7: the Temporal Web UI reads payloads through the codec server with the user's
    session: the case's owner coordinator sees its input decoded; another ROM's coordinator and
    nobody signed in see ciphertext."""
    readable = f'"case_id": "{dev.case_id}"'
    owner = _input_in_the_temporal_ui(browser, dev, "bom.coordinator", readable)
    assert owner.startswith("200") and readable in owner
    other = _input_in_the_temporal_ui(browser, dev, "oost.coordinator", readable)
    assert other.startswith("200") and readable not in other  # answered, still encrypted
    nobody = _input_in_the_temporal_ui(browser, dev, None, readable)
    assert nobody.startswith("401") and readable not in nobody
