"""The stage machine: ``decide(state, command, context) -> events``, or :class:`CommandRejected`.

:func:`check` holds every rule and is what the workflow's update validators run, so a refused
command is refused before anything reaches Temporal history or the ledger. :func:`decide` runs
the same check and then builds the events. (:class:`CommandRejected` lives in ``domain.errors``
and is importable from here too.)
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, datetime
from types import MappingProxyType
from typing import TypedDict

from pydantic import ValidationError

from domain.commands import (
    AnswerConsultation,
    ArticulateNeeds,
    AssignOwner,
    ChangePhase,
    ChooseLocation,
    CloseCase,
    Command,
    CommandBase,
    CorrectRealisation,
    DetectLead,
    ErasePersonalData,
    ExpectPhase2End,
    ProposeMatches,
    Realise,
    RecordDelivery,
    RecordDeliveryFailure,
    RecordNote,
    RecordReminder,
    Refer,
    ReopenCase,
    RequestConsultation,
    RevokeShare,
    ShareCase,
    StartRealisation,
    UpdateLead,
    problem_params,
    problems,
)
from domain.errors import CommandRejected as CommandRejected  # re-exported: importable from here too
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
from domain.models import FieldChange, Lead, LeadChanges, Location, Realisation, is_new_scaleup, lead_fields
from domain.signing import Signed
from domain.state import CaseState
from domain.vocab import (
    HOTSPOT_REGION,
    LEGACY_DOMAINS,
    REALISED_OUTCOMES,
    CompanyType,
    Counterfactual,
    Outcome,
    Stage,
    TechnologyDomain,
)


@dataclass(frozen=True)
class Context:
    """What the caller (the workflow) supplies: the case id, workflow time, and the rules that
    depend on the workflow's patches (each off by default, so histories recorded before replay)."""

    case_id: str
    at: datetime
    refuse_past_needed_by: bool = False
    """Refuse a needs profile whose ``needed_by`` lies before today (workflow time), as a past
    consultation due date is refused (workflow patch ``refuse-past-needed-by``)."""
    programme_facts: bool = False
    """Record the facts the Ministry's figures rest on (workflow patch ``programme-facts``): a
    realisation needs its counterfactual, derives ``new_scaleup`` from the company types (an
    override needs a reason) and says, in the own region, whether it is at the current site; a new
    lead names pharma or defence, not the merged ``strategic-autonomy``."""
    propose_sharing: bool = False
    """A location chosen outside the lead's home region also records ``SharingProposed`` for that
    region (workflow patch ``propose-sharing``)."""


def _not_in_past(day: date, ctx: Context, rule: str, field: str, template: str) -> None:
    """Refuse ``day`` (at ``field``, by ``rule``, saying ``template`` with the day as ``{day}``) when it
    lies before today, workflow time (UTC); today itself is accepted."""
    if day < ctx.at.date():
        raise CommandRejected(rule, template, field, day=day)


def _merged_lead(state: CaseState, changes: LeadChanges) -> tuple[Lead, list[FieldChange]]:
    """The current lead with ``changes`` merged onto it, validated whole, and what changed."""
    current = state.lead.model_copy(update={"phase": state.phase})
    given = changes.given()
    if "phase" in given and given["phase"] != state.phase:
        raise CommandRejected("phase-via-change-phase", "the venture phase changes with change-phase", "changes.phase")
    given.pop("phase", None)
    contact = given.pop("contact", {})
    data = current.model_dump(mode="json") | given
    data["contact"] = None if contact is None else {**data["contact"], **contact}  # null: the Lead refuses it
    try:
        merged = Lead.model_validate(data)
    except ValidationError as err:
        found = problems(err)
        text = "\n".join(f"changes.{field}: {problem}" for field, problem in found)  # pydantic's words
        rejected = CommandRejected("invalid-input", text, f"changes.{found[0][0]}")
        rejected.problems = [{**p, "field": f"changes.{p['field']}"} for p in problem_params(err)]
        raise rejected from None
    before, after = lead_fields(current), lead_fields(merged)
    changed = [FieldChange(field=k, old=before[k], new=v) for k, v in after.items() if before[k] != v]
    if not changed:
        raise CommandRejected("no-change", "the lead is unchanged: every field given holds its current value")
    return merged, changed


def _corrections(state: CaseState, command: CorrectRealisation) -> list[FieldChange]:
    """The realisation's fields ``command`` corrects, old and new; refused unless realised and each
    given value differs from the recorded one."""
    if state.realisation is None or state.outcome not in REALISED_OUTCOMES:
        raise CommandRejected(
            "not-realised", "case {case} is not realised: only a realised case's figures are corrected",
            None, case=state.case_id)
    recorded = {
        **state.realisation.model_dump(mode="json"),
        "counterfactual": state.counterfactual.value if state.counterfactual else None,
    }
    changes = []
    for field, value in command.corrected().items():
        if recorded[field] == value:
            raise CommandRejected("no-change", "{field} is already {value}", field, value=value)
        changes.append(FieldChange(field=field, old=recorded[field], new=value))
    return changes


def _not_legacy(domain: TechnologyDomain | None, field: str) -> None:
    """Refuse the merged strategic-autonomy category for a new lead or a changed domain."""
    if domain in LEGACY_DOMAINS:
        raise CommandRejected(
            "domain-split",
            "strategic-autonomy is split into its categories: name pharma or defence "
            "(\"Denk dan aan farmacologische bedrijven en de defensie-industrie\", sources/002)",
            field,
        )


@dataclass(frozen=True)
class RealisedFacts:
    """What a realisation records besides its figures (``Context.programme_facts``)."""

    new_scaleup: bool
    new_scaleup_reason: str | None = None
    company_type: CompanyType | None = None
    at_current_site: bool | None = None
    counterfactual: Counterfactual | None = None


def _same_place(a: str, b: str) -> bool:
    return " ".join(a.split()).casefold() == " ".join(b.split()).casefold()


def _realised_facts(state: CaseState, command: Realise, where: Location, ctx: Context) -> RealisedFacts:
    """The facts recorded with a realisation; raises :class:`CommandRejected` naming the field.

    Without ``ctx.programme_facts`` (histories from before the patch): ``new_scaleup`` as given
    (default false) and nothing else, as then.
    """
    if not ctx.programme_facts:
        return RealisedFacts(bool(command.new_scaleup))
    if command.counterfactual is None:
        raise CommandRejected(
            "counterfactual-required",
            "say what would have happened without the programme: would_have_gone_abroad, "
            "would_not_have_been_invested or would_have_happened_in_nl_anyway (retained investment is "
            "\"vermogen dat anders niet zou worden geïnvesteerd of niet in Nederland\", sources/002)",
            "counterfactual",
        )
    now = command.company_type or state.lead.company_type
    detected = state.detected_company_type
    if detected is None:  # a run that began before the type at detection was kept in the state
        if command.new_scaleup is None:
            raise CommandRejected(
                "new-scaleup-unknown",
                "this case's company type at detection is not in its state: say whether it is a new scale-up",
                "new_scaleup",
            )
        new_scaleup, reason = command.new_scaleup, command.new_scaleup_reason
    else:
        derived = is_new_scaleup(detected, now)
        new_scaleup = derived if command.new_scaleup is None else command.new_scaleup
        if new_scaleup != derived and command.new_scaleup_reason is None:
            raise CommandRejected(
                "new-scaleup-needs-reason",
                "new_scaleup {given} departs from the company types (a {detected} at detection, a {company_type} "
                "now); give new_scaleup_reason",
                "new_scaleup_reason", given=str(new_scaleup).lower(), detected=detected.value, company_type=now.value,
            )
        if new_scaleup == derived and command.new_scaleup_reason is not None:
            raise CommandRejected(
                "new-scaleup-reason-without-override",
                "new_scaleup is {given} as the company types say (a {detected} at detection, a {company_type} now); "
                "a reason is only for departing from them",
                "new_scaleup_reason", given=str(derived).lower(), detected=detected.value, company_type=now.value,
            )
        reason = command.new_scaleup_reason
    return RealisedFacts(new_scaleup, reason, now, _at_current_site(state, command, where), command.counterfactual)


def _at_current_site(state: CaseState, command: Realise, where: Location) -> bool | None:
    """Whether a realisation in the own region is at the company's current site (``None``
    elsewhere). Programme aim b: "door te kunnen groeien en door te investeren elders in de eigen
    regio of in een andere Nederlandse regio" (sources/002) is not growing where it is."""
    site, there = state.lead.site, where.municipality
    if where.region != state.lead.home_region:
        if command.at_current_site:
            raise CommandRejected(
                "current-site-in-home-region",
                "the location lies in {region}, outside the lead's home region {home_region}, where its "
                "current site is",
                "at_current_site", region=where.region.value, home_region=state.lead.home_region.value,
            )
        return None
    if command.at_current_site is not None:
        if command.at_current_site and site and there and not _same_place(site, there):
            raise CommandRejected(
                "site-mismatch",
                "the lead's current site is in {site}, the location in {there}: update the lead's site, "
                "or say at_current_site false",
                "at_current_site", site=site, there=there,
            )
        return command.at_current_site
    if site and there and not _same_place(site, there):
        return False  # another municipality than the current site's: elsewhere in the own region
    raise CommandRejected(
        "current-site-unknown",
        "realised in the lead's own region: say whether at its current site (at_current_site true) "
        "or elsewhere in the region (false)",
        "at_current_site",
    )


STAGES: Mapping[type[CommandBase], tuple[Stage, ...]] = MappingProxyType({
    ArticulateNeeds: (Stage.DETECTION, Stage.NEEDS_ARTICULATION, Stage.MATCHMAKING),
    ProposeMatches: (Stage.NEEDS_ARTICULATION, Stage.MATCHMAKING),
    ChooseLocation: (Stage.MATCHMAKING,),
    RequestConsultation: (Stage.MATCHMAKING, Stage.CONSULTATION),
    AnswerConsultation: (Stage.CONSULTATION,),
    StartRealisation: (Stage.CONSULTATION,),
    Realise: (Stage.REALISATION,),
})
"""The stages a stage-bound command is possible in (every other command: any open stage, or as
:func:`check` says). One table for :func:`check`'s refusal and :func:`possible`'s offer."""
ANY_STAGE = (RecordNote, Refer, ShareCase)
"""Facts of the case in any stage, closed too: a note of a meeting, a referral, who may see the file."""
OPEN_CASE = (UpdateLead, ChangePhase, CloseCase, ExpectPhase2End)
"""Possible while the case is open, in any of its stages."""


def possible(state: CaseState, today: date) -> tuple[str, ...]:
    """The coordinator commands (their ``type``) that ``state``'s stage and facts admit ``today``, for
    a person to be offered (a form each in the web app). Only what :func:`check` would refuse on the
    case's facts alone is left out; the command's values are still judged when it is sent."""
    kinds: list[type[CommandBase]] = [*ANY_STAGE]
    if any(share.active(today) for share in state.shares):
        kinds.append(RevokeShare)
    if state.stage == Stage.CLOSED:
        kinds.append(CorrectRealisation if state.outcome in REALISED_OUTCOMES else ReopenCase)
    else:
        kinds += [k for k in OPEN_CASE if k is not ExpectPhase2End or not any(p >= 3 for p in state.phase_reached_at)]
        open_consultations = any(c.open for c in state.consultations)
        kinds += [k for k, stages in STAGES.items() if state.stage in stages and {
            ProposeMatches: state.needs is not None,
            RequestConsultation: state.location is not None,
            AnswerConsultation: open_consultations,
            StartRealisation: not open_consultations,
        }.get(k, True)]
    return tuple(k.model_fields["type"].default for k in kinds)


def _stage(state: CaseState, command: Command) -> None:
    allowed = STAGES[type(command)]
    if state.stage not in allowed:
        raise CommandRejected(
            "wrong-stage", "{command} is not possible in stage {stage}; allowed in: {stages}", None,
            command=command.type, stage=state.stage.value, stages=[s.value for s in allowed],
        )


def _sharing(state: CaseState, command: ShareCase | RevokeShare | AssignOwner, ctx: Context) -> None:
    """The rules of need-to-know as facts of the case (who may do it is ``domain.access.may``'s)."""
    if isinstance(command, AssignOwner):
        if state.owner is not None:
            raise CommandRejected("owner-recorded", "case {case} is owned by {owner} already", "owner",
                                  case=state.case_id, owner=state.owner)
        return
    if isinstance(command, ShareCase):
        if command.share_with == state.owner:
            raise CommandRejected("share-with-owner", "{organisation} owns the case: nothing to share",
                                  "share_with", organisation=command.share_with)
        _not_in_past(command.until, ctx, "share-until-past", "until", "the share's last day {day} lies in the past")
        return
    share = state.share_with(command.share_with)
    if share is None or not share.active(ctx.at.date()):
        raise CommandRejected("no-share", "the case is not shared with {organisation} now", "share_with",
                              organisation=command.share_with)


def check(state: CaseState | None, command: Command, ctx: Context) -> None:
    """Raise :class:`CommandRejected` if ``command`` is not allowed now; return quietly if it is."""
    if isinstance(command, DetectLead):
        if state is not None:
            raise CommandRejected("case-exists", "case {case} already exists", None, case=state.case_id)
        if ctx.programme_facts:
            _not_legacy(command.lead.technology_domain, "lead.technology_domain")
        return
    if state is None:
        raise CommandRejected("no-case", "case {case} has no lead yet", None, case=ctx.case_id)
    if isinstance(command, RecordNote | Refer | ErasePersonalData):
        return  # a note of a meeting, a referral after closing, an erasure: any stage
    if isinstance(command, ShareCase | RevokeShare | AssignOwner):
        _sharing(state, command, ctx)  # who may see the file: in any stage, closed too
        return
    if isinstance(command, CorrectRealisation):
        _corrections(state, command)
        return
    if isinstance(command, ReopenCase):
        if state.stage != Stage.CLOSED:
            raise CommandRejected("not-closed", "case {case} is open; only closed cases reopen", None,
                                  case=state.case_id)
        if state.outcome in REALISED_OUTCOMES:
            raise CommandRejected("realised-final", "a realised case is final and cannot be reopened")
        return
    if state.stage == Stage.CLOSED:
        raise CommandRejected(
            "case-closed",
            "case {case} is closed ({outcome}); reopen it first", None,
            case=state.case_id, outcome=state.outcome.value if state.outcome else "?",
        )

    if isinstance(command, UpdateLead):
        if command.changes is not None:
            if ctx.programme_facts and "technology_domain" in command.changes.model_fields_set:
                _not_legacy(command.changes.technology_domain, "changes.technology_domain")
            _merged_lead(state, command.changes)
        elif command.lead is not None:  # the whole lead (the form of older clients and histories)
            if ctx.programme_facts and command.lead.technology_domain != state.lead.technology_domain:
                _not_legacy(command.lead.technology_domain, "lead.technology_domain")
            if command.lead.phase != state.phase:
                raise CommandRejected(
                    "phase-via-change-phase", "the venture phase changes with change-phase", "lead.phase"
                )
            if command.lead == state.lead.model_copy(update={"phase": state.phase}):
                raise CommandRejected("no-change", "the lead is unchanged")
    elif isinstance(command, ChangePhase):
        if command.phase == state.phase:
            raise CommandRejected("no-change", "the lead is already in phase {phase}", "phase", phase=state.phase)
    elif isinstance(command, ArticulateNeeds):
        _stage(state, command)
        if ctx.refuse_past_needed_by:
            # The programme looks at "de toekomstige (investerings-) ruimtevraag" (sources/002): the
            # space is needed by a date still to come.
            _not_in_past(command.needs.needed_by, ctx, "needed-by-in-past", "needs.needed_by",
                             "the needed-by date {day} lies in the past")
    elif isinstance(command, ProposeMatches):
        _stage(state, command)
        if state.needs is None:
            raise CommandRejected("needs-first", "articulate the needs before matchmaking")
    elif isinstance(command, ChooseLocation):
        _stage(state, command)
        if command.hotspot and command.region and HOTSPOT_REGION[command.hotspot] != command.region:
            raise CommandRejected(
                "hotspot-region",
                "hotspot {hotspot} lies in {in_region}, not {region}", "region",
                hotspot=command.hotspot.value, in_region=HOTSPOT_REGION[command.hotspot].value,
                region=command.region.value,
            )
    elif isinstance(command, RequestConsultation):
        _stage(state, command)
        if state.location is None:
            raise CommandRejected("location-first", "choose a location before consulting on it")
        _not_in_past(command.due, ctx, "due-in-past", "due", "the due date {day} lies in the past")
    elif isinstance(command, AnswerConsultation):
        _stage(state, command)
        consultation = state.consultation(command.consultation_id)
        if consultation is None:
            known = ", ".join(c.consultation_id for c in state.consultations if c.open) or "none"
            raise CommandRejected(
                "unknown-consultation",
                "no consultation {consultation}; open: {open}",
                "consultation_id", consultation=command.consultation_id, open=known,
            )
        if not consultation.open:
            raise CommandRejected(
                "consultation-closed",
                "consultation {consultation} is already answered or withdrawn",
                "consultation_id", consultation=command.consultation_id,
            )
    elif isinstance(command, StartRealisation):
        _stage(state, command)
        pending = [c.consultation_id for c in state.consultations if c.open]
        if pending:
            raise CommandRejected(
                "consultations-open", "consultations still open: {open}", None, open=list(pending)
            )
    elif isinstance(command, Realise):
        _stage(state, command)
        location = command.location or state.location
        if location is None:  # pragma: no cover - realisation implies a chosen location
            raise CommandRejected("location-first", "no location to realise at", "location")
        if location.hotspot and HOTSPOT_REGION[location.hotspot] != location.region:
            raise CommandRejected(
                "hotspot-region",
                "hotspot {hotspot} lies in {in_region}",
                "location.region", hotspot=location.hotspot.value, in_region=HOTSPOT_REGION[location.hotspot].value,
            )
        _realised_facts(state, command, location, ctx)
    elif isinstance(command, ExpectPhase2End):
        ended = min((at for phase, at in state.phase_reached_at.items() if phase >= 3), default=None)
        if ended is not None:  # the articulation reminder follows that end (domain.reminders.phase2_end)
            raise CommandRejected(
                "phase2-ended", "phase 2 ended when the lead reached phase 3 on {day}", "expected_end",
                day=ended.date()
            )
        _not_in_past(command.expected_end, ctx, "expected-end-in-past", "expected_end",
                     "the expected end of phase 2, {day}, lies in the past")
        if command.expected_end == state.phase2_end_expected:
            raise CommandRejected("no-change", "phase 2 is already expected to end on {day}", "expected_end",
                                  day=command.expected_end)
    elif isinstance(command, RecordReminder):
        if command.key in state.reminder_keys:
            raise CommandRejected("reminder-sent", "reminder {key} was already recorded", None, key=command.key)
    elif isinstance(command, RecordDeliveryFailure | RecordDelivery):
        if command.key not in state.reminder_keys:
            raise CommandRejected("unknown-reminder", "reminder {key} was never issued", "key", key=command.key)
        if isinstance(command, RecordDelivery) and command.key not in state.failed_deliveries:
            raise CommandRejected("not-failed", "reminder {key} has no failed delivery", "key", key=command.key)
    elif isinstance(command, CloseCase):
        pass
    else:  # pragma: no cover
        raise CommandRejected("unknown-command", "unknown command {command}", None, command=type(command).__name__)


class _Meta(TypedDict):
    """The fields every event of one command shares."""

    case_id: str
    seq: int
    at: datetime
    actor: str
    organisation: str | None
    reason: str | None
    command_id: str | None
    signed: Signed | None


def decide(state: CaseState | None, command: Command, ctx: Context) -> list[Event]:
    """The events that record ``command``; raises :class:`CommandRejected` when it is refused.

    Sequence numbers continue from ``state.last_seq``; the caller records the events in order.
    """
    check(state, command, ctx)
    seq = 1 if state is None else state.last_seq + 1
    meta: _Meta = {
        "case_id": ctx.case_id,
        "seq": seq,
        "at": ctx.at,
        "actor": command.actor,
        "organisation": command.organisation,
        "reason": command.reason,
        "command_id": command.command_id,
        "signed": command.signature,
    }
    if isinstance(command, DetectLead):
        return [LeadDetected(**meta, lead=command.lead, demo=command.demo, source=command.source,
                             signalled_by=command.signalled_by, owner=command.owner)]
    assert state is not None
    if isinstance(command, UpdateLead):
        if command.changes is None:
            assert command.lead is not None
            return [LeadUpdated(**meta, lead=command.lead)]
        merged, changed = _merged_lead(state, command.changes)
        return [LeadUpdated(**meta, lead=merged, changes=changed)]
    if isinstance(command, RecordNote):
        return [NoteRecorded(**meta, text=command.text, kind=command.kind)]
    if isinstance(command, ShareCase):
        return [CaseShared(**meta, share_with=command.share_with, purpose=command.purpose, until=command.until)]
    if isinstance(command, RevokeShare):
        return [ShareRevoked(**meta, share_with=command.share_with)]
    if isinstance(command, AssignOwner):
        return [OwnerAssigned(**meta, owner=command.owner, rule=command.rule)]
    if isinstance(command, ErasePersonalData):
        return [PersonalDataErased(**meta, scope=command.scope, keys=sorted(set(command.keys)), fields=command.fields,
                                   reference=command.reference)]
    if isinstance(command, Refer):
        return [Referred(**meta, to=command.to, name=command.name, subject=command.subject)]
    if isinstance(command, ExpectPhase2End):
        return [Phase2EndExpected(**meta, expected_end=command.expected_end)]
    if isinstance(command, CorrectRealisation):
        return [RealisationCorrected(**meta, changes=_corrections(state, command))]
    if isinstance(command, ChangePhase):
        return [PhaseChanged(**meta, from_phase=state.phase, to_phase=command.phase)]
    if isinstance(command, ArticulateNeeds):
        return [NeedsArticulated(**meta, needs=command.needs)]
    if isinstance(command, ProposeMatches):
        if command.proposals is None:
            raise CommandRejected("no-proposals", "matchmaking produced no scores (internal)")
        return [
            MatchesProposed(
                **meta, proposals=command.proposals[: command.limit], bottleneck=command.bottleneck
            )
        ]
    if isinstance(command, ChooseLocation):
        if command.region is not None:
            region = command.region
        else:
            assert command.hotspot is not None  # ChooseLocation's validator: a hotspot or a region
            region = HOTSPOT_REGION[command.hotspot]
        location = Location(region=region, hotspot=command.hotspot, municipality=command.municipality)
        proposed = any(p.hotspot == command.hotspot and p.viable for p in state.proposals)
        chosen = LocationChosen(**meta, location=location, proposed=proposed)
        if not ctx.propose_sharing or region == state.lead.home_region or region in state.sharing_proposed:
            return [chosen]
        # another region's municipalities and grid operator are now the case's: propose sharing with its ROM
        after: _Meta = {**meta, "seq": seq + 1}
        return [chosen, SharingProposed(**after, region=region)]
    if isinstance(command, RequestConsultation):
        return [
            ConsultationRequested(
                **meta,
                consultation_id=f"C{len(state.consultations) + 1}",
                party=command.party,
                subject=command.subject,
                due=command.due,
            )
        ]
    if isinstance(command, AnswerConsultation):
        return [
            ConsultationAnswered(
                **meta,
                consultation_id=command.consultation_id,
                verdict=command.verdict,
                answer=command.answer,
            )
        ]
    if isinstance(command, StartRealisation):
        return [RealisationStarted(**meta)]
    if isinstance(command, Realise):
        where = command.location or state.location
        assert where is not None
        outcome = (
            Outcome.REALISED_OWN_REGION
            if where.region == state.lead.home_region
            else Outcome.REALISED_OTHER_REGION
        )
        facts = _realised_facts(state, command, where, ctx)
        realisation = Realisation(
            location=where,
            investment_eur=command.investment_eur,
            jobs=command.jobs,
            new_scaleup=facts.new_scaleup,
        )
        return [
            Realised(
                **meta, realisation=realisation, outcome=outcome, counterfactual=facts.counterfactual,
                company_type=facts.company_type, new_scaleup_reason=facts.new_scaleup_reason,
                at_current_site=facts.at_current_site,
            )
        ]
    if isinstance(command, CloseCase):
        return [CaseClosed(**meta, outcome=command.outcome, bottleneck=command.bottleneck)]
    if isinstance(command, ReopenCase):
        return [CaseReopened(**meta, to_stage=state.closed_from or Stage.DETECTION)]
    if isinstance(command, RecordReminder):
        return [
            ReminderSent(
                **meta,
                key=command.key,
                rule=command.rule,
                subject=command.subject,
                channel=command.channel,
                recipient=command.recipient,
                escalation=command.escalation,
                rules_version=command.rules_version,
            )
        ]
    if isinstance(command, RecordDeliveryFailure):
        before = state.failed_deliveries.get(command.key)
        return [
            ReminderFailed(
                **meta,
                key=command.key,
                channels=command.channels,
                error=command.error[:500],
                failures=(before.failures if before else 0) + 1,
                retry_at=command.retry_at,
            )
        ]
    if isinstance(command, RecordDelivery):
        return [ReminderDelivered(**meta, key=command.key, channels=command.channels)]
    raise CommandRejected("unknown-command", "unknown command {command}", None,  # pragma: no cover
                          command=type(command).__name__)
