"""Files a command writes where a person pointed it (``--out``): a wrong place is a clear refusal
(exit 2, naming the flag and what is wrong), never a traceback. And the bounded numbers a flag
takes (``--timeout``, ``--within``), refused by argparse (exit 2) outside their range."""

from __future__ import annotations

import argparse
import math
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TypeVar

from client.errors import BadInput

T = TypeVar("T")


@contextmanager
def writing(path: str | Path, flag: str = "--out") -> Iterator[None]:
    """Turn the ways writing to ``path`` fails into :class:`BadInput` naming ``flag``."""
    path = Path(path)
    try:
        yield
    except FileNotFoundError:
        raise BadInput(f"{flag} {path}: the folder {path.parent} does not exist; create it or name another",
                       flag.lstrip("-")) from None
    except IsADirectoryError:
        raise BadInput(f"{flag} {path}: is a folder; name a file", flag.lstrip("-")) from None
    except FileExistsError:
        raise BadInput(f"{flag} {path}: a file is in the way; name a folder", flag.lstrip("-")) from None
    except NotADirectoryError:
        raise BadInput(f"{flag} {path}: a part of the path is a file, not a folder", flag.lstrip("-")) from None
    except PermissionError:
        raise BadInput(f"{flag} {path}: no permission to write there", flag.lstrip("-")) from None


def write_text(path: str, text: str, flag: str = "--out") -> None:
    with writing(path, flag):
        Path(path).write_text(text, encoding="utf-8")


def call(path: str, make: Callable[[], T], flag: str = "--out") -> T:
    """``make()``, which writes at ``path``, with its failures to write told as :func:`writing` does."""
    with writing(path, flag):
        return make()


MAX_TIMEOUT = 3_600.0
"""Seconds a command may wait for its answer: an hour is far past any answer that will still come."""
MAX_DAYS = 3_660
"""Days ahead an inbox may look: ten years, the longest a reminder rule may wait (domain.bounds)."""


def seconds(text: str) -> float:
    """An argparse type: seconds, more than 0 and at most :data:`MAX_TIMEOUT`."""
    try:
        value = float(text)
    except ValueError:
        value = math.nan
    if not 0 < value <= MAX_TIMEOUT:  # nan fails too
        raise argparse.ArgumentTypeError(f"{text!r}: give seconds, more than 0 and at most {MAX_TIMEOUT:.0f}")
    return value


def days(text: str) -> int:
    """An argparse type: a whole number of days, 0 to :data:`MAX_DAYS`."""
    if not text.strip().isdigit() or int(text) > MAX_DAYS:
        raise argparse.ArgumentTypeError(f"{text!r}: give a whole number of days, 0 to {MAX_DAYS}")
    return int(text)
