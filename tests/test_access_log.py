"""The access log: one append-only hash chain of who opened what from outside its owner, dossier
exports and administrative acts (issue 13, point 6), on SQLite and PostgreSQL."""

from __future__ import annotations

import json
import threading
from datetime import UTC, datetime

import pytest
from pydantic import ValidationError
from sqlalchemy import text
from sqlalchemy.exc import DBAPIError

from cli.main import main
from domain.access_log import AccessKind
from domain.decide import Context, decide
from ledger.store import Ledger
from tests import factories as f

AT = datetime(2026, 11, 24, 10, tzinfo=UTC)


def read(ledger: Ledger, case_id: str, subject: str = "b.bakker") -> None:
    ledger.access_log.record(at=AT, subject=subject, organisation="bom", kind=AccessKind.READ_CASE,
                             case_id=case_id, purpose="shared for matchmaking until 2026-12-31")


def test_entries_chain_list_by_case_and_verify(ledger_url):
    ledger = Ledger.open(ledger_url, upgrade=True)
    try:
        read(ledger, "BP-2026-0001")
        read(ledger, "BP-2026-0002", "c.claes")
        grant = ledger.access_log.record(at=AT, subject="admin.a", organisation="oost-nl",
                                         kind=AccessKind.GRANT_ROLE, purpose="new colleague",
                                         detail="coordinator to d.dekker")
        assert grant.entry.seq == 3 and grant.entry.case_id is None
        assert [x.entry.subject for x in ledger.access_log.entries("BP-2026-0001")] == ["b.bakker"]
        every = ledger.access_log.entries()
        assert [x.entry.seq for x in every] == [1, 2, 3]
        assert every[1].prev_hash == every[0].hash and every[2].prev_hash == every[1].hash
        assert ledger.access_log.problems() == []
    finally:
        ledger.dispose()


def test_bad_entries_are_refused_naming_the_field_and_write_nothing(ledger_url):
    ledger = Ledger.open(ledger_url, upgrade=True)
    try:
        with pytest.raises(ValidationError) as err:
            ledger.access_log.record(at=AT, subject="x" * 201, organisation="bom", kind=AccessKind.READ_CASE,
                                     case_id="BP-2026-0001", purpose="p")
        assert "subject" in str(err.value)
        assert ledger.access_log.entries() == []
    finally:
        ledger.dispose()


def test_the_log_refuses_update_and_delete_and_verify_finds_what_was_done_around_it(ledger_url):
    ledger = Ledger.open(ledger_url, upgrade=True)
    try:
        for n in range(3):
            read(ledger, f"BP-2026-000{n + 1}")
        for statement in ("UPDATE access_log SET subject = 'nobody' WHERE seq = 2",
                          "DELETE FROM access_log WHERE seq = 3"):
            with pytest.raises(DBAPIError, match="append-only"), ledger._engine.begin() as conn:
                conn.execute(text(statement))
        assert ledger.access_log.problems() == []
        # someone with the database owner's rights drops the triggers and edits: the chain tells
        postgres = ledger.dialect == "postgresql"
        with ledger._engine.begin() as conn:
            for name in ("access_log_no_update", "access_log_no_delete"):
                conn.execute(text(f"DROP TRIGGER {name}" + (" ON access_log" if postgres else "")))
            conn.execute(text("UPDATE access_log SET case_id = 'BP-2026-0009' WHERE seq = 1"))
            payload = conn.execute(text("SELECT payload FROM access_log WHERE seq = 2")).scalar_one()
            altered = json.dumps({**json.loads(payload), "subject": "someone.else"}, sort_keys=True,
                                 separators=(",", ":"))
            conn.execute(text("UPDATE access_log SET payload = :p, subject = 'someone.else' WHERE seq = 2"),
                         {"p": altered})
            conn.execute(text("DELETE FROM access_log WHERE seq = 3"))
        read(ledger, "BP-2026-0004")  # appended after the gap: seq 3 again, chained to seq 2's hash
        problems = ledger.access_log.problems()
        assert "entry 1: its columns differ from its hashed payload (altered)" in problems
        assert "entry 2: its content does not match its hash (altered)" in problems
        assert len(problems) == 2, problems  # the deletion of the last entry is covered by the next append
    finally:
        ledger.dispose()


def test_appends_from_two_threads_never_fork_the_chain(ledger_url):
    ledger = Ledger.open(ledger_url, upgrade=True)
    try:
        def many(who: str) -> None:
            for n in range(25):
                read(ledger, f"BP-2026-{n:04d}", who)

        threads = [threading.Thread(target=many, args=(who,)) for who in ("a.one", "b.two")]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        every = ledger.access_log.entries()
        assert [x.entry.seq for x in every] == list(range(1, 51))
        assert ledger.access_log.problems() == []
    finally:
        ledger.dispose()


def test_a_dossier_export_is_recorded_and_listed(sqlite_url, tmp_path, monkeypatch, capsys):
    ledger = Ledger.open(sqlite_url, upgrade=True)
    events = decide(None, f.start(), Context("BP-2026-0001", AT))
    ledger.append(events)
    ledger.dispose()
    monkeypatch.setenv("BRANDPUNT_LEDGER_URL", sqlite_url)
    monkeypatch.setenv("BRANDPUNT_ACTOR", "a.auditor")
    monkeypatch.setenv("BRANDPUNT_ORGANISATION", "audit-office")
    monkeypatch.setenv("TEMPORAL_ADDRESS", "127.0.0.1:9")  # no Temporal: the dossier says so and goes on
    assert main(["audit", "dossier", "BP-2026-0001", "--out", str(tmp_path / "d"), "--reason", "annual audit"]) == 0
    capsys.readouterr()
    assert main(["audit", "access", "BP-2026-0001", "--verify", "--json"]) == 0
    shown = json.loads(capsys.readouterr().out)
    assert shown["problems"] == []
    [entry] = shown["entries"]
    assert (entry["kind"], entry["subject"], entry["organisation"], entry["purpose"]) == (
        "export-dossier", "a.auditor", "audit-office", "annual audit")
    assert main(["audit", "access", "--verify"]) == 0
    out = capsys.readouterr().out
    assert "export-dossier  BP-2026-0001  a.auditor (audit-office)  why: annual audit" in out
    assert "OK: the access log's chain is sound" in out
