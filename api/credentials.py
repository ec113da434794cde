"""What a personal access token is: ``bpat_`` and 256 random bits, known to the ledger only by its
sha256 (``api.tokens`` makes and lists them; ``api.identity`` checks them)."""

from __future__ import annotations

import hashlib
import secrets

PREFIX = "bpat_"
SECRET_BYTES = 32
"""256 bits of randomness per token."""


def new_secret() -> str:
    return PREFIX + secrets.token_urlsafe(SECRET_BYTES)


def digest(token: str) -> str:
    """What the ledger stores and looks up: sha256 of the whole token, hex."""
    return hashlib.sha256(token.encode("utf-8")).hexdigest()
