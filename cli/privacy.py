"""``brandpunt privacy``: a data subject's access and erasure requests, the cases' retention, the erase list.

- ``access``: every case event that names the person (``domain.personal``: a lead's contact or
  coordinator, a change to or from them, the events they recorded as actor, free text that contains
  them) and the access-log entries of their sign-in subject, as one JSON file for the privacy
  officer to hand over.
- ``erase``: destroys the keys of the person's sealed values (``client.privacy``): afterwards they
  read ``[erased]`` everywhere and every chain still verifies.
- ``retention``: the closed cases past the retention period (``BRANDPUNT_RETENTION_DAYS``); with
  ``--apply``, every sealed value of each is erased.
- ``reapply``: destroys again the keys on the erase list, after a database restore.

Each request is recorded in the access log with its reference, and without the person's identifiers:
the log must not become a second register of them. Operators' commands: they reach Temporal and the
ledger directly (never through the API host).
"""

from __future__ import annotations

import argparse
import json
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal

from client.errors import BadInput

if TYPE_CHECKING:
    from client.privacy import CaseErasure
    from domain.personal import Person
    from ledger.store import Ledger
    from settings import Settings


def _person_args(p: argparse.ArgumentParser) -> None:
    p.add_argument("--name", help="the person's name as the cases record it")
    p.add_argument("--email", help="their e-mail address")
    p.add_argument("--phone", help="their phone number")


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    privacy = sub.add_parser("privacy", help="personal data: access and erasure requests, retention")
    psub = privacy.add_subparsers(dest="privacy_cmd", required=True, metavar="ACTION")
    a = psub.add_parser("access", help="every event that names a person, and their access-log entries, as one file")
    _person_args(a)
    a.add_argument("--subject", help="their sign-in subject, if they are a coordinator (the events they recorded)")
    a.add_argument("--reason", required=True, help="the request's reference (recorded in the access log)")
    a.add_argument("--out", required=True, metavar="FILE", help="where to write the answer (JSON; personal data)")
    a.set_defaults(func=run_access)
    e = psub.add_parser("erase", help="erase a person's data from every case (their name, e-mail, phone, and "
                        "the notes that name them); the chains stay verifiable")
    _person_args(e)
    e.add_argument("--reference", required=True,
                   help="the request's register reference (letters, digits, ._:/#-; recorded in the cases)")
    e.add_argument("--dry-run", action="store_true", help="say what would be erased, erase nothing")
    e.set_defaults(func=run_erase)
    r = psub.add_parser("retention", help="closed cases past the retention period (BRANDPUNT_RETENTION_DAYS); "
                        "--apply erases their personal data and free text")
    r.add_argument("--apply", action="store_true", help="erase them (default: list them)")
    r.add_argument("--reference", default="retention", help="the retention rule's reference (default: retention)")
    r.set_defaults(func=run_retention)
    g = psub.add_parser("reapply", help="destroy again every key on the erase list (after a database restore)")
    g.set_defaults(func=run_reapply)


def answer(ledger: Ledger, person: Person) -> dict[str, Any]:
    """The answer to an access request about ``person`` from ``ledger``."""
    from client.privacy import mentioning
    from domain.access_log import AccessKind

    events = [{"case_id": m.row.case_id, "seq": m.row.seq, "at": m.row.at.isoformat(), "type": m.row.type,
               "fields": list(m.fields), "event": m.row.payload_json()}
              for m in mentioning(ledger, person) if m.fields]
    log = ledger.access_log.of_subject(person.subject, frozenset(AccessKind)) if person.subject else []
    return {"format": "brandpunt-subject-access/1", "person": {k: v for k, v in vars(person).items() if v},
            "events": events, "access_log": [e.model_dump(mode="json") for e in log],
            "note": "free text (notes, reasons, answers) is searched as text: a match there may be another person "
                    "of the same name; values erased earlier read [erased] and are no longer held"}


def _person(args: argparse.Namespace, subject: str | None = None) -> Person:
    from domain.personal import Person

    person = Person(args.name, args.email, args.phone, subject)
    if not person.needles():
        raise BadInput("give --name, --email, --phone" + (" or --subject" if hasattr(args, "subject") else "")
                       + ": who the request is about", "name")
    return person


def _record(ledger: Ledger, s: Settings, kind: str, purpose: str) -> None:
    from domain.access_log import AccessKind

    ledger.access_log.record(at=datetime.now(UTC), subject=s.actor or "privacy-officer",
                             organisation=s.organisation or "operator", kind=AccessKind(kind), purpose=purpose)


def run_access(args: argparse.Namespace) -> int:
    import settings as config
    from domain.access_log import AccessKind
    from ledger.store import Ledger

    person = _person(args, args.subject)
    s = config.load()
    ledger = Ledger.open(s.ledger_url)
    try:
        data = answer(ledger, person)
        out = Path(args.out)
        out.write_text(json.dumps(data, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
        out.chmod(0o600)
        _record(ledger, s, AccessKind.SUBJECT_ACCESS.value, args.reason)
    finally:
        ledger.dispose()
    cases = len({e["case_id"] for e in data["events"]})
    print(f"{len(data['events'])} event(s) in {cases} case(s) and {len(data['access_log'])} access-log entr(y/ies) "
          f"name the person: {out}")
    return 0


def _operator(s: Settings, what: str) -> None:
    if s.web.api_url:
        raise BadInput(f"{what} is for operators: run it where Temporal and the ledger are reachable, without "
                       "BRANDPUNT_API_URL", "api_url")


async def _carry_out(s: Settings, ledger: Ledger, erasures: dict[str, CaseErasure],
                     scope: Literal["request", "retention"], reference: str) -> None:
    from client.local import LocalCases
    from client.privacy import carry_out
    from keys import Keyring, NoKey

    try:
        signer = Keyring(s.keys_dir).signer("ledger")  # a case whose workflow ended is erased in the ledger
    except NoKey as err:
        raise BadInput(f"erasure needs the ledger key: {err}", "keys_dir") from None
    async with LocalCases(s, ledger=ledger) as cases:
        await carry_out(cases, ledger, erasures, scope, reference, s.actor or "privacy-officer", signer,
                        s.erase_list)


def _summary(erasures: dict[str, CaseErasure], verb: str) -> str:
    fields = sum(e.fields for e in erasures.values())
    return f"{verb} {fields} sealed value(s) ({sum(len(e.keys) for e in erasures.values())} key(s)) in " \
           f"{len(erasures)} case(s)"


async def _erase(s: Settings, find: Callable[[Ledger], dict[str, CaseErasure]], why: str, *, go: bool,
                 scope: Literal["request", "retention"], reference: str) -> int:
    """Find what to erase, list it, and (``go``) erase it: one path for requests and retention."""
    from domain.access_log import AccessKind
    from ledger.store import Ledger

    _operator(s, f"privacy {'erase' if scope == 'request' else 'retention'}")
    ledger = Ledger.open_checked(s.ledger_url)
    try:
        erasures = find(ledger)
        for e in erasures.values():
            print(f"{e.case_id}: {why}; {e.fields} sealed value(s)")
        if not go or not erasures:
            print(_summary(erasures, "would erase" if erasures else "nothing to erase:"))
            return 0
        await _carry_out(s, ledger, erasures, scope, reference)
        _record(ledger, s, AccessKind.ERASURE.value, reference)
    finally:
        ledger.dispose()
    print(_summary(erasures, "erased"))
    print(f"the key ids are on the erase list {s.erase_list}: keep it beside the backups "
          "(`brandpunt privacy reapply` after a restore)")
    return 0


async def run_erase(args: argparse.Namespace) -> int:
    import settings as config
    from client.privacy import erasures_for

    person = _person(args)
    return await _erase(config.load(), lambda ledger: erasures_for(ledger, person), "names the person",
                        go=not args.dry_run, scope="request", reference=args.reference)


async def run_retention(args: argparse.Namespace) -> int:
    import settings as config
    from client.privacy import due_for_retention

    s = config.load()
    period = s.retention()
    today = datetime.now(UTC).date()
    return await _erase(s, lambda ledger: due_for_retention(ledger, today, period),
                        f"closed more than {period.days} days ago", go=args.apply, scope="retention",
                        reference=args.reference)


def run_reapply(args: argparse.Namespace) -> int:
    import settings as config
    from client.privacy import listed
    from ledger.store import Ledger

    s = config.load()
    ledger = Ledger.open_checked(s.ledger_url)
    try:
        ids = listed(s.erase_list)
        cases = ledger.reapply_erasures(ids)
    finally:
        ledger.dispose()
    print(f"{len(ids)} key id(s) on the erase list; {len(cases)} case(s) held some of them again and were erased again")
    return 0
