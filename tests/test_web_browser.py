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
    page.get_by_role("link", name="Development sign-in (demo users)").click()
    page.get_by_role("button", name="bom.coordinator").click()
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
