"""Personal data in a case's events: which fields name a person, and where a person is named.

A lead's contact (name, e-mail, phone) and its coordinator name people, and so does every event's
``actor`` (the coordinator or operator who acted, by their sign-in subject). A change of any of those
(``LeadUpdated``'s ``changes``) names the person before and after. Free text (a note, a reason) may
name anyone: it is searched as text, and said so. Pure: the ledger finds the candidate events, this
module says which fields of each name the person.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from types import MappingProxyType
from typing import Any

PERSONAL_FIELDS = ("lead.contact.name", "lead.contact.email", "lead.contact.phone", "lead.coordinator")
"""The fields of a lead that name a person (in ``LeadDetected``, and as ``changes`` of ``LeadUpdated``)."""
CHANGED: Mapping[str, str] = MappingProxyType({
    "contact.name": "lead.contact.name", "contact.email": "lead.contact.email",
    "contact.phone": "lead.contact.phone", "coordinator": "lead.coordinator"})
"""A ``LeadUpdated`` change's field -> the personal field of the lead it changes."""
FREE_TEXT = ("text", "reason", "answer", "subject", "purpose")
"""Fields of free text: they may name anyone, so a person is looked for in them as text."""


@dataclass(frozen=True)
class Person:
    """Who a data subject's access request is about: any of their name, e-mail, phone or sign-in subject."""

    name: str | None = None
    email: str | None = None
    phone: str | None = None
    subject: str | None = None

    def needles(self) -> list[str]:
        """The texts that identify them, as a search looks for them."""
        return [v.strip() for v in (self.name, self.email, self.phone, self.subject) if v and v.strip()]

    def names(self, value: object) -> bool:
        """Whether ``value`` is one of their identifying texts (case and surrounding space ignored)."""
        return isinstance(value, str) and value.strip().casefold() in {n.casefold() for n in self.needles()}


def _get(data: Mapping[str, Any], path: str) -> object:
    node: object = data
    for part in path.split("."):
        if not isinstance(node, Mapping):
            return None
        node = node.get(part)
    return node


def mentions(event: Mapping[str, Any], person: Person) -> Iterator[str]:
    """The fields of ``event`` (its JSON form) that name ``person``: the personal fields holding one of
    their identifiers, the actor, changes to or from them, and free text that contains one."""
    for path in PERSONAL_FIELDS:
        if person.names(_get(event, path)):
            yield path
    if person.subject and person.names(event.get("actor")):
        yield "actor"
    for i, change in enumerate(event.get("changes") or []):
        if isinstance(change, Mapping) and change.get("field") in CHANGED and (
                person.names(change.get("old")) or person.names(change.get("new"))):
            yield f"changes[{i}].{change['field']}"
    for field in FREE_TEXT:
        text = event.get(field)
        if isinstance(text, str) and any(n.casefold() in text.casefold() for n in person.needles()):
            yield f"{field} (free text)"
