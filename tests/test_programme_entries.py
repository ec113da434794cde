"""The taskforce's entries for the Ministry: lessons and programme signals in the programme chain.

Each rule refuses with its slug and field and writes nothing; its accepted neighbour is recorded;
the chain with entries verifies like before.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from audit.programme import verify_programme
from cli.main import main as cli
from domain.errors import CommandRejected
from domain.organisations import parse
from domain.programme import (
    FINANCING_GAP_FROM_EUR,
    EntryWithdrawn,
    FinancingGapSignalled,
    KnowledgeShared,
    LessonRecorded,
    check_entry,
    names_in,
    parse_entry,
    taskforce_author,
)
from domain.reminders import ReminderRules
from ledger.store import Ledger
from settings import SHIPPED_ORGANISATIONS
from tests.impact_data import Case, at

T0 = datetime(2026, 5, 4, 9, 0, tzinfo=UTC)
ORGS = parse(SHIPPED_ORGANISATIONS.read_text(encoding="utf-8"))


def lesson(**fields: Any) -> dict[str, Any]:
    return {"type": "LessonRecorded", "actor": "j.jansen", "organisation": "bom", "kind": "lesson",
            "title": "Ask about the grid early", "text": "Grid connections take longer than the space itself.",
            "regions": ["bom"]} | fields


def gap(ticket: int) -> dict[str, Any]:
    return {"type": "FinancingGapSignalled", "actor": "j.jansen", "organisation": "bom", "title": "A growth round",
            "text": "A semiconductor scale-up seeks a lead investor.", "ticket_eur": ticket}


def refused(fields: dict[str, Any]) -> CommandRejected:
    with pytest.raises(CommandRejected) as err:
        parse_entry({**fields, "seq": 1, "at": T0})
    return err.value


def test_the_financing_gap_starts_at_50_million_inclusive():
    """"tickets vanaf 50 miljoen": from EUR 50 M, so 50,000,000 is in the gap and one euro less is not."""
    assert FINANCING_GAP_FROM_EUR == 50_000_000
    event = parse_entry({**gap(50_000_000), "seq": 1, "at": T0})
    assert isinstance(event, FinancingGapSignalled) and event.ticket_eur == 50_000_000
    err = refused(gap(49_999_999))
    assert (err.rule, err.field) == ("invalid-input", "ticket_eur") and "50000000" in err.message


@pytest.mark.parametrize("fields, field", [
    (lesson(kind="anecdote"), "kind"),
    (lesson(title=""), "title"),
    (lesson(text="x" * 4001), "text"),
    (lesson(regions=["bom", "bom"]), "regions"),
    (lesson(regions=["brabant"]), "regions.0"),
    (lesson(actor=""), "actor"),
    ({"type": "MirtSignalled", "actor": "a", "title": "t", "text": "x", "regions": [], "concerns": ["housing"]},
     "regions"),
    ({"type": "MirtSignalled", "actor": "a", "title": "t", "text": "x", "regions": ["nom"], "concerns": []},
     "concerns"),
    ({"type": "MirtSignalled", "actor": "a", "title": "t", "text": "x", "regions": ["nom"], "concerns": ["housing"],
      "jobs": -1}, "jobs"),
    ({"type": "KnowledgeShared", "actor": "a", "title": "t", "text": "x", "from_region": "bom",
      "regions": ["nom", "bom"]}, "from_region"),
    ({"type": "KnowledgeShared", "actor": "a", "title": "t", "text": "x", "from_region": "bom", "regions": []},
     "regions"),
    ({"type": "EntryWithdrawn", "actor": "a", "entry": 1, "reason": ""}, "reason"),
    ({"type": "ReminderRulesChanged", "actor": "a"}, "type"),
])
def test_bad_input_is_refused_naming_the_field(fields, field):
    err = refused(fields)
    assert err.field == field and err.rule == "invalid-input", err
    if field == "type":
        assert err.message == ("type: one of LessonRecorded, MirtSignalled, FinancingGapSignalled, KnowledgeShared, "
                               "EntryWithdrawn")


def test_knowledge_goes_to_other_regions():
    event = parse_entry({"type": "KnowledgeShared", "actor": "a", "title": "Cleanroom sharing", "text": "x",
                         "from_region": "bom", "regions": ["nom", "oost-nl"], "seq": 2, "at": T0})
    assert isinstance(event, KnowledgeShared) and [r.value for r in event.regions] == ["nom", "oost-nl"]


@pytest.mark.parametrize("text, found", [
    ("Photon Forge needed 3,000 m2", ["Photon Forge BV"]),
    ("PHOTON  FORGE b.v. moved", ["Photon Forge BV"]),
    ("a photonics scale-up from Brabant", []),  # a domain word, not the name
    ("kvk 12345678 was checked", ["12345678"]),
    ("see case BP-2026-0007", ["BP-2026-0007"]),
    ("case BP-2026-00071 is another", []),  # whole words only
    ("AB and XY", []),  # names under three letters are not looked for
    ("the ASM team", ["ASM NV"]),  # three letters are
])
def test_names_in(text, found):
    assert names_in(text, ["Photon Forge BV", "12345678", "BP-2026-0007", "AB BV", "ASM NV"]) == found


def test_the_author_is_a_taskforce_organisation():
    assert taskforce_author("BOM", ORGS) == "bom"
    assert taskforce_author("Twente Board", ORGS) == "twente-board"  # a triple-helix organisation, by name
    assert taskforce_author("nfia", ORGS) == "nfia"
    for org, rule, says in (
        (None, "no-organisation", "names the taskforce organisation that writes it (--organisation or "
                                  "BRANDPUNT_ORGANISATION)"),
        ("", "no-organisation", "an entry for the Ministry names"),
        ("ez", "not-taskforce", "organisation ez is not of the taskforce (a ROM, the NFIA or a triple-helix "
                                "organisation)"),
        ("audit-office", "not-taskforce", "audit-office is not of the taskforce"),
        ("acme", "unknown-organisation", "not a known organisation id (see the deployment's organisations file)"),
    ):
        with pytest.raises(CommandRejected) as err:
            taskforce_author(org, ORGS)
        assert (err.value.rule, err.value.field) == (rule, "organisation") and says in err.value.message


def test_withdrawal_rules():
    first = parse_entry({**lesson(), "seq": 2, "at": T0})
    chain = [first]
    withdraw = parse_entry({"type": "EntryWithdrawn", "actor": "a", "entry": 2, "reason": "said too much",
                            "seq": 3, "at": T0})
    assert isinstance(withdraw, EntryWithdrawn)
    check_entry(withdraw, chain, [])
    for entry, rule in ((1, "no-such-entry"), (9, "no-such-entry")):
        with pytest.raises(CommandRejected) as err:
            check_entry(withdraw.model_copy(update={"entry": entry}), chain, [])
        assert (err.value.rule, err.value.field) == (rule, "entry")
        assert err.value.message == f"entry {entry} is no lesson or signal of the programme chain"
    with pytest.raises(CommandRejected) as err:
        check_entry(withdraw.model_copy(update={"seq": 4}), [*chain, withdraw], [])
    assert (err.value.rule, err.value.field, err.value.message) == (
        "already-withdrawn", "entry", "entry 2 was withdrawn before")
    with pytest.raises(CommandRejected) as err:
        check_entry(withdraw.model_copy(update={"reason": "Photon Forge asked"}), chain, ["Photon Forge BV"])
    assert (err.value.rule, err.value.field) == ("not-anonymised", "reason")
    assert err.value.message.startswith("reason names 1 company or case(s) of the ledger: an entry for the Ministry "
                                        "is anonymised by its author (write 'a photonics scale-up from Brabant'")
    with pytest.raises(CommandRejected) as err:
        check_entry(first.model_copy(update={"text": "Photon Forge and ASM"}), [], ["Photon Forge BV", "ASM NV"])
    assert err.value.message.startswith("text names 2 companies or case(s)")


@pytest.fixture
def ledger(ledger_url):
    led = Ledger.open(ledger_url, upgrade=True)
    led.adopt_reminder_rules(ReminderRules(), "worker-a", T0 - timedelta(days=30))
    led.append(Case("BP-2026-0007").do(at(2026, 3), "start", phase=2, company="Photon Forge BV").events)
    yield led
    led.dispose()


def test_entries_are_recorded_in_the_programme_chain_and_verify(ledger):
    first = ledger.programme.record(lesson(organisation="BOM"), T0, ORGS)
    assert isinstance(first, LessonRecorded) and first.seq == 2 and first.organisation == "bom"
    second = ledger.programme.record(gap(80_000_000), T0 + timedelta(hours=1), ORGS)
    withdrawn = ledger.programme.record({"type": "EntryWithdrawn", "actor": "j.jansen", "organisation": "bom",
                                      "entry": 2, "reason": "too early to say"}, T0 + timedelta(days=1), ORGS)
    assert (second.seq, withdrawn.seq) == (3, 4)
    assert verify_programme(ledger) == (4, None)
    payloads = ledger.programme.payloads()
    assert [p["type"] for p in payloads] == ["ReminderRulesChanged", "LessonRecorded", "FinancingGapSignalled",
                                             "EntryWithdrawn"]
    assert [p["seq"] for p in ledger.programme.payloads(as_of=T0 + timedelta(hours=1))] == [1, 2, 3]
    assert ledger.reminder_rules() is not None  # the reminder rules are still found among the entries


@pytest.mark.parametrize("fields, rule, field", [
    (lesson(text="Photon Forge could not grow in Eindhoven"), "not-anonymised", "text"),
    (lesson(title="BP-2026-0007"), "not-anonymised", "title"),
    (lesson(organisation="ez"), "not-taskforce", "organisation"),
    (gap(10_000_000), "invalid-input", "ticket_eur"),
    ({"type": "EntryWithdrawn", "actor": "a", "organisation": "bom", "entry": 1, "reason": "x"}, "no-such-entry",
     "entry"),  # seq 1 holds the reminder rules: no entry of the taskforce
])
def test_a_refused_entry_writes_nothing(ledger, fields, rule, field):
    before = ledger.programme_rows()
    with pytest.raises(CommandRejected) as err:
        ledger.programme.record(fields, T0, ORGS)
    assert (err.value.rule, err.value.field) == (rule, field)
    assert ledger.programme_rows() == before


def test_the_cli_records_lists_and_refuses(ledger, monkeypatch, capsys):
    monkeypatch.setenv("BRANDPUNT_LEDGER_URL", ledger.url)
    monkeypatch.setenv("BRANDPUNT_ACTOR", "j.jansen")
    monkeypatch.setenv("BRANDPUNT_ORGANISATION", "bom")
    monkeypatch.delenv("BRANDPUNT_ORGANISATIONS", raising=False)
    assert cli(["programme", "lesson", "--kind", "what_worked", "--title", "Two years ahead",
                "--text", "Asking at the end of phase 2 left time for permits.", "--region", "bom"]) == 0
    assert "programme seq 2 (LessonRecorded) by j.jansen for bom" in capsys.readouterr().out
    assert cli(["programme", "signal", "mirt", "--title", "Housing for 3,000 jobs", "--text", "A unicorn-scale plant.",
                "--region", "nom", "--concern", "housing", "--concern", "public_transport", "--jobs", "3000",
                "--hotspot", "groningen", "--json"]) == 0
    mirt = json.loads(capsys.readouterr().out)
    assert (mirt["seq"], mirt["concerns"], mirt["jobs"]) == (3, ["housing", "public_transport"], 3000)
    assert cli(["programme", "signal", "knowledge-shared", "--title", "Grid playbook", "--text", "Shared.",
                "--from-region", "bom", "--to-region", "nom", "--to-region", "oost-nl"]) == 0
    assert cli(["programme", "signal", "financing-gap", "--title", "t", "--text", "x", "--ticket-eur", "49999999"]) == 2
    assert "ticket_eur" in capsys.readouterr().err
    assert cli(["programme", "lesson", "--kind", "lesson", "--title", "t", "--text", "Photon Forge left"]) == 2
    assert "nothing recorded" in capsys.readouterr().err
    assert cli(["programme", "withdraw", "3", "--reason", "sent to the MIRT table by mistake"]) == 0
    capsys.readouterr()
    assert cli(["programme", "list"]) == 0
    listed = capsys.readouterr().out
    assert "Two years ahead" in listed and "[withdrawn" in listed.splitlines()[1] and "3 entries" in listed
    assert len(ledger.programme_rows()) == 5  # rules, lesson, MIRT, knowledge, withdrawal: the refusals wrote nothing
    monkeypatch.delenv("BRANDPUNT_ACTOR")
    assert cli(["programme", "lesson", "--kind", "lesson", "--title", "t", "--text", "x"]) == 2
    assert "no actor" in capsys.readouterr().err
