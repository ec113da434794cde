"""The client library's one interface: start, act, read, list, search, resume, inbox.

Everything people use (the CLI, the web app, the demo) and the tests and benchmarks go through a
:class:`Cases`. Today's implementation, :class:`client.local.LocalCases`, talks to Temporal (to
act) and reads the ledger (to show and list); an implementation over the HTTP API can take its
place without anything above this interface knowing the transport. Results are typed
(``CommandResult``, ``CaseState``, :class:`CaseView`, ``InboxItem``) and so are the errors
(``client.errors``): callers map them to text, JSON, exit codes or HTTP statuses.
"""

from __future__ import annotations

import builtins  # `list` is also a method name in Cases: builtins.list in the methods after it
import difflib
from dataclasses import dataclass, field, replace
from datetime import timedelta
from enum import Enum
from typing import TYPE_CHECKING, Any, Literal, Protocol, TypeVar, overload

from client.errors import DEADLINE, BadInput, Said
from client.inbox import InboxItem
from client.views import new_command_id
from domain import commands
from domain.bounds import SEARCH_MAX
from domain.commands import Command, CommandBase, DetectLead
from domain.duplicates import Duplicate
from domain.errors import CommandRejected
from domain.models import Lead
from domain.vocab import Region, Stage

if TYPE_CHECKING:  # annotations only: a listing loads neither the workflow's models nor the ledger here
    from domain.state import CaseState
    from ledger.store import LedgerRow
    from workflows.case_io import CaseConfig, CommandResult



def choice(field: str, value: str | None, allowed: type[Enum]) -> str | None:
    """``value`` if it is one of ``allowed``'s values; else :class:`BadInput` listing them (with a
    "did you mean" for a near miss). A filter with a typo must not quietly find nothing."""
    if value is None:
        return None
    values = [str(m.value) for m in allowed]
    if value in values:
        return value
    near = difflib.get_close_matches(value, values, n=1, cutoff=0.6)
    if not near:  # a part of one or two of them: "needs", "oost"
        parts = [v for v in values if len(value) >= 3 and value.casefold() in v]
        near = parts if len(parts) <= 2 else []
    hint = f" (did you mean {' or '.join(near)}?)" if near else ""
    raise BadInput(f"{field}: unknown value {value!r}{hint}; valid: {', '.join(values)}", field)


@dataclass(frozen=True)
class CaseFilter:
    """Which cases a listing holds; every given filter must match. ``company`` is a case-insensitive
    part of the company name, or a KvK number."""

    stage: str | None = None
    region: str | None = None
    company: str | None = None
    coordinator: str | None = None
    include_demo: bool = False

    def checked(self) -> CaseFilter:
        """This filter with its values checked (:class:`BadInput` naming the filter)."""
        for name, value in (("company", self.company), ("coordinator", self.coordinator)):
            if value is not None and len(value) > SEARCH_MAX:
                raise BadInput(f"{name}: at most {SEARCH_MAX} characters", name)
        if self.coordinator is not None and not self.coordinator.strip():
            raise BadInput("coordinator: empty; give a name (or leave the filter out)", "coordinator")
        return replace(
            self, stage=choice("stage", self.stage, Stage), region=choice("region", self.region, Region)
        )


@dataclass(frozen=True)
class CaseView:
    """One case as people read it: its state (the fold of its events), its ledger rows, and its
    open reminders (the inbox's items for this case: what is due, overdue, or the next step of
    each reminder chain, however far ahead)."""

    state: CaseState
    timeline: list[LedgerRow]
    reminders: list[InboxItem] = field(default_factory=list)


C = TypeVar("C", bound=CommandBase)


def with_command_id(command: C) -> C:
    """``command`` with a command id (a new one unless the caller chose it, for a retry): the
    transports send it as the update's id, so a retry with the same id is applied once."""
    if command.command_id:
        return command
    kind = type(command).model_fields["type"].default  # every command class has its own `type`
    return command.model_copy(update={"command_id": new_command_id(kind)})


@overload
def command_from(kind: Literal["start"], body: dict[str, Any], meta: dict[str, Any]) -> DetectLead: ...


@overload
def command_from(kind: str, body: dict[str, Any], meta: dict[str, Any]) -> Command: ...


def command_from(kind: str, body: dict[str, Any], meta: dict[str, Any]) -> Command:
    """A ``kind`` command from ``body`` plus ``meta`` (actor, organisation, reason, command id),
    checked with the workflow's own parser (bounds, strict types, size). A bad field is a
    :class:`BadInput` naming it; nothing has travelled yet. A ``start`` is a :class:`DetectLead`
    (the parser picks the class by its ``type``)."""
    data = {**body, **{k: v for k, v in meta.items() if v is not None}, "type": kind}
    try:
        return commands.parse_command(data)
    except CommandRejected as err:
        message = err.message.replace("\n", "\n  ")
        raise BadInput(f"invalid {kind}:\n  {message}", err.field, Said.of(err)) from None


class Cases(Protocol):
    """What a person's program may ask of brandpunt. Every method raises ``client.errors`` types."""

    async def start(
        self, command: DetectLead, case_id: str | None = None, *, config: CaseConfig | None = None,
        deadline: float = DEADLINE,
    ) -> CommandResult:
        """Start a case for a new lead (``case_id`` default: the ledger's next serial id)."""
        ...

    async def act(self, case_id: str, command: Command, *, deadline: float = DEADLINE) -> CommandResult:
        """Send one command to a case; refused commands raise ``CommandRefused`` and write nothing."""
        ...

    async def read(self, case_id: str) -> CaseView:
        """A case's state and timeline (``CaseNotFound`` when there is none)."""
        ...

    async def read_text(self, case_id: str) -> str:
        """:meth:`read` as the text a person reads (``client.text.case_text``)."""
        ...

    async def act_text(self, case_id: str, kind: str, body: dict[str, Any], meta: dict[str, Any], *,
                       deadline: float = DEADLINE) -> str:
        """:meth:`act` on :func:`command_from` ``(kind, body, meta)``, answered with the text a person
        reads (``client.text.result_lines``); a bad field is a :class:`BadInput` naming it."""
        ...

    async def list(self, where: CaseFilter = CaseFilter()) -> list[CaseState]:
        """The cases matching ``where``, oldest detection first."""
        ...

    async def similar(self, lead: Lead) -> builtins.list[CaseState]:
        """Existing cases whose company name or KvK number equals ``lead``'s (a possible duplicate)."""
        ...

    async def resume(self, case_id: str) -> CaseState:
        """Run an ended case's workflow again from its ledger chain (operators)."""
        ...

    async def duplicates(self) -> builtins.list[Duplicate]:
        """Cases of two or more organisations with one KvK number or company name (the taskforce
        lead's list: case ids and organisations, never the company; ``domain.duplicates``)."""
        ...

    async def inbox(self, within: timedelta, include_demo: bool = False) -> builtins.list[InboxItem]:
        """What is due, overdue or falls due within ``within``, across the cases."""
        ...

    async def aclose(self) -> None: ...
