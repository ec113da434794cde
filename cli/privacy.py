"""``brandpunt privacy access``: a data subject's access request (GDPR art. 15) answered from the ledger.

Every case event that names the person (``domain.personal``: a lead's contact or coordinator, a change
to or from them, the events they recorded as actor, free text that contains them), and the access-log
entries of their sign-in subject, as one JSON file for the privacy officer to hand over. The request
itself is recorded in the access log with its reason, and without the person's identifiers: the log
must not become a second register of them.
"""

from __future__ import annotations

import argparse
import json
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from client.errors import BadInput

if TYPE_CHECKING:
    from domain.personal import Person
    from ledger.store import Ledger


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    privacy = sub.add_parser("privacy", help="personal data: a data subject's access request")
    psub = privacy.add_subparsers(dest="privacy_cmd", required=True, metavar="ACTION")
    a = psub.add_parser("access", help="every event that names a person, and their access-log entries, as one file")
    a.add_argument("--name", help="the person's name as the cases record it")
    a.add_argument("--email", help="their e-mail address")
    a.add_argument("--phone", help="their phone number")
    a.add_argument("--subject", help="their sign-in subject, if they are a coordinator (the events they recorded)")
    a.add_argument("--reason", required=True, help="the request's reference (recorded in the access log)")
    a.add_argument("--out", required=True, metavar="FILE", help="where to write the answer (JSON; personal data)")
    a.set_defaults(func=run_access)


def answer(ledger: Ledger, person: Person) -> dict[str, Any]:
    """The answer to an access request about ``person`` from ``ledger``."""
    from domain.access_log import AccessKind
    from domain.personal import mentions

    events = []
    for row in ledger.payloads_containing(person.needles()):
        payload = row.payload_json() or {}
        fields = list(mentions(payload, person))
        if fields:
            events.append({"case_id": row.case_id, "seq": row.seq, "at": row.at.isoformat(), "type": row.type,
                           "fields": fields, "event": payload})
    log = ledger.access_log.of_subject(person.subject, frozenset(AccessKind)) if person.subject else []
    return {"format": "brandpunt-subject-access/1", "person": {k: v for k, v in vars(person).items() if v},
            "events": events, "access_log": [e.model_dump(mode="json") for e in log],
            "note": "free text (notes, reasons, answers) is searched as text: a match there may be another person "
                    "of the same name; the ledger keeps every event (it is append-only and hash-chained)"}


def run_access(args: argparse.Namespace) -> int:
    import settings as config
    from domain.access_log import AccessKind
    from domain.personal import Person
    from ledger.store import Ledger

    person = Person(args.name, args.email, args.phone, args.subject)
    if not person.needles():
        raise BadInput("give --name, --email, --phone or --subject: who the request is about", "name")
    s = config.load()
    ledger = Ledger.open(s.ledger_url)
    try:
        data = answer(ledger, person)
        out = Path(args.out)
        out.write_text(json.dumps(data, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
        out.chmod(0o600)
        ledger.access_log.record(at=datetime.now(UTC), subject=s.actor or "privacy-officer",
                                 organisation=s.organisation or "operator", kind=AccessKind.SUBJECT_ACCESS,
                                 purpose=args.reason)
    finally:
        ledger.dispose()
    cases = len({e["case_id"] for e in data["events"]})
    print(f"{len(data['events'])} event(s) in {cases} case(s) and {len(data['access_log'])} access-log entr(y/ies) "
          f"name the person: {out}")
    return 0
