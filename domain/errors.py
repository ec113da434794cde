"""The domain's one refusal, in a module of its own so models, commands and decide can all raise it."""

from __future__ import annotations


class CommandRejected(Exception):
    """A command the case refuses. ``rule`` is a stable slug; the message says what to do.

    The message is a template with named parameters (``"case {case} is closed ({outcome})..."``,
    the parameters as keywords): the English text (``message``) for the CLI and the logs, and, from
    ``template`` and ``params``, the same sentence in the reader's language (the catalogues hold
    the templates: ``pybabel extract`` finds them as ``CommandRejected``'s second argument). A
    parameter that is a vocabulary value (a stage, a region, an outcome...) stays the value; the
    reader's side names it in their language. ``{field}`` in a template is the field."""

    def __init__(self, rule: str, message: str, field: str | None = None, /, **params: object) -> None:
        self.template = message
        self.params = {k: v.isoformat() if hasattr(v, "isoformat") else v for k, v in params.items()}
        self.problems: list[dict[str, object]] = []
        """For ``invalid-input``: each field's problem as pydantic's stable type and its parameters
        (``field``, ``type``, ``ctx``, ``message``): ``domain.messages.VALIDATION`` renders them."""
        text = message.format(field=field, **{k: ", ".join(map(str, v)) if isinstance(v, list) else v
                                              for k, v in self.params.items()}) if params else message
        super().__init__(text)
        self.rule = rule
        self.field = field
        self.message = text

    def __str__(self) -> str:
        where = f" (field {self.field})" if self.field else ""
        return f"{self.message}{where} [rule {self.rule}]"
