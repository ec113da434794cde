"""Need-to-know: the permission matrix of ``domain.access.may`` cell by cell, and the organisations file."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime

import pytest

import settings
from domain.access import Action, Actor, CaseAccess, Role, Share, may
from domain.organisations import OrganisationKind, OrganisationsError, parse
from domain.vocab import Region

NOW = datetime(2026, 11, 24, 12, tzinfo=UTC)
BOM, OOST = "bom", "oost-nl"

SHARED = CaseAccess(owner=OOST, shares=(Share(BOM, "matchmaking in Brabant", date(2026, 12, 31)),))
EXPIRED = CaseAccess(owner=OOST, shares=(Share(BOM, "matchmaking", date(2026, 11, 23)),))
REVOKED = CaseAccess(owner=OOST, shares=(Share(BOM, "matchmaking", date(2027, 1, 1), revoked=True),))
OTHERS = CaseAccess(owner=OOST, shares=(Share("nom", "matchmaking", date(2027, 1, 1)),))
OWN = CaseAccess(owner=BOM)

CASES = {"own": OWN, "shared": SHARED, "expired share": EXPIRED, "revoked share": REVOKED, "other": OTHERS}

# role -> {case action -> the kinds of case on which it is allowed}
EXPECTED_CASE: dict[Role, dict[Action, set[str]]] = {
    Role.COORDINATOR: {Action.READ: {"own", "shared"}, Action.ACT: {"own", "shared"},
                       Action.SHARE: {"own"}, Action.DOSSIER: set()},
    Role.TASKFORCE_LEAD: {a: set() for a in (Action.READ, Action.ACT, Action.SHARE, Action.DOSSIER)},
    Role.AUDITOR: {Action.READ: set(CASES), Action.ACT: set(), Action.SHARE: set(), Action.DOSSIER: set(CASES)},
    Role.MONITOR: {a: set() for a in (Action.READ, Action.ACT, Action.SHARE, Action.DOSSIER)},
    Role.ADMIN: {a: set() for a in (Action.READ, Action.ACT, Action.SHARE, Action.DOSSIER)},
}
EXPECTED_GLOBAL: dict[Role, set[Action]] = {
    Role.COORDINATOR: {Action.START, Action.REPORT},
    Role.TASKFORCE_LEAD: {Action.OVERVIEW, Action.REPORT},
    Role.AUDITOR: {Action.OVERVIEW, Action.REPORT, Action.VERIFY},
    Role.MONITOR: {Action.REPORT},
    Role.ADMIN: {Action.ADMIN},
}


@pytest.mark.parametrize("role", list(Role))
@pytest.mark.parametrize("action", [Action.READ, Action.ACT, Action.SHARE, Action.DOSSIER])
@pytest.mark.parametrize("kind", list(CASES))
def test_case_actions(role: Role, action: Action, kind: str) -> None:
    actor = Actor("someone", BOM, frozenset({role}))
    decision = may(actor, action, CASES[kind], NOW)
    assert decision.allowed == (kind in EXPECTED_CASE[role][action]), decision.reason
    assert decision.reason  # every answer says why (an access log's purpose, or what to tell)


@pytest.mark.parametrize("role", list(Role))
@pytest.mark.parametrize("action", [a for a in Action if a not in (Action.READ, Action.ACT, Action.SHARE, Action.DOSSIER)])
def test_global_actions(role: Role, action: Action) -> None:
    decision = may(Actor("someone", BOM, frozenset({role})), action)
    assert decision.allowed == (action in EXPECTED_GLOBAL[role]), decision.reason


def test_a_share_ends_after_its_last_day() -> None:
    coordinator = Actor("c", BOM, frozenset({Role.COORDINATOR}))
    last_day = CaseAccess(owner=OOST, shares=(Share(BOM, "p", NOW.date()),))
    assert may(coordinator, Action.ACT, last_day, NOW)
    assert not may(coordinator, Action.ACT, last_day, NOW.replace(day=25))


def test_no_roles_no_access_and_case_actions_need_their_case() -> None:
    nobody = Actor("n", BOM, frozenset())
    assert not any(may(nobody, a, OWN, NOW) for a in Action)
    coordinator = Actor("c", BOM, frozenset({Role.COORDINATOR}))
    assert not may(coordinator, Action.ACT)  # which case?
    assert may(coordinator, Action.ACT, OWN, NOW).reason == "own organisation"
    assert "shared for matchmaking in Brabant until 2026-12-31" == may(coordinator, Action.READ, SHARED, NOW).reason


def test_roles_combine() -> None:
    lead = Actor("l", BOM, frozenset({Role.COORDINATOR, Role.TASKFORCE_LEAD}))
    assert may(lead, Action.OVERVIEW) and may(lead, Action.ACT, OWN, NOW)
    assert not may(lead, Action.READ, OTHERS, NOW)  # the overview is not the file


def test_the_shipped_organisations() -> None:
    orgs = settings.load({}).organisations()
    roms = [o for o in orgs.by_id.values() if o.kind == OrganisationKind.ROM]
    assert len(roms) == 9 and {o.region for o in roms} == set(Region)
    assert orgs.owner_for(Region.OOST_NL).id == "oost-nl"
    assert {"nfia", "ez", "audit-office", "brainport-development", "twente-board", "campus-groningen"} <= set(orgs.by_id)


def _entries() -> list[dict[str, object]]:
    return json.loads(settings.SHIPPED_ORGANISATIONS.read_text(encoding="utf-8"))


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (lambda e: e.append(dict(e[0])), "listed twice"),
        (lambda e: e[0].pop("region"), "names its region"),
        (lambda e: e.__setitem__(1, {**e[1], "region": "nom"}), "two ROMs"),
        (lambda e: e.pop(2), "no ROM for region(s) bom"),
        (lambda e: e[3].__setitem__("kind", "bank"), "entry 3.kind"),
    ],
)
def test_a_bad_organisations_file_is_refused_naming_the_entry(change, message: str, tmp_path) -> None:
    entries = _entries()
    change(entries)
    with pytest.raises(OrganisationsError) as err:
        parse(json.dumps(entries))
    assert message in str(err.value)
    path = tmp_path / "orgs.json"
    path.write_text(json.dumps(entries), encoding="utf-8")
    with pytest.raises(settings.SettingsError) as bad:
        settings.load({"BRANDPUNT_ORGANISATIONS": str(path)}).organisations()
    assert "BRANDPUNT_ORGANISATIONS=" in str(bad.value) and message in str(bad.value)


def test_a_listings_read_scope_says_what_may_says_of_each_case():
    """``read_scope`` (the SQL filter of the case list) admits exactly the cases ``may`` lets read."""
    from datetime import UTC, date, datetime

    from domain.access import Action, Actor, CaseAccess, Role, Share, may, read_scope

    at = datetime(2026, 6, 1, tzinfo=UTC)
    cases = [CaseAccess("bom"), CaseAccess("oost-nl"),
             CaseAccess("oost-nl", (Share("bom", "p", date(2026, 6, 1)),)),
             CaseAccess("oost-nl", (Share("bom", "p", date(2026, 5, 31)),)),
             CaseAccess("oost-nl", (Share("bom", "p", date(2026, 7, 1), revoked=True),))]
    checked = 0
    for roles in ([], [Role.COORDINATOR], [Role.AUDITOR], [Role.MONITOR], [Role.TASKFORCE_LEAD], [Role.ADMIN],
                  [Role.COORDINATOR, Role.AUDITOR]):
        actor = Actor("someone", "bom", frozenset(roles))
        scope = read_scope(actor)
        for case in cases:
            admitted = scope.everything or (scope.organisation is not None and (
                case.owner == scope.organisation or case.share_for(scope.organisation, at) is not None))
            assert admitted == bool(may(actor, Action.READ, case, at)), (roles, case)
            checked += 1
    assert checked == 35
