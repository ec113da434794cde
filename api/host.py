"""What an API host holds: the deployment's settings and organisations, the client library it acts
through, the ledger (for tokens and reports), its clock and the identity provider."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any, Protocol, TypeVar

from client.api import Cases
from domain.access_log import AccessKind, role_changes, roles_held
from domain.organisations import Organisations
from settings import Settings

if TYPE_CHECKING:
    from domain.access import Actor
    from ledger.store import Ledger

T = TypeVar("T")


class Verifier(Protocol):
    """The identity provider's side of bearer JWTs (``api.oidc.Provider``)."""

    async def verify(self, token: str) -> dict[str, Any]: ...

    def actor(self, claims: dict[str, Any]) -> Actor: ...


def utc_now() -> datetime:
    return datetime.now(UTC)


class Host:
    def __init__(self, settings: Settings, cases: Cases | None = None, ledger: Ledger | None = None,
                 clock: Callable[[], datetime] = utc_now) -> None:
        self.settings = settings
        self.organisations: Organisations = settings.organisations()
        self.clock = clock
        self._ledger = ledger
        self._own_ledger = ledger is None
        self._cases = cases
        self._own_cases = cases is None
        self.oidc: Verifier | None = None
        self._roles_seen: dict[str, frozenset[tuple[str, str]]] = {}
        """Per subject, the roles this process last found the access log agreeing with."""

    def ledger(self) -> Ledger:
        """The ledger database (opened on first use; its schema must be this code's)."""
        if self._ledger is None:
            from ledger.store import Ledger

            self._ledger = Ledger.open_checked(self.settings.ledger_url)
        return self._ledger

    @property
    def cases(self) -> Cases:
        """The client library the host acts and reads through (``LocalCases`` over this ledger)."""
        if self._cases is None:
            from client.local import LocalCases

            self._cases = LocalCases(self.settings, ledger=self.ledger(), via="api")  # it signs for people
        return self._cases

    async def temporal_ready(self) -> None:
        """Raise unless Temporal answers its health check (``/readyz``), through the host's client."""
        from client.local import LocalCases

        cases = self.cases
        if not isinstance(cases, LocalCases):
            return  # another implementation (tests): nothing of ours to check
        client = await cases.temporal()
        if not await client.service_client.check_health():
            raise ConnectionError("Temporal is not serving")

    async def run(self, call: Callable[[Ledger], T]) -> T:
        """A ledger call off the event loop (other requests are served meanwhile)."""
        ledger = self.ledger()
        return await asyncio.to_thread(call, ledger)

    async def record_access(self, actor: Actor, kind: AccessKind, purpose: str, *, case_id: str | None = None,
                            detail: str | None = None) -> None:
        """An entry in the access log (``ledger.access_log``): who, when, what and why. Written before
        what it records is shown or done, so a failure to record shows and does nothing."""
        now = self.clock()
        await self.run(lambda ledger: ledger.access_log.record(
            at=now, subject=actor.subject, organisation=actor.organisation, kind=kind, purpose=purpose,
            case_id=case_id, detail=detail))

    async def note_roles(self, actor: Actor, via: str) -> None:
        """Record in the access log the roles ``actor`` holds now if the log says otherwise (a grant
        per role new to them, a revocation per role gone): roles are granted in the identity
        provider, and brandpunt records them as it meets them. Once per subject and roles per
        process; a failure to record refuses the sign-in (nothing unrecorded is let in)."""
        now = frozenset((actor.organisation, r.value) for r in actor.roles)
        if self._roles_seen.get(actor.subject) == now:
            return
        kinds = frozenset({AccessKind.GRANT_ROLE, AccessKind.REVOKE_ROLE})
        recorded = roles_held(await self.run(lambda ledger: ledger.access_log.of_subject(actor.subject, kinds)))
        changes = role_changes(recorded, now)
        at = self.clock()

        def record(ledger: Ledger) -> None:
            for kind, organisation, role in changes:
                ledger.access_log.record(at=at, subject=actor.subject, organisation=organisation, kind=kind,
                                         purpose=f"as the identity provider says at sign-in ({via})", detail=role)

        if changes:
            await self.run(record)
        self._roles_seen[actor.subject] = now

    async def aclose(self) -> None:
        if self._cases is not None and self._own_cases:
            await self._cases.aclose()
        if self._ledger is not None and self._own_ledger:
            self._ledger.dispose()
