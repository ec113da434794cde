"""``audit verify --signatures``: who acted, checked without trusting the database.

Every event a person's command recorded carries the signed statement of that command
(``EventBase.signed``, inside the hash chain): the case, the command id, the subject and
organisation, a digest of the command, when, and which key (``domain.signing``). This walks the
events and checks, with public keys from outside the database (the keyring's ``command`` keys or
an export of them), that each signature verifies and that its statement names the event's own case,
command, actor and organisation. Events a case records itself (reminders, deliveries) have no
command to sign; events recorded before signing have none either, and are counted, not failed,
unless ``require`` says every command must be signed.

How to check one outside brandpunt, with nothing but Python and ``cryptography``::

    import json
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey
    signed = event["signed"]                         # from the dossier's events.json payload
    message = json.dumps(signed["statement"], sort_keys=True, separators=(",", ":"),
                         ensure_ascii=False).encode()
    Ed25519PublicKey.from_public_bytes(bytes.fromhex(PUBLIC_KEY_HEX)).verify(
        bytes.fromhex(signed["signature"]), message)   # raises InvalidSignature when forged

(``PUBLIC_KEY_HEX``: the ``command`` key with ``signed["statement"]["key_id"]`` in ``brandpunt keys
export-public``; then compare the statement's case_id, command_id, subject and organisation with the event's.)
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field

from audit.verify import Finding
from domain.signing import event_mismatch, statement_bytes
from keys import PublicKeys
from ledger.rows import LedgerRow


@dataclass
class SignatureReport:
    signed: int = 0
    """Events whose command's signature verified and names them."""
    unsigned: int = 0
    """Events of a command (a command id) without a signature: recorded before signing, or by a worker
    that asked for none."""
    problems: list[Finding] = field(default_factory=list)

    def ok(self, require: bool) -> bool:
        return not self.problems and not (require and self.unsigned)


def check_signatures(rows: Iterable[LedgerRow], keys: PublicKeys) -> SignatureReport:
    report = SignatureReport()
    for row in rows:
        event = row.event
        signed = event.signed
        if signed is None:
            report.unsigned += event.command_id is not None
            continue
        problem = event_mismatch(signed, event.case_id, event.command_id, event.actor, event.organisation) or \
            keys.problem(signed.statement.key_id, statement_bytes(signed.statement), signed.signature)
        if problem:
            report.problems.append(Finding(event.case_id, event.seq, problem, kind="command-signature"))
        else:
            report.signed += 1
    return report
