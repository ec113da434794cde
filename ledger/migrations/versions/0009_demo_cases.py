"""Demo cases: a ``demo`` column on the ``cases`` projection, so listings and the inbox leave demo
and test cases out in SQL, without parsing each case's state.

An expand (ledger/migrate.py): code of 0008 keeps running against it. Such code cannot start a demo
case (its ``start`` command has no ``demo`` field) and leaves the column alone when it projects a
case's next event, so every row it writes holds the truth. The flag itself is a fact of the chain
(``LeadDetected.demo``); the column is its projection, checked by ``audit verify``. Every case
recorded before this release is a real one (the column's default).

Revision ID: 0009
Revises: 0008
"""

import sqlalchemy as sa
from alembic import op

from ledger.migrate import declare_compatibility

revision = "0009"
down_revision = "0008"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("cases") as batch:
        batch.add_column(sa.Column("demo", sa.Boolean, nullable=False, server_default=sa.false()))
    declare_compatibility(revision, oldest_compatible=down_revision)  # expand: a column with a default


def downgrade() -> None:
    with op.batch_alter_table("cases") as batch:
        batch.drop_column("demo")
    declare_compatibility("0008", oldest_compatible="0008")  # what 0008 declared
