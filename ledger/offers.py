"""The hotspot catalogue: what each hotspot offers (space, energy, talent, housing, capital).

Matchmaking (``domain.matchmaking``) scores a lead's needs against these offers; the shipped
catalogue is ``ledger/data/hotspots.json``, loaded by ``brandpunt db upgrade`` and the dev server
(:meth:`HotspotOffers.seed`, through ``Ledger.seed_hotspots``). Reached as ``Ledger.offers``. Upserts by offer id: loading again
refreshes an offer, never adds a second row.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from pathlib import Path

from sqlalchemy import Engine, insert, select, update

from domain.models import HotspotOffer
from ledger.schema import hotspot_offers

HOTSPOTS_FILE = Path(__file__).parent / "data" / "hotspots.json"


def shipped(path: Path = HOTSPOTS_FILE) -> list[HotspotOffer]:
    """The offers in ``path`` (default: the shipped catalogue), validated."""
    return [HotspotOffer.model_validate(o) for o in json.loads(path.read_text(encoding="utf-8"))]


class HotspotOffers:
    def __init__(self, engine: Engine) -> None:
        self._engine = engine

    def load(self, offers: Iterable[HotspotOffer]) -> int:
        """Insert or refresh ``offers`` (by id) in one transaction; returns how many."""
        n = 0
        with self._engine.begin() as conn:
            for offer in offers:
                values = {"name": offer.name, "region": offer.region.value, "data": offer.model_dump_json()}
                found = conn.execute(
                    update(hotspot_offers).where(hotspot_offers.c.id == offer.id.value).values(**values)
                )
                if found.rowcount == 0:
                    conn.execute(insert(hotspot_offers).values(id=offer.id.value, **values))
                n += 1
        return n

    def seed(self, path: Path = HOTSPOTS_FILE) -> int:
        """Load (or refresh) the offers in ``path``, the shipped catalogue by default; idempotent."""
        return self.load(shipped(path))

    def all(self) -> list[HotspotOffer]:
        """Every offer, by id."""
        with self._engine.connect() as conn:
            rows = conn.execute(select(hotspot_offers.c.data).order_by(hotspot_offers.c.id)).scalars()
            return [HotspotOffer.model_validate_json(r) for r in rows]
