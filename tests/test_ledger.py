"""The ledger on SQLite and on the real PostgreSQL: chain, idempotency, conflicts, projection."""

from __future__ import annotations

import dataclasses
import json
import threading
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import make_url, text
from sqlalchemy.exc import IntegrityError

from domain.chain import GENESIS, canonical_json, chain_hash
from domain.decide import Context, decide
from domain.state import fold
from ledger.offers import shipped_offers
from ledger.store import Ledger, LedgerConflict, LedgerGap, SchemaError
from tests import factories as f

T0 = datetime(2026, 3, 1, 9, 0, tzinfo=UTC)


def case_events(case_id: str = "lead-ledger-test", n_phase_changes: int = 3, **lead):
    """Real domain events: detection, needs, then phase changes, an hour apart."""
    state, events = None, []
    commands = [f.start(**lead), f.command("articulate-needs", needs=f.NEEDS)]
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
        assert (row.opened or row.payload) == canonical_json(ev)  # read with its sealed values opened
        assert row.prev_hash == prev and row.hash == chain_hash(prev, row.payload)  # stored: sealed
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
    with pytest.raises(LedgerConflict, match=r"lead-ledger-test/5: .*differs in actor\)$"):
        ledger.append([forged])
    assert LedgerConflict.retryable is False and LedgerGap.retryable is False
    assert ledger.count_events() == 5
    assert ledger.events("lead-ledger-test")[-1].payload == canonical_json(events[4])


def test_a_conflict_inside_a_batch_writes_nothing(ledger):
    events, _ = case_events()
    ledger.append(events[:2])
    forged = events[1].model_copy(update={"reason": "rewritten"})
    with pytest.raises(LedgerConflict, match="reason"):
        ledger.append([events[0], forged, events[2]])
    assert ledger.count_events() == 2 and ledger.case_state("lead-ledger-test").last_seq == 2


def test_gap_is_refused_and_writes_nothing(ledger):
    events, _ = case_events()
    ledger.append(events[:2])
    with pytest.raises(LedgerGap):
        ledger.append(events[3:])
    with pytest.raises(LedgerGap):  # the first event would fit: the whole batch is still refused
        ledger.append([events[2], events[4]])
    assert [r.seq for r in ledger.events("lead-ledger-test")] == [1, 2]
    assert ledger.case_state("lead-ledger-test").last_seq == 2
    with pytest.raises(ValueError, match="one case"):
        ledger.append([events[2], case_events("lead-other")[0][0]])


def test_projection_equals_the_fold(ledger):
    events, state = case_events()
    ledger.append(events[:2])
    ledger.append(events[2:])
    assert ledger.case_state("lead-ledger-test") == state == fold(r.event for r in ledger.events("lead-ledger-test"))
    assert [s.case_id for s in ledger.case_states(stage="needs_articulation")] == ["lead-ledger-test"]
    assert ledger.case_states(stage="matchmaking") == []
    assert [s.case_id for s in ledger.case_states(region="bom")] == ["lead-ledger-test"]


def test_a_missing_projection_is_rebuilt_from_the_events(ledger):
    events, state = case_events()
    ledger.append(events[:3])
    with ledger._engine.begin() as conn:
        conn.execute(text("DELETE FROM cases"))
    ledger.append(events[3:])  # refolds the stored events before applying the new ones
    assert ledger.case_state("lead-ledger-test") == state
    with ledger._engine.begin() as conn:
        conn.execute(text("DELETE FROM cases"))
    assert ledger.rebuild_projection() == 1
    assert ledger.case_state("lead-ledger-test") == state


def test_list_cases_filters_on_the_projection(ledger):
    a, _ = case_events("lead-a")
    b, _ = case_events("lead-b", home_region="oost-nl", hotspot="twente", company="Qubit Works BV")
    c, _ = case_events("lead-c")
    ledger.append(a)
    ledger.append(b)
    ledger.append(c[:1])  # still in detection
    assert ledger.case_ids() == ["lead-a", "lead-b", "lead-c"]
    assert [s.case_id for s in ledger.list_cases()] == ["lead-a", "lead-b", "lead-c"]
    assert [s.case_id for s in ledger.list_cases(region="oost-nl")] == ["lead-b"]
    assert [s.case_id for s in ledger.list_cases(stage="detection")] == ["lead-c"]
    assert [s.case_id for s in ledger.list_cases(stage="needs_articulation", region="bom")] == ["lead-a"]
    assert ledger.list_cases(stage="realisation") == []
    row = ledger.list_cases(region="oost-nl")[0].as_json()
    assert row["case_id"] == "lead-b" and row["company"] == "Qubit Works BV"
    assert (row["stage"], row["outcome"], row["region"], row["hotspot"]) == (
        "needs_articulation", None, "oost-nl", "twente")
    assert row["phase"] == ledger.case_state("lead-b").phase and row["last_seq"] == len(b)
    json.dumps(row)  # plain JSON types only


def test_as_of_and_upto(ledger):
    events, _ = case_events()
    ledger.append(events)
    assert [r.seq for r in ledger.events("lead-ledger-test", as_of=T0 + timedelta(hours=2))] == [1, 2, 3]
    assert [r.seq for r in ledger.events("lead-ledger-test", upto_seq=2)] == [1, 2]
    assert [r.case_id for r in ledger.iter_all_rows(batch=2)] == ["lead-ledger-test"] * 5


@pytest.mark.parametrize("batch", [1, 2, 3, 4, 100])
def test_every_row_is_read_once_in_case_and_seq_order_whatever_the_page_size(ledger, batch):
    """``Ledger.stored_rows`` (keyset pages, ``ledger.paging``) and ``iter_all_rows`` (the same pages as
    ``LedgerRow``) give every row once, in (case_id, seq) order, across page and case boundaries."""
    sizes = {"lead-b": 3, "lead-a": 1, "lead-c": 4}
    for case_id, n in sizes.items():
        ledger.append(case_events(case_id, n_phase_changes=n)[0])
    want = [(c, seq) for c in sorted(sizes) for seq in range(1, sizes[c] + 3)]
    stored = list(ledger.stored_rows(batch=batch))
    assert [(r.case_id, r.seq) for r in stored] == want
    parsed = list(ledger.iter_all_rows(batch=batch))
    assert parsed == [row for c in sorted(sizes) for row in ledger.events(c)]
    assert [(r.at.isoformat(), r.recorded_at.isoformat()) for r in parsed] == [
        (datetime.fromisoformat(r.at).isoformat(), r.recorded_at_text) for r in stored]
    # a range of cases, as a split walk reads it: start inclusive, stop exclusive
    assert {r.case_id for r in ledger.stored_rows(batch=batch, start="lead-b")} == {"lead-b", "lead-c"}
    assert {r.case_id for r in ledger.stored_rows(batch=batch, start="lead-a", stop="lead-c")} == {"lead-a", "lead-b"}
    assert ledger.case_ids_at([0, 2, 3, len(want) - 1]) == ["lead-a", "lead-a", "lead-b", "lead-c"]


def test_a_row_as_json(ledger):
    events, _ = case_events()
    events[1] = events[1].model_copy(update={"command_id": "cmd-1"})
    ledger.append(events)
    first, second = ledger.events("lead-ledger-test")[:2]
    shown = second.as_json()
    assert shown == {
        "seq": 2, "type": "NeedsArticulated", "at": events[1].at.isoformat(), "actor": events[1].actor,
        "organisation": events[1].organisation, "prev_hash": first.hash, "hash": second.hash,
        "command_id": "cmd-1", "event": json.loads(canonical_json(events[1])),
    }
    assert "command_id" not in first.as_json() and first.as_json()["event"]["type"] == "LeadDetected"
    json.dumps(shown)  # plain JSON types only
    stored = second.as_json(stored=True)  # a dossier's events.json: the bytes an outside check needs
    assert "event" not in stored and stored["payload"] == second.payload == canonical_json(events[1])
    assert (stored["event_id"], stored["recorded_at"]) == ("lead-ledger-test/2", second.recorded_at_text)
    tampered = dataclasses.replace(second, payload="{not json")
    assert tampered.as_json()["event"] is None and tampered.as_json()["payload_as_stored"] == "{not json"
    assert "command_id" not in tampered.as_json()


def test_count_events_by_type_and_case_prefix(ledger):
    ledger.append(case_events("lead-x_1", n_phase_changes=2)[0])
    ledger.append(case_events("lead-xa1", n_phase_changes=1)[0])
    assert ledger.count_events() == 7
    assert ledger.count_events(event_type="PhaseChanged") == 3
    assert ledger.count_events(case_prefix="lead-x_") == 4  # "_" is a character, not a LIKE wildcard
    assert ledger.count_events(event_type="LeadDetected", case_prefix="lead-xa") == 1


def test_the_shown_url_hides_the_password():
    ledger = Ledger("postgresql+psycopg://brandpunt:s3cret-pw@127.0.0.1:1/ledger")  # connects to nothing
    assert ledger.safe_url == "postgresql+psycopg://brandpunt:***@127.0.0.1:1/ledger"
    ledger.dispose()


@pytest.mark.parametrize("batch_sizes", [(3, 3, 3, 3), (1, 2, 3, 5)], ids=["same-batches", "mixed-batches"])
def test_concurrent_writers_of_the_same_events_never_duplicate(ledger, batch_sizes):
    events, state = case_events(n_phase_changes=30)
    errors: list[BaseException] = []

    def write(size: int) -> None:
        try:
            for i in range(0, len(events), size):
                ledger.append(events[i : i + size])
        except BaseException as err:  # noqa: BLE001
            errors.append(err)

    threads = [threading.Thread(target=write, args=(size,)) for size in batch_sizes]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not errors
    rows = ledger.events("lead-ledger-test")
    assert [r.seq for r in rows] == list(range(1, len(events) + 1))
    assert [r.opened or r.payload for r in rows] == [canonical_json(e) for e in events]
    assert ledger.case_state("lead-ledger-test") == state


def test_losing_an_insert_race_is_retried_into_a_skip(ledger_url, monkeypatch):
    """A writer that collides on the unique (case_id, seq) retries and finds the winner's rows."""
    events, state = case_events()
    winner, loser = Ledger.open(ledger_url, upgrade=True), Ledger(ledger_url)
    real_append = Ledger._append
    calls = []

    def racing(self, batch, *rest):
        calls.append(len(batch))
        if len(calls) == 1:  # the other writer commits first; our insert then hits the constraint
            real_append(winner, batch, *rest)
            raise IntegrityError("INSERT", {}, Exception("UNIQUE constraint failed"))
        return real_append(self, batch, *rest)

    monkeypatch.setattr(Ledger, "_append", racing)
    result = loser.append(events)
    assert (result.inserted, result.skipped, len(calls)) == (0, 5, 2)
    assert loser.count_events() == 5 and loser.case_state("lead-ledger-test") == state
    winner.dispose()
    loser.dispose()


def test_unmigrated_database_is_refused_with_how_to_fix(ledger_url):
    fresh = Ledger(ledger_url)
    with pytest.raises(SchemaError, match="brandpunt db upgrade"):
        fresh.check_schema()
    fresh.upgrade()
    fresh.upgrade()  # idempotent
    fresh.check_schema()
    if fresh._engine.dialect.name == "postgresql":  # the version table lives in the test's schema
        with fresh._engine.connect() as conn:
            schemas = conn.execute(text(
                "SELECT table_schema FROM information_schema.tables WHERE table_name = 'alembic_version'"
                " AND table_schema = current_schema()")).scalars().all()
        assert len(schemas) == 1
    with fresh._engine.begin() as conn:
        conn.execute(text("UPDATE alembic_version SET version_num = '9999'"))
    with pytest.raises(SchemaError, match="newer"):
        fresh.check_schema()
    fresh.dispose()


def test_hotspot_offers_round_trip(ledger):
    catalogue = shipped_offers()
    assert len(ledger.seed_hotspots().offers) == 6
    assert ledger.seed_hotspots().offers == []  # idempotent: nothing loaded the second time
    offers = ledger.offers.current()
    assert {o.hotspot.value for o in offers} == {
        "brainport-eindhoven", "twente", "arnhem-nijmegen", "zuidvleugel", "groningen", "almere"}
    assert offers == sorted(catalogue, key=lambda o: o.hotspot.value)
    assert all(o.provenance.illustrative for o in offers)


def test_sqlite_file_setup(tmp_path):
    led = Ledger.open(f"sqlite:///{tmp_path / 'new' / 'dir' / 'ledger.db'}", upgrade=True)
    assert (tmp_path / "new" / "dir" / "ledger.db").exists()
    with led._engine.connect() as conn:
        pragmas = [conn.exec_driver_sql(f"PRAGMA {p}").scalar() for p in
                   ("journal_mode", "synchronous", "busy_timeout", "foreign_keys")]
    assert pragmas == ["wal", 1, 30000, 1]
    led.dispose()


def test_the_fast_schema_check_knows_the_newest_migration():
    """``migrate.HEAD`` lets reads skip Alembic; it must name Alembic's own head revision."""
    from ledger import migrate

    assert migrate.HEAD == migrate.head_revision()


def test_end_to_end_ledgers_follow_the_backend_switch(case_ledger_url, session_ledger_url):
    """``BRANDPUNT_TEST_LEDGER=postgresql`` (test.sh's second pass) really moves every case ledger."""
    from tests.db_fixtures import BACKEND

    for url in (case_ledger_url, session_ledger_url):
        assert make_url(url).get_backend_name() == BACKEND, url


def test_a_conflict_names_every_field_that_differs_and_no_value(ledger):
    events, _ = case_events()
    stored = events[-1].model_copy(update={"reason": "é" * 90})
    ledger.append([*events[:-1], stored])
    other = stored.model_copy(update={"reason": "ü" * 90, "actor": "someone-else", "command_id": "cmd-9"})
    with pytest.raises(LedgerConflict) as err:
        ledger.append([other])
    message = str(err.value)  # a field only one side has (command_id) counts too; payloads stay out
    assert message.endswith("(differs in actor, command_id, reason)")
    assert "é" not in message and "ü" not in message and "someone-else" not in message


def test_demo_cases_are_projected_and_listings_leave_them_out_in_sql(ledger):
    real, _ = case_events("lead-real")
    demo_state, demo = None, []
    for i, cmd in enumerate([f.command("start", lead=f.LEAD, demo=True, source="import:demo.csv#row 2"),
                             f.command("articulate-needs", needs=f.NEEDS)]):
        new = decide(demo_state, cmd, Context("lead-demo", T0 + timedelta(hours=i)))
        demo_state, demo = fold(new, demo_state), demo + new
    ledger.append(real)
    ledger.append(demo)
    ids = lambda **kw: [s.case_id for s in ledger.list_cases(**kw)]  # noqa: E731
    states = lambda **kw: [s.case_id for s in ledger.case_states(**kw)]  # noqa: E731
    assert ids() == states() == ["lead-demo", "lead-real"]  # detected at the same time: by case id
    assert ids(include_demo=False) == states(include_demo=False) == ["lead-real"]
    assert ids(include_demo=False, stage="needs_articulation") == ["lead-real"]
    assert [r.as_json()["demo"] for r in ledger.list_cases()] == [True, False]
    state = ledger.case_state("lead-demo")
    assert (state.demo, state.source) == (True, "import:demo.csv#row 2") and state == demo_state
    ledger.rebuild_projection()
    assert ids(include_demo=False) == ["lead-real"] and len(ids()) == 2


def test_migration_0009_adds_the_demo_column_as_an_expand(ledger_url):
    """Cases projected by 0008 code are real cases (the column's default), and 0008 workers keep running."""
    from ledger import migrate

    led = Ledger(ledger_url)
    migrate.upgrade(led._engine, "0008")
    events, state = case_events("lead-old", n_phase_changes=0)
    with led._engine.begin() as conn:  # the row as 0008 code writes it: no demo column
        conn.execute(text(
            "INSERT INTO cases (case_id, company, company_folded, kvk, stage, outcome, region, hotspot,"
            " technology_domain, phase, last_seq, head_hash, state, detected_at, updated_at) VALUES ('lead-old',"
            " 'Photon Forge BV', 'photon forge bv', NULL, 'needs_articulation', NULL, 'bom', 'brainport-eindhoven',"
            " 'photonics', 2, 2, :h, :s, :at, :at)"), {"h": "0" * 64, "s": state.model_dump_json(), "at": T0.isoformat()})
    migrate.upgrade(led._engine, "0009")
    assert migrate.compatible_ahead(led._engine, "0009", head="0008")
    assert migrate.current_revision(led._engine) == "0009"
    assert [(s.case_id, s.demo) for s in led.list_cases(include_demo=False)] == [("lead-old", False)]
    migrate.downgrade(led._engine, "0008")
    assert migrate.current_revision(led._engine) == "0008"
    led.upgrade()
    assert migrate.current_revision(led._engine) == migrate.HEAD
    led.dispose()


def test_migration_0013_lets_a_lead_sit_outside_any_hotspot_as_an_expand(ledger_url):
    """Issue 14: a lead's hotspot may be null, and so may its projection; 0012 code keeps running
    (it never writes NULL), and going back to 0012 is refused while a lead outside a hotspot exists."""
    from ledger import migrate

    led = Ledger(ledger_url)
    migrate.upgrade(led._engine, "0012")
    old_events, _ = case_events("lead-in-hotspot", n_phase_changes=0)
    with pytest.raises(SchemaError):
        led.check_schema()  # this code needs 0013
    migrate.upgrade(led._engine, "0013")
    assert migrate.compatible_ahead(led._engine, "0013", head="0012")
    migrate.upgrade(led._engine, migrate.HEAD)  # what this code needs now (0014 came after it)
    led.check_schema()
    led.append(old_events)
    outside, state = case_events("lead-outside", n_phase_changes=0, hotspot=None)
    led.append(outside)
    assert state.lead.hotspot is None and state.facts()["hotspot"] is None
    by_id = {s.case_id: s.hotspot for s in led.list_cases()}
    assert by_id == {"lead-in-hotspot": "brainport-eindhoven", "lead-outside": None}
    assert led.case_state("lead-outside") == state
    migrate.downgrade(led._engine, "0013")
    with pytest.raises(RuntimeError, match="outside any hotspot"):
        migrate.downgrade(led._engine, "0012")
    assert migrate.current_revision(led._engine) == "0013"
    led.dispose()


def test_migration_0014_fills_owners_and_shares_from_the_projected_states(ledger_url):
    """The case list filters by owner and share in SQL: 0014 fills both from each case's state, and
    the append keeps them (a share, its revocation), as an expand 0013 code keeps running against."""
    from datetime import timedelta

    from domain.access import ReadScope
    from domain.decide import Context, decide
    from domain.state import fold
    from ledger import migrate
    from ledger.listing import CaseQuery

    led = Ledger(ledger_url)
    migrate.upgrade(led._engine, "0013")
    state = None
    for command in (f.start(), f.command("share", share_with="oost-nl", purpose="location", until="2099-01-01")):
        new = decide(state, command, Context("lead-shared", T0))
        state = fold(new, state)
        with led._engine.begin() as conn:  # as 0013 code writes: events and the projection without 0014's parts
            conn.execute(text("DELETE FROM cases WHERE case_id = 'lead-shared'"))
            conn.execute(text(
                "INSERT INTO cases (case_id, company, company_folded, kvk, stage, outcome, region, hotspot,"
                " technology_domain, phase, last_seq, head_hash, state, detected_at, updated_at, demo) VALUES"
                " ('lead-shared', 'x', 'x', NULL, 'detection', NULL, 'bom', NULL, 'photonics', 2, :seq, :h, :s, :at,"
                " :at, false)"), {"seq": state.last_seq, "h": "0" * 64, "s": state.model_dump_json(),
                                  "at": T0.isoformat()})
    migrate.upgrade(led._engine, "0014")
    assert migrate.compatible_ahead(led._engine, "0014", head="0013")
    today = T0.date()

    def readers(org: str) -> list[str]:
        return [s.case_id for s in led.case_page(CaseQuery(ReadScope(organisation=org), today))[1]]

    assert (readers("oost-nl"), readers("innovationquarter")) == (["lead-shared"], [])
    assert led.case_page(CaseQuery(ReadScope(organisation="bom"), today, regions_owned=("bom",)))[0] == 1
    assert led.case_page(CaseQuery(ReadScope(organisation="bom"), today))[0] == 0  # no owner recorded, no region
    migrate.upgrade(led._engine, migrate.HEAD)  # this code appends at its own schema (0016: sealed values)
    state = None  # appended by this code: the append keeps owner and shares
    for at, command in enumerate((f.start(), f.command("assign-owner", owner="bom", rule="home region"),
                                  f.command("share", share_with="oost-nl", purpose="location", until="2099-01-01"))):
        new = decide(state, command, Context("lead-new", T0 + timedelta(hours=at)))
        led.append(new)
        state = fold(new, state)
    assert sorted(readers("oost-nl")) == ["lead-new", "lead-shared"] and readers("bom") == ["lead-new"]
    led.append(decide(state, f.command("revoke-share", share_with="oost-nl"), Context("lead-new", T0 + timedelta(1))))
    assert readers("oost-nl") == ["lead-shared"]
    led.rebuild_projection()  # from the chains: only lead-new has events
    assert readers("oost-nl") == [] and readers("bom") == ["lead-new"]
    migrate.downgrade(led._engine, "0013")
    assert migrate.current_revision(led._engine) == "0013"
    led.dispose()
