"""Personal data of the cases: access requests, erasure by crypto-shredding, retention, and the erase list.

- **Access** (GDPR art. 15): every event that names a person (``domain.personal``), read from the
  ledger with its sealed values opened.
- **Erasure** (art. 17): the keys of the person's sealed values (their name, e-mail and phone as a
  contact, and every free text that names them) are destroyed, per case, by an
  ``erase-personal-data`` command: through the case's workflow while it runs (it records
  ``PersonalDataErased``, destroys the keys in the same transaction and takes the ledger's fold, so
  it carries nothing erased on), directly in the ledger when the workflow has ended (a closed case
  past its reopening period; its next run starts from the ledger). Afterwards those values read
  ``[erased]`` everywhere, and every chain still verifies: its hashes cover the ciphertext.
- **Retention**: a case closed longer ago than the retention period has every sealed value erased
  the same way (``scope="retention"``); its figures (stages, dates, amounts, regions) stay for the
  impact reports, which never read a person's data.
- **The erase list**: the destroyed key ids, appended to a file outside the database (beside the
  keyring). A database restored from a backup made before an erasure would bring the keys back:
  ``brandpunt privacy reapply`` (and every worker start) destroys them again.

Coordinators are people too, but their sign-in subject on the events they recorded (``actor``) is
the accountability record of a public task (who decided what in a case) and is kept; the identity
provider holds their name, and should issue subjects that are not names (docs/notes/privacy.md).
"""

from __future__ import annotations

import hashlib
import json
import os
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Literal

from client.errors import BadInput, CaseEnded, CaseNotFound
from domain.bounds import ERASED_KEYS_MAX
from domain.commands import ErasePersonalData
from domain.decide import Context, decide
from domain.personal import Person, mentions, sealed_mentions
from domain.vocab import Stage
from keys.sealing import key_id_of
from ledger.vault import sealed_key_ids

if TYPE_CHECKING:
    from client.local import LocalCases
    from keys import Signer
    from ledger.store import Ledger, LedgerRow

ERASE_LIST = "erased-keys.txt"
"""The erase list's file name in the keys directory: one destroyed key id per line, with the date."""


@dataclass(frozen=True)
class Mention:
    """One event that names the person: where, and the keys of its sealed values that do."""

    row: LedgerRow
    fields: tuple[str, ...]
    keys: tuple[str, ...]


def mentioning(ledger: Ledger, person: Person) -> Iterator[Mention]:
    """Every event of the ledger that names ``person``, opened (a walk over the whole ledger)."""
    for row in ledger.iter_all_rows():
        opened = row.payload_json()
        if opened is None:
            continue
        stored = json.loads(row.payload) if row.opened is not None else opened
        fields = tuple(mentions(opened, person))
        keys = tuple(k for _, k in sealed_mentions(stored, opened, person, key_id_of))
        if fields or keys:
            yield Mention(row, fields, keys)


@dataclass
class CaseErasure:
    """What an erasure destroys in one case: the keys, and how many sealed values each holds."""

    case_id: str
    keys: set[str] = field(default_factory=set)
    counts: dict[str, int] = field(default_factory=dict)
    recorded: Literal["workflow", "ledger", ""] = ""

    @property
    def fields(self) -> int:
        return sum(self.counts.get(k, 0) for k in self.keys)

    def count_in(self, ledger: Ledger) -> None:
        """Count the sealed values each key holds in the case's events."""
        for row in ledger.events(self.case_id):
            for k in sealed_key_ids(row.payload):
                if k in self.keys:
                    self.counts[k] = self.counts.get(k, 0) + 1


def erasures_for(ledger: Ledger, person: Person) -> dict[str, CaseErasure]:
    """Per case, the keys of the person's sealed values: the vault's keys of their values (found by
    fingerprint) and those of every sealed text that names them."""
    found: dict[str, CaseErasure] = {}
    for case_id, keys in ledger.person_keys(person.fingerprints()).items():
        found.setdefault(case_id, CaseErasure(case_id)).keys.update(keys)
    for m in mentioning(ledger, person):
        if m.keys:
            found.setdefault(m.row.case_id, CaseErasure(m.row.case_id)).keys.update(m.keys)
    for erasure in found.values():  # how many sealed values those keys hold
        erasure.count_in(ledger)
    return {c: e for c, e in sorted(found.items()) if e.keys}


def _commands(erasure: CaseErasure, scope: Literal["request", "retention"], reference: str,
              actor: str) -> list[ErasePersonalData]:
    """The case's erasure as commands of at most ``ERASED_KEYS_MAX`` keys each (a command's size is
    bounded); each command's id from its keys, so a re-run applies none twice."""
    keys = sorted(erasure.keys)
    out = []
    for i in range(0, len(keys), ERASED_KEYS_MAX):
        part = keys[i:i + ERASED_KEYS_MAX]
        digest = hashlib.sha256(" ".join(part).encode()).hexdigest()[:16]
        out.append(ErasePersonalData(actor=actor, organisation=None, scope=scope, keys=part,
                                     fields=sum(erasure.counts.get(k, 0) for k in part), reference=reference,
                                     command_id=f"erase-{digest}"))
    return out


async def carry_out(cases: LocalCases, ledger: Ledger, erasures: dict[str, CaseErasure],
                    scope: Literal["request", "retention"], reference: str, actor: str,
                    ledger_signer: Signer, erase_list: Path) -> None:
    """Erase ``erasures`` case by case: through the case's workflow, or in the ledger when it has
    ended; then scrub the database and append the keys to the erase list."""
    try:
        ErasePersonalData(actor=actor, scope=scope, keys=["x"], fields=0, reference=reference)
    except ValueError:
        raise BadInput(f"reference: {reference!r} is no register reference (letters, digits and ._:/#-, "
                       "no spaces: never a name)", "reference") from None
    for erasure in erasures.values():
        for command in _commands(erasure, scope, reference, actor):
            # listed first: a crash between the two leaves a listed key alive (erased by the next run or
            # reapply), never a destroyed key unlisted (a restored backup would bring it back for good)
            _listed(erase_list, command.keys)
            try:
                await cases.act(erasure.case_id, command)
                erasure.recorded = "workflow"
            except (CaseEnded, CaseNotFound):
                state = ledger.fold_case(erasure.case_id)
                if state is None:
                    raise CaseNotFound(erasure.case_id, ledger.safe_url) from None
                events = decide(state, command, Context(erasure.case_id, datetime.now(UTC)))
                ledger.append(events, signer=ledger_signer, erase=command.keys)
                erasure.recorded = "ledger"
    if erasures:
        ledger.scrub()


def _listed(erase_list: Path, key_ids: list[str]) -> None:
    erase_list.parent.mkdir(parents=True, exist_ok=True)
    day = date.today().isoformat()
    with erase_list.open("a", encoding="utf-8") as out:
        out.writelines(f"{k} {day}\n" for k in key_ids)
        out.flush()
        os.fsync(out.fileno())
    erase_list.chmod(0o600)


def listed(erase_list: Path) -> list[str]:
    """The key ids on the erase list (none when there is no list yet)."""
    if not erase_list.exists():
        return []
    return [line.split()[0] for line in erase_list.read_text(encoding="utf-8").splitlines() if line.strip()]


def due_for_retention(ledger: Ledger, today: date, period: timedelta) -> dict[str, CaseErasure]:
    """Cases closed (with or without a realisation) longer than ``period`` before ``today`` that still
    hold sealed values: each with every live key of the case."""
    due: dict[str, CaseErasure] = {}
    for state in ledger.case_states(stage=Stage.CLOSED.value, include_demo=True):
        if state.stage_entered_at.date() + period > today:
            continue
        keys = ledger.live_keys(state.case_id)
        if keys:
            erasure = CaseErasure(state.case_id, set(keys))
            erasure.count_in(ledger)
            due[state.case_id] = erasure
    return due
