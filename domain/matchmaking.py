"""Matchmaking scores: how well each hotspot's offer meets a lead's articulated needs.

Why this rule: the taskforce proposes locations a company can actually grow in, so a *hard*
shortfall on any kind of growth space the company asked for (too few m², no cleanroom of the
class needed, not enough grid headroom, talent or housing) makes a hotspot not viable, whatever
its other merits. Among the rest, each requested kind contributes a fit in [0, 1] (1 = the offer
covers the need; a capital need fits best where a shared facility can carry early capex), and a
cluster of firms in the same technology domain adds a half-weight bonus, because clustering is one
of the programme's matching criteria. The score is the weighted mean, rounded to 3 decimals.
Viable offers rank first, then by score, then by hotspot id, so the order is total and stable.

When nothing is viable, the bottleneck is the kind of growth space that fails at the most
hotspots: that is the signal the programme collects for spatial-economic policy.

Every proposal says what it was scored against: the offer's version and whether its figures are
illustrative (``MatchProposal.offer_version``/``illustrative``); its first reason cites the offer
(``domain.offers.citation``: version, as-of date, illustrative or not, source) and every other
reason ends with the version and whether it is illustrative (``domain.offers.cited``), so no reason
recorded in the ledger passes example figures off as a ROM's.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence

from pydantic import BaseModel, ConfigDict

from domain.models import HotspotOffer, Lead, MatchProposal, NeedsProfile
from domain.offers import CatalogueOffer, citation, cited
from domain.vocab import Bottleneck, GrowthSpaceKind

DOMAIN_WEIGHT = 0.5


class MatchResult(BaseModel):
    model_config = ConfigDict(frozen=True)

    proposals: list[MatchProposal]
    bottleneck: Bottleneck | None = None


class _Fit:
    """Collects one offer's fit per kind, its reasons and its hard shortfalls."""

    def __init__(self) -> None:
        self.fits: list[tuple[float, float]] = []
        self.reasons: list[str] = []
        self.shortfalls: list[GrowthSpaceKind] = []

    def add(self, kind: GrowthSpaceKind, fit: float, reason: str, hard_shortfall: bool = False) -> None:
        self.fits.append((max(0.0, min(1.0, fit)), 1.0))
        self.reasons.append(f"{kind.value}: {reason}")
        if hard_shortfall and kind not in self.shortfalls:
            self.shortfalls.append(kind)


def _ratio(have: float, need: float) -> float:
    return 1.0 if need <= 0 else min(1.0, have / need)


def _space(fit: _Fit, needs: NeedsProfile, offer: HotspotOffer) -> None:
    space = needs.space
    assert space is not None
    problems: list[str] = []
    if offer.available_m2 < space.m2:
        problems.append(f"{offer.available_m2:,} m² available < {space.m2:,} m² needed")
    if space.cleanroom_iso_class is not None:
        best = offer.best_cleanroom_iso_class
        if best is None or best > space.cleanroom_iso_class:
            have = "no cleanroom" if best is None else f"cleanroom ISO {best} at best"
            problems.append(f"{have} (ISO {space.cleanroom_iso_class} needed)")
    if space.vibration_free and not offer.vibration_free:
        problems.append("no vibration-free floors")
    if space.heavy_transport and not offer.heavy_transport:
        problems.append("no truck access")
    if space.environmental_category and space.environmental_category > offer.max_environmental_category:
        problems.append(
            f"zoning up to category {offer.max_environmental_category} "
            f"(category {space.environmental_category} needed)"
        )
    if problems:
        fit.add(GrowthSpaceKind.SPACE, _ratio(offer.available_m2, space.m2) * 0.5, "; ".join(problems), True)
    else:
        extra = f", cleanroom ISO {offer.best_cleanroom_iso_class}" if space.cleanroom_iso_class else ""
        fit.add(GrowthSpaceKind.SPACE, 1.0, f"{offer.available_m2:,} m² available{extra}")


def _capital(fit: _Fit, needs: NeedsProfile, offer: HotspotOffer) -> None:
    capital = needs.capital
    assert capital is not None
    if capital.shared_facility_ok and offer.shared_facilities:
        fit.add(GrowthSpaceKind.CAPITAL, 1.0, f"shared facilities: {', '.join(offer.shared_facilities)}")
    else:
        fit.add(GrowthSpaceKind.CAPITAL, 0.6, f"EUR {capital.capex_eur:,} to be invested without a shared facility")


def _talent(fit: _Fit, needs: NeedsProfile, offer: HotspotOffer) -> None:
    talent = needs.talent
    assert talent is not None
    ratios: list[float] = []
    problems: list[str] = []
    notes: list[str] = []
    for level, need in (("mbo", talent.mbo_fte), ("hbo", talent.hbo_fte), ("wo", talent.wo_fte)):
        if need <= 0:
            continue
        have = offer.talent_fte_per_year.get(level, 0)
        ratios.append(_ratio(have, need))
        (problems if have < need else notes).append(f"{level} {have}/yr vs {need} FTE")
    if problems:
        fit.add(GrowthSpaceKind.TALENT, min(ratios), "short of " + "; ".join(problems), True)
    else:
        fit.add(GrowthSpaceKind.TALENT, 1.0, "; ".join(notes))


def _housing(fit: _Fit, needs: NeedsProfile, offer: HotspotOffer) -> None:
    housing = needs.housing
    assert housing is not None
    mirt = "; national scale: signal to MIRT" if housing.national_scale else ""
    short = offer.housing_jobs_capacity < housing.jobs
    verb = "<" if short else ">="
    fit.add(
        GrowthSpaceKind.HOUSING,
        _ratio(offer.housing_jobs_capacity, housing.jobs),
        f"housing absorbs {offer.housing_jobs_capacity:,} jobs {verb} {housing.jobs:,} jobs{mirt}",
        short,
    )


def _energy(fit: _Fit, needs: NeedsProfile, offer: HotspotOffer) -> None:
    energy = needs.energy
    assert energy is not None
    short = offer.grid_headroom_mva < energy.grid_mva
    verb = "<" if short else ">="
    fit.add(
        GrowthSpaceKind.ENERGY,
        _ratio(offer.grid_headroom_mva, energy.grid_mva),
        f"grid headroom {offer.grid_headroom_mva:.1f} MVA {verb} {energy.grid_mva:.1f} MVA needed",
        short,
    )


_SCORERS = {
    GrowthSpaceKind.SPACE: _space,
    GrowthSpaceKind.CAPITAL: _capital,
    GrowthSpaceKind.TALENT: _talent,
    GrowthSpaceKind.HOUSING: _housing,
    GrowthSpaceKind.ENERGY: _energy,
}


def score_offer(lead: Lead, needs: NeedsProfile, entry: CatalogueOffer) -> MatchProposal:
    """``entry``'s offer scored against ``needs``; the proposal cites the offer's version."""
    offer = entry.offer
    fit = _Fit()
    for kind in needs.kinds:
        _SCORERS[kind](fit, needs, offer)
    clustered = lead.technology_domain in offer.technology_domains
    fit.fits.append((1.0 if clustered else 0.0, DOMAIN_WEIGHT))
    fit.reasons.append(
        f"cluster: {lead.technology_domain.value} firms present"
        if clustered
        else f"cluster: no {lead.technology_domain.value} cluster"
    )
    total = sum(w for _, w in fit.fits)
    score = round(sum(f * w for f, w in fit.fits) / total, 3)
    return MatchProposal(
        hotspot=offer.id,
        region=offer.region,
        score=score,
        viable=not fit.shortfalls,
        reasons=[citation(entry), *(cited(r, entry) for r in fit.reasons)],
        shortfalls=fit.shortfalls,
        offer_version=entry.version,
        illustrative=entry.provenance.illustrative,
    )


def score_offers(
    lead: Lead,
    needs: NeedsProfile,
    offers: Sequence[CatalogueOffer],
    *,
    exclude_home_hotspot: bool = False,
) -> MatchResult:
    """Every offer scored, best first; ``bottleneck`` set only when none is viable."""
    candidates = [o for o in offers if not (exclude_home_hotspot and o.hotspot == lead.hotspot)]
    proposals = sorted(
        (score_offer(lead, needs, o) for o in candidates),
        key=lambda p: (not p.viable, -p.score, p.hotspot.value),
    )
    bottleneck = None
    if proposals and not any(p.viable for p in proposals):
        counts = Counter(k for p in proposals for k in p.shortfalls)
        order = list(GrowthSpaceKind)
        worst = max(counts, key=lambda k: (counts[k], -order.index(k)))
        bottleneck = Bottleneck(worst.value)
    return MatchResult(proposals=proposals, bottleneck=bottleneck)
