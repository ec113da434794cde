"""The client library over Temporal and the ledger: the :class:`client.api.Cases` people use today.

Acting goes through Temporal (an update the case's workflow validates with ``domain.decide``);
reading and listing go to the ledger alone (the fold of the case's events, the projection), so
``lead show`` and ``lead list`` work without Temporal and for cases past Temporal's retention.
Both connections open on first use: a listing never connects to Temporal.
"""

from __future__ import annotations

import asyncio
import builtins  # `list` is also a method name in LocalCases: builtins.list in the methods after it
from collections.abc import AsyncIterator, Callable
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING, Any, TypeVar

from client.access import owner_of
from client.api import CaseFilter, CaseView
from client.errors import DEADLINE, BadInput, CaseError, CaseExists, CaseNotFound, CommandTimeout
from client.inbox import InboxItem, items, sharing_items
from client.views import check_case_id
from domain.commands import Command, CommandBase, DetectLead, RevokeShare, ShareCase
from domain.duplicates import Duplicate, company_key
from domain.models import Lead
from domain.organisations import OrganisationsError
from domain.reminders import ReminderRules
from domain.signing import Via
from domain.state import CaseState, fold
from keys import Signer
from ledger.store import Ledger
from settings import Settings, safe_url

if TYPE_CHECKING:  # the Temporal transport loads on first use: reading and listing never need it
    from temporalio.client import Client

    from workflows.case_io import CaseConfig, CommandResult

T = TypeVar("T")
SERIAL_ATTEMPTS = 20
"""How many allocated serials a start tries before it says the ledger and Temporal disagree."""
C = TypeVar("C", bound=CommandBase)
AHEAD = timedelta(days=36_500)
"""How far ahead a case's own reminders are shown (``read``): the next step of every chain."""


def _rules(ledger: Ledger) -> ReminderRules:
    """The reminder rules the workers run with (the latest in the programme chain), else the defaults."""
    adopted = ledger.reminder_rules()
    return adopted.rules if adopted else ReminderRules()


class LocalCases:
    """:class:`client.api.Cases` over a Temporal client and the ledger database of ``settings``."""

    def __init__(self, settings: Settings, client: Client | None = None, ledger: Ledger | None = None, *,
                 via: Via = "operator") -> None:
        self._settings = settings
        self._client = client
        self._ledger = ledger
        self._own_ledger = ledger is None
        self._allocating = asyncio.Lock()  # one serial at a time from this process (SQLite has one writer)
        self._via: Via = via
        """Who signs the commands sent here: the API host for a verified person, or an operator."""
        self._signer: Signer | None | bool = False  # False: not looked for yet

    def _command_signer(self) -> Signer | None:
        """The ``command`` key of the keyring (``Settings.keys_dir``), when there is one: every command is
        signed with it (``domain.signing``); without one commands go unsigned, and a worker that asks
        for signatures refuses them."""
        if self._signer is False:
            from keys import Keyring, NoKey

            try:
                self._signer = Keyring(self._settings.keys_dir).signer("command")
            except NoKey:
                self._signer = None
        return self._signer if isinstance(self._signer, Signer) else None

    def _signed(self, command: C, case_id: str) -> C:
        """``command`` with its command id and, when this host holds a command key, its signature."""
        from client.api import with_command_id
        from domain.signing import Signed, statement_bytes, statement_for

        command = with_command_id(command)
        signer = self._command_signer()
        if signer is None:
            return command
        statement = statement_for(command, case_id, datetime.now(UTC), self._via, signer.key_id)
        return command.model_copy(update={"signature": Signed(
            statement=statement, signature=signer.sign(statement_bytes(statement)))})

    # --- connections, opened on first use ------------------------------------------------------

    async def temporal(self) -> Client:
        if self._client is None:
            from client.connection import connect

            self._client = await connect(self._settings)
        return self._client

    def ledger(self) -> Ledger:
        if self._ledger is None:
            self._ledger = Ledger.open_checked(self._settings.ledger_url)
        return self._ledger

    async def _read(self, call: Callable[[Ledger], T]) -> T:
        """A ledger read off the event loop (the web host serves other requests meanwhile)."""
        ledger = self.ledger()
        return await asyncio.to_thread(call, ledger)

    async def aclose(self) -> None:
        if self._ledger is not None and self._own_ledger:
            self._ledger.dispose()
            self._ledger = None

    async def __aenter__(self) -> LocalCases:
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.aclose()

    # --- acting ----------------------------------------------------------------------------------

    async def start(
        self, command: DetectLead, case_id: str | None = None, *, config: CaseConfig | None = None,
        deadline: float = DEADLINE,
    ) -> CommandResult:
        given = case_id is not None
        if command.signalled_by is not None:  # an organisation of the deployment's list (settings)
            try:
                self._settings.organisations().signaller(command.signalled_by)
            except OrganisationsError as err:
                raise BadInput(str(err), "signalled_by") from None
        if command.owner is None:  # decided once, here, by the rule (client.access); never by a later update
            command = command.model_copy(update={"owner": owner_of(command.lead, self._settings.organisations())})
        from client import temporal as transport

        for _ in range(SERIAL_ATTEMPTS):
            if given:
                case_id = check_case_id(case_id)
            else:
                async with self._allocating:
                    case_id = await self._read(Ledger.allocate_case_id)
            assert case_id is not None
            try:
                return await transport.start(
                    await self.temporal(), self._settings.task_queue, self._signed(command, case_id), case_id,
                    config=config, deadline=deadline,
                )
            except CommandTimeout as err:
                if not given:  # a re-send must name this id: without it, it would get a new serial
                    err.args = (f"{err}, together with --case-id {case_id}",)
                raise
            except CaseExists:
                if given:
                    raise
                # A serial this ledger never gave to a case, yet Temporal has a workflow under it (a ledger
                # restored from an older backup, another ledger on the same namespace): the next serial.
                continue
        raise CaseError(f"{SERIAL_ATTEMPTS} serial case ids in a row are taken in Temporal but not in the ledger: "
                        "is this ledger the one of this Temporal namespace?")

    async def act(self, case_id: str, command: Command, *, deadline: float = DEADLINE) -> CommandResult:
        from client import temporal as transport

        if isinstance(command, ShareCase | RevokeShare) and command.share_with not in self._settings.organisations():
            raise BadInput(f"share_with: {command.share_with} is no organisation brandpunt knows "
                           "(BRANDPUNT_ORGANISATIONS)", "share_with")

        return await transport.execute(await self.temporal(), case_id, self._signed(command, check_case_id(case_id)),
                                       deadline=deadline)

    async def assign_owners(self, *, dry_run: bool = False,
                            deadline: float = DEADLINE) -> AsyncIterator[tuple[str, str, str | None]]:
        """Operators: give every case without a recorded owner its owner by the rule (``client.access``),
        recorded in the case as ``OwnerAssigned`` with the rule. Yields ``(case_id, owner, problem)``
        per case (``problem`` None: recorded, or would be with ``dry_run``). Idempotent: a case's
        command id is fixed, and a case with an owner is left alone."""
        from client.errors import CaseEnded
        from domain.commands import AssignOwner
        from domain.events import OWNER_RULE

        organisations = self._settings.organisations()
        states = await self._read(lambda ledger: ledger.case_states(include_demo=True))
        rule = f"{OWNER_RULE}, assigned to the cases started before owners were recorded"
        for state in states:
            if state.owner is not None:
                continue
            owner = owner_of(state.lead, organisations)
            if dry_run:
                yield state.case_id, owner, None
                continue
            command = AssignOwner(actor=self._settings.actor or "brandpunt-operator", organisation=None,
                                  owner=owner, rule=rule, command_id=f"assign-owner-{state.case_id}")
            try:
                await self.act(state.case_id, command, deadline=deadline)
            except CaseEnded:
                yield state.case_id, owner, "its workflow has ended: `brandpunt lead resume` it, then run this again"
                continue
            yield state.case_id, owner, None

    async def act_text(self, case_id: str, kind: str, body: dict[str, Any], meta: dict[str, Any], *,
                       deadline: float = DEADLINE) -> str:
        from client.api import command_from
        from client.text import result_lines

        command = command_from(kind, body, meta)
        result = await self.act(case_id, command, deadline=deadline)
        return "\n".join(result_lines(result, command.command_id))

    async def resume(self, case_id: str) -> CaseState:
        from client import temporal as transport

        return await transport.resume(await self.temporal(), self._settings.task_queue, case_id)

    # --- reading ---------------------------------------------------------------------------------

    async def read(self, case_id: str) -> CaseView:
        check_case_id(case_id)
        rows = await self._read(lambda ledger: ledger.events(case_id))
        state = fold(r.event for r in rows)
        if state is None:
            raise CaseNotFound(case_id, safe_url(self._settings.ledger_url))
        rules = await self._read(_rules)
        return CaseView(state=state, timeline=rows, reminders=items([state], rules, datetime.now(UTC), AHEAD))

    async def read_text(self, case_id: str) -> str:
        from client.text import case_text

        return case_text(await self.read(case_id))

    async def list(self, where: CaseFilter = CaseFilter()) -> list[CaseState]:
        where = where.checked()
        return await self._read(
            lambda ledger: ledger.case_states(
                stage=where.stage, region=where.region, company=where.company,
                coordinator=where.coordinator, include_demo=where.include_demo,
            )
        )

    async def similar(self, lead: Lead) -> builtins.list[CaseState]:
        def find(ledger: Ledger) -> list[CaseState]:
            name = company_key(lead.company)
            found = {s.case_id: s for s in ledger.case_states(company=lead.company.strip(), include_demo=True)
                     if company_key(s.lead.company) == name}
            if lead.kvk:
                found.update({s.case_id: s for s in ledger.case_states(company=lead.kvk, include_demo=True)
                              if s.lead.kvk == lead.kvk})
            return sorted(found.values(), key=lambda s: s.case_id)

        return await self._read(find)

    async def duplicates(self) -> builtins.list[Duplicate]:
        from client.access import duplicates

        organisations = self._settings.organisations()
        return await self._read(lambda ledger: duplicates(ledger.case_states(include_demo=False), organisations))

    async def inbox(self, within: timedelta, include_demo: bool = False) -> builtins.list[InboxItem]:
        organisations = self._settings.organisations()

        def compute(ledger: Ledger) -> list[InboxItem]:
            states = ledger.case_states(include_demo=include_demo)
            now = datetime.now(UTC)
            return items(states, _rules(ledger), now, within) + sharing_items(states, organisations, now)

        return await self._read(compute)
