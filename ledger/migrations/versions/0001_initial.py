"""The ledger, the case projection and the hotspot offers.

Revision ID: 0001
Revises:
"""

import sqlalchemy as sa
from alembic import op

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "ledger_events",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("case_id", sa.String(200), nullable=False),
        sa.Column("seq", sa.Integer, nullable=False),
        sa.Column("event_id", sa.String(220), nullable=False, unique=True),
        sa.Column("type", sa.String(64), nullable=False),
        sa.Column("at", sa.String(40), nullable=False),
        sa.Column("actor", sa.String(200), nullable=False),
        sa.Column("organisation", sa.String(200)),
        sa.Column("payload", sa.Text, nullable=False),
        sa.Column("prev_hash", sa.CHAR(64), nullable=False),
        sa.Column("hash", sa.CHAR(64), nullable=False),
        sa.Column("recorded_at", sa.String(40), nullable=False),
        sa.UniqueConstraint("case_id", "seq", name="uq_ledger_case_seq"),
    )
    op.create_index("ix_ledger_events_at", "ledger_events", ["at"])
    op.create_table(
        "cases",
        sa.Column("case_id", sa.String(200), primary_key=True),
        sa.Column("company", sa.String(200), nullable=False),
        sa.Column("stage", sa.String(40), nullable=False),
        sa.Column("outcome", sa.String(40)),
        sa.Column("region", sa.String(40), nullable=False),
        sa.Column("hotspot", sa.String(40), nullable=False),
        sa.Column("technology_domain", sa.String(40), nullable=False),
        sa.Column("phase", sa.Integer, nullable=False),
        sa.Column("last_seq", sa.Integer, nullable=False),
        sa.Column("head_hash", sa.CHAR(64), nullable=False),
        sa.Column("state", sa.Text, nullable=False),
        sa.Column("detected_at", sa.String(40), nullable=False),
        sa.Column("updated_at", sa.String(40), nullable=False),
    )
    op.create_index("ix_cases_stage", "cases", ["stage"])
    op.create_index("ix_cases_region", "cases", ["region"])
    op.create_table(
        "hotspot_offers",
        sa.Column("id", sa.String(40), primary_key=True),
        sa.Column("name", sa.String(200), nullable=False),
        sa.Column("region", sa.String(40), nullable=False),
        sa.Column("data", sa.Text, nullable=False),
    )


def downgrade() -> None:
    op.drop_table("hotspot_offers")
    op.drop_table("cases")
    op.drop_table("ledger_events")
