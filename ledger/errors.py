"""Database failures in a short form: the driver's error class and the first line of its message.

SQLAlchemy's exception text carries the SQL and (unless the engine hides them) the bound
parameters, i.e. the event JSON: confidential company data. PostgreSQL adds a ``DETAIL`` line
that may quote the failing row. What leaves brandpunt (a log line, a Temporal failure message,
a CLI error) is :func:`database_error` of it instead: no statement, no parameters, no row.
"""

from __future__ import annotations

from sqlalchemy.exc import DisconnectionError, InterfaceError, OperationalError, SQLAlchemyError
from sqlalchemy.exc import TimeoutError as PoolTimeout

MAX_MESSAGE = 300

TRANSIENT = (OperationalError, InterfaceError, DisconnectionError, PoolTimeout)
"""The database unreachable, locked or restarting, or the pool exhausted: a retry may succeed."""


class LedgerDatabaseError(Exception):
    """The ledger database refused or failed an operation (retryable: it may come back)."""


def describe(err: BaseException) -> str:
    """``module.Class: first line of the message`` of the DB-API error under a SQLAlchemy error."""
    from settings import redact

    orig = getattr(err, "orig", None) or err
    kind = type(orig)
    name = kind.__qualname__ if kind.__module__ == "builtins" else f"{kind.__module__}.{kind.__qualname__}"
    text = str(orig) if orig is not err else str(err).split("[SQL:", 1)[0]
    first = next((line.strip() for line in text.splitlines() if line.strip()), "")
    if first.startswith("(") and ") " in first and orig is err:  # SQLAlchemy's "(driver.Class) message"
        first = first.split(") ", 1)[1]
    return redact(f"{name}: {first}")[:MAX_MESSAGE]


def is_database_error(err: BaseException) -> bool:
    """Whether ``err`` came from the database layer (SQLAlchemy or the driver under it)."""
    return isinstance(err, SQLAlchemyError)


def is_transient(err: BaseException) -> bool:
    """Whether ``err`` is a database failure a retry may cure (:data:`TRANSIENT`), not refused data."""
    return isinstance(err, TRANSIENT)


def database_error(err: BaseException) -> LedgerDatabaseError:
    """The short, payload-free error to raise in place of ``err`` (``raise ... from None``)."""
    return LedgerDatabaseError(describe(err))
