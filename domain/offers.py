"""Hotspot offers as data with provenance: where each offer's figures come from, as of when, and
whether they are real.

The programme: "De verschillende brandpunten hebben voor de vraagarticulatie van opschalende
bedrijven niet alleen een ruimtevraag, maar ook een aanbod" (sources/002, "Retentie gericht
ruimtelijk faciliteren"), and matchmaking compares a company's needs with that offer: "welk
technologie brandpunt de beste sectorale competenties heeft [...] waar de beste demografische
aanwas zit voor mbo, hbo of wo talent, en waar er genoeg stroom is" ("Makelen en schakelen op de
ruimtevraag"). The programme names the kinds of offer but gives no figures: the m², MVA, graduates
and housing capacity must come from the ROMs. So every offer carries

- its **provenance** (:class:`OfferProvenance`): the ``source`` of its figures, the ``as_of`` date
  they hold on, and whether they are ``illustrative`` (example figures, not a ROM's);
- its **version** (``o-`` and 12 hex digits): a content address of the offer and its provenance, so
  the same figures from the same source and date have the same version on every machine, and a
  match reason can cite exactly what it was scored against (:func:`citation`);
- its **origin** (:class:`OfferOrigin`): the catalogue shipped with brandpunt (loaded by
  ``brandpunt db upgrade``), a file loaded by ``brandpunt offers load``, or an offer the ledger held
  before offers were versioned.

A file of offers (:class:`OfferFile`, :func:`parse_offer_file`) is checked whole before anything
is written; :func:`plan_load` decides, purely, which offers a load puts in force, and the ledger
records each load in the programme chain (``domain.programme.OffersLoaded``) with the offers in its
projection (``ledger.offers``). ``db upgrade`` never replaces an offer that a file put in force.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable, Mapping
from datetime import date
from enum import Enum
from typing import Annotated, Any

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator

from domain import bounds as b
from domain.chain import canonical_json
from domain.commands import explain, problems
from domain.errors import CommandRejected
from domain.models import HotspotOffer
from domain.vocab import HotspotId

OFFER_FILE_MAX = 256 * 1024
"""Bytes of an offers file: six hotspots' offers are about 6 KiB; a file this large is a mistake."""

VERSION_PATTERN = r"^o-[0-9a-f]{12}$"
CATALOGUE_PATTERN = r"^c-[0-9a-f]{12}$"

UNVERSIONED = "unversioned"
"""What a load names as replaced for an offer the ledger held before offers were versioned."""
DAMAGED = "damaged"
"""What a load names as replaced for a row that held no valid offer (edited by hand)."""
REPLACED_PATTERN = rf"^(o-[0-9a-f]{{12}}|{UNVERSIONED}|{DAMAGED})$"


class OfferOrigin(str, Enum):
    """How an offer came into the ledger."""

    SHIPPED = "shipped"
    """The catalogue shipped with brandpunt (``ledger/data/hotspots.json``), loaded by ``db upgrade``."""
    FILE = "file"
    """A file loaded by ``brandpunt offers load`` (a ROM's figures): ``db upgrade`` never replaces it."""
    ADOPTED = "adopted"
    """Held by the ledger before offers were versioned and not the shipped figures: source unknown,
    so marked illustrative; ``db upgrade`` never replaces it (load a file to)."""


class _Model(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class OfferProvenance(_Model):
    """Where an offer's figures come from. ``illustrative`` has no default: a file must say."""

    source: Annotated[str, b.length(b.SOURCE_MAX, min_length=1)] = Field(
        description="who supplied the figures and from what, e.g. 'Oost NL: bedrijventerreinenmonitor 2025'"
    )
    as_of: b.Date = Field(description="the date the figures hold on")
    illustrative: b.StrictBool = Field(description="true: example figures, not supplied by a ROM")


class CatalogueOffer(_Model):
    """An offer as the ledger holds it: the offer, its provenance, its origin and its version."""

    version: Annotated[str, Field(pattern=VERSION_PATTERN)]
    origin: OfferOrigin
    provenance: OfferProvenance
    offer: HotspotOffer

    @model_validator(mode="after")
    def _version_is_the_content_address(self) -> CatalogueOffer:
        if self.version != offer_version(self.offer, self.provenance):
            raise ValueError("version is not the content address of the offer and its provenance (edited?)")
        return self

    @property
    def hotspot(self) -> HotspotId:
        return self.offer.id

    def stored(self) -> str:
        """The form the ledger's offers table holds: canonical JSON (sorted keys, as in the
        programme chain's payloads), so a row can be compared with its load byte for byte."""
        return canonical_json(self.model_dump(mode="json"))


def _address(prefix: str, data: Any) -> str:
    canonical = json.dumps(data, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return prefix + hashlib.sha256(canonical.encode("utf-8")).hexdigest()[:12]


def offer_version(offer: HotspotOffer, provenance: OfferProvenance) -> str:
    """The content address of an offer with its provenance: ``o-`` and 12 hex digits."""
    return _address("o-", {"offer": offer.model_dump(mode="json"), "provenance": provenance.model_dump(mode="json")})


def catalogue_version(offers: Iterable[CatalogueOffer]) -> str:
    """The content address of a whole catalogue (the offers in force): ``c-`` and 12 hex digits."""
    return _address("c-", sorted(f"{o.hotspot.value}={o.version}" for o in offers))


def catalogued(offer: HotspotOffer, provenance: OfferProvenance, origin: OfferOrigin) -> CatalogueOffer:
    """``offer`` with its provenance, origin and version."""
    return CatalogueOffer(
        version=offer_version(offer, provenance), origin=origin, provenance=provenance, offer=offer
    )


def citation(entry: CatalogueOffer) -> str:
    """The first match reason of a proposal: what it was scored against, the offer's version,
    as-of date, whether it is illustrative, and its source."""
    p = entry.provenance
    return f"offer: {entry.version} as of {p.as_of.isoformat()}, {_kind(p)} (source: {p.source})"


def cited(reason: str, entry: CatalogueOffer) -> str:
    """A match reason that quotes the offer's figures, with the offer version and whether it is
    illustrative, so the figure never stands alone as fact: ``… [offer o-…, illustrative]``."""
    return f"{reason} [offer {entry.version}, {_kind(entry.provenance)}]"


def _kind(p: OfferProvenance) -> str:
    return "illustrative" if p.illustrative else "not illustrative"


# --- a file of offers -----------------------------------------------------------------------


class OfferFile(_Model):
    """What ``brandpunt offers load FILE`` reads (and the shipped catalogue is): one provenance for
    all its offers, and the offers, each hotspot at most once. A file may hold the offers of some
    hotspots only: the others keep theirs."""

    source: Annotated[str, b.length(b.SOURCE_MAX, min_length=1)]
    as_of: b.Date
    illustrative: b.StrictBool
    offers: list[HotspotOffer] = Field(min_length=1, max_length=len(HotspotId))

    @field_validator("offers")
    @classmethod
    def _each_hotspot_once(cls, offers: list[HotspotOffer]) -> list[HotspotOffer]:
        seen: set[HotspotId] = set()
        for offer in offers:
            if offer.id in seen:
                raise ValueError(f"hotspot {offer.id.value} is given twice")
            seen.add(offer.id)
        return offers

    @property
    def provenance(self) -> OfferProvenance:
        return OfferProvenance(source=self.source, as_of=self.as_of, illustrative=self.illustrative)

    def catalogued(self, origin: OfferOrigin) -> list[CatalogueOffer]:
        """The file's offers with its provenance, by hotspot id."""
        return sorted((catalogued(o, self.provenance, origin) for o in self.offers), key=lambda o: o.hotspot.value)


def parse_offer_file(data: str | bytes, today: date) -> OfferFile:
    """An offers file checked whole: JSON, at most :data:`OFFER_FILE_MAX` bytes, every field (each
    problem named by its field, never echoing the value), and figures not dated after ``today``.
    Raises :class:`CommandRejected`; nothing is loaded then."""
    raw = data.encode("utf-8") if isinstance(data, str) else data
    if len(raw) > OFFER_FILE_MAX:
        raise CommandRejected(
            "too-large", f"the file is {len(raw):,} bytes; an offers file has at most {OFFER_FILE_MAX:,}", "(file)"
        )
    try:
        parsed = json.loads(raw)
    except (UnicodeDecodeError, json.JSONDecodeError) as err:
        where = f" (line {err.lineno}, column {err.colno})" if isinstance(err, json.JSONDecodeError) else ""
        raise CommandRejected("invalid-input", f"the file is not JSON in UTF-8{where}", "(file)") from None
    if not isinstance(parsed, dict):
        raise CommandRejected(
            "invalid-input", "the file is one JSON object: source, as_of, illustrative, offers", "(file)"
        )
    try:
        file = OfferFile.model_validate(parsed)
    except ValidationError as err:
        found = problems(err)
        raise CommandRejected("invalid-input", explain(err, "offers file"), found[0][0] if found else None) from None
    if file.as_of > today:
        raise CommandRejected(
            "as-of-in-future", f"as_of {file.as_of.isoformat()} is after today ({today.isoformat()}): the "
            "figures must hold on a day that has come", "as_of",
        )
    return file


# --- which offers a load puts in force ------------------------------------------------------


class LoadPlan(_Model):
    """What a load changes: the offers it puts in force and the version each replaces."""

    offers: list[CatalogueOffer]
    replaced: dict[HotspotId, str]
    kept: list[HotspotId] = Field(description="offers of the load left as they were (db upgrade: a file's)")


def plan_load(
    current: Mapping[HotspotId, CatalogueOffer | str],
    incoming: Iterable[CatalogueOffer],
) -> LoadPlan:
    """Which of ``incoming`` a load puts in force over ``current`` (each hotspot's offer, or
    :data:`UNVERSIONED`/:data:`DAMAGED` for a row that holds no versioned offer; a hotspot absent
    has none).

    - an offer the same as the one in force (version and origin) changes nothing;
    - the shipped catalogue (``db upgrade``) fills hotspots without an offer and replaces shipped
      and unversioned ones only: never an offer a file put in force, nor an adopted or damaged one;
    - a file replaces whatever is there for its hotspots.
    """
    offers: list[CatalogueOffer] = []
    replaced: dict[HotspotId, str] = {}
    kept: list[HotspotId] = []
    for new in incoming:
        had = current.get(new.hotspot)
        if isinstance(had, CatalogueOffer) and (had.version, had.origin) == (new.version, new.origin):
            continue
        if new.origin == OfferOrigin.SHIPPED and had not in (None, UNVERSIONED) and not (
            isinstance(had, CatalogueOffer) and had.origin == OfferOrigin.SHIPPED
        ):
            kept.append(new.hotspot)
            continue
        if had is not None:
            replaced[new.hotspot] = had.version if isinstance(had, CatalogueOffer) else had
        offers.append(new)
    return LoadPlan(offers=offers, replaced=replaced, kept=kept)


def adopt_unversioned(
    held: Iterable[HotspotOffer], shipped: OfferFile, today: date
) -> list[CatalogueOffer]:
    """The offers a ledger held before offers were versioned, as catalogue offers: one equal to the
    shipped catalogue's is the shipped offer; any other was changed by hand or by an earlier release,
    its source is unknown, so it is kept, marked illustrative, as of ``today`` (when it was first
    versioned), for a file to replace."""
    ours = {o.id: o for o in shipped.offers}
    unknown = OfferProvenance(
        source="unknown: held by this ledger before hotspot offers carried their provenance; the date is "
        "when it was first versioned. Replace it with `brandpunt offers load FILE`.",
        as_of=today, illustrative=True,
    )
    out = []
    for offer in held:
        if ours.get(offer.id) == offer:
            out.append(catalogued(offer, shipped.provenance, OfferOrigin.SHIPPED))
        else:
            out.append(catalogued(offer, unknown, OfferOrigin.ADOPTED))
    return out
