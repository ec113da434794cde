"""The programme chain (reminder rules in force) is verified like a case chain: each tampering named."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import text

from audit.programme import verify_programme
from domain.chain import chain_hash
from domain.reminders import ReminderRules
from ledger.store import Ledger

T0 = datetime(2026, 11, 24, 9, 0, tzinfo=UTC)


@pytest.fixture
def ledger(ledger_url):
    led = Ledger.open(ledger_url, upgrade=True)
    first, second = ReminderRules(), ReminderRules(stage_escalate_after=timedelta(days=21))
    assert led.adopt_reminder_rules(first, "worker-a", T0) == (first.version(), True)
    assert led.adopt_reminder_rules(first, "worker-b", T0) == (first.version(), False)  # once per version
    assert led.adopt_reminder_rules(second, "worker-a", T0 + timedelta(days=1)) == (second.version(), True)
    yield led
    led.dispose()


def sql(led: Ledger, statement: str, **params: object) -> None:
    with led._engine.begin() as conn:
        conn.execute(text(statement), params)


def test_an_untouched_programme_chain_verifies(ledger):
    assert verify_programme(ledger) == (2, None)
    assert ledger.reminder_rules().rules.stage_escalate_after == timedelta(days=21)


@pytest.mark.parametrize(
    "tamper, seq, words",
    [
        ("UPDATE programme_events SET payload = replace(payload, 'P21D', 'P99D') WHERE seq = 2", 2,
         "canonical JSON|not sha256"),
        ("UPDATE programme_events SET version = 'r-000000000000' WHERE seq = 1", 1, "column version"),
        ("UPDATE programme_events SET actor = 'someone-else' WHERE seq = 2", 2, "column actor"),
        ("UPDATE programme_events SET at = '2020-01-01T00:00:00.000000+00:00' WHERE seq = 1", 1, "column at"),
        ("DELETE FROM programme_events WHERE seq = 1", 1, "seq 1 is missing"),
        ("UPDATE programme_events SET prev_hash = hash WHERE seq = 2", 2, "prev_hash"),
    ],
)
def test_each_tampering_is_named(ledger, tamper, seq, words):
    sql(ledger, tamper)
    checked, finding = verify_programme(ledger)
    assert finding is not None and finding.case_id == "programme" and finding.seq == seq
    assert any(w in finding.problem for w in words.split("|")), finding.problem


def test_a_replaced_and_rehashed_event_breaks_the_next_link(ledger):
    rows = ledger.programme_rows()
    forged = str(rows[0]["payload"]).replace('"actor":"worker-a"', '"actor":"worker-x"')
    sql(ledger, "UPDATE programme_events SET payload = :p, actor = 'worker-x', hash = :h WHERE seq = 1",
        p=forged, h=chain_hash(str(rows[0]["prev_hash"]), forged))
    _, finding = verify_programme(ledger)
    assert finding is not None and finding.seq == 2 and "prev_hash" in finding.problem
