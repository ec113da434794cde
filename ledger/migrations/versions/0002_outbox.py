"""Notification outbox: every reminder is kept here (always), with one row per channel delivery.

Revision ID: 0002
Revises: 0001
"""

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "outbox",
        sa.Column("message_id", sa.String(300), primary_key=True),
        sa.Column("case_id", sa.String(200), nullable=False, index=True),
        sa.Column("key", sa.String(200), nullable=False),
        sa.Column("recipient", sa.String(300), nullable=False),
        sa.Column("subject", sa.Text, nullable=False),
        sa.Column("body", sa.Text, nullable=False),
        sa.Column("escalation", sa.Boolean, nullable=False),
        sa.Column("created_at", sa.String(40), nullable=False),
    )
    op.create_table(
        "outbox_deliveries",
        sa.Column("message_id", sa.String(300), sa.ForeignKey("outbox.message_id"), primary_key=True),
        sa.Column("channel", sa.String(40), primary_key=True),
        sa.Column("delivered_at", sa.String(40), nullable=False),
        sa.Column("detail", sa.Text),
    )


def downgrade() -> None:
    op.drop_table("outbox_deliveries")
    op.drop_table("outbox")
