"""The HTML forms of the few pages (sign-in, tokens): their body, read bounded."""

from __future__ import annotations

from urllib.parse import parse_qs

from fastapi import Request

from client.errors import BadInput
from domain.bounds import COMMAND_JSON_MAX

FORM_MAX = 4096
"""Bytes a form of these pages may hold."""


ACTION_FORM_MAX = 3 * COMMAND_JSON_MAX
"""Bytes a case action's form may hold: a command's most, percent-encoded (up to three bytes a byte)."""


async def form_lists(request: Request, max_bytes: int = FORM_MAX) -> dict[str, list[str]]:
    """An ``application/x-www-form-urlencoded`` body as a dict of every value of each field (the
    checked boxes of one name), read only up to ``max_bytes``."""
    if not request.headers.get("content-type", "").startswith("application/x-www-form-urlencoded"):
        raise BadInput("send the form as application/x-www-form-urlencoded")
    body = await request.body()
    if len(body) > max_bytes:
        raise BadInput(f"the form is larger than {max_bytes} bytes")
    return parse_qs(body.decode("utf-8", "replace"), keep_blank_values=True)


async def form(request: Request, max_bytes: int = FORM_MAX) -> dict[str, str]:
    """An ``application/x-www-form-urlencoded`` body as a dict (the first value of each field)."""
    return {k: v[0] for k, v in (await form_lists(request, max_bytes)).items()}
