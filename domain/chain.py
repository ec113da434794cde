"""The ledger's hash rule, kept pure so anyone can re-check a chain without brandpunt.

``hash = sha256(prev_hash ‖ canonical_json(event))`` over UTF-8 bytes, where ``prev_hash`` is the
lowercase hex hash of the case's previous event (64 zeros for the first) and canonical JSON is the
event's JSON form with sorted keys, no insignificant whitespace and non-ASCII kept as UTF-8. Fields
added to events later are left out while unset (``domain.evolve``), so old rows keep their bytes.
"""

from __future__ import annotations

import hashlib
import json
from typing import Any

from domain.evolve import Evolving, prune_unset_added

GENESIS = "0" * 64


_CANONICAL = json.JSONEncoder(sort_keys=True, separators=(",", ":"), ensure_ascii=False)
"""``json.dumps(data, sort_keys=True, separators=(",", ":"), ensure_ascii=False)``, made once:
``json.dumps`` with options builds a new encoder per call (a tenth of the re-dump in strict verify)."""


def event_json(event: Evolving) -> dict[str, Any]:
    """An event's JSON form as it is canonicalised: fields added later left out while unset."""
    return prune_unset_added(event, event.model_dump(mode="json"))


def canonical_json(event: Evolving | dict[str, Any]) -> str:
    """The hashed form of a case event or a programme event (or of its JSON dict)."""
    data = event_json(event) if isinstance(event, Evolving) else event
    return _CANONICAL.encode(data)


def chain_hash(prev_hash: str, canonical: str) -> str:
    return hashlib.sha256((prev_hash + canonical).encode("utf-8")).hexdigest()


def merkle_root(leaves: list[str]) -> str:
    """The Merkle root over hex ``leaves`` (in the order given): each level pairs neighbours as
    ``sha256(left_hex + right_hex)``, an odd last node is carried up unchanged; no leaves:
    ``sha256(b"")``. A checkpoint's root (``audit.checkpoint``) and a signed tree head's
    (``ledger.heads``)."""
    if not leaves:
        return hashlib.sha256(b"").hexdigest()
    level = leaves
    while len(level) > 1:
        pairs = range(0, len(level) - 1, 2)
        nxt = [hashlib.sha256((level[i] + level[i + 1]).encode()).hexdigest() for i in pairs]
        if len(level) % 2:
            nxt.append(level[-1])
        level = nxt
    return level[0]
