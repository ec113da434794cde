"""Schema migrations with Alembic, driven from code (no alembic.ini needed at run time).

The application refuses to run against an unmigrated database (or one behind its code): that would
mean writing events into a shape nobody verified. A database *ahead* of the code is accepted only
when the newer migration said so (expand/contract):

- every migration declares, with :func:`declare_compatibility`, the oldest code revision that still
  works with the schema it leaves; the declaration is stored in ``ledger_schema_compat`` beside
  Alembic's ``alembic_version``;
- an *expand* migration (a new table, a nullable column, an index) declares the revision before it,
  or an older one: workers of the previous release keep running during a rollout and after
  ``kubectl rollout undo``;
- a *contract* migration (dropping or renaming what older code reads or writes, NOT NULL on an
  existing column, a changed meaning) declares its own revision: older workers stop with a message
  instead of writing into a shape they do not know. Ship a contract only after a release that no
  longer uses what it removes.

Code at ``HEAD`` accepts a database at revision R > HEAD when ``ledger_schema_compat`` holds a row
for R itself (a migration that forgot to declare is not trusted) whose oldest compatible revision
is at or below ``HEAD``. Revisions are numbered (``0001``, ``0002``, ...), so "newer" is numeric.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from sqlalchemy.engine import Engine

if TYPE_CHECKING:  # Alembic is imported when a migration or a schema check runs, not by every command
    from alembic.config import Config

MIGRATIONS = Path(__file__).parent / "migrations"
HEAD = "0016"
"""The newest migration in ``migrations/versions`` (a test keeps it equal to Alembic's head): lets
:func:`check` confirm an up-to-date ledger with one query, without loading Alembic."""


COMPAT_TABLE = "ledger_schema_compat"


def declare_compatibility(revision: str, oldest_compatible: str) -> None:
    """In a migration's ``upgrade()``: the oldest code revision that works with the schema it leaves."""
    from alembic import op
    from sqlalchemy import column, table

    compat = table(COMPAT_TABLE, column("revision"), column("oldest_compatible"))
    op.execute(compat.delete())
    op.execute(compat.insert().values(revision=revision, oldest_compatible=oldest_compatible))


def _declared(engine: Engine) -> tuple[str, str] | None:
    from sqlalchemy import inspect, text

    with engine.connect() as conn:
        if not inspect(conn).has_table(COMPAT_TABLE):
            return None
        row = conn.execute(text(f"SELECT revision, oldest_compatible FROM {COMPAT_TABLE}")).first()
        return None if row is None else (row[0], row[1])


def _number(revision: str) -> int | None:
    return int(revision) if revision.isdigit() else None


def compatible_ahead(engine: Engine, current: str, head: str = HEAD) -> bool:
    """True when the database's newer revision ``current`` declared code at ``head`` compatible."""
    declared = _declared(engine)
    if declared is None or declared[0] != current:
        return False
    oldest, mine, theirs = _number(declared[1]), _number(head), _number(current)
    if oldest is None or mine is None or theirs is None:
        return False
    return theirs > mine >= oldest


class SchemaError(RuntimeError):
    """The ledger database is not at the schema revision this code expects."""


def _config() -> Config:
    from alembic.config import Config

    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS))
    return cfg


def head_revision() -> str:
    from alembic.script import ScriptDirectory

    head = ScriptDirectory.from_config(_config()).get_current_head()
    assert head is not None
    return head


def current_revision(engine: Engine) -> str | None:
    from alembic.runtime.migration import MigrationContext

    with engine.connect() as conn:
        return MigrationContext.configure(conn).get_current_revision()


def upgrade(engine: Engine, to: str = "head") -> None:
    from alembic import command

    cfg = _config()
    with engine.begin() as conn:
        cfg.attributes["connection"] = conn
        command.upgrade(cfg, to)


def downgrade(engine: Engine, to: str) -> None:
    """Back to revision ``to`` (a rollback of a release's migrations; tests)."""
    from alembic import command

    cfg = _config()
    with engine.begin() as conn:
        cfg.attributes["connection"] = conn
        command.downgrade(cfg, to)


def _stored_revision(engine: Engine) -> str | None:
    """The revision recorded in ``alembic_version``, read with plain SQL (None when absent)."""
    from sqlalchemy import inspect, text

    with engine.connect() as conn:
        if not inspect(conn).has_table("alembic_version"):
            return None
        return conn.execute(text("SELECT version_num FROM alembic_version")).scalar()


def check(engine: Engine, url: str) -> None:
    if _stored_revision(engine) == HEAD:
        return
    current, head = current_revision(engine), head_revision()
    if current == head:
        return
    from alembic.script import ScriptDirectory

    scripts = ScriptDirectory.from_config(_config())
    if current is None:
        raise SchemaError(f"the ledger at {url} has no schema yet: run `brandpunt db upgrade`")
    known = {s.revision for s in scripts.walk_revisions()}
    if current not in known:
        if compatible_ahead(engine, current, head):
            import logging

            logging.getLogger("brandpunt.schema").warning(
                "the ledger at %s is at schema revision %s, ahead of this brandpunt (%s) and declared "
                "compatible with it: running (expand/contract; see ledger/migrate.py)", url, current, head
            )
            return
        raise SchemaError(
            f"the ledger at {url} is at schema revision {current}, newer than this brandpunt "
            f"knows ({head}) and not declared compatible with it; upgrade brandpunt before using it"
        )
    raise SchemaError(
        f"the ledger at {url} is at schema revision {current}, this brandpunt needs {head}: "
        "run `brandpunt db upgrade`"
    )
