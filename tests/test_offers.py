"""Hotspot offers as data with provenance (issue 14, point 4): versioned, loaded from a ROM's file,
recorded in the programme chain, never overwritten by ``db upgrade``, cited by every match reason."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime, timedelta
from typing import Any

import pytest

import cli.main
from audit.offers import verify_offers
from audit.programme import verify_programme
from domain.chain import canonical_json
from domain.errors import CommandRejected
from domain.events import MatchesProposed, parse_event
from domain.matchmaking import score_offers
from domain.models import HotspotOffer, Lead, NeedsProfile
from domain.offers import (
    CatalogueOffer,
    OfferOrigin,
    OfferProvenance,
    adopt_unversioned,
    catalogue_version,
    catalogued,
    offer_version,
    parse_offer_file,
    plan_load,
)
from domain.programme import OffersLoaded
from domain.vocab import HotspotId
from ledger.offers import HOTSPOTS_FILE, OffersDamaged, OffersNotVersioned, shipped, shipped_offers
from ledger.store import Ledger
from tests import factories as f
from tests.test_programme_chain import sql

T0 = datetime(2026, 11, 24, 9, 0, tzinfo=UTC)
TODAY = T0.date()
SHIPPED = shipped()
TWENTE = next(o for o in SHIPPED.offers if o.id == HotspotId.TWENTE)
ROM = OfferProvenance(source="Oost NL: bedrijventerreinenmonitor 2026", as_of=date(2026, 10, 1), illustrative=False)


def rom_file(*offers: HotspotOffer, **header: Any) -> bytes:
    """An offers file as a ROM would send it."""
    body = {"source": ROM.source, "as_of": ROM.as_of.isoformat(), "illustrative": False,
            "offers": [o.model_dump(mode="json") for o in offers]} | header
    return json.dumps(body).encode()


def bigger(offer: HotspotOffer, m2: int = 1) -> HotspotOffer:
    return offer.model_copy(update={"available_m2": offer.available_m2 + m2})


# --- versions: a content address of the offer and its provenance ---------------------------------

def test_a_version_is_the_content_address_of_the_offer_and_its_provenance():
    v = offer_version(TWENTE, ROM)
    assert v == offer_version(TWENTE.model_copy(), ROM.model_copy())  # the same on every machine
    assert v.startswith("o-") and len(v) == 14
    assert offer_version(bigger(TWENTE), ROM) != v  # one m² more
    assert offer_version(TWENTE, ROM.model_copy(update={"as_of": date(2026, 10, 2)})) != v
    assert offer_version(TWENTE, ROM.model_copy(update={"illustrative": True})) != v
    entry = catalogued(TWENTE, ROM, OfferOrigin.FILE)
    with pytest.raises(ValueError, match="content address"):  # an edited figure no longer matches
        CatalogueOffer.model_validate(entry.model_dump() | {"offer": bigger(TWENTE).model_dump()})
    assert catalogue_version([entry]) != catalogue_version([catalogued(bigger(TWENTE), ROM, OfferOrigin.FILE)])


def test_the_shipped_catalogue_is_marked_illustrative():
    assert SHIPPED.illustrative is True
    assert "not supplied by a ROM" in SHIPPED.source
    ours = shipped_offers()
    assert len(ours) == len(SHIPPED.offers) == 6
    assert all(o.provenance.illustrative for o in ours)


# --- an offers file is checked whole, each problem named by its field ------------------------------

def test_a_rom_file_is_parsed_with_its_provenance():
    parsed = parse_offer_file(rom_file(TWENTE), TODAY)
    assert parsed.provenance == ROM and parsed.offers == [TWENTE]
    [entry] = parsed.catalogued(OfferOrigin.FILE)
    assert entry.version == offer_version(TWENTE, ROM) and entry.origin == OfferOrigin.FILE


@pytest.mark.parametrize("data, field, words", [
    (rom_file(TWENTE, illustrative=None) .replace(b'"illustrative": null, ', b""), "illustrative", "required"),
    (rom_file(TWENTE, illustrative="no"), "illustrative", "boolean"),
    (rom_file(TWENTE, source=""), "source", "at least 1"),
    (rom_file(TWENTE, as_of="1 October"), "as_of", "date"),
    (rom_file(TWENTE.model_copy(update={"available_m2": -1})), "offers.0.available_m2", "greater than"),
    (rom_file(TWENTE, offers=[]), "offers", "at least 1"),
    (rom_file(TWENTE, TWENTE), "offers", "twente is given twice"),
    (rom_file(TWENTE, extra="x"), "extra", "not permitted"),
    (json.dumps({"source": "x", "as_of": "2026-10-01", "illustrative": False,
                 "offers": [TWENTE.model_dump(mode="json") | {"region": "bom"}]}).encode(),
     "offers.0", "lies in oost-nl"),
    (b"[1, 2]", "(file)", "one JSON object"),
    (b"{not json", "(file)", "not JSON"),
    (b"\xff\xfe", "(file)", "not JSON"),
    (b" " * (256 * 1024 + 1), "(file)", "at most"),
])
def test_a_bad_file_is_refused_naming_the_field(data, field, words):
    with pytest.raises(CommandRejected) as err:
        parse_offer_file(data, TODAY)
    assert words in err.value.message
    assert field in (err.value.field or "") or field in err.value.message


def test_figures_as_of_today_are_accepted_and_of_tomorrow_refused():
    assert parse_offer_file(rom_file(TWENTE, as_of=TODAY.isoformat()), TODAY).as_of == TODAY
    with pytest.raises(CommandRejected) as err:
        parse_offer_file(rom_file(TWENTE, as_of=(TODAY + timedelta(days=1)).isoformat()), TODAY)
    assert (err.value.rule, err.value.field) == ("as-of-in-future", "as_of")


# --- which offers a load puts in force ------------------------------------------------------------

def test_the_shipped_catalogue_never_replaces_a_files_offer():
    ours = catalogued(TWENTE, SHIPPED.provenance, OfferOrigin.SHIPPED)
    newer = catalogued(bigger(TWENTE), SHIPPED.provenance, OfferOrigin.SHIPPED)
    roms = catalogued(TWENTE, ROM, OfferOrigin.FILE)
    adopted = catalogued(TWENTE, ROM, OfferOrigin.ADOPTED)
    tw = HotspotId.TWENTE
    assert plan_load({}, [ours]).offers == [ours] and plan_load({}, [ours]).replaced == {}  # a new hotspot
    assert plan_load({tw: ours}, [ours]).offers == []  # the same: nothing
    refreshed = plan_load({tw: ours}, [newer])
    assert refreshed.offers == [newer] and refreshed.replaced == {tw: ours.version}
    for held in (roms, adopted, "damaged"):
        kept = plan_load({tw: held}, [newer])
        assert (kept.offers, kept.kept) == ([], [tw])
    assert plan_load({tw: "unversioned"}, [ours]).replaced == {tw: "unversioned"}
    for held in (ours, adopted, "damaged", "unversioned"):  # a file replaces whatever is there
        assert plan_load({tw: held}, [roms]).offers == [roms]
    again = catalogued(TWENTE, ROM, OfferOrigin.FILE)
    assert plan_load({tw: roms}, [again]).offers == []


def test_offers_from_before_versioning_are_adopted_not_lost():
    edited = bigger(TWENTE, 500)
    groningen = next(o for o in SHIPPED.offers if o.id == HotspotId.GRONINGEN)
    adopted = {o.hotspot: o for o in adopt_unversioned([edited, groningen], SHIPPED, TODAY)}
    assert adopted[HotspotId.GRONINGEN].origin == OfferOrigin.SHIPPED
    assert adopted[HotspotId.GRONINGEN].provenance == SHIPPED.provenance
    twente = adopted[HotspotId.TWENTE]
    assert (twente.origin, twente.offer, twente.provenance.illustrative) == (OfferOrigin.ADOPTED, edited, True)
    assert twente.provenance.source.startswith("unknown") and twente.provenance.as_of == TODAY
    assert twente.provenance.source.endswith("when it was first versioned. Replace it with `brandpunt offers load FILE`.")


# --- matchmaking cites the offer in every reason ----------------------------------------------------

def test_every_match_reason_cites_the_offer_version_and_whether_it_is_illustrative():
    lead, needs = Lead.model_validate(f.LEAD), NeedsProfile.model_validate(f.NEEDS)
    offers = [*(o for o in shipped_offers() if o.hotspot != HotspotId.TWENTE), catalogued(TWENTE, ROM, OfferOrigin.FILE)]
    result = score_offers(lead, needs, offers)
    assert len(result.proposals) == 6
    for p in result.proposals:
        entry = next(o for o in offers if o.hotspot == p.hotspot)
        kind = "not illustrative" if p.hotspot == HotspotId.TWENTE else "illustrative"
        assert (p.offer_version, p.illustrative) == (entry.version, kind == "illustrative")
        assert p.reasons[0] == f"offer: {entry.version} as of {entry.provenance.as_of}, {kind} " \
                               f"(source: {entry.provenance.source})"
        assert len(p.reasons[1:]) >= 2
        assert all(r.endswith(f"[offer {entry.version}, {kind}]") for r in p.reasons[1:])


def test_a_proposal_recorded_before_keeps_its_bytes_and_a_new_one_carries_the_citation():
    old = {"type": "MatchesProposed", "case_id": "BP-2026-0001", "seq": 3, "at": "2026-11-01T09:00:00Z",
           "actor": "a", "organisation": None, "reason": None, "command_id": None, "bottleneck": None,
           "proposals": [{"hotspot": "twente", "region": "oost-nl", "score": 1.0, "viable": True,
                          "reasons": ["space: 25,000 m² available"], "shortfalls": []}]}
    event = parse_event(old)
    assert isinstance(event, MatchesProposed)
    assert (event.proposals[0].offer_version, event.proposals[0].illustrative) == (None, False)
    stored = canonical_json(event)
    assert "offer_version" not in stored and "illustrative" not in stored
    assert canonical_json(parse_event(stored)) == stored
    scored = score_offers(Lead.model_validate(f.LEAD), NeedsProfile.model_validate(f.NEEDS), shipped_offers())
    new = event.model_copy(update={"proposals": scored.proposals[:2]})
    dumped = json.loads(canonical_json(new))
    assert [p["illustrative"] for p in dumped["proposals"]] == [True, True]
    assert [p["offer_version"] for p in dumped["proposals"]] == [p.offer_version for p in scored.proposals[:2]]
    roms = score_offers(Lead.model_validate(f.LEAD), NeedsProfile.model_validate(f.NEEDS),
                        [catalogued(TWENTE, ROM, OfferOrigin.FILE)])
    not_illustrative = json.loads(canonical_json(event.model_copy(update={"proposals": roms.proposals})))
    assert "illustrative" not in not_illustrative["proposals"][0]  # False is the default: pruned
    assert not_illustrative["proposals"][0]["offer_version"] == offer_version(TWENTE, ROM)
    assert parse_event(canonical_json(new)) == new


# --- the ledger: every change recorded in the programme chain ---------------------------------------

@pytest.fixture
def ledger(ledger_url):
    led = Ledger.open(ledger_url, upgrade=True)
    yield led
    led.dispose()


def test_db_upgrade_loads_the_shipped_catalogue_once_and_records_it(ledger):
    plan = ledger.seed_hotspots()
    assert len(plan.offers) == 6 and plan.replaced == {} and plan.kept == []
    [load] = ledger.offers.loads()
    assert (load.origin, load.actor, load.seq) == (OfferOrigin.SHIPPED, "brandpunt db upgrade", 1)
    assert load.version == catalogue_version(shipped_offers()) and load.offers == shipped_offers()
    assert ledger.offers.current() == shipped_offers()
    assert ledger.seed_hotspots().offers == [] and len(ledger.offers.loads()) == 1
    assert verify_programme(ledger) == (1, None) and verify_offers(ledger) == []
    assert ledger.programme_rows()[0]["version"] == load.version


def test_a_loaded_file_replaces_its_hotspots_and_db_upgrade_never_overwrites_it(ledger):
    ledger.seed_hotspots()
    data = rom_file(bigger(TWENTE, 7000))
    loaded = ledger.offers.load(data, file_name="/tmp/oost-nl/twente.json", actor="analyst", organisation="oost-nl",
                                reason="monitor 2026", at=T0)
    assert isinstance(loaded, OffersLoaded)
    [entry] = loaded.offers
    assert (entry.origin, entry.provenance, entry.offer.available_m2) == (OfferOrigin.FILE, ROM, 32000)
    shipped_twente = next(o for o in shipped_offers() if o.hotspot == HotspotId.TWENTE)
    assert loaded.replaced == {HotspotId.TWENTE: shipped_twente.version}
    assert loaded.file is not None and loaded.file.name == "twente.json" and len(loaded.file.sha256) == 64
    assert (loaded.organisation, loaded.reason, loaded.at) == ("oost-nl", "monitor 2026", T0)
    current = {o.hotspot: o for o in ledger.offers.current()}
    assert current[HotspotId.TWENTE] == entry and loaded.version == catalogue_version(current.values())
    assert sum(o.provenance.illustrative for o in current.values()) == 5

    plan = ledger.seed_hotspots()  # db upgrade: the file's offer stays, nothing recorded
    assert (plan.offers, plan.kept) == ([], [HotspotId.TWENTE])
    assert {o.hotspot: o for o in ledger.offers.current()}[HotspotId.TWENTE] == entry
    assert ledger.offers.load(data, file_name="twente.json", actor="someone else", at=T0) is None  # in force
    assert len(ledger.offers.loads()) == 2
    assert verify_programme(ledger) == (2, None) and verify_offers(ledger) == []


def test_a_new_shipped_catalogue_refreshes_only_shipped_offers(ledger, tmp_path):
    ledger.seed_hotspots()
    ledger.offers.load(rom_file(TWENTE), file_name="twente.json", actor="analyst", at=T0)
    release = json.loads(HOTSPOTS_FILE.read_text(encoding="utf-8"))
    for o in release["offers"]:
        o["available_m2"] += 1
    path = tmp_path / "hotspots.json"
    path.write_text(json.dumps(release), encoding="utf-8")
    plan = ledger.offers.seed(path)
    assert len(plan.offers) == 5 and plan.kept == [HotspotId.TWENTE]
    [_, _, load] = ledger.offers.loads()
    assert set(load.replaced) == {o.hotspot for o in plan.offers} and HotspotId.TWENTE not in load.replaced
    assert verify_offers(ledger) == []


def test_a_refused_file_writes_nothing(ledger):
    ledger.seed_hotspots()
    rows = ledger.programme_rows()
    before = ledger.offers.stored()
    with pytest.raises(CommandRejected):
        ledger.offers.load(rom_file(TWENTE, TWENTE), file_name="twice.json", actor="analyst", at=T0)
    with pytest.raises(CommandRejected):
        ledger.offers.load(rom_file(TWENTE, as_of="2026-11-25"), file_name="x.json", actor="analyst", at=T0)
    assert ledger.programme_rows() == rows and ledger.offers.stored() == before


def test_offers_loaded_before_versioning_are_versioned_by_db_upgrade(ledger):
    """A ledger of an earlier release holds bare offers (no provenance): matchmaking cannot cite
    them, so it stops saying so; db upgrade versions them, keeping an edited one as adopted."""
    edited = bigger(TWENTE, 500)
    for offer in [*(o for o in SHIPPED.offers if o.id != HotspotId.TWENTE), edited]:
        sql(ledger, "INSERT INTO hotspot_offers (id, name, region, data) VALUES (:i, :n, :r, :d)",
            i=offer.id.value, n=offer.name, r=offer.region.value, d=offer.model_dump_json())
    with pytest.raises(OffersNotVersioned, match="db upgrade"):
        ledger.offers.current()
    assert [f.kind for f in verify_offers(ledger)] == ["offers"]
    plan = ledger.seed_hotspots()
    assert plan.offers == [] and plan.kept == [HotspotId.TWENTE]  # the adopted offer stays
    [adoption] = ledger.offers.loads()
    assert adoption.origin == OfferOrigin.ADOPTED and len(adoption.offers) == 6
    assert set(adoption.replaced.values()) == {"unversioned"}
    current = {o.hotspot: o for o in ledger.offers.current()}
    assert current[HotspotId.TWENTE].offer == edited and current[HotspotId.TWENTE].origin == OfferOrigin.ADOPTED
    assert current[HotspotId.TWENTE].provenance.illustrative is True
    others = [o for h, o in current.items() if h != HotspotId.TWENTE]
    assert len(others) == 5
    assert all(o.origin == OfferOrigin.SHIPPED for o in others)
    assert verify_programme(ledger) == (1, None) and verify_offers(ledger) == []


EDIT = "UPDATE hotspot_offers SET data = replace(data, :old, :new) WHERE id = 'twente'"


@pytest.mark.parametrize("tamper, params, words", [
    (EDIT, {"old": '"available_m2":25000', "new": '"available_m2":99000'}, "differs"),
    (EDIT, {"old": '"illustrative":true', "new": '"illustrative":false'}, "differs"),
    ("DELETE FROM hotspot_offers WHERE id = 'twente'", {}, "no row"),
])
def test_an_offer_edited_in_the_table_is_named_and_refused(ledger, tamper, params, words):
    ledger.seed_hotspots()
    sql(ledger, tamper, **params)
    [finding] = verify_offers(ledger)
    assert finding.seq == 1 and "twente" in finding.problem and words in finding.problem
    if words == "differs":
        with pytest.raises(OffersDamaged, match="twente"):
            ledger.offers.current()
        with pytest.raises(OffersDamaged):  # db upgrade does not paper over it
            ledger.seed_hotspots()
        repaired = ledger.offers.load(rom_file(TWENTE), file_name="twente.json", actor="analyst", at=T0)
        assert repaired is not None and repaired.replaced == {HotspotId.TWENTE: "damaged"}
        assert verify_offers(ledger) == []


def test_a_row_no_load_put_in_force_is_named(ledger):
    ledger.seed_hotspots()
    sql(ledger, "DELETE FROM hotspot_offers WHERE id = 'almere'")
    ledger.offers.load(rom_file(TWENTE), file_name="twente.json", actor="analyst", at=T0)
    [finding] = verify_offers(ledger)
    assert "almere" in finding.problem and "no row" in finding.problem


def test_the_activity_scores_against_the_offers_in_force(ledger):
    from activities.matchmaking import MatchInput, MatchmakingActivities

    ledger.seed_hotspots()
    ledger.offers.load(rom_file(TWENTE), file_name="twente.json", actor="analyst", at=T0)
    result = MatchmakingActivities(ledger).match_hotspots(
        MatchInput(lead=Lead.model_validate(f.LEAD), needs=NeedsProfile.model_validate(f.NEEDS)))
    twente = next(p for p in result.proposals if p.hotspot == HotspotId.TWENTE)
    assert (twente.offer_version, twente.illustrative) == (offer_version(TWENTE, ROM), False)
    others = [p for p in result.proposals if p.hotspot != HotspotId.TWENTE]
    assert len(others) == 5
    assert all(p.illustrative for p in others)


# --- the command line -----------------------------------------------------------------------------

@pytest.fixture
def home(monkeypatch, tmp_path):
    monkeypatch.setenv("BRANDPUNT_HOME", str(tmp_path / "home"))
    monkeypatch.delenv("BRANDPUNT_LEDGER_URL", raising=False)
    monkeypatch.delenv("BRANDPUNT_ACTOR", raising=False)
    return tmp_path


def test_offers_load_list_and_history_on_the_command_line(home, capsys):
    assert cli.main.main(["db", "upgrade"]) == 0
    assert "6 hotspot offers in force, 6 of them illustrative" in capsys.readouterr().out
    path = home / "twente.json"
    path.write_bytes(rom_file(bigger(TWENTE)))
    assert cli.main.main(["offers", "load", str(path)]) == 2
    assert "no actor" in capsys.readouterr().err
    assert cli.main.main(["offers", "load", str(path), "--actor", "analyst", "--organisation", "Oost-NL BV"]) == 2
    assert "--organisation: Oost-NL BV is no organisation brandpunt knows" in capsys.readouterr().err
    assert cli.main.main(["offers", "load", str(path), "--actor", "analyst", "--organisation", "oost-nl"]) == 0
    out = capsys.readouterr().out
    assert offer_version(bigger(TWENTE), ROM) in out and "not illustrative" in out and "programme seq 2" in out
    assert cli.main.main(["offers", "load", str(path), "--actor", "analyst"]) == 0
    assert "already in force" in capsys.readouterr().out
    assert cli.main.main(["db", "upgrade"]) == 0
    assert "5 of them illustrative" in capsys.readouterr().out
    assert cli.main.main(["offers", "list", "--json"]) == 0
    listed = {o["hotspot"]: o for o in json.loads(capsys.readouterr().out)["offers"]}
    assert listed["twente"] == {"hotspot": "twente", "version": offer_version(bigger(TWENTE), ROM),
                                "origin": "file", "source": ROM.source, "as_of": "2026-10-01",
                                "illustrative": False}
    assert listed["almere"]["illustrative"] is True
    assert cli.main.main(["offers", "history"]) == 0
    assert capsys.readouterr().out.strip().endswith("2 load(s)")
    bad = home / "bad.json"
    bad.write_bytes(rom_file(TWENTE.model_copy(update={"grid_headroom_mva": -1.0})))
    assert cli.main.main(["offers", "load", str(bad), "--actor", "analyst"]) == 2
    err = capsys.readouterr().err
    assert "nothing loaded" in err and "offers.0.grid_headroom_mva" in err
    assert cli.main.main(["offers", "history", "--json"]) == 0
    assert len(json.loads(capsys.readouterr().out)) == 2
    assert cli.main.main(["audit", "verify", "--all"]) == 0
    assert "2 programme event(s)" in capsys.readouterr().out


def test_the_dossier_says_which_offers_a_proposal_rested_on(tmp_path):
    from audit.dossier import timeline
    from tests.audit_cases import happy, run

    def page(events: list, name: str) -> str:
        led = Ledger.open(f"sqlite:///{tmp_path}/{name}.db", upgrade=True)
        led.append(events)
        shown = timeline("lead-offers", led.events("lead-offers"))
        led.dispose()
        return shown

    events = run("lead-offers", happy(T0), T0)
    proposed = next(e for e in events if isinstance(e, MatchesProposed))
    versions = sorted({p.offer_version for p in proposed.proposals if p.offer_version})
    assert len(versions) == len(proposed.proposals) == 3
    assert f"offers {', '.join(versions)} (all illustrative)" in page(events, "new")
    bare = [p.model_copy(update={"offer_version": None, "illustrative": False}) for p in proposed.proposals]
    before = [e if e is not proposed else proposed.model_copy(update={"proposals": bare}) for e in events]
    assert "offer versions not recorded" in page(before, "old")
