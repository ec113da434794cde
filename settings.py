"""Configuration, read once from the environment. One place lists every variable (see README)."""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from domain.reminders import ReminderRules

TASK_QUEUE = "brandpunt-cases"


class SettingsError(ValueError):
    """A setting that cannot be used; the message names the variable (exit code 2 in the CLI)."""


@dataclass(frozen=True)
class TemporalTLS:
    """TLS to the Temporal frontend, named as the ``temporal`` CLI names it (file paths, read at connect)."""

    server_ca_cert_path: str | None = None  # TEMPORAL_TLS_SERVER_CA_CERT_PATH (default: system roots)
    client_cert_path: str | None = None  # TEMPORAL_TLS_CLIENT_CERT_PATH (mTLS, with the key)
    client_key_path: str | None = None  # TEMPORAL_TLS_CLIENT_KEY_PATH
    server_name: str | None = None  # TEMPORAL_TLS_SERVER_NAME (when the certificate's name is not the host)


@dataclass(frozen=True)
class Settings:
    home: Path
    temporal_address: str
    temporal_namespace: str
    ledger_url: str
    actor: str | None
    organisation: str | None
    task_queue: str = TASK_QUEUE
    temporal_tls: TemporalTLS | None = None
    temporal_api_key: str | None = None
    extra: dict[str, str] = field(default_factory=dict)

    def reminder_rules(self) -> ReminderRules:
        """The deployment's reminder rules: ``BRANDPUNT_REMINDER_RULES`` (a JSON file) or defaults.

        Read by the worker only (cases ask the worker, see ``activities.deployment``); raises
        :class:`SettingsError` naming the variable and the bad fields.
        """
        from pydantic import ValidationError

        from domain.commands import explain
        from domain.reminders import ReminderRules

        path = self.extra.get("reminder_rules")
        if not path:
            return ReminderRules()
        try:
            return ReminderRules.model_validate_json(Path(path).read_text(encoding="utf-8"))
        except OSError as err:
            raise SettingsError(f"BRANDPUNT_REMINDER_RULES={path}: cannot read it ({err.strerror})") from None
        except ValidationError as err:
            problems = explain(err).replace("\n", "; ")  # one line per field, as commands are explained
            raise SettingsError(f"BRANDPUNT_REMINDER_RULES={path}: {problems}") from None

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
        temporal_tls=_tls(env),
        temporal_api_key=env.get("TEMPORAL_API_KEY") or None,
        extra={
            "reminder_rules": env.get("BRANDPUNT_REMINDER_RULES", ""),
            "health_port": env.get("BRANDPUNT_HEALTH_PORT", ""),  # the worker's /healthz, /readyz
        },
    )


def _tls(env: dict[str, str]) -> TemporalTLS | None:
    """TLS when ``TEMPORAL_TLS`` is true, or any TLS path or an API key is set (as the ``temporal`` CLI)."""
    tls = TemporalTLS(
        server_ca_cert_path=env.get("TEMPORAL_TLS_SERVER_CA_CERT_PATH") or None,
        client_cert_path=env.get("TEMPORAL_TLS_CLIENT_CERT_PATH") or None,
        client_key_path=env.get("TEMPORAL_TLS_CLIENT_KEY_PATH") or None,
        server_name=env.get("TEMPORAL_TLS_SERVER_NAME") or None,
    )
    flag = env.get("TEMPORAL_TLS", "").strip().lower()
    if flag in ("0", "false", "no", "off"):
        return None
    wanted = flag in ("1", "true", "yes", "on") or tls != TemporalTLS() or bool(env.get("TEMPORAL_API_KEY"))
    return tls if wanted else None
