"""``lead list --coordinator/--mine`` in SQL (the ``coordinator_folded`` column, migration 0010), on
SQLite and PostgreSQL, and the list's text table."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import text

from cli import table
from domain.decide import Context, decide
from domain.state import fold
from ledger import migrate
from ledger.store import Ledger
from tests import factories as f
from tests.test_case_serials import T0, detect, ledger  # noqa: F401 - `ledger` is the fixture


def ids(led: Ledger, **where) -> list[str]:
    return [s.case_id for s in led.case_states(**where)]


def test_coordinator_filter_is_exact_trimmed_and_any_case(ledger):  # noqa: F811
    detect(ledger, "BP-2026-0001", coordinator="Anna.Jansen@BOM.nl")
    detect(ledger, "BP-2026-0002", coordinator="  anna.jansen@bom.nl ", company="Second BV")
    detect(ledger, "BP-2026-0003", coordinator="anna.jansen@bom.nl.other")
    detect(ledger, "BP-2026-0004", coordinator=None)
    assert ids(ledger, coordinator="ANNA.JANSEN@bom.nl") == ["BP-2026-0001", "BP-2026-0002"]
    assert ids(ledger, coordinator=" anna.jansen@bom.nl ") == ["BP-2026-0001", "BP-2026-0002"]
    assert ids(ledger, coordinator="anna") == []  # a name, not a part of one
    assert ids(ledger, coordinator="anna.jansen@bom.nl", company="second") == ["BP-2026-0002"]
    assert [s.case_id for s in ledger.list_cases(coordinator="Anna.Jansen@bom.nl")] == ["BP-2026-0001",
                                                                                        "BP-2026-0002"]
    assert len(ids(ledger)) == 4


def test_the_column_follows_a_change_of_coordinator(ledger):  # noqa: F811
    detect(ledger, "BP-2026-0001", coordinator="old@rom.nl")
    state = ledger.case_state("BP-2026-0001")
    update = f.command("update", lead={**f.LEAD, "coordinator": "New@ROM.nl"})
    ledger.append(decide(state, update, Context("BP-2026-0001", T0 + timedelta(days=1))))
    assert ids(ledger, coordinator="old@rom.nl") == []
    assert ids(ledger, coordinator="new@rom.nl") == ["BP-2026-0001"]
    with ledger._engine.begin() as conn:
        conn.execute(text("UPDATE cases SET coordinator_folded = NULL"))
    ledger.rebuild_projection()
    assert ids(ledger, coordinator="new@rom.nl") == ["BP-2026-0001"]


def migrate_to(led: Ledger, revision: str, down: bool = False) -> None:
    (migrate.downgrade if down else migrate.upgrade)(led._engine, revision)
    assert migrate.current_revision(led._engine) == revision


def test_migration_0010_fills_the_column_from_the_projected_states(ledger_url):
    led = Ledger(ledger_url)
    migrate_to(led, "0009")
    # Cases projected by 0009 code: no coordinator column yet.
    rows = {"BP-2026-0001": " Piet@NOM.nl", "BP-2026-0002": None}
    with led._engine.begin() as conn:
        for case_id, coordinator in rows.items():
            state = fold(decide(None, f.start(coordinator=coordinator), Context(case_id, T0)))
            conn.execute(
                text(
                    "INSERT INTO cases (case_id, company, company_folded, stage, outcome, region, hotspot,"
                    " technology_domain, phase, last_seq, head_hash, state, detected_at, updated_at) VALUES"
                    " (:c, 'X', 'x', 'detection', NULL, 'bom', 'twente', 'photonics', 2, 1, :h, :s, :at, :at)"
                ),
                {"c": case_id, "h": "0" * 64, "s": state.model_dump_json(), "at": T0.isoformat()},
            )
    migrate_to(led, "0010")
    assert migrate.compatible_ahead(led._engine, "0010", head="0009")  # an expand: 0009 workers keep running
    with led._engine.connect() as conn:
        got = dict(conn.execute(text("SELECT case_id, coordinator_folded FROM cases")).all())
    assert got == {"BP-2026-0001": "piet@nom.nl", "BP-2026-0002": None}
    led.upgrade()
    led.check_schema()
    assert ids(led, coordinator="PIET@nom.nl") == ["BP-2026-0001"]
    migrate_to(led, "0009", down=True)  # and back
    led.dispose()


COLUMNS = (("CASE", "case_id"), ("COMPANY", "company"), ("WHO", "who"))
ROWS = [
    {"case_id": "BP-2026-0001", "company": "Koninklijke Fotonica en Halfgeleiders Noord-Brabant BV", "who": "anna"},
    {"case_id": "BP-2026-0002", "company": "Qubit\nWorks", "who": None},
]


def test_table_has_a_header_and_full_values_without_a_width():
    lines = table.render(COLUMNS, ROWS)
    assert lines[0].split() == ["CASE", "COMPANY", "WHO"]
    assert ROWS[0]["company"] in lines[1]
    assert lines[2].split() == ["BP-2026-0002", "Qubit", "Works"]  # a newline never breaks a row
    assert lines[1].index("anna") == lines[0].index("WHO")  # columns line up


def test_table_shrinks_the_named_column_to_fit_a_terminal():
    lines = table.render(COLUMNS, ROWS, width=50, shrink=("company",))
    assert max(len(line) for line in lines) <= 50
    assert "Koninklijke" in lines[1] and "…" in lines[1]
    assert lines[1].index("anna") == lines[0].index("WHO")
    narrow = table.render(COLUMNS, ROWS, width=10, shrink=("company",))  # never below 12 characters
    assert "Koninklijke…  anna" in narrow[1]
    assert table.render(COLUMNS, ROWS, width=500, shrink=("company",)) == table.render(COLUMNS, ROWS)


def test_csv_cells_stay_data_in_a_spreadsheet(capsys):
    from cli.lead import write_csv

    write_csv([{"case_id": "BP-2026-0001", "company": '=HYPERLINK("http://x","y")', "kvk": None, "demo": True},
               {"case_id": "BP-2026-0002", "company": "@SUM(A1)", "kvk": "12345678", "demo": False},
               {"case_id": "BP-2026-0003", "company": "Plus-Minus BV", "kvk": None, "demo": False}],
              ("case_id", "company", "kvk", "demo"))
    assert capsys.readouterr().out.split("\r\n") == [
        "case_id,company,kvk,demo",
        "BP-2026-0001,\"'=HYPERLINK(\"\"http://x\"\",\"\"y\"\")\",,true",
        "BP-2026-0002,'@SUM(A1),12345678,false",
        "BP-2026-0003,Plus-Minus BV,,false",
        "",
    ]
