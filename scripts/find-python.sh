#!/usr/bin/env bash
# Print the path of a working interpreter for the first of the given versions that exists.
#
#   scripts/find-python.sh 3.13 3.12    -> e.g. /root/.pyenv/versions/3.13.0/bin/python3.13
#
# pyenv puts shims for every installed version on PATH, but a shim for a version that is
# not selected only prints an error, so each candidate is run before it is trusted.
set -euo pipefail

works() {
  local exe="$1" want="$2"
  [[ -x "$exe" ]] || exe="$(command -v "$exe" 2>/dev/null)" || return 1
  [[ "$("$exe" -c 'import sys; print("%d.%d" % sys.version_info[:2])' 2>/dev/null)" == "$want" ]] \
    && "$exe" -c 'import sys; print(sys.executable)'
}

[[ $# -gt 0 ]] || { echo "usage: $0 VERSION..." >&2; exit 2; }
pyenv_root="$(pyenv root 2>/dev/null || echo "${PYENV_ROOT:-$HOME/.pyenv}")"
for want in "$@"; do
  works "python$want" "$want" && exit 0
  works python3 "$want" && exit 0
  for exe in $(printf '%s\n' "$pyenv_root"/versions/"$want".*/bin/python"$want" | sort -rV); do
    works "$exe" "$want" && exit 0
  done
done
echo "find-python: no Python $* found (on PATH or under $pyenv_root/versions)" >&2
exit 1
