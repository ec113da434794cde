"""Schema evolution of recorded facts without breaking a single hash.

A ledger row's hash covers the canonical JSON of its event, and strict ``audit verify`` checks that
parsing a stored payload and dumping it again gives the stored bytes back. A field added to an
event after rows were recorded would appear as ``"field": null`` in the re-dump of every old row
and break that check. So every such field is declared in the event class's ``__added_fields__``
and :func:`prune_unset_added` leaves it out of the canonical form while it is unset (``None``):
old rows keep their exact bytes, new rows carry the field when it has a value.

(A pydantic wrap-serializer would do the same inside ``model_dump`` but made strict verify's
parse-and-dump 45 % slower; pruning the dumped dict costs a dict lookup per added field.)
"""

from __future__ import annotations

from typing import Any, ClassVar

from pydantic import BaseModel


class Evolving(BaseModel):
    """Base of the models whose JSON form is hashed (events)."""

    __added_fields__: ClassVar[frozenset[str]] = frozenset()
    """Fields added after the first rows were recorded: left out of the canonical form when ``None``."""


def prune_unset_added(model: Evolving, data: dict[str, Any]) -> dict[str, Any]:
    """``data`` (the model's JSON dump) without the added fields that are unset; changes ``data``."""
    for name in type(model).__added_fields__:
        if data.get(name, 0) is None:
            del data[name]
    return data
