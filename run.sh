#!/usr/bin/env bash
# Set up and run the embedded default: the Temporal dev server (SQLite in $BRANDPUNT_HOME) and a worker.
set -euo pipefail
cd "$(dirname "$0")"
python3 -m venv .venv
.venv/bin/pip install -q --disable-pip-version-check -e . 2>&1 | grep -v '^WARNING: Location' || true
exec .venv/bin/brandpunt dev
