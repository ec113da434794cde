"""A ``data_keys`` table: the vault of sealed personal values and free text (crypto-shredding).

Not an expand (ledger/migrate.py): code of 0016 writes personal values and free text sealed, which
code of 0015 cannot read (a sealed e-mail is no e-mail), so 0015's code must not run against it.
Events recorded before stay as they are (plain values read as plain); nothing is rewritten.

Revision ID: 0016
Revises: 0015
"""

import sqlalchemy as sa
from alembic import op

from ledger.migrate import declare_compatibility

revision = "0016"
down_revision = "0015"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "data_keys",
        sa.Column("key_id", sa.String(40), primary_key=True),
        sa.Column("case_id", sa.String(200), nullable=False, index=True),
        sa.Column("ref", sa.String(64), nullable=True),
        sa.Column("key", sa.String(64), nullable=True),
        sa.Column("created_at", sa.String(40), nullable=False),
        sa.Column("erased_at", sa.String(40), nullable=True),
        sa.UniqueConstraint("case_id", "ref", name="uq_data_keys_case_ref"),
    )
    declare_compatibility(revision, oldest_compatible=revision)  # sealed events: only 0016's code reads them


def downgrade() -> None:
    op.drop_table("data_keys")
    declare_compatibility("0015", oldest_compatible="0014")  # what 0015 declared
