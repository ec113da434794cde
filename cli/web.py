"""``brandpunt web`` (serve the HTTP API) and ``brandpunt login`` (keep a token for the CLI).

After ``brandpunt login`` and with ``BRANDPUNT_API_URL`` set, the ``lead`` and ``reminders``
commands go through the API (``client.http.HttpCases``) as the signed-in user: the API records who
acted, and shows only what that user may see.
"""

from __future__ import annotations

import argparse
import sys

from client.errors import BadInput


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    web = sub.add_parser("web", help="serve the HTTP API (OpenAPI at /docs) over $TEMPORAL_ADDRESS and the ledger")
    web.add_argument("--host", help="address to listen on (default $BRANDPUNT_WEB_HOST, else 127.0.0.1)")
    web.add_argument("--port", type=int, help="port (default $BRANDPUNT_WEB_PORT, else 8000)")
    web.set_defaults(func=run_web)

    login = sub.add_parser("login", help="sign the CLI in to the API: keep a personal access token "
                           "(in $BRANDPUNT_HOME, 0600); then set BRANDPUNT_API_URL")
    login.add_argument("--url", help="the API (default $BRANDPUNT_API_URL)")
    how = login.add_mutually_exclusive_group()
    how.add_argument("--dev-user", metavar="USER",
                     help="`brandpunt dev` only: sign in as one of its demo users (e.g. bom.coordinator)")
    how.add_argument("--token-stdin", action="store_true",
                     help="read the token from standard input (else you are asked for it)")
    login.add_argument("--json", action="store_true")
    login.set_defaults(func=run_login)


async def run_web(args: argparse.Namespace) -> int:
    import settings as config
    from api.serve import run_web as serve

    return await serve(config.load(), args.host, args.port)


def _token(args: argparse.Namespace, url: str) -> str:
    if args.token_stdin:
        return sys.stdin.readline().strip()
    import getpass

    print(f"Make a token at {url}/ (sign in, then 'Make a token'), and paste it here.", file=sys.stderr)
    return getpass.getpass("token: ").strip()


async def run_login(args: argparse.Namespace) -> int:
    import settings as config
    from cli.lead import emit_json
    from client import http

    s = config.load()
    url = (args.url or s.web.api_url or "").rstrip("/")
    if not url:
        raise BadInput("--url: which API? pass --url or set BRANDPUNT_API_URL", "url")
    token = await http.dev_token(url, args.dev_user) if args.dev_user else _token(args, url)
    if not token:
        raise BadInput("no token given", "token")
    login = await http.sign_in(s.home, url, token)
    if args.json:
        emit_json(login.public())
        return 0
    roles = ", ".join(login.roles) or "no roles"
    print(f"signed in to {url} as {login.subject} ({login.organisation}; {roles}); the token "
          f"{login.token_id} expires {login.expires_at}")
    if s.web.api_url != url:
        print(f"the CLI goes through the API while BRANDPUNT_API_URL={url} is set")
    return 0
