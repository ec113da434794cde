#!/usr/bin/env bash
# Set up and run the embedded default: the Temporal dev server (SQLite in $BRANDPUNT_HOME) and a worker.
set -euo pipefail
cd "$(dirname "$0")"
python3 -m venv .venv
# Locked versions (hash-checked), then the project itself without resolving anything again.
# Regenerate the locks after changing dependencies in pyproject.toml (see deploy/RUNBOOK.md, "Dependencies").
pip_install() { .venv/bin/pip install -q --disable-pip-version-check "$@" 2>&1 | { grep -v '^WARNING: Location' || true; }; }
pip_install -r requirements-dev.lock
pip_install --no-deps -e .
# Byte-compile the project as pip does the packages it installs: a machine that sets PYTHONDONTWRITEBYTECODE
# would otherwise compile every module of a CLI command from source at each start (~60 ms of `lead show`).
.venv/bin/python -m compileall -q -j 0 domain workflows activities ledger client cli api observability audit \
  reports keys worker.py starter.py settings.py devserver.py demo.py >/dev/null
# The web pages' htmx (2.x) from the npm registry, as package-lock.json pins it (node_modules/, not committed).
if ! command -v npm >/dev/null 2>&1 && [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
  (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq npm) >/dev/null
fi
npm ci --ignore-scripts --no-audit --no-fund --loglevel=error >/dev/null
exec .venv/bin/brandpunt dev
