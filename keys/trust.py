"""The command keys each worker trusts, by task queue: what the case workflow's update validator checks
a command's signature against (``domain.signing``).

A registry in the worker process, set by ``worker.build_worker`` for its task queue (tests run several
workers in one process, each with its own trust). The validator reads it outside the workflow's
deterministic path: update validators do not run when a history is replayed, so which keys a worker
trusts never changes a recorded decision. Passed through the sandbox whole, like ``cryptography``.
"""

from __future__ import annotations

from keys.keyring import PublicKeys

_BY_QUEUE: dict[str, PublicKeys] = {}


def trust(task_queue: str, keys: PublicKeys | None) -> None:
    """Commands to ``task_queue``'s cases must be signed by one of ``keys`` (None: no check, for a
    worker set up without command keys; ``worker.command_keys`` says when that is allowed)."""
    if keys is None:
        _BY_QUEUE.pop(task_queue, None)
    else:
        _BY_QUEUE[task_queue] = keys


def trusted(task_queue: str) -> PublicKeys | None:
    return _BY_QUEUE.get(task_queue)
