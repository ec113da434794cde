"""Case ids from the ledger (BP-<year>-<NNNN>) and finding cases by company, on SQLite and PostgreSQL."""

from __future__ import annotations

import re
import threading
from datetime import UTC, datetime

import pytest
from sqlalchemy import text

from domain import case_ids
from domain.decide import Context, decide
from ledger import migrate
from ledger.store import Ledger
from tests import factories as f

T0 = datetime(2026, 3, 1, 9, 0, tzinfo=UTC)


@pytest.fixture
def ledger(ledger_url):
    led = Ledger.open(ledger_url, upgrade=True)
    yield led
    led.dispose()


def detect(ledger: Ledger, case_id: str, **lead) -> None:
    ledger.append(decide(None, f.start(**lead), Context(case_id, T0)))


def test_serials_are_readable_per_year_and_increase(ledger):
    first = [ledger.allocate_case_id(2026) for _ in range(3)]
    assert first == ["BP-2026-0001", "BP-2026-0002", "BP-2026-0003"]
    assert ledger.allocate_case_id(2027) == "BP-2027-0001"  # each year counts on its own
    assert ledger.allocate_case_id(2026) == "BP-2026-0004"
    this_year = ledger.allocate_case_id()
    assert re.fullmatch(rf"BP-{datetime.now(UTC).year}-\d{{4,}}", this_year)
    assert all(case_ids.valid(c) for c in [*first, this_year])
    with pytest.raises(ValueError):
        ledger.allocate_case_id(99)


def test_serials_go_past_four_digits(ledger):
    with ledger._engine.begin() as conn:
        conn.execute(text("INSERT INTO case_serials (year, last_number) VALUES (2026, 9999)"))
    assert ledger.allocate_case_id(2026) == "BP-2026-10000"
    assert case_ids.valid("BP-2026-10000")


def test_ids_the_ledger_already_holds_are_skipped(ledger):
    detect(ledger, "BP-2026-0001")
    detect(ledger, "BP-2026-0002")  # e.g. given by hand with --case-id
    assert ledger.allocate_case_id(2026) == "BP-2026-0003"
    assert ledger.allocate_case_id(2026) == "BP-2026-0004"


def test_the_counter_survives_reopening_the_database(ledger_url):
    a = Ledger.open(ledger_url, upgrade=True)
    assert a.allocate_case_id(2026) == "BP-2026-0001"
    a.dispose()
    b = Ledger.open(ledger_url)
    b.check_schema()
    assert b.allocate_case_id(2026) == "BP-2026-0002"
    b.dispose()


def test_concurrent_allocation_from_threads_gives_no_duplicates(ledger_url):
    """Eight threads, each with its own Ledger (own connection pool), 25 ids each."""
    Ledger.open(ledger_url, upgrade=True).dispose()
    per_thread, n_threads = 25, 8
    got: list[list[str]] = [[] for _ in range(n_threads)]
    errors: list[BaseException] = []
    barrier = threading.Barrier(n_threads)

    def work(i: int) -> None:
        led = Ledger.open(ledger_url)
        try:
            barrier.wait()
            for _ in range(per_thread):
                got[i].append(led.allocate_case_id(2026))
        except BaseException as err:  # noqa: BLE001 - reported below
            errors.append(err)
        finally:
            led.dispose()

    threads = [threading.Thread(target=work, args=(i,)) for i in range(n_threads)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=120)
    assert not errors, errors
    every = [c for ids in got for c in ids]
    assert len(every) == per_thread * n_threads
    assert len(set(every)) == len(every), "an id was handed out twice"
    numbers = sorted(int(c.rsplit("-", 1)[1]) for c in every)
    assert numbers == list(range(1, len(every) + 1))  # and none skipped
    for ids in got:  # each caller sees its own ids increase
        assert ids == sorted(ids)


def test_concurrent_allocation_on_one_shared_ledger(ledger):
    got: list[str] = []
    lock = threading.Lock()

    def work() -> None:
        for _ in range(20):
            cid = ledger.allocate_case_id(2030)
            with lock:
                got.append(cid)

    threads = [threading.Thread(target=work) for _ in range(6)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=120)
    assert sorted(got) == [f"BP-2030-{n:04d}" for n in range(1, 121)]


def test_list_by_company_substring_any_case_or_kvk(ledger):
    detect(ledger, "BP-2026-0001", company="Photon Forge BV", kvk="12345678")
    detect(ledger, "BP-2026-0002", company="Qubit Works BV", kvk="87654321", home_region="oost-nl",
           hotspot="twente")
    detect(ledger, "BP-2026-0003", company="Ëlectra Öptics 100%_Dutch", kvk=None)
    ids = lambda **kw: [s.case_id for s in ledger.list_cases(**kw)]  # noqa: E731
    states = lambda **kw: [s.case_id for s in ledger.case_states(**kw)]  # noqa: E731
    assert ids(company="forge") == ["BP-2026-0001"]
    assert ids(company="PHOTON f") == ["BP-2026-0001"]
    assert ids(company=" works ") == ["BP-2026-0002"]  # surrounding blanks do not count
    assert ids(company="bv") == ["BP-2026-0001", "BP-2026-0002"]
    assert ids(company="87654321") == ["BP-2026-0002"]  # the KvK number, exactly
    assert ids(company="8765432") == []  # part of a KvK number is not a KvK number
    assert ids(company="ëlectra öptics") == ["BP-2026-0003"]  # beyond ASCII, on both databases
    assert ids(company="ELECTRA") == []
    assert ids(company="100%_d") == ["BP-2026-0003"]
    assert ids(company="%") == ["BP-2026-0003"]  # LIKE's wildcards are plain characters here
    assert ids(company="_") == ["BP-2026-0003"]
    assert ids(company="nobody") == []
    assert ids(company="bv", region="oost-nl") == ["BP-2026-0002"]
    assert states(company="forge") == ["BP-2026-0001"] and states(company="12345678") == ["BP-2026-0001"]
    assert len(ids(company="")) == 3


def test_a_renamed_company_is_found_by_its_new_name(ledger):
    detect(ledger, "BP-2026-0001", company="Old Name BV")
    state = ledger.case_state("BP-2026-0001")
    renamed = f.command("update", lead={**f.LEAD, "company": "New Name BV", "kvk": "11112222"})
    ledger.append(decide(state, renamed, Context("BP-2026-0001", T0)))
    assert [s.case_id for s in ledger.list_cases(company="new name")] == ["BP-2026-0001"]
    assert ledger.list_cases(company="old name") == []
    assert [s.case_id for s in ledger.list_cases(company="11112222")] == ["BP-2026-0001"]
    ledger.rebuild_projection()
    assert [s.case_id for s in ledger.list_cases(company="new name")] == ["BP-2026-0001"]


def test_migration_0007_fills_the_search_columns_of_existing_cases(ledger_url):
    led = Ledger(ledger_url)
    migrate.upgrade(led._engine, "0006")
    assert migrate.current_revision(led._engine) == "0006"
    # A case recorded under 0006: its projection row has no search columns yet.
    events = decide(None, f.start(company="Wafer Ünion BV", kvk="24681357"), Context("lead-wafer", T0))
    from domain.chain import GENESIS, canonical_json, chain_hash
    from domain.state import fold
    from ledger.store import iso

    state = fold(events)
    payload = canonical_json(events[0])
    with led._engine.begin() as conn:
        conn.execute(
            text(
                "INSERT INTO ledger_events (case_id, seq, event_id, type, at, actor, organisation, payload,"
                " prev_hash, hash, recorded_at) VALUES ('lead-wafer', 1, 'lead-wafer/1', 'LeadDetected', :at,"
                " 'a', NULL, :p, :g, :h, :at)"
            ),
            {"at": iso(T0), "p": payload, "g": GENESIS, "h": chain_hash(GENESIS, payload)},
        )
        conn.execute(
            text(
                "INSERT INTO cases (case_id, company, stage, outcome, region, hotspot, technology_domain,"
                " phase, last_seq, head_hash, state, detected_at, updated_at) VALUES ('lead-wafer',"
                " 'Wafer Ünion BV', 'detection', NULL, 'bom', 'brainport-eindhoven', 'photonics', 2, 1,"
                " :h, :s, :at, :at)"
            ),
            {"h": chain_hash(GENESIS, payload), "s": state.model_dump_json(), "at": iso(T0)},
        )
    migrate.upgrade(led._engine, "0007")
    assert migrate.current_revision(led._engine) == "0007"
    assert migrate.compatible_ahead(led._engine, "0007", head="0006")  # an expand: 0006 workers keep running
    led.upgrade()
    led.check_schema()
    assert migrate.current_revision(led._engine) == migrate.HEAD
    assert [s.case_id for s in led.list_cases(company="wafer ünion")] == ["lead-wafer"]
    assert [s.case_id for s in led.list_cases(company="24681357")] == ["lead-wafer"]
    assert led.allocate_case_id(2026) == "BP-2026-0001"
    led.dispose()
