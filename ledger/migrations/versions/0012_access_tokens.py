"""Personal access tokens of the HTTP API (``ledger.tokens``): a table of their sha256 hashes, the
identity each acts as, its scopes, expiry and revocation.

An expand (ledger/migrate.py): a new table that code of 0011 never reads, so it keeps running.

Revision ID: 0012
Revises: 0011
"""

import sqlalchemy as sa
from alembic import op

from ledger.migrate import declare_compatibility

revision = "0012"
down_revision = "0011"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "access_tokens",
        sa.Column("token_id", sa.String(32), primary_key=True),
        sa.Column("token_hash", sa.CHAR(64), nullable=False, unique=True),
        sa.Column("subject", sa.String(200), nullable=False),
        sa.Column("organisation", sa.String(200), nullable=False),
        sa.Column("roles", sa.String(200), nullable=False),
        sa.Column("scopes", sa.String(40), nullable=False),
        sa.Column("name", sa.String(200), nullable=False),
        sa.Column("created_at", sa.String(40), nullable=False),
        sa.Column("expires_at", sa.String(40), nullable=False),
        sa.Column("revoked_at", sa.String(40)),
    )
    op.create_index("ix_access_tokens_subject", "access_tokens", ["subject"])
    declare_compatibility(revision, oldest_compatible=down_revision)  # expand: a new table


def downgrade() -> None:
    op.drop_index("ix_access_tokens_subject", "access_tokens")
    op.drop_table("access_tokens")
    declare_compatibility("0011", oldest_compatible="0010")  # what 0011 declared
