"""Verify the hotspot offers in force (``hotspot_offers``) against the programme chain.

Every change to the offers is an ``OffersLoaded`` event of the programme chain, written with the
rows in one transaction (``ledger.offers``), so the table must be the fold of those events
: the same hotspots, each row the offer its last load put in force,
byte for byte. An offer edited in the table by hand (a figure, its provenance or its "illustrative"
flag), a row added or deleted, is named by its hotspot. A match reason cites an offer's version;
this check makes sure that version still says what the offer was.

A ledger whose offers were loaded before they carried provenance (no ``OffersLoaded`` yet, rows
without a version) is reported as such: ``brandpunt db upgrade`` versions them.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from audit.verify import Finding
from domain.programme import PROGRAMME_CHAIN, OffersLoaded

if TYPE_CHECKING:
    from ledger.store import Ledger


def check_offers(stored: dict[str, str], loads: list[OffersLoaded]) -> list[Finding]:
    """Findings for the table's rows ``stored`` (hotspot id → JSON text) against ``loads`` (the
    chain's ``OffersLoaded`` events in order)."""
    if not loads:
        if not stored:
            return []
        return [Finding(PROGRAMME_CHAIN, 0, f"hotspot offers: {len(stored)} row(s) and no OffersLoaded in the "
                        "programme chain (loaded before offers were versioned: run `brandpunt db upgrade`)",
                        "offers")]
    expected: dict[str, tuple[int, str]] = {}
    for load in loads:
        for offer in load.offers:
            expected[offer.hotspot.value] = (load.seq, offer.stored())
    findings = []
    for hotspot in sorted(expected.keys() | stored.keys()):
        seq, data = expected.get(hotspot, (loads[-1].seq, None))
        row = stored.get(hotspot)
        if row is None:
            problem = "no row in hotspot_offers (deleted?)"
        elif data is None:
            problem = "a row in hotspot_offers that no OffersLoaded put in force (added by hand?)"
        elif row != data:
            problem = "the row differs from the offer its last OffersLoaded put in force (edited by hand?)"
        else:
            continue
        findings.append(Finding(PROGRAMME_CHAIN, seq, f"hotspot offer {hotspot}: {problem}", "offers"))
    return findings


def verify_offers(ledger: Ledger) -> list[Finding]:
    """The offers table checked against the programme chain's loads."""
    return check_offers(ledger.offers.stored(), ledger.offers.loads())
