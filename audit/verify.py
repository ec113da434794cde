"""Walk each case's hash chain and name the first row that breaks it.

A row is sound when
- its seq follows the previous row's (from 1, no gaps),
- its payload is the canonical JSON of an event (so the hash rule applies to exactly those bytes),
- its columns (case_id, seq, event_id, type, at, actor, organisation) agree with the payload,
- its ``prev_hash`` is the previous row's hash (64 zeros for seq 1), and
- its hash is ``sha256(prev_hash ‖ payload)``.

- its ``seal`` is ``sha256(prev_seal ‖ hash ‖ recorded_at)`` (``ledger.heads``), and
- its ``id`` is greater than the previous row's.

Modified, deleted, inserted and reordered rows each break one of these at the first affected row;
the message says which. What no chain can show (a whole case deleted, a chain cut short, a chain
rewritten and re-hashed from the start) needs a checkpoint kept elsewhere: ``audit.checkpoint``.

How each stored column of ``ledger_events`` is covered:

- ``payload``: the event hash (``sha256(prev_hash ‖ payload)``), and its canonical form is checked;
- ``case_id``, ``seq``, ``event_id``, ``type``, ``at``, ``actor``, ``organisation``: checked equal to
  the payload (``event_id`` = ``<case_id>/<seq>``; ``seq`` also: from 1, no gaps);
- ``prev_hash``: checked equal to the previous row's hash (the chain);
- ``hash``: recomputed (and covered by the seal);
- ``recorded_at``: the seal (``sha256(prev_seal ‖ hash ‖ recorded_at)``, as stored, byte for byte);
  values from before migration 0008 are trusted as of that migration, which computed their seals;
- ``seal``: recomputed; the chain's last seal is in the signed case head (``case_heads``);
- ``id`` (a surrogate key, meaningless by itself): checked to increase with seq within a case.

The end of every chain is tied to a signature (``verify_ledger`` with public keys): the case's row
in ``case_heads`` must equal the chain's last (seq, hash, seal); the newest signed tree head
(``tree_heads``) must verify, and its root must be what the case heads' ``sth_*`` leaves give;
a case unchanged since that tree head is then covered by its one signature, a changed case by its
own head signature (and its chain must still pass through the tree head's entry). A chain past
its signed head (a forged append), a head that is not signed by a trusted key, a case truncated or
deleted since the tree head: each a finding. And the ``cases`` projection is compared with the fold
of the verified chain, column by column and its state JSON (strict mode; ``--fast`` compares the
chain columns last_seq and head_hash only). Public keys come from the keyring or an export file,
never from the database.

Streaming: only the case being walked is held (plus a bounded window of its recent hashes, to
tell an insertion from a replacement), so memory does not grow with the ledger.

Canonical form, two strengths:
- strict (the default): the payload is parsed as a domain event (pydantic) and
  ``domain.chain.canonical_json`` of that event must give the stored bytes back. Catches any
  hand edit, and also canonical-looking JSON that is no valid event (an unknown field, a missing
  default, a bad enum value, a timestamp written another way) even when its chain was re-hashed.
  A sound row goes the quick way (``_sound_event``: pydantic parses the JSON directly, the columns
  are compared with the parsed event, ``at`` as text); any row it does not accept gets the full
  checks, which name the problem (tests/test_verify_fast.py: the quick way accepts only what the
  full checks accept, with the same event, which the fold then folds).
- fast (``strict=False``, ``verify --fast``): ``json.loads`` then the canonical ``json.dumps``
  must give the stored bytes back: exactly the check of VERIFY.txt, stdlib only.

Speed (strict, 1 process, CPU per event; a 100k-event ledger from bench/bench_audit.py's builder
on SQLite, old and new code run alternately on a shared 2-core machine at load 1.3-1.9, best of
4): the chain-only walk before the new checks 60.5 µs; the full walk (seals, projection against
the fold, signed heads and tree head) 97 µs with the code before this change (1.61x), 79 µs now
(1.31x; the chain-only walk now 51 µs). Of the full walk, re-dumping the parsed event for the
canonical check is a quarter, the fold a quarter (pydantic ``model_copy``, one per event), parsing
the payload a tenth, reading the rows a tenth, the per-case projection and head checks a
twentieth, the two sha256 a thirtieth. Quiet, the chain-only walk did 51,596 events/s (19.4
µs/event) over 1M events; at these ratios the full strict walk does about 40,000 events/s in one
process. ``--jobs 2`` splits the cases in two ranges, each walked by its own process with its own
engine: under load 1.5x the wall speed of one process (at 1.2x the CPU).
"""

from __future__ import annotations

import json
from collections import OrderedDict
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from datetime import datetime

from domain.chain import GENESIS, canonical_json, chain_hash
from domain.events import EVENT_ADAPTER, Event, parse_event
from domain.state import CaseState, apply
from ledger.rows import Opening
from ledger.seals import seal as seal_of
from ledger.store import Ledger, LedgerRow, StoredRow, iso
from ledger.vault import SEALED_MARK, Unopenable, redacted

WalkedRow = LedgerRow | StoredRow
"""What the walk takes: one case's ``LedgerRow``s or the whole ledger's ``StoredRow``s (``at`` as text)."""

RECENT_HASHES = 4096
"""How far back an insertion can be recognised as such (rather than as a replaced row)."""


@dataclass(frozen=True)
class Finding:
    case_id: str
    seq: int
    problem: str
    kind: str = "chain"  # chain | projection | head | unsigned | revoked | deleted | tree (audit.signed)

    def __str__(self) -> str:
        return f"{self.case_id} seq {self.seq}: {self.problem}"

    def as_json(self) -> dict[str, object]:
        return {"case_id": self.case_id, "seq": self.seq, "problem": self.problem}


@dataclass
class CaseHead:
    """The last verified event of a case: what a checkpoint leaf is made of."""

    case_id: str
    last_seq: int = 0
    head_hash: str = GENESIS
    seal: str = GENESIS
    state: CaseState | None = field(default=None, repr=False)  # the fold (``fold=True``)
    broken: bool = False


@dataclass
class Report:
    cases: int = 0
    events: int = 0
    findings: list[Finding] = field(default_factory=list)
    hash_at: dict[tuple[str, int], str] = field(default_factory=dict)
    seal_at: dict[tuple[str, int], str | None] = field(default_factory=dict)

    @property
    def ok(self) -> bool:
        return not self.findings


def _canonical(payload: str, strict: bool) -> tuple[dict | None, Event | None, str | None]:
    """The parsed payload (and, strict, the event), or what is wrong with its form."""
    try:
        data = json.loads(payload)
    except ValueError:
        return None, None, "payload is not JSON"
    if not isinstance(data, dict):
        return None, None, "payload is not a JSON object"
    event = None
    if strict:
        try:
            event = parse_event(data)
            again = canonical_json(event)
        except ValueError as err:
            return None, None, f"payload is not a valid event ({str(err).splitlines()[0]})"
    else:
        again = canonical_json(data)  # json.dumps(sort_keys, separators ",", ":", ensure_ascii=False)
    if again != payload:
        return None, None, "payload is not the canonical JSON of the event (edited by hand?)"
    return data, event, None


def _column_mismatch(row: WalkedRow, data: dict) -> str | None:
    for column, value in (
        ("case_id", row.case_id), ("type", row.type), ("actor", row.actor),
        ("organisation", row.organisation),
    ):
        if data.get(column) != value:
            return f"column {column}={value!r} but the event says {data.get(column)!r} (row altered)"
    try:
        at = datetime.fromisoformat(data.get("at", ""))
    except (TypeError, ValueError):
        return f"the event's time {data.get('at')!r} is not an ISO date-time"
    try:  # rows_of gives the column as stored (text), Ledger.events as a datetime
        column_at = datetime.fromisoformat(row.at) if isinstance(row.at, str) else row.at
    except ValueError:
        return f"column at={row.at!r} is not an ISO date-time (row altered)"
    if at != column_at:
        return f"column at={column_at.isoformat()} but the event says {data['at']} (row altered)"
    if row.event_id != f"{row.case_id}/{row.seq}":
        return f"column event_id={row.event_id!r}, expected {row.case_id}/{row.seq} (row altered)"
    return None


def _readable(row: WalkedRow, keys: Opening | None) -> tuple[str, str | None]:
    """The payload the strict checks read (sealed values opened), or what is wrong with it.

    A payload without sealed values is read as stored. One with them must itself be canonical JSON
    (the stored bytes are what the hash covers), and is read with its sealed values opened: with
    ``keys`` (the ledger's vault, or a row already opened), else read as ``[erased]``: the form is
    checked either way, and nobody needs a person's data to verify a chain."""
    payload = row.payload
    if SEALED_MARK not in payload:
        return payload, None
    try:
        if _CANONICAL.encode(json.loads(payload)) != payload:
            return payload, "payload is not canonical JSON (edited by hand?)"
    except ValueError:
        return payload, "payload is not JSON"
    opened = getattr(row, "opened", None)
    if opened is not None:
        return opened, None
    if keys is None:
        try:
            return redacted(payload), None
        except (ValueError, TypeError, AttributeError, KeyError, IndexError):
            return payload, "a sealed value sits where no value is sealed (edited by hand?)"
    try:
        got = keys.open(row.case_id, payload)
    except Unopenable as err:
        return payload, f"a sealed value does not open: {err}"
    except (ValueError, TypeError, AttributeError, KeyError, IndexError):
        return payload, "a sealed value sits where no value is sealed (edited by hand?)"
    return (got.text if got else payload), None


_CANONICAL = json.JSONEncoder(sort_keys=True, separators=(",", ":"), ensure_ascii=False)


def _sound_event(row: WalkedRow, payload: str | None = None) -> Event | None:
    """The row's event if its payload and columns pass the strict checks, else ``None``.

    The quick way through ``_canonical`` and ``_column_mismatch`` for a sound row: pydantic parses
    the payload from its JSON directly (no ``json.loads`` first), the columns are compared with the
    event's fields, and ``at`` as the stored text with ``ledger.store.iso`` of the event's time.
    It accepts only rows those two accept (a payload equal to the canonical JSON of the event
    parsed from it, columns equal to its fields); for anything else it says ``None`` and
    ``_Chain.check`` runs the full checks, which name the problem (or accept the row, e.g. an
    ``at`` column written with another offset). ``payload``: the row's, sealed values opened
    (``_readable``; default: the row's as stored).
    """
    payload = row.payload if payload is None else payload
    try:
        event = EVENT_ADAPTER.validate_json(payload)
    except ValueError:
        return None
    if canonical_json(event) != payload:
        return None
    if (event.seq != row.seq or event.case_id != row.case_id or event.type != row.type
            or event.actor != row.actor or event.organisation != row.organisation
            or row.event_id != f"{row.case_id}/{row.seq}"):
        return None
    at, column = event.at, row.at
    if at.tzinfo is None or (column != iso(at) if isinstance(column, str) else column != at):
        return None
    return event


def _span(first: int, last: int) -> str:
    return f"seq {first} was" if first == last else f"seqs {first}..{last} were"


class _Chain:
    """The verified prefix of one case's chain."""

    def __init__(self, case_id: str, fold: bool = False) -> None:
        self.head = CaseHead(case_id)
        self.recent: OrderedDict[str, int] = OrderedDict()  # hash -> seq, most recent last
        self.fold = fold
        self.last_id: int | None = None
        self.event: Event | None = None
        self.next_seal = GENESIS

    @property
    def broken(self) -> bool:
        return self.head.broken

    def accept(self, row: WalkedRow) -> Finding | None:
        if self.fold and self.event is not None:
            try:
                self.head.state = apply(self.head.state, self.event)
            except ValueError as err:
                return Finding(row.case_id, row.seq, f"the event does not apply to the case ({err})")
        self.head.last_seq, self.head.head_hash, self.head.seal = row.seq, row.hash, self.next_seal
        self.last_id = row.id
        self.recent[row.hash] = row.seq
        if len(self.recent) > RECENT_HASHES:
            self.recent.popitem(last=False)
        return None

    def insertion(self, row: WalkedRow, own_seq: object) -> Finding | None:
        """If ``row`` links back to an earlier verified event k, rows k+1.. were put in between."""
        k = self.recent.get(row.prev_hash)
        if k is None or k >= self.head.last_seq or own_seq not in (k + 1, row.seq):
            return None
        return Finding(row.case_id, k + 1, f"{_span(k + 1, self.head.last_seq)} inserted: the event now at "
                       f"seq {row.seq} (its own seq {own_seq}) links to seq {k}")

    def check(self, row: WalkedRow, strict: bool, keys: Opening | None = None) -> Finding | None:
        case_id, expected = row.case_id, self.head.last_seq + 1
        if row.seq > expected:
            return Finding(case_id, expected, f"seq {expected} is missing (deleted row?); next is seq {row.seq}")
        if row.seq < expected:
            return Finding(case_id, row.seq, f"seq {row.seq} appears twice (inserted row?)")
        payload = row.payload
        if strict:
            payload, problem = _readable(row, keys)
            if problem:
                return Finding(case_id, row.seq, problem)
        self.event = _sound_event(row, payload) if strict else None
        if self.event is None:
            data, self.event, problem = _canonical(payload, strict)
            if problem:
                return Finding(case_id, row.seq, problem)
            assert data is not None
            if data.get("seq") != row.seq:
                return self.insertion(row, data.get("seq")) or Finding(
                    case_id, row.seq, f"seq {row.seq} holds the event of seq {data.get('seq')} "
                    "(rows reordered, or an earlier one deleted and the rest renumbered)")
            mismatch = _column_mismatch(row, data)
            if mismatch:
                return Finding(case_id, row.seq, mismatch)
        if row.prev_hash != self.head.head_hash:
            return self.insertion(row, row.seq) or Finding(
                case_id, row.seq, f"prev_hash does not link to seq {row.seq - 1}'s hash "
                "(an earlier event was replaced and re-hashed?)")
        if chain_hash(row.prev_hash, row.payload) != row.hash:
            return Finding(case_id, row.seq, "hash is not sha256(prev_hash ‖ payload): the event was modified")
        self.next_seal = seal_of(self.head.seal, row.hash, row.recorded_at_text)
        if row.seal != self.next_seal:
            return Finding(case_id, row.seq, "no seal (a row written without brandpunt?)" if row.seal is None else
                           "seal is not sha256(prev_seal ‖ hash ‖ recorded_at): recorded_at (or the seal) was edited")
        if self.last_id is not None and row.id <= self.last_id:
            return Finding(case_id, row.seq, f"id {row.id} does not follow seq {row.seq - 1}'s id {self.last_id} "
                           "(row re-inserted?)")
        return None


def verify_rows(
    rows: Iterable[WalkedRow],
    *,
    strict: bool = True,
    on_head: Callable[[CaseHead], None] | None = None,
    watch: dict[str, int] | None = None,
    fold: bool = False,
    on_start: Callable[[str], int | None] | None = None,
    report: Report | None = None,
    keys: Opening | None = None,
) -> Report:
    """Verify rows ordered by (case_id, seq); the first finding of each broken case.

    ``keys`` (strict): what opens the sealed values of rows that are not opened yet
    (``Ledger.keys(walk=True)`` for a whole-ledger walk); without, they are checked as ``[erased]``.

    ``on_head`` receives each case's last verified event when the walk leaves the case (for a
    checkpoint; ``head.broken`` says whether the chain broke before its end). ``watch`` maps
    case_id -> seq whose stored hash to keep in ``Report.hash_at`` (to compare with a checkpoint's
    head); ``on_start(case_id)`` may name one more seq of the case to watch (its hash and seal go to
    ``Report.hash_at`` and ``Report.seal_at``). ``fold`` (strict only): fold the verified events into
    ``head.state`` on the way.
    """
    report = report if report is not None else Report()
    chain: _Chain | None = None
    fold = fold and strict
    watch = watch or {}
    extra: int | None = None
    for row in rows:
        report.events += 1
        if chain is None or row.case_id != chain.head.case_id:
            if chain is not None and on_head:
                on_head(chain.head)
            chain = _Chain(row.case_id, fold)
            extra = on_start(row.case_id) if on_start else None
            report.cases += 1
        if watch.get(row.case_id) == row.seq or extra == row.seq:
            report.hash_at[(row.case_id, row.seq)] = row.hash
            report.seal_at[(row.case_id, row.seq)] = row.seal
        if chain.broken:
            continue
        finding = chain.check(row, strict, keys) or chain.accept(row)
        if finding:
            report.findings.append(finding)
            chain.head.broken = True
    if chain is not None and on_head:
        on_head(chain.head)
    return report


def rows_of(
    ledger: Ledger, case_id: str | None = None, batch: int = 10_000,
    start: str | None = None, stop: str | None = None,
) -> Iterator[WalkedRow]:
    """One case's rows (``Ledger.events``: ``LedgerRow``), or every row of the ledger in (case_id, seq)
    order as stored (``Ledger.stored_rows``: ``StoredRow``, the driver's values, paged by keyset in
    ``ledger.paging``). ``start``/``stop``: only cases with ``start <= case_id < stop``, to split the walk.
    ``verify_rows`` takes either: it reads the attributes both have, and ``at`` as text or datetime.
    """
    if case_id is not None:
        return iter(ledger.events(case_id))
    return ledger.stored_rows(batch=batch, start=start, stop=stop)
