"""The hotspot catalogue: what each hotspot offers (space, energy, talent, housing, capital), with
where its figures come from (``domain.offers``).

Matchmaking (``domain.matchmaking``) scores a lead's needs against the offers in force, the rows of
``hotspot_offers`` (one per hotspot, the offer with its provenance, origin and version as JSON).
Every change to them is an ``OffersLoaded`` event of the programme chain, written in the same
transaction under the chain's lock (``Ledger.append_programme``), so the table is the fold of those
events (``audit.offers`` checks it) and a match reason's offer version can be looked up there.

Two ways in:
- :meth:`HotspotOffers.load`: a file of offers (``brandpunt offers load FILE``), checked whole
  first; it replaces the offers of its hotspots, whatever their origin;
- :meth:`HotspotOffers.seed`: the catalogue shipped with brandpunt (``ledger/data/hotspots.json``,
  illustrative figures), by ``brandpunt db upgrade`` and the dev server. It fills hotspots without an
  offer and refreshes shipped offers only: an offer a file put in force is never overwritten. The
  first seed of a ledger whose offers were loaded before offers carried their provenance versions
  them (``domain.offers.adopt_unversioned``).

Loading the same offers again records nothing. Reached as ``Ledger.offers``.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from pathlib import Path

from sqlalchemy import Connection, Engine, insert, select, update

from domain.models import HotspotOffer
from domain.offers import (
    DAMAGED,
    UNVERSIONED,
    CatalogueOffer,
    LoadPlan,
    OfferFile,
    OfferOrigin,
    adopt_unversioned,
    catalogue_version,
    parse_offer_file,
    plan_load,
)
from domain.programme import OfferFileRef, OffersLoaded, ProgrammeEvent, parse_programme_event
from domain.vocab import HotspotId
from ledger.schema import hotspot_offers, programme_events

HOTSPOTS_FILE = Path(__file__).parent / "data" / "hotspots.json"
SEED_ACTOR = "brandpunt db upgrade"


class OffersUnusable(RuntimeError):
    """The offers in the ledger cannot be cited: matchmaking and loads stop, saying what to do."""


class OffersNotVersioned(OffersUnusable):
    """The ledger holds offers from before offers carried their provenance: nothing can cite them."""

    def __init__(self) -> None:
        super().__init__(
            "the hotspot offers in the ledger carry no version or provenance yet (loaded by an earlier "
            "release): run `brandpunt db upgrade` to version them"
        )


class OffersDamaged(OffersUnusable):
    """A row of the offers table is no valid offer: edited by hand (``audit verify --all`` says more)."""

    def __init__(self, hotspot: str) -> None:
        super().__init__(
            f"the hotspot offer {hotspot} in the ledger is no valid offer, or its version does not match its "
            "content (edited by hand?): see `brandpunt audit verify --all`; `brandpunt offers load FILE` with "
            "the hotspot's offer replaces it"
        )


def shipped(path: Path = HOTSPOTS_FILE) -> OfferFile:
    """The offers file at ``path`` (default: the catalogue shipped with brandpunt), checked whole."""
    return parse_offer_file(path.read_bytes(), today=date.max)


def shipped_offers(path: Path = HOTSPOTS_FILE) -> list[CatalogueOffer]:
    """The shipped catalogue's offers as the ledger holds them after ``db upgrade``."""
    return shipped(path).catalogued(OfferOrigin.SHIPPED)


@dataclass
class _Held:
    """The table's rows: the versioned offers, those from before versioning, and damaged rows."""

    offers: dict[HotspotId, CatalogueOffer] = field(default_factory=dict)
    unversioned: dict[HotspotId, HotspotOffer] = field(default_factory=dict)
    damaged: list[str] = field(default_factory=list)

    def current(self) -> dict[HotspotId, CatalogueOffer | str]:
        """What :func:`domain.offers.plan_load` is given: each hotspot's offer, or a label."""
        labels = {h: UNVERSIONED for h in self.unversioned} | {HotspotId(h): DAMAGED for h in self.damaged}
        return {**self.offers, **labels}


def _read(conn: Connection) -> _Held:
    held = _Held()
    for hotspot, data in conn.execute(select(hotspot_offers.c.id, hotspot_offers.c.data)):
        try:
            parsed = json.loads(data)
            if isinstance(parsed, dict) and "version" not in parsed:
                bare = HotspotOffer.model_validate(parsed)
                held.unversioned[bare.id] = bare
            else:
                offer = CatalogueOffer.model_validate(parsed)
                if offer.hotspot.value != hotspot:
                    raise ValueError("row id and offer differ")
                held.offers[offer.hotspot] = offer
        except ValueError:  # not JSON, no valid offer, a version that does not match, or a foreign id
            held.damaged.append(hotspot)
    return held


Append = Callable[[Callable[[Connection, int], ProgrammeEvent | None]], ProgrammeEvent | None]
"""``Ledger.append_programme``: append one event to the programme chain, decided under its lock."""


class HotspotOffers:
    """Reached as ``Ledger.offers``: reads the table, and writes it only through ``append`` (each
    change in the transaction that appends its ``OffersLoaded``)."""

    def __init__(self, engine: Engine, append: Append) -> None:
        self._engine = engine
        self._append = append

    # --- reading -------------------------------------------------------------------------

    def current(self) -> list[CatalogueOffer]:
        """The offers in force, by hotspot id. Raises :class:`OffersDamaged` for a row edited by
        hand and :class:`OffersNotVersioned` while the ledger holds offers from before they were
        versioned (``db upgrade`` versions them)."""
        with self._engine.connect() as conn:
            held = _read(conn)
        if held.damaged:
            raise OffersDamaged(sorted(held.damaged)[0])
        if held.unversioned:
            raise OffersNotVersioned()
        return [held.offers[h] for h in sorted(held.offers, key=lambda h: h.value)]

    def loads(self) -> list[OffersLoaded]:
        """Every ``OffersLoaded`` of the programme chain, in order: the catalogue's history."""
        with self._engine.connect() as conn:
            payloads = conn.execute(
                select(programme_events.c.payload)
                .where(programme_events.c.type == "OffersLoaded")
                .order_by(programme_events.c.seq)
            ).scalars()
            events = [parse_programme_event(p) for p in payloads]
        return [e for e in events if isinstance(e, OffersLoaded)]

    def stored(self) -> dict[str, str]:
        """The table's rows as stored (hotspot id → JSON text), for ``audit.offers``."""
        with self._engine.connect() as conn:
            return {str(i): str(d) for i, d in conn.execute(select(hotspot_offers.c.id, hotspot_offers.c.data))}

    # --- writing -------------------------------------------------------------------------

    def load(
        self,
        data: bytes,
        *,
        file_name: str,
        actor: str,
        organisation: str | None = None,
        reason: str | None = None,
        at: datetime | None = None,
        today: date | None = None,
    ) -> OffersLoaded | None:
        """Put the offers of the file ``data`` (its bytes) in force, replacing those of its hotspots
        (a damaged row too: this is how one is repaired).

        The file is checked whole first (``domain.offers.parse_offer_file``: a problem names its
        field and nothing is written). Returns the recorded ``OffersLoaded``, or None when every
        offer in it is already in force (nothing recorded).
        """
        at = at or datetime.now(UTC)
        file = parse_offer_file(data, today=today or at.date())
        ref = OfferFileRef(name=Path(file_name).name[:200] or "offers.json", sha256=hashlib.sha256(data).hexdigest())
        _, recorded = self._put(OfferOrigin.FILE, file.catalogued(OfferOrigin.FILE), actor, at,
                                organisation=organisation, reason=reason, file=ref)
        return recorded

    def seed(self, path: Path = HOTSPOTS_FILE, actor: str = SEED_ACTOR, at: datetime | None = None) -> LoadPlan:
        """Load the shipped catalogue at ``path``: fill hotspots without an offer, refresh shipped
        offers, never touch one a file put in force (``domain.offers.plan_load``). The first time,
        version the offers held from before (recorded as a load of their own). Idempotent. Raises
        :class:`OffersDamaged` for a row edited by hand (an upgrade does not paper over it).
        Returns what the shipped load did."""
        at = at or datetime.now(UTC)
        catalogue = shipped(path)
        self._append(lambda conn, seq: self._adopt(conn, seq, catalogue, actor, at))
        plan, _ = self._put(OfferOrigin.SHIPPED, catalogue.catalogued(OfferOrigin.SHIPPED), actor, at,
                            reason="the catalogue shipped with brandpunt (illustrative figures)")
        return plan

    def _adopt(self, conn: Connection, seq: int, catalogue: OfferFile, actor: str, at: datetime) -> OffersLoaded | None:
        """The load that versions the offers held from before offers carried their provenance, if any."""
        held = _read(conn)
        if held.damaged:
            raise OffersDamaged(sorted(held.damaged)[0])
        if not held.unversioned:
            return None
        adopted = adopt_unversioned(held.unversioned.values(), catalogue, at.date())
        shipped_only = all(o.origin == OfferOrigin.SHIPPED for o in adopted)
        return self._write(
            conn, seq, held, plan_load(held.current(), adopted),
            OfferOrigin.SHIPPED if shipped_only else OfferOrigin.ADOPTED, actor, at,
            reason="the offers held before hotspot offers carried their provenance, versioned",
        )

    def _put(
        self,
        origin: OfferOrigin,
        incoming: list[CatalogueOffer],
        actor: str,
        at: datetime,
        *,
        organisation: str | None = None,
        reason: str | None = None,
        file: OfferFileRef | None = None,
    ) -> tuple[LoadPlan, OffersLoaded | None]:
        """Put ``incoming`` in force as :func:`domain.offers.plan_load` says, recorded as one load."""
        plans: list[LoadPlan] = []

        def decide(conn: Connection, seq: int) -> OffersLoaded | None:
            held = _read(conn)
            if origin == OfferOrigin.SHIPPED and held.damaged:
                raise OffersDamaged(sorted(held.damaged)[0])
            plans.append(plan_load(held.current(), incoming))
            if not plans[-1].offers:
                return None
            return self._write(conn, seq, held, plans[-1], origin, actor, at, organisation=organisation,
                               reason=reason, file=file)

        recorded = self._append(decide)
        assert recorded is None or isinstance(recorded, OffersLoaded)
        return plans[-1], recorded

    @staticmethod
    def _write(
        conn: Connection,
        seq: int,
        held: _Held,
        plan: LoadPlan,
        origin: OfferOrigin,
        actor: str,
        at: datetime,
        *,
        organisation: str | None = None,
        reason: str | None = None,
        file: OfferFileRef | None = None,
    ) -> OffersLoaded:
        """Write ``plan``'s offers over ``held`` (in the append's transaction) and return the event
        that records them; the catalogue version is over every valid offer in force afterwards."""
        rows = held.offers.keys() | held.unversioned.keys() | {HotspotId(h) for h in held.damaged}
        in_force = dict(held.offers)
        for offer in plan.offers:
            values = {"name": offer.offer.name, "region": offer.offer.region.value, "data": offer.stored()}
            if offer.hotspot in rows:
                conn.execute(update(hotspot_offers).where(hotspot_offers.c.id == offer.hotspot.value).values(**values))
            else:
                conn.execute(insert(hotspot_offers).values(id=offer.hotspot.value, **values))
            in_force[offer.hotspot] = offer
        return OffersLoaded(
            seq=seq, at=at, actor=actor, reason=reason, version=catalogue_version(in_force.values()), origin=origin,
            organisation=organisation, file=file, offers=plan.offers, replaced=plan.replaced,
        )


__all__ = [
    "HOTSPOTS_FILE", "HotspotOffers", "OffersDamaged", "OffersNotVersioned", "OffersUnusable", "shipped",
    "shipped_offers",
]
