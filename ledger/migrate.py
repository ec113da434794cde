"""Schema migrations with Alembic, driven from code (no alembic.ini needed at run time).

The application refuses to run against an unmigrated database or one migrated by newer code:
both would mean writing events into a shape nobody verified.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from sqlalchemy.engine import Engine

if TYPE_CHECKING:  # Alembic is imported when a migration or a schema check runs, not by every command
    from alembic.config import Config

MIGRATIONS = Path(__file__).parent / "migrations"
HEAD = "0006"
"""The newest migration in ``migrations/versions`` (a test keeps it equal to Alembic's head): lets
:func:`check` confirm an up-to-date ledger with one query, without loading Alembic."""


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


def upgrade(engine: Engine) -> None:
    from alembic import command

    cfg = _config()
    with engine.begin() as conn:
        cfg.attributes["connection"] = conn
        command.upgrade(cfg, "head")


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
        raise SchemaError(
            f"the ledger at {url} is at schema revision {current}, newer than this brandpunt "
            f"knows ({head}); upgrade brandpunt before using it"
        )
    raise SchemaError(
        f"the ledger at {url} is at schema revision {current}, this brandpunt needs {head}: "
        "run `brandpunt db upgrade`"
    )
