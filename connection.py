"""How every process (worker, CLI, tests, benchmarks) connects to Temporal: one place, one converter."""

from __future__ import annotations

from temporalio.client import Client
from temporalio.contrib.pydantic import pydantic_data_converter

from settings import Settings


class TemporalUnreachable(RuntimeError):
    """The Temporal server did not answer; the message says how to start one."""


async def connect(settings: Settings) -> Client:
    try:
        return await Client.connect(
            settings.temporal_address,
            namespace=settings.temporal_namespace,
            data_converter=pydantic_data_converter,
        )
    except RuntimeError as err:  # the SDK raises RuntimeError for connection failures
        raise TemporalUnreachable(
            f"cannot reach Temporal at {settings.temporal_address} ({err}). "
            "Start the embedded server and worker with `brandpunt dev`, "
            "or set TEMPORAL_ADDRESS to your cluster."
        ) from err
