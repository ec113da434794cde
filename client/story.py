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


class Words(str):
    """A sentence for people: the English text (what the CLI prints and JSON carries) that also keeps its
    template and parameters, so a page says it in its reader's language (``reports.templating.said``;
    ``pybabel extract -k Words`` puts the templates in the catalogue). A parameter that is a vocabulary
    value stays the value; the reader's side names it."""

    template: str
    params: dict[str, Any]

    def __new__(cls, template: str, **params: Any) -> Words:
        plain = {k: ", ".join(map(str, v)) if isinstance(v, list) else v for k, v in params.items()}
        made = super().__new__(cls, template.format(**plain))
        made.template, made.params = template, params
        return made

    def __reduce__(self) -> tuple[Any, ...]:
        """Copied and pickled from its template (the text is made from it again)."""
        return (_words, (self.template, self.params))


def _words(template: str, params: dict[str, Any]) -> Words:
    return Words(template, **params)


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
    if location.hotspot and location.municipality:
        return Words("{hotspot}, {municipality} ({region})", hotspot=location.hotspot.value,
                     municipality=location.municipality, region=location.region.value)
    if location.hotspot:
        return Words("{hotspot} ({region})", hotspot=location.hotspot.value, region=location.region.value)
    if location.municipality:
        return Words("{municipality} ({region})", municipality=location.municipality, region=location.region.value)
    return Words("somewhere ({region})", region=location.region.value)


def _with(head: Words, extra: list[Words]) -> Words:
    return Words("{head}, {extra}", head=head, extra=extra) if extra else head


def needs_lines(needs: NeedsProfile) -> list[str]:
    """One line per kind of growth space asked for, then financing and notes."""
    out: list[str] = []
    if needs.space:
        s = needs.space
        extra = [Words("cleanroom ISO {iso}", iso=s.cleanroom_iso_class) if s.cleanroom_iso_class else None,
                 Words("vibration-free") if s.vibration_free else None,
                 Words("heavy transport") if s.heavy_transport else None,
                 Words("environmental category {category}", category=s.environmental_category)
                 if s.environmental_category else None]
        out.append(_with(Words("space: {m2} m²", m2=f"{s.m2:,}"), [x for x in extra if x]))
    if needs.capital:
        if needs.capital.shared_facility_ok:
            out.append(Words("capital: {eur} investment", eur=_eur(needs.capital.capex_eur)))
        else:
            out.append(Words("capital: {eur} investment, no shared facility", eur=_eur(needs.capital.capex_eur)))
    if needs.talent:
        t = needs.talent
        levels = [f"{n} {level}" for level, n in (("mbo", t.mbo_fte), ("hbo", t.hbo_fte), ("wo", t.wo_fte)) if n]
        out.append(Words("talent: {levels} FTE", levels=levels))
    if needs.housing:
        h = needs.housing
        more = [Words("{n} housing units", n=h.housing_units) if h.housing_units else None,
                Words("public transport") if h.needs_public_transport else None]
        out.append(_with(Words("housing: {jobs} jobs", jobs=f"{h.jobs:,}"), [x for x in more if x]))
    if needs.energy:
        out.append(Words("energy: {mva} MVA grid capacity", mva=f"{needs.energy.grid_mva:g}"))
    if needs.financing:
        f = needs.financing
        if f.instruments:
            out.append(Words("financing: {eur} ({instruments})", eur=_eur(f.amount_eur),
                             instruments=[i.value for i in f.instruments]))
        else:
            out.append(Words("financing: {eur}", eur=_eur(f.amount_eur)))
    if needs.notes:
        out.append(Words("notes: {text}", text=needs.notes))
    return out


def proposal_lines(proposals: Iterable[MatchProposal]) -> list[str]:
    """Each proposal with its score, whether it is viable, its reasons and shortfalls."""
    out: list[str] = []
    for i, p in enumerate(proposals, start=1):
        said = {"i": i, "hotspot": p.hotspot.value, "region": p.region.value, "score": f"{p.score:.2f}"}
        if p.viable:
            head = Words("{i}. {hotspot} ({region}) score {score}, viable", **said)
        else:
            head = Words("{i}. {hotspot} ({region}) score {score}, not viable", **said)
        if p.shortfalls:
            head = Words("{head}; short of {kinds}", head=head, kinds=[k.value for k in p.shortfalls])
        out.append(head)
        out.extend(f"     - {reason}" for reason in p.reasons)
    return out


def realisation_line(r: Realisation) -> str:
    if r.new_scaleup:
        return Words("at {place}: {eur}, {jobs} jobs, a new scale-up", place=place(r.location),
                     eur=_eur(r.investment_eur), jobs=f"{r.jobs:,}")
    return Words("at {place}: {eur}, {jobs} jobs", place=place(r.location), eur=_eur(r.investment_eur),
                 jobs=f"{r.jobs:,}")


def describe(event: Event, before: CaseState | None) -> tuple[str, list[str], list[Change]]:
    """(what, detail lines, changes) of ``event``, given the state before it."""
    if isinstance(event, ev.LeadDetected):
        lead = event.lead
        came = [f"source: {event.source}"] if event.source else []
        came += [Words("signalled by {organisation}", organisation=event.signalled_by)] if event.signalled_by else []
        came += [] if lead.hotspot else [Words("outside any technology hotspot")]
        came += [f"owner: {event.owner} ({ev.OWNER_RULE})"] if event.owner else []
        if event.demo:
            return (Words("lead detected: {company}, phase {phase}, {region} (a demo case: left out of the impact "
                          "report and the inbox)", company=lead.company, phase=lead.phase,
                          region=lead.home_region.value), came, [])
        return (Words("lead detected: {company}, phase {phase}, {region}", company=lead.company, phase=lead.phase,
                      region=lead.home_region.value), came, [])
    if isinstance(event, ev.LeadUpdated):
        if event.changes is not None:
            return (Words("lead updated"), [], recorded(event.changes))
        if before is None:  # an update of old (the whole lead) told alone: what it changed is not at hand
            return (Words("lead updated"), [], [])
        changes = lead_changes(before.lead, event.lead)
        return (Words("lead updated") if changes else Words("lead updated (no field changed)"), [], changes)
    if isinstance(event, ev.NoteRecorded):
        return (Words("note ({note_kind}): {text}", note_kind=event.kind.value, text=event.text), [], [])
    if isinstance(event, ev.RealisationCorrected):
        return (Words("realisation corrected"), [], recorded(event.changes))
    if isinstance(event, ev.PhaseChanged):
        return (Words("venture phase {old} → {new}", old=event.from_phase, new=event.to_phase), [],
                [Change("phase", event.from_phase, event.to_phase)])
    if isinstance(event, ev.NeedsArticulated):
        return (Words("needs articulated ({kinds}), needed by {day}", kinds=[k.value for k in event.needs.kinds],
                      day=event.needs.needed_by), needs_lines(event.needs), [])
    if isinstance(event, ev.MatchesProposed):
        viable = sum(p.viable for p in event.proposals)
        if event.bottleneck:
            return (Words("{n} location(s) proposed, {viable} viable; bottleneck {bottleneck}", n=len(event.proposals),
                          viable=viable, bottleneck=event.bottleneck.value), proposal_lines(event.proposals), [])
        return (Words("{n} location(s) proposed, {viable} viable", n=len(event.proposals), viable=viable),
                proposal_lines(event.proposals), [])
    if isinstance(event, ev.LocationChosen):
        if event.proposed:
            return (Words("location chosen: {place}", place=place(event.location)), [], [])
        return (Words("location chosen: {place} (not among the proposals)", place=place(event.location)), [], [])
    if isinstance(event, ev.ConsultationRequested):
        return (Words("consultation {consultation} asked of the {party}: {subject}; answer due {day}",
                      consultation=event.consultation_id, party=event.party.value, subject=event.subject,
                      day=event.due), [], [])
    if isinstance(event, ev.ConsultationAnswered):
        if event.verdict.value == "negative":
            return (Words("consultation {consultation} answered {verdict}: {answer}; back to matchmaking",
                          consultation=event.consultation_id, verdict=event.verdict.value, answer=event.answer), [], [])
        return (Words("consultation {consultation} answered {verdict}: {answer}", consultation=event.consultation_id,
                      verdict=event.verdict.value, answer=event.answer), [], [])
    if isinstance(event, ev.RealisationStarted):
        return (Words("realisation started"), [], [])
    if isinstance(event, ev.Realised):
        facts = [f"counterfactual: {event.counterfactual.value}"] if event.counterfactual else []
        if event.company_type is not None:  # recorded since issue 14: how new_scaleup was decided
            basis = f"set against the company types: {event.new_scaleup_reason}" if event.new_scaleup_reason else (
                "as the company types say")
            facts.append(f"a {event.company_type.value} at realisation; new scale-up: "
                         f"{'yes' if event.realisation.new_scaleup else 'no'}, {basis}")
        if event.at_current_site is not None:
            facts.append("at its current site" if event.at_current_site else "elsewhere in its own region")
        return (Words("realised {realisation}; outcome {outcome}", realisation=realisation_line(event.realisation),
                      outcome=event.outcome.value), facts, [])
    if isinstance(event, ev.Referred):
        if event.name:
            return (Words("referred to {target} ({name}): {subject}", target=event.to.value, name=event.name,
                          subject=event.subject), [], [])
        return (Words("referred to {target}: {subject}", target=event.to.value, subject=event.subject), [], [])
    if isinstance(event, ev.Phase2EndExpected):
        return (Words("end of venture phase 2 expected {day}", day=event.expected_end), [], [])
    if isinstance(event, ev.CaseClosed):
        if event.bottleneck:
            return (Words("closed: {outcome}, bottleneck {bottleneck}", outcome=event.outcome.value,
                          bottleneck=event.bottleneck.value), [], [])
        return (Words("closed: {outcome}", outcome=event.outcome.value), [], [])
    if isinstance(event, ev.CaseReopened):
        return (Words("reopened in {stage}", stage=event.to_stage.value), [], [])
    if isinstance(event, ev.ReminderSent):
        if event.escalation:
            return (Words("escalation to {recipient} ({channel}): {subject}", recipient=event.recipient,
                          channel=event.channel, subject=event.subject), [], [])
        return (Words("reminder to {recipient} ({channel}): {subject}", recipient=event.recipient,
                      channel=event.channel, subject=event.subject), [], [])
    if isinstance(event, ev.ReminderFailed):
        retry = f"; next try {event.retry_at:%Y-%m-%d %H:%M}" if event.retry_at else "; no more tries"
        return (f"delivery of reminder {event.key} failed ({', '.join(event.channels)}, "
                f"{event.failures}x): {event.error}{retry}", [], [])
    if isinstance(event, ev.ReminderDelivered):
        return (Words("reminder {key} delivered ({channels})", key=event.key, channels=event.channels), [], [])
    if isinstance(event, ev.OwnerAssigned):
        return (Words("owner recorded: {organisation}", organisation=event.owner), [f"rule: {event.rule}"], [])
    if isinstance(event, ev.CaseShared):
        return (Words("shared with {organisation} until {day}: {purpose}", organisation=event.share_with,
                      day=event.until, purpose=event.purpose), [], [])
    if isinstance(event, ev.ShareRevoked):
        return (Words("share with {organisation} revoked", organisation=event.share_with), [], [])
    if isinstance(event, ev.SharingProposed):
        return (Words("the location lies in {region}: sharing with its ROM proposed", region=event.region.value), [], [])
    if isinstance(event, ev.PersonalDataErased):
        if event.scope == "request":
            return (Words("personal data erased (an erasure request, {reference}): {n} value(s) now read [erased]",
                          reference=event.reference, n=event.fields), [], [])
        return (Words("personal data erased (the end of the file's retention, {reference}): {n} value(s) now read "
                      "[erased]", reference=event.reference, n=event.fields), [], [])
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
