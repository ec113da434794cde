"""Input by the names people type: a command's fields keyed by its flag names.

One name per thing for the person: the ``lead start`` flag ``--contact-email`` is the key
``contact-email`` in a ``--file`` and the column ``contact-email`` of a pipeline import; this module
maps such names onto the command's fields (``lead.contact.email``) and back, so the CLI, the import
and a web form accept and explain the same names. Unknown names are refused with the valid ones
and a hint for a model-shaped name (``home_region`` -> ``region``).
"""

from __future__ import annotations

import difflib
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from client.errors import BadInput

Paths = Mapping[str, tuple[str, ...]]
"""Flag name -> where its value goes in the command's body (``("lead", "contact", "email")``)."""

LEAD: dict[str, tuple[str, ...]] = {
    "company": ("company",),
    "kvk": ("kvk",),
    "region": ("home_region",),
    "hotspot": ("hotspot",),
    "domain": ("technology_domain",),
    "type": ("company_type",),
    "phase": ("phase",),
    "coordinator": ("coordinator",),
    "contact-name": ("contact", "name"),
    "contact-email": ("contact", "email"),
    "contact-phone": ("contact", "phone"),
    "site": ("site",),
}
"""The lead's fields by the ``lead start`` flag names (also the import's columns)."""
NONE_VALUES: dict[str, str] = {"hotspot": "none"}
"""Flags whose value ``none`` sets their field to null: ``--hotspot none`` (a ``hotspot`` cell "none")
is a lead outside any technology hotspot (the programme also serves deeptech companies "gevestigd in
andere plaatsen die echter geen technologie brandpunt zijn", sources/002)."""
LEAD_REQUIRED = ("company", "region", "hotspot", "domain", "type", "phase", "contact-name")


def body(values: Mapping[str, Any], paths: Paths) -> dict[str, Any]:
    """The nested command body of ``values`` (by flag name; None left out) placed by ``paths``."""
    out: dict[str, Any] = {}
    for name, value in values.items():
        if value is None:
            continue
        if NONE_VALUES.get(name) == value:
            value = None  # said out loud: the field is null
        *outer, last = paths[name]
        node = out
        for key in outer:
            node = node.setdefault(key, {})
        node[last] = value
    return out


def flag_of(field: str, paths: Paths) -> str | None:
    """The flag name of a dotted field path of a command (``lead.contact.email`` -> ``contact-email``)."""
    parts = tuple(field.split("."))
    return next((name for name, path in paths.items() if parts[-len(path):] == path), None)


def hint(key: str, names: list[str], paths: Paths) -> str:
    """`` (use region)`` for a model-shaped ``home_region``, and so on; empty when nothing is near."""
    found = [n for n in names if n == key.replace("_", "-")]
    found += [n for n, path in paths.items() if key in path and n not in found]  # home_region, contact, space
    found = found or difflib.get_close_matches(key, names, n=1, cutoff=0.75)
    return f" (use {', '.join(found)})" if found else ""


def check_names(given: Mapping[str, Any], names: list[str], paths: Paths, where: str, what: str) -> None:
    """Refuse (:class:`BadInput` naming ``where``) any key of ``given`` not in ``names``, listing the valid
    ones and, for a model-shaped key, the flag names to use instead."""
    unknown = [k for k in given if k not in names]
    if unknown:
        listed = "; ".join(f"{k!r}{hint(k, names, paths)}" for k in unknown)
        raise BadInput(f"{where}: unknown {'key' if len(unknown) == 1 else 'keys'} {listed}. "
                       f"{what} by name: {', '.join(names)}", where.split()[0].lstrip("-") or None)


def read_text(path: str, label: str, max_bytes: int | None = None, encoding: str = "utf-8") -> str:
    """The text of the file a person named (``label`` names it in messages, e.g. ``--file x.json``);
    each way it cannot be read is :class:`BadInput`, never a traceback."""
    p = Path(path)
    try:
        if max_bytes is not None and p.stat().st_size > max_bytes:
            raise BadInput(f"{label}: larger than {max_bytes:,} bytes; split it", "file")
        return p.read_text(encoding=encoding)
    except FileNotFoundError:
        raise BadInput(f"{label}: no such file", "file") from None
    except IsADirectoryError:
        raise BadInput(f"{label}: a folder, not a file", "file") from None
    except UnicodeDecodeError:
        raise BadInput(f"{label}: not UTF-8 text", "file") from None
    except OSError as err:
        raise BadInput(f"{label}: cannot read it ({err.strerror})", "file") from None
