"""Operational gauges read from the ledger database, for the worker's ``/metrics`` (Prometheus text).

- ``brandpunt_outbox_undelivered_messages{channel}``: notices older than ``grace`` that a configured
  channel (email, webhook) has not delivered: the outbox backlog;
- ``brandpunt_cases_stale{stage}``: open cases (no outcome) without a new event for ``stale_after``:
  candidates for the runbook's "stuck case" procedure;
- ``brandpunt_report_snapshots``: reports kept so far.

Counts only (one indexed query each); every worker answers the same numbers, so alert on ``max``.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING

from sqlalchemy import and_, exists, func, select

from ledger.schema import cases, iso, outbox, outbox_deliveries, report_snapshots

if TYPE_CHECKING:
    from ledger.store import Ledger


def undelivered(ledger: Ledger, channels: list[str], grace: timedelta = timedelta(minutes=10)) -> dict[str, int]:
    """channel -> messages older than ``grace`` it has not delivered (email: only address recipients)."""
    before = iso(datetime.now(UTC) - grace)
    counts = {}
    with ledger._engine.connect() as conn:
        for channel in channels:
            delivered = exists().where(
                and_(outbox_deliveries.c.message_id == outbox.c.message_id, outbox_deliveries.c.channel == channel)
            )
            query = select(func.count()).select_from(outbox).where(outbox.c.created_at < before, ~delivered)
            if channel == "email":
                query = query.where(outbox.c.recipient.contains("@"))
            counts[channel] = conn.execute(query).scalar_one()
    return counts


def stale_cases(ledger: Ledger, stale_after: timedelta = timedelta(days=90)) -> dict[str, int]:
    """stage -> open cases whose last event is older than ``stale_after``."""
    before = iso(datetime.now(UTC) - stale_after)
    with ledger._engine.connect() as conn:
        rows = conn.execute(
            select(cases.c.stage, func.count())
            .where(cases.c.outcome.is_(None), cases.c.updated_at < before)
            .group_by(cases.c.stage)
        )
        return {stage: n for stage, n in rows}


def report_count(ledger: Ledger) -> int:
    with ledger._engine.connect() as conn:
        return conn.execute(select(func.count()).select_from(report_snapshots)).scalar_one()


def prometheus_text(ledger: Ledger, channels: list[str], stale_after: timedelta = timedelta(days=90)) -> str:
    lines = [
        "# HELP brandpunt_outbox_undelivered_messages Notices a configured channel has not delivered (older than 10 min).",
        "# TYPE brandpunt_outbox_undelivered_messages gauge",
        *(f'brandpunt_outbox_undelivered_messages{{channel="{c}"}} {n}'
          for c, n in undelivered(ledger, channels).items()),
        f"# HELP brandpunt_cases_stale Open cases without a new event for {stale_after.days} days.",
        "# TYPE brandpunt_cases_stale gauge",
        *(f'brandpunt_cases_stale{{stage="{s}"}} {n}' for s, n in sorted(stale_cases(ledger, stale_after).items())),
        "# HELP brandpunt_report_snapshots Reports kept in the ledger database.",
        "# TYPE brandpunt_report_snapshots gauge",
        f"brandpunt_report_snapshots {report_count(ledger)}",
    ]
    return "\n".join(lines) + "\n"
