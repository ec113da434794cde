"""Case ids that name nobody: the serial counter per year; company search columns on ``cases``.

An expand (ledger/migrate.py): code of the revision before keeps running against it. Cases that
such code projects get an empty ``company_folded`` and no ``kvk`` (the column defaults) until a newer
worker records their next event or ``rebuild_projection`` runs; only ``lead list --company`` misses
them meanwhile.

Revision ID: 0007
Revises: 0006
"""

import json

import sqlalchemy as sa
from alembic import op

from ledger.migrate import declare_compatibility

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "case_serials",
        sa.Column("year", sa.Integer, primary_key=True, autoincrement=False),
        sa.Column("last_number", sa.Integer, nullable=False),
    )
    with op.batch_alter_table("cases") as batch:
        batch.add_column(sa.Column("company_folded", sa.Text, nullable=False, server_default=""))
        batch.add_column(sa.Column("kvk", sa.String(8)))
        batch.create_index("ix_cases_kvk", ["kvk"])
    # Fill the new columns from the projected state (the same values Ledger._project writes).
    cases = sa.table(
        "cases", sa.column("case_id"), sa.column("state"), sa.column("company_folded"), sa.column("kvk")
    )
    conn = op.get_bind()
    for case_id, state in conn.execute(sa.select(cases.c.case_id, cases.c.state)).all():
        lead = json.loads(state)["lead"]
        conn.execute(
            sa.update(cases)
            .where(cases.c.case_id == case_id)
            .values(company_folded=lead["company"].casefold(), kvk=lead.get("kvk"))
        )
    declare_compatibility(revision, oldest_compatible=down_revision)  # expand: a table, new columns


def downgrade() -> None:
    with op.batch_alter_table("cases") as batch:
        batch.drop_index("ix_cases_kvk")
        batch.drop_column("kvk")
        batch.drop_column("company_folded")
    op.drop_table("case_serials")
    declare_compatibility("0006", oldest_compatible="0005")  # what 0006 declared
