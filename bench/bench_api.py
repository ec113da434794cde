"""A coordinator action through the HTTP API next to the same action through the client library.

    .venv/bin/python -m bench.bench_api [--actions 500]

One dev server, one worker, and the API served by uvicorn on a loopback port, all in this process
(as `brandpunt dev` runs them). Two cases of the same ROM; actions (a note) alternate between
``HttpCases`` (HTTP -> token lookup -> may() -> update -> ledger) on one case and ``LocalCases``
(the update directly) on the other, so both see the same load. Both sign every command with a command
key and the worker checks every signature (and, for the API host's, ``may()``), as in production.
Prints the median and p95 of each and their ratio (issue 13's target: the API at most 1.3x the direct
update, median over 500).
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import tempfile
import time
from pathlib import Path

from temporalio.contrib.pydantic import pydantic_data_converter
from temporalio.testing import WorkflowEnvironment

import settings
from api.app import create_app
from api.serve import serving
from client.http import SIGNED_IN, HttpCases
from client.local import LocalCases
from devserver import SQLITE_PRAGMAS, temporal_cli
from keys import Keyring, Signer
from ledger.store import Ledger
from tests import factories as f
from tests.api_env import BOM_COORDINATOR, mint
from tests.peers import free_port
from worker import build_worker
from workflows.search_attributes import ALL_KEYS


def p95(xs: list[float]) -> float:
    return sorted(xs)[max(0, round(0.95 * len(xs)) - 1)]


async def main() -> None:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--actions", type=int, default=500, help="actions per path")
    a = p.parse_args()
    tmp = Path(tempfile.mkdtemp(prefix="bench-api-"))
    env = await WorkflowEnvironment.start_local(
        data_converter=pydantic_data_converter, search_attributes=ALL_KEYS,
        dev_server_existing_path=temporal_cli(), dev_server_database_filename=str(tmp / "temporal.db"),
        dev_server_extra_args=SQLITE_PRAGMAS,
    )
    async with env:
        url = f"sqlite:///{tmp / 'ledger.db'}"
        ledger = Ledger.open(url, upgrade=True)
        ledger.seed_hotspots()
        config = settings.load({"BRANDPUNT_HOME": str(tmp), "BRANDPUNT_LEDGER_URL": url, "BRANDPUNT_TASK_QUEUE": "bench"})
        ring = Keyring(config.keys_dir)  # both paths sign every command; the worker checks every signature
        ring.init(["command"])
        local = LocalCases(config, client=env.client, ledger=ledger)
        app = create_app(config, LocalCases(config, client=env.client, ledger=ledger, via="api"), ledger=ledger)
        token = mint(ledger, BOM_COORDINATOR)
        async with build_worker(env.client, ledger, "bench", signer=Signer.generate(),
                                command_keys=ring.public_keys("command")), \
                serving(app, "127.0.0.1", free_port()) as base, HttpCases(base, token) as api:
            by_api = (await api.start(f.start(phase=1, kvk=None, company="Over de API BV").model_copy(
                update={"actor": SIGNED_IN, "organisation": None}))).state.case_id
            direct = (await local.start(f.start(phase=1, kvk=None, company="Direct BV"))).state.case_id
            timings: dict[str, list[float]] = {"api": [], "direct": []}
            for i in range(a.actions + 10):  # the first ten of each warm up
                t0 = time.perf_counter()
                await api.act(by_api, f.command("note", text=f"over the API {i}").model_copy(
                    update={"actor": SIGNED_IN, "organisation": None}))
                t1 = time.perf_counter()
                await local.act(direct, f.command("note", text=f"direct {i}"))
                t2 = time.perf_counter()
                if i >= 10:
                    timings["api"].append(t1 - t0)
                    timings["direct"].append(t2 - t1)
            for case_id in (by_api, direct):
                await env.client.get_workflow_handle(case_id).terminate("benchmark over")
        ledger.dispose()
    api_ms, direct_ms = (statistics.median(timings[k]) * 1000 for k in ("api", "direct"))
    print(f"{a.actions} actions per path (a note), alternating")
    print(f"{'path':<46}{'median ms':>10}{'p95 ms':>10}")
    print(f"{'HTTP API (HttpCases -> uvicorn -> may -> update)':<46}{api_ms:>10.1f}{p95(timings['api']) * 1000:>10.1f}")
    print(f"{'client library (LocalCases -> update)':<46}{direct_ms:>10.1f}{p95(timings['direct']) * 1000:>10.1f}")
    print(f"ratio (median): {api_ms / direct_ms:.2f}x")


if __name__ == "__main__":
    import os
    import sys

    asyncio.run(main())
    sys.stdout.flush()
    os._exit(0)  # as starter.py: the SDK's native threads can abort a finalising interpreter
