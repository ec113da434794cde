"""Ledger databases for tests: a SQLite file, and a fresh schema in the real PostgreSQL.

Two switches:
- tests about the ledger itself take ``ledger_url`` and run on both databases in every run;
- tests that run cases end to end (workflows, CLI, faults, reminders) take ``case_ledger_url``
  (or the session's ``ts_worker``), whose database is ``BRANDPUNT_TEST_LEDGER``: ``sqlite``
  (default) or ``postgresql``. ``test.sh`` runs the whole suite once with each.

PostgreSQL tests skip on a developer machine without the server, but fail under CI=true: CI must
really exercise PostgreSQL.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
from sqlalchemy import create_engine, text

from settings import safe_url

PG_URL = os.environ.get("BRANDPUNT_TEST_PG_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test")
BACKEND = os.environ.get("BRANDPUNT_TEST_LEDGER", "sqlite")
if BACKEND not in ("sqlite", "postgresql"):
    raise RuntimeError(f"BRANDPUNT_TEST_LEDGER={BACKEND!r}: use sqlite or postgresql")


class SecretURL(str):
    """A database URL that shows itself with its password hidden: a failing test's traceback prints
    its arguments (``case_ledger_url = '...'``), and CI logs must never hold the password."""

    def __repr__(self) -> str:
        return repr(safe_url(str(self)))


def _pg_available() -> str | None:
    try:
        engine = create_engine(PG_URL)
        with engine.connect() as conn:
            conn.execute(text("select 1"))
        engine.dispose()
        return None
    except Exception as err:  # noqa: BLE001 - any failure means "not reachable"
        return str(err).splitlines()[0]


def _require_pg() -> None:
    problem = _pg_available()
    if problem:
        if os.environ.get("CI", "").lower() in ("1", "true", "yes") or BACKEND == "postgresql":
            pytest.fail(f"PostgreSQL at {safe_url(PG_URL)} is required here: {problem}")
        pytest.skip(f"PostgreSQL not reachable: {problem}")


@contextmanager
def pg_schema() -> Iterator[str]:
    """A PostgreSQL URL whose search_path is a fresh schema, dropped afterwards."""
    _require_pg()
    schema = f"t_{uuid.uuid4().hex[:12]}"
    admin = create_engine(PG_URL)
    with admin.begin() as conn:
        conn.execute(text(f'CREATE SCHEMA "{schema}"'))
    sep = "&" if "?" in PG_URL else "?"
    try:
        yield SecretURL(f"{PG_URL}{sep}options=-csearch_path%3D{schema}")
    finally:
        with admin.begin() as conn:
            conn.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
        admin.dispose()


@pytest.fixture
def pg_url():
    with pg_schema() as url:
        yield url


@pytest.fixture
def sqlite_url(tmp_path):
    return f"sqlite:///{tmp_path / 'ledger.db'}"


@pytest.fixture(params=["sqlite", "postgresql"])
def ledger_url(request):
    return request.getfixturevalue("sqlite_url" if request.param == "sqlite" else "pg_url")


@contextmanager
def backend_ledger_url(directory: Path) -> Iterator[str]:
    """A ledger URL on the run's backend: a fresh PostgreSQL schema, or a SQLite file in ``directory``."""
    if BACKEND == "postgresql":
        with pg_schema() as url:
            yield url
    else:
        yield f"sqlite:///{directory / 'ledger.db'}"


@pytest.fixture
def case_ledger_url(tmp_path):
    """The ledger of an end-to-end test, on the run's backend (``BRANDPUNT_TEST_LEDGER``)."""
    with backend_ledger_url(tmp_path) as url:
        yield url


@pytest.fixture(scope="session")
def session_ledger_url(tmp_path_factory):
    """Like ``case_ledger_url``, for session-wide workers."""
    with backend_ledger_url(tmp_path_factory.mktemp("ledger")) as url:
        yield url
