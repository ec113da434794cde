"""SIGKILL the worker in the middle of a case: the case goes on, the ledger has no gap and no duplicate.

The worker runs as a real ``brandpunt worker`` process against a real dev server; it is killed
while commands are in flight and started again.
"""

from __future__ import annotations

import asyncio
import os
import signal
import subprocess
import sys
from pathlib import Path

from client import temporal as cases
from domain.state import fold
from ledger.store import Ledger
from tests import factories as f

BIN = Path(sys.executable).parent / "brandpunt"


def start_worker(env: dict[str, str]) -> subprocess.Popen[bytes]:
    return subprocess.Popen([str(BIN), "worker"], env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)


async def test_worker_sigkill_mid_case_loses_and_doubles_nothing(dev_server_env, case_ledger_url, tmp_path):
    from keys import Keyring

    ledger_url = case_ledger_url
    Keyring(tmp_path / "keys").init()  # the worker's ledger key
    ledger = Ledger.open(ledger_url, upgrade=True)
    ledger.seed_hotspots()
    queue = "kill-test"
    env = {
        **os.environ,
        "TEMPORAL_ADDRESS": dev_server_env.client.service_client.config.target_host,
        "BRANDPUNT_LEDGER_URL": ledger_url,
        "BRANDPUNT_TASK_QUEUE": queue,
        "BRANDPUNT_KEYS_DIR": str(tmp_path / "keys"),
    }
    client = dev_server_env.client
    worker = start_worker(env)
    try:
        case_ids = [f"lead-kill-{i}" for i in range(6)]
        await asyncio.gather(*(cases.start(client, queue, f.start(), c) for c in case_ids))
        for round_ in range(3):
            sends = [
                asyncio.create_task(
                    cases.execute(client, c, f.command("change-phase", phase=3 if round_ % 2 == 0 else 2))
                )
                for c in case_ids
            ]
            await asyncio.sleep(0.05 * round_)
            worker.send_signal(signal.SIGKILL)
            worker.wait()
            worker = start_worker(env)
            await asyncio.wait_for(asyncio.gather(*sends), timeout=120)
        for c in case_ids:
            rows = ledger.events(c)
            assert [r.seq for r in rows] == list(range(1, len(rows) + 1)), c
            assert sum(r.type == "PhaseChanged" for r in rows) == 3, c
            assert sum(r.type == "ReminderSent" for r in rows) == 1, c  # the articulation reminder at phase 3, once
            assert fold(r.event for r in rows) == await cases.state(client, c)
    finally:
        worker.kill()
        worker.wait()
        ledger.dispose()


async def test_worker_killed_during_delivery_doubles_neither_event_nor_outbox(dev_server_env, case_ledger_url,
                                                                              tmp_path):
    from keys import Keyring
    from tests.peers import WebhookSink

    ledger_url = case_ledger_url
    ledger = Ledger.open(ledger_url, upgrade=True)
    queue = "kill-delivery-test"
    Keyring(tmp_path / "keys").init()  # the worker's ledger key
    with WebhookSink(delay=2.0) as hook:
        env = {
            **os.environ,
            "TEMPORAL_ADDRESS": dev_server_env.client.service_client.config.target_host,
            "BRANDPUNT_LEDGER_URL": ledger_url,
            "BRANDPUNT_TASK_QUEUE": queue,
            "BRANDPUNT_WEBHOOK_URL": hook.url,
            "BRANDPUNT_KEYS_DIR": str(tmp_path / "keys"),
        }
        worker = start_worker(env)
        try:
            case_id = "lead-kill-delivery"
            # past phase 2 at start: the articulation reminder is owed at once
            await cases.start(dev_server_env.client, queue, f.start(phase=3), case_id)
            for _ in range(200):  # wait until the webhook is being called, then kill mid-delivery
                if hook.calls:
                    break
                await asyncio.sleep(0.05)
            assert hook.calls == 1
            worker.send_signal(signal.SIGKILL)
            worker.wait()
            worker = start_worker(env)
            outbox = ledger.outbox
            for _ in range(900):  # the killed attempt times out (20 s), then the retry delivers
                if any("webhook" in m.delivered for m in outbox.messages(case_id)):
                    break
                await asyncio.sleep(0.1)
            rows = ledger.events(case_id)
            # recorded once with its outbox message; delivered on a retry, so no failure recorded
            assert [r.type for r in rows] == ["LeadDetected", "ReminderSent"]
            assert rows[1].event.channel == "outbox,webhook"
            messages = outbox.messages(case_id)
            assert len(messages) == 1 and "webhook" in messages[0].delivered
            # the receiver may see the retry, always under the same idempotency key
            [key] = {h["Idempotency-Key"] for h, _ in hook.posts}
            assert key == f"{case_id}/{rows[1].event.key}" and rows[1].event.key.startswith("articulation:")
        finally:
            worker.kill()
            worker.wait()
            ledger.dispose()
