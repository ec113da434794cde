"""Need-to-know: who may see and do what with a case. One pure rule, :func:`may`.

"Companies are under NDA with their ROM: case data is confidential and shared on a need-to-know
basis" (DOMAIN.md). Every case has an owning organisation (the ROM under whose NDA it is); its
coordinators may share it with another organisation for a purpose until a date. The API host asks
:func:`may` before it reads or acts, and the workflow's update validator asks it again (the last
line: a command whose actor may not act is refused and writes nothing), so both enforce one rule.

Pure: the caller supplies the time (``at``), the actor's verified identity and the case's access
facts (owner and shares, folded from its events).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date, datetime
from enum import Enum
from types import MappingProxyType


class Role(str, Enum):
    COORDINATOR = "coordinator"
    """Acts on the cases of their organisation and on cases shared with it."""
    TASKFORCE_LEAD = "taskforce-lead"
    """The coordinating ROM: the national pipeline overview (no company identities)."""
    AUDITOR = "auditor"
    """Reads every case, verifies, exports dossiers; never acts."""
    MONITOR = "monitor"
    """The Ministry (EZ): aggregate reports only, never a company's file."""
    ADMIN = "admin"
    """Manages sharing rules and users' roles; no case content."""


class Action(str, Enum):
    START = "start"  # start a case for a new lead (owned by the actor's organisation)
    READ = "read"  # a case's file: lead, needs, timeline
    ACT = "act"  # a coordinator command on a case
    SHARE = "share"  # share a case with another organisation, or revoke a share
    OVERVIEW = "overview"  # the national pipeline: stage, region, hotspot, domain, phase; no identity
    REPORT = "report"  # aggregate impact reports
    VERIFY = "verify"  # audit verify, checkpoints, replay
    DOSSIER = "dossier"  # export a case's dossier
    ADMIN = "admin"  # grant roles, manage tokens of others, sharing rules


CASE_ACTIONS = frozenset({Action.READ, Action.ACT, Action.SHARE, Action.DOSSIER})
"""Actions on one case: :func:`may` needs that case's :class:`CaseAccess`."""


@dataclass(frozen=True)
class Actor:
    """A verified identity: who (``subject``), for which organisation, in which roles."""

    subject: str
    organisation: str
    roles: frozenset[Role] = field(default_factory=frozenset)


@dataclass(frozen=True)
class Share:
    organisation: str
    purpose: str
    until: date
    revoked: bool = False

    def active(self, at: datetime) -> bool:
        """In force at ``at``: not revoked and ``until`` not yet past (the end date is the last day)."""
        return not self.revoked and at.date() <= self.until


@dataclass(frozen=True)
class CaseAccess:
    """What decides access to one case: its owner and its shares."""

    owner: str
    shares: tuple[Share, ...] = ()

    def share_for(self, organisation: str, at: datetime) -> Share | None:
        return next((s for s in self.shares if s.organisation == organisation and s.active(at)), None)


@dataclass(frozen=True)
class Decision:
    allowed: bool
    reason: str
    """Why: for an allowed read, the purpose an access log records; for a refusal, what to tell."""

    def __bool__(self) -> bool:
        return self.allowed


def _yes(reason: str) -> Decision:
    return Decision(True, reason)


def _no(reason: str) -> Decision:
    return Decision(False, reason)


GLOBAL_ROLES: Mapping[Action, frozenset[Role]] = MappingProxyType({
    Action.START: frozenset({Role.COORDINATOR}),
    Action.OVERVIEW: frozenset({Role.TASKFORCE_LEAD, Role.AUDITOR}),
    Action.REPORT: frozenset({Role.MONITOR, Role.TASKFORCE_LEAD, Role.AUDITOR, Role.COORDINATOR}),
    Action.VERIFY: frozenset({Role.AUDITOR}),
    Action.ADMIN: frozenset({Role.ADMIN}),
})
"""Who may take each action that concerns no single case."""


@dataclass(frozen=True)
class ReadScope:
    """Whose cases an actor may read, as a listing filters them before :func:`may` judges each one:
    every case (``everything``), or those of ``organisation`` (owned by it, or shared with it by a
    share in force), or none."""

    everything: bool = False
    organisation: str | None = None


def read_scope(actor: Actor) -> ReadScope:
    """:func:`may`'s ``Action.READ`` for a whole listing: the same rule, said of every case at once
    (tests/test_access.py checks the two agree on every kind of case)."""
    if Role.AUDITOR in actor.roles:
        return ReadScope(everything=True)
    if Role.COORDINATOR in actor.roles:
        return ReadScope(organisation=actor.organisation)
    return ReadScope()


def may(actor: Actor, action: Action, case: CaseAccess | None = None, at: datetime | None = None) -> Decision:
    """Whether ``actor`` may take ``action`` (on ``case``, at ``at``), and why.

    Case actions need ``case`` and ``at`` (shares end); a case action without them is refused.
    """
    if action not in CASE_ACTIONS:
        allowed = GLOBAL_ROLES[action] & actor.roles
        if allowed:
            return _yes(f"as {sorted(r.value for r in allowed)[0]}")
        return _no(f"{action.value} needs the role {' or '.join(sorted(r.value for r in GLOBAL_ROLES[action]))}")
    if case is None or at is None:
        return _no(f"{action.value} concerns one case: which case, and when, must be known")
    if Role.AUDITOR in actor.roles and action in (Action.READ, Action.DOSSIER):
        return _yes("audit")
    if action == Action.DOSSIER:
        return _no("dossiers are exported by auditors")
    if Role.COORDINATOR not in actor.roles:
        return _no(f"{action.value} on a case needs the coordinator role")
    if actor.organisation == case.owner:
        return _yes("own organisation")
    if action == Action.SHARE:
        return _no("only the owning organisation's coordinators share or revoke a case")
    share = case.share_for(actor.organisation, at)
    if share is not None:
        return _yes(f"shared for {share.purpose} until {share.until.isoformat()}")
    return _no("the case belongs to another organisation and is not shared with yours")
