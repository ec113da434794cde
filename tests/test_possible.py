"""``domain.decide.possible``: the actions a case's page offers are the ones its stage and facts admit.

Walked along a whole case and a closed one: at every step, each offered command is one ``decide``
accepts (with sensible values), and each coordinator command not offered is one it refuses on the
case's facts; the next step of the case is always among those offered.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest

from client.actions import ACTIONS
from domain.decide import CommandRejected, decide, possible
from tests import factories as f
from tests.test_domain import T0, Case, propose

DUE = (T0 + timedelta(days=30)).date().isoformat()
SAMPLES: dict[str, dict[str, Any]] = {
    "update": {"changes": {"coordinator": "someone@example.org"}},
    "note": {"text": "met them"},
    "change-phase": {"phase": 4},
    "articulate-needs": {"needs": f.NEEDS},
    "propose-matches": {"proposals": [{"hotspot": "twente", "region": "oost-nl", "score": 0.9, "viable": True,
                                       "reasons": ["x"]}]},  # the scores the workflow's activity computes
    "choose-location": {"hotspot": "twente", "municipality": "Enschede"},
    "request-consultation": {"party": "municipality", "subject": "zoning", "due": DUE},
    "answer-consultation": {"consultation_id": "C1", "verdict": "positive", "answer": "fits"},
    "start-realisation": {},
    "realise": {"investment_eur": 1_000_000, "jobs": 5, "counterfactual": f.RETAINED},
    "close": {"outcome": "withdrawn"},
    "reopen": {},
    "correct-realisation": {"jobs": 6, "reason": "miscounted"},
    "refer": {"to": "invest-nl", "subject": "financing"},
    "share": {"share_with": "oost-nl", "purpose": "the location", "until": DUE},
    "revoke-share": {"share_with": "oost-nl"},
    "expect-phase2-end": {"expected_end": DUE},
}


def offered_as_judged(case: Case) -> tuple[str, ...]:
    """What ``possible`` offers for the case now, after checking it against ``decide`` both ways."""
    assert case.state is not None
    offered = possible(case.state, case.context().at.date())
    assert offered, "a case always offers something (a note at least)"
    for kind, fields in SAMPLES.items():
        command = f.command(kind, **fields)
        if kind in offered:
            decide(case.state, command, case.context())  # raises if an offered action is refused
        else:
            with pytest.raises(CommandRejected):
                decide(case.state, command, case.context())
    return offered


def test_every_coordinator_command_has_a_sample():
    assert set(SAMPLES) == set(ACTIONS)


def test_along_a_whole_case_the_next_step_is_offered_and_nothing_refused_is():
    case = Case(phase=2)
    steps = [("articulate-needs", f.command("articulate-needs", needs=f.NEEDS)),
             ("propose-matches", None),
             ("choose-location", f.command("choose-location", hotspot="twente", municipality="Enschede")),
             ("request-consultation", f.command("request-consultation", party="municipality", subject="z", due=DUE)),
             ("answer-consultation", f.command("answer-consultation", consultation_id="C1", verdict="positive",
                                               answer="fits")),
             ("start-realisation", f.command("start-realisation")),
             ("realise", f.command("realise", investment_eur=1_000_000, jobs=5, counterfactual=f.RETAINED))]
    seen = []
    for kind, command in steps:
        offered = offered_as_judged(case)
        assert kind in offered, (case.state.stage, offered)
        seen.append(offered)
        if command is None:
            propose(case)
        else:
            case.run(command)
    closed = offered_as_judged(case)
    assert "correct-realisation" in closed and "reopen" not in closed and "realise" not in closed
    assert "start-realisation" not in seen[4]  # C1 still open: answer it first
    assert "answer-consultation" not in seen[3] and "propose-matches" not in seen[0]


def test_a_case_closed_without_realisation_offers_its_reopening_only_with_the_facts_of_any_stage():
    case = Case(phase=3)
    assert "expect-phase2-end" not in offered_as_judged(case)  # phase 2 has ended
    case.run(f.command("close", outcome="withdrawn"))
    assert set(offered_as_judged(case)) == {"note", "refer", "share", "reopen"}
    case.run(f.command("share", share_with="oost-nl", purpose="the location", until=DUE))
    assert set(offered_as_judged(case)) == {"note", "refer", "share", "revoke-share", "reopen"}


def test_the_story_says_where_a_case_went_back():
    """A negative answer returns a case from consultation to matchmaking; a reopening from closed: the
    case page's header lists both (``client.story.Entry.went_back``); moving on is not going back."""
    from client.story import timeline

    case = Case(phase=2)
    case.run(f.command("articulate-needs", needs=f.NEEDS))
    propose(case)
    case.run(f.command("choose-location", hotspot="twente", municipality="Enschede"))
    case.run(f.command("request-consultation", party="grid_operator", subject="30 MVA", due=DUE))
    case.run(f.command("answer-consultation", consultation_id="C1", verdict="negative", answer="no capacity"))
    case.run(f.command("close", outcome="no_proposition_possible", bottleneck="energy"))
    case.run(f.command("reopen"))
    story = timeline(case.events)
    assert [(e.type, e.went_back) for e in story if e.went_back] == [
        ("ConsultationAnswered", ("consultation", "matchmaking")), ("CaseReopened", ("closed", "matchmaking"))]
