"""Schema migrations with Alembic, driven from code (no alembic.ini needed at run time).

The application refuses to run against an unmigrated database or one migrated by newer code:
both would mean writing events into a shape nobody verified.
"""

from __future__ import annotations

from pathlib import Path

from alembic import command  # noqa: I001
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy.engine import Engine

MIGRATIONS = Path(__file__).parent / "migrations"


class SchemaError(RuntimeError):
    """The ledger database is not at the schema revision this code expects."""


def _config() -> Config:
    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS))
    return cfg


def head_revision() -> str:
    head = ScriptDirectory.from_config(_config()).get_current_head()
    assert head is not None
    return head


def current_revision(engine: Engine) -> str | None:
    with engine.connect() as conn:
        return MigrationContext.configure(conn).get_current_revision()


def upgrade(engine: Engine) -> None:
    cfg = _config()
    with engine.begin() as conn:
        cfg.attributes["connection"] = conn
        command.upgrade(cfg, "head")


def check(engine: Engine, url: str) -> None:
    current, head = current_revision(engine), head_revision()
    if current == head:
        return
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
