"""Shared fixtures: real Temporal servers (tests/temporal_env.py) and ledger databases.

Hypothesis profiles: under ``CI=true`` the property tests are derandomized (the same examples every
run, so a red run replays exactly); ``HYPOTHESIS_PROFILE=ci|mutation|dev`` picks one by hand.
"""

import os

from hypothesis import HealthCheck, settings

pytest_plugins = ["tests.temporal_env", "tests.db_fixtures"]

settings.register_profile("ci", derandomize=True, print_blob=True)
settings.register_profile("mutation", derandomize=True, suppress_health_check=[HealthCheck.too_slow])
settings.register_profile("dev")
_ci = os.environ.get("CI", "").lower() in ("1", "true", "yes")
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE") or ("ci" if _ci else "dev"))

SERVER_FIXTURES = {"ts_worker", "time_skipping_env", "dev_server_env"}


BROWSER_FIXTURES = {"page", "context", "browser"}
"""pytest-playwright's: its sync API keeps an event loop of its own in the main thread until the session
ends, where pytest-asyncio's tests then cannot run theirs; so the browser tests run last."""


def pytest_collection_modifyitems(config, items):
    """The browser tests last (:data:`BROWSER_FIXTURES`). During a mutation run (tests/mutation/run.sh),
    a mutant outside the workflow must be killed by the fast tests: the ones that start a Temporal
    server are left out for it (a server per mutant would make the run take hours). Workflow mutants
    keep them."""
    items.sort(key=lambda i: bool(BROWSER_FIXTURES & set(getattr(i, "fixturenames", ()))))  # stable: the rest keep their order
    mutant = os.environ.get("MUTANT_UNDER_TEST", "")
    fast_only = os.environ.get("MUTATION_FAST_ONLY") == "1"  # run.sh core|impact: not even for the stats
    if not fast_only and (not mutant or mutant in ("stats", "fail") or mutant.startswith(("workflows.", "worker."))):
        return
    keep = [i for i in items if not SERVER_FIXTURES & set(getattr(i, "fixturenames", ()))]
    if len(keep) < len(items):
        config.hook.pytest_deselected(items=[i for i in items if i not in keep])
        items[:] = keep
