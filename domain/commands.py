"""Coordinator commands: what a person (or an automated source) asks a case to do.

A command is a request, not a fact: :func:`domain.decide.decide` accepts it and returns the events
to record, or refuses it with a :class:`domain.decide.CommandRejected` that names the rule.
The CLI subcommand for each command is its ``type`` (``lead choose-location`` sends ``choose-location``).
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated, Literal, Union

from pydantic import BaseModel, ConfigDict, Field, TypeAdapter, model_validator

from domain.models import Lead, Location, MatchProposal, NeedsProfile
from domain.vocab import Bottleneck, ConsultationParty, HotspotId, Outcome, Region, Verdict


class CommandBase(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")

    actor: str = Field(min_length=1, max_length=200, description="who acts (BRANDPUNT_ACTOR)")
    organisation: str | None = Field(default=None, max_length=200)
    reason: str | None = Field(default=None, max_length=2000)
    command_id: str | None = Field(
        default=None,
        description="the client's id for this command: a retry with the same id is applied once",
    )


class DetectLead(CommandBase):
    type: Literal["start"] = "start"
    lead: Lead


class UpdateLead(CommandBase):
    type: Literal["update"] = "update"
    lead: Lead


class ChangePhase(CommandBase):
    type: Literal["change-phase"] = "change-phase"
    phase: int = Field(ge=1, le=4)


class ArticulateNeeds(CommandBase):
    type: Literal["articulate-needs"] = "articulate-needs"
    needs: NeedsProfile


class ProposeMatches(CommandBase):
    """Score the hotspots against the needs. ``proposals`` is filled in by the matchmaking activity."""

    type: Literal["propose-matches"] = "propose-matches"
    limit: int = Field(default=3, ge=1, le=6)
    proposals: list[MatchProposal] | None = None
    bottleneck: Bottleneck | None = None


class ChooseLocation(CommandBase):
    type: Literal["choose-location"] = "choose-location"
    hotspot: HotspotId | None = None
    region: Region | None = None
    municipality: str | None = Field(default=None, max_length=200)

    @model_validator(mode="after")
    def _somewhere(self) -> ChooseLocation:
        if self.hotspot is None and self.region is None:
            raise ValueError("choose-location needs a hotspot or a region")
        return self


class RequestConsultation(CommandBase):
    type: Literal["request-consultation"] = "request-consultation"
    party: ConsultationParty
    subject: str = Field(min_length=1, max_length=2000)
    due: date


class AnswerConsultation(CommandBase):
    type: Literal["answer-consultation"] = "answer-consultation"
    consultation_id: str = Field(min_length=1)
    verdict: Verdict
    answer: str = Field(min_length=1, max_length=4000)


class StartRealisation(CommandBase):
    type: Literal["start-realisation"] = "start-realisation"


class Realise(CommandBase):
    type: Literal["realise"] = "realise"
    investment_eur: int = Field(ge=0)
    jobs: int = Field(ge=0)
    new_scaleup: bool = False
    location: Location | None = Field(default=None, description="defaults to the chosen location")


class CloseCase(CommandBase):
    type: Literal["close"] = "close"
    outcome: Literal[Outcome.LEFT_ABROAD, Outcome.WITHDRAWN, Outcome.NO_PROPOSITION_POSSIBLE]
    bottleneck: Bottleneck | None = None

    @model_validator(mode="after")
    def _bottleneck_iff_no_proposition(self) -> CloseCase:
        if self.outcome == Outcome.NO_PROPOSITION_POSSIBLE and self.bottleneck is None:
            raise ValueError("outcome no_proposition_possible needs the bottleneck behind it")
        return self


class ReopenCase(CommandBase):
    type: Literal["reopen"] = "reopen"


class RecordReminder(CommandBase):
    """Issued by the case itself when a reminder falls due (system-only, like the two below)."""

    type: Literal["record-reminder"] = "record-reminder"
    key: str
    rule: str
    subject: str
    channel: str
    recipient: str
    escalation: bool = False
    rules_version: str | None = None


class RecordDeliveryFailure(CommandBase):
    type: Literal["record-delivery-failure"] = "record-delivery-failure"
    key: str
    channels: list[str]
    error: str
    retry_at: datetime | None = None


class RecordDelivery(CommandBase):
    type: Literal["record-delivery"] = "record-delivery"
    key: str
    channels: list[str]


COMMAND_CLASSES = (
    DetectLead,
    UpdateLead,
    ChangePhase,
    ArticulateNeeds,
    ProposeMatches,
    ChooseLocation,
    RequestConsultation,
    AnswerConsultation,
    StartRealisation,
    Realise,
    CloseCase,
    ReopenCase,
    RecordReminder,
    RecordDeliveryFailure,
    RecordDelivery,
)
SYSTEM_COMMANDS: tuple[type[CommandBase], ...] = (RecordReminder, RecordDeliveryFailure, RecordDelivery)
"""Commands only the case itself issues; the update validator refuses them from any client."""
Command = Annotated[Union[COMMAND_CLASSES], Field(discriminator="type")]  # type: ignore[valid-type]
COMMAND_ADAPTER: TypeAdapter[Command] = TypeAdapter(Command)
COMMAND_TYPES: tuple[str, ...] = tuple(c.model_fields["type"].default for c in COMMAND_CLASSES)
