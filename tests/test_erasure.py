"""Issue 16, crypto-shredding: a person's data is erased from an append-only, hash-chained ledger
by destroying the keys it was sealed with, and every chain still verifies.

The sealing itself (deterministic, bound to case and place, refusing a moved value); then real
cases on a real dev server and worker: a running case (erased through its workflow, which carries
nothing erased on), a case whose workflow has ended (erased in the ledger), a case of someone else
(untouched). Afterwards: verify passes with the signed heads, the workflow's history replays, the
impact report gives the same figures, the dossier says which fields were erased, and the ledger's
database holds none of the person's values; a restored backup is erased again from the erase list.
Then retention erases a closed case's personal data and free text whole.
"""

from __future__ import annotations

import json
import sqlite3
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import MetaData, select

from client.privacy import carry_out, due_for_retention, erasures_for, listed
from domain.personal import ERASED, Person, places
from keys import sealing
from ledger.store import Ledger
from ledger.vault import SEALED_MARK, open_payload
from tests import factories as f

ANNA = {"name": "Anna de Vries", "email": "anna.devries@example.org", "phone": "+31 6 1234 5678"}
SECRETS = ("Anna de Vries", "anna.devries@example.org", "1234 5678", "Vries")


def test_a_sealed_value_opens_only_in_its_case_and_place_and_seals_the_same_twice():
    key = sealing.new_key()
    token = sealing.seal("k1", key, "BP-2026-0001", "lead.contact.name", "Anna de Vries")
    assert token.startswith(sealing.PREFIX) and "Anna" not in token and sealing.key_id_of(token) == "k1"
    assert sealing.seal("k1", key, "BP-2026-0001", "lead.contact.name", "Anna de Vries") == token  # a retry
    assert sealing.seal("k1", key, "BP-2026-0001", "lead.contact.name", "Anna de Vriez") != token
    assert sealing.open_sealed(token, key, "BP-2026-0001", "lead.contact.name") == "Anna de Vries"
    for case_id, place in (("BP-2026-0002", "lead.contact.name"), ("BP-2026-0001", "text")):
        with pytest.raises(sealing.Unopenable, match="does not open"):
            sealing.open_sealed(token, key, case_id, place)
    with pytest.raises(sealing.Unopenable):
        sealing.open_sealed(token[:-4] + "AAAA", key, "BP-2026-0001", "lead.contact.name")
    assert sealing.key_id_of("Anna de Vries") is None


def test_places_are_the_contact_its_changes_and_the_free_text():
    event = {"type": "LeadUpdated", "reason": "typo", "lead": {"contact": ANNA, "company": "X BV"},
             "changes": [{"field": "contact.email", "old": "a@x.nl", "new": ANNA["email"]},
                         {"field": "kvk", "old": "1", "new": "2"}]}
    assert [(p.path, p.kind) for p, _ in places(event)] == [
        ("lead.contact.name", "name"), ("lead.contact.email", "email"), ("lead.contact.phone", "phone"),
        ("changes.0.old", "email"), ("changes.0.new", "email"), ("reason", "text")]
    assert [p.path for p, _ in places({"type": "NoteRecorded", "text": "x", "reason": None})] == ["text"]
    assert [p.path for p, _ in places({"type": "NeedsArticulated", "needs": {"notes": "Anna wants 30 MVA"}})] == [
        "needs.notes"]  # free text inside the needs
    corrected = {"type": "RealisationCorrected", "changes": [{"field": "new_scaleup_reason", "old": "a", "new": "b"},
                                                              {"field": "jobs", "old": 1, "new": 2}]}
    assert [p.path for p, _ in places(corrected)] == ["changes.0.old", "changes.0.new"]
    assert list(places({"type": "LeadDetected", "lead": "not a lead"})) == []  # a tampered shape: nothing
    reminder = {"type": "ReminderSent", "subject": "X BV: consultation C1 (grid_operator, 30 MVA) due 2026-12-01",
                "error": "550 mailbox unavailable"}
    assert [(p.path, p.kind) for p, _ in places(reminder)] == [("subject", "text")]  # it quotes what was typed
    assert list(places({"type": "ReminderFailed", "error": "550 mailbox unavailable"})) == []  # the server's words


def _every_text(ledger: Ledger) -> str:
    """Every value of every table of the ledger's database, as one text."""
    meta = MetaData()
    meta.reflect(ledger._engine)
    with ledger._engine.connect() as conn:
        return "\n".join(str(v) for t in meta.sorted_tables for row in conn.execute(select(t)) for v in row)


async def test_erasing_a_person_leaves_every_chain_verifiable_and_their_data_nowhere(dev_server_env, tmp_path):
    from audit import dossier
    from audit.replay import fetch_histories, replay
    from audit.signed import verify_ledger
    from client.local import LocalCases
    from reports import compute
    from tests.api_env import api_with_worker, settings_for
    from tests.temporal_env import SESSION_SIGNER

    client = dev_server_env.client
    home = tmp_path / "home"
    async with api_with_worker(client, home, "erase") as a:
        ledger: Ledger = a.ledger
        operator = LocalCases(settings_for(home, ledger.url, BRANDPUNT_TASK_QUEUE=a.queue), client=client,
                              ledger=ledger)
        running = (await operator.start(f.start(contact=ANNA))).state.case_id
        await operator.act(running, f.command("note", text="Anna de Vries wil in Twente uitbreiden"))
        await operator.act(running, f.command("note", text="grond bekeken bij de gemeente"))
        await operator.act(running, f.command("update", changes={"contact": {"email": "a.devries@example.org"}}))
        await operator.act(running, f.command("update", changes={"contact": {"email": ANNA["email"]}}))
        ended = (await operator.start(f.start(company="Tweede BV", kvk="22334455", contact=ANNA))).state.case_id
        await operator.act(ended, f.command("close", outcome="no_proposition_possible", bottleneck="space", reason="geen ruimte"))
        await client.get_workflow_handle(ended).terminate("past its reopening period (test)")
        other = (await operator.start(f.start(company="Derde BV", kvk="33445566",
                                              contact={"name": "Bo Bakker", "email": "bo@example.org"}))).state.case_id
        cutoff = datetime.now(UTC) + timedelta(days=1)  # the same cut-off for both reports
        before = compute(ledger, "2026", as_of=cutoff)
        raw = "\n".join(r.payload for c in (running, ended) for r in ledger.events(c))
        assert SEALED_MARK in raw and not any(s in raw for s in SECRETS)  # sealed as recorded

        erasures = erasures_for(ledger, Person(name="anna de vries", email="ANNA.devries@example.org",
                                               phone="+31612345678"))
        assert sorted(erasures) == sorted([running, ended])
        erase_list = home / "keys" / "erased-keys.txt"
        await carry_out(operator, ledger, erasures, "request", "AVG-2026-0042", "dpo", SESSION_SIGNER, erase_list)
        assert (erasures[running].recorded, erasures[ended].recorded) == ("workflow", "ledger")

        state = (await operator.read(running)).state
        assert (state.lead.contact.name, state.lead.contact.email, state.lead.contact.phone) == (ERASED,) * 3
        live = await client.get_workflow_handle(running).query("state")
        assert live == json.loads(state.model_dump_json())  # the workflow took the ledger's fold
        rows = ledger.events(running)
        erased = rows[-1]
        assert erased.type == "PersonalDataErased" and erased.erased == ()
        assert (erased.event.scope, erased.event.reference, erased.event.fields) == ("request", "AVG-2026-0042", 11)
        assert rows[0].erased == ("lead.contact.name", "lead.contact.email", "lead.contact.phone")
        notes = [r.event.text for r in rows if r.type == "NoteRecorded"]
        assert notes == [ERASED, "grond bekeken bij de gemeente"]  # the note naming her; the other stays
        assert ledger.case_state(ended).lead.contact.name == ERASED
        assert ledger.case_state(ended).outcome.value == "no_proposition_possible"
        assert ledger.case_state(other).lead.contact.name == "Bo Bakker"

        await operator.act(running, f.command("note", text="na het wissen"))  # the case goes on
        assert ledger.fold_case(running) == (await operator.read(running)).state
        report = verify_ledger(ledger, keys=SESSION_SIGNER.public())
        assert report.ok, report.findings
        histories = await fetch_histories(client, running)
        assert [o.error for o in await replay(histories)] == [None] * len(histories)
        assert compute(ledger, "2026", as_of=cutoff) == before  # the report never reads a person's data
        files, finding = dossier.write(tmp_path / "dossier", running, ledger.events(running), histories)
        assert finding is None
        events_json = json.loads(next(p for p in files if p.name == "events.json").read_text())
        assert events_json[0]["erased"] == ["lead.contact.name", "lead.contact.email", "lead.contact.phone"]
        shown = "\n".join(p.read_text(errors="replace") for p in files if p.suffix in (".json", ".html", ".txt"))
        assert "[erased]" in shown
        everything = _every_text(ledger)
        assert not [s for s in SECRETS if s in everything]
        assert "Bo Bakker" in everything  # not erased: the projection (the cases' current state) reads him
        assert not any("Bo Bakker" in r.payload for r in ledger.events(other))  # the events hold him sealed
        assert sorted(listed(erase_list)) == sorted(k for e in erasures.values() for k in e.keys)
        await operator.aclose()


class NoWorkflows:
    """The cases' workflows as an operator meets them once they have ended: an erasure goes to the ledger."""

    async def act(self, case_id: str, command: object) -> None:
        from client.errors import CaseEnded

        raise CaseEnded(case_id)


def _sqlite_path(ledger: Ledger) -> Path:
    return Path(ledger.url.removeprefix("sqlite:///"))


def test_a_restored_backup_is_erased_again_from_the_erase_list(tmp_path):
    from domain.decide import Context, decide
    from keys import Signer

    url = f"sqlite:///{tmp_path / 'ledger.db'}"
    ledger = Ledger.open(url, upgrade=True)
    t0 = datetime(2026, 3, 2, 9, tzinfo=UTC)
    events = decide(None, f.start(contact=ANNA), Context("BP-2026-0001", t0))
    ledger.append(events)
    backup = tmp_path / "backup.db"
    with sqlite3.connect(_sqlite_path(ledger)) as src, sqlite3.connect(backup) as dst:
        src.backup(dst)
    erasures = erasures_for(ledger, Person(email=ANNA["email"]))
    import asyncio

    erase_list = tmp_path / "keys" / "erased-keys.txt"
    asyncio.run(carry_out(NoWorkflows(), ledger, erasures, "request", "AVG-1", "dpo",
                          Signer.generate(), erase_list))
    assert ledger.case_state("BP-2026-0001").lead.contact.email == ERASED
    ledger.dispose()
    _sqlite_path(ledger).unlink()
    for suffix in ("-wal", "-shm"):
        Path(f"{_sqlite_path(ledger)}{suffix}").unlink(missing_ok=True)
    backup.rename(_sqlite_path(ledger))  # restored from before the erasure: the keys are back
    restored = Ledger.open(url)
    assert restored.case_state("BP-2026-0001").lead.contact.email == ANNA["email"]
    assert restored.reapply_erasures(listed(erase_list)) == ["BP-2026-0001"]
    assert restored.case_state("BP-2026-0001").lead.contact.email == ERASED
    assert restored.events("BP-2026-0001")[0].event.lead.contact.email == ERASED
    assert ANNA["email"].encode() not in _sqlite_path(restored).read_bytes()
    assert restored.reapply_erasures(listed(erase_list)) == []  # once is enough
    restored.dispose()


def test_retention_erases_a_closed_case_whole_and_keeps_its_figures(ledger_url, tmp_path):
    import asyncio

    from audit.verify import rows_of, verify_rows
    from domain.decide import Context, decide
    from domain.state import fold
    from keys import Signer

    ledger = Ledger.open(ledger_url, upgrade=True)
    t0 = datetime(2018, 3, 2, 9, tzinfo=UTC)
    state = None
    for k, command in enumerate((f.start(contact=ANNA), f.command("note", text="vertrouwelijk plan"),
                                 f.command("close", outcome="no_proposition_possible", bottleneck="space", reason="geen ruimte"))):
        new = decide(state, command, Context("BP-2018-0001", t0 + timedelta(days=k)))
        ledger.append(new)
        state = fold(new, state)
    recent = decide(None, f.start(company="Nieuw BV", kvk="99887766", contact=ANNA), Context("BP-2026-0001", t0))
    ledger.append(recent)
    today = datetime(2026, 1, 1, tzinfo=UTC).date()
    assert sorted(due_for_retention(ledger, today, timedelta(days=2_557))) == ["BP-2018-0001"]
    assert due_for_retention(ledger, today, timedelta(days=3_000)) == {}

    due = due_for_retention(ledger, today, timedelta(days=2_557))
    asyncio.run(carry_out(NoWorkflows(), ledger, due, "retention", "retention:7y", "dpo",
                          Signer.generate(), tmp_path / "erased-keys.txt"))
    closed = ledger.case_state("BP-2018-0001")
    assert closed.lead.contact.name == ERASED and closed.outcome.value == "no_proposition_possible"
    rows = ledger.events("BP-2018-0001")
    assert [r.event.text for r in rows if r.type == "NoteRecorded"] == [ERASED]
    assert rows[-1].event.scope == "retention" and rows[-2].event.reason == ERASED  # the closing reason too
    assert ledger.case_state("BP-2026-0001").lead.contact.name == ANNA["name"]  # not due
    assert ledger.live_keys("BP-2018-0001") == []
    assert verify_rows(rows_of(ledger), keys=ledger.keys(walk=True)).ok
    assert due_for_retention(ledger, today, timedelta(days=2_557)) == {}  # nothing left to erase
    ledger.dispose()


def test_an_edited_ciphertext_or_one_moved_to_another_case_is_a_finding(ledger_url):
    from sqlalchemy import update

    from audit.verify import rows_of, verify_rows
    from domain.chain import chain_hash
    from domain.decide import Context, decide
    from ledger.schema import ledger_events

    ledger = Ledger.open(ledger_url, upgrade=True)
    t0 = datetime(2026, 3, 2, 9, tzinfo=UTC)
    for case_id in ("BP-2026-0001", "BP-2026-0002"):
        ledger.append(decide(None, f.start(contact=ANNA), Context(case_id, t0)))
    first, second = (ledger.events(c)[0] for c in ("BP-2026-0001", "BP-2026-0002"))
    name_of = lambda row: json.loads(row.payload)["lead"]["contact"]["name"]  # noqa: E731
    moved = second.payload.replace(name_of(second), name_of(first))  # another case's sealed name, re-hashed
    with ledger._engine.begin() as conn:
        conn.execute(update(ledger_events).where(ledger_events.c.case_id == "BP-2026-0002")
                     .values(payload=moved, hash=chain_hash(second.prev_hash, moved)))
    report = verify_rows(rows_of(ledger), keys=ledger.keys(walk=True))
    (finding,) = report.findings
    assert finding.case_id == "BP-2026-0002" and "does not open" in finding.problem
    assert "does not have" in finding.problem  # its key is case 1's
    keys = {k: None for k in sealing_keys(first.payload)}
    assert open_payload(first.payload, "BP-2026-0001", keys).erased == (
        "lead.contact.name", "lead.contact.email", "lead.contact.phone")
    ledger.dispose()


def sealing_keys(payload: str) -> list[str]:
    from ledger.vault import sealed_key_ids

    return sealed_key_ids(payload)


def test_a_reminder_quoting_what_was_typed_is_sealed_and_its_notification_erased_with_it(ledger_url, tmp_path):
    """A consultation reminder's subject quotes the consultation's subject (typed by a coordinator): the
    ``ReminderSent`` holds it sealed, and an erasure of the case blanks the outbox's copy too."""
    import asyncio

    from domain.decide import Context, decide
    from domain.state import fold
    from keys import Signer
    from ledger.outbox import OutboxMessage

    ledger = Ledger.open(ledger_url, upgrade=True)
    t0 = datetime(2026, 3, 2, 9, tzinfo=UTC)
    case = "BP-2026-0001"
    started = decide(None, f.start(contact=ANNA), Context(case, t0))
    ledger.append(started)
    state = fold(started)
    subject = "Photon Forge BV: consultation C1 (grid_operator, bel Anna de Vries over 30 MVA) due 2026-04-01"
    reminder = decide(state, f.command("record-reminder", key="consultation:C1:due-soon", rule="consultation",
                                       subject=subject, channel="outbox", recipient="coordinator@bom.nl"),
                      Context(case, t0 + timedelta(days=1)))
    ledger.append(reminder, [OutboxMessage(message_id=f"{case}/c1", case_id=case, key="consultation:C1:due-soon",
                                           recipient="coordinator@bom.nl", subject=subject, body=subject,
                                           escalation=False)])
    stored = ledger.events(case)[-1]
    assert stored.type == "ReminderSent" and "Anna" not in stored.payload and stored.event.subject == subject
    erasures = erasures_for(ledger, Person(name="Anna de Vries"))
    assert erasures[case].fields >= 2  # her name as the contact, and the reminder quoting it

    asyncio.run(carry_out(NoWorkflows(), ledger, erasures, "request", "AVG-7", "dpo",
                          Signer.generate(), tmp_path / "erased-keys.txt"))
    assert ledger.events(case)[-2].event.subject == ERASED  # the ReminderSent
    (message,) = ledger.outbox.messages(case)
    assert (message.subject, message.body) == (ERASED, ERASED)
    ledger.dispose()


def test_a_case_with_more_sealed_values_than_one_command_holds_is_erased_in_several(tmp_path):
    """Retention of a long case: more keys than one ``PersonalDataErased`` may carry (its size is
    bounded) are destroyed by several, each with its own command id, in one run."""
    import asyncio

    from domain.bounds import ERASED_KEYS_MAX
    from domain.decide import Context, decide
    from domain.state import fold
    from keys import Signer

    ledger = Ledger.open(f"sqlite:///{tmp_path / 'ledger.db'}", upgrade=True)
    t0 = datetime(2018, 3, 2, 9, tzinfo=UTC)
    case = "BP-2018-0001"
    events = decide(None, f.start(contact=ANNA), Context(case, t0))
    state = fold(events)
    for i in range(ERASED_KEYS_MAX + 5):  # a note each: a free text, a key each
        events += (new := decide(state, f.command("note", text=f"call {i}"), Context(case, t0 + timedelta(minutes=i))))
        state = fold(new, state)
    events += decide(state, f.command("close", outcome="withdrawn"), Context(case, t0 + timedelta(days=30)))
    ledger.append(events)
    due = due_for_retention(ledger, datetime(2026, 1, 1, tzinfo=UTC).date(), timedelta(days=2_557))
    assert len(due[case].keys) == ERASED_KEYS_MAX + 5 + 3  # the notes, the contact's name, e-mail and phone

    asyncio.run(carry_out(NoWorkflows(), ledger, due, "retention", "retention:7y", "dpo", Signer.generate(),
                          tmp_path / "erased-keys.txt"))
    erased = [r.event for r in ledger.events(case) if r.type == "PersonalDataErased"]
    assert [len(e.keys) for e in erased] == [ERASED_KEYS_MAX, 8]
    assert sum(e.fields for e in erased) == ERASED_KEYS_MAX + 8 and ledger.live_keys(case) == []
    assert len(listed(tmp_path / "erased-keys.txt")) == ERASED_KEYS_MAX + 8
    ledger.dispose()


def test_text_that_looks_sealed_is_sealed_like_any_other_and_the_case_goes_on(ledger_url):
    from audit.verify import rows_of, verify_rows
    from domain.decide import Context, decide
    from domain.state import fold

    ledger = Ledger.open(ledger_url, upgrade=True)
    t0 = datetime(2026, 3, 2, 9, tzinfo=UTC)
    case = "BP-2026-0001"
    started = decide(None, f.start(contact={"name": "sealed:1:abc:def"}), Context(case, t0))
    ledger.append(started)
    ledger.append(decide(fold(started), f.command("note", text="sealed:1:0000:AAAA"), Context(case, t0)))
    rows = ledger.events(case)
    assert [r.event.lead.contact.name for r in rows[:1]] == ["sealed:1:abc:def"]  # read back as typed
    assert rows[1].event.text == "sealed:1:0000:AAAA" and "sealed:1:0000:AAAA" not in rows[1].payload
    assert ledger.fold_case(case) is not None and verify_rows(rows_of(ledger), keys=ledger.keys(walk=True)).ok
    ledger.dispose()


def test_a_hand_edited_payload_with_a_sealed_value_in_a_strange_place_is_a_finding_not_a_crash(ledger_url):
    from sqlalchemy import update

    from audit.verify import rows_of, verify_rows
    from domain.chain import chain_hash
    from domain.decide import Context, decide
    from ledger.schema import ledger_events

    ledger = Ledger.open(ledger_url, upgrade=True)
    case = "BP-2026-0001"
    ledger.append(decide(None, f.start(contact=ANNA), Context(case, datetime(2026, 3, 2, 9, tzinfo=UTC))))
    row = ledger.events(case)[0]
    data = json.loads(row.payload)
    data["lead"] = data["lead"]["contact"]["name"]  # a sealed value where the lead was
    edited = json.dumps(data, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    with ledger._engine.begin() as conn:
        conn.execute(update(ledger_events).where(ledger_events.c.case_id == case)
                     .values(payload=edited, hash=chain_hash(row.prev_hash, edited)))
    for keys in (ledger.keys(walk=True), None):
        (finding,) = verify_rows(rows_of(ledger), keys=keys).findings
        assert finding.case_id == case and finding.seq == 1
    shown = ledger.events(case)[0]
    assert (shown.opened or shown.payload) == edited  # shown as stored: nothing opened where nothing is sealed
    ledger.dispose()


def test_a_repeat_of_an_event_stored_before_sealing_is_recognised(ledger_url, monkeypatch):
    """An activity retried across the upgrade to sealing: the event stored plain (by code of 0015) is
    the same event, not a conflict, and nothing new is sealed for it."""
    from domain.decide import Context, decide
    from ledger import vault

    ledger = Ledger.open(ledger_url, upgrade=True)
    events = decide(None, f.start(contact=ANNA), Context("BP-2026-0001", datetime(2026, 3, 2, 9, tzinfo=UTC)))
    with monkeypatch.context() as m:
        m.setattr(vault, "seal_event", lambda conn, case_id, event: event)  # as code before sealing wrote it
        ledger.append(events)
    assert "Anna de Vries" in ledger.events("BP-2026-0001")[0].payload
    again = ledger.append(events)
    assert (again.inserted, again.skipped) == (0, 1) and ledger.live_keys("BP-2026-0001") == []
    ledger.dispose()


def test_a_person_cannot_type_an_erased_address():
    import pytest

    with pytest.raises(ValueError, match=r"contact.email: an e-mail address, not \[erased\]"):
        f.start(contact={"name": "X", "email": "[erased]"})
    with pytest.raises(ValueError, match="not \\[erased\\]"):
        f.command("update", changes={"contact": {"email": "[erased]"}})
