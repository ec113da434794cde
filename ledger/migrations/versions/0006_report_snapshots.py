"""Report snapshots: every produced report kept in the ledger database, immutable.

One row per (kind, period, format, cut-off) with the content and its sha256. Rows are never
updated: a trigger refuses UPDATE on SQLite and PostgreSQL alike (deleting under a retention rule
stays possible). Also the ``ledger_schema_compat`` table, where each migration from now on declares
the oldest code revision that still runs against it (expand/contract, ``ledger/migrate.py``): this
one is an expand, so the code of its down revision keeps running against it.

Revision ID: 0006
Revises: 0005
"""

import sqlalchemy as sa
from alembic import op

from ledger.migrate import COMPAT_TABLE, declare_compatibility

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None

_MESSAGE = "report snapshots are immutable"


def upgrade() -> None:
    op.create_table(
        "report_snapshots",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("kind", sa.String(20), nullable=False),
        sa.Column("period", sa.String(20), nullable=False),
        sa.Column("cutoff", sa.String(40), nullable=False),
        sa.Column("format", sa.String(10), nullable=False),
        sa.Column("content", sa.Text, nullable=False),
        sa.Column("sha256", sa.CHAR(64), nullable=False),
        sa.Column("created_at", sa.String(40), nullable=False),
        sa.UniqueConstraint("kind", "period", "format", "cutoff", name="uq_report_snapshot"),
    )
    # From here on every migration says which older code may run against it (ledger/migrate.py).
    op.create_table(
        COMPAT_TABLE,
        sa.Column("revision", sa.String(32), primary_key=True),
        sa.Column("oldest_compatible", sa.String(32), nullable=False),
    )
    declare_compatibility(revision, oldest_compatible=down_revision)  # expand: a new table only
    if op.get_bind().dialect.name == "postgresql":
        op.execute(
            "CREATE FUNCTION report_snapshots_immutable() RETURNS trigger LANGUAGE plpgsql AS "
            f"$$ BEGIN RAISE EXCEPTION '{_MESSAGE}'; END $$"
        )
        op.execute(
            "CREATE TRIGGER report_snapshots_no_update BEFORE UPDATE ON report_snapshots "
            "FOR EACH ROW EXECUTE FUNCTION report_snapshots_immutable()"
        )
    else:
        op.execute(
            "CREATE TRIGGER report_snapshots_no_update BEFORE UPDATE ON report_snapshots "
            f"BEGIN SELECT RAISE(ABORT, '{_MESSAGE}'); END"
        )


def downgrade() -> None:
    op.execute("DROP TRIGGER IF EXISTS report_snapshots_no_update" + (
        " ON report_snapshots" if op.get_bind().dialect.name == "postgresql" else ""))
    if op.get_bind().dialect.name == "postgresql":
        op.execute("DROP FUNCTION IF EXISTS report_snapshots_immutable()")
    op.drop_table("report_snapshots")
    op.drop_table(COMPAT_TABLE)
