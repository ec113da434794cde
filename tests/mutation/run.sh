#!/usr/bin/env bash
# Mutation check of the core (not run in CI): mutmut 3 over the scope in pyproject.toml [tool.mutmut],
# each mutant against only the fast tests that reach the mutated function. Prints the score and the
# surviving mutants. Runs nice'd, one child by default (the machine's 2 cores are shared).
#
#   tests/mutation/run.sh                      # the whole scope below (about 2,700 mutants; in goes)
#   tests/mutation/run.sh 'domain.decide.*'    # mutant-name globs: one module, one function
#   tests/mutation/run.sh core                 # domain (but impact), audit, ledger append, CLI errors
#   tests/mutation/run.sh workflow             # workflows/lead_case.py (time-skipping server per mutant)
#   tests/mutation/run.sh impact               # domain/impact*.py (the report's counting)
#   MUTATION_CHILDREN=2 MUTATION_TIMEOUT=1800 tests/mutation/run.sh 'audit.*'
#
# Results are cached in mutants/ (git-ignored): a second run retests only what changed.
# `mutmut show NAME` prints one mutant's diff; `mutmut apply NAME` writes it into the tree to debug.
set -uo pipefail
cd "$(dirname "$0")/../.."
[ -x .venv/bin/mutmut ] || .venv/bin/pip install -q --disable-pip-version-check 'mutmut>=3.8,<4'
export HYPOTHESIS_PROFILE=mutation  # tests/conftest.py: derandomized, fewer examples
export BRANDPUNT_TEST_LEDGER=sqlite
# Mutant names are module.x_function__mutmut_N, or module.xǁClassǁmethod__mutmut_N.
CORE=('domain.decide.*' 'domain.state.*' 'domain.reminders.*' 'domain.matchmaking.*' 'domain.chain.*'
      'domain.case_ids.*' 'domain.evolve.*' 'domain.events.*' 'domain.offers.*'
      'audit.verify.*' 'audit.checkpoint.*'
      'ledger.store.xǁLedgerǁappend*' 'ledger.store.xǁLedgerǁ_append*' 'ledger.store.x__differences*'
      'cli.errors.*' 'cli.main.x_main*')
WORKFLOW=('workflows.lead_case.*')
IMPACT=('domain.impact.*' 'domain.impact_facts.*')
case "${1:-all}" in
  all) set -- "${CORE[@]}" "${WORKFLOW[@]}" "${IMPACT[@]}" ;;
  core) set -- "${CORE[@]}"; export MUTATION_FAST_ONLY=1 ;;  # no Temporal server at all (tests/conftest.py)
  workflow) set -- "${WORKFLOW[@]}" ;;
  impact) set -- "${IMPACT[@]}"; export MUTATION_FAST_ONLY=1 ;;
esac
export TEMPORAL_DEBUG=1  # no deadlock detector: the trampoline and a loaded machine slow replays past 2 s
children="${MUTATION_CHILDREN:-1}"
limit="${MUTATION_TIMEOUT:-1800}"  # wall seconds; a run stopped here resumes where it was next time
timeout --foreground "$limit" nice -n 15 .venv/bin/mutmut run --max-children "$children" "$@" \
  > mutants-run.log 2>&1
status=$?
[ "$status" = 124 ] && echo "mutation run stopped after ${limit}s; run again to continue (results are cached)"
tail -n 3 mutants-run.log | tr '\r' '\n' | tail -n 2
.venv/bin/python tests/mutation/score.py "$@"
