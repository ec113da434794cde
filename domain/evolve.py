"""Schema evolution of recorded facts without breaking a single hash.

A ledger row's hash covers the canonical JSON of its event, and strict ``audit verify`` checks that
parsing a stored payload and dumping it again gives the stored bytes back. A field added to an
event after rows were recorded would appear as ``"field": null`` (or ``false``) in the re-dump of
every old row and break that check. So every such field is declared in the event class's
``__added_fields__``, with a default that means what the old rows meant (``None``: not recorded;
``False``: not a demo case), and :func:`prune_unset_added` leaves it out of the canonical form while
it holds that default: old rows keep their exact bytes, new rows carry the field when it has
another value. A value equal to the default has one form only (absent), so a parsed row dumps back
to the bytes it was read from whichever way it was written.

The same holds for a model nested in an event (the ``proposals`` of ``MatchesProposed``): a nested
model that is :class:`Evolving` is pruned too, by the field that holds it, alone or in a list
(``__nested_evolving__``).

(A pydantic wrap-serializer would do the same inside ``model_dump`` but made strict verify's
parse-and-dump 45 % slower; pruning the dumped dict costs a dict lookup per added field.)
"""

from __future__ import annotations

import types
import typing
from typing import Any, ClassVar

from pydantic import BaseModel
from pydantic_core import to_jsonable_python


class Evolving(BaseModel):
    """Base of the models whose JSON form is hashed (events)."""

    __added_fields__: ClassVar[frozenset[str]] = frozenset()
    """Fields added after the first rows were recorded: left out of the canonical form while they
    hold their default."""
    __added_defaults__: ClassVar[dict[str, Any]] = {}
    """Each added field's default in its JSON form (filled in per class from ``__added_fields__``)."""
    __nested_evolving__: ClassVar[tuple[str, ...]] = ()
    """Fields holding an :class:`Evolving` model (or ``None``, or a list of them), pruned the same
    way (filled in per class)."""

    @classmethod
    def __pydantic_init_subclass__(cls, **kwargs: Any) -> None:
        super().__pydantic_init_subclass__(**kwargs)
        missing = cls.__added_fields__ - set(cls.model_fields)
        if missing:
            raise TypeError(f"{cls.__name__}.__added_fields__ names no field {', '.join(sorted(missing))}")
        cls.__added_defaults__ = {
            name: to_jsonable_python(cls.model_fields[name].get_default(call_default_factory=True))
            for name in cls.__added_fields__
        }
        cls.__nested_evolving__ = tuple(
            name for name, info in cls.model_fields.items() if _holds_evolving(info.annotation)
        )


def _holds_evolving(annotation: Any) -> bool:
    """``annotation`` is an :class:`Evolving` model, one of the members of a union, or a list of one."""
    if isinstance(annotation, type):
        return issubclass(annotation, Evolving)
    origin = typing.get_origin(annotation)
    if origin in (typing.Union, types.UnionType, list):
        return any(_holds_evolving(a) for a in typing.get_args(annotation))
    return False


_ABSENT = object()


def prune_unset_added(model: Evolving, data: dict[str, Any]) -> dict[str, Any]:
    """``data`` (the model's JSON dump) without the added fields at their default; changes ``data``."""
    for name, default in type(model).__added_defaults__.items():
        value = data.get(name, _ABSENT)
        if value == default and type(value) is type(default):  # False is not 0
            del data[name]
    for name in type(model).__nested_evolving__:
        nested = getattr(model, name)
        if isinstance(nested, Evolving):
            prune_unset_added(nested, data[name])
        elif isinstance(nested, list):
            for item, dumped in zip(nested, data[name], strict=True):
                if isinstance(item, Evolving):
                    prune_unset_added(item, dumped)
    return data
