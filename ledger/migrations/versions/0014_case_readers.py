"""Who may read each case, in SQL: an ``owner`` column on ``cases`` and a ``case_shares`` table.

The web app's case list pages through 10,000 cases; deciding each case's access by parsing its
state (0.8 s for 10,000 on SQLite) cannot answer within a page's budget. The projection now holds
the facts ``domain.access.may`` reads, so a listing filters in SQL (``domain.access.read_scope``
says whose cases a caller reads) and parses only the page's states, each of which ``may()`` then
judges again. ``owner`` is the recorded owner (``OwnerAssigned``/``LeadDetected.owner``; NULL for a
case started before owners were recorded: its home region's ROM owns it); ``case_shares`` holds each
share not revoked, with its last day. Both are filled here from each projected state.

An expand (ledger/migrate.py): code of 0013 keeps running against it. Cases that such code
projects keep these as they were until a newer worker records their next event or
``rebuild_projection`` runs; only the web app's list misses such a change meanwhile (a case's page
decides from its state).

Revision ID: 0014
Revises: 0013
"""

import json

import sqlalchemy as sa
from alembic import op

from ledger.migrate import declare_compatibility

revision = "0014"
down_revision = "0013"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("cases") as batch:
        batch.add_column(sa.Column("owner", sa.String(200)))
        batch.create_index("ix_cases_owner", ["owner"])
    op.create_table(
        "case_shares",
        sa.Column("case_id", sa.String(200), primary_key=True),
        sa.Column("organisation", sa.String(200), primary_key=True),
        sa.Column("until", sa.String(10), nullable=False),
    )
    op.create_index("ix_case_shares_organisation", "case_shares", ["organisation", "until"])
    cases = sa.table("cases", sa.column("case_id"), sa.column("state"), sa.column("owner"))
    shares = sa.table("case_shares", sa.column("case_id"), sa.column("organisation"), sa.column("until"))
    conn = op.get_bind()
    for case_id, raw in conn.execute(sa.select(cases.c.case_id, cases.c.state)).all():
        state = json.loads(raw)
        if state.get("owner"):
            conn.execute(sa.update(cases).where(cases.c.case_id == case_id).values(owner=state["owner"]))
        latest = {s["organisation"]: s for s in state.get("shares") or []}  # the latest share per organisation
        rows = [{"case_id": case_id, "organisation": org, "until": s["until"]}
                for org, s in latest.items() if not s.get("revoked_at")]
        if rows:
            conn.execute(sa.insert(shares), rows)
    declare_compatibility(revision, oldest_compatible=down_revision)  # expand: a nullable column, a table


def downgrade() -> None:
    op.drop_index("ix_case_shares_organisation", "case_shares")
    op.drop_table("case_shares")
    with op.batch_alter_table("cases") as batch:
        batch.drop_index("ix_cases_owner")
        batch.drop_column("owner")
    declare_compatibility("0013", oldest_compatible="0012")  # what 0013 declared
