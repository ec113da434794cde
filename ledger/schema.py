"""The ledger's tables (SQLAlchemy Core). Alembic migrations in ``ledger/migrations`` create them.

``ledger_events`` is append-only: one row per domain event, unique per (case_id, seq), each row
hash-chained to the previous one of its case. ``cases`` is a projection (the fold of a case's
events), rebuilt from ``ledger_events`` at will; ``company_folded`` (the name case-folded) and
``kvk`` let ``lead list --company`` find a case in SQL, ``coordinator_folded`` ``--coordinator``, ``demo``
leave demo cases out. ``case_serials`` hands out the case ids
``BP-<year>-<number>`` (the last number used per year). ``case_heads`` and ``tree_heads`` hold the
signatures that make a forged append detectable without the key (``ledger.heads``). Timestamps are ISO-8601 UTC text so SQLite and
PostgreSQL round-trip them identically.
"""

from __future__ import annotations

import hashlib
from datetime import UTC, datetime

from sqlalchemy import (
    CHAR,
    Boolean,
    Column,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    String,
    Table,
    Text,
    UniqueConstraint,
    false,
)

metadata = MetaData()


def iso(dt: datetime) -> str:
    """Timestamps as fixed-width ISO-8601 UTC text: sortable, and identical on every database."""
    return dt.astimezone(UTC).isoformat(timespec="microseconds")


ledger_events = Table(
    "ledger_events",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("case_id", String(200), nullable=False),
    Column("seq", Integer, nullable=False),
    Column("event_id", String(220), nullable=False, unique=True),
    Column("type", String(64), nullable=False),
    Column("at", String(40), nullable=False, index=True),
    Column("actor", String(200), nullable=False),
    Column("organisation", String(200)),
    Column("payload", Text, nullable=False),
    Column("prev_hash", CHAR(64), nullable=False),
    Column("hash", CHAR(64), nullable=False),
    Column("recorded_at", String(40), nullable=False),
    # sha256(prev_seal ‖ hash ‖ recorded_at): covers the storage metadata the event hash leaves out
    # (NULL only if written by pre-0008 code after the migration: verify names such a row)
    Column("seal", CHAR(64)),
    UniqueConstraint("case_id", "seq", name="uq_ledger_case_seq"),
)

cases = Table(
    "cases",
    metadata,
    Column("case_id", String(200), primary_key=True),
    Column("company", String(200), nullable=False),
    Column("company_folded", Text, nullable=False, server_default=""),
    Column("kvk", String(8), index=True),
    # the coordinator trimmed and case-folded (NULL: none): `lead list --coordinator/--mine` in SQL
    Column("coordinator_folded", Text, index=True),
    Column("stage", String(40), nullable=False, index=True),
    Column("outcome", String(40)),
    Column("region", String(40), nullable=False, index=True),
    Column("hotspot", String(40)),  # NULL: a lead outside any technology hotspot (0010)
    Column("technology_domain", String(40), nullable=False),
    Column("phase", Integer, nullable=False),
    Column("last_seq", Integer, nullable=False),
    Column("head_hash", CHAR(64), nullable=False),
    Column("state", Text, nullable=False),
    Column("detected_at", String(40), nullable=False),
    Column("updated_at", String(40), nullable=False),
    # a demo or test case (LeadDetected.demo): listings, the inbox and reports leave it out unless asked
    Column("demo", Boolean, nullable=False, server_default=false()),
    # the recorded owner (NULL: recorded before owners were; its home region's ROM owns it) (0014)
    Column("owner", String(200), index=True),
)

case_shares = Table(
    "case_shares",
    metadata,
    # each share of a case not revoked, with its last day (ISO date): whose coordinators read it (0014)
    Column("case_id", String(200), primary_key=True),
    Column("organisation", String(200), primary_key=True),
    Column("until", String(10), nullable=False),
    Index("ix_case_shares_organisation", "organisation", "until"),
)

case_serials = Table(
    "case_serials",
    metadata,
    Column("year", Integer, primary_key=True, autoincrement=False),
    Column("last_number", Integer, nullable=False),
)

case_heads = Table(
    "case_heads",
    metadata,
    # the head of each case's chain as the worker signed it, in the append's own transaction
    Column("case_id", String(200), primary_key=True),
    Column("seq", Integer, nullable=False),
    Column("hash", CHAR(64), nullable=False),
    Column("seal", CHAR(64), nullable=False),
    Column("key_id", String(32), nullable=False),
    Column("signature", String(128), nullable=False),
    # the head as of the latest signed tree head (its leaf); NULL for a case newer than that
    Column("sth_seq", Integer),
    Column("sth_hash", CHAR(64)),
    Column("sth_seal", CHAR(64)),
)

tree_heads = Table(
    "tree_heads",
    metadata,
    # signed tree heads: a Merkle root over every case_heads row's sth_* leaf; the newest counts
    Column("serial", Integer, primary_key=True, autoincrement=False),
    Column("made_at", String(40), nullable=False),
    Column("cases", Integer, nullable=False),
    Column("events", Integer, nullable=False),
    Column("root", CHAR(64), nullable=False),
    Column("key_id", String(32), nullable=False),
    Column("signature", String(128), nullable=False),
)

hotspot_offers = Table(
    "hotspot_offers",
    metadata,
    Column("id", String(40), primary_key=True),
    Column("name", String(200), nullable=False),
    Column("region", String(40), nullable=False),
    Column("data", Text, nullable=False),
)

programme_events = Table(
    "programme_events",
    metadata,
    Column("seq", Integer, primary_key=True, autoincrement=False),
    Column("type", String(64), nullable=False),
    Column("at", String(40), nullable=False),
    Column("actor", String(200), nullable=False),
    Column("version", String(40)),
    Column("payload", Text, nullable=False),
    Column("prev_hash", CHAR(64), nullable=False),
    Column("hash", CHAR(64), nullable=False),
    Column("recorded_at", String(40), nullable=False),
)

def lock_key(chain: str) -> int:
    """A signed 64-bit key for PostgreSQL's advisory lock on one chain (a case id, or a named chain)."""
    return int.from_bytes(hashlib.sha256(chain.encode("utf-8")).digest()[:8], "big", signed=True)


access_log = Table(
    "access_log",
    metadata,
    Column("seq", Integer, primary_key=True, autoincrement=False),
    Column("at", String(40), nullable=False),
    Column("subject", String(200), nullable=False),
    Column("organisation", String(200), nullable=False),
    Column("kind", String(40), nullable=False),
    Column("case_id", String(200), index=True),
    Column("payload", Text, nullable=False),
    Column("prev_hash", CHAR(64), nullable=False),
    Column("hash", CHAR(64), nullable=False),
)
"""Who opened a case's file from outside its owner, dossier exports, administrative acts: one chain
(``domain.access_log``); append-only (a trigger refuses UPDATE and DELETE)."""

outbox = Table(
    "outbox",
    metadata,
    Column("message_id", String(300), primary_key=True),
    Column("case_id", String(200), nullable=False, index=True),
    Column("key", String(200), nullable=False),
    Column("recipient", String(300), nullable=False),
    Column("subject", Text, nullable=False),
    Column("body", Text, nullable=False),
    Column("escalation", Boolean, nullable=False),
    Column("created_at", String(40), nullable=False),
)

outbox_deliveries = Table(
    "outbox_deliveries",
    metadata,
    Column("message_id", String(300), ForeignKey("outbox.message_id"), primary_key=True),
    Column("channel", String(40), primary_key=True),
    Column("delivered_at", String(40), nullable=False),
    Column("detail", Text),
)

report_snapshots = Table(
    "report_snapshots",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("kind", String(20), nullable=False),
    Column("period", String(20), nullable=False),
    Column("cutoff", String(40), nullable=False),
    Column("format", String(10), nullable=False),
    Column("content", Text, nullable=False),
    Column("sha256", CHAR(64), nullable=False),
    Column("created_at", String(40), nullable=False),
    UniqueConstraint("kind", "period", "format", "cutoff", name="uq_report_snapshot"),
)
"""Produced reports, immutable: one row per (kind, period, format, cut-off); a trigger refuses UPDATE."""

access_tokens = Table(
    "access_tokens",
    metadata,
    # personal access tokens of the API (ledger.tokens): the secret itself is never stored, only
    # sha256 of it; the identity (subject, organisation, roles) is what the token acts as
    Column("token_id", String(32), primary_key=True),
    Column("token_hash", CHAR(64), nullable=False, unique=True),
    Column("subject", String(200), nullable=False, index=True),
    Column("organisation", String(200), nullable=False),
    Column("roles", String(200), nullable=False),  # space-separated Role values
    Column("scopes", String(40), nullable=False),  # space-separated: read, act
    Column("name", String(200), nullable=False),
    Column("created_at", String(40), nullable=False),
    Column("expires_at", String(40), nullable=False),
    Column("revoked_at", String(40)),
)
"""Personal access tokens for the CLI and scripts: created and revoked by their user, hashed, scoped, expiring."""

saved_views = Table(
    "saved_views",
    metadata,
    # a person's named case-list filters (the web app's saved views, ledger.views): the filters as
    # JSON, never in a URL (a company search may be one); opened by their opaque id (0015)
    Column("view_id", String(32), primary_key=True),
    Column("subject", String(200), nullable=False, index=True),
    Column("name", String(200), nullable=False),
    Column("filters", Text, nullable=False),
    Column("created_at", String(40), nullable=False),
    UniqueConstraint("subject", "name", name="uq_saved_views_subject_name"),
)

data_keys = Table(
    "data_keys",
    metadata,
    # the vault of sealed values (ledger.vault, keys.sealing): one AES-256 key per person's value per
    # case (``ref``: the sha256 of its fingerprint, domain.personal.fingerprint) or per free-text
    # field (``ref``: the sha256 of event id and place); erasing sets key and ref to NULL (0016)
    Column("key_id", String(40), primary_key=True),
    Column("case_id", String(200), nullable=False, index=True),
    Column("ref", String(64), nullable=True),
    Column("key", String(64), nullable=True),
    Column("created_at", String(40), nullable=False),
    Column("erased_at", String(40), nullable=True),
    UniqueConstraint("case_id", "ref", name="uq_data_keys_case_ref"),
)

ledger_schema_compat = Table(
    "ledger_schema_compat",
    metadata,
    Column("revision", String(32), primary_key=True),
    Column("oldest_compatible", String(32), nullable=False),
)
"""One row: the schema revision and the oldest code revision that runs against it (ledger/migrate.py)."""
