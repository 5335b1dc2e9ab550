#!/usr/bin/env bash
# The full gate behind `make test`: lint, typecheck, the suite on SQLite and on PostgreSQL
# (both with Redis), then coverage: 100% branch coverage for the core, 95% overall.
#
# Expects the venv from `make venv` (override with VENV=...). Extra arguments go to pytest.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

BIN="${VENV:-.venv}/bin"
CORE_INCLUDE="src/jwtflow/*.py"
ADAPTERS_OMIT="src/jwtflow/django/*,src/jwtflow/drf/*"

step() { printf '\n==> %s\n' "$*"; }

# Stop the services however this script ends (failure, Ctrl-C, success), but only if this
# script started them: someone's `scripts/services.sh start` from before is left running.
if ! bash scripts/services.sh status 2>/dev/null; then
  trap 'bash scripts/services.sh stop' EXIT
fi
step "services"
bash scripts/services.sh start
# shellcheck source=/dev/null
source .services/env

step "ruff"
"$BIN/ruff" check .
"$BIN/ruff" format --check .

step "mypy"
"$BIN/mypy"

# pytest exits 5 when it collected nothing: a gate that tested nothing must not pass.
run_pytest() {
  local db="$1" rc=0
  shift
  step "pytest on $db (JWTFLOW_TEST_REDIS_URL=${JWTFLOW_TEST_REDIS_URL:-unset})"
  JWTFLOW_TEST_DB="$db" "$BIN/coverage" run -m pytest "$@" || rc=$?
  if ((rc == 5)); then
    echo "test.sh: pytest collected no tests on $db; failing" >&2
    exit 1
  elif ((rc != 0)); then
    echo "test.sh: pytest failed on $db (exit $rc)" >&2
    exit "$rc"
  fi
}

# Stale data files from an earlier run would be combined into this one.
"$BIN/coverage" erase
run_pytest sqlite "$@"
# The end-to-end tests run the demo on its own SQLite database, and the `once` tests (process
# races, outages and restarts on Redis, their own servers) do not touch the pass's database:
# once is enough for both.
run_pytest postgres -m "not e2e and not once" "$@"

step "coverage"
"$BIN/coverage" combine --quiet
echo "-- overall (gate: 95%)"
"$BIN/coverage" report --fail-under=95
echo "-- core, src/jwtflow/*.py without django/ and drf/ (gate: 100% branch)"
"$BIN/coverage" report --include="$CORE_INCLUDE" --omit="$ADAPTERS_OMIT" --fail-under=100
echo "test.sh: all gates passed"
