"""A data subject's access request (issue 16 point 5): every event that names the person, found in
the ledger on both databases; nothing about anyone else; the request recorded without their identifiers."""

from __future__ import annotations

import json
import subprocess
import sys
from datetime import UTC, datetime, timedelta
from pathlib import Path

from domain.decide import Context, decide
from domain.personal import Person, mentions
from domain.state import fold
from ledger.store import Ledger
from tests import factories as f

T0 = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
ANNA = {"name": "Anna de Vries", "email": "anna@example.org"}


def run(ledger: Ledger, case_id: str, *commands: object) -> None:
    state = None
    for k, command in enumerate(commands):
        new = decide(state, command, Context(case_id, T0 + timedelta(hours=k)))  # type: ignore[arg-type]  # commands
        ledger.append(new)
        state = fold(new, state)


def test_mentions_names_the_fields_that_hold_the_person():
    p = Person(name="anna de vries ")
    event = {"type": "LeadDetected", "actor": "x", "lead": {"contact": {"name": "Anna de Vries"}, "coordinator": None},
             "changes": [{"field": "contact.name", "old": "Anna de Vries", "new": "Bo"}], "reason": "call Anna de Vries"}
    assert list(mentions(event, p)) == ["lead.contact.name", "changes[0].contact.name", "reason (free text)"]
    assert list(mentions(event, Person(name="Bo Bakker"))) == []
    assert list(mentions({"actor": "bom.coordinator"}, Person(subject="bom.coordinator"))) == ["actor"]


def test_an_access_request_finds_every_event_naming_the_person_and_no_other(ledger_url, tmp_path):
    ledger = Ledger.open(ledger_url, upgrade=True)
    run(ledger, "BP-2026-0001", f.start(contact=ANNA), f.command("note", text="met Anna de Vries about the site"))
    run(ledger, "BP-2026-0002", f.start(company="Ander BV", kvk="87654321", contact={"name": "Bo Bakker"}),
        f.command("update", changes={"contact": {"email": "anna@example.org"}}),
        f.command("note", text="nothing about her"))
    run(ledger, "BP-2026-0003", f.start(company="Derde BV", kvk="11112222", contact={"name": "Cas Claes"}))
    from cli.privacy import answer

    found = answer(ledger, Person(name="Anna de Vries", email="anna@example.org"))
    where = [(e["case_id"], e["seq"], e["fields"]) for e in found["events"]]
    assert where == [("BP-2026-0001", 1, ["lead.contact.name", "lead.contact.email"]),
                     ("BP-2026-0001", 2, ["text (free text)"]),
                     ("BP-2026-0002", 2, ["lead.contact.email", "changes[0].contact.email"])]  # the lead as it now is, and the change
    assert "Cas Claes" not in json.dumps(found) and "Bo Bakker" in json.dumps(found)  # her events, whole
    ledger.dispose()


def test_the_cli_writes_the_answer_and_records_the_request_without_the_person(tmp_path):
    home = tmp_path / "home"
    url = f"sqlite:///{home / 'ledger.db'}"
    ledger = Ledger.open(url, upgrade=True)
    run(ledger, "BP-2026-0001", f.start(contact=ANNA))
    ledger.dispose()
    out = tmp_path / "answer.json"
    env = {"BRANDPUNT_HOME": str(home), "BRANDPUNT_LEDGER_URL": url, "BRANDPUNT_ACTOR": "dpo", "PATH": "/usr/bin"}
    bin_ = Path(sys.executable).parent / "brandpunt"
    done = subprocess.run([str(bin_), "privacy", "access", "--email", "ANNA@example.org", "--reason", "AVG-2026-17",
                           "--out", str(out)], env=env, capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr
    assert "1 event(s) in 1 case(s)" in done.stdout and (out.stat().st_mode & 0o777) == 0o600
    assert json.loads(out.read_text())["events"][0]["fields"] == ["lead.contact.email"]
    missing = subprocess.run([str(bin_), "privacy", "access", "--reason", "x", "--out", str(out)], env=env,
                             capture_output=True, text=True, timeout=60)
    assert missing.returncode == 2 and "--name" in missing.stderr
    ledger = Ledger.open(url)
    (entry,) = [e.entry for e in ledger.access_log.entries()]
    assert (entry.kind.value, entry.purpose, entry.subject) == ("subject-access", "AVG-2026-17", "dpo")
    assert "anna" not in entry.model_dump_json().lower()
    ledger.dispose()
