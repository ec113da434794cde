"""Recorded histories replay against the current workflow code; an unpatched change fails."""

from __future__ import annotations

from pathlib import Path

import pytest
from temporalio import workflow
from temporalio.client import WorkflowHistory

from audit.replay import replay
from domain.state import CaseState
from workflows.lead_case import CaseInput, LeadCaseWorkflow

HISTORIES = sorted((Path(__file__).parent / "histories").glob("*.json"))


def load(path: Path) -> WorkflowHistory:
    return WorkflowHistory.from_json(f"lead-{path.name.split('.')[0]}", path.read_text(encoding="utf-8"))


def test_there_are_recorded_histories_of_every_kind():
    names = {p.name.split(".")[0] for p in HISTORIES}
    assert names >= {"happy-path", "back-to-matchmaking", "closed-and-reopened", "continued-as-new", "reminders"}


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

    async def _with_proposals(self, command):  # type: ignore[no-untyped-def, override]
        return command.model_copy(update={"proposals": [], "bottleneck": None})


@pytest.mark.parametrize("name", ["happy-path", "back-to-matchmaking"])
async def test_a_decision_changed_without_a_patch_fails_replay(name):
    histories = [load(p) for p in HISTORIES if p.name.startswith(name)]
    outcomes = await replay(histories, workflows=[DecidesDifferently])
    assert outcomes and not any(o.ok for o in outcomes)
    assert "nondetermin" in outcomes[0].error.lower()
