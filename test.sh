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
.venv/bin/pip install -q --disable-pip-version-check -e '.[test]' 2>&1 | grep -v '^WARNING: Location' || true
echo "== pass 1 of 2: case ledgers on SQLite"
BRANDPUNT_TEST_LEDGER=sqlite .venv/bin/pytest -q "$@"
echo "== pass 2 of 2: case ledgers on PostgreSQL"
BRANDPUNT_TEST_LEDGER=postgresql .venv/bin/pytest -q "$@"
