"""LeadCaseWorkflow: one durable workflow per lead, from detection to its outcome.

The workflow only decides. Coordinator commands arrive as the ``execute`` update; its validator
runs :func:`domain.decide.check`, so a refused command is rejected before it reaches history or
the ledger. Accepted commands become events (sequence numbers and workflow time assigned here),
which the ``record_events`` activity appends to the ledger before the state moves on. The state is
``domain.state.fold`` of exactly those events, so the ``state`` query and the ledger cannot differ.
"""

from __future__ import annotations

import asyncio
from datetime import datetime, timedelta
from typing import Any

from temporalio import workflow
from temporalio.common import SearchAttributeUpdate
from temporalio.exceptions import ActivityError, ApplicationError

with workflow.unsafe.imports_passed_through():
    from activities.deployment import CaseSettings, DeploymentActivities
    from activities.ledger import CASE_MISMATCH, Erasure, LedgerActivities, ReminderRecord
    from activities.matchmaking import MatchInput, MatchmakingActivities
    from activities.notify import DeliveryRequest, Notification, NotifyActivities
    from domain import case_ids, signing
    from domain.access import Action, Actor, Role, may
    from domain.commands import (
        OPERATOR_COMMANDS,
        SYSTEM_COMMANDS,
        ArticulateNeeds,
        ChooseLocation,
        Command,
        DetectLead,
        ErasePersonalData,
        ProposeMatches,
        Realise,
        RecordDelivery,
        RecordDeliveryFailure,
        RecordReminder,
        RevokeShare,
        ShareCase,
        UpdateLead,
        parse_command,
    )
    from domain.decide import CommandRejected, Context, check, decide
    from domain.events import Event
    from domain.reminders import (
        OUTBOX_CHANNEL,
        PlannedReminder,
        ReminderRules,
        channels_for,
        pending,
        redeliveries,
        retry_at,
    )
    from domain.state import CaseState, agrees, apply, fold
    from keys.trust import trusted
    from workflows import search_attributes
    from workflows.case_io import CaseInput, CommandResult
    from workflows.policies import DELIVERY, LEDGER_READ, LEDGER_WRITE, SETTINGS

REMINDER_ACTOR = "brandpunt-reminders"
PATCH_CHANGED_SEARCH_ATTRIBUTES = "upsert-changed-search-attributes-only"
PATCH_KEEP_TIMER = "keep-reminder-timer-across-commands"
PATCH_V3 = "hardening-v3"
"""Cases started (or continued) since this patch: reminder rules and channels come from the
deployment (``case_settings``, at the start of a run and at every wake-up) instead of the starter's
input; state carried into a run is checked against the ledger's chain; a reminder is recorded
together with its outbox message in one activity and its e-mail/webhook delivery runs apart from
the case lock, with failures recorded (``ReminderFailed``) and retried by rule."""
PATCH_PAST_NEEDED_BY = "refuse-past-needed-by"
"""Cases that handle a needs articulation since this patch refuse a ``needs.needed_by`` before today
(workflow time), as a past consultation due date always was (``Context.refuse_past_needed_by``).
Evaluated at the first ``articulate-needs`` a run handles; histories from before took the needs
with any date and replay so."""
PATCH_PROGRAMME_FACTS = "programme-facts"
"""Cases that handle a start, an update or a realisation since this patch record the facts the
Ministry's figures rest on (``Context.programme_facts``, issue 14): a realisation needs its
counterfactual, derives ``new_scaleup`` from the company types (an override needs a reason) and
says, in the own region, whether it is at the current site; a new lead or a changed domain names
pharma or defence, not the merged strategic-autonomy. Asked at the first such command a run
handles; histories from before realised and started cases without these checks and replay so."""
PATCH_PROPOSE_SHARING = "propose-sharing"
"""Cases that handle a location choice since this patch record ``SharingProposed`` when the location
lies outside the lead's home region (``Context.propose_sharing``, issue 13: "choosing a location in
another region proposes sharing with that region's ROM"). Asked at the first location choice a run
handles; histories from before chose such locations without the proposal and replay so."""
FACT_COMMANDS = (DetectLead, UpdateLead, Realise)
"""The commands whose decision depends on PATCH_PROGRAMME_FACTS."""
REJECTED = "CommandRejected"
"""ApplicationError type of a refused command; the CLI maps it to exit code 2."""


@workflow.defn
class LeadCaseWorkflow:
    # Worker versioning (opt-in, deploy/RUNBOOK.md): AUTO_UPGRADE, the versioned worker's default
    # (worker.versioned). A case lives for months, so at its next workflow task it moves to the current
    # version's workers (and back on an undo). Safe only because every change to its decisions is behind
    # ``workflow.patched`` (PATCH_* above) and replayed against recorded histories (tests/test_replay.py).
    # Not ``@workflow.defn(versioning_behavior=...)``: the server refuses every workflow task completion
    # of an *unversioned* worker that names a behaviour, and workers are unversioned by default.

    @workflow.init
    def __init__(self, input: CaseInput) -> None:
        # A case is its workflow: the id comes from Temporal, never from the input. Input naming
        # another case (to write into that case's chain) is refused by the validator and the run.
        self._case_id = workflow.info().workflow_id
        self._foreign_input = input.case_id != self._case_id or not case_ids.valid(self._case_id)
        self._config = input.config
        self._state: CaseState | None = input.state
        self._events: list[Event] = []  # recorded in this run (earlier runs: the ledger)
        self._lock = asyncio.Lock()
        self._changed = False  # set when an event is recorded: the reminder plan may change
        self._upserted: list[SearchAttributeUpdate[Any]] | None = None  # upserted in this run
        self._timer: asyncio.Task[None] | None = None  # the pending reminder/retention wake-up
        self._timer_at: datetime | None = None
        self._v3 = False  # set by run(): see PATCH_V3
        self._settings: CaseSettings | None = None  # the deployment's rules and channels (v3)
        self._settings_stale = True
        self._deliveries: dict[str, asyncio.Task[None]] = {}  # e-mail/webhook deliveries under way
        self._stuck_reminders: set[str] = set()  # reminders the ledger refused in this run
        self._refuse_past_needed_by: bool | None = None  # see PATCH_PAST_NEEDED_BY; None: not yet asked
        self._programme_facts: bool | None = None  # see PATCH_PROGRAMME_FACTS; None: not yet asked
        self._propose_sharing: bool | None = None  # see PATCH_PROPOSE_SHARING; None: not yet asked

    @workflow.run
    async def run(self, input: CaseInput) -> CaseState | None:
        if self._foreign_input:
            raise ApplicationError(
                f"this workflow is case {self._case_id[:100]}; its input names case {input.case_id[:100]} "
                "(a case id must be a valid case id and equal its workflow id)",
                type=CASE_MISMATCH,
                non_retryable=True,
            )
        self._v3 = workflow.patched(PATCH_V3)
        if self._v3 and (input.state is not None or input.resume):
            await self._check_against_ledger(input)
        if self._state is None:
            try:
                await workflow.wait_condition(
                    lambda: self._state is not None, timeout=self._config.detect_timeout
                )
            except TimeoutError:
                workflow.logger.warning("no lead arrived; case %s ends empty", self._case_id)
                return None
        while True:
            if self._history_full():
                await workflow.wait_condition(self._quiet)
                workflow.continue_as_new(
                    CaseInput(case_id=self._case_id, config=self._config, state=self._state)
                )
            if self._v3 and self._settings_stale:
                self._settings = await workflow.execute_local_activity_method(
                    DeploymentActivities.case_settings,
                    start_to_close_timeout=timedelta(seconds=10),
                    retry_policy=SETTINGS,
                )
                self._settings_stale = False
            state = self._require_state()
            now = workflow.now()
            wake_at = None
            if state.open:
                owed = [r for r in pending(state, self._rules()) if r.key not in self._stuck_reminders]
                if owed and owed[0].due_at <= now:
                    await self._remind(owed[0])
                    continue
                wake_at = owed[0].due_at if owed else None
                if self._v3:
                    wake_at = self._redeliver_due(state, now, wake_at)
            else:
                wake_at = state.stage_entered_at + self._config.closed_retention
                if wake_at <= now:
                    await workflow.wait_condition(self._quiet)
                    if not self._require_state().open:
                        return self._state
                    continue
            self._changed = False
            if workflow.patched(PATCH_KEEP_TIMER):
                if await self._wait_for_change_or(wake_at):
                    self._settings_stale = True  # woken by time: adopt the deployment's current rules
                continue
            try:
                await workflow.wait_condition(
                    lambda: self._changed or self._history_full(),
                    timeout=(wake_at - now) if wake_at else None,
                )
            except TimeoutError:
                pass

    def _quiet(self) -> bool:
        """No command handler and no delivery under way: the run may end or continue as new."""
        return workflow.all_handlers_finished() and not self._deliveries

    def _rules(self) -> ReminderRules:
        if self._v3:
            assert self._settings is not None
            return self._settings.rules
        return self._config.reminders

    async def _check_against_ledger(self, input: CaseInput) -> None:
        """State carried into this run (or resumed) must be the fold of the case's ledger chain.

        Nobody can start a case's workflow with made-up state: it is checked against the
        ledger (or, with ``resume``, taken from it) before any command is served.
        """
        async with self._lock:
            loaded = await workflow.execute_activity_method(
                LedgerActivities.load_case,
                self._case_id,
                start_to_close_timeout=timedelta(seconds=60),
                retry_policy=LEDGER_WRITE,  # transient outages retry without end, like writes
            )
            if input.resume and input.state is None:
                if loaded.state is None:
                    raise ApplicationError(
                        f"case {self._case_id} has no events in the ledger: nothing to resume",
                        type="NothingToResume", non_retryable=True,
                    )
                self._state = loaded.state
                return
            if loaded.state is not None and input.state is not None and agrees(input.state, loaded.state):
                # a state carried from code before a field was kept (domain.state.ADDED_LATER) lacks
                # it: the fold holds it
                self._state = loaded.state
                return
            if loaded.state != input.state:
                carried = input.state.last_seq if input.state else 0
                held = loaded.state.last_seq if loaded.state else 0
                raise ApplicationError(
                    f"the state carried into case {self._case_id} (up to seq {carried}) is not the fold of "
                    f"its ledger chain (up to seq {held}); refusing to run on it",
                    type="CarriedStateMismatch", non_retryable=True,
                )

    def _redeliver_due(self, state: CaseState, now: datetime, wake_at: datetime | None) -> datetime | None:
        """Start the redeliveries that are due; return the wake-up time including the next one."""
        for at, key in redeliveries(state):
            if key in self._deliveries:
                continue
            if at <= now:
                self._start_delivery(key, state.failed_deliveries[key].channels)
            else:
                return at if wake_at is None or at < wake_at else wake_at
        return wake_at

    async def _wait_for_change_or(self, wake_at: datetime | None) -> bool:
        """Wait until a command changes the case, the history fills up, or ``wake_at`` comes;
        True when ``wake_at`` came.

        The timer for ``wake_at`` outlives commands that leave it unchanged (a phase change, a
        consultation answer): one timer per wake-up time, not a cancelled and restarted one per
        command (two history events and two server writes fewer per command).
        """
        if wake_at != self._timer_at:
            if self._timer is not None:
                self._timer.cancel()
            self._timer, self._timer_at = None, wake_at
            if wake_at is not None:
                self._timer = asyncio.create_task(workflow.sleep(wake_at - workflow.now()))
        timer = self._timer
        await workflow.wait_condition(
            lambda: self._changed or self._history_full() or (timer is not None and timer.done())
        )
        if timer is not None and timer.done():
            self._timer, self._timer_at = None, None
            return True
        return False

    async def _remind(self, reminder: PlannedReminder) -> None:
        if self._v3:
            await self._issue_reminder(reminder)
        else:
            await self._remind_v2(reminder)

    async def _issue_reminder(self, reminder: PlannedReminder) -> None:
        """Record an owed reminder with its outbox message (one activity, under the case lock),
        then hand it to e-mail/webhook apart from the lock: a dead mail server never delays a
        coordinator's command."""
        settings = self._settings
        assert settings is not None
        channels = channels_for(reminder.recipient, settings.channels)
        async with self._lock:
            state = self._require_state()
            if reminder not in pending(state, settings.rules):
                return  # a command changed the case meanwhile
            command = _reminder_command(reminder, [OUTBOX_CHANNEL, *channels], settings.rules_version)
            note = self._notification(reminder, state)
            try:
                await self._record(decide(state, command, self._context()), notification=note)
            except ActivityError as err:
                # The ledger refused it for good (a bug or bad data): say so, keep serving commands.
                workflow.logger.error("reminder %s not recorded: %s", reminder.key, _short(err))
                self._stuck_reminders.add(reminder.key)
                return
        if channels:
            self._start_delivery(reminder.key, channels)

    def _notification(self, reminder: PlannedReminder, state: CaseState) -> Notification:
        return Notification(
            message_id=f"{self._case_id}/{reminder.key}",
            case_id=self._case_id,
            key=reminder.key,
            recipient=reminder.recipient,
            subject=reminder.subject,
            body=f"{reminder.subject}\n\nCase {self._case_id}, stage {state.stage.value}.",
            escalation=reminder.escalation,
        )

    def _start_delivery(self, key: str, channels: list[str]) -> None:
        self._deliveries[key] = asyncio.create_task(self._deliver(key, channels))

    async def _deliver(self, key: str, channels: list[str]) -> None:
        """Deliver one reminder by e-mail/webhook (bounded attempts); record a failure, or the
        success of a redelivery, under the case lock."""
        try:
            error: str | None = None
            try:
                await workflow.execute_activity_method(
                    NotifyActivities.deliver_external,
                    DeliveryRequest(message_id=f"{self._case_id}/{key}", case_id=self._case_id, channels=channels),
                    start_to_close_timeout=timedelta(seconds=20),
                    retry_policy=DELIVERY,
                )
            except ActivityError as err:
                error = _short(err)
            async with self._lock:
                state = self._require_state()
                failed = state.failed_deliveries.get(key)
                command: RecordDelivery | RecordDeliveryFailure | None = None
                if error is None and failed is not None:
                    command = RecordDelivery(actor=REMINDER_ACTOR, key=key, channels=channels)
                elif error is not None:
                    failures = (failed.failures if failed else 0) + 1
                    command = RecordDeliveryFailure(
                        actor=REMINDER_ACTOR,
                        reason=f"delivery round {failures} failed",
                        key=key,
                        channels=channels,
                        error=error,
                        retry_at=retry_at(self._rules(), failures, workflow.now()),
                    )
                if command is not None:
                    try:
                        await self._record(decide(state, command, self._context()))
                    except (CommandRejected, ActivityError) as err:
                        workflow.logger.warning("delivery outcome of %s not recorded: %s", key, err)
        finally:
            del self._deliveries[key]

    async def _remind_v2(self, reminder: PlannedReminder) -> None:
        """Deliver one owed reminder, then record it (``ReminderSent``) so it is never sent again.
        (Histories from before PATCH_V3.)"""
        async with self._lock:
            state = self._require_state()
            if reminder not in pending(state, self._config.reminders):
                return  # a command changed the case meanwhile
            delivery = await workflow.execute_activity_method(
                NotifyActivities.deliver_notification,
                self._notification(reminder, state),
                start_to_close_timeout=timedelta(seconds=15),
                retry_policy=DELIVERY,
            )
            command = _reminder_command(reminder, delivery.channels)
            await self._record(decide(state, command, self._context()))

    def _history_full(self) -> bool:
        info = workflow.info()
        return (
            info.is_continue_as_new_suggested()
            or info.get_current_history_length() >= self._config.max_history_events
        )

    def _require_state(self) -> CaseState:
        assert self._state is not None
        return self._state

    def _context(self) -> Context:
        # Before the patch is evaluated (no needs articulation handled in this run yet) the validator
        # applies the new rule: validators do not run on replay, and a live handler will take the patch.
        return Context(
            case_id=self._case_id, at=workflow.now(), refuse_past_needed_by=self._refuse_past_needed_by is not False,
            programme_facts=self._programme_facts is not False, propose_sharing=self._propose_sharing is not False,
        )

    def _adopt_patches_for(self, command: Command) -> None:
        """Ask the patches a command's decision depends on (only in a handler: a validator may not)."""
        if isinstance(command, ArticulateNeeds) and self._refuse_past_needed_by is None:
            self._refuse_past_needed_by = workflow.patched(PATCH_PAST_NEEDED_BY)
        if isinstance(command, FACT_COMMANDS) and self._programme_facts is None:
            self._programme_facts = workflow.patched(PATCH_PROGRAMME_FACTS)
        if isinstance(command, ChooseLocation) and self._propose_sharing is None:
            self._propose_sharing = workflow.patched(PATCH_PROPOSE_SHARING)

    # --- commands ------------------------------------------------------------------------

    @workflow.update
    async def execute(self, raw: dict[str, Any]) -> CommandResult:
        """Run one coordinator command: decide, record in the ledger, then fold.

        The command arrives as plain JSON and is parsed here and in the validator, so a malformed
        one is refused with a short message naming its fields (not the SDK's decoding dump).
        """
        command = _parse(raw)
        async with self._lock:  # one command at a time; the next one sees this one's state
            if self._already_applied(command):
                return CommandResult(events=[], state=self._require_state(), duplicate=True)
            self._adopt_patches_for(command)
            try:
                if isinstance(command, ProposeMatches):
                    check(self._state, command, self._context())
                    command = await self._with_proposals(command)
                events = decide(self._state, command, self._context())
            except CommandRejected as rejected:
                # Only reachable when an earlier command changed the state after validation.
                raise _rejection(rejected) from None
            if isinstance(command, ErasePersonalData):
                await self._record_erasure(events, command.keys)
            else:
                await self._record(events)
            workflow.logger.info(
                "%s recorded %s",
                command.type,
                ", ".join(f"{e.type}#{e.seq}" for e in events),
                extra={"case_id": self._case_id, "actor": command.actor},
            )
            return CommandResult(events=events, state=self._require_state())

    @execute.validator
    def _validate(self, raw: dict[str, Any]) -> None:
        if self._foreign_input:
            raise _rejection(CommandRejected("case-mismatch", "this workflow's input names another case"))
        command = _parse(raw)
        if isinstance(command, SYSTEM_COMMANDS):
            raise _rejection(
                CommandRejected("system-only", f"{command.type} is recorded by the case itself, not sent in")
            )
        self._check_sender(command)
        if self._already_applied(command):
            return  # a client's retry of a command this case applied: answered, not applied again
        try:
            check(self._state, command, self._context())
        except CommandRejected as rejected:
            raise _rejection(rejected) from None

    def _check_sender(self, command: Command) -> None:
        """The last line (issue 13): a command must be signed by a key this worker trusts
        (``keys.trust``; ``domain.signing``), for this case, this command and this actor, and not
        expired; one the API host signed for a person must be allowed by ``domain.access.may`` on
        the case's recorded owner and shares, at workflow time. A validator's check: validators do
        not run on replay, so this alters no recorded decision and needs no patch (a refused command
        never reaches the history)."""
        keys = trusted(workflow.info().task_queue)
        if keys is None:
            return  # a worker without command keys (it says so at start)
        signed = command.signature
        problem = signing.mismatch(signed, command, self._case_id, workflow.now())
        if problem is None and signed is not None:
            problem = keys.problem(signed.statement.key_id, signing.statement_bytes(signed.statement),
                                   signed.signature)
        if problem is not None:
            raise _rejection(CommandRejected("unsigned" if signed is None else "bad-signature", problem, "signature"))
        assert signed is not None
        if isinstance(command, OPERATOR_COMMANDS) and signed.statement.via == "api":
            raise _rejection(CommandRejected("operator-only", f"{command.type} is an operator's, never sent "
                                             "through the API host", "type"))
        state = self._state
        if signed.statement.via != "api" or state is None or state.owner is None or command.organisation is None:
            return  # an operator's; a start (the API host checked it); an owner not recorded yet (its rule)
        action = Action.SHARE if isinstance(command, ShareCase | RevokeShare) else Action.ACT
        actor = Actor(subject=command.actor, organisation=command.organisation, roles=frozenset({Role.COORDINATOR}))
        decision = may(actor, action, state.access(state.owner), workflow.now())
        if not decision:
            raise _rejection(CommandRejected("not-allowed", f"{command.organisation}: {decision.reason}", "organisation"))

    def _already_applied(self, command: Command) -> bool:
        return (
            command.command_id is not None
            and self._state is not None
            and command.command_id in self._state.recent_command_ids
        )

    async def _with_proposals(self, command: ProposeMatches) -> ProposeMatches:
        state = self._require_state()
        assert state.needs is not None
        result = await workflow.execute_activity_method(
            MatchmakingActivities.match_hotspots,
            MatchInput(lead=state.lead, needs=state.needs),
            start_to_close_timeout=timedelta(seconds=10),
            retry_policy=LEDGER_READ,
        )
        return command.model_copy(
            update={"proposals": result.proposals, "bottleneck": result.bottleneck}
        )

    async def _record(self, events: list[Event], notification: Notification | None = None) -> None:
        """Write ``events`` to the ledger, then fold them into the state and the search attributes.

        A regular activity, on purpose: it is scheduled only once the workflow task that decided
        the events is recorded in history, so a retry writes exactly the same events. A local
        activity would write before that task is recorded; a worker dying then makes the retried
        task decide again (new workflow time), and the ledger would rightly refuse the different
        event under the same id (see docs/ARCHITECTURE.md).
        """
        if notification is None:
            await workflow.execute_activity_method(
                LedgerActivities.record_events,
                events,
                start_to_close_timeout=timedelta(seconds=10),
                retry_policy=LEDGER_WRITE,
            )
        else:
            await workflow.execute_activity_method(
                LedgerActivities.record_reminder,
                ReminderRecord(events=events, notification=notification),
                start_to_close_timeout=timedelta(seconds=10),
                retry_policy=LEDGER_WRITE,
            )
        state = self._state
        for event in events:
            state = apply(state, event)
        self._state = state
        self._changed = True
        self._events.extend(events)
        self._upsert_search_attributes()

    async def _record_erasure(self, events: list[Event], keys: list[str]) -> None:
        """Record a ``PersonalDataErased`` and destroy its keys (one activity, one transaction),
        then take the ledger's fold as the state: the erased values read ``[erased]`` there, and the
        case must not carry them on (into a later event, or a continue-as-new input)."""
        loaded = await workflow.execute_activity_method(
            LedgerActivities.record_erasure,
            Erasure(events=events, keys=keys),
            start_to_close_timeout=timedelta(seconds=30),
            retry_policy=LEDGER_WRITE,
        )
        self._state = loaded.state if loaded.state is not None else fold(events, self._state)
        self._changed = True
        self._events = list(events)  # what this run recorded before holds the erased values: forgotten
        self._upsert_search_attributes()

    def _upsert_search_attributes(self) -> None:
        """Upsert the attributes that changed (each one is a visibility write on the server).

        The first upsert of a run sends them all, so a run started by continue-as-new is complete
        whatever it inherited. Histories from before the patch upserted all of them every time.
        """
        pairs = search_attributes.pairs_for(self._require_state())
        if workflow.patched(PATCH_CHANGED_SEARCH_ATTRIBUTES):
            upserted = self._upserted
            self._upserted = pairs
            pairs = [p for p in pairs if upserted is None or p not in upserted]
            if not pairs:
                return
        workflow.upsert_search_attributes(pairs)

    # --- reads -----------------------------------------------------------------------------

    @workflow.query
    def state(self) -> CaseState | None:
        return self._state

    @workflow.query
    def events(self) -> list[Event]:
        """Events recorded by this run; the full history is in the ledger."""
        return list(self._events)


def _parse(raw: object) -> Command:
    """The command in ``raw`` (JSON from the client), or a refusal naming the bad fields and
    limits (``domain.commands.parse_command``: the whole command's size first, then each field)."""
    try:
        return parse_command(raw)
    except CommandRejected as rejected:
        raise _rejection(rejected) from None


def _reminder_command(reminder: PlannedReminder, channels: list[str], rules_version: str | None = None) -> RecordReminder:
    """The system command that records an owed reminder, issued on ``channels``."""
    return RecordReminder(
        actor=REMINDER_ACTOR,
        reason=f"rule {reminder.rule}, due {reminder.due_at.isoformat()}",
        key=reminder.key,
        rule=reminder.rule,
        subject=reminder.subject,
        channel=",".join(channels),
        recipient=reminder.recipient,
        escalation=reminder.escalation,
        rules_version=rules_version,
    )


def _short(err: BaseException) -> str:
    """An activity failure's own message (the cause's), one line, without a payload."""
    cause = err.cause if isinstance(err, ActivityError) and err.cause else err
    return (str(getattr(cause, "message", None) or cause).splitlines() or ["failed"])[0][:300]


def _rejection(rejected: CommandRejected) -> ApplicationError:
    return ApplicationError(
        str(rejected),
        {"rule": rejected.rule, "field": rejected.field, "message": rejected.message,
         "template": rejected.template, "params": rejected.params, "problems": rejected.problems},
        type=REJECTED,
        non_retryable=True,
    )
