"""The ledger on SQLite and on the real PostgreSQL: chain, idempotency, conflicts, projection."""

from __future__ import annotations

import threading
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import text

from domain.chain import GENESIS, canonical_json, chain_hash
from domain.decide import Context, decide
from domain.state import fold
from ledger.store import Ledger, LedgerConflict, LedgerGap, SchemaError
from tests import factories as f

T0 = datetime(2026, 3, 1, 9, 0, tzinfo=UTC)


def case_events(case_id: str = "lead-ledger-test", n_phase_changes: int = 3):
    """Real domain events: detection, needs, then phase changes, an hour apart."""
    state, events = None, []
    commands = [f.start(), f.command("articulate-needs", needs=f.NEEDS)]
    commands += [f.command("change-phase", phase=3 if i % 2 == 0 else 2) for i in range(n_phase_changes)]
    for i, cmd in enumerate(commands):
        new = decide(state, cmd, Context(case_id, T0 + timedelta(hours=i)))
        state = fold(new, state)
        events += new
    return events, state


@pytest.fixture
def ledger(ledger_url):
    led = Ledger.open(ledger_url, upgrade=True)
    yield led
    led.dispose()


def test_append_builds_a_hash_chain(ledger):
    events, _ = case_events()
    result = ledger.append(events)
    assert (result.inserted, result.skipped) == (5, 0)
    prev = GENESIS
    for row, ev in zip(ledger.events("lead-ledger-test"), events, strict=True):
        assert row.payload == canonical_json(ev)
        assert row.prev_hash == prev and row.hash == chain_hash(prev, row.payload)
        assert row.event == ev and row.at == ev.at and row.event_id == ev.event_id
        prev = row.hash
    assert result.head_hash == prev


def test_retry_is_a_no_op_and_a_different_event_is_a_conflict(ledger):
    events, _ = case_events()
    ledger.append(events[:3])
    again = ledger.append(events[:4])  # a retried batch overlapping what is stored
    assert (again.inserted, again.skipped) == (1, 3)
    forged = events[4].model_copy(update={"actor": "someone-else"})
    with pytest.raises(LedgerConflict, match="lead-ledger-test/4"):
        ledger.append([events[4].model_copy(update={"seq": 4, "actor": "x"})])
    ledger.append([events[4]])
    with pytest.raises(LedgerConflict):
        ledger.append([forged])
    assert ledger.count_events() == 5


def test_gap_is_refused_and_writes_nothing(ledger):
    events, _ = case_events()
    ledger.append(events[:2])
    with pytest.raises(LedgerGap):
        ledger.append(events[3:])
    assert [r.seq for r in ledger.events("lead-ledger-test")] == [1, 2]


def test_projection_equals_the_fold(ledger):
    events, state = case_events()
    ledger.append(events[:2])
    ledger.append(events[2:])
    assert ledger.case_state("lead-ledger-test") == state == fold(r.event for r in ledger.events("lead-ledger-test"))
    assert [s.case_id for s in ledger.case_states(stage="needs_articulation")] == ["lead-ledger-test"]
    assert ledger.case_states(stage="matchmaking") == []
    assert [s.case_id for s in ledger.case_states(region="bom")] == ["lead-ledger-test"]


def test_as_of_and_upto(ledger):
    events, _ = case_events()
    ledger.append(events)
    assert [r.seq for r in ledger.events("lead-ledger-test", as_of=T0 + timedelta(hours=2))] == [1, 2, 3]
    assert [r.seq for r in ledger.events("lead-ledger-test", upto_seq=2)] == [1, 2]
    assert [r.case_id for r in ledger.iter_all_rows(batch=2)] == ["lead-ledger-test"] * 5


def test_concurrent_writers_of_the_same_events_never_duplicate(ledger):
    events, _ = case_events(n_phase_changes=20)
    errors: list[BaseException] = []

    def write() -> None:
        try:
            for i in range(0, len(events), 3):
                ledger.append(events[i : i + 3])
        except BaseException as err:  # noqa: BLE001
            errors.append(err)

    threads = [threading.Thread(target=write) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not errors
    assert [r.seq for r in ledger.events("lead-ledger-test")] == list(range(1, len(events) + 1))


def test_unmigrated_database_is_refused_with_how_to_fix(ledger_url):
    fresh = Ledger(ledger_url)
    with pytest.raises(SchemaError, match="brandpunt db upgrade"):
        fresh.check_schema()
    fresh.upgrade()
    fresh.check_schema()
    with fresh.engine.begin() as conn:
        conn.execute(text("UPDATE alembic_version SET version_num = '9999'"))
    with pytest.raises(SchemaError, match="newer"):
        fresh.check_schema()
    fresh.dispose()


def test_hotspot_offers_round_trip(ledger):
    assert ledger.seed_hotspots() == 6
    assert ledger.seed_hotspots() == 6  # idempotent
    offers = ledger.hotspot_offers()
    assert {o.id.value for o in offers} == {
        "brainport-eindhoven", "twente", "arnhem-nijmegen", "zuidvleugel", "groningen", "almere"}
