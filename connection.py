"""How every process (worker, CLI, tests, benchmarks) connects to Temporal: one place, one converter."""

from __future__ import annotations

from temporalio.client import Client
from temporalio.contrib.pydantic import pydantic_data_converter
from temporalio.runtime import Runtime

from cli.errors import TemporalUnreachable
from settings import Settings

_RUNTIME: list[Runtime | None] = []


def _runtime() -> Runtime | None:
    """One SDK runtime per process (metrics export is configured on it), or the default."""
    from observability import telemetry

    if not _RUNTIME:
        _RUNTIME.append(telemetry.runtime())
    return _RUNTIME[0]


async def connect(settings: Settings) -> Client:
    from observability import telemetry

    try:
        return await Client.connect(
            settings.temporal_address,
            namespace=settings.temporal_namespace,
            data_converter=pydantic_data_converter,
            interceptors=telemetry.interceptors(),
            runtime=_runtime(),
        )
    except RuntimeError as err:  # the SDK raises RuntimeError for connection failures
        raise TemporalUnreachable(
            f"cannot reach Temporal at {settings.temporal_address} ({err}). "
            "Start the embedded server and worker with `brandpunt dev`, "
            "or set TEMPORAL_ADDRESS to your cluster."
        ) from err
