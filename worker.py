"""The worker: runs LeadCaseWorkflow and the ledger/matchmaking activities on one task queue.

``brandpunt worker`` runs it against ``TEMPORAL_ADDRESS``; ``brandpunt dev`` runs it beside the
embedded dev server. Activities are synchronous (SQLAlchemy) and run in a thread pool.
"""

from __future__ import annotations

import asyncio
import signal
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Any

from temporalio.client import Client
from temporalio.common import VersioningBehavior, WorkerDeploymentVersion
from temporalio.worker import (
    ActivityInboundInterceptor,
    ExecuteActivityInput,
    Interceptor,
    Worker,
    WorkerDeploymentConfig,
)

from activities.deployment import DeploymentActivities
from activities.ledger import LedgerActivities
from activities.matchmaking import MatchmakingActivities
from activities.notify import Channels, NotifyActivities
from activities.reports import ReportActivities
from client.errors import CaseError
from domain.reminders import ReminderRules
from keys import Keyring, NoKey, PublicKeys, Signer, keys_dir
from keys.trust import trust
from ledger.heads import DEFAULT_INTERVAL, TreeHeadMaker, TreeHeadRefused, make_tree_head
from ledger.store import Ledger
from settings import Settings, safe_url
from workflows.lead_case import LeadCaseWorkflow
from workflows.reporting import ReportWorkflow
from workflows.sandbox import SandboxMode, workflow_runner

if TYPE_CHECKING:
    from observability.health import Health

ACTIVITY_THREADS = 16
GRACEFUL_SHUTDOWN = timedelta(minutes=5, seconds=30)
"""How long a stopping `brandpunt worker` lets running activities finish: longer than the longest
activity timeout (the report, 5 minutes). Kubernetes' terminationGracePeriodSeconds is longer still."""


class ShortDatabaseErrors(Interceptor):
    """Every activity's database failure leaves as :class:`ledger.errors.LedgerDatabaseError`: the
    driver's error class and message, without the SQL, its parameters (event JSON) or a failing row.
    That text is what the worker logs and what Temporal keeps as the activity's failure."""

    def intercept_activity(self, next: ActivityInboundInterceptor) -> ActivityInboundInterceptor:
        return _ShortDatabaseErrors(next)


class _ShortDatabaseErrors(ActivityInboundInterceptor):
    async def execute_activity(self, input: ExecuteActivityInput) -> Any:
        from ledger.errors import database_error, is_database_error

        try:
            return await super().execute_activity(input)
        except Exception as err:
            if is_database_error(err):
                raise database_error(err) from None
            raise


def versioned(deployment_name: str, build_id: str) -> WorkerDeploymentConfig:
    """Worker versioning: this worker is version ``build_id`` (the release) of the Worker Deployment
    ``deployment_name``; it gets tasks only once that version is current (``temporal worker deployment
    set-current-version``, deploy/RUNBOOK.md "Worker versioning").

    Every workflow here is AUTO_UPGRADE (this default; the workflows name no behaviour of their own,
    which the server would refuse from an unversioned worker): a case lives for months and must move to
    the current version's code at its next workflow task, which is safe because every change of its
    decisions is behind ``workflow.patched`` and replay-tested (tests/test_replay.py)."""
    return WorkerDeploymentConfig(
        version=WorkerDeploymentVersion(deployment_name=deployment_name, build_id=build_id),
        use_worker_versioning=True,
        default_versioning_behavior=VersioningBehavior.AUTO_UPGRADE,
    )


def build_worker(
    client: Client,
    ledger: Ledger,
    task_queue: str,
    channels: Channels | None = None,
    rules: ReminderRules | None = None,
    sandbox: SandboxMode = "passthrough",
    *,
    signer: Signer,
    trusted: PublicKeys | None = None,
    tree_head_interval: float = DEFAULT_INTERVAL,
    tree_head_copy: Path | None = None,
    version: tuple[str, str] | None = None,
    command_keys: PublicKeys | None = None,
    **options: Any,
) -> Worker:
    """A worker for the case and report workflows.

    ``signer``: the ledger key (``Keyring.signer()``) that signs each append's case head;
    ``trusted``: the public keys a tree head accepts heads from (default: the signer's own);
    ``tree_head_copy``: where to keep a copy of the newest tree head outside the database.

    ``rules`` are the deployment's reminder rules (default: the built-in ones); they are recorded
    in the ledger's programme chain (once per version) before the worker serves any case.
    ``sandbox`` picks the workflow runner (workflows/sandbox.py; "full" is the SDK's default sandbox,
    kept for comparison in ``bench/compare.py``).
    ``version``: ``(deployment name, build id)`` for worker versioning (:func:`versioned`;
    ``Settings.deployment_version()``); ``None``, the default, is an unversioned worker.
    ``command_keys``: the public keys commands to this queue's cases must be signed by (``keys.trust``;
    :func:`command_keys`); None, no signature is asked (tests of other things, benchmarks).
    ``options`` go to :class:`temporalio.worker.Worker` (e.g. ``max_cached_workflows``).
    """
    channels = channels or Channels.from_env()
    rules = rules or ReminderRules()
    trust(task_queue, command_keys)
    ledger.adopt_reminder_rules(rules, actor="brandpunt-worker", at=datetime.now(UTC))
    maker = TreeHeadMaker(ledger, signer, trusted or signer.public(), tree_head_interval, tree_head_copy)
    recorder = LedgerActivities(ledger, signer, maker)
    matcher = MatchmakingActivities(ledger)
    deployment = DeploymentActivities(rules, channels.configured())
    notifier = NotifyActivities(ledger.outbox, channels)
    reporter = ReportActivities(ledger, notifier, ReminderRules().escalation_recipient)  # reports go to the DB
    return Worker(
        client,
        task_queue=task_queue,
        workflows=[LeadCaseWorkflow, ReportWorkflow],
        workflow_runner=workflow_runner(sandbox),
        activities=[
            recorder.record_events,
            recorder.record_reminder,
            recorder.record_erasure,
            recorder.load_case,
            matcher.match_hotspots,
            deployment.case_settings,
            notifier.deliver_notification,
            notifier.deliver_external,
            reporter.produce_report,
        ],
        activity_executor=ThreadPoolExecutor(max_workers=ACTIVITY_THREADS),
        interceptors=[ShortDatabaseErrors()],
        max_concurrent_activities=ACTIVITY_THREADS,
        deployment_config=versioned(*version) if version else None,
        **options,
    )


async def run_until_stopped(worker: Worker, stop: asyncio.Event) -> None:
    """Run ``worker`` until ``stop`` is set, then shut it down cleanly (never leave it running)."""
    async with worker:
        await stop.wait()


def stop_on_signals() -> asyncio.Event:
    """An event set by SIGINT/SIGTERM, so Ctrl-C leads to a clean shutdown, not a traceback."""
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(sig, stop.set)
    return stop


class WorkerKeyMissing(CaseError):
    """The worker has no ledger key: it would write heads nobody can verify."""


def ledger_keys(create: bool = False) -> tuple[Signer, PublicKeys]:
    """The ledger signing key and the trusted public keys from ``$BRANDPUNT_KEYS_DIR``.

    ``create``: make the key when there is none (``brandpunt dev``); otherwise refuse."""
    ring = Keyring(keys_dir())
    if create:
        for k in ring.init(["ledger"]):
            print(f"created the ledger signing key {k.id} in {ring.dir} (back it up: docs/notes/keys.md)", flush=True)
    try:
        return ring.signer("ledger"), ring.public_keys("ledger")
    except NoKey as err:
        raise WorkerKeyMissing(f"the worker will not start without its ledger key: {err}") from None


def command_keys(create: bool = False) -> PublicKeys | None:
    """The public keys commands must be signed by (``command`` keys of ``$BRANDPUNT_KEYS_DIR``, the
    revoked ones refused). ``create``: make the key when there is none (``brandpunt dev``, whose API
    host and operator commands then sign with it). None when the keyring has no command key: the
    worker then checks no signature, and says so at start (a deployment creates one with
    ``brandpunt keys init``)."""
    ring = Keyring(keys_dir())
    if create:
        for k in ring.init(["command"]):
            print(f"created the command signing key {k.id} in {ring.dir} (back it up: docs/notes/keys.md)", flush=True)
    try:
        keys = ring.public_keys("command")
    except NoKey:
        return None
    return keys or None


def payload_key(create: bool = False) -> str | None:
    """The id of the active key payloads are encrypted with (``payload`` keys of ``$BRANDPUNT_KEYS_DIR``,
    or ``BRANDPUNT_PAYLOAD_KEYS``); ``create``: make one when there is none (``brandpunt dev``). None:
    payloads travel in the clear, and the worker says so at start."""
    import os

    from keys import codec

    ring = Keyring(keys_dir())
    if create and not os.environ.get(codec.ENV):
        for k in ring.init(["payload"]):
            print(f"created the payload encryption key {k.id} in {ring.dir} (back it up: docs/notes/keys.md)", flush=True)
    found = codec.load(ring.dir)
    return found.active if found else None


def reapply_erasures(ledger: Ledger, settings: Settings) -> None:
    """Destroy again the keys on the erase list that a restored database brought back (``client.privacy``)."""
    from client.privacy import listed
    from observability import logs

    cases = ledger.reapply_erasures(listed(settings.erase_list))
    if cases:
        logs.get("brandpunt.worker").warning(
            "the ledger held %d erased key(s) again (restored from an older backup?): erased again", len(cases))


def fresh_tree_head(ledger: Ledger, signer: Signer, trusted: PublicKeys) -> None:
    """A tree head at every start; refused (heads tampered with) it is logged, the worker still runs."""
    from observability import logs

    try:
        make_tree_head(ledger, signer, trusted, tree_head_copy())
    except TreeHeadRefused as err:
        logs.get("brandpunt.worker").error("no signed tree head made", problem=str(err))


def tree_head_copy() -> Path:
    """The newest tree head's copy beside the keys (out of reach of someone with database access only)."""
    import os

    from audit.signed import TREE_HEAD_FILE

    return Path(os.environ.get("BRANDPUNT_TREE_HEAD_COPY") or keys_dir() / TREE_HEAD_FILE)


def tree_head_interval() -> float:
    import os

    return float(os.environ.get("BRANDPUNT_TREE_HEAD_INTERVAL", DEFAULT_INTERVAL))


async def main(settings: Settings) -> None:
    from client.connection import connect
    from observability import logs

    rules = settings.reminder_rules()  # refused before anything starts when the file is bad
    deployment = settings.deployment_version()  # likewise one of the two versioning variables alone
    signer, trusted = ledger_keys(create=False)
    ledger = Ledger.open(settings.ledger_url, upgrade=False)
    ledger.check_schema()
    reapply_erasures(ledger, settings)
    fresh_tree_head(ledger, signer, trusted)
    commands = command_keys(create=False)
    client = await connect(settings)
    stop = stop_on_signals()
    if commands is None:
        logs.get("brandpunt.worker").error(
            "no command key in the keyring: commands are taken unsigned, so anyone who reaches Temporal can "
            "act as anyone; run `brandpunt keys init` and give the API hosts the key (docs/notes/keys.md)")
    if payload_key() is None:
        logs.get("brandpunt.worker").error(
            "no payload key: cases' data travels through Temporal in the clear (company names in its history); "
            "run `brandpunt keys init` and give every worker and API host the keyring (docs/notes/keys.md)")
    logs.get("brandpunt.worker").info(
        "worker started; Ctrl-C stops it",
        temporal_address=settings.temporal_address,
        namespace=settings.temporal_namespace,
        task_queue=settings.task_queue,
        ledger=safe_url(settings.ledger_url),
        version=".".join(deployment) if deployment else "unversioned",
    )
    worker = build_worker(
        client, ledger, settings.task_queue, rules=rules, graceful_shutdown_timeout=GRACEFUL_SHUTDOWN,
        signer=signer, trusted=trusted, tree_head_interval=tree_head_interval(), tree_head_copy=tree_head_copy(),
        version=deployment, command_keys=commands,
    )
    health = _serve_health(settings, worker, stop, ledger)
    try:
        await run_until_stopped(worker, stop)
    finally:
        if health is not None:
            health.close()
    ledger.dispose()


def _serve_health(settings: Settings, worker: Worker, stop: asyncio.Event, ledger: Ledger) -> Health | None:
    """``/healthz``, ``/readyz`` and ``/metrics`` on ``BRANDPUNT_HEALTH_PORT`` (off when unset);
    see observability.health and ledger.ops."""
    port = settings.extra.get("health_port")
    if not port:
        return None
    from ledger import ops
    from observability import logs
    from observability.health import Health

    c = Channels.from_env()
    channels = [name for name, on in (("email", c.smtp_host), ("webhook", c.webhook_url)) if on]
    health = Health(
        ready=lambda: worker.is_running and not worker.is_shutdown and not stop.is_set(),
        metrics=lambda: ops.prometheus_text(ledger, channels),
    )
    bound = health.start(int(port))
    logs.get("brandpunt.worker").info("health endpoint listening", port=bound, paths="/healthz /readyz /metrics")
    return health
