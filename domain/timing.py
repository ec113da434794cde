"""The programme's timing rule, measured: how far ahead of the need a growth question was asked.

The programme's core promise: "Verwachting is dat we de opschalingsvraag en/of ruimtevraag 2 tot 3
jaar eerder in de tijd gesteld kunnen krijgen. Dat is een essentieel gegeven. Omdat 2 tot 3 jaar
eerder in de tijd, de taskforce voldoende gelegenheid geeft om wel tijdig te kunnen makelen en
schakelen met bedrijven." (sources/002, "Tijdig signaleren van Leads"). So a case's lead time runs
from the day its needs were first articulated to the date the growth space is needed
(``needs.needed_by``, the latest articulated), and a case articulated less than two years ahead is
flagged: the taskforce had less time than the programme counts on.

When to ask (the reminders) is ``domain.reminders``; this module only measures. Pure.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from enum import Enum

AIM_MIN_YEARS = 2
"""The least lead time the programme aims at ("2 tot 3 jaar eerder")."""
AIM_MAX_YEARS = 3
"""The most lead time the programme names; more is earlier still, and no shortfall."""


class LeadTimeVerdict(str, Enum):
    UNDER_TWO_YEARS = "under-two-years"
    """Flagged: articulated less than two years before the space is needed."""
    TWO_TO_THREE_YEARS = "two-to-three-years"
    """Within the programme's aim, both ends included."""
    OVER_THREE_YEARS = "over-three-years"
    """Asked earlier than the aim names."""


def years_after(day: date, years: int) -> date:
    """The same calendar day ``years`` later (29 February becomes 28 February in a common year)."""
    try:
        return day.replace(year=day.year + years)
    except ValueError:  # 29 February in a year that has none
        return day.replace(year=day.year + years, day=28)


@dataclass(frozen=True)
class LeadTime:
    """From the first needs articulation (a date, UTC) to the date the growth space is needed."""

    articulated_on: date
    needed_by: date

    @property
    def days(self) -> int:
        return (self.needed_by - self.articulated_on).days

    @property
    def verdict(self) -> LeadTimeVerdict:
        if self.needed_by < years_after(self.articulated_on, AIM_MIN_YEARS):
            return LeadTimeVerdict.UNDER_TWO_YEARS
        if self.needed_by <= years_after(self.articulated_on, AIM_MAX_YEARS):
            return LeadTimeVerdict.TWO_TO_THREE_YEARS
        return LeadTimeVerdict.OVER_THREE_YEARS

    @property
    def short(self) -> bool:
        """Articulated less than two years ahead of the need: the case is flagged."""
        return self.verdict == LeadTimeVerdict.UNDER_TWO_YEARS

    def describe(self) -> str:
        """``articulated 2026-03-01, needed by 2027-09-01: 549 days (1.5 years), under two years``."""
        return (
            f"articulated {self.articulated_on}, needed by {self.needed_by}: {self.days} days "
            f"({self.days / 365.25:.1f} years), {self.verdict.value.replace('-', ' ')}"
        )


def lead_time(articulated_on: date, needed_by: date) -> LeadTime:
    """The lead time of a case whose needs were first articulated on ``articulated_on``."""
    return LeadTime(articulated_on, needed_by)
