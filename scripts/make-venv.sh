#!/usr/bin/env bash
# Create or refresh a virtualenv with the project installed editable plus its dev extra.
#
#   scripts/make-venv.sh DIR "3.11" [REQUIREMENT...]
#   scripts/make-venv.sh .venv-django6x "3.13 3.12" "Django>=6.0,<7.0"
#
# The second argument lists acceptable Python versions, best first. A venv whose interpreter
# is gone or is the wrong version is rebuilt; otherwise it is reused and only re-installed.
# DIR/.installed is the stamp the Makefile compares with pyproject.toml.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

venv="$1" versions="$2"
shift 2
export PIP_DISABLE_PIP_VERSION_CHECK=1

# shellcheck disable=SC2086 # $versions is a list on purpose
python="$(bash scripts/find-python.sh $versions)"
want="$("$python" -c 'import sys; print("%d.%d" % sys.version_info[:2])')"
have="$("$venv/bin/python" -c 'import sys; print("%d.%d" % sys.version_info[:2])' 2>/dev/null || true)"
if [[ "$have" != "$want" ]]; then
  echo "make-venv: creating $venv with $python"
  rm -rf "$venv"
  "$python" -m venv "$venv"
fi
echo "make-venv: installing -e .[dev]${*:+ $*} into $venv"
"$venv/bin/python" -m pip install --quiet --progress-bar off -e ".[dev]" "$@"
touch "$venv/.installed"
