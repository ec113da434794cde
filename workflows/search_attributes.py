"""Search attributes upserted on every transition, so the Web UI and
``temporal workflow list --query "Stage='matchmaking'"`` can find cases."""

from __future__ import annotations

from temporalio.common import SearchAttributeKey, SearchAttributePair, TypedSearchAttributes

from domain.state import CaseState

STAGE = SearchAttributeKey.for_keyword("Stage")
REGION = SearchAttributeKey.for_keyword("Region")
HOTSPOT = SearchAttributeKey.for_keyword("Hotspot")
TECHNOLOGY_DOMAIN = SearchAttributeKey.for_keyword("TechnologyDomain")
VENTURE_PHASE = SearchAttributeKey.for_int("VenturePhase")
OUTCOME = SearchAttributeKey.for_keyword("Outcome")
DESTINATION = SearchAttributeKey.for_keyword("Destination")

ALL_KEYS = (STAGE, REGION, HOTSPOT, TECHNOLOGY_DOMAIN, VENTURE_PHASE, OUTCOME, DESTINATION)


def pairs_for(state: CaseState) -> list[SearchAttributePair]:
    """The attribute values that describe ``state``.

    ``Region`` and ``Hotspot`` are the lead's home region and nearest hotspot; ``Destination`` is the
    hotspot chosen or realised at (unset until there is one); ``Outcome`` is ``open`` until the end.
    """
    where = state.realisation.location if state.realisation else state.location
    return [
        STAGE.value_set(state.stage.value),
        REGION.value_set(state.lead.home_region.value),
        HOTSPOT.value_set(state.lead.hotspot.value),
        DESTINATION.value_set(where.hotspot.value)
        if where and where.hotspot
        else DESTINATION.value_unset(),
        TECHNOLOGY_DOMAIN.value_set(state.lead.technology_domain.value),
        VENTURE_PHASE.value_set(state.phase),
        OUTCOME.value_set(state.outcome.value if state.outcome else "open"),
    ]


def typed(state: CaseState) -> TypedSearchAttributes:
    return TypedSearchAttributes(pairs_for(state))


def server_flags() -> list[str]:
    """``--search-attribute`` flags that register the keys with ``temporal server start-dev``."""
    kinds = {"KEYWORD": "Keyword", "INT": "Int"}
    flags: list[str] = []
    for key in ALL_KEYS:
        flags += ["--search-attribute", f"{key.name}={kinds[key.indexed_value_type.name]}"]
    return flags
