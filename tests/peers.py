"""Stand-ins for what is outside the system, on loopback: an SMTP server and a webhook endpoint."""

from __future__ import annotations

import json
import socket
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from aiosmtpd.controller import Controller


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class MailSink:
    """A real SMTP server (aiosmtpd) that keeps what it receives."""

    def __init__(self, port: int | None = None) -> None:
        self.messages: list[tuple[str, list[str], bytes]] = []
        self.port = port or free_port()
        self.controller = Controller(self, hostname="127.0.0.1", port=self.port)

    async def handle_DATA(self, server, session, envelope):  # noqa: N802 - aiosmtpd hook name
        self.messages.append((envelope.mail_from, list(envelope.rcpt_tos), envelope.content))
        return "250 OK"

    def __enter__(self) -> MailSink:
        self.controller.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.controller.stop()


class WebhookSink:
    """A local HTTP endpoint that records JSON posts; can be told to fail or to be slow."""

    def __init__(self, fail_first: int = 0, delay: float = 0.0) -> None:
        self.posts: list[tuple[dict, dict]] = []
        self.calls = 0
        self.fail_first = fail_first
        self.delay = delay
        sink = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:  # noqa: N802 - http.server hook name
                sink.calls += 1
                body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
                if sink.delay:
                    time.sleep(sink.delay)
                if sink.calls <= sink.fail_first:
                    self.send_response(500)
                    self.end_headers()
                    return
                sink.posts.append((dict(self.headers), body))
                self.send_response(204)
                self.end_headers()

            def log_message(self, *args: object) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/hook"

    def __enter__(self) -> WebhookSink:
        threading.Thread(target=self.server.serve_forever, daemon=True).start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.server.shutdown()
        self.server.server_close()
