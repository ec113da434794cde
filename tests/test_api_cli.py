"""The CLI through the API, end to end: ``brandpunt dev`` serves the API with its development
sign-in, ``brandpunt login --dev-user`` keeps a token, and with ``BRANDPUNT_API_URL`` set the
``lead`` commands act and read as the signed-in user, who sees only their organisation's cases.
That path loads neither the Temporal SDK nor SQLAlchemy."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from tests.db_fixtures import backend_ledger_url
from tests.test_cli_e2e import BIN, SERIAL, Dev

LEAD = ["--kvk", "24681357", "--hotspot", "brainport-eindhoven", "--domain", "photonics", "--type", "scaleup",
        "--phase", "1", "--contact-name", "Anna", "--contact-email", "anna@example.org"]


@pytest.fixture(scope="module")
def dev(tmp_path_factory):
    home = tmp_path_factory.mktemp("api-cli")
    with backend_ledger_url(home) as url:
        d = Dev(home / "home", url)
        d.start()
        yield d
        d.stop()


class Person:
    """Someone at a terminal: their own BRANDPUNT_HOME (and so their own login), the dev's API."""

    def __init__(self, dev: Dev, home: Path) -> None:
        self.dev = dev
        self.env = {**dev.env, "BRANDPUNT_HOME": str(home), "BRANDPUNT_API_URL": dev.api_url}

    def run(self, *args: str, check: bool = True, python: tuple[str, ...] = ()) -> subprocess.CompletedProcess[str]:
        command = [sys.executable, *python, "-c", "import starter; starter.main()", *args] if python else [str(BIN), *args]
        done = subprocess.run(command, env=self.env, capture_output=True, text=True, timeout=120)
        sys.stdout.write(done.stdout)
        if not python:
            sys.stderr.write(done.stderr)
        if check and done.returncode != 0:
            raise AssertionError(f"brandpunt {' '.join(args)} -> {done.returncode}\n{done.stderr[-2000:]}")
        return done


def test_the_cli_acts_and_reads_through_the_api_as_the_signed_in_user(dev, tmp_path):
    assert f"API {dev.api_url}" in "".join(dev.output)
    anna = Person(dev, tmp_path / "anna")
    signed = anna.run("login", "--dev-user", "bom.coordinator")
    assert "signed in to" in signed.stdout and "bom.coordinator (bom; coordinator)" in signed.stdout
    login = tmp_path / "anna" / "api-login.json"
    assert login.stat().st_mode & 0o777 == 0o600
    token = json.loads(login.read_text())["token"]
    assert token.startswith("bpat_") and token not in signed.stdout + signed.stderr

    started = anna.run("lead", "start", "--company", "Via de API BV", "--region", "bom", *LEAD)
    case_id = SERIAL.search(started.stdout).group(0)
    anna.run("lead", "note", case_id, "--text", "first meeting", "--kind", "meeting")
    anna.run("lead", "change-phase", case_id, "--phase", "2", "--reason", "product validated")
    shown = json.loads(anna.run("lead", "show", case_id, "--json").stdout)
    # the text the API renders is the text the CLI renders on Temporal and the ledger (client.text)
    assert anna.run("lead", "show", case_id).stdout == dev.run("lead", "show", case_id).stdout
    noted = anna.run("lead", "note", case_id, "--text", "second meeting", "--kind", "meeting", "--command-id", "n-2")
    assert noted.stdout.splitlines()[0] == f"{case_id}/4 NoteRecorded recorded: note (meeting): second meeting"
    again = anna.run("lead", "note", case_id, "--text", "second meeting", "--kind", "meeting", "--command-id", "n-2")
    assert again.stdout == noted.stdout  # the same command id: Temporal answers the first result, nothing new
    bad = anna.run("lead", "note", case_id, "--text", "", check=False)
    assert bad.returncode == 2 and "text (--text): String should have at least 1 character" in bad.stderr
    shown = json.loads(anna.run("lead", "show", case_id, "--json").stdout)
    people = [e for e in shown["events"] if e.get("command_id")]
    assert len(people) == 4
    assert {(e["actor"], e["organisation"]) for e in people} == {("bom.coordinator", "bom")}  # not e2e-coordinator

    other_region = anna.run("lead", "start", "--company", "Elders BV", "--region", "oost-nl", *LEAD, check=False)
    assert other_region.returncode == 2 and "lead.home_region" in other_region.stderr
    someone_else = anna.run("lead", "note", case_id, "--text", "x", "--actor", "minister.of.ez", check=False)
    assert someone_else.returncode == 2 and "actor: the API records who is signed in" in someone_else.stderr

    otto = Person(dev, tmp_path / "otto")
    otto.run("login", "--dev-user", "oost.coordinator")
    hidden = otto.run("lead", "show", case_id, check=False)
    assert hidden.returncode == 2 and f"no case {case_id}" in hidden.stderr
    refused = otto.run("lead", "note", case_id, "--text", "peeking", check=False)
    assert refused.returncode == 2
    listed = json.loads(otto.run("lead", "list", "--json").stdout)
    assert case_id not in {c["case_id"] for c in listed}
    assert len(json.loads(anna.run("lead", "show", case_id, "--json").stdout)["events"]) == len(shown["events"])

    # shared with Oost NL for a purpose until a date: Otto reads and acts; revoked: no more
    anna.run("lead", "share", case_id, "--with", "oost-nl", "--purpose", "grid consultation", "--until", "2099-12-31")
    assert "shared with  oost-nl (until 2099-12-31): grid consultation" in otto.run("lead", "show", case_id).stdout
    assert "NoteRecorded recorded" in otto.run("lead", "note", case_id, "--text", "grid operator met").stdout
    anna.run("lead", "revoke-share", case_id, "--with", "oost-nl", "--reason", "consultation done")
    assert otto.run("lead", "show", case_id, check=False).returncode == 2

    # the same company (its KvK number) at Oost NL's door: its coordinator is warned without a name
    twin = otto.run("lead", "start", "--company", "Via de API Holding", "--region", "oost-nl",
                    *[x if x != "brainport-eindhoven" else "twente" for x in LEAD])
    twin_id = SERIAL.search(twin.stdout).group(0)
    assert "elsewhere" in twin.stderr and case_id not in twin.stderr and "bom" not in twin.stderr.lower()
    lotte = Person(dev, tmp_path / "lotte")
    lotte.run("login", "--dev-user", "taskforce.lead")
    told = lotte.run("lead", "duplicates")
    assert f"the same KvK number: {case_id} (bom), {twin_id} (oost-nl)" in told.stdout
    assert "Via de API" not in told.stdout and "24681357" not in told.stdout
    not_hers = anna.run("lead", "duplicates", check=False)
    assert not_hers.returncode == 2 and "duplicates" in not_hers.stderr

    nobody = Person(dev, tmp_path / "nobody")
    unsigned = nobody.run("lead", "list", check=False)
    assert unsigned.returncode == 2 and "brandpunt login" in unsigned.stderr


def test_the_cli_through_the_api_loads_neither_temporalio_nor_sqlalchemy(dev, tmp_path):
    anna = Person(dev, tmp_path / "anna")
    anna.run("login", "--dev-user", "bom.coordinator")
    case_id = SERIAL.search(anna.run("lead", "start", "--company", "Licht BV", "--region", "bom", *LEAD).stdout).group(0)
    for args in (("lead", "show", case_id), ("lead", "note", case_id, "--text", "a call"), ("lead", "list")):
        done = anna.run(*args, python=("-X", "importtime"))
        modules = {line.split("|")[-1].strip() for line in done.stderr.splitlines()
                   if line.startswith("import time:") and "|" in line}
        imported = {m.split(".")[0] for m in modules}
        assert "client" in imported and "httpx" in imported  # the measurement saw the HTTP path
        assert not imported & {"temporalio", "sqlalchemy", "psycopg", "alembic"}, args
        if args[1] != "list":  # the API renders the text of a case and of a result: no pydantic domain here
            assert not imported & {"pydantic", "pydantic_core"}, (args, sorted(m for m in modules if "pydantic" in m))
            assert "domain.state" not in modules and "domain.commands" not in modules, args
