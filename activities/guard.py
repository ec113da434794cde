"""The check every activity that touches a case makes first: it acts on its calling workflow's case only.

A workflow id is the case id (``docs/ARCHITECTURE.md``, "A case is its workflow"), so a workflow
started with another case's id in its input cannot make an activity write into that case.
"""

from __future__ import annotations

from temporalio import activity
from temporalio.exceptions import ApplicationError

CASE_MISMATCH = "CaseMismatch"


def own_case(case_id: str) -> None:
    """Refuse to act on a case other than the calling workflow's own (non-retryably)."""
    caller = activity.info().workflow_id
    if case_id != caller:
        raise ApplicationError(
            f"workflow {caller} may only act on its own case, not on {case_id[:100]}",
            type=CASE_MISMATCH,
            non_retryable=True,
        )
