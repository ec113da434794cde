"""Leads outside any technology hotspot: the ``cases`` projection's ``hotspot`` may be NULL.

The programme also serves deeptech companies "gevestigd in andere plaatsen die echter geen
technologie brandpunt zijn" (sources/002), so a lead's hotspot may be null (``Lead.hotspot``, issue
14) and so may its projection.

An expand (ledger/migrate.py): code of 0012 keeps running against it. Such code cannot start a lead
outside a hotspot (its ``Lead`` requires one) and never writes NULL; every row it wrote holds a
hotspot, as before.

Revision ID: 0013
Revises: 0012
"""

import sqlalchemy as sa
from alembic import op

from ledger.migrate import declare_compatibility

revision = "0013"
down_revision = "0012"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("cases") as batch:
        batch.alter_column("hotspot", existing_type=sa.String(40), nullable=True)
    declare_compatibility(revision, oldest_compatible=down_revision)  # expand: a constraint relaxed


def downgrade() -> None:
    # a lead outside any hotspot has no value the old column takes: refuse rather than invent one
    bind = op.get_bind()
    if bind.execute(sa.text("SELECT COUNT(*) FROM cases WHERE hotspot IS NULL")).scalar():
        raise RuntimeError("cases outside any hotspot exist: 0012's schema cannot hold them")
    with op.batch_alter_table("cases") as batch:
        batch.alter_column("hotspot", existing_type=sa.String(40), nullable=False)
    declare_compatibility("0012", oldest_compatible="0011")  # what 0012 declared
