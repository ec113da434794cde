"""The CLI's two kinds of failure, kept apart from everything heavy so every command can import them.

``BadInput`` (exit code 2): the input or the command was refused; the message names the field or the
rule, and nothing was recorded. ``CaseError`` (exit code 1): anything else went wrong.
"""

from __future__ import annotations


class CaseError(Exception):
    """A failure to report to the user; ``exit_code`` 2 for bad input, 1 for anything else."""

    exit_code = 1


class BadInput(CaseError):
    exit_code = 2


class TemporalUnreachable(CaseError):
    """The Temporal server did not answer; the message says how to start one."""


class CommandTimeout(CaseError):
    """No answer within the deadline: the command may still take effect (say its id, and how to check)."""

    def __init__(self, case_id: str, command_id: str, deadline: float) -> None:
        super().__init__(
            f"{case_id}: no answer within {deadline:.0f} s; the command may still take effect. "
            f"Its command id is {command_id}: check with `brandpunt lead show {case_id}`, or send it "
            f"again with --command-id {command_id} (it is never applied twice)"
        )
        self.case_id = case_id
        self.command_id = command_id
