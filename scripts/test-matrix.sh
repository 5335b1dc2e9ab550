#!/usr/bin/env bash
# The suite on PostgreSQL + Redis in each given venv (one per supported Django line, and one
# with the lowest supported Django, DRF and PyJWT). No lint and no coverage gate here: `make test`
# does those once. Each run's wall time is printed, so CI's budget can be watched.
#
#   scripts/test-matrix.sh .venv-django42 .venv-django52 .venv-django6x .venv-lowest [-- PYTEST_ARGS...]
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

venvs=()
while (($#)) && [[ "$1" != "--" ]]; do
  venvs+=("$1")
  shift
done
(($#)) && shift # drop the "--"
((${#venvs[@]})) || { echo "usage: $0 VENV... [-- PYTEST_ARGS...]" >&2; exit 2; }

# Stop the services however this script ends (failure, Ctrl-C, success), but only if this
# script started them: someone's `scripts/services.sh start` from before is left running.
if ! bash scripts/services.sh status 2>/dev/null; then
  trap 'bash scripts/services.sh stop' EXIT
fi
bash scripts/services.sh start
# shellcheck source=/dev/null
source .services/env

failed=()
timings=()
for venv in "${venvs[@]}"; do
  label="$("$venv/bin/python" -c 'import sys, django, rest_framework, jwt
print(f"Django {django.get_version()}, DRF {rest_framework.VERSION}, PyJWT {jwt.__version__}"
      f" on Python {sys.version.split()[0]}")')"
  printf '\n==> %s (%s)\n' "$label" "$venv"
  rc=0
  started=$SECONDS
  JWTFLOW_TEST_DB=postgres "$venv/bin/python" -m pytest -p no:cacheprovider "$@" || rc=$?
  timings+=("$(printf '%4ds  %s' $((SECONDS - started)) "$label")")
  # Exit 5 means no tests were collected, which must not count as a pass.
  ((rc == 0)) || failed+=("$label (pytest exit $rc)")
done

printf '\ntest-matrix: wall time per venv:\n'
printf '  %s\n' "${timings[@]}"

if ((${#failed[@]})); then
  printf '\ntest-matrix: FAILED:\n' >&2
  printf '  %s\n' "${failed[@]}" >&2
  exit 1
fi
printf '\ntest-matrix: all %d combinations passed\n' "${#venvs[@]}"
