"""A case told for people: its facts in words, and its timeline (when, who, what, why, what changed).

What ``lead show`` prints and what a web page of a case would show, so it lives here, in the client
library, not in the command line: the state's parts in words (:func:`needs_lines`,
:func:`proposal_lines` with scores and reasons, :func:`place`, :func:`realisation_line`) and
:func:`timeline`, each ledger event with the fields it changed. Each event is described by what it
records; an update recorded before updates named their changes (the whole lead) is described by
comparing the lead before and after it (the fold of the events before it).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from domain import events as ev
from domain.events import Event
from domain.models import FieldChange, Lead, Location, MatchProposal, NeedsProfile, Realisation, lead_fields
from domain.state import CaseState, apply
from domain.vocab import Stage


@dataclass(frozen=True)
class Change:
    """One field an event changed: its dotted name (``contact.email``), the value before and after."""

    field: str
    old: Any
    new: Any

    def as_json(self) -> dict[str, Any]:
        return {"field": self.field, "old": self.old, "new": self.new}

    def __str__(self) -> str:
        return f"{self.field}: {_value(self.old)} → {_value(self.new)}"


@dataclass(frozen=True)
class Entry:
    """One ledger event in words."""

    seq: int
    at: datetime
    actor: str
    organisation: str | None
    type: str
    what: str
    """One line: what happened."""
    reason: str | None
    details: list[str] = field(default_factory=list)
    """Further lines (the proposals of a matchmaking round, say)."""
    changes: list[Change] = field(default_factory=list)
    went_back: tuple[str, str] | None = None
    """(from stage, to stage) when the case went back a stage with this event (a negative answer of a
    consultation returns it to matchmaking; a reopening, from closed)."""

    @property
    def who(self) -> str:
        return f"{self.actor}, {self.organisation}" if self.organisation else self.actor

    def as_json(self) -> dict[str, Any]:
        return {
            "seq": self.seq, "at": self.at.isoformat(), "actor": self.actor, "organisation": self.organisation,
            "type": self.type, "what": self.what, "details": self.details,
            "changes": [c.as_json() for c in self.changes], "reason": self.reason,
        }


def _value(v: Any) -> str:
    return "(none)" if v is None or v == "" else str(v)


def _eur(n: int) -> str:
    return f"EUR {n:,}"


def lead_changes(before: Lead, after: Lead) -> list[Change]:
    """The fields in which two leads differ (phase excepted: it has its own event): how an update
    recorded before updates named their changes is told."""
    old, new = lead_fields(before), lead_fields(after)
    return [Change(k, old.get(k), new.get(k)) for k in new if k != "phase" and old.get(k) != new.get(k)]


def recorded(changes: list[FieldChange]) -> list[Change]:
    return [Change(c.field, c.old, c.new) for c in changes]


def place(location: Location) -> str:
    where = [x for x in (location.hotspot.value if location.hotspot else None, location.municipality) if x]
    return f"{', '.join(where) or 'somewhere'} ({location.region.value})"


def needs_lines(needs: NeedsProfile) -> list[str]:
    """One line per kind of growth space asked for, then financing and notes."""
    out = []
    if needs.space:
        s = needs.space
        extra = [f"cleanroom ISO {s.cleanroom_iso_class}" if s.cleanroom_iso_class else "",
                 "vibration-free" if s.vibration_free else "", "heavy transport" if s.heavy_transport else "",
                 f"environmental category {s.environmental_category}" if s.environmental_category else ""]
        out.append(f"space: {s.m2:,} m²" + "".join(f", {x}" for x in extra if x))
    if needs.capital:
        shared = "" if needs.capital.shared_facility_ok else ", no shared facility"
        out.append(f"capital: {_eur(needs.capital.capex_eur)} investment{shared}")
    if needs.talent:
        t = needs.talent
        levels = [f"{n} {level}" for level, n in (("mbo", t.mbo_fte), ("hbo", t.hbo_fte), ("wo", t.wo_fte)) if n]
        out.append(f"talent: {', '.join(levels)} FTE")
    if needs.housing:
        h = needs.housing
        extra = [f"{h.housing_units} housing units" if h.housing_units else "",
                 "public transport" if h.needs_public_transport else ""]
        out.append(f"housing: {h.jobs:,} jobs" + "".join(f", {x}" for x in extra if x))
    if needs.energy:
        out.append(f"energy: {needs.energy.grid_mva:g} MVA grid capacity")
    if needs.financing:
        f = needs.financing
        tools = f" ({', '.join(i.value for i in f.instruments)})" if f.instruments else ""
        out.append(f"financing: {_eur(f.amount_eur)}{tools}")
    if needs.notes:
        out.append(f"notes: {needs.notes}")
    return out


def proposal_lines(proposals: Iterable[MatchProposal]) -> list[str]:
    """Each proposal with its score, whether it is viable, its reasons and shortfalls."""
    out = []
    for i, p in enumerate(proposals, start=1):
        viable = "viable" if p.viable else "not viable"
        short = f"; short of {', '.join(k.value for k in p.shortfalls)}" if p.shortfalls else ""
        out.append(f"{i}. {p.hotspot.value} ({p.region.value}) score {p.score:.2f}, {viable}{short}")
        out.extend(f"     - {reason}" for reason in p.reasons)
    return out


def realisation_line(r: Realisation) -> str:
    scaleup = ", a new scale-up" if r.new_scaleup else ""
    return f"at {place(r.location)}: {_eur(r.investment_eur)}, {r.jobs:,} jobs{scaleup}"


def describe(event: Event, before: CaseState | None) -> tuple[str, list[str], list[Change]]:
    """(what, detail lines, changes) of ``event``, given the state before it."""
    if isinstance(event, ev.LeadDetected):
        lead = event.lead
        demo = " (a demo case: left out of the impact report and the inbox)" if event.demo else ""
        came = [f"source: {event.source}"] if event.source else []
        came += [f"signalled by {event.signalled_by}"] if event.signalled_by else []
        came += [] if lead.hotspot else ["outside any technology hotspot"]
        came += [f"owner: {event.owner} ({ev.OWNER_RULE})"] if event.owner else []
        return (f"lead detected: {lead.company}, phase {lead.phase}, {lead.home_region.value}{demo}", came, [])
    if isinstance(event, ev.LeadUpdated):
        if event.changes is not None:
            return ("lead updated", [], recorded(event.changes))
        if before is None:  # an update of old (the whole lead) told alone: what it changed is not at hand
            return ("lead updated", [], [])
        changes = lead_changes(before.lead, event.lead)
        return ("lead updated" if changes else "lead updated (no field changed)", [], changes)
    if isinstance(event, ev.NoteRecorded):
        return (f"note ({event.kind.value}): {event.text}", [], [])
    if isinstance(event, ev.RealisationCorrected):
        return ("realisation corrected", [], recorded(event.changes))
    if isinstance(event, ev.PhaseChanged):
        return (f"venture phase {event.from_phase} → {event.to_phase}", [],
                [Change("phase", event.from_phase, event.to_phase)])
    if isinstance(event, ev.NeedsArticulated):
        kinds = ", ".join(k.value for k in event.needs.kinds)
        return (f"needs articulated ({kinds}), needed by {event.needs.needed_by}", needs_lines(event.needs), [])
    if isinstance(event, ev.MatchesProposed):
        viable = sum(p.viable for p in event.proposals)
        bottleneck = f"; bottleneck {event.bottleneck.value}" if event.bottleneck else ""
        return (f"{len(event.proposals)} location(s) proposed, {viable} viable{bottleneck}",
                proposal_lines(event.proposals), [])
    if isinstance(event, ev.LocationChosen):
        among = "" if event.proposed else " (not among the proposals)"
        return (f"location chosen: {place(event.location)}{among}", [], [])
    if isinstance(event, ev.ConsultationRequested):
        return (f"consultation {event.consultation_id} asked of the {event.party.value}: {event.subject}; "
                f"answer due {event.due}", [], [])
    if isinstance(event, ev.ConsultationAnswered):
        back = "; back to matchmaking" if event.verdict.value == "negative" else ""
        return (f"consultation {event.consultation_id} answered {event.verdict.value}: {event.answer}{back}", [], [])
    if isinstance(event, ev.RealisationStarted):
        return ("realisation started", [], [])
    if isinstance(event, ev.Realised):
        facts = [f"counterfactual: {event.counterfactual.value}"] if event.counterfactual else []
        if event.company_type is not None:  # recorded since issue 14: how new_scaleup was decided
            basis = f"set against the company types: {event.new_scaleup_reason}" if event.new_scaleup_reason else (
                "as the company types say")
            facts.append(f"a {event.company_type.value} at realisation; new scale-up: "
                         f"{'yes' if event.realisation.new_scaleup else 'no'}, {basis}")
        if event.at_current_site is not None:
            facts.append("at its current site" if event.at_current_site else "elsewhere in its own region")
        return (f"realised {realisation_line(event.realisation)}; outcome {event.outcome.value}", facts, [])
    if isinstance(event, ev.Referred):
        return (f"referred to {event.to.value}{f' ({event.name})' if event.name else ''}: {event.subject}", [], [])
    if isinstance(event, ev.Phase2EndExpected):
        return (f"end of venture phase 2 expected {event.expected_end}", [], [])
    if isinstance(event, ev.CaseClosed):
        bottleneck = f", bottleneck {event.bottleneck.value}" if event.bottleneck else ""
        return (f"closed: {event.outcome.value}{bottleneck}", [], [])
    if isinstance(event, ev.CaseReopened):
        return (f"reopened in {event.to_stage.value}", [], [])
    if isinstance(event, ev.ReminderSent):
        kind = "escalation" if event.escalation else "reminder"
        return (f"{kind} to {event.recipient} ({event.channel}): {event.subject}", [], [])
    if isinstance(event, ev.ReminderFailed):
        retry = f"; next try {event.retry_at:%Y-%m-%d %H:%M}" if event.retry_at else "; no more tries"
        return (f"delivery of reminder {event.key} failed ({', '.join(event.channels)}, "
                f"{event.failures}x): {event.error}{retry}", [], [])
    if isinstance(event, ev.ReminderDelivered):
        return (f"reminder {event.key} delivered ({', '.join(event.channels)})", [], [])
    if isinstance(event, ev.OwnerAssigned):
        return (f"owner recorded: {event.owner}", [f"rule: {event.rule}"], [])
    if isinstance(event, ev.CaseShared):
        return (f"shared with {event.share_with} until {event.until}: {event.purpose}", [], [])
    if isinstance(event, ev.ShareRevoked):
        return (f"share with {event.share_with} revoked", [], [])
    if isinstance(event, ev.SharingProposed):
        return (f"the location lies in {event.region.value}: sharing with its ROM proposed", [], [])
    if isinstance(event, ev.PersonalDataErased):
        why = "an erasure request" if event.scope == "request" else "the end of the file's retention"
        return (f"personal data erased ({why}, {event.reference}): {event.fields} value(s) now read [erased]", [], [])
    return (event.type, [], [])  # pragma: no cover - every event type has its words above


def timeline(events: Iterable[Event], state: CaseState | None = None) -> list[Entry]:
    """Each event of a case (in seq order) in words, with the state before it at hand (``state``:
    the case before the first of ``events``, to continue a timeline told before)."""
    out: list[Entry] = []
    order = list(Stage)
    for event in events:
        what, details, changes = describe(event, state)
        after = apply(state, event)
        back = None
        if state is not None and after is not None and (
                state.stage == Stage.CLOSED or order.index(after.stage) < order.index(state.stage)) and \
                after.stage not in (state.stage, Stage.CLOSED):
            back = (state.stage.value, after.stage.value)
        out.append(Entry(seq=event.seq, at=event.at, actor=event.actor, organisation=event.organisation,
                         type=event.type, what=what, reason=event.reason, details=details, changes=changes,
                         went_back=back))
        state = after
    return out
