"""Personal data in a case's events: which fields name a person, and where a person is named.

A lead's contact (name, e-mail, phone) and its coordinator name people, and so does every event's
``actor`` (the coordinator or operator who acted, by their sign-in subject). A change of any of those
(``LeadUpdated``'s ``changes``) names the person before and after. Free text (a note, a reason) may
name anyone: it is searched as text, and said so. Pure: the ledger finds the candidate events, this
module says which fields of each name the person.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from types import MappingProxyType
from typing import Any, Literal

PERSONAL_FIELDS = ("lead.contact.name", "lead.contact.email", "lead.contact.phone", "lead.coordinator")
"""The fields of a lead that name a person (in ``LeadDetected``, and as ``changes`` of ``LeadUpdated``)."""
CHANGED: Mapping[str, str] = MappingProxyType({
    "contact.name": "lead.contact.name", "contact.email": "lead.contact.email",
    "contact.phone": "lead.contact.phone", "coordinator": "lead.coordinator"})
"""A ``LeadUpdated`` change's field -> the personal field of the lead it changes."""
FREE_TEXT = ("text", "reason", "answer", "subject", "purpose")
"""Fields of free text: they may name anyone, so a person is looked for in them as text."""

ERASED = "[erased]"
"""What a value reads as once its key is destroyed (``brandpunt privacy erase``, retention): a valid
value of every sealed field (the e-mail pattern admits it), so an erased event still parses, folds
and passes strict ``audit verify``."""

Kind = Literal["name", "email", "phone", "text"]
"""What a sealed value is: a contact's name, e-mail or phone (one key per person's value per case,
found again by the value: ``brandpunt privacy erase --email``), or free text (one key per field)."""

_CONTACT: Mapping[str, Kind] = MappingProxyType({"name": "name", "email": "email", "phone": "phone"})
SEALED_TEXT: Mapping[str, tuple[str, ...]] = MappingProxyType({
    "NoteRecorded": ("text",), "ConsultationRequested": ("subject",), "ConsultationAnswered": ("answer",),
    "Referred": ("name", "subject"), "CaseShared": ("purpose",), "ReminderSent": ("subject",),
    "NeedsArticulated": ("needs.notes",), "Realised": ("new_scaleup_reason",),
})
"""Free-text fields sealed in the ledger, per event type, besides every event's ``reason``: what a
coordinator types may name anyone, and a reminder's subject quotes it (a consultation's subject).
(A delivery's error is the mail server's or the webhook's answer: not sealed.)"""
LEAD_EVENTS = ("LeadDetected", "LeadUpdated")
"""The events that carry the whole lead, and so its contact."""


@dataclass(frozen=True)
class Place:
    """One sealed value's place in an event's JSON form: its dotted path (``lead.contact.email``,
    ``changes.2.new``: also the sealed value's associated data, so a value moved to another place or
    case does not open) and what it is."""

    path: str
    kind: Kind


CHANGED_TEXT = ("new_scaleup_reason",)
"""Fields of free text that a correction changes (``RealisationCorrected.changes``): sealed there too."""


def _at(data: Mapping[str, Any], path: str) -> object:
    node: object = data
    for part in path.split("."):
        if not isinstance(node, Mapping):
            return None
        node = node.get(part)
    return node


def places(event: Mapping[str, Any]) -> Iterator[tuple[Place, str]]:
    """Each sealed place of ``event`` (its JSON form) that holds a value, with the value: the lead's
    contact, the old and new values of a change to the contact (or to a free text), and the free text.
    Whatever the JSON holds (a tampered row), only a text at a place of the right shape counts."""
    kind = event.get("type")
    if kind in LEAD_EVENTS:
        for field, what in _CONTACT.items():
            value = _at(event, f"lead.contact.{field}")
            if isinstance(value, str):
                yield Place(f"lead.contact.{field}", what), value
    changes = event.get("changes")
    for i, change in enumerate(changes if isinstance(changes, list) else []):
        changed = change.get("field") if isinstance(change, Mapping) else None
        if not isinstance(changed, str):
            continue
        sealed: Kind | None = (_CONTACT.get(changed[8:]) if changed.startswith("contact.") else
                               "text" if changed in CHANGED_TEXT else None)
        if sealed is None:
            continue
        for side in ("old", "new"):
            if isinstance(change.get(side), str):
                yield Place(f"changes.{i}.{side}", sealed), change[side]
    for field in ("reason", *SEALED_TEXT.get(str(kind), ())):
        value = _at(event, field)
        if isinstance(value, str):
            yield Place(field, "text"), value


def replaced(event: dict[str, Any], new: Callable[[Place, str], str]) -> dict[str, Any]:
    """A copy of ``event`` (a JSON form) with each sealed value replaced by ``new(place, value)``;
    the rest shared, not copied."""
    out = dict(event)
    for place, value in list(places(event)):
        parts = place.path.split(".")
        node: Any = out
        for part in parts[:-1]:  # copy along the path only
            key: Any = int(part) if part.isdigit() else part
            child = node[key]
            child = list(child) if isinstance(child, list) else dict(child)
            node[key] = child
            node = child
        node[parts[-1]] = new(place, value)
    return out


def fingerprint(kind: Kind, value: str) -> str:
    """The text a person's value is found by (its kind and its folded form): the vault keeps its
    hash while the value's key lives, never after (``ledger.vault``)."""
    folded = " ".join(value.split()).casefold()
    if kind == "phone":
        folded = "".join(c for c in folded if c.isdigit() or c == "+")
    return f"brandpunt-person/1:{kind}:{folded}"


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

    def fingerprints(self) -> list[str]:
        """The fingerprints of their name, e-mail and phone (:func:`fingerprint`)."""
        given: list[tuple[Kind, str | None]] = [("name", self.name), ("email", self.email), ("phone", self.phone)]
        return [fingerprint(k, v) for k, v in given if v and v.strip()]

    def names(self, value: object) -> bool:
        """Whether ``value`` is one of their identifying texts (case and surrounding space ignored)."""
        return isinstance(value, str) and value.strip().casefold() in {n.casefold() for n in self.needles()}


def mentions(event: Mapping[str, Any], person: Person) -> Iterator[str]:
    """The fields of ``event`` (its JSON form) that name ``person``: the personal fields holding one of
    their identifiers, the actor, changes to or from them, and free text that contains one."""
    for path in PERSONAL_FIELDS:
        if person.names(_at(event, path)):
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


def sealed_mentions(stored: Mapping[str, Any], opened: Mapping[str, Any], person: Person,
                    key_of: Callable[[str], str | None]) -> Iterator[tuple[str, str]]:
    """(place, key id) of each sealed value of an event that names ``person``: a name, e-mail or phone
    that is one of their identifiers, a free text that contains one. ``stored``: the event as stored
    (sealed values), ``opened``: the same with them opened; ``key_of``: a sealed value's key id."""
    shown = {p.path: v for p, v in places(opened)}
    for place, value in places(stored):
        key_id = key_of(value)
        text = shown.get(place.path)
        if key_id is None or text is None or text == ERASED:
            continue
        if person.names(text) if place.kind != "text" else any(
                n.casefold() in text.casefold() for n in person.needles()):
            yield place.path, key_id
