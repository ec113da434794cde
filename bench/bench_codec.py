"""Coordinator actions with payload encryption on next to off (issue 16: on >= 0.9x off).

    .venv/bin/python -m bench.bench_codec [--actions 300]

One dev server; two clients of it, one with brandpunt's plain data converter and one encrypting
every payload (``keys.codec``); a worker on each (its own task queue, its own ledger) and a case on
each. Notes alternate between the two cases, so both see the same load; each action is a signed-less
update that the worker validates, records in the ledger and answers (every payload of it encrypted
and decrypted on the encrypting side: the update's argument and result, the activity's input and
output). Prints median and p95 per side, the ratio of their medians and the actions per second.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import statistics
import tempfile
import time
from pathlib import Path

from temporalio.client import Client
from temporalio.testing import WorkflowEnvironment

import settings
from client.local import LocalCases
from devserver import SQLITE_PRAGMAS, temporal_cli
from keys import Signer, codec
from ledger.store import Ledger
from tests import factories as f
from worker import build_worker
from workflows.search_attributes import ALL_KEYS


def p95(xs: list[float]) -> float:
    return sorted(xs)[max(0, round(0.95 * len(xs)) - 1)]


async def main() -> None:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--actions", type=int, default=300)
    a = p.parse_args()
    tmp = Path(tempfile.mkdtemp(prefix="bench-codec-"))
    keys = codec.PayloadKeys("bench", {"bench": os.urandom(32)})
    env = await WorkflowEnvironment.start_local(
        data_converter=codec.converter(None), search_attributes=ALL_KEYS, dev_server_existing_path=temporal_cli(),
        dev_server_database_filename=str(tmp / "temporal.db"), dev_server_extra_args=SQLITE_PRAGMAS)
    async with env:
        target = env.client.service_client.config.target_host
        sides = {}
        for name, converter in (("off", codec.converter(None)), ("on", codec.converter(keys))):
            client = await Client.connect(target, data_converter=converter)
            url = f"sqlite:///{tmp / name}.db"
            ledger = Ledger.open(url, upgrade=True)
            ledger.seed_hotspots()
            config = settings.load({"BRANDPUNT_HOME": str(tmp / name), "BRANDPUNT_LEDGER_URL": url,
                                    "BRANDPUNT_TASK_QUEUE": f"bench-{name}"})
            sides[name] = (client, ledger, LocalCases(config, client=client, ledger=ledger))
        async with build_worker(sides["off"][0], sides["off"][1], "bench-off", signer=Signer.generate()), \
                build_worker(sides["on"][0], sides["on"][1], "bench-on", signer=Signer.generate()):
            cases = {name: (await side[2].start(f.start(phase=1, kvk=None, company=f"Codec {name} BV"),
                                                f"BP-2026-{9001 + n}")).state.case_id
                     for n, (name, side) in enumerate(sides.items())}
            timings: dict[str, list[float]] = {"off": [], "on": []}
            started = time.perf_counter()
            for i in range(a.actions + 10):
                for name in (("off", "on") if i % 2 else ("on", "off")):  # each goes first half of the time
                    t0 = time.perf_counter()
                    await sides[name][2].act(cases[name], f.command("note", text=f"{name} {i}: a meeting"))
                    if i >= 10:
                        timings[name].append(time.perf_counter() - t0)
            elapsed = time.perf_counter() - started
            for name, case_id in cases.items():
                await sides[name][0].get_workflow_handle(case_id).terminate("benchmark over")
        for _, ledger, _ in sides.values():
            ledger.dispose()
    off, on = (statistics.median(timings[k]) * 1000 for k in ("off", "on"))
    print(f"{a.actions} notes per side, alternating ({2 * (a.actions + 10) / elapsed:.1f} actions/s in all)")
    print(f"{'payloads':<34}{'median ms':>10}{'p95 ms':>9}")
    print(f"{'in the clear':<34}{off:>10.1f}{p95(timings['off']) * 1000:>9.1f}")
    print(f"{'encrypted (AES-256-GCM)':<34}{on:>10.1f}{p95(timings['on']) * 1000:>9.1f}")
    print(f"throughput with encryption: {off / on:.2f}x without it (median; target >= 0.9x)")


if __name__ == "__main__":
    import sys

    asyncio.run(main())
    sys.stdout.flush()
    os._exit(0)
