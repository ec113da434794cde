"""Configuration, read once from the environment. One place lists every variable (see README)."""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from domain.reminders import ReminderRules

TASK_QUEUE = "brandpunt-cases"


@dataclass(frozen=True)
class Settings:
    home: Path
    temporal_address: str
    temporal_namespace: str
    ledger_url: str
    actor: str | None
    organisation: str | None
    task_queue: str = TASK_QUEUE
    extra: dict[str, str] = field(default_factory=dict)

    def reminder_rules(self) -> ReminderRules:
        """The deployment's reminder rules: ``BRANDPUNT_REMINDER_RULES`` (a JSON file) or defaults."""
        from domain.reminders import ReminderRules

        path = self.extra.get("reminder_rules")
        if not path:
            return ReminderRules()
        try:
            return ReminderRules.model_validate_json(Path(path).read_text(encoding="utf-8"))
        except OSError as err:
            raise ValueError(f"BRANDPUNT_REMINDER_RULES={path}: cannot read it ({err})") from err

    @property
    def dev_db(self) -> Path:
        """The embedded dev server's SQLite file."""
        return self.home / "temporal.db"


def load(env: dict[str, str] | None = None) -> Settings:
    env = dict(os.environ if env is None else env)
    home = Path(env.get("BRANDPUNT_HOME", "./.brandpunt")).expanduser().resolve()
    ledger_url = env.get("BRANDPUNT_LEDGER_URL") or f"sqlite:///{home / 'ledger.db'}"
    return Settings(
        home=home,
        temporal_address=env.get("TEMPORAL_ADDRESS", "localhost:7233"),
        temporal_namespace=env.get("TEMPORAL_NAMESPACE", "default"),
        ledger_url=ledger_url,
        actor=env.get("BRANDPUNT_ACTOR") or None,
        organisation=env.get("BRANDPUNT_ORGANISATION") or None,
        task_queue=env.get("BRANDPUNT_TASK_QUEUE", TASK_QUEUE),
        extra={"reminder_rules": env.get("BRANDPUNT_REMINDER_RULES", "")},
    )
