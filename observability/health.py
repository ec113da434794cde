"""The worker's probe endpoint: ``/healthz`` (liveness), ``/readyz`` (readiness) and ``/metrics``
(Prometheus text: the ledger's operational gauges, ``ledger/ops.py``) over plain HTTP.

On when ``BRANDPUNT_HEALTH_PORT`` is set (the Kubernetes manifests set 8080). ``/healthz`` answers
200 while the worker's event loop turns (a heartbeat coroutine stamps it every few seconds; a loop
blocked for longer than ``stale_after`` answers 503, so the kubelet restarts the pod);
``/readyz`` answers 200 while the Temporal worker runs and is not shutting down. The server runs in
a daemon thread and serves nothing else.
"""

from __future__ import annotations

import asyncio
import json
import threading
import time
from collections.abc import Callable
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


class Health:
    def __init__(
        self,
        ready: Callable[[], bool],
        stale_after: float = 60.0,
        beat_every: float = 5.0,
        metrics: Callable[[], str] | None = None,
    ) -> None:
        self._ready = ready
        self._metrics = metrics
        self._stale_after = stale_after
        self._beat_every = beat_every
        self._beat = time.monotonic()
        self._server: ThreadingHTTPServer | None = None
        self._beating: asyncio.Task[None] | None = None

    async def heartbeat(self) -> None:
        while True:
            self._beat = time.monotonic()
            await asyncio.sleep(self._beat_every)

    def status(self, path: str) -> tuple[int, dict[str, object]]:
        age = time.monotonic() - self._beat
        if path == "/healthz":
            ok = age <= self._stale_after
            return (200 if ok else 503), {"live": ok, "loop_heartbeat_age_s": round(age, 1)}
        if path == "/readyz":
            ok = self._ready()
            return (200 if ok else 503), {"ready": ok}
        return 404, {"error": "not found: use /healthz or /readyz"}

    def start(self, port: int, host: str = "0.0.0.0") -> int:
        """Start the heartbeat (on the running loop) and answer on ``host:port`` (0: any free port);
        returns the port."""
        self._beating = asyncio.get_running_loop().create_task(self.heartbeat())
        health = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:  # noqa: N802 - http.server's name
                path = self.path.split("?", 1)[0]
                if path == "/metrics" and health._metrics is not None:
                    try:
                        code, data, kind = 200, health._metrics().encode(), "text/plain; version=0.0.4"
                    except Exception as err:  # noqa: BLE001 - the scrape fails visibly, the worker runs on
                        code, data, kind = 500, f"metrics failed: {err}\n".encode(), "text/plain"
                else:
                    status, body = health.status(path)
                    code, data, kind = status, json.dumps(body).encode(), "application/json"
                self.send_response(code)
                self.send_header("Content-Type", kind)
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            def log_message(self, *args: object) -> None:  # probes every few seconds: no log line each
                pass

        self._server = ThreadingHTTPServer((host, port), Handler)
        threading.Thread(target=self._server.serve_forever, name="health", daemon=True).start()
        return self._server.server_address[1]

    def close(self) -> None:
        if self._beating is not None:
            self._beating.cancel()
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
