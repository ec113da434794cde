"""The access log: who opened a case's file from outside its owning organisation, dossier exports
and administrative acts, as one append-only hash chain (``domain.access_log``).

Rows are never changed: triggers refuse UPDATE and DELETE on SQLite and PostgreSQL alike (the
hash chain shows a change made around them). An expand: a new table only, so the code of the
revision before keeps running against it.

Revision ID: 0011
Revises: 0010
"""

import sqlalchemy as sa
from alembic import op

from ledger.migrate import declare_compatibility

revision = "0011"
down_revision = "0010"
branch_labels = None
depends_on = None

_MESSAGE = "the access log is append-only"
_TRIGGERS = (("access_log_no_update", "UPDATE"), ("access_log_no_delete", "DELETE"))


def upgrade() -> None:
    op.create_table(
        "access_log",
        sa.Column("seq", sa.Integer, primary_key=True, autoincrement=False),
        sa.Column("at", sa.String(40), nullable=False),
        sa.Column("subject", sa.String(200), nullable=False),
        sa.Column("organisation", sa.String(200), nullable=False),
        sa.Column("kind", sa.String(40), nullable=False),
        sa.Column("case_id", sa.String(200)),
        sa.Column("payload", sa.Text, nullable=False),
        sa.Column("prev_hash", sa.CHAR(64), nullable=False),
        sa.Column("hash", sa.CHAR(64), nullable=False),
    )
    op.create_index("ix_access_log_case_id", "access_log", ["case_id"])
    postgres = op.get_bind().dialect.name == "postgresql"
    if postgres:
        op.execute(
            "CREATE FUNCTION access_log_append_only() RETURNS trigger LANGUAGE plpgsql AS "
            f"$$ BEGIN RAISE EXCEPTION '{_MESSAGE}'; END $$"
        )
    for name, what in _TRIGGERS:
        if postgres:
            op.execute(f"CREATE TRIGGER {name} BEFORE {what} ON access_log "
                       "FOR EACH ROW EXECUTE FUNCTION access_log_append_only()")
        else:
            op.execute(f"CREATE TRIGGER {name} BEFORE {what} ON access_log BEGIN SELECT RAISE(ABORT, '{_MESSAGE}'); END")
    declare_compatibility(revision, oldest_compatible=down_revision)  # expand: a new table only


def downgrade() -> None:
    postgres = op.get_bind().dialect.name == "postgresql"
    for name, _ in _TRIGGERS:
        op.execute(f"DROP TRIGGER IF EXISTS {name}" + (" ON access_log" if postgres else ""))
    if postgres:
        op.execute("DROP FUNCTION IF EXISTS access_log_append_only()")
    op.drop_index("ix_access_log_case_id", "access_log")
    op.drop_table("access_log")
    declare_compatibility("0010", oldest_compatible="0009")  # what 0010 declared
