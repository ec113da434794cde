"""Tamper evidence: the seal chain over storage metadata, signed case heads, signed tree heads.

Revision ID: 0008
Revises: 0007

A *contract* in the sense of ``ledger/migrate.py``: code before it would append rows without a seal
and without signing the case head, which ``audit verify`` reports as tampering, so it declares
itself the oldest compatible revision and older workers stop with a message.

Existing rows get their seal computed here (``seal = sha256(prev_seal ‖ hash ‖ recorded_at)``,
from 64 zeros per case): their ``recorded_at`` values are trusted as of this migration. Heads are
not signed here (a migration holds no key): ``brandpunt audit sign-tree-head --adopt`` signs the
head of every case whose chain and projection verify (docs/notes/keys.md).
"""

import hashlib

import sqlalchemy as sa
from alembic import op

from ledger.migrate import declare_compatibility

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None

GENESIS = "0" * 64
BATCH = 5000


def upgrade() -> None:
    op.add_column("ledger_events", sa.Column("seal", sa.CHAR(64)))
    op.create_table(
        "case_heads",
        sa.Column("case_id", sa.String(200), primary_key=True),
        sa.Column("seq", sa.Integer, nullable=False),
        sa.Column("hash", sa.CHAR(64), nullable=False),
        sa.Column("seal", sa.CHAR(64), nullable=False),
        sa.Column("key_id", sa.String(32), nullable=False),
        sa.Column("signature", sa.String(128), nullable=False),
        sa.Column("sth_seq", sa.Integer),
        sa.Column("sth_hash", sa.CHAR(64)),
        sa.Column("sth_seal", sa.CHAR(64)),
    )
    op.create_table(
        "tree_heads",
        sa.Column("serial", sa.Integer, primary_key=True, autoincrement=False),
        sa.Column("made_at", sa.String(40), nullable=False),
        sa.Column("cases", sa.Integer, nullable=False),
        sa.Column("events", sa.Integer, nullable=False),
        sa.Column("root", sa.CHAR(64), nullable=False),
        sa.Column("key_id", sa.String(32), nullable=False),
        sa.Column("signature", sa.String(128), nullable=False),
    )
    bind = op.get_bind()
    rows = bind.execute(sa.text(
        "SELECT id, case_id, hash, recorded_at FROM ledger_events ORDER BY case_id, seq")).all()
    updates, case, seal = [], None, GENESIS
    for id_, case_id, hash_, recorded_at in rows:
        if case_id != case:
            case, seal = case_id, GENESIS
        seal = hashlib.sha256((seal + hash_ + recorded_at).encode("utf-8")).hexdigest()
        updates.append({"s": seal, "i": id_})
        if len(updates) >= BATCH:
            bind.execute(sa.text("UPDATE ledger_events SET seal = :s WHERE id = :i"), updates)
            updates = []
    if updates:
        bind.execute(sa.text("UPDATE ledger_events SET seal = :s WHERE id = :i"), updates)
    declare_compatibility(revision, revision)


def downgrade() -> None:
    declare_compatibility("0007", "0006")  # what 0007 declared
    op.drop_table("tree_heads")
    op.drop_table("case_heads")
    with op.batch_alter_table("ledger_events") as batch:
        batch.drop_column("seal")
