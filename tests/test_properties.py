"""Property-based tests of the domain: random command sequences through decide + apply."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from domain.bounds import JOBS_MAX
from domain.decide import CommandRejected, Context, check, decide
from domain.models import MatchProposal
from domain.state import fold
from domain.vocab import HOTSPOT_REGION, HotspotId, Stage
from tests import factories as f

T0 = datetime(2026, 1, 1, tzinfo=UTC)
HOTSPOTS = ["brainport-eindhoven", "twente", "groningen", "almere"]

commands = st.one_of(
    st.builds(lambda p: f.command("change-phase", phase=p), st.integers(1, 4)),
    st.just(f.command("articulate-needs", needs=f.NEEDS)),
    st.builds(
        lambda h, v: f.command("propose-matches", proposals=[
            MatchProposal(hotspot=HotspotId(h), region=HOTSPOT_REGION[HotspotId(h)],
                          score=0.5, viable=v, reasons=["r"]).model_dump()]),
        st.sampled_from(HOTSPOTS), st.booleans()),
    st.builds(lambda h: f.command("choose-location", hotspot=h), st.sampled_from(HOTSPOTS)),
    st.builds(lambda d: f.command("request-consultation", party="municipality", subject="s",
                                  due=(T0 + timedelta(days=d)).date().isoformat()), st.integers(0, 90)),
    st.builds(lambda i, v: f.command("answer-consultation", consultation_id=f"C{i}", verdict=v, answer="a"),
              st.integers(1, 3), st.sampled_from(["positive", "conditional", "negative"])),
    st.just(f.command("start-realisation")),
    st.builds(lambda n: f.command("realise", investment_eur=n, jobs=n), st.integers(0, JOBS_MAX)),
    st.builds(lambda n, cf, here, scaleup: f.command(
        "realise", investment_eur=n, jobs=n, counterfactual=cf, at_current_site=here, new_scaleup=scaleup),
        st.integers(0, JOBS_MAX), st.sampled_from(["would_have_gone_abroad", "would_have_happened_in_nl_anyway"]),
        st.sampled_from([None, True, False]), st.sampled_from([None, False])),
    st.builds(lambda to: f.command("refer", to=to, name="Innovatiekrediet", subject="financing"),
              st.sampled_from(["invest-nl", "ez-programme"])),
    st.builds(lambda d: f.command("expect-phase2-end", expected_end=(T0 + timedelta(days=d)).date().isoformat()),
              st.integers(-2, 400)),
    st.builds(lambda cf: f.command("correct-realisation", counterfactual=cf, reason="asked again"),
              st.sampled_from(["would_not_have_been_invested", "would_have_happened_in_nl_anyway"])),
    st.builds(lambda d: f.command("update", changes={"technology_domain": d, "site": "Eindhoven"}),
              st.sampled_from(["pharma", "strategic-autonomy"])),
    st.sampled_from([f.command("close", outcome="withdrawn"), f.command("close", outcome="left_abroad"),
                     f.command("close", outcome="no_proposition_possible", bottleneck="talent")]),
    st.just(f.command("reopen")),
    st.builds(lambda k: f.command("note", text="a call", kind=k), st.sampled_from(["meeting", "call", "email", "other"])),
    st.builds(lambda n, s: f.command("correct-realisation", jobs=n, new_scaleup=s, reason="typo"),
              st.integers(0, 3), st.booleans()),
    st.builds(lambda name, email: f.command("update", changes={"company": name, "contact": {"email": email}}),
              st.sampled_from(["Photon Forge BV", "Photon Forge NV"]),
              st.sampled_from(["anna@example.org", "cfo@example.org"])),
    st.builds(lambda due: f.command("articulate-needs", needs={**f.NEEDS, "needed_by": due}),
              st.dates(T0.date() - timedelta(days=3), T0.date() + timedelta(days=3)).map(lambda d: d.isoformat())),
)


def invariants(state) -> None:
    assert (state.stage == Stage.CLOSED) == (state.outcome is not None)
    if state.stage in (Stage.CONSULTATION, Stage.REALISATION):
        assert state.location is not None and state.consultations
    if state.stage == Stage.REALISATION:
        assert not any(c.open for c in state.consultations)
    if state.stage in (Stage.MATCHMAKING, Stage.CONSULTATION, Stage.REALISATION):
        assert state.needs is not None
    if state.realisation is not None:
        assert state.stage == Stage.CLOSED
    assert state.realisation_corrections == 0 or state.realisation is not None


@settings(max_examples=200, deadline=None)
@given(st.lists(commands, max_size=40))
def test_random_sequences_keep_state_valid_refusals_change_nothing_fold_is_deterministic(seq):
    state = None
    events = []
    rejected = 0
    for i, cmd in enumerate([f.start(phase=1), *seq]):
        snapshot = None if state is None else state.model_dump()
        ctx = Context("lead-prop", T0 + timedelta(hours=i), refuse_past_needed_by=i % 2 == 0,
                      programme_facts=i % 3 != 0)
        try:
            new = decide(state, cmd, ctx)
        except CommandRejected as refused:
            # the workflow's validator runs check(): it must refuse by the same rule, and neither
            # may touch the state it was given
            with pytest.raises(CommandRejected) as by_check:
                check(state, cmd, ctx)
            assert by_check.value.rule == refused.rule
            assert (None if state is None else state.model_dump()) == snapshot
            rejected += 1
            continue
        check(state, cmd, ctx)  # what decide accepts, the validator lets through
        before, state = state, fold(new, state)
        events += new
        invariants(state)
        if new[0].type == "NoteRecorded":  # a note changes no stage and nothing a reminder follows
            assert before is not None and state.model_copy(update={
                k: getattr(before, k) for k in ("notes", "last_note_at", "last_seq", "updated_at")}) == before
        if new[0].type == "Referred":  # nor does a referral
            assert before is not None and state.model_copy(update={
                k: getattr(before, k) for k in ("referrals", "last_seq", "updated_at")}) == before
        if new[0].type == "Realised" and ctx.programme_facts:  # the facts the figures rest on
            assert state.counterfactual is not None and new[0].company_type is not None
            assert (new[0].at_current_site is None) == (state.outcome.value == "realised_other_region")
    assert events, "the start command is always accepted"
    assert len(events) + rejected == len(seq) + 1
    assert [e.seq for e in events] == list(range(1, len(events) + 1))
    assert fold(events) == fold(events) == state
