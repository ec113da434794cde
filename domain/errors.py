"""The domain's one refusal, in a module of its own so models, commands and decide can all raise it."""

from __future__ import annotations


class CommandRejected(Exception):
    """A command the case refuses. ``rule`` is a stable slug; the message says what to do."""

    def __init__(self, rule: str, message: str, field: str | None = None) -> None:
        super().__init__(message)
        self.rule = rule
        self.field = field
        self.message = message

    def __str__(self) -> str:
        where = f" (field {self.field})" if self.field else ""
        return f"{self.message}{where} [rule {self.rule}]"
