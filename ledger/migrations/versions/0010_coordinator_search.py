"""A ``coordinator_folded`` column on ``cases``: ``lead list --coordinator NAME`` and ``--mine`` in SQL.

The coordinator's name (``Lead.coordinator``) trimmed and case-folded, so the filter is one indexed
comparison instead of parsing every case's state; filled here from each projected state (the value
``Ledger._project`` writes).

An expand (ledger/migrate.py): code of the revision before keeps running against it. Cases that
such code projects keep the column as it was (a new case gets none, a changed coordinator keeps the
old one) until a newer worker records their next event or ``rebuild_projection`` runs; only
``lead list --coordinator/--mine`` misses them meanwhile.

Revision ID: 0010
Revises: 0009
"""

import json

import sqlalchemy as sa
from alembic import op

from ledger.migrate import declare_compatibility

revision = "0010"
down_revision = "0009"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("cases") as batch:
        batch.add_column(sa.Column("coordinator_folded", sa.Text))
        batch.create_index("ix_cases_coordinator_folded", ["coordinator_folded"])
    cases = sa.table("cases", sa.column("case_id"), sa.column("state"), sa.column("coordinator_folded"))
    conn = op.get_bind()
    for case_id, state in conn.execute(sa.select(cases.c.case_id, cases.c.state)).all():
        coordinator = (json.loads(state)["lead"].get("coordinator") or "").strip().casefold()
        if coordinator:
            conn.execute(
                sa.update(cases).where(cases.c.case_id == case_id).values(coordinator_folded=coordinator)
            )
    declare_compatibility(revision, oldest_compatible=down_revision)  # expand: a nullable column


def downgrade() -> None:
    with op.batch_alter_table("cases") as batch:
        batch.drop_index("ix_cases_coordinator_folded")
        batch.drop_column("coordinator_folded")
    declare_compatibility("0009", oldest_compatible="0008")  # what 0009 declared
