"""Shared fixtures: real Temporal servers (tests/temporal_env.py) and ledger databases.

Hypothesis profiles: under ``CI=true`` the property tests are derandomized (the same examples every
run, so a red run replays exactly); ``HYPOTHESIS_PROFILE=ci|mutation|dev`` picks one by hand.
"""

import functools
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


BACKEND_FIXTURES = frozenset({"case_ledger_url", "session_ledger_url", "ts_worker"})
BACKEND_HELPERS = ("backend_ledger_url", "api_with_worker", "case_ledger_url")


def on_the_backend(item) -> bool:
    """Whether ``item`` runs cases on the run's case-ledger database (``BRANDPUNT_TEST_LEDGER``): through
    a fixture that gives that ledger, or a helper of ``db_fixtures``/``api_env`` its module uses. The
    rest (pure tests, ledger tests that take both databases in every pass, tests that pin SQLite) run
    the same in both passes, so test.sh's second pass leaves them to the first."""
    if BACKEND_FIXTURES & set(getattr(item, "fixturenames", ())):
        return True
    files = {str(item.fspath)}
    info = getattr(item, "_fixtureinfo", None)
    for defs in (info.name2fixturedefs.values() if info is not None else ()):
        for d in defs:  # where each fixture it uses is defined (test_web's env, used by test_i18n)
            code = getattr(getattr(d, "func", None), "__code__", None)
            if code is not None:
                files.add(code.co_filename)
    return any(helper in _module_source(f) for f in files
               if f.endswith(".py") and "/tests/" in f and not f.endswith("db_fixtures.py")  # its own: above
               for helper in BACKEND_HELPERS)


@functools.cache
def _module_source(path: str) -> str:
    from pathlib import Path

    return Path(path).read_text(encoding="utf-8")


def pytest_collection_modifyitems(config, items):
    """The browser tests last (:data:`BROWSER_FIXTURES`). During a mutation run (tests/mutation/run.sh),
    a mutant outside the workflow must be killed by the fast tests: the ones that start a Temporal
    server are left out for it (a server per mutant would make the run take hours). Workflow mutants
    keep them."""
    items.sort(key=lambda i: bool(BROWSER_FIXTURES & set(getattr(i, "fixturenames", ()))))  # stable: the rest keep their order
    if os.environ.get("BRANDPUNT_TEST_ONLY_BACKEND") == "1":  # test.sh's second pass
        keep = [i for i in items if on_the_backend(i)]
        config.hook.pytest_deselected(items=[i for i in items if i not in keep])
        items[:] = keep
    mutant = os.environ.get("MUTANT_UNDER_TEST", "")
    fast_only = os.environ.get("MUTATION_FAST_ONLY") == "1"  # run.sh core|impact: not even for the stats
    if not fast_only and (not mutant or mutant in ("stats", "fail") or mutant.startswith(("workflows.", "worker."))):
        return
    keep = [i for i in items if not SERVER_FIXTURES & set(getattr(i, "fixturenames", ()))]
    if len(keep) < len(items):
        config.hook.pytest_deselected(items=[i for i in items if i not in keep])
        items[:] = keep
