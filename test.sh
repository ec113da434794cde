#!/usr/bin/env bash
# Set up and run the whole test suite (real Temporal servers, SQLite, the PostgreSQL on 127.0.0.1:5432,
# and headless Chromium for the HTML report), twice: with the cases' ledger on SQLite, then on
# PostgreSQL (BRANDPUNT_TEST_LEDGER; ledger-level tests use both databases in each pass).
# Extra arguments go to pytest.
set -euo pipefail
cd "$(dirname "$0")"
if ! command -v chromium >/dev/null 2>&1 && [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
  (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium) >/dev/null
fi
python3 -m venv .venv
# Locked versions (hash-checked), then the project itself without resolving anything again.
# Regenerate the locks after changing dependencies in pyproject.toml (see deploy/RUNBOOK.md, "Dependencies").
pip_install() { .venv/bin/pip install -q --disable-pip-version-check "$@" 2>&1 | { grep -v '^WARNING: Location' || true; }; }
pip_install -r requirements-dev.lock
pip_install --no-deps -e .
echo "== pass 1 of 2: case ledgers on SQLite"
BRANDPUNT_TEST_LEDGER=sqlite .venv/bin/pytest -q "$@"
echo "== pass 2 of 2: case ledgers on PostgreSQL"
BRANDPUNT_TEST_LEDGER=postgresql .venv/bin/pytest -q "$@"
