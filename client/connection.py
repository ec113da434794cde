"""How every process (worker, CLI, tests, benchmarks) connects to Temporal: one place, one converter."""

from __future__ import annotations

from pathlib import Path

from temporalio.client import Client
from temporalio.converter import DataConverter
from temporalio.runtime import Runtime
from temporalio.service import TLSConfig

from client.errors import BadInput, TemporalUnreachable
from settings import Settings

_RUNTIME: list[Runtime] = []


def _runtime() -> Runtime:
    """One SDK runtime per process (core log forwarding and metrics export are configured on it)."""
    from observability import telemetry

    if not _RUNTIME:
        _RUNTIME.append(telemetry.runtime())
    return _RUNTIME[0]


def _read(variable: str, path: str | None) -> bytes | None:
    if path is None:
        return None
    try:
        return Path(path).expanduser().read_bytes()
    except OSError as err:
        raise BadInput(f"{variable}={path}: cannot read it ({err.strerror})") from None


def tls_config(settings: Settings) -> TLSConfig | bool:
    """The SDK's TLS settings from ``TEMPORAL_TLS*``: ``False`` (plaintext), or a :class:`TLSConfig`."""
    tls = settings.temporal_tls
    if tls is None:
        return False
    if bool(tls.client_cert_path) != bool(tls.client_key_path):
        raise BadInput(
            "TEMPORAL_TLS_CLIENT_CERT_PATH and TEMPORAL_TLS_CLIENT_KEY_PATH go together (mTLS needs both)"
        )
    return TLSConfig(
        server_root_ca_cert=_read("TEMPORAL_TLS_SERVER_CA_CERT_PATH", tls.server_ca_cert_path),
        client_cert=_read("TEMPORAL_TLS_CLIENT_CERT_PATH", tls.client_cert_path),
        client_private_key=_read("TEMPORAL_TLS_CLIENT_KEY_PATH", tls.client_key_path),
        domain=tls.server_name,
    )


def data_converter(settings: Settings) -> DataConverter:
    """The deployment's data converter: pydantic, encrypting every payload when a payload key is
    configured (``keys/codec.py``; ``brandpunt keys init`` makes one)."""
    from keys import KeyringError, codec

    try:
        return codec.converter(codec.load(settings.keys_dir))
    except (ValueError, KeyringError) as err:
        raise BadInput(f"payload keys: {err}", "keys") from None


async def connect(settings: Settings) -> Client:
    from observability import telemetry

    tls = tls_config(settings)
    try:
        return await Client.connect(
            settings.temporal_address,
            namespace=settings.temporal_namespace,
            data_converter=data_converter(settings),
            interceptors=telemetry.interceptors(),
            runtime=_runtime(),
            tls=tls,
            api_key=settings.temporal_api_key,
        )
    except RuntimeError as err:  # the SDK raises RuntimeError for connection failures
        from settings import redact

        over = " over TLS (check the TEMPORAL_TLS_* files and server name too)" if tls else ""
        raise TemporalUnreachable(
            f"cannot reach Temporal at {settings.temporal_address}{over} ({redact(str(err))}). "
            "Start the embedded server and worker with `brandpunt dev`, "
            "or set TEMPORAL_ADDRESS to your cluster."
        ) from err
