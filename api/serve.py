"""Serving the API with uvicorn: ``brandpunt web``, and the API ``brandpunt dev`` starts beside its
dev server and worker (:func:`dev_api`, handed to ``devserver.run_dev``).

The host process owns the signals (Ctrl-C, SIGTERM): uvicorn's own handlers are left out, so one
Ctrl-C stops the API, the worker and the dev server together. The socket is bound before uvicorn
starts, so a port in use is one clear error, not an exit from inside the event loop.
"""

from __future__ import annotations

import asyncio
import contextlib
import ipaddress
import signal
import socket
from collections.abc import AsyncIterator, Iterator
from typing import TYPE_CHECKING

import uvicorn
from fastapi import FastAPI

from settings import DEV_API_PORT_OFFSET, WEB_PORT, Settings, SettingsError

if TYPE_CHECKING:
    from temporalio.client import Client

    from ledger.store import Ledger


class _Server(uvicorn.Server):
    @contextlib.contextmanager
    def capture_signals(self) -> Iterator[None]:
        yield  # the host process handles the signals (see the module's docstring)


def bind(host: str, port: int) -> socket.socket:
    """A listening socket on ``host:port``, or :class:`SettingsError` saying why not."""
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    # IPPROTO_TCP named: asyncio sets TCP_NODELAY only on sockets that say so, and without it a kept-alive
    # connection's response waited for the client's delayed ACK (about 40 ms a request, measured)
    sock = socket.socket(family, socket.SOCK_STREAM, socket.IPPROTO_TCP)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
    try:
        sock.bind((host, port))
    except OSError as err:
        sock.close()
        raise SettingsError(f"the API cannot listen on {host}:{port} ({err.strerror}); set BRANDPUNT_WEB_PORT "
                            "(or --port) to a free port") from None
    sock.listen(128)
    sock.setblocking(False)
    return sock


@contextlib.asynccontextmanager
async def serving(app: FastAPI, host: str, port: int) -> AsyncIterator[str]:
    """Serve ``app`` on ``host:port`` while the block runs; yields the base URL once it listens."""
    sock = bind(host, port)
    config = uvicorn.Config(app, log_config=None, access_log=False, lifespan="off", server_header=False,
                            proxy_headers=False)
    server = _Server(config)
    task = asyncio.create_task(server.serve(sockets=[sock]))
    try:
        while not server.started:
            if task.done():
                task.result()
                raise SettingsError(f"the API on {host}:{port} stopped while starting")
            await asyncio.sleep(0.01)
        shown = f"[{host}]" if ":" in host else host
        yield f"http://{shown}:{sock.getsockname()[1]}"
    finally:
        server.should_exit = True
        await task
        sock.close()


def loopback(host: str) -> bool:
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return host == "localhost"


async def run_web(settings: Settings, host: str | None = None, port: int | None = None) -> int:
    """``brandpunt web``: the API over the deployment's Temporal and ledger until Ctrl-C or SIGTERM."""
    from api.app import create_app

    if settings.web.dev_login:
        raise SettingsError("BRANDPUNT_DEV_LOGIN is set: the development sign-in belongs to `brandpunt dev` "
                            "only; unset it to serve the API")
    app = create_app(settings)
    where = host or settings.web.host
    at = port or settings.web.port_or(WEB_PORT)
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(sig, stop.set)
    try:
        async with serving(app, where, at) as url:
            sign_in = "OpenID Connect at /auth/login" if settings.web.oidc else "no browser sign-in configured"
            print(f"brandpunt web: the API on {url} (OpenAPI {url}/docs; {sign_in}). Ctrl-C stops.", flush=True)
            await stop.wait()
    finally:
        await app.state.host.aclose()
    print("brandpunt web: stopped", flush=True)
    return 0


@contextlib.asynccontextmanager
async def dev_api(settings: Settings, client: Client, ledger: Ledger) -> AsyncIterator[str]:
    """The API of ``brandpunt dev``: over the dev server's client and the worker's ledger, with the
    development sign-in (``brandpunt dev`` sets BRANDPUNT_DEV_LOGIN=1 in its own process first), on
    a loopback address, at Temporal's port + 767 (7233 -> 8000) unless BRANDPUNT_WEB_PORT says.
    Yields the banner's words for it."""
    from api.app import create_app
    from client.local import LocalCases
    from devserver import host_port

    if not loopback(settings.web.host):
        raise SettingsError(f"BRANDPUNT_WEB_HOST={settings.web.host}: `brandpunt dev` serves its development "
                            "sign-in on a loopback address only (127.0.0.1, ::1)")
    cases = LocalCases(settings, client=client, ledger=ledger, via="api")
    app = create_app(settings, cases, ledger=ledger, dev_login=True)
    port = settings.web.port_or(host_port(settings.temporal_address)[1] + DEV_API_PORT_OFFSET)
    async with serving(app, settings.web.host, port) as url:
        yield f"API {url} (web app {url}/app, development sign-in {url}/auth/dev, OpenAPI {url}/docs)"
