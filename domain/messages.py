"""Message templates of the domain that readers see in their own language (``reports/locale``).

A refusal's template is its ``CommandRejected`` message (``domain.errors``); the validation errors
of commands are pydantic's, by their stable error type and its parameters (``ctx``: the limit, the
pattern, the values expected). :data:`VALIDATION` gives the English template of each type a reader
meets, for the catalogues: the English CLI keeps pydantic's own words; another language renders
these. ``N_`` marks a template for ``pybabel extract`` and returns it as it is.
"""

from __future__ import annotations

from collections.abc import Mapping
from types import MappingProxyType


def N_(message: str) -> str:  # noqa: N802 - gettext's name for "mark, do not translate here"
    return message


VALIDATION: Mapping[str, str] = MappingProxyType({
    "missing": N_("required"),
    "extra_forbidden": N_("not a field of this command"),
    "string_type": N_("must be text"),
    "string_too_short": N_("must be at least {min_length} character(s)"),
    "string_too_long": N_("must be at most {max_length} characters"),
    "string_pattern_mismatch": N_("is not in the expected form"),
    "too_short": N_("must have at least {min_length} item(s)"),
    "too_long": N_("must have at most {max_length} items"),
    "greater_than_equal": N_("must be at least {ge}"),
    "greater_than": N_("must be more than {gt}"),
    "less_than_equal": N_("must be at most {le}"),
    "less_than": N_("must be less than {lt}"),
    "int_type": N_("must be a whole number"),
    "int_parsing": N_("must be a whole number"),
    "int_from_float": N_("must be a whole number"),
    "float_parsing": N_("must be a number"),
    "float_type": N_("must be a number"),
    "bool_type": N_("must be true or false"),
    "bool_parsing": N_("must be true or false"),
    "date_parsing": N_("must be a date (YYYY-MM-DD)"),
    "date_from_datetime_parsing": N_("must be a date (YYYY-MM-DD)"),
    "date_type": N_("must be a date (YYYY-MM-DD)"),
    "datetime_parsing": N_("must be a date and time"),
    "enum": N_("must be one of: {expected}"),
    "literal_error": N_("must be one of: {expected}"),
    "dict_type": N_("must be an object of fields"),
    "list_type": N_("must be a list"),
    "union_tag_invalid": N_("is no command brandpunt knows"),
    "union_tag_not_found": N_("is missing: which command"),
})
"""Pydantic's error types -> the English template a reader's language renders (with ``ctx``)."""
