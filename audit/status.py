"""The ledger's verification in one call, for a page: the cases' chains (with their signed heads
when the keyring holds the public keys), the programme chain and the offers in force, as
``audit verify --all`` checks them."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from audit.signed import TREE_HEAD_FILE, verify_ledger
from audit.verify import Finding
from ledger.store import Ledger


@dataclass(frozen=True)
class Status:
    cases: int
    events: int
    programme_events: int
    signatures_checked: bool
    findings: list[Finding] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.findings


def check(ledger: Ledger, keys_dir: Path | None, processes: int = 1) -> Status:
    """Verify the whole ledger (strict), with the ledger public keys of ``keys_dir``'s keyring if it has them."""
    from audit.offers import verify_offers
    from audit.programme import verify_programme
    from keys import Keyring, KeyringError

    keys, outside = None, None
    if keys_dir is not None:
        try:
            ring = Keyring(keys_dir)
            found = ring.public_keys("ledger")
            keys, outside = (found, ring.dir / TREE_HEAD_FILE) if (found or found.revoked) else (None, None)
        except KeyringError:
            keys = None
    programme_events, programme_finding = verify_programme(ledger)
    offers = verify_offers(ledger) if programme_finding is None else []
    result = verify_ledger(ledger, strict=True, keys=keys, outside=outside, processes=processes)
    findings = list(result.findings) + ([programme_finding] if programme_finding else []) + offers
    return Status(result.report.cases, result.report.events, programme_events, result.signatures_checked, findings)
