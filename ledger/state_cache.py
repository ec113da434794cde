"""Parsed case states kept in memory by (case, last event): a listing parses a state once per change.

A projected state is the fold of a case's events up to ``last_seq``, so a state parsed at one
``last_seq`` holds for as long as the case's projection row says that ``last_seq``. The web app's
inbox reads the open cases of an organisation on every load (hundreds to thousands of them); with
this cache a load parses only the cases that changed since the last one. Bounded (least recently
used leave first) and per process; a state is never served for a ``last_seq`` it was not parsed at.
"""

from __future__ import annotations

import threading
from collections import OrderedDict

from domain.state import CaseState

CAPACITY = 50_000
"""States kept (a few KiB each): more than the cases a large deployment reads in one listing."""


class StateCache:
    def __init__(self, capacity: int = CAPACITY) -> None:
        self._states: OrderedDict[str, CaseState] = OrderedDict()
        self._capacity = capacity
        self._lock = threading.Lock()

    def get(self, case_id: str, last_seq: int) -> CaseState | None:
        """The state of ``case_id`` parsed at ``last_seq``, if kept."""
        with self._lock:
            state = self._states.get(case_id)
            if state is None or state.last_seq != last_seq:
                return None
            self._states.move_to_end(case_id)
            return state

    def put(self, state: CaseState) -> None:
        with self._lock:
            self._states[state.case_id] = state
            self._states.move_to_end(state.case_id)
            while len(self._states) > self._capacity:
                self._states.popitem(last=False)
