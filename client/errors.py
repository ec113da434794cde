"""What can go wrong when a person's request goes through the client library, as types.

Two families, because people need to know which one they hit: :class:`BadInput` (the request was
refused, the message names the field or the rule, nothing was recorded; the CLI exits 2, an API
answers 4xx) and every other :class:`CaseError` (the system could not answer: Temporal
unreachable, no answer in time, a failure; the CLI exits 1, an API answers 5xx). Light on purpose
(no Temporal, no database driver): every layer above may import it.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any


@dataclass(frozen=True)
class Said:
    """What a refusal says, for any language: its English template and parameters
    (``domain.errors.CommandRejected``), and for invalid input each field's problem by its stable type
    (``domain.messages``). ``reports.templating.said`` renders it in the reader's language."""

    template: str
    params: dict[str, Any] = field(default_factory=dict)
    problems: list[dict[str, Any]] = field(default_factory=list)

    @classmethod
    def of(cls, rejected: Any) -> Said:
        """From a ``CommandRejected`` (or anything with its three attributes)."""
        return cls(rejected.template, dict(rejected.params), list(rejected.problems))

    @classmethod
    def parse(cls, data: object) -> Said | None:
        """From its JSON form (the workflow's rejection details, the API's problem), if any."""
        if not isinstance(data, dict) or not isinstance(data.get("template"), str):
            return None
        params, problems = data.get("params"), data.get("problems")
        return cls(data["template"], params if isinstance(params, dict) else {},
                   [p for p in problems if isinstance(p, dict)] if isinstance(problems, list) else [])

    def as_json(self) -> dict[str, Any]:
        return {"template": self.template, "params": self.params, "problems": self.problems}


class CaseError(Exception):
    """A failure to report to the person who asked; the message is written for them."""


class BadInput(CaseError):
    """The request was refused before anything was recorded; ``field`` names the input at fault."""

    def __init__(self, message: str, field: str | None = None, said: Said | None = None) -> None:
        super().__init__(message)
        self.field = field
        self.said = said  # the refusal in any language, when it came from the domain


class CommandRefused(BadInput):
    """The case refused the command (``domain.decide``'s rule, e.g. ``wrong-stage``)."""

    def __init__(self, case_id: str, rule: str, message: str, field: str | None = None,
                 said: Said | None = None) -> None:
        super().__init__(f"refused for {case_id}: {message}", field, said)
        self.case_id = case_id
        self.rule = rule


class CaseNotFound(BadInput):
    """No case under this id (neither in Temporal nor in the ledger)."""

    def __init__(self, case_id: str, where: str | None = None) -> None:
        at = f" in the ledger at {where}" if where else ""
        super().__init__(f"no case {case_id}{at} (see `brandpunt lead list`)", "case_id")
        self.case_id = case_id


class CaseExists(BadInput):
    def __init__(self, case_id: str) -> None:
        super().__init__(f"case {case_id} already exists; pick another --case-id", "case_id")
        self.case_id = case_id


class CaseEnded(BadInput):
    """The case's workflow has ended (closed and past its reopening period): read-only."""

    def __init__(self, case_id: str) -> None:
        super().__init__(f"case {case_id} has ended (closed and past its reopening period); it is read-only")
        self.case_id = case_id


class Unauthenticated(BadInput):
    """No verified identity: no credentials, or expired, revoked or forged ones (the API's 401).
    Nothing was read or recorded; the message says how to sign in."""


class Forbidden(BadInput):
    """The verified caller may not do this (the API's 403): ``rule`` names why, nothing was recorded."""

    def __init__(self, message: str, field: str | None = None, rule: str = "not-allowed") -> None:
        super().__init__(message, field)
        self.rule = rule


class Unreachable(CaseError):
    """The Temporal server (or the API host) did not answer; the message says how to start one."""


TemporalUnreachable = Unreachable
"""The name wave 1 used (tests and scripts may still say it)."""


DEADLINE = 60.0
"""Seconds a client waits for a command's answer before it says the command may still take effect
(:class:`CommandTimeout`)."""


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
