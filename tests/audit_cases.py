"""Realistic case event streams made by the pure domain (``decide`` + ``fold``), no Temporal.

For the audit tests and the audit benchmark: the events are exactly what the workflow would
record (matchmaking scored against the shipped hotspot offers, as the activity does), at a
given pace of workflow time.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime, timedelta
from functools import cache

from domain.commands import Command, ProposeMatches
from domain.decide import Context, decide
from domain.events import Event
from domain.matchmaking import score_offers
from domain.offers import CatalogueOffer
from domain.state import CaseState, apply
from ledger.offers import shipped_offers
from tests import factories as f


@cache
def offers() -> tuple[CatalogueOffer, ...]:
    return tuple(shipped_offers())


def run(case_id: str, commands: Iterator[Command] | list[Command], t0: datetime,
        step: timedelta = timedelta(hours=20), limit: int | None = None, facts: bool = False) -> list[Event]:
    """The events of ``commands`` decided one after another, ``step`` of workflow time apart; with
    ``facts`` as a case under the workflow patch programme-facts decides (a new case today)."""
    state: CaseState | None = None
    events: list[Event] = []
    for i, command in enumerate(commands):
        if isinstance(command, ProposeMatches):
            assert state is not None and state.needs is not None
            result = score_offers(state.lead, state.needs, offers())
            command = command.model_copy(update={"proposals": result.proposals, "bottleneck": result.bottleneck})
        new = decide(state, command, Context(case_id, t0 + i * step, programme_facts=facts))
        for event in new:
            state = apply(state, event)
        events += new
        if limit is not None and len(events) >= limit:
            return events[:limit]
    return events


def happy(t0: datetime) -> list[Command]:
    return [f.start(phase=1), f.command("change-phase", phase=2), *f.happy_path(t0.date())]


def back_to_matchmaking(t0: datetime) -> list[Command]:
    due = (t0.date() + timedelta(days=90)).isoformat()
    return [
        f.start(phase=3), *f.happy_path(t0.date())[:4],
        f.command("answer-consultation", consultation_id="C1", verdict="negative", answer="no grid capacity",
                  reason="grid operator: no capacity before 2029"),
        f.command("propose-matches"),
        f.command("choose-location", hotspot="groningen"),
        f.command("request-consultation", party="grid_operator", subject="4 MVA", due=due),
    ]


def closed_and_reopened(t0: datetime) -> list[Command]:
    return [
        f.start(phase=1),
        f.command("close", outcome="withdrawn", reason="founder paused the plans"),
        f.command("reopen", reason="plans are back on"),
        f.command("articulate-needs", needs=f.NEEDS),
        f.command("propose-matches"),
        f.command("close", outcome="no_proposition_possible", bottleneck="energy"),
    ]


def long_case(t0: datetime) -> Iterator[Command]:
    """A case that keeps looking: location, consultation, a no, new proposals, ... forever."""
    yield f.start(phase=2)
    yield f.command("articulate-needs", needs=f.NEEDS)
    yield f.command("propose-matches")
    hotspots = ["twente", "groningen", "brainport-eindhoven", "arnhem-nijmegen"]
    n = 0
    while True:
        n += 1
        due = (t0.date() + timedelta(days=30 + 25 * n)).isoformat()
        yield f.command("choose-location", hotspot=hotspots[n % len(hotspots)], municipality=f"Gemeente {n}")
        yield f.command("request-consultation", party="municipality", subject=f"zoning, round {n}", due=due)
        yield f.command("answer-consultation", consultation_id=f"C{n}", verdict="negative",
                        answer=f"round {n}: zoning does not allow it", reason="municipal council decision")
        yield f.command("change-phase", phase=3 if n % 2 else 2)
        yield f.command("propose-matches", reason=f"round {n + 1}")


STORIES = {"happy": happy, "back-to-matchmaking": back_to_matchmaking, "closed-and-reopened": closed_and_reopened}
