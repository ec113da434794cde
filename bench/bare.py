"""The floor: a bare minimal Temporal workflow with the same shape as a case (update + no-op activity).

Kept in its own module so the workflow sandbox can import it; used only by the benchmarks.
"""

from __future__ import annotations

from datetime import timedelta

from temporalio import activity, workflow
from temporalio.common import SearchAttributeKey

PHASE = SearchAttributeKey.for_int("VenturePhase")
# The case's seven attributes (workflows/search_attributes.py), with a started case's values.
STARTED = (
    SearchAttributeKey.for_keyword("Stage").value_set("detection"),
    SearchAttributeKey.for_keyword("Region").value_set("oost-nederland"),
    SearchAttributeKey.for_keyword("Hotspot").value_set("twente"),
    SearchAttributeKey.for_keyword("Destination").value_unset(),
    SearchAttributeKey.for_keyword("TechnologyDomain").value_set("photonics"),
    PHASE.value_set(1),
    SearchAttributeKey.for_keyword("Outcome").value_set("open"),
)


@activity.defn(name="bare_noop")
def noop(n: int) -> int:
    return n


@workflow.defn(name="BareWorkflow")
class BareWorkflow:
    def __init__(self) -> None:
        self.seq = 0
        self.done = False

    @workflow.run
    async def run(self) -> int:
        await workflow.wait_condition(lambda: self.done)
        return self.seq

    async def _act(self, finish: bool) -> int:
        self.seq += 1
        await workflow.execute_activity(noop, self.seq, start_to_close_timeout=timedelta(seconds=10))
        self.done = finish
        return self.seq

    @workflow.update
    async def act(self, finish: bool) -> int:
        return await self._act(finish)

    @workflow.update
    async def act_indexed(self, finish: bool) -> int:
        """The floor plus one search-attribute upsert (a visibility write), as a case's command has."""
        seq = await self._act(finish)
        workflow.upsert_search_attributes([PHASE.value_set(seq % 2 + 3)])
        return seq

    @workflow.update
    async def start_indexed(self, finish: bool) -> int:
        """The floor plus the seven attributes a started case upserts (its first upsert sends all)."""
        seq = await self._act(finish)
        workflow.upsert_search_attributes(list(STARTED))
        return seq

    @workflow.query
    def state(self) -> int:
        return self.seq
