"""How workflow code runs in the worker and the Replayer: one function builds the runner for both.

By default the SDK's sandbox re-imports the workflow's module (and everything it imports that is
not passed through) for every workflow instance it creates: every case started or brought back
into the worker's cache. For ``workflows/lead_case.py`` that is a fresh compile and execution of
the module each time (our machines set ``PYTHONDONTWRITEBYTECODE=1``), about 29 % of a busy
worker's Python time. ``PASSTHROUGH`` lists the project's deterministic modules, which are imported
once, outside the sandbox, and shared by every workflow instance. A passed-through module must
therefore hold no mutable state (``tests/test_workflow_lint.py`` checks for module-level mutable
values and ``global``), and the sandbox's import-time restrictions (``datetime.now`` and friends
behind proxies) no longer see into it: ``tests/test_workflow_lint.py`` does that job by reading
the source, and the recorded histories (``tests/test_replay.py``) catch a changed decision. What
the sandbox still guards is written down in ``docs/notes/sandbox.md``.
"""

from __future__ import annotations

import sys
from typing import Literal

from temporalio.worker import WorkflowRunner
from temporalio.worker.workflow_sandbox import SandboxedWorkflowRunner, SandboxRestrictions

SandboxMode = Literal["passthrough", "full"]
MODES: tuple[SandboxMode, ...] = ("passthrough", "full")

ALWAYS_PASSTHROUGH = (
    # All of it, never a part, in both modes. Its Rust bindings (PyO3) cannot be initialised twice,
    # so the SDK's default sandbox cannot import it in workflow code at all, and a partly
    # passed-through package has two copies of its exception classes (InvalidSignature inside the
    # sandbox is not the one the bindings raise), which once crashed a worker on a forged signature.
    "cryptography",
)
PROJECT_PASSTHROUGH = (
    # Pure decisions and the pydantic models of commands, events and state.
    "domain",
    # The workflows and what they use: case_io (input/result models), search_attributes,
    # reporting (its models), this module. Linted like domain/.
    "workflows",
    # Activity classes and their argument/result models, referenced by the workflows as
    # stubs (``workflow.execute_activity_method(LedgerActivities.record_events, ...)``); their
    # bodies run in the activity thread pool, never in workflow code. These were passed through
    # already, by ``imports_passed_through`` in the workflow modules.
    "activities",
)
PASSTHROUGH = ALWAYS_PASSTHROUGH + PROJECT_PASSTHROUGH
"""Top-level packages passed through (the SDK passes their children too)."""


def _during_mutation_run() -> tuple[str, ...]:
    """``mutmut`` while a mutation run (tests/mutation/run.sh) has loaded it, else nothing: mutated
    code calls its trampoline, which reads the active mutant from ``os.environ``; re-imported inside
    the sandbox that read is refused, and every mutant of workflow code would fail for that reason."""
    return ("mutmut",) if "mutmut" in sys.modules else ()


def restrictions(mode: SandboxMode = "passthrough") -> SandboxRestrictions:
    """The SDK's default restrictions with ``cryptography`` passed through, and in ``passthrough``
    (production) the project's packages too; ``full`` re-imports them for every workflow."""
    if mode == "full":
        return SandboxRestrictions.default.with_passthrough_modules(*ALWAYS_PASSTHROUGH, *_during_mutation_run())
    if mode == "passthrough":
        return SandboxRestrictions.default.with_passthrough_modules(*PASSTHROUGH, *_during_mutation_run())
    raise ValueError(f"sandbox mode {mode!r}: one of {', '.join(MODES)}")


def workflow_runner(mode: SandboxMode = "passthrough") -> WorkflowRunner:
    """The runner for :class:`temporalio.worker.Worker` and :class:`temporalio.worker.Replayer`.

    Still the SDK's sandbox in both modes: restricted builtins and module members apply to
    anything not passed through, and the sandbox keeps its runtime checks (see the module doc).
    """
    return SandboxedWorkflowRunner(restrictions=restrictions(mode))

