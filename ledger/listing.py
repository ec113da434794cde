"""The case list in SQL: whose cases a caller reads, the filters, the order and one page.

The web app's list answers for 10,000 cases within a page's budget only if nothing but the page's
states is parsed: ``domain.access.read_scope`` says whose cases the caller reads, the ``owner``
column and the ``case_shares`` table (migration 0014) say whose each case is, and the page's states
are then judged one by one by ``may()`` as every read is.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any, Literal

from sqlalchemy import ColumnElement, Select, and_, exists, false, or_, true

from domain.access import ReadScope
from domain.bounds import KVK_PATTERN
from ledger.schema import case_shares, cases

Sort = Literal["detected", "updated", "company", "stage", "phase"]
SORTS: dict[str, Any] = {"detected": cases.c.detected_at, "updated": cases.c.updated_at,
                         "company": cases.c.company_folded, "stage": cases.c.stage, "phase": cases.c.phase}


@dataclass(frozen=True)
class CaseQuery:
    """A page of the case list. ``regions_owned``: the home regions whose cases ``scope.organisation``
    owns when no owner was recorded (its ROM's regions, from the organisations' configuration)."""

    scope: ReadScope
    today: date
    regions_owned: tuple[str, ...] = ()
    stage: str | None = None
    region: str | None = None
    hotspot: str | None = None
    technology_domain: str | None = None
    phase: int | None = None
    coordinator: str | None = None
    """Case-folded and trimmed, as ``coordinator_folded`` holds it."""
    unassigned: bool = False
    owner: str | None = None
    owner_regions: tuple[str, ...] = ()
    """The home regions ``owner`` owns the cases of when none was recorded."""
    open: bool | None = None
    shared_with: str | None = None
    """Only cases shared with this organisation by a share in force."""
    company: str | None = None
    include_demo: bool = False
    sort: Sort = "detected"
    descending: bool = False
    offset: int = 0
    limit: int | None = 50


def readable(scope: ReadScope, today: date, regions_owned: tuple[str, ...]) -> ColumnElement[bool]:
    """The cases ``scope`` reads, as a condition on ``cases``."""
    if scope.everything:
        return true()
    if scope.organisation is None:
        return false()
    org = scope.organisation
    owned = owned_by(org, regions_owned)
    return or_(owned, shared_with(org, today))


def shared_with(organisation: str, today: date) -> ColumnElement[bool]:
    """The cases shared with ``organisation`` by a share in force on ``today``."""
    return exists().where(case_shares.c.case_id == cases.c.case_id, case_shares.c.organisation == organisation,
                          case_shares.c.until >= today.isoformat())


def owned_by(organisation: str, regions: tuple[str, ...]) -> ColumnElement[bool]:
    """The cases ``organisation`` owns: recorded so, or, with no owner recorded, in one of ``regions``."""
    return or_(cases.c.owner == organisation, and_(cases.c.owner.is_(None), cases.c.region.in_(regions)))


def where(query: Select[Any], q: CaseQuery) -> Select[Any]:
    """``query`` over ``cases`` narrowed to ``q``'s readable cases and filters (no order, no page)."""
    import re

    query = query.where(readable(q.scope, q.today, q.regions_owned))
    if not q.include_demo:
        query = query.where(cases.c.demo == false())
    for column, value in ((cases.c.stage, q.stage), (cases.c.region, q.region), (cases.c.hotspot, q.hotspot),
                          (cases.c.technology_domain, q.technology_domain), (cases.c.phase, q.phase),
                          (cases.c.coordinator_folded, q.coordinator)):
        if value is not None:
            query = query.where(column == value)
    if q.unassigned:
        query = query.where(cases.c.coordinator_folded.is_(None))
    if q.owner is not None:
        query = query.where(owned_by(q.owner, q.owner_regions))
    if q.shared_with is not None:
        query = query.where(shared_with(q.shared_with, q.today))
    if q.open is not None:
        query = query.where((cases.c.stage != "closed") if q.open else (cases.c.stage == "closed"))
    if q.company and q.company.strip():
        needle = q.company.strip()
        found = cases.c.company_folded.contains(needle.casefold(), autoescape=True)
        if re.match(KVK_PATTERN, needle):
            found = found | (cases.c.kvk == needle)
        query = query.where(found)
    return query


def ordered(query: Select[Any], q: CaseQuery) -> Select[Any]:
    column = SORTS[q.sort]
    query = query.order_by(column.desc() if q.descending else column, cases.c.case_id)
    if q.limit is not None:
        query = query.offset(q.offset).limit(q.limit)
    return query
