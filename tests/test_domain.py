"""The stage machine (decide) and the fold (apply): pure, no servers."""

from __future__ import annotations

import hashlib
import json
from datetime import UTC, date, datetime, timedelta

import pytest
from pydantic import ValidationError

from domain.chain import GENESIS, canonical_json, chain_hash
from domain.decide import CommandRejected, Context, decide
from domain.models import MatchProposal
from domain.state import CaseState, fold
from domain.vocab import HotspotId, Outcome, Region, Stage
from tests import factories as f

T0 = datetime(2026, 1, 5, 10, 0, tzinfo=UTC)


class Case:
    """Drives a case through decide+fold, one hour per command, with the rules of the current code
    (``facts=False``: as histories from before the patch ``programme-facts``)."""

    def __init__(self, facts: bool = True, **lead) -> None:
        self.state: CaseState | None = None
        self.events: list = []
        self.facts = facts
        self.run(f.start(**lead))

    def context(self) -> Context:
        return Context("lead-domain", T0 + timedelta(hours=len(self.events)), programme_facts=self.facts)

    def run(self, command) -> CaseState:
        new = decide(self.state, command, self.context())
        self.state = fold(new, self.state)
        self.events += new
        assert self.state is not None, "a case has a state once started"
        return self.state

    def refuse(self, command, rule: str) -> None:
        """``decide`` refuses ``command`` by ``rule``, and the state it was given is left as it was."""
        snapshot = self.state.model_dump() if self.state is not None else None
        with pytest.raises(CommandRejected) as err:
            decide(self.state, command, self.context())
        assert err.value.rule == rule, err.value
        assert (self.state.model_dump() if self.state is not None else None) == snapshot
        assert fold(self.events) == self.state


def propose(case: Case, viable: bool = True) -> CaseState:
    proposals = [MatchProposal(hotspot=HotspotId.TWENTE, region=Region.OOST_NL, score=0.9, viable=viable,
                               reasons=["x"])]
    return case.run(f.command("propose-matches", proposals=[p.model_dump() for p in proposals]))


def to_consultation(case: Case, hotspot: str = "twente") -> CaseState:
    case.run(f.command("articulate-needs", needs=f.NEEDS))
    propose(case)
    case.run(f.command("choose-location", hotspot=hotspot))
    return case.run(f.command("request-consultation", party="municipality", subject="zoning", due="2026-03-01"))


def test_happy_path_every_stage_and_outcome_by_region():
    case = Case()
    assert case.state.stage == Stage.DETECTION
    assert case.run(f.command("articulate-needs", needs=f.NEEDS)).stage == Stage.NEEDS_ARTICULATION
    assert propose(case).stage == Stage.MATCHMAKING
    assert case.run(f.command("choose-location", hotspot="twente")).location.region.value == "oost-nl"
    assert case.run(f.command("request-consultation", party="grid_operator", subject="4 MVA",
                              due="2026-02-01")).stage == Stage.CONSULTATION
    case.run(f.command("answer-consultation", consultation_id="C1", verdict="conditional", answer="2027"))
    assert case.run(f.command("start-realisation")).stage == Stage.REALISATION
    final = case.run(f.command("realise", investment_eur=10, jobs=5, counterfactual=f.RETAINED))
    assert final.stage == Stage.CLOSED and final.outcome == Outcome.REALISED_OTHER_REGION
    assert [e.seq for e in case.events] == list(range(1, 9))
    assert fold(case.events) == final

    own = Case()
    to_consultation(own, hotspot="brainport-eindhoven")  # the lead's home region is bom
    own.run(f.command("answer-consultation", consultation_id="C1", verdict="positive", answer="ok"))
    own.run(f.command("start-realisation"))
    assert own.run(f.command("realise", investment_eur=1, jobs=1, counterfactual=f.RETAINED,
                             at_current_site=False)).outcome == Outcome.REALISED_OWN_REGION


def test_negative_consultation_returns_to_matchmaking_and_withdraws_the_rest():
    case = Case()
    to_consultation(case)
    case.run(f.command("request-consultation", party="grid_operator", subject="grid", due="2026-03-01"))
    state = case.run(f.command("answer-consultation", consultation_id="C1", verdict="negative", answer="no"))
    assert state.stage == Stage.MATCHMAKING and state.location is None
    assert [c.withdrawn for c in state.consultations] == [False, True]
    case.refuse(f.command("answer-consultation", consultation_id="C2", verdict="positive", answer="late"),
                "wrong-stage")
    case.refuse(f.command("request-consultation", party="province", subject="x", due="2026-03-01"),
                "location-first")


def test_out_of_order_commands_are_refused_and_change_nothing():
    case = Case()
    case.refuse(f.command("propose-matches"), "wrong-stage")
    case.refuse(f.command("start-realisation"), "wrong-stage")
    case.refuse(f.command("choose-location", hotspot="twente"), "wrong-stage")
    case.refuse(f.command("change-phase", phase=2), "no-change")
    case.refuse(f.start(), "case-exists")
    case.refuse(f.command("reopen"), "not-closed")
    to_consultation(case)
    case.refuse(f.command("start-realisation"), "consultations-open")
    case.refuse(f.command("answer-consultation", consultation_id="C9", verdict="positive", answer="x"),
                "unknown-consultation")
    case.refuse(f.command("articulate-needs", needs=f.NEEDS), "wrong-stage")
    case.refuse(f.command("choose-location", hotspot="twente", region="bom"), "wrong-stage")


def test_request_consultation_due_in_the_past_is_refused():
    case = Case()
    case.run(f.command("articulate-needs", needs=f.NEEDS))
    propose(case)
    case.run(f.command("choose-location", hotspot="groningen"))
    case.refuse(f.command("request-consultation", party="municipality", subject="x", due="2025-12-31"),
                "due-in-past")


def test_choose_location_hotspot_region_must_agree():
    case = Case()
    case.run(f.command("articulate-needs", needs=f.NEEDS))
    propose(case)
    case.refuse(f.command("choose-location", hotspot="twente", region="bom"), "hotspot-region")
    assert case.run(f.command("choose-location", hotspot="twente")).location.hotspot.value == "twente"
    assert case.events[-1].proposed is True


def test_close_reopen_and_final_realisation():
    with pytest.raises(ValidationError, match="bottleneck"):
        f.command("close", outcome="no_proposition_possible")
    with pytest.raises(ValidationError):
        f.command("close", outcome="realised_other_region")
    case = Case()
    case.run(f.command("articulate-needs", needs=f.NEEDS))
    propose(case, viable=False)
    closed = case.run(f.command("close", outcome="no_proposition_possible", bottleneck="energy"))
    assert closed.outcome == Outcome.NO_PROPOSITION_POSSIBLE and closed.bottleneck.value == "energy"
    case.refuse(f.command("change-phase", phase=3), "case-closed")
    reopened = case.run(f.command("reopen"))
    assert reopened.stage == Stage.MATCHMAKING and reopened.outcome is None and reopened.reopened == 1

    done = Case()
    to_consultation(done)
    done.run(f.command("answer-consultation", consultation_id="C1", verdict="positive", answer="ok"))
    done.run(f.command("start-realisation"))
    done.run(f.command("realise", investment_eur=1, jobs=1, counterfactual=f.RETAINED))
    done.refuse(f.command("reopen"), "realised-final")


def test_phase_history_keeps_the_first_time_each_phase_was_reached():
    case = Case(phase=1)
    case.run(f.command("change-phase", phase=2))
    case.run(f.command("change-phase", phase=1))
    state = case.run(f.command("change-phase", phase=2))
    assert state.phase == 2
    assert state.phase_reached_at[2] == T0 + timedelta(hours=1)


def test_bad_input_names_the_field():
    with pytest.raises(ValidationError, match="home_region"):
        f.start(home_region="atlantis")
    with pytest.raises(ValidationError, match="kvk"):
        f.start(kvk="12")
    with pytest.raises(ValidationError, match="at least one kind"):
        f.command("articulate-needs", needs={"needed_by": date(2027, 1, 1)})


def test_hash_rule_by_hand():
    case = Case()
    ev = case.events[0]
    data = ev.model_dump(mode="json")
    assert data.pop("command_id") is None  # added later: left out while unset (domain.evolve)
    assert (data.pop("demo"), data.pop("source")) == (False, None)  # added later, at their defaults
    assert (data.pop("signalled_by"), data["lead"].pop("site")) == (None, None)  # also in the nested lead
    assert data.pop("owner") is None  # added with ownership (issue 13): absent while unset
    assert data.pop("signed") is None  # added with signed commands (issue 13): absent while unset
    expected_json = json.dumps(data, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    assert canonical_json(ev) == expected_json
    with_id = ev.model_copy(update={"command_id": "cmd-1"})
    assert '"command_id":"cmd-1"' in canonical_json(with_id)
    assert chain_hash(GENESIS, expected_json) == hashlib.sha256((GENESIS + expected_json).encode()).hexdigest()


# Rows as code before issue 12 wrote them (canonical JSON, copied from that code's output).
OLD_DETECTED = (
    '{"actor":"test-coordinator","at":"2026-01-05T10:00:00Z","case_id":"lead-old","lead":{"company":"Photon Forge BV",'
    '"company_type":"scaleup","contact":{"email":"anna@example.org","name":"Anna de Vries","phone":null},'
    '"coordinator":"coordinator@example.org","home_region":"bom","hotspot":"brainport-eindhoven","kvk":"12345678",'
    '"phase":2,"technology_domain":"photonics"},"organisation":"BOM","reason":null,"seq":1,"type":"LeadDetected"}'
)
OLD_UPDATED = OLD_DETECTED.replace("Forge BV", "Forge NV").replace('"seq":1,"type":"LeadDetected"', '"seq":2,"type":"LeadUpdated"')


@pytest.mark.parametrize("old", [OLD_DETECTED, OLD_UPDATED], ids=["LeadDetected", "LeadUpdated"])
def test_rows_from_before_the_added_fields_keep_their_bytes_and_hash(old):
    """``demo``/``source`` (LeadDetected) and ``changes`` (LeadUpdated) were added later: an old row
    parses to their defaults and dumps back to its exact bytes, so its hash still verifies."""
    from domain.events import parse_event

    event = parse_event(old)
    assert canonical_json(event) == old
    assert chain_hash(GENESIS, canonical_json(event)) == hashlib.sha256((GENESIS + old).encode()).hexdigest()
    if event.type == "LeadDetected":
        assert (event.demo, event.source) == (False, None)
        assert fold([event]).demo is False
    else:
        assert event.changes is None


def test_added_fields_appear_in_the_canonical_form_once_they_hold_a_value():
    from domain.events import parse_event

    detected = parse_event(OLD_DETECTED)
    demo = detected.model_copy(update={"demo": True, "source": "import:pipeline.csv#row 3"})
    new = canonical_json(demo)
    assert '"demo":true' in new and '"source":"import:pipeline.csv#row 3"' in new
    assert canonical_json(parse_event(new)) == new and parse_event(new) == demo
    assert canonical_json(detected.model_copy(update={"demo": False})) == OLD_DETECTED  # False has one form
    case = Case()
    case.run(f.command("update", changes={"company": "Photon Forge NV"}))
    updated = canonical_json(case.events[-1])
    assert '"changes":[{"field":"company","new":"Photon Forge NV","old":"Photon Forge BV"}]' in updated
    assert canonical_json(parse_event(updated)) == updated


def test_a_field_named_as_added_must_exist():
    from typing import ClassVar

    from domain.events import EventBase

    with pytest.raises(TypeError, match="names no field colour"):
        class Broken(EventBase):  # noqa: F841
            __added_fields__: ClassVar[frozenset[str]] = frozenset({"colour"})


def test_a_field_added_to_a_nested_model_is_left_out_while_unset_and_kept_once_set():
    """``Lead.site`` (issue 14) lives inside the lead of LeadDetected/LeadUpdated: old rows keep their
    bytes (above); a lead with a site carries it, and its row dumps back to itself."""
    from domain.events import parse_event

    plain = canonical_json(Case().events[0])
    assert '"site"' not in plain and '"signalled_by"' not in plain
    located = Case(site="Eindhoven").events[0]
    row = canonical_json(located)
    assert '"site":"Eindhoven"' in row and '"lead":{' in row
    assert canonical_json(parse_event(row)) == row and parse_event(row) == located
    assert canonical_json(parse_event(OLD_DETECTED).model_copy(update={"signalled_by": "twente-board"})).endswith(
        '"seq":1,"signalled_by":"twente-board","type":"LeadDetected"}')


def test_a_state_serialised_before_a_later_field_agrees_with_the_fold_that_holds_it():
    """``detected_company_type`` folds to a value over every chain, but a state written by code from
    before it (a continue-as-new input, a projection row) lacks it: ``agrees`` takes the fold's value
    for it, and nothing else."""
    from domain.state import ADDED_LATER, agrees

    state = Case(company_type="startup").state
    written_before = CaseState.model_validate_json(state.model_dump_json(exclude=set(ADDED_LATER)))
    assert written_before.detected_company_type is None and written_before != state
    assert agrees(written_before, state) and agrees(state, state)
    assert not agrees(written_before.model_copy(update={"phase": 3}), state)
    other = state.model_copy(update={"detected_company_type": "scaleup"})
    assert not agrees(other, state)  # a value it holds is compared
