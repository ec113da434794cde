"""The strict walk's quick way through a sound row (``audit.verify._sound_event``) is the full check.

It may only accept rows that ``_canonical`` + ``_column_mismatch`` accept, with the same event
(the one the fold folds); anything else it leaves to them. Checked on every recorded case shape:
the audit stories and the long case on both databases, and random command sequences (the property
tests' commands) through ``decide``.
"""

from __future__ import annotations

import dataclasses
import json
from datetime import UTC, datetime, timedelta, timezone

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from audit.verify import _canonical, _column_mismatch, _readable, _sound_event, rows_of, verify_rows
from domain.chain import GENESIS, canonical_json, chain_hash
from domain.decide import CommandRejected, Context, decide
from domain.events import parse_event
from domain.state import fold
from ledger.heads import seal
from ledger.store import Ledger, StoredRow, iso
from tests import audit_cases as ac
from tests import factories as f
from tests.test_properties import commands

T0 = datetime(2025, 3, 3, 9, 0, tzinfo=UTC)


def _full(row):
    """What the full strict checks say of the row's form and columns: (event, problem)."""
    data, event, problem = _canonical(row.payload, True)
    if problem:
        return None, problem
    if data["seq"] != row.seq:
        return None, "seq"
    return event, _column_mismatch(row, data)


def _assert_same(row) -> None:
    fast = _sound_event(row)
    event, problem = _full(row)
    if fast is not None:  # accepted the quick way: the full checks accept it, with the same event
        assert problem is None, (row, problem)
        assert fast == event == parse_event(json.loads(row.payload))
        assert canonical_json(fast) == row.payload


def _raw(event, id_: int = 1, prev: str = GENESIS, prev_seal: str = GENESIS, **columns) -> StoredRow:
    payload = canonical_json(event)
    h = chain_hash(prev, payload)
    values = dict(id=id_, case_id=event.case_id, seq=event.seq, event_id=event.event_id, type=event.type,
                  at=iso(event.at), actor=event.actor, organisation=event.organisation, payload=payload,
                  prev_hash=prev, hash=h, recorded_at_text=iso(T0), seal=seal(prev_seal, h, iso(T0)))
    return StoredRow(**{**values, **columns})


@pytest.fixture
def ledger(ledger_url):
    led = Ledger.open(ledger_url, upgrade=True)
    for i, (name, story) in enumerate(ac.STORIES.items()):
        led.append(ac.run(f"lead-{name}", story(T0 + timedelta(days=i)), T0 + timedelta(days=i)))
    led.append(ac.run("lead-long", ac.long_case(T0), T0, timedelta(hours=9), limit=120))
    yield led
    led.dispose()


def test_every_recorded_row_passes_the_quick_way_with_the_full_checks_event(ledger):
    raw = list(rows_of(ledger, batch=7))
    assert raw and all(isinstance(r, StoredRow) for r in raw)
    keys = ledger.keys(walk=True)
    assert any(r.payload != _readable(r, keys)[0] for r in raw)  # contacts and notes are sealed
    raw = [r._replace(payload=_readable(r, keys)[0]) for r in raw]  # the checks read them opened
    for r in raw:
        assert _sound_event(r) is not None, r
        _assert_same(r)
    for case_id in {r.case_id for r in raw}:
        rows = ledger.events(case_id)  # LedgerRow: ``at`` as a datetime
        rows = [dataclasses.replace(r, payload=r.opened or r.payload) for r in rows]
        for r in rows:
            assert _sound_event(r) is not None, r
            _assert_same(r)
        heads: list = []
        assert verify_rows(rows_of(ledger, batch=7), fold=True, on_head=heads.append, keys=ledger.keys(walk=True)).ok
    folds = {h.case_id: h.state for h in heads}
    for case_id, state in folds.items():
        assert state == fold(r.event for r in ledger.events(case_id))
        assert state.model_dump_json() == ledger.case_state(case_id).model_dump_json()


@settings(max_examples=100, deadline=None)
@given(st.lists(commands, max_size=30))
def test_generated_events_pass_the_quick_way_and_fold_the_same(seq):
    state, events = None, []
    for i, cmd in enumerate([f.start(phase=1), *seq]):
        try:
            new = decide(state, cmd, Context("lead-prop", T0 + timedelta(hours=i)))
        except CommandRejected:
            continue
        state = fold(new, state)
        events += new
    prev, prev_seal, walked = GENESIS, GENESIS, []
    for e in events:
        row = _raw(e, e.seq, prev, prev_seal)
        assert _sound_event(row) == e
        _assert_same(row)
        walked.append(row)
        prev, prev_seal = row.hash, row.seal
    heads: list = []
    assert verify_rows(walked, fold=True, on_head=heads.append).ok
    assert heads[0].state == state


def test_rows_the_quick_way_leaves_to_the_full_checks():
    e = ac.run("lead-q", ac.happy(T0), T0)[1]
    sound = _raw(e)
    same_instant = e.at.astimezone(timezone(timedelta(hours=1))).isoformat(timespec="microseconds")
    left = [
        sound._replace(at=same_instant),  # another offset, same instant: the full check accepts it
        sound._replace(payload=sound.payload.replace(",", ", ", 1)),
        sound._replace(payload=sound.payload.replace(f'"seq":{e.seq}', f'"seq":{e.seq}.0')),
        sound._replace(payload="[]"), sound._replace(payload="{not json"),
        sound._replace(at=iso(e.at + timedelta(seconds=1))), sound._replace(at="yesterday"),
        sound._replace(actor="someone-else"), sound._replace(organisation="NFIA"),
        sound._replace(type="CaseClosed"), sound._replace(case_id="lead-z"), sound._replace(seq=e.seq + 1),
        sound._replace(event_id="lead-q/99"),
    ]
    for row in left:
        assert _sound_event(row) is None, row
        _assert_same(row)
    assert _full(left[0]) == (e, None)  # as before: the column is compared as an instant
    assert left[1:] and all(_full(row)[1] is not None for row in left[1:])
