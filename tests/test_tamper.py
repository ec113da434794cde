"""One tampering per column that ``audit.verify`` checks, on SQLite and PostgreSQL.

Each edit changes exactly one column of one stored row (or relabels a whole case), and verify must
name that case, that seq and that column, in strict and in fast mode. tests/test_audit.py covers
rows deleted, inserted and reordered through the CLI; this file is the column-by-column list
(case_id, seq, event_id, type, at, actor, organisation, payload canonical form, prev_hash, hash).
"""

from __future__ import annotations

import hashlib
import json
from datetime import UTC, datetime, timedelta

import pytest

from audit.checkpoint import Checkpoint, compare
from audit.verify import rows_of, verify_rows
from ledger.store import Ledger, iso
from tests import audit_cases as ac
from tests.test_audit import canonical, forge, row, shift, sql

T0 = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)


@pytest.fixture
def ledger(ledger_url):
    led = Ledger.open(ledger_url, upgrade=True)
    led.append(ac.run("lead-b", ac.happy(T0), T0))
    led.append(ac.run("lead-c", ac.happy(T0), T0))
    yield led
    led.dispose()


def set_column(column: str, value):
    def tamper(led: Ledger) -> None:
        v = value(led) if callable(value) else value
        sql(led, f"UPDATE ledger_events SET {column}=:v WHERE case_id='lead-c' AND seq=3", v=v)
    tamper.__name__ = f"{column}_column"
    return tamper


def relabel_case(led: Ledger) -> None:
    """The whole chain of lead-c filed under another case id (event ids too): only the column lies."""
    sql(led, "UPDATE ledger_events SET case_id='lead-z', event_id='lead-z/' || seq WHERE case_id='lead-c'")


def renumber_last(led: Ledger) -> None:
    last = len(led.events("lead-c"))
    sql(led, "UPDATE ledger_events SET seq=:s, event_id=:e WHERE case_id='lead-c' AND seq=:last",
        s=last + 1, e=f"lead-c/{last + 1}", last=last)


def payload_spaced(led: Ledger) -> None:
    spaced = json.dumps(json.loads(row(led, "lead-c", 3).payload), sort_keys=True)
    sql(led, "UPDATE ledger_events SET payload=:p WHERE case_id='lead-c' AND seq=3", p=spaced)


def payload_edited(led: Ledger) -> None:
    data = json.loads(row(led, "lead-c", 3).payload) | {"reason": "nothing to see"}
    sql(led, "UPDATE ledger_events SET payload=:p WHERE case_id='lead-c' AND seq=3", p=canonical(data))


def insert_two_rows(led: Ledger) -> None:
    shift(led, "lead-c", 3, +2)
    forge(led, "lead-c", 3, like=2, reason="forged")
    forge(led, "lead-c", 4, like=2, reason="forged too")


def half_copied_row(led: Ledger) -> None:
    """Row 5 gets row 4's event and row 3's link: neither an insertion nor a clean reorder."""
    r3, r4 = row(led, "lead-c", 3), row(led, "lead-c", 4)
    sql(led, "UPDATE ledger_events SET payload=:p, type=:t, at=:at, prev_hash=:prev WHERE case_id='lead-c' AND seq=5",
        p=r4.payload, t=r4.type, at=iso(r4.at), prev=r3.prev_hash)


def hash_of_other_bytes(led: Ledger) -> str:
    return hashlib.sha256(b"forged").hexdigest()


COLUMNS = [  # (tampering, case, seq, words in the finding)
    (relabel_case, "lead-z", 1, "column case_id='lead-z'"),
    (renumber_last, "lead-c", None, "is missing"),
    (set_column("event_id", "lead-c/99"), "lead-c", 3, "column event_id='lead-c/99'"),
    (set_column("type", "CaseClosed"), "lead-c", 3, "column type='CaseClosed'"),
    (set_column("at", lambda led: iso(row(led, "lead-c", 3).at + timedelta(seconds=1))), "lead-c", 3, "column at="),
    (set_column("actor", "someone-else"), "lead-c", 3, "column actor='someone-else'"),
    (set_column("organisation", "NFIA"), "lead-c", 3, "column organisation='NFIA'"),
    (set_column("organisation", None), "lead-c", 3, "column organisation=None"),
    (payload_spaced, "lead-c", 3, "not the canonical JSON"),
    (payload_edited, "lead-c", 3, "hash is not sha256"),
    (set_column("prev_hash", hash_of_other_bytes), "lead-c", 3, "prev_hash does not link to seq 2"),
    (set_column("hash", hash_of_other_bytes), "lead-c", 3, "hash is not sha256"),
    (insert_two_rows, "lead-c", 3, "seqs 3..4 were inserted: the event now at seq 5 (its own seq 3) links to seq 2"),
    (half_copied_row, "lead-c", 5, "seq 5 holds the event of seq 4"),
]


def test_the_untouched_ledger_verifies(ledger):
    for strict in (True, False):
        report = verify_rows(rows_of(ledger, batch=5), strict=strict)
        assert report.ok and report.cases == 2 and report.events == ledger.count_events() > 2


@pytest.mark.parametrize("tamper, case_id, seq, words", COLUMNS, ids=[c[0].__name__ for c in COLUMNS])
def test_each_checked_column_when_tampered_is_named(ledger, tamper, case_id, seq, words):
    last = len(ledger.events("lead-c"))
    tamper(ledger)
    seq = last if seq is None else seq
    for strict in (True, False):
        report = verify_rows(rows_of(ledger, batch=5), strict=strict)
        assert [(x.case_id, x.seq) for x in report.findings] == [(case_id, seq)], report.findings
        assert words in report.findings[0].problem, report.findings[0]
        assert report.cases == 2 and not report.ok
        one = verify_rows(rows_of(ledger, "lead-b"), strict=strict)  # the other case is sound
        assert one.ok and one.events == last


def _heads(led: Ledger, watch: dict[str, int] | None = None):
    heads: list = []
    report = verify_rows(rows_of(led), on_head=heads.append, watch=watch)
    return {h.case_id: h for h in heads}, report


def test_checkpoint_names_a_deleted_case_from_seq_1_and_leaves_a_mid_chain_break_to_verify(ledger):
    heads, _ = _heads(ledger)
    saved = Checkpoint.of(heads.values())
    assert compare(saved, heads, {(c, h.last_seq): h.head_hash for c, h in heads.items()}) == []
    last = heads["lead-c"].last_seq

    set_column("actor", "someone-else")(ledger)  # lead-c seq 3: the chain breaks there, its rows stay
    sql(ledger, "DELETE FROM ledger_events WHERE case_id='lead-b'")
    now, report = _heads(ledger, watch={c: s for c, (s, _) in saved.cases.items()})
    assert [(x.case_id, x.seq) for x in report.findings] == [("lead-c", 3)]
    assert now["lead-c"].last_seq == 2 and report.hash_at[("lead-c", last)] == heads["lead-c"].head_hash
    found = compare(saved, now, report.hash_at)
    assert [(x.case_id, x.seq) for x in found] == [("lead-b", 1)]  # nothing about lead-c: verify said it
    assert f"the whole case ({heads['lead-b'].last_seq} events) was deleted" in found[0].problem


def test_checkpoint_rule_details_and_a_rewritten_head(ledger):
    from audit.checkpoint import RULE, merkle_root
    from tests.test_audit import rehash

    assert merkle_root([]) == hashlib.sha256(b"").hexdigest()  # the rule for a ledger without cases
    heads, _ = _heads(ledger)
    saved = Checkpoint.of(heads.values())
    data = saved.as_json()
    assert data["rule"] == RULE and Checkpoint.from_json(data) == saved
    with pytest.raises(ValueError, match="the checkpoint file was altered"):
        Checkpoint.from_json(data | {"root": "0" * 64})
    last = heads["lead-c"].last_seq
    rehash(ledger, "lead-c", lambda seq, d: d | {"reason": "rewritten"} if seq == 2 else d)
    now, report = _heads(ledger, watch={c: s for c, (s, _) in saved.cases.items()})
    assert report.ok
    [found] = compare(saved, now, report.hash_at)
    assert (found.case_id, found.seq) == ("lead-c", last) and "the chain was rewritten since" in found.problem
