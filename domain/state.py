"""Case state and the fold: ``apply(state, event) -> state``.

This is the single definition of what a case *is*. The workflow's state query, the ledger's
projection and the auditor's rebuild all call :func:`fold`; if they ever disagree a test fails.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, datetime

from pydantic import BaseModel, ConfigDict, Field

from domain.access import CaseAccess, Share
from domain.events import (
    CaseClosed,
    CaseReopened,
    CaseShared,
    ConsultationAnswered,
    ConsultationRequested,
    Event,
    LeadDetected,
    LeadUpdated,
    LocationChosen,
    MatchesProposed,
    NeedsArticulated,
    NoteRecorded,
    OwnerAssigned,
    PersonalDataErased,
    Phase2EndExpected,
    PhaseChanged,
    RealisationCorrected,
    RealisationStarted,
    Realised,
    Referred,
    ReminderDelivered,
    ReminderFailed,
    ReminderSent,
    ShareRevoked,
    SharingProposed,
)
from domain.models import Consultation, Lead, Location, MatchProposal, NeedsProfile, Realisation, Referral
from domain.timing import LeadTime, lead_time
from domain.vocab import Bottleneck, CompanyType, Counterfactual, Outcome, Region, Stage, Verdict

RECENT_COMMANDS = 200
"""How many command ids a case remembers, so a client's retry with the same id is applied once
even after continue-as-new (Temporal forgets the update ids of earlier runs)."""


class FailedDelivery(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")

    channels: list[str]
    error: str
    failures: int
    failed_at: datetime
    retry_at: datetime | None = None


class CaseShare(BaseModel):
    """A share of the case with another organisation (``CaseShared``), ended early by ``ShareRevoked``."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    organisation: str
    purpose: str
    until: date
    since: datetime
    by: str
    revoked_at: datetime | None = None

    def active(self, on: date) -> bool:
        """In force on ``on``: not revoked, and ``until`` (its last day) not yet past."""
        return self.revoked_at is None and on <= self.until


class CaseState(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")

    case_id: str
    lead: Lead
    stage: Stage
    phase: int
    last_seq: int
    detected_at: datetime
    updated_at: datetime
    stage_entered_at: datetime
    phase_reached_at: dict[int, datetime] = Field(
        default_factory=dict, description="first time each venture phase was reached"
    )
    stages_reached_at: dict[Stage, datetime] = Field(
        default_factory=dict, description="first time each stage was entered"
    )
    needs: NeedsProfile | None = None
    proposals: list[MatchProposal] = Field(default_factory=list)
    bottleneck: Bottleneck | None = None
    location: Location | None = None
    consultations: list[Consultation] = Field(default_factory=list)
    realisation: Realisation | None = None
    outcome: Outcome | None = None
    closed_from: Stage | None = None
    reopened: int = 0
    reminder_keys: list[str] = Field(default_factory=list, description="keys of reminders sent")
    failed_deliveries: dict[str, FailedDelivery] = Field(
        default_factory=dict, description="reminders (by key) whose e-mail/webhook delivery failed"
    )
    recent_command_ids: list[str] = Field(
        default_factory=list, description=f"the last {RECENT_COMMANDS} command ids, oldest first"
    )
    demo: bool = Field(default=False, description="a demo or test case: reports and the inbox leave it out")
    source: str | None = Field(default=None, description="where an imported lead came from")
    notes: int = Field(default=0, description="notes recorded (NoteRecorded)")
    last_note_at: datetime | None = Field(default=None, description="when the latest note was recorded")
    realisation_corrections: int = Field(default=0, description="corrections of the realisation's figures")
    detected_company_type: CompanyType | None = Field(
        default=None, description="the company type when the lead was detected (new scale-ups are derived from it)"
    )
    signalled_by: str | None = Field(default=None, description="the triple-helix organisation that signalled the lead")
    counterfactual: Counterfactual | None = Field(
        default=None, description="what would have happened to the realised investment without the programme"
    )
    at_current_site: bool | None = Field(
        default=None, description="realised in the own region at the current site (true) or elsewhere (false)"
    )
    referrals: list[Referral] = Field(default_factory=list, description="referrals to adjacent programmes")
    phase2_end_expected: date | None = Field(default=None, description="when phase 2 is expected to end")
    phase2_end_expected_at: datetime | None = Field(default=None, description="when that expectation was recorded")
    owner: str | None = Field(
        default=None, description="the organisation the company is under NDA with (LeadDetected.owner or "
        "OwnerAssigned); None: not recorded yet (client.access applies the rule)")
    shares: list[CaseShare] = Field(default_factory=list, description="shares with other organisations, latest last")
    sharing_proposed: list[Region] = Field(
        default_factory=list, description="regions a chosen location proposed sharing with (their ROMs)")

    def access(self, default_owner: str) -> CaseAccess:
        """What ``domain.access.may`` decides this case's access by: its recorded owner (else
        ``default_owner``, the rule's, for a case started before owners were recorded) and its shares."""
        shares = tuple(Share(organisation=s.organisation, purpose=s.purpose, until=s.until,
                             revoked=s.revoked_at is not None) for s in self.shares)
        return CaseAccess(owner=self.owner or default_owner, shares=shares)

    def share_with(self, organisation: str) -> CaseShare | None:
        """The latest share with ``organisation`` (active or not)."""
        return next((s for s in reversed(self.shares) if s.organisation == organisation), None)

    @property
    def open(self) -> bool:
        return self.stage != Stage.CLOSED

    @property
    def articulation_lead_time(self) -> LeadTime | None:
        """From the first needs articulation to the (latest) needed-by date; ``None`` before any
        articulation. ``.short`` flags a case articulated less than two years ahead (``domain.timing``)."""
        at = self.stages_reached_at.get(Stage.NEEDS_ARTICULATION)
        if at is None or self.needs is None:
            return None
        return lead_time(at.date(), self.needs.needed_by)

    def facts(self) -> dict[str, str | int | None]:
        """The flat facts every case listing shows (CLI ``lead list``, the ledger's ``cases`` table)."""
        return {
            "company": self.lead.company,
            "stage": self.stage.value,
            "outcome": self.outcome.value if self.outcome else None,
            "region": self.lead.home_region.value,
            "hotspot": self.lead.hotspot.value if self.lead.hotspot else None,
            "technology_domain": self.lead.technology_domain.value,
            "phase": self.phase,
            "last_seq": self.last_seq,
            "demo": self.demo,
            "owner": self.owner,
        }

    def consultation(self, consultation_id: str) -> Consultation | None:
        return next((c for c in self.consultations if c.consultation_id == consultation_id), None)


def _enter(state: CaseState, stage: Stage, at: datetime, **update: object) -> CaseState:
    reached = state.stages_reached_at
    if stage not in reached:
        reached = {**reached, stage: at}
    entered = at if stage != state.stage else state.stage_entered_at
    return state.model_copy(
        update={"stage": stage, "stage_entered_at": entered, "stages_reached_at": reached, **update}
    )


def _withdraw_open(consultations: list[Consultation]) -> list[Consultation]:
    return [c.model_copy(update={"withdrawn": True}) if c.open else c for c in consultations]


def apply(state: CaseState | None, event: Event) -> CaseState:
    """Return the state after ``event``. Pure; trusts that ``decide`` produced the event."""
    if isinstance(event, LeadDetected):
        if state is not None:
            raise ValueError(f"{event.event_id}: LeadDetected on a case that already exists")
        return CaseState(
            case_id=event.case_id,
            lead=event.lead,
            stage=Stage.DETECTION,
            phase=event.lead.phase,
            last_seq=event.seq,
            detected_at=event.at,
            updated_at=event.at,
            stage_entered_at=event.at,
            phase_reached_at={event.lead.phase: event.at},
            stages_reached_at={Stage.DETECTION: event.at},
            recent_command_ids=[event.command_id] if event.command_id else [],
            demo=event.demo,
            source=event.source,
            detected_company_type=event.lead.company_type,
            signalled_by=event.signalled_by,
            owner=event.owner,
        )
    if state is None:
        raise ValueError(f"{event.event_id}: {event.type} before LeadDetected")
    if event.seq != state.last_seq + 1:
        raise ValueError(f"{event.event_id}: expected seq {state.last_seq + 1}")
    # Every event moves last_seq and updated_at (and remembers its command id); each branch below
    # adds its own fields to this one update, so a step is one copy of the state, not two.
    common: dict[str, object] = {"last_seq": event.seq, "updated_at": event.at}
    if event.command_id is not None and event.command_id not in state.recent_command_ids:
        common["recent_command_ids"] = [*state.recent_command_ids, event.command_id][-RECENT_COMMANDS:]

    if isinstance(event, LeadUpdated):
        return state.model_copy(update={**common, "lead": event.lead})
    if isinstance(event, PhaseChanged):
        reached = state.phase_reached_at
        if event.to_phase not in reached:
            reached = {**reached, event.to_phase: event.at}
        return state.model_copy(update={**common, "phase": event.to_phase, "phase_reached_at": reached})
    if isinstance(event, NeedsArticulated):
        return _enter(
            state,
            Stage.NEEDS_ARTICULATION,
            event.at,
            **common,
            needs=event.needs,
            proposals=[],
            bottleneck=None,
            location=None,
        )
    if isinstance(event, MatchesProposed):
        return _enter(
            state,
            Stage.MATCHMAKING,
            event.at,
            **common,
            proposals=list(event.proposals),
            bottleneck=event.bottleneck,
            location=None,
        )
    if isinstance(event, LocationChosen):
        return state.model_copy(update={**common, "location": event.location})
    if isinstance(event, ConsultationRequested):
        consultation = Consultation(
            consultation_id=event.consultation_id,
            party=event.party,
            subject=event.subject,
            due=event.due,
        )
        return _enter(
            state, Stage.CONSULTATION, event.at, **common, consultations=[*state.consultations, consultation]
        )
    if isinstance(event, ConsultationAnswered):
        answered = [
            c.model_copy(update={"verdict": event.verdict, "answer": event.answer})
            if c.consultation_id == event.consultation_id
            else c
            for c in state.consultations
        ]
        if event.verdict == Verdict.NEGATIVE:
            # The programme's one way back: a failed consultation returns to matchmaking.
            return _enter(
                state,
                Stage.MATCHMAKING,
                event.at,
                **common,
                consultations=_withdraw_open(answered),
                location=None,
            )
        return state.model_copy(update={**common, "consultations": answered})
    if isinstance(event, RealisationStarted):
        return _enter(state, Stage.REALISATION, event.at, **common)
    if isinstance(event, Realised):
        return _enter(
            state,
            Stage.CLOSED,
            event.at,
            **common,
            realisation=event.realisation,
            outcome=event.outcome,
            closed_from=state.stage,
            counterfactual=event.counterfactual,
            at_current_site=event.at_current_site,
        )
    if isinstance(event, CaseClosed):
        return _enter(
            state,
            Stage.CLOSED,
            event.at,
            **common,
            outcome=event.outcome,
            bottleneck=event.bottleneck if event.bottleneck is not None else state.bottleneck,
            closed_from=state.stage,
            consultations=_withdraw_open(state.consultations),
        )
    if isinstance(event, CaseReopened):
        return _enter(
            state,
            event.to_stage,
            event.at,
            **common,
            outcome=None,
            closed_from=None,
            reopened=state.reopened + 1,
        )
    if isinstance(event, NoteRecorded):
        return state.model_copy(update={**common, "notes": state.notes + 1, "last_note_at": event.at})
    if isinstance(event, RealisationCorrected):
        if state.realisation is None:
            raise ValueError(f"{event.event_id}: RealisationCorrected on a case that was not realised")
        figures = {c.field: c.new for c in event.changes if c.field != "counterfactual"}
        update: dict[str, object] = {
            **common,
            "realisation": state.realisation.model_copy(update=figures),
            "realisation_corrections": state.realisation_corrections + 1,
        }
        for c in event.changes:
            if c.field == "counterfactual":
                update["counterfactual"] = Counterfactual(c.new)
        return state.model_copy(update=update)
    if isinstance(event, Referred):
        referral = Referral(to=event.to, name=event.name, subject=event.subject, at=event.at)
        return state.model_copy(update={**common, "referrals": [*state.referrals, referral]})
    if isinstance(event, Phase2EndExpected):
        return state.model_copy(
            update={**common, "phase2_end_expected": event.expected_end, "phase2_end_expected_at": event.at}
        )
    if isinstance(event, OwnerAssigned):
        return state.model_copy(update={**common, "owner": event.owner})
    if isinstance(event, PersonalDataErased):
        # the values read [erased] from now on, in the ledger's events (ledger.vault): a fold of the
        # stored chain sees that; the case's workflow takes that fold after recording this event
        return state.model_copy(update=common)
    if isinstance(event, CaseShared):
        share = CaseShare(organisation=event.share_with, purpose=event.purpose, until=event.until, since=event.at,
                          by=event.actor)
        others = [s for s in state.shares if s.organisation != event.share_with]  # sharing again replaces it
        return state.model_copy(update={**common, "shares": [*others, share]})
    if isinstance(event, ShareRevoked):
        shares = [s.model_copy(update={"revoked_at": event.at})
                  if s.organisation == event.share_with and s.revoked_at is None else s for s in state.shares]
        return state.model_copy(update={**common, "shares": shares})
    if isinstance(event, SharingProposed):
        proposed = state.sharing_proposed if event.region in state.sharing_proposed else [
            *state.sharing_proposed, event.region]
        return state.model_copy(update={**common, "sharing_proposed": proposed})
    if isinstance(event, ReminderSent):
        return state.model_copy(update={**common, "reminder_keys": [*state.reminder_keys, event.key]})
    if isinstance(event, ReminderFailed):
        failed = FailedDelivery(
            channels=event.channels, error=event.error, failures=event.failures,
            failed_at=event.at, retry_at=event.retry_at,
        )
        return state.model_copy(update={**common, "failed_deliveries": {**state.failed_deliveries, event.key: failed}})
    if isinstance(event, ReminderDelivered):
        rest = {k: v for k, v in state.failed_deliveries.items() if k != event.key}
        return state.model_copy(update={**common, "failed_deliveries": rest})
    raise TypeError(f"unknown event {type(event).__name__}")  # pragma: no cover


ADDED_LATER: frozenset[str] = frozenset({"detected_company_type"})
"""State fields whose fold over events recorded before them is not their default: a state
serialised by code from before them (a continue-as-new input, a row of the ``cases`` projection)
holds the default where the fold of the same chain holds a value. :func:`agrees` compares such a
state with the fold taking the fold's value for these fields. (Every other field added to the
state folds to its default over old events: ``referrals`` is empty, ``counterfactual`` None.)"""


def agrees(carried: CaseState, folded: CaseState) -> bool:
    """``carried`` is the state ``folded`` describes, allowing for :data:`ADDED_LATER` fields that
    ``carried`` holds at their default (written by code from before them)."""
    fill = {
        name: getattr(folded, name)
        for name in ADDED_LATER
        if getattr(carried, name) == CaseState.model_fields[name].get_default(call_default_factory=True)
    }
    return (carried.model_copy(update=fill) if fill else carried) == folded


def fold(events: Iterable[Event], state: CaseState | None = None) -> CaseState | None:
    """The state after all ``events`` (``None`` for no events)."""
    for event in events:
        state = apply(state, event)
    return state
