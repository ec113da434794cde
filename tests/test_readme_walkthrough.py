"""The README's "Five minutes as a coordinator", run as written: its first bash block, through
``brandpunt login`` and the API of a real ``brandpunt dev`` (issue 13: "The README's walk-through
works through ``brandpunt login`` and the API"). Only the API's address and Temporal's are this
test's own; the commands are the README's."""

from __future__ import annotations

import json
import os
import re
import subprocess
from pathlib import Path

import pytest

from tests.test_cli_e2e import BIN, Dev

README = Path(__file__).resolve().parent.parent / "README.md"


def walkthrough() -> str:
    """The first ```bash block after the heading "Five minutes as a coordinator"."""
    text = README.read_text(encoding="utf-8")
    section = text[text.index("## Five minutes as a coordinator"):]
    found = re.search(r"```bash\n(.*?)\n```", section, re.S)
    assert found, "no bash block in the walk-through"
    return found.group(1)


@pytest.fixture
def dev(tmp_path):
    d = Dev(tmp_path / "home", "sqlite")
    d.start()
    yield d
    d.stop()


def test_the_readme_walkthrough_runs_through_the_api_as_written(dev, tmp_path):
    script = walkthrough()
    assert "brandpunt login --dev-user" in script and "export BRANDPUNT_API_URL=" in script
    script = script.replace("source .venv/bin/activate", "true  # the test's PATH has the venv")
    script = script.replace("http://127.0.0.1:8000", dev.api_url)
    env = {k: v for k, v in dev.env.items() if k not in ("BRANDPUNT_ACTOR", "BRANDPUNT_ORGANISATION")}
    env["PATH"] = f"{BIN.parent}{os.pathsep}{env.get('PATH', '')}"
    env["TEMPORAL_ADDRESS"] = dev.address  # the `temporal` CLI's own variable too
    done = subprocess.run(["bash", "-euo", "pipefail", "-c", script + "\necho \"CASE=$CASE\""], env=env,
                          cwd=tmp_path, capture_output=True, text=True, timeout=600)
    assert done.returncode == 0, done.stderr[-3000:]
    case_id = re.search(r"^CASE=(BP-\d{4}-\d{4,})$", done.stdout, re.M).group(1)
    assert "signed in to" in done.stdout and "bom.coordinator" in done.stdout
    assert (tmp_path / "cases.csv").read_text(encoding="utf-8").startswith("case_id,company,")
    person = {**env, "BRANDPUNT_API_URL": dev.api_url}
    shown = json.loads(subprocess.run([str(BIN), "lead", "show", case_id, "--json"], env=person,
                                      capture_output=True, text=True, timeout=60, check=True).stdout)
    assert shown["outcome"] == "realised_other_region" and shown["state"]["owner"] == "bom"
    people = {(e["actor"], e["organisation"]) for e in shown["events"] if e.get("command_id")}
    assert people == {("bom.coordinator", "bom")}  # every step recorded as the signed-in coordinator
    signed = [e["event"]["signed"]["statement"]["via"] for e in shown["events"] if e.get("command_id")]
    assert signed and set(signed) == {"api"}  # and signed by the API host
    assert "SharingProposed" in {e["type"] for e in shown["events"]}  # Twente is Oost NL's region
