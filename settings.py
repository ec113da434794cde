"""Configuration, read once from the environment. One place lists every variable (see README)."""

from __future__ import annotations

import os
import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import timedelta
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from domain.organisations import Organisations
    from domain.reminders import ReminderRules

SHIPPED_ORGANISATIONS = Path(__file__).resolve().parent / "domain" / "data" / "organisations.json"

TASK_QUEUE = "brandpunt-cases"
RETENTION_DAYS = 2_557
"""A closed case's personal data is kept this long by default (seven years): ``Settings.retention``."""


class SettingsError(ValueError):
    """A setting that cannot be used; the message names the variable (exit code 2 in the CLI)."""


@dataclass(frozen=True)
class TemporalTLS:
    """TLS to the Temporal frontend, named as the ``temporal`` CLI names it (file paths, read at connect)."""

    server_ca_cert_path: str | None = None  # TEMPORAL_TLS_SERVER_CA_CERT_PATH (default: system roots)
    client_cert_path: str | None = None  # TEMPORAL_TLS_CLIENT_CERT_PATH (mTLS, with the key)
    client_key_path: str | None = None  # TEMPORAL_TLS_CLIENT_KEY_PATH
    server_name: str | None = None  # TEMPORAL_TLS_SERVER_NAME (when the certificate's name is not the host)


DEV_API_PORT_OFFSET = 767
"""``brandpunt dev`` serves the API on Temporal's port plus this (7233 -> 8000) unless BRANDPUNT_WEB_PORT says."""
WEB_PORT = 8000
"""``brandpunt web``'s port unless BRANDPUNT_WEB_PORT or ``--port`` says."""


@dataclass(frozen=True)
class WebSettings:
    """The HTTP API host (``brandpunt web``, and the one ``brandpunt dev`` starts) and the CLI's way to it."""

    host: str = "127.0.0.1"  # BRANDPUNT_WEB_HOST
    port: str = ""  # BRANDPUNT_WEB_PORT (checked by port())
    public_url: str | None = None  # BRANDPUNT_PUBLIC_URL: the API as browsers reach it (the OIDC redirect)
    session_secret: str | None = field(default=None, repr=False)  # BRANDPUNT_SESSION_SECRET: signs session cookies
    dev_login: bool = False  # BRANDPUNT_DEV_LOGIN=1: the development sign-in (set by `brandpunt dev` only)
    oidc_issuer: str | None = None  # BRANDPUNT_OIDC_ISSUER
    oidc_client_id: str | None = None  # BRANDPUNT_OIDC_CLIENT_ID
    oidc_client_secret: str | None = field(default=None, repr=False)  # BRANDPUNT_OIDC_CLIENT_SECRET
    oidc_org_claim: str = "organisation"  # BRANDPUNT_OIDC_ORG_CLAIM: the claim naming the organisation's id
    oidc_roles_claim: str = "roles"  # BRANDPUNT_OIDC_ROLES_CLAIM: the claim listing the roles
    oidc_audience: str | None = None  # BRANDPUNT_OIDC_AUDIENCE: of bearer JWTs (default: the client id)
    api_url: str | None = None  # BRANDPUNT_API_URL: the CLI acts and reads through this API
    api_token: str | None = field(default=None, repr=False)  # BRANDPUNT_API_TOKEN: a token for scripts (else `brandpunt login`'s)
    codec_origins: frozenset[str] = frozenset()  # BRANDPUNT_CODEC_ORIGINS: Temporal UIs the codec server answers (CORS)

    def port_or(self, default: int) -> int:
        """BRANDPUNT_WEB_PORT, or ``default`` when it is not set; :class:`SettingsError` when it is no port."""
        if not self.port.strip():
            return default
        try:
            port = int(self.port)
        except ValueError:
            port = -1
        if not 0 < port < 65536:
            raise SettingsError(f"BRANDPUNT_WEB_PORT={self.port}: a port number, 1-65535")
        return port

    @property
    def oidc(self) -> bool:
        """An identity provider is configured (issuer and client id; the secret is checked where it is used)."""
        return bool(self.oidc_issuer and self.oidc_client_id)


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
    temporal_api_key: str | None = field(default=None, repr=False)
    worker_deployment: str | None = None  # BRANDPUNT_WORKER_DEPLOYMENT: worker versioning on (with a build id)
    build_id: str | None = None  # BRANDPUNT_BUILD_ID: this worker's version in the deployment (the release)
    extra: dict[str, str] = field(default_factory=dict)
    web: WebSettings = field(default_factory=WebSettings)

    def deployment_version(self) -> tuple[str, str] | None:
        """``(deployment name, build id)`` when worker versioning is configured, else ``None``
        (unversioned, the default: ``brandpunt dev`` and the tests).

        Both variables or neither: one without the other raises :class:`SettingsError`."""
        if not self.worker_deployment and not self.build_id:
            return None
        if not self.worker_deployment or not self.build_id:
            missing = "BRANDPUNT_BUILD_ID" if self.worker_deployment else "BRANDPUNT_WORKER_DEPLOYMENT"
            raise SettingsError(
                f"{missing} is not set: worker versioning needs both BRANDPUNT_WORKER_DEPLOYMENT and "
                "BRANDPUNT_BUILD_ID (or neither, unversioned)"
            )
        if "." in self.worker_deployment:  # Temporal's canonical version string is "<name>.<build id>"
            raise SettingsError(f"BRANDPUNT_WORKER_DEPLOYMENT={self.worker_deployment}: no '.' in the name")
        return self.worker_deployment, self.build_id

    @property
    def keys_dir(self) -> Path:
        """The keyring's directory: ``BRANDPUNT_KEYS_DIR``, else ``$BRANDPUNT_HOME/keys`` (``keys.keys_dir``)."""
        given = self.extra.get("keys_dir")
        return Path(given).expanduser().resolve() if given else self.home / "keys"

    @property
    def erase_list(self) -> Path:
        """The erase list (``client.privacy``): ``BRANDPUNT_ERASE_LIST``, else ``erased-keys.txt`` in the keys
        directory. Outside the database on purpose: a restored backup must not bring erased keys back."""
        given = self.extra.get("erase_list")
        return Path(given).expanduser().resolve() if given else self.keys_dir / "erased-keys.txt"

    def retention(self) -> timedelta:
        """How long a closed case keeps its personal data: ``BRANDPUNT_RETENTION_DAYS`` (default 2,557,
        seven years: the longest of the record-keeping duties a ROM's case file falls under, the fiscal
        one of art. 52 AWR). A deployment sets its own, from its NDA terms and records policy."""
        raw = self.extra.get("retention_days") or str(RETENTION_DAYS)
        try:
            days = int(raw)
        except ValueError:
            days = -1
        if days < 1:
            raise SettingsError(f"BRANDPUNT_RETENTION_DAYS={raw}: a whole number of days, at least 1")
        return timedelta(days=days)

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

    def organisations(self) -> Organisations:
        """The organisations cases are owned by and shared with: ``BRANDPUNT_ORGANISATIONS`` (a JSON
        file, the deployment's own list) or the shipped list of DOMAIN.md's organisations."""
        from domain.organisations import OrganisationsError, parse

        path = self.extra.get("organisations") or str(SHIPPED_ORGANISATIONS)
        try:
            return parse(Path(path).read_text(encoding="utf-8"))
        except OSError as err:
            raise SettingsError(f"BRANDPUNT_ORGANISATIONS={path}: cannot read it ({err.strerror})") from None
        except OrganisationsError as err:
            raise SettingsError(f"BRANDPUNT_ORGANISATIONS={path}: {err}") from None

    def __repr__(self) -> str:  # the ledger URL without its password; the API key never
        return (
            f"Settings(home={str(self.home)!r}, temporal_address={self.temporal_address!r}, "
            f"temporal_namespace={self.temporal_namespace!r}, ledger_url={safe_url(self.ledger_url)!r}, "
            f"task_queue={self.task_queue!r}, tls={self.temporal_tls is not None}, "
            f"api_key={'set' if self.temporal_api_key else 'none'})"
        )

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
        worker_deployment=env.get("BRANDPUNT_WORKER_DEPLOYMENT", "").strip() or None,
        build_id=env.get("BRANDPUNT_BUILD_ID", "").strip() or None,
        extra={
            "reminder_rules": env.get("BRANDPUNT_REMINDER_RULES", ""),
            "organisations": env.get("BRANDPUNT_ORGANISATIONS", ""),
            "health_port": env.get("BRANDPUNT_HEALTH_PORT", ""),  # the worker's /healthz, /readyz
            "keys_dir": env.get("BRANDPUNT_KEYS_DIR", ""),
            "erase_list": env.get("BRANDPUNT_ERASE_LIST", ""),
            "retention_days": env.get("BRANDPUNT_RETENTION_DAYS", "").strip(),
        },
        web=_web(env),
    )


def _web(env: dict[str, str]) -> WebSettings:
    def get(name: str) -> str | None:
        return env.get(name, "").strip() or None

    return WebSettings(
        host=get("BRANDPUNT_WEB_HOST") or "127.0.0.1",
        port=env.get("BRANDPUNT_WEB_PORT", ""),
        public_url=(get("BRANDPUNT_PUBLIC_URL") or "").rstrip("/") or None,
        session_secret=get("BRANDPUNT_SESSION_SECRET"),
        dev_login=env.get("BRANDPUNT_DEV_LOGIN", "").strip() == "1",
        oidc_issuer=(get("BRANDPUNT_OIDC_ISSUER") or "").rstrip("/") or None,
        oidc_client_id=get("BRANDPUNT_OIDC_CLIENT_ID"),
        oidc_client_secret=get("BRANDPUNT_OIDC_CLIENT_SECRET"),
        oidc_org_claim=get("BRANDPUNT_OIDC_ORG_CLAIM") or "organisation",
        oidc_roles_claim=get("BRANDPUNT_OIDC_ROLES_CLAIM") or "roles",
        oidc_audience=get("BRANDPUNT_OIDC_AUDIENCE"),
        api_url=(get("BRANDPUNT_API_URL") or "").rstrip("/") or None,
        codec_origins=frozenset(o.strip().rstrip("/") for o in env.get("BRANDPUNT_CODEC_ORIGINS", "").split(",")
                                if o.strip()),
        api_token=get("BRANDPUNT_API_TOKEN"),
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


# --- secrets: never printed, never logged --------------------------------------------------------

SECRET_VARIABLES = (
    "TEMPORAL_API_KEY", "BRANDPUNT_SMTP_PASSWORD", "PGPASSWORD", "BRANDPUNT_OIDC_CLIENT_SECRET",
    "BRANDPUNT_SESSION_SECRET", "BRANDPUNT_API_TOKEN",
)
"""Variables whose values are secrets by name; any variable ending in one of ``_SECRET_SUFFIXES``
counts too, and so does the password in ``BRANDPUNT_LEDGER_URL``."""
_SECRET_SUFFIXES = ("_PASSWORD", "_API_KEY", "_TOKEN", "_SECRET")
MASK = "***"

_URL_CREDENTIALS = re.compile(
    r"(?P<head>\b[A-Za-z][A-Za-z0-9+.-]*://[^\s:/?#@'\"]*):(?P<secret>[^\s@/?#'\"]*)@"
)
_SECRET_PARAMS = re.compile(
    r"(?P<head>[?&;\s](?:password|passwd|pwd|sslpassword|api[_-]?key|access[_-]?token|token|secret|client_secret)=)"
    r"(?P<secret>[^&;\s'\"]+)",
    re.IGNORECASE,
)
_BEARER = re.compile(r"(?P<head>\b(?:Bearer|Basic)\s+)(?P<secret>[A-Za-z0-9._~+/=-]{8,})")
_ACCESS_TOKEN = re.compile(r"(?P<head>\bbpat_)(?P<secret>[A-Za-z0-9_-]{16,})")
"""The API's personal access tokens (``api.tokens``: ``bpat_`` and the secret), wherever they appear."""


def secret_values(env: dict[str, str] | None = None) -> list[str]:
    """The configured secrets themselves (API key, SMTP password, the ledger URL's password)."""
    e = os.environ if env is None else env
    found = [v for k, v in e.items() if v and (k in SECRET_VARIABLES or k.endswith(_SECRET_SUFFIXES))]
    for name in ("BRANDPUNT_LEDGER_URL", "BRANDPUNT_TEST_PG_URL"):
        match = _URL_CREDENTIALS.search(e.get(name, ""))
        if match and match.group("secret"):
            found.append(match.group("secret"))
    return sorted({v for v in found if len(v) >= 4}, key=len, reverse=True)


def redact(text: str, secrets: Iterable[str] | None = None) -> str:
    """``text`` with every credential masked: ``user:password@`` in any URL, ``password=``/``token=``
    parameters, ``Bearer`` tokens, the API's access tokens (``bpat_...``), and the configured secrets
    (``secrets``, default :func:`secret_values` of the environment) wherever they appear.

    The one function every banner, error message and log line goes through."""
    if not text:
        return text
    text = _URL_CREDENTIALS.sub(lambda m: f"{m.group('head')}:{MASK}@", text)
    text = _SECRET_PARAMS.sub(lambda m: f"{m.group('head')}{MASK}", text)
    text = _BEARER.sub(lambda m: f"{m.group('head')}{MASK}", text)
    text = _ACCESS_TOKEN.sub(lambda m: f"{m.group('head')}{MASK}", text)
    for value in secret_values() if secrets is None else secrets:
        text = text.replace(value, MASK)
    return text


def safe_url(url: str) -> str:
    """A database URL to show: SQLAlchemy's rendering without the password (then :func:`redact`)."""
    try:
        from sqlalchemy import make_url

        shown = make_url(url).render_as_string(hide_password=True)
    except Exception:  # noqa: BLE001 - not a SQLAlchemy URL: mask what looks like a credential
        shown = url
    return redact(shown)


PRIVATE_UMASK = 0o077
"""Files brandpunt creates are its owner's alone: directories 0700, files 0600."""


def make_private(root: Path) -> None:
    """Take group and world access off ``root`` and everything below it that this user owns."""
    uid = os.getuid()
    paths = [root, *root.rglob("*")] if root.is_dir() else [root]
    for path in paths:
        try:
            st = path.lstat()
            if st.st_uid != uid or path.is_symlink():
                continue
            mode = st.st_mode & 0o7777
            if mode & 0o077:
                path.chmod(mode & ~0o077)
        except OSError:
            continue  # vanished meanwhile (a WAL file) or not ours to change
