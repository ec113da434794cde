"""domain.duplicates: one company's cases under two or more organisations, by KvK number or name."""

from __future__ import annotations

from domain.duplicates import Known, company_key, possible_duplicates


def known(case_id: str, owner: str, kvk: str | None, company: str, open: bool = True) -> Known:
    return Known(case_id=case_id, owner=owner, kvk=kvk, company=company, open=open)


def test_one_kvk_number_at_two_organisations_is_a_possible_duplicate_and_one_at_one_is_not():
    found = possible_duplicates([
        known("BP-2026-0001", "bom", "12345678", "Photon BV"),
        known("BP-2026-0002", "oost-nl", "12345678", "Photon Holding BV", open=False),
        known("BP-2026-0003", "bom", "87654321", "Quantum BV"),
        known("BP-2026-0004", "bom", "87654321", "Quantum BV"),  # the same ROM twice: its own business
    ])
    assert [(d.matched_on, [(c.case_id, c.owner, c.open) for c in d.cases]) for d in found] == [
        ("kvk", [("BP-2026-0001", "bom", True), ("BP-2026-0002", "oost-nl", False)])]
    assert found[0].owners == ("bom", "oost-nl")


def test_a_name_matches_trimmed_and_case_folded_and_a_group_found_by_kvk_is_not_listed_again():
    found = possible_duplicates([
        known("BP-2026-0001", "bom", "12345678", "Photon  BV"),
        known("BP-2026-0002", "liof", "12345678", " photon bv"),
        known("BP-2026-0003", "nom", None, "Lumen BV"),
        known("BP-2026-0004", "inwest", None, "LUMEN bv"),
        known("BP-2026-0005", "inwest", None, "Lumen B.V."),  # not the same spelling: not guessed at
    ])
    assert [(d.matched_on, [c.case_id for c in d.cases]) for d in found] == [
        ("kvk", ["BP-2026-0001", "BP-2026-0002"]), ("name", ["BP-2026-0003", "BP-2026-0004"])]
    assert company_key("  Photon \t BV ") == company_key("photon bv") == "photon bv"


def test_no_cases_no_duplicates():
    assert possible_duplicates([]) == []
