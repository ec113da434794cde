"""Matchmaking: read the hotspot offers from the database and score them with the pure scorer.

The scoring rule lives in ``domain.matchmaking``; this activity only supplies the current offers,
which change over time (sites fill up, grid headroom grows), so they are read at decision time
and the proposals that resulted are recorded in the ``MatchesProposed`` event, each citing the
version of the offer it was scored against and whether that offer is illustrative.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from pydantic import BaseModel
from temporalio import activity

from domain.matchmaking import MatchResult, score_offers
from domain.models import Lead, NeedsProfile

if TYPE_CHECKING:  # the workflow and the CLI import this module; they need no database driver
    from ledger.store import Ledger


class MatchInput(BaseModel):
    lead: Lead
    needs: NeedsProfile


class MatchmakingActivities:
    def __init__(self, ledger: Ledger) -> None:
        self._ledger = ledger

    @activity.defn(name="match_hotspots")
    def match_hotspots(self, input: MatchInput) -> MatchResult:
        offers = self._ledger.offers.current()  # OffersNotVersioned: the command fails saying so
        if not offers:
            raise RuntimeError("no hotspot offers in the database; run `brandpunt db upgrade`")
        return score_offers(input.lead, input.needs, offers)
