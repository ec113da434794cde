"""Rollouts and `rollout undo`: a worker runs against a ledger *ahead* of it only when the newer
migration declared it compatible (expand/contract, ledger/migrate.py)."""

from __future__ import annotations

import pytest
from sqlalchemy import text

from ledger import migrate
from ledger.store import Ledger, SchemaError


def _move_to(ledger: Ledger, revision: str, declared: tuple[str, str] | None) -> None:
    """Make the database look as if a newer release had migrated it to ``revision``."""
    with ledger._engine.begin() as conn:
        conn.execute(text("UPDATE alembic_version SET version_num = :r"), {"r": revision})
        conn.execute(text(f"DELETE FROM {migrate.COMPAT_TABLE}"))
        if declared:
            conn.execute(text(f"INSERT INTO {migrate.COMPAT_TABLE} VALUES (:r, :o)"),
                         {"r": declared[0], "o": declared[1]})


def test_a_database_ahead_by_an_expand_migration_is_accepted_a_contract_is_not(ledger_url):
    ledger = Ledger.open(ledger_url, upgrade=True)
    try:
        ledger.check_schema()
        head = migrate.HEAD
        ahead = f"{int(head) + 1:04d}"
        _move_to(ledger, ahead, (ahead, head))  # expand: code at HEAD still works
        ledger.check_schema()
        _move_to(ledger, ahead, (ahead, ahead))  # contract: only code at `ahead` or newer
        with pytest.raises(SchemaError, match="not declared compatible"):
            ledger.check_schema()
        _move_to(ledger, ahead, (head, head))  # the newer migration declared nothing: not trusted
        with pytest.raises(SchemaError, match="newer than this brandpunt"):
            ledger.check_schema()
        _move_to(ledger, ahead, None)
        with pytest.raises(SchemaError, match="newer than this brandpunt"):
            ledger.check_schema()
    finally:
        ledger.dispose()


def test_the_newest_migration_declares_its_compatibility(ledger_url):
    ledger = Ledger.open(ledger_url, upgrade=True)
    try:
        with ledger._engine.connect() as conn:
            row = conn.execute(text(f"SELECT revision, oldest_compatible FROM {migrate.COMPAT_TABLE}")).one()
        assert row[0] == migrate.HEAD and int(row[1]) <= int(migrate.HEAD)
    finally:
        ledger.dispose()
