"""The event vocabulary: every fact a case can record, as a discriminated union on ``type``.

Every event names its case, its place in the case (``seq``, from 1, no gaps), when it happened
(workflow time), who did it (``actor``, ``organisation``) and why (``reason``). The event id is
``<case_id>/<seq>``; the ledger stores it once.
"""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any, ClassVar, Literal, Union, get_args

from pydantic import ConfigDict, Field, TypeAdapter

from domain import bounds as b
from domain.evolve import Evolving
from domain.models import FieldChange, Lead, Location, MatchProposal, NeedsProfile, Realisation
from domain.signing import Signed
from domain.vocab import (
    Bottleneck,
    CompanyType,
    ConsultationParty,
    Counterfactual,
    NoteKind,
    Outcome,
    ReferralTarget,
    Region,
    Stage,
    Verdict,
)

OWNER_RULE = "the ROM of the lead's home region"
"""How a case's owner is decided (``client.access``): "Omdat dit doorgaans gaat om bedrijven die onder
NDA staan bij de ROM's, zijn zij een sleutelspeler" (sources/002)."""


class EventBase(Evolving):
    model_config = ConfigDict(frozen=True, extra="forbid")
    __added_fields__: ClassVar[frozenset[str]] = frozenset({"command_id", "signed"})

    case_id: str = Field(min_length=1, max_length=b.CASE_ID)
    seq: int = Field(ge=1)
    at: datetime
    actor: str = Field(min_length=1, max_length=b.NAME_MAX)
    organisation: str | None = Field(default=None, max_length=b.NAME_MAX)
    reason: str | None = Field(default=None, max_length=b.REASON_MAX)
    command_id: str | None = Field(
        default=None, max_length=b.COMMAND_ID_MAX, description="the command that recorded this event (absent on events before it)"
    )
    signed: Signed | None = Field(
        default=None, description="the signed statement of the command that recorded this event (domain.signing); "
        "absent on events before signing and on those a case records itself")

    @property
    def event_id(self) -> str:
        return f"{self.case_id}/{self.seq}"


class LeadDetected(EventBase):
    """A new lead. ``demo`` marks a demo or test case (chained with the case, so it cannot be
    changed quietly): the impact report and the inbox leave it out unless asked. ``source`` says
    where an imported lead came from; ``signalled_by`` the triple-helix organisation whose pipeline
    signalled it ("ROM's en sommige triple-helix organisaties beschikken over een dergelijk
    pijplijn", sources/002). The case is owned by the ROM of the lead's home region either way."""

    __added_fields__: ClassVar[frozenset[str]] = EventBase.__added_fields__ | {
        "demo", "source", "signalled_by", "owner"}
    type: Literal["LeadDetected"] = "LeadDetected"
    lead: Lead
    demo: b.StrictBool = False
    source: str | None = Field(default=None, max_length=b.SOURCE_MAX)
    signalled_by: str | None = Field(default=None, max_length=b.LABEL_MAX)
    owner: str | None = Field(
        default=None, max_length=b.LABEL_MAX,
        description=f"the organisation the company is under NDA with ({OWNER_RULE}); absent on cases started "
                    "before owners were recorded (their owner is an OwnerAssigned event)")


class LeadUpdated(EventBase):
    """Corrected lead facts (contact, coordinator, KvK, type). Phase has its own event.

    ``lead`` is the whole lead after the update (what the fold takes); ``changes`` names each field
    that changed, old and new (absent on updates recorded before partial updates, which sent the
    whole lead)."""

    __added_fields__: ClassVar[frozenset[str]] = EventBase.__added_fields__ | {"changes"}
    type: Literal["LeadUpdated"] = "LeadUpdated"
    lead: Lead
    changes: list[FieldChange] | None = Field(default=None, max_length=b.LIST_MAX)


class PhaseChanged(EventBase):
    type: Literal["PhaseChanged"] = "PhaseChanged"
    from_phase: Annotated[b.StrictInt, b.within(1, 4)]
    to_phase: Annotated[b.StrictInt, b.within(1, 4)]


class NeedsArticulated(EventBase):
    type: Literal["NeedsArticulated"] = "NeedsArticulated"
    needs: NeedsProfile


class MatchesProposed(EventBase):
    """The scored hotspots, best first. ``bottleneck`` is set when no hotspot is viable."""

    type: Literal["MatchesProposed"] = "MatchesProposed"
    proposals: list[MatchProposal] = Field(max_length=b.PROPOSALS_MAX)
    bottleneck: Bottleneck | None = None


class LocationChosen(EventBase):
    type: Literal["LocationChosen"] = "LocationChosen"
    location: Location
    proposed: b.StrictBool = Field(description="whether the location was among the proposals")


class ConsultationRequested(EventBase):
    type: Literal["ConsultationRequested"] = "ConsultationRequested"
    consultation_id: str = Field(min_length=1, max_length=b.CONSULTATION_ID_MAX)
    party: ConsultationParty
    subject: str = Field(max_length=b.SUBJECT_MAX)
    due: b.Date


class ConsultationAnswered(EventBase):
    """A negative verdict sends the case back to matchmaking and withdraws its open consultations."""

    type: Literal["ConsultationAnswered"] = "ConsultationAnswered"
    consultation_id: str = Field(min_length=1, max_length=b.CONSULTATION_ID_MAX)
    verdict: Verdict
    answer: str = Field(max_length=b.ANSWER_MAX)


class RealisationStarted(EventBase):
    type: Literal["RealisationStarted"] = "RealisationStarted"


class Realised(EventBase):
    """The case ends realised. ``realisation.new_scaleup`` is the value the impact report counts.

    Recorded since the patch ``programme-facts`` (absent, ``None``, on realisations before it: "not
    recorded"): ``counterfactual``; ``company_type``, the company type at realisation, from which
    with the type at detection ``new_scaleup`` was derived, unless ``new_scaleup_reason`` says why
    the coordinator set it otherwise; ``at_current_site`` for a realisation in the own region (``True``:
    growing at its current site; ``False``: elsewhere in the own region).
    """

    __added_fields__: ClassVar[frozenset[str]] = EventBase.__added_fields__ | {
        "counterfactual", "company_type", "new_scaleup_reason", "at_current_site"}
    type: Literal["Realised"] = "Realised"
    realisation: Realisation
    outcome: Outcome
    counterfactual: Counterfactual | None = None
    company_type: CompanyType | None = None
    new_scaleup_reason: str | None = Field(default=None, max_length=b.REASON_MAX)
    at_current_site: b.StrictBool | None = None


class CaseClosed(EventBase):
    type: Literal["CaseClosed"] = "CaseClosed"
    outcome: Outcome
    bottleneck: Bottleneck | None = None


class CaseReopened(EventBase):
    type: Literal["CaseReopened"] = "CaseReopened"
    to_stage: Stage


class NoteRecorded(EventBase):
    """A coordinator's note of a meeting, call or e-mail. Changes no stage and no reminder."""

    type: Literal["NoteRecorded"] = "NoteRecorded"
    text: str = Field(min_length=1, max_length=b.NOTE_MAX)
    kind: NoteKind = NoteKind.OTHER


class RealisationCorrected(EventBase):
    """Corrected figures of a realised case (``reason`` says why), each old and new value."""

    type: Literal["RealisationCorrected"] = "RealisationCorrected"
    changes: list[FieldChange] = Field(min_length=1, max_length=4)


class Referred(EventBase):
    """The case was referred to an adjacent programme or organisation (``domain.commands.Refer``)."""

    type: Literal["Referred"] = "Referred"
    to: ReferralTarget
    name: str | None = Field(default=None, max_length=b.NAME_MAX)
    subject: str = Field(min_length=1, max_length=b.SUBJECT_MAX)


class Phase2EndExpected(EventBase):
    """When the lead is expected to reach the end of venture phase 2 (the articulation reminder's anchor)."""

    type: Literal["Phase2EndExpected"] = "Phase2EndExpected"
    expected_end: b.Date


class OwnerAssigned(EventBase):
    """The owner of a case started before owners were recorded, and the rule that decided it
    (issue 13: "existing cases get their owner when this lands ..., recorded as an event with the
    rule that assigned it"). Recorded once; a new case names its owner in ``LeadDetected.owner``."""

    type: Literal["OwnerAssigned"] = "OwnerAssigned"
    owner: str = Field(min_length=1, max_length=b.LABEL_MAX)
    rule: str = Field(min_length=1, max_length=b.REASON_MAX)


class PersonalDataErased(EventBase):
    """Personal data of the case erased by destroying the keys its values were sealed with
    (``ledger.vault``): a data subject's erasure request (GDPR art. 17, ``scope="request"``) or the
    end of the case file's retention (``scope="retention"``: every sealed value of the case).

    It names no person: ``keys`` are the opaque ids of the destroyed keys, ``fields`` how many
    sealed values they held, ``reference`` the request's or the retention rule's reference (no
    spaces: a register number, never a name). Afterwards those values read ``[erased]`` in every
    event, and the chain, whose hashes cover the ciphertext, still verifies."""

    type: Literal["PersonalDataErased"] = "PersonalDataErased"
    scope: Literal["request", "retention"]
    keys: list[Annotated[str, b.length(b.KEY_ID_MAX, min_length=1)]] = Field(max_length=b.ERASED_KEYS_MAX)
    fields: Annotated[b.StrictInt, b.within(0, b.EVENTS_COUNTED_MAX)]
    reference: str = Field(min_length=1, max_length=b.LABEL_MAX, pattern=b.REFERENCE_PATTERN)


class CaseShared(EventBase):
    """The owner's coordinator shares the case with another organisation, for a purpose, until a
    date (its last day): that organisation's coordinators may then read and act on it (``domain.access``)."""

    type: Literal["CaseShared"] = "CaseShared"
    share_with: str = Field(min_length=1, max_length=b.LABEL_MAX)
    purpose: str = Field(min_length=1, max_length=b.REASON_MAX)
    until: b.Date


class ShareRevoked(EventBase):
    """A share ended before its date by the owner's coordinator (``reason`` says why)."""

    type: Literal["ShareRevoked"] = "ShareRevoked"
    share_with: str = Field(min_length=1, max_length=b.LABEL_MAX)


class SharingProposed(EventBase):
    """A location chosen in another region than the lead's home region proposes sharing the case
    with that region's ROM, whose municipalities and grid operator the case now needs; the owner's
    coordinators decide (``share``), and until then the proposal stands in their inbox."""

    type: Literal["SharingProposed"] = "SharingProposed"
    region: Region


class ReminderSent(EventBase):
    """A reminder or escalation issued to the case's outbox (recorded once, whatever the retries).

    ``channel`` lists where it goes: always ``outbox`` (the coordinators' inbox, written in the
    same transaction as this event), then the e-mail/webhook channels it is handed to; their
    delivery runs apart from the case and is recorded only when it fails (``ReminderFailed``).
    """

    __added_fields__: ClassVar[frozenset[str]] = EventBase.__added_fields__ | {"rules_version"}
    type: Literal["ReminderSent"] = "ReminderSent"
    key: str = Field(max_length=b.LABEL_MAX, description="the planned reminder's stable key (domain.reminders)")
    rule: str = Field(max_length=b.LABEL_MAX)
    subject: str = Field(max_length=b.REMINDER_SUBJECT_MAX)
    channel: str = Field(max_length=b.LABEL_MAX)
    recipient: str = Field(max_length=b.RECIPIENT_MAX)
    escalation: b.StrictBool = False
    rules_version: str | None = Field(
        default=None, max_length=b.LABEL_MAX, description="the reminder rules it followed"
    )


class ReminderFailed(EventBase):
    """A reminder's e-mail/webhook delivery failed after its bounded attempts.

    ``retry_at`` is when the rules try again (``None``: no more tries; the failure stands in the
    inbox). ``error`` is the channel's short error, never the message itself.
    """

    type: Literal["ReminderFailed"] = "ReminderFailed"
    key: str = Field(max_length=b.LABEL_MAX)
    channels: list[b.Label] = Field(max_length=b.LIST_MAX)
    error: str = Field(max_length=500)
    failures: int = Field(ge=1, description="failed delivery rounds so far, this one included")
    retry_at: datetime | None = None


class ReminderDelivered(EventBase):
    """A reminder whose delivery had failed reached its channels on a later try."""

    type: Literal["ReminderDelivered"] = "ReminderDelivered"
    key: str = Field(max_length=b.LABEL_MAX)
    channels: list[b.Label] = Field(max_length=b.LIST_MAX)


AnyEvent = Union[
    LeadDetected,
    LeadUpdated,
    PhaseChanged,
    NeedsArticulated,
    MatchesProposed,
    LocationChosen,
    ConsultationRequested,
    ConsultationAnswered,
    RealisationStarted,
    Realised,
    CaseClosed,
    CaseReopened,
    ReminderSent,
    ReminderFailed,
    ReminderDelivered,
    NoteRecorded,
    RealisationCorrected,
    Referred,
    Phase2EndExpected,
    OwnerAssigned,
    CaseShared,
    ShareRevoked,
    SharingProposed,
    PersonalDataErased,
]
"""Every event, one of them; add a new event here."""
Event = Annotated[AnyEvent, Field(discriminator="type")]
EVENT_CLASSES: tuple[type[EventBase], ...] = get_args(AnyEvent)

EVENT_ADAPTER: TypeAdapter[Event] = TypeAdapter(Event)
EVENT_TYPES: tuple[str, ...] = tuple(c.model_fields["type"].default for c in EVENT_CLASSES)


def parse_event(data: dict[str, Any] | str | bytes) -> Event:
    """Rebuild an event from its JSON form (a ledger row, a dossier line)."""
    if isinstance(data, (str, bytes)):
        return EVENT_ADAPTER.validate_json(data)
    return EVENT_ADAPTER.validate_python(data)
