"""A ``saved_views`` table: each person's named case-list filters (the web app's saved views).

An expand (ledger/migrate.py): code of 0014 never reads it.

Revision ID: 0015
Revises: 0014
"""

import sqlalchemy as sa
from alembic import op

from ledger.migrate import declare_compatibility

revision = "0015"
down_revision = "0014"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "saved_views",
        sa.Column("view_id", sa.String(32), primary_key=True),
        sa.Column("subject", sa.String(200), nullable=False, index=True),
        sa.Column("name", sa.String(200), nullable=False),
        sa.Column("filters", sa.Text, nullable=False),
        sa.Column("created_at", sa.String(40), nullable=False),
        sa.UniqueConstraint("subject", "name", name="uq_saved_views_subject_name"),
    )
    declare_compatibility(revision, oldest_compatible=down_revision)  # expand: a new table


def downgrade() -> None:
    op.drop_table("saved_views")
    declare_compatibility("0014", oldest_compatible="0013")  # what 0014 declared
