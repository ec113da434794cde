#!/usr/bin/env bash
# Set up and run the whole test suite (real Temporal servers, SQLite, the PostgreSQL on 127.0.0.1:5432,
# and headless Chromium for the web app and the HTML report) with the cases' ledger on SQLite (ledger-level
# tests use both databases), then again every test that runs cases on the run's case ledger, now on
# PostgreSQL (BRANDPUNT_TEST_LEDGER; tests/conftest.py's on_the_backend picks them: the rest would run the same).
# Extra arguments go to pytest.
#
# Canary secrets are in the environment of the whole run (a password in the test PostgreSQL URL,
# which trusts any password, and an SMTP password; tests/test_secrets.py adds an API key): each
# pass's complete output (everything the tests, the worker and the `brandpunt` commands they run
# printed and logged) is kept in .test-logs/, and the run fails if a canary appears in it.
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
# Byte-compile the project as pip does the packages it installs: a machine that sets PYTHONDONTWRITEBYTECODE
# would otherwise compile every module of a CLI command from source at each start (~60 ms of `lead show`).
.venv/bin/python -m compileall -q -j 0 domain workflows activities ledger client cli api observability audit \
  reports keys worker.py starter.py settings.py devserver.py demo.py >/dev/null
# The web pages' htmx (2.x) from the npm registry, as package-lock.json pins it (node_modules/, not committed).
if ! command -v npm >/dev/null 2>&1 && [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
  (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq npm) >/dev/null
fi
npm ci --ignore-scripts --no-audit --no-fund --loglevel=error >/dev/null

CANARY_RE='CANARY-(pw|smtp|apikey)-[0-9A-Za-z]+'
export BRANDPUNT_TEST_PG_URL="${BRANDPUNT_TEST_PG_URL:-postgresql+psycopg://postgres:CANARY-pw-testsh@127.0.0.1:5432/test}"
export BRANDPUNT_SMTP_PASSWORD="${BRANDPUNT_SMTP_PASSWORD:-CANARY-smtp-testsh}"
LOGS=.test-logs
mkdir -p "$LOGS"
chmod 700 "$LOGS"

run_pass() {  # run_pass NUMBER BACKEND [pytest args]: pytest's whole output to the log, its summary here
  local number=$1 backend=$2 log="$LOGS/pass-$1-$2.log" status=0
  shift 2
  echo "== pass $number of 2: case ledgers on $backend (output in $log)"
  BRANDPUNT_TEST_LEDGER=$backend .venv/bin/pytest -q --capture=tee-sys -o log_cli=true --log-cli-level=INFO \
    "$@" >"$log" 2>&1 || status=$?
  grep -E '^(FAILED|ERROR) ' "$log" || true
  grep -E '(passed|failed|error|errors|skipped)( in |, )' "$log" | tail -n 1 || tail -n 20 "$log"
  if grep -qE "$CANARY_RE" "$log"; then
    echo "FAIL: a canary secret appears in $log, at line(s): $(grep -nE "$CANARY_RE" "$log" | cut -d: -f1 | head -20 | tr '\n' ' ')"
    return 1
  fi
  if [ "$status" != 0 ]; then  # where a CI run keeps only this output: what each failure asserted, and where
    awk '/^_{3,} .* _{3,}$/ {print; shown=0; on=1; next}
         /^=+ (short test summary|warnings summary|FAILURES|ERRORS)/ {on=0; next}
         on && (/^E  / || /^[^ ].*:[0-9]+: [A-Za-z]/) && shown < 40 {print "    " $0; shown++}' "$log" | head -n 300
  fi
  return "$status"
}

failed=0
# The type check first ([tool.mypy] in pyproject.toml: strict on domain/, workflows/ and client/, the
# default checks elsewhere); a type error fails the run, after the tests have run too.
types_log="$LOGS/mypy.log"
echo "== types: mypy (output in $types_log)"
if .venv/bin/mypy >"$types_log" 2>&1; then
  tail -n 1 "$types_log"
else
  grep -E ': error: ' "$types_log" | head -n 40 || true
  echo "FAIL: $(tail -n 1 "$types_log")"
  failed=1
fi
run_pass 1 sqlite "$@" || failed=1
BRANDPUNT_TEST_ONLY_BACKEND=1 run_pass 2 postgresql "$@" || failed=1
exit "$failed"
