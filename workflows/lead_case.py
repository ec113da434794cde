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

from temporalio import workflow
from temporalio.common import RetryPolicy, SearchAttributeUpdate
from temporalio.exceptions import ApplicationError

with workflow.unsafe.imports_passed_through():
    from activities.ledger import LedgerActivities
    from activities.matchmaking import MatchInput, MatchmakingActivities
    from activities.notify import Notification, NotifyActivities
    from domain.commands import Command, ProposeMatches, RecordReminder
    from domain.decide import CommandRejected, Context, check, decide
    from domain.events import Event
    from domain.reminders import PlannedReminder, pending
    from domain.state import CaseState, apply
    from workflows import search_attributes
    from workflows.case_io import CaseInput, CommandResult

REMINDER_ACTOR = "brandpunt-reminders"
PATCH_CHANGED_SEARCH_ATTRIBUTES = "upsert-changed-search-attributes-only"
PATCH_KEEP_TIMER = "keep-reminder-timer-across-commands"
REJECTED = "CommandRejected"
"""ApplicationError type of a refused command; the CLI maps it to exit code 2."""

LEDGER_RETRY = RetryPolicy(
    initial_interval=timedelta(seconds=1),
    backoff_coefficient=2.0,
    maximum_interval=timedelta(seconds=30),
    non_retryable_error_types=["LedgerConflict", "LedgerGap"],
)


@workflow.defn
class LeadCaseWorkflow:
    @workflow.init
    def __init__(self, input: CaseInput) -> None:
        self._case_id = input.case_id
        self._config = input.config
        self._state: CaseState | None = input.state
        self._events: list[Event] = []  # recorded in this run (earlier runs: the ledger)
        self._lock = asyncio.Lock()
        self._changed = False  # set when an event is recorded: the reminder plan may change
        self._upserted: list[SearchAttributeUpdate] | None = None  # upserted in this run
        self._timer: asyncio.Task[None] | None = None  # the pending reminder/retention wake-up
        self._timer_at: datetime | None = None

    @workflow.run
    async def run(self, input: CaseInput) -> CaseState | None:
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
                await workflow.wait_condition(workflow.all_handlers_finished)
                workflow.continue_as_new(
                    CaseInput(case_id=self._case_id, config=self._config, state=self._state)
                )
            state = self._require_state()
            now = workflow.now()
            wake_at = None
            if state.open:
                owed = pending(state, self._config.reminders)
                if owed and owed[0].due_at <= now:
                    await self._remind(owed[0])
                    continue
                wake_at = owed[0].due_at if owed else None
            else:
                wake_at = state.stage_entered_at + self._config.closed_retention
                if wake_at <= now:
                    await workflow.wait_condition(workflow.all_handlers_finished)
                    if not self._require_state().open:
                        return self._state
                    continue
            self._changed = False
            if workflow.patched(PATCH_KEEP_TIMER):
                await self._wait_for_change_or(wake_at)
                continue
            try:
                await workflow.wait_condition(
                    lambda: self._changed or self._history_full(),
                    timeout=(wake_at - now) if wake_at else None,
                )
            except TimeoutError:
                pass

    async def _wait_for_change_or(self, wake_at: datetime | None) -> None:
        """Wait until a command changes the case, the history fills up, or ``wake_at`` comes.

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

    async def _remind(self, reminder: PlannedReminder) -> None:
        """Deliver one owed reminder, then record it (``ReminderSent``) so it is never sent again."""
        async with self._lock:
            state = self._require_state()
            if reminder not in pending(state, self._config.reminders):
                return  # a command changed the case meanwhile
            delivery = await workflow.execute_activity(
                NotifyActivities.deliver_notification,
                Notification(
                    message_id=f"{self._case_id}/{reminder.key}",
                    case_id=self._case_id,
                    key=reminder.key,
                    recipient=reminder.recipient,
                    subject=reminder.subject,
                    body=f"{reminder.subject}\n\nCase {self._case_id}, stage {state.stage.value}.",
                    escalation=reminder.escalation,
                ),
                start_to_close_timeout=timedelta(seconds=15),
                retry_policy=LEDGER_RETRY,
            )
            command = RecordReminder(
                actor=REMINDER_ACTOR,
                reason=f"rule {reminder.rule}, due {reminder.due_at.isoformat()}",
                key=reminder.key,
                rule=reminder.rule,
                subject=reminder.subject,
                channel=",".join(delivery.channels),
                recipient=reminder.recipient,
                escalation=reminder.escalation,
            )
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
        return Context(case_id=self._case_id, at=workflow.now())

    # --- commands ------------------------------------------------------------------------

    @workflow.update
    async def execute(self, command: Command) -> CommandResult:
        """Run one coordinator command: decide, record in the ledger, then fold."""
        async with self._lock:  # one command at a time; the next one sees this one's state
            try:
                if isinstance(command, ProposeMatches):
                    check(self._state, command, self._context())
                    command = await self._with_proposals(command)
                events = decide(self._state, command, self._context())
            except CommandRejected as rejected:
                # Only reachable when an earlier command changed the state after validation.
                raise _rejection(rejected) from None
            await self._record(events)
            workflow.logger.info(
                "%s recorded %s",
                command.type,
                ", ".join(f"{e.type}#{e.seq}" for e in events),
                extra={"case_id": self._case_id, "actor": command.actor},
            )
            return CommandResult(events=events, state=self._require_state())

    @execute.validator
    def _validate(self, command: Command) -> None:
        if isinstance(command, RecordReminder):
            raise _rejection(
                CommandRejected("system-only", "reminders are recorded by the case itself, not sent in")
            )
        try:
            check(self._state, command, self._context())
        except CommandRejected as rejected:
            raise _rejection(rejected) from None

    async def _with_proposals(self, command: ProposeMatches) -> ProposeMatches:
        state = self._require_state()
        assert state.needs is not None
        result = await workflow.execute_activity(
            MatchmakingActivities.match_hotspots,
            MatchInput(lead=state.lead, needs=state.needs),
            start_to_close_timeout=timedelta(seconds=10),
            retry_policy=LEDGER_RETRY,
        )
        return command.model_copy(
            update={"proposals": result.proposals, "bottleneck": result.bottleneck}
        )

    async def _record(self, events: list[Event]) -> None:
        """Write ``events`` to the ledger, then fold them into the state and the search attributes.

        A regular activity, on purpose: it is scheduled only once the workflow task that decided
        the events is recorded in history, so a retry writes exactly the same events. A local
        activity would write before that task is recorded; a worker dying then makes the retried
        task decide again (new workflow time), and the ledger would rightly refuse the different
        event under the same id (see ARCHITECTURE.md).
        """
        await workflow.execute_activity(
            LedgerActivities.record_events,
            events,
            start_to_close_timeout=timedelta(seconds=10),
            retry_policy=LEDGER_RETRY,
        )
        state = self._state
        for event in events:
            state = apply(state, event)
        self._state = state
        self._changed = True
        self._events.extend(events)
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


def _rejection(rejected: CommandRejected) -> ApplicationError:
    return ApplicationError(
        str(rejected),
        {"rule": rejected.rule, "field": rejected.field, "message": rejected.message},
        type=REJECTED,
        non_retryable=True,
    )
