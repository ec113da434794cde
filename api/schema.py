"""The request bodies' schemas for OpenAPI, from the domain's own command models.

Bodies are parsed by the domain (``client.api.command_from``: the workflow's own parser, its bounds
and its size limit), not by FastAPI, so the schema is given to OpenAPI here: each command the API
accepts, without ``actor`` and ``organisation`` (the verified identity fills them in).
"""

from __future__ import annotations

from typing import Any

from pydantic.json_schema import models_json_schema

from domain.commands import COMMAND_CLASSES, OPERATOR_COMMANDS, SYSTEM_COMMANDS, CommandBase, DetectLead

IDENTITY_FIELDS = ("actor", "organisation", "signature")
"""Set by the API host, never by the caller: who acts, for whom, and the host's signature of it."""
REF = "#/components/schemas/{model}"


def _without_identity(schema: dict[str, Any]) -> dict[str, Any]:
    props = {k: v for k, v in schema.get("properties", {}).items() if k not in IDENTITY_FIELDS}
    required = [k for k in schema.get("required", []) if k not in IDENTITY_FIELDS]
    out = {**schema, "properties": props}
    if required:
        out["required"] = required
    else:
        out.pop("required", None)
    return out


def _schemas(classes: tuple[type[CommandBase], ...]) -> tuple[dict[str, Any], dict[str, Any]]:
    """(the body's schema, the component schemas it refers to), the commands without identity fields."""
    _, top = models_json_schema([(c, "validation") for c in classes], ref_template=REF)
    defs: dict[str, Any] = top.get("$defs", {})
    names = {c.__name__ for c in classes}
    for name in names:
        defs[f"{name}Request"] = _without_identity(defs.pop(name))
    refs = [{"$ref": REF.format(model=f"{c.__name__}Request")} for c in classes]
    body: dict[str, Any] = refs[0] if len(refs) == 1 else {"oneOf": refs}
    return body, _rename(defs, names)


def _rename(node: Any, names: set[str]) -> Any:
    """``node`` with every ``$ref`` to one of ``names`` pointed at its ``...Request`` schema."""
    if isinstance(node, dict):
        out = {}
        for k, v in node.items():
            if k == "$ref" and isinstance(v, str) and v.rsplit("/", 1)[-1] in names:
                out[k] = REF.format(model=v.rsplit("/", 1)[-1] + "Request")
            else:
                out[k] = _rename(v, names)
        return out
    if isinstance(node, list):
        return [_rename(v, names) for v in node]
    return node


ACCEPTED = tuple(c for c in COMMAND_CLASSES
                 if c not in SYSTEM_COMMANDS and c not in OPERATOR_COMMANDS and c is not DetectLead)
"""The commands ``POST /api/cases/{case_id}/commands`` takes (a new case is ``POST /api/cases``)."""


def command_body() -> tuple[dict[str, Any], dict[str, Any]]:
    body, defs = _schemas(ACCEPTED)
    body = {**body, "discriminator": {"propertyName": "type"}} if "oneOf" in body else body
    return body, defs


def start_body() -> tuple[dict[str, Any], dict[str, Any]]:
    body, defs = _schemas((DetectLead,))
    start = defs.get("DetectLeadRequest", {})
    start.setdefault("properties", {})["case_id"] = {
        "type": "string", "description": "default: the ledger's next serial id BP-<year>-<nnnn> (ids name nobody)"}
    return body, defs
