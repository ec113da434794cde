"""Recorded histories replay against the current workflow code; an unpatched change fails."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import pytest
from temporalio import workflow
from temporalio.client import WorkflowHistory

from audit.replay import history_from_json, replay
from domain.commands import ArticulateNeeds, Command
from domain.state import CaseState
from workflows.case_io import CaseInput
from workflows.lead_case import PATCH_PAST_NEEDED_BY, LeadCaseWorkflow

HISTORIES = sorted((Path(__file__).parent / "histories").glob("*.json"))


def load(path: Path) -> WorkflowHistory:
    return history_from_json(path.read_text(encoding="utf-8"))


def test_there_are_recorded_histories_of_every_kind():
    names = {p.name.split(".")[0] for p in HISTORIES}
    assert names >= {"happy-path", "back-to-matchmaking", "closed-and-reopened", "continued-as-new", "reminders"}
    assert names >= {"redelivery-v3", "resumed-v3", "happy-path-v3", "reminders-v3"}
    assert names >= {"happy-path-v4", "partial-update-v4", "note-v4", "corrected-v4", "demo-v4"}
    assert names >= {"happy-path-v5", "reminders-v5", "redelivery-v5", "programme-facts-v5", "articulation-window-v5"}


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


@workflow.defn(name="LeadCaseWorkflow")
class RecordsProgrammeFactsUnpatched(LeadCaseWorkflow):
    """The issue-14 facts (a counterfactual required at realisation, ...) applied to every run,
    without asking their patch."""

    @workflow.run
    async def run(self, input: CaseInput) -> CaseState | None:
        return await super().run(input)

    def _adopt_patches_for(self, command: Command) -> None:
        if isinstance(command, ArticulateNeeds) and self._refuse_past_needed_by is None:
            self._refuse_past_needed_by = workflow.patched(PATCH_PAST_NEEDED_BY)
        self._programme_facts = True


@pytest.mark.parametrize("name", ["happy-path-v4", "corrected-v4", "happy-path"])
async def test_a_realisation_recorded_before_the_facts_patch_replays_and_would_not_without_it(name):
    """Those realisations carried no counterfactual (and new_scaleup as a bare flag): the current code
    replays them on the old path; applying the new rule to them changes the decision."""
    histories = [load(p) for p in HISTORIES if p.name.startswith(f"{name}.")]
    assert histories and [o.error for o in await replay(histories)] == [None] * len(histories)
    outcomes = await replay(histories, workflows=[RecordsProgrammeFactsUnpatched])
    assert not any(o.ok for o in outcomes) and all("nondetermin" in o.error.lower() for o in outcomes)


def test_the_reminder_rules_a_history_recorded_before_issue_14_followed_keep_their_meaning():
    """Every rule set recorded in a case's history before the articulation rule names phase2 and no
    articulation: parsed by the current code, it is the phase-2 rule alone (else replay would plan
    reminders those cases never had). Read from the recorded case_settings marker of reminders-v4."""
    import base64
    import json

    from activities.deployment import CaseSettings

    raw = json.loads((Path(__file__).parent / "histories" / "reminders-v4.1.json").read_text(encoding="utf-8"))
    markers = [e["markerRecordedEventAttributes"] for e in raw["events"]
               if e.get("markerRecordedEventAttributes", {}).get("markerName") == "core_local_activity"]
    assert markers  # one per wake-up: the rules the case followed
    result = json.loads(base64.b64decode(markers[0]["details"]["result"]["payloads"][0]["data"]))
    assert "articulation" not in result["rules"] and result["rules"]["phase2"] is not None
    settings = CaseSettings.model_validate(result)
    assert settings.rules.articulation is None and settings.rules.phase2 is not None
    assert settings.rules.version() == settings.rules_version  # and the address it was recorded with


async def test_record_script_writes_histories_that_replay(tmp_path):
    """The documented way to record (tests/histories/README.md) works and its output replays."""
    from tests.histories import record

    await record.main(tmp_path, ["closed-and-reopened"])
    fresh = sorted(tmp_path.glob("*.json"))
    assert [p.name for p in fresh] == ["closed-and-reopened.1.json"]
    outcomes = await replay([load(p) for p in fresh])
    assert outcomes[0].ok and outcomes[0].events > 20
