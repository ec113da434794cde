"""The API's response models (its OpenAPI schema): the domain's own models where they exist
(``CaseState``, ``CommandResult``), and the JSON forms the client library already gives
(``LedgerRow.as_json(stored=True)``, ``InboxItem.as_json()``) as models here."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from pydantic import BaseModel, Field

from domain.state import CaseState


class TimelineRow(BaseModel):
    """One ledger row of a case, in the ledger's one JSON form with what the hash and seal cover."""

    seq: int
    type: str
    at: datetime
    actor: str
    organisation: str | None
    prev_hash: str
    hash: str
    command_id: str | None = None
    event_id: str
    recorded_at: str
    payload: str = Field(description="the event as stored: the canonical JSON its hash covers, personal values "
                         "and free text sealed")
    opened: str | None = Field(default=None, description="the event with its sealed values opened (absent when "
                               "none were sealed); an erased value reads [erased]")
    erased: list[str] | None = Field(default=None, description="the places whose value was erased, when any")


class InboxEntry(BaseModel):
    case_id: str
    company: str
    stage: str
    key: str
    rule: str
    due_at: datetime
    deadline: date | None
    overdue: bool
    escalation: bool
    recipient: str
    subject: str
    sent: bool
    delivery_failed: bool
    label: str


class CaseView(BaseModel):
    """A case as people read it: its state (the fold of its events), its timeline, its open reminders."""

    state: CaseState
    timeline: list[TimelineRow]
    reminders: list[InboxEntry] = []


class CaseList(BaseModel):
    cases: list[CaseState] = Field(description="the cases you may read that match, oldest detection first")


class Similar(BaseModel):
    cases: list[CaseState] = Field(description="cases you may read with this company name or KvK number")
    elsewhere: int = Field(description="how many more have it in organisations you may not read (a possible "
                                       "duplicate; neither the case nor its organisation is named)")


class Inbox(BaseModel):
    items: list[InboxEntry]


class OverviewRow(BaseModel):
    """One case in the national pipeline, without the company's identity (no name, KvK, id or contact)."""

    stage: str
    outcome: str | None
    region: str
    hotspot: str | None = Field(description="the lead's hotspot; null: outside any technology hotspot")
    technology_domain: str
    phase: int


class Overview(BaseModel):
    cases: list[OverviewRow]
    by_stage: dict[str, int]
    by_region: dict[str, int]


class DuplicateCase(BaseModel):
    case_id: str | None = Field(description="the case's serial id; null for an id from before serial ids, which may "
                                            "name the company: ask its organisation")
    organisation: str
    organisation_name: str
    open: bool


class DuplicateOut(BaseModel):
    """Cases of two or more organisations sharing a KvK number or company name (neither is shown)."""

    matched_on: str = Field(description="kvk or name")
    cases: list[DuplicateCase]


class Duplicates(BaseModel):
    duplicates: list[DuplicateOut]


class Me(BaseModel):
    subject: str
    organisation: str
    organisation_name: str
    roles: list[str]
    via: str = Field(description="token (a personal access token), oidc (the provider's JWT) or session (a browser)")
    scopes: list[str]
    token_id: str | None = None
    csrf_token: str | None = Field(default=None, description="a browser session's: send it as X-CSRF-Token "
                                                             "with every request that changes something")
    may: dict[str, bool] = Field(description="the actions that concern no single case, and whether you may take them")


ImpactReport = dict[str, Any]
"""The impact report's data (``reports.compute``): indicators, funnel, lead times, signals."""
