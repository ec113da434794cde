"""Every input bound (domain/bounds.py), on both sides of its limit, and the strict types.

A value at its limit is accepted; one past it is refused by ``domain.commands.parse_command`` (what
the CLI and the workflow's update validator call) with the field and the limit named. No servers.
"""

from __future__ import annotations

import copy
import json
import math
from datetime import timedelta
from typing import Any, TypeVar

import pytest
from pydantic import ValidationError
from temporalio.contrib.pydantic import pydantic_data_converter

from domain import bounds as b
from domain.commands import (
    ArticulateNeeds,
    ChangePhase,
    Command,
    CommandBase,
    DetectLead,
    ProposeMatches,
    RequestConsultation,
    command_size,
    explain,
    parse_command,
)
from domain.decide import CommandRejected
from domain.reminders import ReminderRules
from tests import factories as f

DUE = "2030-01-01"
BASE: dict[str, dict[str, Any]] = {
    "start": {"lead": f.LEAD},
    "update": {"lead": f.LEAD},
    "change-phase": {"phase": 3},
    "articulate-needs": {
        "needs": {
            "space": {"m2": 10},
            "capital": {"capex_eur": 10},
            "talent": {"mbo_fte": 1, "hbo_fte": 1, "wo_fte": 1},
            "housing": {"jobs": 1},
            "energy": {"grid_mva": 1.0},
            "financing": {"amount_eur": 10},
            "needed_by": DUE,
            "notes": "n",
        }
    },
    "propose-matches": {
        "limit": 3,
        "proposals": [
            {"hotspot": "twente", "region": "oost-nl", "score": 0.5, "viable": True, "reasons": ["r"]}
        ],
    },
    "choose-location": {"hotspot": "twente", "municipality": "Enschede"},
    "request-consultation": {"party": "municipality", "subject": "s", "due": DUE},
    "answer-consultation": {"consultation_id": "C1", "verdict": "positive", "answer": "a"},
    "realise": {"investment_eur": 1, "jobs": 1, "new_scaleup": True,
                "location": {"region": "oost-nl", "municipality": "Enschede"}},
    "record-reminder": {"key": "k", "rule": "r", "subject": "s", "channel": "email",
                        "recipient": "coordinator@example.org"},
    "note": {"text": "t", "kind": "meeting"},
    "correct-realisation": {"investment_eur": 1, "jobs": 1, "new_scaleup": True, "reason": "r"},
    "update-changes": {"changes": {"company": "c", "contact": {"name": "n", "phone": "1"}}},
}


def data(kind: str, path: str | None = None, value: Any = None) -> dict[str, Any]:
    """A valid ``kind`` command as JSON-like data, with ``value`` put at ``path`` (dotted)."""
    body = copy.deepcopy(BASE[kind]) | {"type": kind.removesuffix("-changes"), **f.ACTOR}
    if path is not None:
        *parents, last = path.split(".")
        node: Any = body
        for p in parents:
            node = node[int(p)] if p.isdigit() else node[p]
        node[int(last) if last.isdigit() else last] = value
    return body


C = TypeVar("C", bound=CommandBase)


def parsed(cls: type[C], body: Any) -> C:
    """``body`` parsed as a command, which must be of class ``cls`` (the parser picks it by ``type``)."""
    command = parse_command(body)
    assert isinstance(command, cls), command
    return command


def refused(body: Any) -> CommandRejected:
    with pytest.raises(CommandRejected) as err:
        parse_command(body)
    return err.value


def email(length: int) -> str:
    """A well-formed address of exactly ``length`` characters."""
    return "a" * (length - len("@example.org")) + "@example.org"


# (command, field path, the value at the limit, the value one past it, words the refusal names)
INT_LIMITS = [
    ("articulate-needs", "needs.space.m2", 1, b.M2_MAX),
    ("articulate-needs", "needs.space.cleanroom_iso_class", 1, 9),
    ("articulate-needs", "needs.space.environmental_category", 1, 6),
    ("articulate-needs", "needs.capital.capex_eur", 1, b.EUR_MAX),
    ("articulate-needs", "needs.talent.mbo_fte", 0, b.FTE_MAX),
    ("articulate-needs", "needs.talent.hbo_fte", 0, b.FTE_MAX),
    ("articulate-needs", "needs.talent.wo_fte", 0, b.FTE_MAX),
    ("articulate-needs", "needs.housing.jobs", 1, b.JOBS_MAX),
    ("articulate-needs", "needs.housing.housing_units", 0, b.HOUSING_UNITS_MAX),
    ("articulate-needs", "needs.financing.amount_eur", 1, b.EUR_MAX),
    ("realise", "investment_eur", 0, b.EUR_MAX),
    ("realise", "jobs", 0, b.JOBS_MAX),
    ("change-phase", "phase", 1, 4),
    ("start", "lead.phase", 1, 4),
    ("correct-realisation", "investment_eur", 0, b.EUR_MAX),
    ("correct-realisation", "jobs", 0, b.JOBS_MAX),
    ("propose-matches", "limit", 1, 6),
]

TEXT_LIMITS = [
    ("start", "lead.company", b.NAME_MAX),
    ("start", "lead.contact.name", b.NAME_MAX),
    ("start", "lead.contact.phone", b.PHONE_MAX),
    ("start", "actor", b.NAME_MAX),
    ("start", "organisation", b.NAME_MAX),
    ("start", "reason", b.REASON_MAX),
    ("start", "command_id", b.COMMAND_ID_MAX),
    ("update", "lead.company", b.NAME_MAX),
    ("update-changes", "changes.company", b.NAME_MAX),
    ("update-changes", "changes.contact.name", b.NAME_MAX),
    ("update-changes", "changes.contact.phone", b.PHONE_MAX),
    ("start", "source", b.SOURCE_MAX),
    ("note", "text", b.NOTE_MAX),
    ("correct-realisation", "reason", b.REASON_MAX),
    ("articulate-needs", "needs.notes", b.NOTES_MAX),
    ("choose-location", "municipality", b.MUNICIPALITY_MAX),
    ("realise", "location.municipality", b.MUNICIPALITY_MAX),
    ("request-consultation", "subject", b.SUBJECT_MAX),
    ("answer-consultation", "answer", b.ANSWER_MAX),
    ("answer-consultation", "consultation_id", b.CONSULTATION_ID_MAX),
    ("propose-matches", "proposals.0.reasons.0", b.MATCH_REASON_MAX),
    ("record-reminder", "key", b.LABEL_MAX),
    ("record-reminder", "rule", b.LABEL_MAX),
    ("record-reminder", "channel", b.LABEL_MAX),
    ("record-reminder", "subject", b.REMINDER_SUBJECT_MAX),
    ("record-reminder", "recipient", b.RECIPIENT_MAX),
]


@pytest.mark.parametrize("kind,path,low,high", INT_LIMITS, ids=[p for _, p, _, _ in INT_LIMITS])
def test_integer_bounds_on_both_sides(kind: str, path: str, low: int, high: int) -> None:
    for ok in (low, high):
        parse_command(data(kind, path, ok))
    for bad, word in ((high + 1, f"{high}"), (low - 1, f"{low}")):
        err = refused(data(kind, path, bad))
        assert err.rule == "invalid-input" and err.field == path, err
        assert word in err.message and path in err.message, err.message


@pytest.mark.parametrize("kind,path,limit", TEXT_LIMITS, ids=[p for _, p, _ in TEXT_LIMITS])
def test_text_lengths_on_both_sides(kind: str, path: str, limit: int) -> None:
    command = parse_command(data(kind, path, "x" * limit))
    assert "x" * limit in command.model_dump_json()  # kept whole, not cut
    err = refused(data(kind, path, "x" * (limit + 1)))
    assert err.field == path and f"at most {limit} characters" in err.message, err.message


def test_the_accepted_value_is_the_one_kept() -> None:
    """At the limit the command holds the value itself, not a truncated or coerced one."""
    space = parsed(ArticulateNeeds, data("articulate-needs", "needs.space.m2", b.M2_MAX)).needs.space
    assert space is not None and space.m2 == b.M2_MAX and type(space.m2) is int
    subject = parsed(RequestConsultation, data("request-consultation", "subject", "s" * b.SUBJECT_MAX)).subject
    assert len(subject) == b.SUBJECT_MAX


def test_email_at_254_is_accepted_255_and_a_megabyte_refused() -> None:
    lead = parsed(DetectLead, data("start", "lead.contact.email", email(b.EMAIL_MAX))).lead
    assert lead.contact.email is not None and len(lead.contact.email) == 254
    err = refused(data("start", "lead.contact.email", email(b.EMAIL_MAX + 1)))
    assert err.field == "lead.contact.email" and "at most 254 characters" in err.message
    coordinator = refused(data("start", "lead.coordinator", email(b.RECIPIENT_MAX + 1)))
    assert coordinator.field == "lead.coordinator"


def test_a_1_5_mb_email_is_refused_by_size_before_parsing_naming_the_limit() -> None:
    body = data("start", "lead.contact.email", email(1_500_000))
    err = refused(body)
    assert err.rule == "too-large" and "65,536 bytes" in err.message and "1,50" in err.message
    assert len(str(err)) < 200  # the message does not echo the input
    raw = json.dumps(body)  # as Temporal or an API would hand it over: JSON bytes
    assert refused(raw.encode()).rule == "too-large" and refused(raw).rule == "too-large"


def padded(total: int) -> dict[str, Any]:
    """A valid propose-matches command whose JSON is exactly ``total`` bytes (proposals' reasons)."""
    body = data("propose-matches")
    proposal = copy.deepcopy(body["proposals"][0])
    chunk = "x" * (b.MATCH_REASON_MAX // 2)
    body["proposals"] = []
    while command_size(body) <= total:
        if not body["proposals"] or len(body["proposals"][-1]["reasons"]) == b.MATCH_REASONS_MAX:
            body["proposals"].append({**proposal, "reasons": [chunk]})
        else:
            body["proposals"][-1]["reasons"].append(chunk)
    body["proposals"][-1]["reasons"].pop()  # one chunk too many: take it back, widen the one before
    body["proposals"][-1]["reasons"][-1] += "x" * (total - command_size(body))
    assert command_size(body) == total
    return body


def test_a_command_of_exactly_the_size_limit_is_accepted_one_byte_more_refused() -> None:
    at_limit = padded(b.COMMAND_JSON_MAX)
    command = parsed(ProposeMatches, at_limit)
    assert command.proposals is not None and len(command.proposals) == len(at_limit["proposals"]) > 1
    err = refused(padded(b.COMMAND_JSON_MAX + 1))
    assert err.rule == "too-large" and err.field == "(command)"
    assert f"{b.COMMAND_JSON_MAX + 1:,} bytes" in err.message and f"{b.COMMAND_JSON_MAX:,}" in err.message


@pytest.mark.parametrize(
    "path,value",
    [
        ("needs.energy.grid_mva", math.nan),
        ("needs.energy.grid_mva", math.inf),
        ("needs.energy.grid_mva", -math.inf),
        ("needs.space.m2", True),
        ("needs.space.m2", "3"),
        ("needs.space.m2", 3.0),
        ("needs.talent.hbo_fte", False),
        ("needs.space.vibration_free", 1),
        ("needs.space.vibration_free", "true"),
        ("needs.capital.shared_facility_ok", "yes"),
        ("needs.energy.grid_mva", True),
        ("needs.energy.grid_mva", "4"),
    ],
)
def test_non_finite_floats_and_loose_types_are_refused(path: str, value: Any) -> None:
    err = refused(data("articulate-needs", path, value))
    assert err.field == path, err
    assert len(err.message.splitlines()) == 1
    if isinstance(value, float) and not math.isfinite(value):
        assert "finite number" in err.message, err.message
    else:
        assert "should be a valid" in err.message, err.message


def test_grid_mva_at_its_limit_and_just_past_it() -> None:
    parse_command(data("articulate-needs", "needs.energy.grid_mva", b.MVA_MAX))
    parse_command(data("articulate-needs", "needs.energy.grid_mva", 4))  # a JSON integer is a float too
    err = refused(data("articulate-needs", "needs.energy.grid_mva", math.nextafter(b.MVA_MAX, math.inf)))
    assert err.field == "needs.energy.grid_mva" and "10000" in err.message
    assert refused(data("articulate-needs", "needs.energy.grid_mva", 0.0)).field == "needs.energy.grid_mva"


def test_dates_on_both_sides() -> None:
    for path in ("due",):
        parse_command(data("request-consultation", path, b.DATE_MAX.isoformat()))
        past = (b.DATE_MAX + timedelta(days=1)).isoformat()
        assert refused(data("request-consultation", path, past)).field == path
    parse_command(data("articulate-needs", "needs.needed_by", b.DATE_MIN.isoformat()))
    early = (b.DATE_MIN - timedelta(days=1)).isoformat()
    assert refused(data("articulate-needs", "needs.needed_by", early)).field == "needs.needed_by"


def test_list_lengths_are_bounded() -> None:
    reasons = ["r"] * b.MATCH_REASONS_MAX
    parse_command(data("propose-matches", "proposals.0.reasons", reasons))
    err = refused(data("propose-matches", "proposals.0.reasons", [*reasons, "r"]))
    assert err.field == "proposals.0.reasons" and str(b.MATCH_REASONS_MAX) in err.message


def test_json_text_is_strict_too() -> None:
    """The JSON path (Temporal's pydantic converter, an API body) is as strict as Python input."""
    body = data("change-phase")
    assert parsed(ChangePhase, json.dumps(body)).phase == 3
    for raw in ('"3"', "true", "3.0"):
        text = json.dumps(body).replace('"phase": 3', f'"phase": {raw}')
        assert refused(text).field == "phase", raw
    nan = json.dumps(data("articulate-needs", "needs.energy.grid_mva", math.nan))
    assert "NaN" in nan and refused(nan).field == "needs.energy.grid_mva"


def test_temporal_pydantic_converter_round_trips_and_refuses_loose_types() -> None:
    """What a command looks like on the wire to the workflow: the converter's JSON payload."""
    command = parse_command(data("articulate-needs"))
    (payload,) = pydantic_data_converter.payload_converter.to_payloads([command])
    (back,) = pydantic_data_converter.payload_converter.from_payloads([payload], [Command])  # type: ignore[list-item]  # takes any type hint (an Annotated union here); typed `type`
    assert back == command
    payload.data = payload.data.replace(b'"m2":10', b'"m2":"10"')
    with pytest.raises(Exception) as err:
        pydantic_data_converter.payload_converter.from_payloads([payload], [Command])  # type: ignore[list-item]  # takes any type hint (an Annotated union here); typed `type`
    assert "m2" in str(err.value)


def test_many_bad_fields_give_a_few_lines_not_a_union_dump() -> None:
    body = data("start")
    body["lead"] = {**body["lead"], "company": "", "phase": "2", "home_region": "atlantis",
                    "kvk": "123", "coordinator": "x" * 300, "contact": {"name": "", "email": "no", "x": 1}}
    err = refused(body)
    lines = err.message.splitlines()
    assert 2 <= len(lines) <= 6 and lines[-1].startswith("...: and ")
    assert all(":" in line and "start." not in line for line in lines)
    assert err.field == "lead.company" and lines[0].startswith("lead.company: ")
    unknown = refused({"type": "teleport", **f.ACTOR})
    assert unknown.field == "type" and len(unknown.message.splitlines()) == 1


def test_explain_names_the_file_and_each_field() -> None:
    with pytest.raises(ValidationError) as err:
        ReminderRules.model_validate({"stage_escalate_after": "P1000000000D", "default_recipient": ""})
    text = explain(err.value, "BRANDPUNT_REMINDER_RULES file")
    assert text.splitlines()[0] == "invalid BRANDPUNT_REMINDER_RULES file:"
    assert "stage_escalate_after" in text and "default_recipient" in text


@pytest.mark.parametrize(
    "rules",
    [
        {"stage_escalate_after": "P1000000000D"},
        {"stage_escalate_after": "P3651D"},
        {"stage_escalate_after": "PT0S"},
        {"consultation_remind_before": -60},
        {"stage_service_time": {"matchmaking": 10**12}},
        {"phase2": {"follow_ups": ["P14D", "P4000D"]}},
        {"phase2": {"follow_ups": ["P1D"] * (b.FOLLOW_UPS_MAX + 1)}},
        {"phase2": {"escalate_after": "P9999D"}},
        {"default_recipient": "x" * (b.RECIPIENT_MAX + 1)},
        {"escalation_recipient": ""},
    ],
)
def test_absurd_reminder_rules_are_refused(rules: dict[str, Any]) -> None:
    with pytest.raises(ValidationError):
        ReminderRules.model_validate(rules)


def test_reminder_durations_at_the_limit_are_accepted() -> None:
    rules = ReminderRules.model_validate(
        {"stage_escalate_after": "P3650D", "phase2": {"follow_ups": ["PT1S"] * b.FOLLOW_UPS_MAX},
         "stage_service_time": {"matchmaking": b.DURATION_MAX.total_seconds()},
         "default_recipient": "x" * b.RECIPIENT_MAX}
    )
    assert rules.stage_escalate_after == b.DURATION_MAX
    assert rules.phase2 is not None and len(rules.phase2.follow_ups) == b.FOLLOW_UPS_MAX


def test_a_command_built_past_validation_is_checked_again() -> None:
    """The workflow may hold a command object (decoded by the converter): parse_command re-checks it."""
    good = parse_command(data("change-phase"))
    assert parse_command(good) == good
    forged = type(good).model_construct(**{**good.__dict__, "phase": 9})
    assert refused(forged).field == "phase"


def test_a_deployment_rules_file_with_an_absurd_duration_is_refused_naming_the_field(tmp_path) -> None:
    import settings
    from settings import SettingsError

    path = tmp_path / "rules.json"
    path.write_text(json.dumps({"stage_escalate_after": "P1000000000D", "stage_service_time": {
        "matchmaking": "P4000D"}}), encoding="utf-8")
    with pytest.raises(SettingsError) as err:
        settings.load({"BRANDPUNT_REMINDER_RULES": str(path)}).reminder_rules()
    message = str(err.value)
    assert "BRANDPUNT_REMINDER_RULES" in message and "stage_escalate_after" in message
    assert "stage_service_time.matchmaking: Input should be less than or equal to 3650 days" in message
    assert len(message.splitlines()) == 1
    path.write_text(json.dumps({"stage_escalate_after": "P3650D"}), encoding="utf-8")
    rules = settings.load({"BRANDPUNT_REMINDER_RULES": str(path)}).reminder_rules()
    assert rules.stage_escalate_after == b.DURATION_MAX
