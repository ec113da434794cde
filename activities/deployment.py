"""What a case takes from the deployment, not from whoever started it: the reminder rules and the
delivery channels the workers are configured with.

A local activity (read-only, cheap, recorded in history as a marker): a case asks for it when a
run starts and at every wake-up, so a changed rule set reaches every case at its next wake-up,
and replay sees exactly the rules the case followed. The worker records each new rule set once in
the ledger's programme chain (``Ledger.adopt_reminder_rules``) before it serves any case.
"""

from __future__ import annotations

from pydantic import BaseModel
from temporalio import activity

from domain.reminders import ReminderRules


class CaseSettings(BaseModel):
    rules_version: str
    rules: ReminderRules
    channels: list[str]


class DeploymentActivities:
    def __init__(self, rules: ReminderRules, channels: list[str]) -> None:
        self._settings = CaseSettings(rules_version=rules.version(), rules=rules, channels=channels)

    @activity.defn(name="case_settings")
    def case_settings(self) -> CaseSettings:
        return self._settings
