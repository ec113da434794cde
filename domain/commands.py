"""Coordinator commands: what a person (or an automated source) asks a case to do.

A command is a request, not a fact: :func:`domain.decide.decide` accepts it and returns the events
to record, or refuses it with a :class:`domain.decide.CommandRejected` that names the rule.
The CLI subcommand for each command is its ``type`` (``lead choose-location`` sends ``choose-location``).
"""

from __future__ import annotations

import json
from datetime import datetime
from typing import Annotated, Any, Literal, Union, get_args

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    TypeAdapter,
    ValidationError,
    field_validator,
    model_validator,
)

from domain import bounds as b
from domain.errors import CommandRejected
from domain.models import Lead, LeadChanges, Location, MatchProposal, NeedsProfile
from domain.personal import ERASED
from domain.signing import Signed
from domain.vocab import (
    Bottleneck,
    CompanyType,
    ConsultationParty,
    Counterfactual,
    HotspotId,
    NoteKind,
    Outcome,
    ReferralTarget,
    Region,
    Verdict,
)

ORGANISATION_ID = r"^[a-z0-9][a-z0-9-]*$"
"""An organisation's id in the organisations list (``domain.organisations``), e.g. ``twente-board``."""


class CommandBase(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")

    actor: str = Field(min_length=1, max_length=b.NAME_MAX, description="who acts (BRANDPUNT_ACTOR)")
    organisation: str | None = Field(default=None, max_length=b.NAME_MAX)
    reason: str | None = Field(default=None, max_length=b.REASON_MAX)
    command_id: str | None = Field(
        default=None,
        min_length=1,
        max_length=b.COMMAND_ID_MAX,
        description="the client's id for this command: a retry with the same id is applied once",
    )
    signature: Signed | None = Field(
        default=None, description="the API host's (or an operator's) signed statement (domain.signing); "
        "set by the client library, never by a person")


def _not_erased(email: str | None) -> None:
    """A person types an e-mail address, never ``[erased]``: that is what an erased one reads as
    (``domain.personal.ERASED``; the e-mail pattern admits it for the events, not for commands)."""
    if email == ERASED:
        raise ValueError("contact.email: an e-mail address, not [erased] (what an erased address reads as)")


class DetectLead(CommandBase):
    type: Literal["start"] = "start"
    lead: Lead
    demo: b.StrictBool = Field(
        default=False, description="a demo or test case: left out of the impact report and the inbox unless asked"
    )
    source: str | None = Field(
        default=None, min_length=1, max_length=b.SOURCE_MAX,
        description="where the lead came from, e.g. import:pipeline.csv#row 3",
    )
    signalled_by: str | None = Field(
        default=None, max_length=b.LABEL_MAX, pattern=ORGANISATION_ID,
        description="the triple-helix organisation that signalled the lead (its id); the case stays "
        "owned by the ROM of the lead's home region",
    )
    owner: str | None = Field(
        default=None, max_length=b.LABEL_MAX, pattern=ORGANISATION_ID,
        description="the organisation the company is under NDA with (its id), as the client library decides it: "
        "the ROM of the lead's home region; recorded with the lead",
    )

    @model_validator(mode="after")
    def _no_erased_email(self) -> DetectLead:
        _not_erased(self.lead.contact.email)
        return self


class UpdateLead(CommandBase):
    """Change lead facts. ``changes`` holds only the changed fields, merged onto the current lead by
    the case (a concurrent change of another field is kept); ``lead`` is the whole lead, the form of
    histories recorded before (accepted still, so they replay)."""

    type: Literal["update"] = "update"
    lead: Lead | None = None
    changes: LeadChanges | None = None

    @model_validator(mode="after")
    def _one_form(self) -> UpdateLead:
        if (self.lead is None) == (self.changes is None):
            raise ValueError("update carries either changes (the changed fields) or lead (the whole lead)")
        given = self.changes.contact if self.changes is not None else self.lead.contact if self.lead else None
        _not_erased(given.email if given is not None else None)
        return self


class RecordNote(CommandBase):
    """A note of a meeting, call or e-mail: a fact of the case in any stage, closed too. It changes
    no stage and no reminder."""

    type: Literal["note"] = "note"
    text: str = Field(min_length=1, max_length=b.NOTE_MAX)
    kind: NoteKind = NoteKind.OTHER


def _needs_words(value: str | None) -> str | None:
    if value is not None and not value.strip():
        raise ValueError("must say something (not only spaces)")
    return value


class CorrectRealisation(CommandBase):
    """Correct a realised case's recorded figures (a mistyped investment, say), with the reason.

    A realised case is final (it never reopens), so a wrong figure is corrected by an event of its
    own, old and new value side by side, and the impact report counts the corrected value.
    """

    type: Literal["correct-realisation"] = "correct-realisation"
    reason: str = Field(min_length=1, max_length=b.REASON_MAX, description="why the recorded value was wrong")
    investment_eur: b.Eur | None = None
    jobs: b.Jobs | None = None
    new_scaleup: b.StrictBool | None = None
    counterfactual: Counterfactual | None = None

    _reason_has_words = field_validator("reason")(_needs_words)

    @model_validator(mode="after")
    def _something(self) -> CorrectRealisation:
        if not self.corrected():
            raise ValueError(
                "correct-realisation corrects at least one of investment_eur, jobs, new_scaleup, counterfactual"
            )
        return self

    def corrected(self) -> dict[str, int | bool | str]:
        """The corrected fields and their new values (JSON form)."""
        values: dict[str, int | bool | str | None] = {
            "investment_eur": self.investment_eur, "jobs": self.jobs, "new_scaleup": self.new_scaleup,
            "counterfactual": self.counterfactual.value if self.counterfactual else None,
        }
        return {k: v for k, v in values.items() if v is not None}


class ChangePhase(CommandBase):
    type: Literal["change-phase"] = "change-phase"
    phase: Annotated[b.StrictInt, b.within(1, 4)]


class ArticulateNeeds(CommandBase):
    type: Literal["articulate-needs"] = "articulate-needs"
    needs: NeedsProfile


class ProposeMatches(CommandBase):
    """Score the hotspots against the needs. ``proposals`` is filled in by the matchmaking activity."""

    type: Literal["propose-matches"] = "propose-matches"
    limit: Annotated[b.StrictInt, b.within(1, 6)] = 3
    proposals: list[MatchProposal] | None = Field(default=None, max_length=b.PROPOSALS_MAX)
    bottleneck: Bottleneck | None = None


class ChooseLocation(CommandBase):
    type: Literal["choose-location"] = "choose-location"
    hotspot: HotspotId | None = None
    region: Region | None = None
    municipality: str | None = Field(default=None, max_length=b.MUNICIPALITY_MAX)

    @model_validator(mode="after")
    def _somewhere(self) -> ChooseLocation:
        if self.hotspot is None and self.region is None:
            raise ValueError("choose-location needs a hotspot or a region")
        return self


class RequestConsultation(CommandBase):
    type: Literal["request-consultation"] = "request-consultation"
    party: ConsultationParty
    subject: str = Field(min_length=1, max_length=b.SUBJECT_MAX)
    due: b.Date


class AnswerConsultation(CommandBase):
    type: Literal["answer-consultation"] = "answer-consultation"
    consultation_id: str = Field(min_length=1, max_length=b.CONSULTATION_ID_MAX)
    verdict: Verdict
    answer: str = Field(min_length=1, max_length=b.ANSWER_MAX)


class StartRealisation(CommandBase):
    type: Literal["start-realisation"] = "start-realisation"


class Realise(CommandBase):
    """The company grows or invests: the case ends realised.

    Since the patch ``programme-facts`` (``domain.decide.Context.programme_facts``) the case records
    with it what the Ministry's figures rest on: ``counterfactual`` (required: what would have happened
    without the programme); ``new_scaleup`` derived from the company type at detection and
    ``company_type`` now (default: the lead's), or given with ``new_scaleup_reason`` when it departs
    from that; and, in the lead's own region, whether it grows ``at_current_site`` or elsewhere.
    """

    type: Literal["realise"] = "realise"
    investment_eur: b.Eur
    jobs: b.Jobs
    new_scaleup: b.StrictBool | None = Field(
        default=None, description="default: derived from the company type at detection and now"
    )
    new_scaleup_reason: str | None = Field(
        default=None, min_length=1, max_length=b.REASON_MAX,
        description="why new_scaleup departs from what the company types say",
    )
    company_type: CompanyType | None = Field(default=None, description="the company type now; default: the lead's")
    counterfactual: Counterfactual | None = Field(
        default=None, description="what would have happened to the investment without the programme"
    )
    at_current_site: b.StrictBool | None = Field(
        default=None, description="in the own region: at the company's current site (true) or elsewhere (false)"
    )
    location: Location | None = Field(default=None, description="defaults to the chosen location")

    _reason_has_words = field_validator("new_scaleup_reason")(_needs_words)


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


class Refer(CommandBase):
    """Refer the case to an adjacent programme or organisation, Invest-NL among them: the taskforce
    "Aansluiting realiseert bij aanpalende (EZ en regionale) beleidsprogramma's en -instrumenten en
    relevante organisaties, waaronder Invest-NL" (sources/002, Analysekader 2e). A fact of the case
    in any stage, closed too (a case closed for its financing gap may still be referred); it changes
    no stage and no reminder. ``name`` says which programme or organisation (required unless
    Invest-NL)."""

    type: Literal["refer"] = "refer"
    to: ReferralTarget
    name: str | None = Field(default=None, min_length=1, max_length=b.NAME_MAX)
    subject: str = Field(min_length=1, max_length=b.SUBJECT_MAX, description="what the referral is about")

    _subject_has_words = field_validator("subject")(_needs_words)

    @model_validator(mode="after")
    def _named(self) -> Refer:
        if self.to != ReferralTarget.INVEST_NL and self.name is None:
            raise ValueError(f"a referral to {self.to.value} names the programme or organisation (name)")
        return self


class ExpectPhase2End(CommandBase):
    """Record when the lead is expected to reach the end of venture phase 2: the articulation
    reminder falls before it ("vanaf het einde van levensfase 2", sources/002; ``domain.reminders``).
    Without it the reminder follows the rules' typical length of phase 2."""

    type: Literal["expect-phase2-end"] = "expect-phase2-end"
    expected_end: b.Date


class ShareCase(CommandBase):
    """Share the case with another organisation for a purpose until a date (decided by the owner's
    coordinators: ``domain.access.may`` with ``Action.SHARE``). Sharing again with the same
    organisation replaces its purpose and date."""

    type: Literal["share"] = "share"
    share_with: str = Field(max_length=b.LABEL_MAX, pattern=ORGANISATION_ID,
                            description="the organisation to share with (its id, e.g. oost-nl)")
    purpose: str = Field(min_length=1, max_length=b.REASON_MAX, description="why that organisation needs to know")
    until: b.Date = Field(description="the share's last day")

    _purpose_has_words = field_validator("purpose")(_needs_words)


class RevokeShare(CommandBase):
    """End a share before its date (``reason`` says why)."""

    type: Literal["revoke-share"] = "revoke-share"
    share_with: str = Field(max_length=b.LABEL_MAX, pattern=ORGANISATION_ID)


class AssignOwner(CommandBase):
    """An operator's: record the owner of a case started before owners were recorded, with the rule
    that decided it (``brandpunt cases assign-owners``). Not accepted through the API."""

    type: Literal["assign-owner"] = "assign-owner"
    owner: str = Field(max_length=b.LABEL_MAX, pattern=ORGANISATION_ID)
    rule: str = Field(min_length=1, max_length=b.REASON_MAX)


class ErasePersonalData(CommandBase):
    """An operator's (the privacy officer's): destroy these keys of the case's sealed values
    (``brandpunt privacy erase``, ``brandpunt privacy retention``), recorded as
    ``PersonalDataErased``. Not accepted through the API."""

    type: Literal["erase-personal-data"] = "erase-personal-data"
    scope: Literal["request", "retention"]
    keys: list[Annotated[str, b.length(b.KEY_ID_MAX, min_length=1)]] = Field(
        min_length=1, max_length=b.ERASED_KEYS_MAX)
    fields: Annotated[b.StrictInt, b.within(0, b.EVENTS_COUNTED_MAX)]
    reference: str = Field(min_length=1, max_length=b.LABEL_MAX, pattern=b.REFERENCE_PATTERN)


class RecordReminder(CommandBase):
    """Issued by the case itself when a reminder falls due (system-only, like the two below)."""

    type: Literal["record-reminder"] = "record-reminder"
    key: Annotated[str, b.length(b.LABEL_MAX, min_length=1)]
    rule: Annotated[str, b.length(b.LABEL_MAX, min_length=1)]
    subject: Annotated[str, b.length(b.REMINDER_SUBJECT_MAX)]
    channel: Annotated[str, b.length(b.LABEL_MAX)]
    recipient: Annotated[str, b.length(b.RECIPIENT_MAX, min_length=1)]
    escalation: b.StrictBool = False
    rules_version: Annotated[str, b.length(b.LABEL_MAX)] | None = None


class RecordDeliveryFailure(CommandBase):
    type: Literal["record-delivery-failure"] = "record-delivery-failure"
    key: Annotated[str, b.length(b.LABEL_MAX, min_length=1)]
    channels: list[b.Label] = Field(max_length=b.LIST_MAX)
    error: str
    retry_at: datetime | None = None


class RecordDelivery(CommandBase):
    type: Literal["record-delivery"] = "record-delivery"
    key: Annotated[str, b.length(b.LABEL_MAX, min_length=1)]
    channels: list[b.Label] = Field(max_length=b.LIST_MAX)


AnyCommand = Union[
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
    RecordNote,
    CorrectRealisation,
    Refer,
    ExpectPhase2End,
    ShareCase,
    RevokeShare,
    AssignOwner,
    ErasePersonalData,
]
"""Every command, one of them; add a new command here (the ledger, the CLI and the validator read this)."""
Command = Annotated[AnyCommand, Field(discriminator="type")]
COMMAND_CLASSES: tuple[type[CommandBase], ...] = get_args(AnyCommand)
SYSTEM_COMMANDS: tuple[type[CommandBase], ...] = (RecordReminder, RecordDeliveryFailure, RecordDelivery)
"""Commands only the case itself issues; the update validator refuses them from any client."""
OPERATOR_COMMANDS: tuple[type[CommandBase], ...] = (AssignOwner, ErasePersonalData)
"""Sent by operators directly (never through the API host, which refuses them)."""
COMMAND_ADAPTER: TypeAdapter[Command] = TypeAdapter(Command)
COMMAND_TYPES: tuple[str, ...] = tuple(c.model_fields["type"].default for c in COMMAND_CLASSES)


# --- parsing input from outside (CLI, the workflow's update validator, an API) ------------------

MAX_PROBLEMS = 5
"""Lines a validation message names at most (one per field); the rest are counted."""


def _where(loc: tuple[int | str, ...]) -> str:
    """A pydantic error location as a field path, without the union's tag (``needs.space.m2``)."""
    parts = [str(p) for p in loc]
    if parts and parts[0] in COMMAND_TYPES:
        parts = parts[1:]
    return ".".join(p for p in parts if p not in ("function-after",)) or "(input)"


def problems(err: ValidationError, limit: int = MAX_PROBLEMS) -> list[tuple[str, str]]:
    """(field, problem) per field of a :class:`ValidationError`, at most ``limit`` plus a count.

    Never includes the offending value (it may be personal data, or a megabyte long).
    """
    seen: dict[str, str] = {}
    for e in err.errors(include_url=False, include_input=False):
        where = "type" if e["type"].startswith("union_tag") else _where(e["loc"])
        seen.setdefault(where, e["msg"])
    out = list(seen.items())
    if len(out) > limit:
        out = out[:limit] + [("...", f"and {len(out) - limit} more field(s)")]
    return out


def problem_params(err: ValidationError, limit: int = MAX_PROBLEMS) -> list[dict[str, object]]:
    """Each field's problem as its stable pydantic type and parameters (no input value), as
    :func:`problems` picks them: what a reader's language renders (``domain.messages``)."""
    seen: dict[str, dict[str, object]] = {}
    for e in err.errors(include_url=False, include_input=False):
        where = "type" if e["type"].startswith("union_tag") else _where(e["loc"])
        ctx = {k: v if isinstance(v, int | float | str) else str(v) for k, v in (e.get("ctx") or {}).items()}
        seen.setdefault(where, {"field": where, "type": e["type"], "ctx": ctx, "message": e["msg"]})
    return list(seen.values())[:limit]


def explain(err: ValidationError, what: str | None = None) -> str:
    """A short message naming each field and its problem, one line per field."""
    lines = [f"{field}: {problem}" for field, problem in problems(err)]
    if what is None:
        return "\n".join(lines)
    return "\n".join([f"invalid {what}:", *(f"  {line}" for line in lines)])


def command_size(data: Any) -> int:
    """Bytes of a command's JSON form (a command, a dict from JSON, or the raw JSON itself)."""
    if isinstance(data, bytes | bytearray):
        return len(data)
    if isinstance(data, str):
        return len(data.encode("utf-8"))
    if isinstance(data, BaseModel):
        return len(data.model_dump_json().encode("utf-8"))
    return len(json.dumps(data, ensure_ascii=False, default=str, separators=(",", ":")).encode("utf-8"))


def check_size(data: Any) -> None:
    """Refuse a command whose JSON is over :data:`domain.bounds.COMMAND_JSON_MAX` bytes."""
    size = command_size(data)
    if size > b.COMMAND_JSON_MAX:
        raise CommandRejected(
            "too-large", "the command is {size} bytes of JSON; at most {limit} bytes are accepted", "(command)",
            size=f"{size:,}", limit=f"{b.COMMAND_JSON_MAX:,}",
        )


def parse_command(data: Any) -> Command:
    """A :data:`Command` from a dict, JSON text/bytes or an already built command, checked whole.

    Raises :class:`CommandRejected` (rule ``too-large`` or ``invalid-input``) whose message names
    each bad field and its limit in a few lines, and whose ``field`` is the first bad field.
    """
    check_size(data)
    try:
        if isinstance(data, str | bytes | bytearray):
            return COMMAND_ADAPTER.validate_json(data)
        if isinstance(data, BaseModel):  # e.g. decoded by Temporal's converter: validate it again
            data = data.model_dump(mode="json")
        return COMMAND_ADAPTER.validate_python(data)
    except ValidationError as err:
        found = problems(err)
        text = explain(err)  # pydantic's words; another language renders the problems by type
        rejected = CommandRejected("invalid-input", text, found[0][0] if found else None)
        rejected.problems = problem_params(err)
        raise rejected from None
