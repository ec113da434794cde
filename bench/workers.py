"""One benchmark worker in a process of its own, so the client and each worker have their own GIL.

    python -m bench.workers bare --address 127.0.0.1:7233          # the floors (BareWorkflow)
    python -m bench.workers bp --address ... --ledger-url ... --sandbox passthrough

Prints ``ready`` once it polls; SIGTERM or SIGINT shuts it down cleanly. Started by bench/compare.py.
"""

from __future__ import annotations

import argparse
import asyncio
from concurrent.futures import ThreadPoolExecutor

from temporalio.client import Client
from temporalio.contrib.pydantic import pydantic_data_converter
from temporalio.worker import Worker

from workflows.sandbox import MODES

BARE_QUEUE, BP_QUEUE = "bare", "bp"


async def main(argv: list[str] | None = None) -> None:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("kind", choices=("bare", "bp"))
    p.add_argument("--address", required=True)
    p.add_argument("--namespace", default="default")
    p.add_argument("--ledger-url", help="bp: the ledger (migrated and seeded by the caller)")
    p.add_argument("--sandbox", choices=MODES, default="passthrough", help="bp: the workflow runner")
    p.add_argument("--task-queue", default=None, help=f"default: {BARE_QUEUE} or {BP_QUEUE}")
    a = p.parse_args(argv)

    from worker import run_until_stopped, stop_on_signals

    client = await Client.connect(a.address, namespace=a.namespace, data_converter=pydantic_data_converter)
    stop = stop_on_signals()
    if a.kind == "bare":
        from bench.bare import BareWorkflow, noop

        worker = Worker(client, task_queue=a.task_queue or BARE_QUEUE, workflows=[BareWorkflow], activities=[noop],
                        activity_executor=ThreadPoolExecutor(16), max_concurrent_activities=16)
        announced = ready(worker)
        await run_until_stopped(worker, stop)
        announced.cancel()
        return
    from keys import Signer
    from ledger.store import Ledger
    from worker import build_worker

    ledger = Ledger.open(a.ledger_url, upgrade=False)
    worker = build_worker(client, ledger, a.task_queue or BP_QUEUE, sandbox=a.sandbox, signer=Signer.generate())
    announced = ready(worker)
    try:
        await run_until_stopped(worker, stop)
    finally:
        announced.cancel()
        ledger.dispose()


def ready(worker: Worker) -> asyncio.Task[None]:
    """Say ``ready`` on stdout once the worker runs (the caller waits for that line)."""

    async def say() -> None:
        while not worker.is_running:
            await asyncio.sleep(0.05)
        print("ready", flush=True)

    return asyncio.get_running_loop().create_task(say())


if __name__ == "__main__":
    asyncio.run(main())
