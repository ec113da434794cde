"""Worker versioning on the real dev server: the runbook's rollout and ``rollout undo``.

Two worker versions of one Worker Deployment poll one task queue. Which version is current is set
with the very command the runbook gives (``temporal worker deployment set-current-version``). The
long-running case (AUTO_UPGRADE) follows the current version at its next workflow task: forward to
v2, and back to v1 on the undo. What serves a command is read from Temporal itself: the
``WorkflowTaskCompleted`` events of the command's workflow tasks carry the deployment version of the
worker that completed them, and ``describe`` reports the version that completed the last task.

Both versions run the same code here. Old code replaying a history in which newer code took a new
``workflow.patched`` branch fails with a nondeterminism error: the runbook's limits of an undo.
"""

from __future__ import annotations

import asyncio
import uuid
from datetime import UTC, datetime

from temporalio.api.enums.v1 import EventType, RoutingConfigUpdateState, VersioningBehavior
from temporalio.api.workflowservice.v1 import DescribeWorkerDeploymentRequest
from temporalio.client import Client

from audit.signed import verify_ledger
from client import temporal as cases
from devserver import temporal_cli
from domain.state import fold
from keys import Signer
from ledger.store import Ledger
from settings import SettingsError
from settings import load as load_settings
from tests import factories as f
from worker import build_worker


async def propagated(client: Client, deployment: str, build_id: str) -> None:
    """Wait until the new routing has reached every task queue partition (the runbook's
    ``temporal worker deployment describe`` until the routing update is no longer in progress)."""
    request = DescribeWorkerDeploymentRequest(namespace=client.namespace, deployment_name=deployment)
    for _ in range(100):
        info = (await client.workflow_service.describe_worker_deployment(request)).worker_deployment_info
        if (info.routing_config.current_deployment_version.build_id == build_id
                and info.routing_config_update_state == RoutingConfigUpdateState.ROUTING_CONFIG_UPDATE_STATE_COMPLETED):
            return
        await asyncio.sleep(0.1)
    raise AssertionError(f"{deployment} {build_id}: routing not propagated: {info}")


async def set_current(client: Client, deployment: str, build_id: str) -> None:
    """The runbook's command. Retried while the version is not yet known to the server (its workers'
    first poll registers it), as the runbook says to wait for the new pods' readiness first."""
    args = [
        temporal_cli(), "worker", "deployment", "set-current-version",
        "--address", client.service_client.config.target_host, "--namespace", client.namespace,
        "--deployment-name", deployment, "--build-id", build_id, "--yes",
    ]
    out = b""
    for _ in range(60):
        proc = await asyncio.create_subprocess_exec(
            *args, stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.STDOUT
        )
        out, _ = await proc.communicate()
        if proc.returncode == 0:
            return await propagated(client, deployment, build_id)
        await asyncio.sleep(0.5)
    raise AssertionError(f"set-current-version {deployment} {build_id} failed: {out.decode(errors='replace')}")


UPDATE_EVENTS = (EventType.EVENT_TYPE_WORKFLOW_EXECUTION_UPDATE_ACCEPTED,
                 EventType.EVENT_TYPE_WORKFLOW_EXECUTION_UPDATE_COMPLETED)


async def served_by(client: Client, case_id: str, after_event: int) -> tuple[list[str | None], int]:
    """Build ids of the workers that accepted and completed the command (the ``execute`` update)
    sent after event ``after_event``, and the last event id.

    An update's accepted and completed events follow the ``WorkflowTaskCompleted`` event of the
    workflow task that ran its handler; that event names the worker's deployment version. (Other
    tasks, e.g. a timer set just after a command, may still be completed by the version that was
    current a moment before: only the command's own tasks say who served it.)"""
    builds, last, task_build = [], after_event, None
    async for event in client.get_workflow_handle(case_id).fetch_history_events():
        last = event.event_id
        if event.event_type == EventType.EVENT_TYPE_WORKFLOW_TASK_COMPLETED:
            task_build = event.workflow_task_completed_event_attributes.deployment_version.build_id
        elif event.event_id > after_event and event.event_type in UPDATE_EVENTS:
            builds.append(task_build)
    return builds, last


async def serving(client: Client, case_id: str) -> tuple[str, str, int]:
    """(deployment name, build id) that completed the case's last workflow task, and its behaviour."""
    info = (await client.get_workflow_handle(case_id).describe()).raw_description.workflow_execution_info
    v = info.versioning_info
    return v.deployment_version.deployment_name, v.deployment_version.build_id, v.behavior


async def test_rollout_to_v2_and_rollout_undo_move_a_running_case(dev_server_env, case_ledger_url):
    client = dev_server_env.client
    ledger = Ledger.open(case_ledger_url, upgrade=True)
    ledger.seed_hotspots()
    signer = Signer.generate()  # one ledger key for both versions, as in a real rollout
    tag = uuid.uuid4().hex[:6]
    deployment, queue, case_id = f"brandpunt-vt-{tag}", f"versioning-{tag}", f"lead-versioning-{tag}"
    commands = f.happy_path(datetime.now(UTC).date())
    seen: list[str | None] = []  # build id serving each command, in order
    last_event = 0

    async def run(command, expect: str) -> None:
        nonlocal last_event
        await cases.execute(client, case_id, command)
        builds, last_event = await served_by(client, case_id, last_event)
        assert builds == [expect, expect], (command.type, builds)  # accepted, completed
        assert await serving(client, case_id) == (deployment, expect, VersioningBehavior.VERSIONING_BEHAVIOR_AUTO_UPGRADE)
        seen.append(builds[-1])

    def v(build_id: str):
        return build_worker(client, ledger, queue, signer=signer, version=(deployment, build_id))

    try:
        async with v("1"):
            await set_current(client, deployment, "1")
            await cases.start(client, queue, f.start(), case_id)
            started, last_event = await served_by(client, case_id, 0)
            assert set(started) == {"1"}, started  # the start command (an update with the start)
            await run(commands[0], "1")
            async with v("2"):  # rollout: new workers beside the old ones, then v2 current
                await set_current(client, deployment, "2")
                await run(commands[1], "2")  # the running case moved to v2 at its next task
                await run(commands[2], "2")
                await set_current(client, deployment, "1")  # rollout undo: v1 current again
                await run(commands[3], "1")  # ... and the case moved back
            await run(commands[4], "1")  # v2's workers gone: v1 goes on serving
            state = await cases.state(client, case_id)
        assert seen == ["1", "2", "2", "1", "1"]
        rows = ledger.events(case_id)
        assert [r.seq for r in rows] == list(range(1, len(rows) + 1))
        assert fold(r.event for r in rows) == state
        assert [r.type for r in rows][:1] == ["LeadDetected"] and len(rows) >= 6
        report = verify_ledger(ledger, keys=signer.public(), case_id=case_id)
        assert report.ok, report.findings
    finally:
        ledger.dispose()


def test_workflows_name_no_versioning_behaviour_of_their_own():
    """The behaviour comes from the versioned worker's default: a workflow naming one makes the
    server refuse every task completion of an unversioned worker ("versioning behavior cannot be
    specified without deployment options being set with versioned mode"), i.e. `brandpunt dev`."""
    from temporalio.common import VersioningBehavior as Behaviour
    from temporalio.workflow import _Definition

    from workflows.lead_case import LeadCaseWorkflow
    from workflows.reporting import ReportWorkflow

    for cls in (LeadCaseWorkflow, ReportWorkflow):
        assert _Definition.must_from_class(cls).versioning_behavior in (None, Behaviour.UNSPECIFIED), cls


def test_versioning_is_opt_in_and_needs_both_variables():
    assert load_settings({}).deployment_version() is None  # brandpunt dev, every other test
    on = load_settings({"BRANDPUNT_WORKER_DEPLOYMENT": "brandpunt", "BRANDPUNT_BUILD_ID": "0.9.0"})
    assert on.deployment_version() == ("brandpunt", "0.9.0")
    for env in ({"BRANDPUNT_WORKER_DEPLOYMENT": "brandpunt"}, {"BRANDPUNT_BUILD_ID": "0.9.0"},
                {"BRANDPUNT_WORKER_DEPLOYMENT": "brand.punt", "BRANDPUNT_BUILD_ID": "1"}):
        try:
            load_settings(env).deployment_version()
        except SettingsError as err:
            assert "BRANDPUNT_" in str(err)
        else:
            raise AssertionError(f"accepted {env}")


async def test_brandpunt_worker_from_environment_is_the_configured_version(dev_server_env, case_ledger_url, tmp_path):
    """`brandpunt worker` with the two variables (as the manifests set them) polls as that version."""
    import os
    import subprocess
    import sys
    from pathlib import Path

    from keys import Keyring

    Ledger.open(case_ledger_url, upgrade=True).dispose()
    Keyring(tmp_path / "keys").init()
    tag = uuid.uuid4().hex[:6]
    deployment, queue, case_id = f"brandpunt-env-{tag}", f"versioning-env-{tag}", f"lead-versioning-env-{tag}"
    env = {
        **os.environ,
        "TEMPORAL_ADDRESS": dev_server_env.client.service_client.config.target_host,
        "BRANDPUNT_LEDGER_URL": case_ledger_url,
        "BRANDPUNT_TASK_QUEUE": queue,
        "BRANDPUNT_KEYS_DIR": str(tmp_path / "keys"),
        "BRANDPUNT_WORKER_DEPLOYMENT": deployment,
        "BRANDPUNT_BUILD_ID": "0.7.1",
    }
    brandpunt = str(Path(sys.executable).parent / "brandpunt")
    half = {k: v for k, v in env.items() if k != "BRANDPUNT_BUILD_ID"}
    refused = subprocess.run([brandpunt, "worker"], env=half, capture_output=True, text=True, timeout=60)
    assert refused.returncode == 2 and "BRANDPUNT_BUILD_ID" in refused.stderr, refused.stderr
    proc = subprocess.Popen([brandpunt, "worker"], env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        client = dev_server_env.client
        await set_current(client, deployment, "0.7.1")
        await cases.start(client, queue, f.start(), case_id)
        assert await serving(client, case_id) == (deployment, "0.7.1", VersioningBehavior.VERSIONING_BEHAVIOR_AUTO_UPGRADE)
    finally:
        proc.terminate()
        proc.wait(timeout=60)
