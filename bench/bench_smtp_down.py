"""Coordinator commands while the mail server is dead (issue 11: delivery runs apart from the case).

    .venv/bin/python -m bench.bench_smtp_down [--commands 50]

One dev server, one worker whose SMTP host is a closed port. Two cases side by side:
- *owed*: a lead past venture phase 2 (in phase 3) whose coordinator is an e-mail address, so its
  articulation reminder is recorded at once and its e-mail delivery keeps failing (bounded attempts with
  back-off, about 35 s) while the commands run;
- *control*: a lead in phase 1 that owes nothing (its phase changes between 1 and 2: the end of
  phase 2 is months away).
Commands alternate between the two cases in rounds; the table shows median and p95 latency per
case and their ratio. Before the hardening the owed case's commands waited for the delivery
(the reminder held the case lock): every command sent during the ~35 s of attempts took that long.
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import tempfile
import time
import uuid
from pathlib import Path

from temporalio.contrib.pydantic import pydantic_data_converter
from temporalio.testing import WorkflowEnvironment

from activities.notify import Channels
from client import temporal as cases
from devserver import SQLITE_PRAGMAS, temporal_cli
from keys import Signer
from ledger.store import Ledger
from tests import factories as f
from tests.peers import free_port
from worker import build_worker
from workflows.search_attributes import ALL_KEYS


def p95(xs: list[float]) -> float:
    return sorted(xs)[max(0, round(0.95 * len(xs)) - 1)]


async def main() -> None:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--commands", type=int, default=50, help="commands per case")
    a = p.parse_args()
    tmp = Path(tempfile.mkdtemp(prefix="bench-smtp-down-"))
    env = await WorkflowEnvironment.start_local(
        data_converter=pydantic_data_converter, search_attributes=ALL_KEYS,
        dev_server_existing_path=temporal_cli(), dev_server_database_filename=str(tmp / "temporal.db"),
        dev_server_extra_args=SQLITE_PRAGMAS,
    )
    async with env:
        ledger = Ledger.open(f"sqlite:///{tmp / 'ledger.db'}", upgrade=True)
        dead = Channels(smtp_host="127.0.0.1", smtp_port=free_port(), timeout=2.0)
        run = uuid.uuid4().hex[:6]
        owed, control = f"lead-owed-{run}", f"lead-control-{run}"
        async with build_worker(env.client, ledger, "bench", channels=dead, signer=Signer.generate()):
            await cases.start(env.client, "bench", f.start(phase=3), owed)
            await cases.start(env.client, "bench", f.start(phase=1), control)
            while "ReminderSent" not in [r.type for r in ledger.events(owed)]:
                await asyncio.sleep(0.05)
            timings: dict[str, list[float]] = {owed: [], control: []}
            phases = {owed: 3, control: 1}
            other = {3: 4, 4: 3, 1: 2, 2: 1}  # the owed case stays past phase 2, the control before its end
            t_start = time.perf_counter()
            for _ in range(a.commands):
                for case_id in (owed, control):
                    phases[case_id] = other[phases[case_id]]
                    t0 = time.perf_counter()
                    await cases.execute(env.client, case_id, f.command("change-phase", phase=phases[case_id]))
                    timings[case_id].append(time.perf_counter() - t0)
            elapsed = time.perf_counter() - t_start
            failed_yet = "ReminderFailed" in [r.type for r in ledger.events(owed)]
            for case_id in (owed, control):
                await env.client.get_workflow_handle(case_id).terminate("benchmark over")
        ledger.dispose()
    o, c = timings[owed], timings[control]
    print(f"{a.commands} commands per case in {elapsed:.1f} s; the owed reminder's delivery "
          f"{'had failed by the end' if failed_yet else 'was still being retried at the end'}")
    print(f"{'case':<44}{'median ms':>10}{'p95 ms':>10}")
    print(f"{'owed reminder, SMTP down':<44}{statistics.median(o) * 1000:>10.1f}{p95(o) * 1000:>10.1f}")
    print(f"{'control (owes nothing)':<44}{statistics.median(c) * 1000:>10.1f}{p95(c) * 1000:>10.1f}")
    print(f"{'ratio owed / control':<44}{statistics.median(o) / statistics.median(c):>10.2f}"
          f"{p95(o) / p95(c):>10.2f}")


if __name__ == "__main__":
    asyncio.run(main())
