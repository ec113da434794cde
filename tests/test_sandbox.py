"""The workflow runner (workflows/sandbox.py): what is passed through, what the sandbox still guards.

See docs/notes/sandbox.md. The probe workflow below runs on a real (time-skipping) server under each
runner and reports what it saw.
"""

from __future__ import annotations

import traceback
import uuid
from datetime import datetime
from pathlib import Path

import pytest
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey
from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat
from temporalio import workflow
from temporalio.worker import Worker
from temporalio.worker.workflow_sandbox import (
    RestrictedWorkflowAccessError,
    SandboxedWorkflowRunner,
    SandboxRestrictions,
)

from audit.replay import history_from_json, replay
from workflows import sandbox
from workflows.lead_case import LeadCaseWorkflow

HISTORIES = sorted((Path(__file__).parent / "histories").glob("*.json"))


@pytest.mark.parametrize("mode", sandbox.MODES)
async def test_recorded_histories_replay_under_both_runners(mode):
    histories = [history_from_json(p.read_text(encoding="utf-8")) for p in HISTORIES]
    outcomes = await replay(histories, sandbox=mode)
    assert len(outcomes) == len(HISTORIES) and [o.error for o in outcomes if not o.ok] == []


def test_passthrough_adds_the_project_packages_and_all_of_cryptography():
    full, passthrough = sandbox.restrictions("full"), sandbox.restrictions("passthrough")
    assert "cryptography" in full.passthrough_modules  # the package, so every child with it, in both
    assert not set(sandbox.PROJECT_PASSTHROUGH) & full.passthrough_modules
    assert passthrough.passthrough_modules == full.passthrough_modules | set(sandbox.PROJECT_PASSTHROUGH)
    assert passthrough.invalid_module_members == full.invalid_module_members  # same runtime checks
    with pytest.raises(ValueError):
        sandbox.restrictions("none")


@workflow.defn
class ProbeWorkflow:
    @workflow.run
    async def run(self, probe: dict[str, str]) -> dict[str, str]:
        seen = {"lead_case": "shared" if str(id(LeadCaseWorkflow)) == probe["lead_case"] else "re-imported"}
        key = Ed25519PublicKey.from_public_bytes(bytes.fromhex(probe["public_key"]))
        try:
            key.verify(bytes.fromhex(probe["forged"]), b"brandpunt")
            seen["forged_signature"] = "accepted"
        except InvalidSignature:
            seen["forged_signature"] = "rejected"
        try:
            open("/dev/null").close()
            seen["open"] = "allowed"
        except RestrictedWorkflowAccessError:
            seen["open"] = "restricted"
        try:
            datetime.now()
            seen["clock"] = "allowed"
        except RestrictedWorkflowAccessError:
            seen["clock"] = "restricted"
        return seen


async def _probe(env, runner) -> dict[str, str]:
    private = Ed25519PrivateKey.generate()
    forged = bytearray(private.sign(b"brandpunt"))
    forged[0] ^= 1
    probe = {
        "lead_case": str(id(LeadCaseWorkflow)),
        "public_key": private.public_key().public_bytes(Encoding.Raw, PublicFormat.Raw).hex(),
        "forged": bytes(forged).hex(),
    }
    queue = f"sandbox-probe-{uuid.uuid4().hex[:8]}"
    async with Worker(env.client, task_queue=queue, workflows=[ProbeWorkflow], workflow_runner=runner):
        return await env.client.execute_workflow(ProbeWorkflow.run, probe, id=queue, task_queue=queue)


async def test_passthrough_shares_the_project_modules_and_keeps_the_runtime_checks(time_skipping_env):
    """The production runner: workflows/ is imported once, not per workflow; cryptography works whole
    (a forged signature raises the InvalidSignature the workflow code catches); the sandbox still
    restricts open() and, in code it does import itself (this test module), the clock."""
    seen = await _probe(time_skipping_env, sandbox.workflow_runner("passthrough"))
    assert seen == {"lead_case": "shared", "forged_signature": "rejected", "open": "restricted", "clock": "restricted"}


async def test_the_full_sandbox_re_imports_the_workflow_modules(time_skipping_env):
    """What passthrough saves: under the SDK's default sandbox every workflow re-imports workflows/."""
    seen = await _probe(time_skipping_env, sandbox.workflow_runner("full"))
    assert seen == {"lead_case": "re-imported", "forged_signature": "rejected", "open": "restricted",
                    "clock": "restricted"}


async def test_without_cryptography_passed_through_workflow_code_cannot_use_it(time_skipping_env):
    """Why it is passed through in both modes: the sandbox cannot import its Rust bindings again."""
    runner = SandboxedWorkflowRunner(restrictions=SandboxRestrictions.default.with_passthrough_modules(
        *sandbox.PROJECT_PASSTHROUGH))
    with pytest.raises(RuntimeError, match="Failed validating workflow ProbeWorkflow") as failed:
        await _probe(time_skipping_env, runner)
    assert "/cryptography/" in "".join(traceback.format_exception(failed.value))


async def test_in_passed_through_code_the_clock_is_the_lint_rules_job(time_skipping_env):
    """The gap the lint rule (tests/test_workflow_lint.py) fills: in a passed-through module the sandbox
    no longer proxies datetime, so datetime.now() goes unnoticed; builtins like open() stay restricted."""
    runner = SandboxedWorkflowRunner(restrictions=sandbox.restrictions().with_passthrough_modules(__name__))
    seen = await _probe(time_skipping_env, runner)
    assert seen == {"lead_case": "shared", "forged_signature": "rejected", "open": "restricted", "clock": "allowed"}
