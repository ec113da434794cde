"""The HTML forms of the few pages (sign-in, tokens): their body, read bounded."""

from __future__ import annotations

from urllib.parse import parse_qs

from fastapi import Request

from client.errors import BadInput

FORM_MAX = 4096
"""Bytes a form of these pages may hold."""


async def form(request: Request) -> dict[str, str]:
    """An ``application/x-www-form-urlencoded`` body as a dict (the first value of each field)."""
    if not request.headers.get("content-type", "").startswith("application/x-www-form-urlencoded"):
        raise BadInput("send the form as application/x-www-form-urlencoded")
    body = await request.body()
    if len(body) > FORM_MAX:
        raise BadInput(f"the form is larger than {FORM_MAX} bytes")
    return {k: v[0] for k, v in parse_qs(body.decode("utf-8", "replace")).items()}
