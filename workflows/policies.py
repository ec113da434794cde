"""The case workflow's retry policies, one per kind of activity, each named for what it protects.

The rule: nothing retries forever while it holds a case. A ledger write is the one exception that
must not give up (an outage of hours must lose nothing; the case cannot move on without its
ledger anyway) and it fails at once on anything a retry cannot fix. Everything the case waits for
inside a command (matchmaking) gives up after bounded attempts, and the command then fails with
the reason and records nothing. E-mail and webhook delivery runs outside the case lock, gives up
after bounded attempts, and is retried later by the reminder rules (``ReminderFailed``).
"""

from __future__ import annotations

from datetime import timedelta

from temporalio.common import RetryPolicy

from activities.ledger import CASE_MISMATCH, NON_RETRYABLE

LEDGER_WRITE = RetryPolicy(
    initial_interval=timedelta(seconds=1),
    backoff_coefficient=2.0,
    maximum_interval=timedelta(seconds=60),
    maximum_attempts=0,  # unlimited: transient database failures only (activities.ledger.classify)
    non_retryable_error_types=list(NON_RETRYABLE),
)

LEDGER_READ = RetryPolicy(
    initial_interval=timedelta(seconds=1),
    backoff_coefficient=2.0,
    maximum_interval=timedelta(seconds=10),
    maximum_attempts=5,  # about 15 s, then the command fails and says why
    non_retryable_error_types=list(NON_RETRYABLE),
)

DELIVERY = RetryPolicy(
    initial_interval=timedelta(seconds=5),
    backoff_coefficient=2.0,
    maximum_interval=timedelta(seconds=60),
    maximum_attempts=4,  # about 35 s plus timeouts, then ReminderFailed and a retry by rule
    non_retryable_error_types=["NoOutboxMessage", "ChannelMissing", CASE_MISMATCH],
)

SETTINGS = RetryPolicy(maximum_attempts=3)
"""The deployment's settings are in the worker's memory: a failure is a bug, not an outage."""
