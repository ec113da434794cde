"""Recorded histories replay against the current workflow code; an unpatched change fails."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import pytest
from temporalio import workflow
from temporalio.client import WorkflowHistory

from audit.replay import history_from_json, replay
from domain.commands import Command
from domain.state import CaseState
from workflows.case_io import CaseInput
from workflows.lead_case import LeadCaseWorkflow

HISTORIES = sorted((Path(__file__).parent / "histories").glob("*.json"))


def load(path: Path) -> WorkflowHistory:
    return history_from_json(path.read_text(encoding="utf-8"))


def test_there_are_recorded_histories_of_every_kind():
    names = {p.name.split(".")[0] for p in HISTORIES}
    assert names >= {"happy-path", "back-to-matchmaking", "closed-and-reopened", "continued-as-new", "reminders"}
    assert names >= {"redelivery-v3", "resumed-v3", "happy-path-v3", "reminders-v3"}
    assert names >= {"happy-path-v4", "partial-update-v4", "note-v4", "corrected-v4", "demo-v4"}


async def test_recorded_histories_replay_with_the_current_code():
    outcomes = await replay([load(p) for p in HISTORIES])
    assert len(outcomes) == len(HISTORIES)
    assert [o.error for o in outcomes if not o.ok] == []


@workflow.defn(name="LeadCaseWorkflow")
class DecidesDifferently(LeadCaseWorkflow):
    """Matchmaking without asking the hotspot offers: a changed decision, not behind a patch."""

    @workflow.run
    async def run(self, input: CaseInput) -> CaseState | None:
        return await super().run(input)

    async def _with_proposals(self, command):
        return command.model_copy(update={"proposals": [], "bottleneck": None})


@workflow.defn(name="LeadCaseWorkflow")
class WaitsBeforeRecording(LeadCaseWorkflow):
    """A grace period before every ledger write: an extra timer, not behind a patch."""

    @workflow.run
    async def run(self, input: CaseInput) -> CaseState | None:
        return await super().run(input)

    async def _record(self, events, notification=None):
        await workflow.sleep(timedelta(minutes=5))
        await super()._record(events, notification)


@workflow.defn(name="LeadCaseWorkflow")
class WaitsOnlyWhenPatched(WaitsBeforeRecording):
    """The same change behind ``workflow.patched``: recorded histories keep the old path."""

    @workflow.run
    async def run(self, input: CaseInput) -> CaseState | None:
        return await super().run(input)

    async def _record(self, events, notification=None):
        if workflow.patched("grace-before-recording"):
            await workflow.sleep(timedelta(minutes=5))
        await LeadCaseWorkflow._record(self, events, notification)


CHANGES = [(DecidesDifferently, n) for n in ("happy-path", "back-to-matchmaking", "closed-and-reopened")] + [
    (WaitsBeforeRecording, n) for n in ("happy-path", "reminders", "continued-as-new")
]


@pytest.mark.parametrize("changed, name", CHANGES, ids=[f"{c.__name__}-{n}" for c, n in CHANGES])
async def test_a_decision_changed_without_a_patch_fails_replay(changed, name):
    histories = [load(p) for p in HISTORIES if p.name.startswith(name)]
    outcomes = await replay(histories, workflows=[changed])
    assert outcomes and not any(o.ok for o in outcomes)
    assert all("nondetermin" in o.error.lower() for o in outcomes), [o.error for o in outcomes]


async def test_the_same_change_behind_a_patch_replays():
    outcomes = await replay([load(p) for p in HISTORIES], workflows=[WaitsOnlyWhenPatched])
    assert [o.error for o in outcomes if not o.ok] == []


@workflow.defn(name="LeadCaseWorkflow")
class RefusesPastNeededByUnpatched(LeadCaseWorkflow):
    """The past needed-by rule applied to every run, without asking its patch."""

    @workflow.run
    async def run(self, input: CaseInput) -> CaseState | None:
        return await super().run(input)

    def _adopt_patches_for(self, command: Command) -> None:
        self._refuse_past_needed_by = True


async def test_a_past_needed_by_accepted_before_its_patch_replays_and_would_not_without_the_patch():
    """``past-needed-by.1.json`` was recorded by the code before ``refuse-past-needed-by`` (it cannot
    be recorded now: the case refuses the command), with needs needed by 2020-01-01."""
    history = load(Path(__file__).parent / "histories" / "past-needed-by.1.json")
    assert [o.error for o in await replay([history])] == [None]
    unpatched = (await replay([history], workflows=[RefusesPastNeededByUnpatched]))[0]
    assert not unpatched.ok and "nondetermin" in unpatched.error.lower(), unpatched.error


async def test_record_script_writes_histories_that_replay(tmp_path):
    """The documented way to record (tests/histories/README.md) works and its output replays."""
    from tests.histories import record

    await record.main(tmp_path, ["closed-and-reopened"])
    fresh = sorted(tmp_path.glob("*.json"))
    assert [p.name for p in fresh] == ["closed-and-reopened.1.json"]
    outcomes = await replay([load(p) for p in fresh])
    assert outcomes[0].ok and outcomes[0].events > 20
