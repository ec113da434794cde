"""A case and a command's result as the lines a person reads: what ``brandpunt lead show`` and
``brandpunt lead <action>`` print, and what the API answers to ``Accept: text/plain``.

In the client library rather than the CLI so both sides render one text: the CLI through the API
prints the API's text as it comes and so never loads the pydantic domain (the start-up target of
issue 13: ``lead show`` and an action in 0.25 s), and the CLI on Temporal and the ledger renders
the same lines here.
"""

from __future__ import annotations

import sys
from typing import TYPE_CHECKING, Any

from client.story import (
    Entry,
    Words,
    describe,
    needs_lines,
    place,
    proposal_lines,
    realisation_line,
    timeline,
)
from client.views import summary

if TYPE_CHECKING:
    from client.api import CaseView
    from workflows.case_io import CommandResult

def _language() -> str:
    """The reader's language: English unless someone set another (``reports.i18n``, loaded then)."""
    i18n = sys.modules.get("reports.i18n")
    return str(i18n.LANGUAGE.get()) if i18n is not None else "en"


def _say(message: str) -> str:
    """``message`` in the reader's language (English: as it is, no catalogue loaded)."""
    if _language() == "en":
        return message
    from reports.i18n import _

    return _(message)


def _w(words: object) -> str:
    """A sentence of ``client.story`` (``Words``) in the reader's language."""
    if _language() == "en":
        return str(words)
    from reports.templating import said

    return said(words)


TEXT = "text/plain"
"""The media type of these lines (UTF-8, one line per line) in the API."""


def case_text(view: CaseView) -> str:
    """The whole of ``lead show``'s text for ``view``."""
    return "\n".join(case_lines(view, timeline(r.event for r in view.timeline)))


def result_lines(result: CommandResult, command_id: str | None, *, started: bool = False) -> list[str]:
    """What a person is told after a command: the new case's id (``started``), a duplicate's notice,
    each event recorded with its details, then the case in one line."""
    out = []
    if started:  # the id names nobody: it is how every later action finds the case
        out.append(f"case {result.state.case_id} started (use this id in later actions)")
    if result.duplicate:
        out.append(f"command {command_id} was applied before; nothing new recorded")
    for e in result.events:
        what, details, changes = describe(e, None)
        out.append(f"{e.event_id} {e.type} recorded: {what}")
        out.extend(f"  {text}" for text in (*details, *map(str, changes)))
    out.append(line(summary(result.state)))
    return out


def line(c: dict[str, Any]) -> str:
    """A case in one line, from its :func:`client.views.summary`."""
    end = f" -> {c['outcome']}" if c["outcome"] else ""
    return f"{c['case_id']}  {c['company']}  {c['stage']}{end}  phase {c['phase']}  {c['region']}"



def case_lines(view: CaseView, story: list[Entry]) -> list[str]:
    """A case as text (``lead show``): the lead, needs, proposals, location, consultations, realisation,
    open reminders, then the timeline (when, who, what, why, and what changed)."""
    state = view.state
    lead = state.lead
    kvk = f"  (KvK {lead.kvk})" if lead.kvk else ""
    contact = " ".join(x for x in (lead.contact.name, f"<{lead.contact.email}>" if lead.contact.email else "",
                                   lead.contact.phone or "") if x)
    stage = _w(Words("{stage} since {day}", stage=state.stage.value, day=state.stage_entered_at.date()))
    if state.outcome:
        stage += ": " + _w(Words("{outcome} (bottleneck {bottleneck})", outcome=state.outcome.value,
                                 bottleneck=state.bottleneck.value) if state.bottleneck else
                           Words("{outcome}", outcome=state.outcome.value))
    demo = "  " + _say("[a demo case]") if state.demo else ""
    labels = {"stage": _say("stage"), "lead": _say("lead"), "region": _say("region"),
              "coordinator": _say("coordinator"), "(none)": _say("(none)"), "contact": _say("contact"),
              "detected": _say("detected"), "source": _say("source"), "owner": _say("owner"), "why": _say("why")}
    out = [
        f"{state.case_id}  {lead.company}{kvk}{demo}",
        f"  {labels['stage']:<12} {stage}",
        f"  {labels['lead']:<12} " + _w(Words("{company_type}, venture phase {phase}, {domain}",
                                           company_type=lead.company_type.value, phase=state.phase,
                                           domain=lead.technology_domain.value)),
        f"  {labels['region']:<12} " + _w(Words("{region} (nearest hotspot {hotspot})", region=lead.home_region.value,
                                             hotspot=lead.hotspot.value) if lead.hotspot else
                                       Words("{region} (outside any hotspot)", region=lead.home_region.value))
        + (", " + _w(Words("current site {site}", site=lead.site)) if lead.site else ""),
        f"  {labels['coordinator']:<12} {lead.coordinator or labels['(none)']}",
        f"  {labels['contact']:<12} {contact}",
        f"  {labels['detected']:<12} {state.detected_at:%Y-%m-%d %H:%M}; "
        + _w(Words("last event #{seq} {at}", seq=state.last_seq, at=f"{state.updated_at:%Y-%m-%d %H:%M}")),
    ]
    if state.source:
        out.append(f"  {labels['source']:<12} {state.source}")
    owner = state.owner or _say("not recorded yet (read as the ROM of the home region)")
    out.append(f"  {labels['owner']:<12} {owner}")
    for share in state.shares:
        status = (f"revoked {share.revoked_at:%Y-%m-%d}" if share.revoked_at else f"until {share.until}")
        out.append(f"  shared with  {share.organisation} ({status}): {share.purpose}")
    if state.sharing_proposed:
        out.append(f"  to share?    the location proposed sharing with the ROM of "
                   f"{', '.join(r.value for r in state.sharing_proposed)}")
    if state.signalled_by:
        out.append(f"  signalled by {state.signalled_by} (the case is the home region's ROM's)")
    if state.phase2_end_expected:
        out.append(f"  phase 2      expected to end {state.phase2_end_expected}")
    if state.notes and state.last_note_at:
        out.append(f"  notes        {state.notes}, the last {state.last_note_at:%Y-%m-%d %H:%M} (in the timeline)")

    def section(title: str, lines: list[str]) -> None:
        out.extend(["", title, *(f"  {_w(x)}" for x in lines)])

    if state.needs:
        ahead = state.articulation_lead_time
        timing = [f"lead time: {ahead.describe()}" + (" (flagged: the programme aims at 2 to 3 years)"
                                                      if ahead.short else "")] if ahead else []
        section(_w(Words("Needs (needed by {day})", day=state.needs.needed_by)), [*needs_lines(state.needs), *timing])
    else:
        section(_say("Needs"), [_say("not articulated yet")])
    if state.proposals or state.bottleneck:
        bottleneck = [f"bottleneck: {state.bottleneck.value}"] if state.bottleneck else []
        section(_say("Proposals (best first)"), [*proposal_lines(state.proposals), *bottleneck])
    if state.location:
        section(_say("Chosen location"), [place(state.location)])
    if state.consultations:
        width = max(len(c.party.value) for c in state.consultations)
        lines = []
        for c in state.consultations:
            answer = (f"{c.verdict.value}: {c.answer}" if c.verdict else "withdrawn" if c.withdrawn
                      else "open, no answer yet")
            lines.append(f"{c.consultation_id}  {c.party.value:<{width}}  due {c.due}  {c.subject}  ->  {answer}")
        section(_say("Consultations"), lines)
    if state.realisation:
        corrections = [f"corrected {e.at:%Y-%m-%d} by {e.who}: {'; '.join(map(str, e.changes))}"
                       + (f" (why: {e.reason})" if e.reason else "")
                       for e in story if e.type == "RealisationCorrected"]
        facts = [f"counterfactual: {state.counterfactual.value}"] if state.counterfactual else []
        if state.at_current_site is not None:
            facts.append("at its current site" if state.at_current_site else "elsewhere in its own region")
        section(_say("Realisation"), [realisation_line(state.realisation), *facts, *corrections])
    if state.referrals:
        section(_say("Referrals"), [f"{r.at:%Y-%m-%d} to {r.to.value}{f' ({r.name})' if r.name else ''}: {r.subject}"
                              for r in state.referrals])
    if view.reminders:
        width = max(len(x.label) for x in view.reminders)
        section(_say("Open reminders"), [f"{_w(x.label):<{width}}  {_w(x.subject)} -> {x.recipient}"
                                       for x in view.reminders])
    lines = []
    for entry in story:
        lines.append(f"#{entry.seq:<3} {entry.at:%Y-%m-%d %H:%M}  {entry.who}  {_w(entry.what)}")
        lines.extend(f"       {_w(x)}" for x in (*entry.details, *map(str, entry.changes)))
        if entry.reason:
            lines.append(f"       {labels['why']}: {entry.reason}")
    section(_say("Timeline"), lines)
    return out
