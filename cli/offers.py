"""``brandpunt offers``: the hotspot offers matchmaking scores against, with their provenance.

    brandpunt offers load FILE [--reason TEXT] [--actor NAME] [--organisation ORG] [--json]
    brandpunt offers list [--json]
    brandpunt offers history [--json]

A file holds one provenance for all its offers and the offers (see ``ledger/data/hotspots.json``,
the shipped example, marked illustrative)::

    {"source": "Oost NL: bedrijventerreinenmonitor 2025", "as_of": "2025-06-01", "illustrative": false,
     "offers": [{"id": "twente", "name": "Twente", "region": "oost-nl", ...}]}

It is checked whole (each problem named by its field; nothing is loaded then), versioned (each
offer's version is a content address of the offer and its provenance) and recorded in the ledger's
programme chain (``OffersLoaded``). It replaces the offers of the hotspots it holds; the others keep
theirs, and ``brandpunt db upgrade`` never overwrites an offer loaded from a file.

Exit codes: 0 done (also when every offer was already in force); 2 bad input (the file, the actor).
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path
from typing import TYPE_CHECKING, Any

from client.errors import BadInput

if TYPE_CHECKING:
    from domain.offers import CatalogueOffer


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    offers = sub.add_parser("offers", help="the hotspot offers: load a ROM's file, list them, their history")
    osub = offers.add_subparsers(dest="offers_cmd", required=True, metavar="ACTION")

    load = osub.add_parser("load", help="put the offers of FILE in force (checked whole, versioned, recorded)")
    load.add_argument("file", metavar="FILE", help="JSON: source, as_of, illustrative, offers")
    load.add_argument("--reason", help="why; recorded with the load")
    load.add_argument("--actor", help="who loads it (default $BRANDPUNT_ACTOR); required")
    load.add_argument("--organisation", help="on whose behalf (default $BRANDPUNT_ORGANISATION)")
    load.add_argument("--json", action="store_true", help="print the recorded load as JSON")
    load.set_defaults(func=run_load)

    ls = osub.add_parser("list", help="the offers in force: version, as-of date, illustrative or not, source")
    ls.add_argument("--json", action="store_true")
    ls.set_defaults(func=run_list)

    history = osub.add_parser("history", help="every load of offers, oldest first")
    history.add_argument("--json", action="store_true")
    history.set_defaults(func=run_history)


def run_load(args: argparse.Namespace) -> int:
    import settings as config
    from cli.audit import _ledger
    from domain.errors import CommandRejected
    from ledger.offers import OffersUnusable

    s = config.load()
    actor = args.actor or s.actor
    if not actor:
        raise BadInput("no actor: pass --actor NAME or set BRANDPUNT_ACTOR (every load records who made it)", "actor")
    organisation = args.organisation or s.organisation
    known = s.organisations()
    if organisation is not None and organisation not in known:
        raise BadInput(f"--organisation: {organisation} is no organisation brandpunt knows (BRANDPUNT_ORGANISATIONS); "
                       f"known: {', '.join(sorted(known.by_id))}", "organisation")
    path = Path(args.file)
    try:
        data = path.read_bytes()
    except OSError as err:
        raise BadInput(f"cannot read {path.name} ({type(err).__name__})", "file") from None
    ledger = _ledger()
    try:
        recorded = ledger.offers.load(data, file_name=path.name, actor=actor, organisation=organisation,
                                      reason=args.reason)
        in_force = ledger.offers.current()
    except CommandRejected as err:
        raise BadInput(f"refused, nothing loaded: {err.message}", err.field) from None
    except OffersUnusable as err:
        raise BadInput(f"refused, nothing loaded: {err}") from None
    finally:
        ledger.dispose()
    if args.json:
        print(json.dumps(recorded.model_dump(mode="json") if recorded else None, indent=2, ensure_ascii=False))
        return 0
    if recorded is None:
        print(f"nothing recorded: every offer in {path.name} is already in force")
        return 0
    for o in recorded.offers:
        before = recorded.replaced.get(o.hotspot)
        print(f"{o.hotspot.value:<20} {o.version}  {_kind(o)}  "
              f"{'replaces ' + before if before else 'new'}")
    print(f"programme seq {recorded.seq}: {len(recorded.offers)} offer(s) loaded from {path.name}; "
          f"catalogue {recorded.version}, {len(in_force)} offer(s) in force")
    return 0


def _kind(o: CatalogueOffer) -> str:
    p = o.provenance
    return f"as of {p.as_of.isoformat()}, {'illustrative' if p.illustrative else 'not illustrative'}"


def _row(o: CatalogueOffer) -> dict[str, Any]:
    return {"hotspot": o.hotspot.value, "version": o.version, "origin": o.origin.value,
            **o.provenance.model_dump(mode="json")}


def run_list(args: argparse.Namespace) -> int:
    from cli.audit import _ledger
    from domain.offers import catalogue_version
    from ledger.offers import OffersUnusable

    ledger = _ledger()
    try:
        offers = ledger.offers.current()
    except OffersUnusable as err:
        raise BadInput(str(err)) from None
    finally:
        ledger.dispose()
    if args.json:
        print(json.dumps({"catalogue": catalogue_version(offers), "offers": [_row(o) for o in offers]},
                         indent=2, ensure_ascii=False))
        return 0
    for o in offers:
        print(f"{o.hotspot.value:<20} {o.version}  {_kind(o)}  {o.origin.value:<8} {o.provenance.source}")
    illustrative = sum(o.provenance.illustrative for o in offers)
    print(f"{len(offers)} offer(s) in force, {illustrative} of them illustrative; catalogue {catalogue_version(offers)}")
    return 0


def run_history(args: argparse.Namespace) -> int:
    from cli.audit import _ledger

    ledger = _ledger()
    try:
        loads = ledger.offers.loads()
    finally:
        ledger.dispose()
    if args.json:
        print(json.dumps([e.model_dump(mode="json") for e in loads], indent=2, ensure_ascii=False))
        return 0
    for e in loads:
        source = e.file.name if e.file else e.origin.value
        hotspots = ", ".join(o.hotspot.value for o in e.offers)
        print(f"{e.seq:>5} {e.at.isoformat()[:19]} {e.actor:<24} {source:<24} {e.version}  {hotspots}")
    print(f"{len(loads)} load(s)")
    return 0
