"""What goes in and out of ``LeadCaseWorkflow``: its input, settings and a command's result.

A module of its own, imported by the workflow with ``imports_passed_through``: the sandbox runs
the workflow's module afresh for every workflow instance, and pydantic models defined there would
be rebuilt (schema and all) for every case started or brought back into the worker's cache, and
would miss the data converter's type-adapter cache. Passed through, they are built once.
"""

from __future__ import annotations

from datetime import timedelta

from pydantic import BaseModel, Field

from domain.events import Event
from domain.reminders import ReminderRules
from domain.state import CaseState


class CaseConfig(BaseModel):
    """Per-case settings fixed at start (and carried over continue-as-new)."""

    max_history_events: int = Field(default=4000, ge=100)
    closed_retention: timedelta = Field(
        default=timedelta(days=365), description="how long a closed case can still be reopened"
    )
    detect_timeout: timedelta = Field(
        default=timedelta(hours=1), description="how long a started case waits for its lead"
    )
    reminders: ReminderRules = Field(
        default_factory=ReminderRules,
        description="followed only by cases started before the rules came from the deployment "
        "(histories without the hardening-v3 patch); newer cases ask the worker (activities.deployment)",
    )


class CaseInput(BaseModel):
    case_id: str = Field(description="must equal the workflow id: a case is its workflow")
    config: CaseConfig = Field(default_factory=CaseConfig)
    state: CaseState | None = Field(
        default=None, description="carried over continue-as-new; checked against the ledger's chain"
    )
    resume: bool = Field(
        default=False, description="start from the ledger's chain of this case (its workflow had ended)"
    )


class CommandResult(BaseModel):
    events: list[Event]
    state: CaseState
    duplicate: bool = Field(
        default=False, description="the command id was applied before: nothing new was recorded"
    )
