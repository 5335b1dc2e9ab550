# jwtflow developer tasks. GNU make; every recipe works from a fresh clone.
#
#   make venv         .venv (Python 3.11) with `pip install -e ".[dev]"`
#   make lint         ruff check + ruff format --check
#   make typecheck    mypy (configured in pyproject.toml)
#   make test         services + lint + typecheck + pytest on SQLite and PostgreSQL + coverage gates
#   make test-matrix  pytest on PostgreSQL + Redis for Django 4.2, 5.2 (Python 3.11), 6.x (3.13/3.12),
#                     and the lowest supported versions (Django 4.2, DRF 3.15.0, PyJWT 2.13.0)
#   make fuzz         the property tests (tests/property) with 1000 examples each, not 30
#   make demo         migrate + seed the example project, print a curl walkthrough, serve on :8000
#   make bench        jwtflow vs simplejwt vs drf-restflow vs a hand-written floor, in .venv-bench
#                     (BENCH_ARGS="--quick" or "--only verify" etc.; see docs/benchmarks.md)
#   make soak         100k authentications per scenario under tracemalloc; fails if the heap grows
#                     (SOAK_ARGS="--calls 20000" or "--only auth.async.model"; a few minutes)
#   make clean        stop services, remove venvs, caches, coverage data and the demo database

SHELL := bash
.SHELLFLAGS := -euo pipefail -c
.DEFAULT_GOAL := help
.DELETE_ON_ERROR:

VENV := .venv
BIN := $(VENV)/bin
# Re-install when the dependencies or the installer change; the stamp lives inside the venv.
VENV_DEPS := pyproject.toml scripts/make-venv.sh scripts/find-python.sh

MATRIX_VENVS := .venv-django42 .venv-django52 .venv-django6x .venv-lowest

.PHONY: help venv lint typecheck test test-matrix fuzz demo services-start services-stop clean

help:
	@sed -n 's/^#   //p' $(firstword $(MAKEFILE_LIST))

venv: $(VENV)/.installed

$(VENV)/.installed: $(VENV_DEPS)
	bash scripts/make-venv.sh $(VENV) "3.11"

lint: venv
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

typecheck: venv
	$(BIN)/mypy

test: venv
	bash scripts/test.sh

# One venv per supported Django line; Django 6 needs Python >= 3.12.
.venv-django42/.installed: $(VENV_DEPS)
	bash scripts/make-venv.sh .venv-django42 "3.11" "Django>=4.2,<5.0"

.venv-django52/.installed: $(VENV_DEPS)
	bash scripts/make-venv.sh .venv-django52 "3.11" "Django>=5.2,<6.0"

.venv-django6x/.installed: $(VENV_DEPS)
	bash scripts/make-venv.sh .venv-django6x "3.13 3.12" "Django>=6.0,<7.0"

# The floors of pyproject's dependencies: the DRF adapter relies on DRF request internals and
# the codec on PyJWT's behaviour, so the lowest allowed releases are tested, not only the newest.
# Keep these pins equal to the ">=" floors in pyproject.toml.
.venv-lowest/.installed: $(VENV_DEPS)
	bash scripts/make-venv.sh .venv-lowest "3.11" \
	  "Django>=4.2,<5.0" "djangorestframework==3.15.0" "PyJWT[crypto]==2.13.0"

test-matrix: $(addsuffix /.installed,$(MATRIX_VENVS))
	bash scripts/test-matrix.sh $(MATRIX_VENVS)

# HYPOTHESIS_PROFILE=long: see tests/property/conftest.py. Starts the servers the tests need
# (running ones are left alone; `make services-stop` stops them).
fuzz: venv
	bash scripts/services.sh start
	source .services/env && HYPOTHESIS_PROFILE=long $(BIN)/pytest -p no:cacheprovider tests/property

demo: venv
	bash scripts/demo.sh

# The benchmark gets its own venv: jwtflow from this checkout (editable) plus the peers from PyPI,
# which must never leak into the test venv.
BENCH_VENV := .venv-bench
BENCH_ARGS ?=

.PHONY: bench

$(BENCH_VENV)/.installed: pyproject.toml bench/requirements.txt scripts/find-python.sh
	test -x $(BENCH_VENV)/bin/python || "$$(bash scripts/find-python.sh 3.11)" -m venv $(BENCH_VENV)
	$(BENCH_VENV)/bin/python -m pip install --quiet --progress-bar off --upgrade \
	  -e . -r bench/requirements.txt
	touch $@

bench: $(BENCH_VENV)/.installed
	$(BENCH_VENV)/bin/python -m bench.run $(BENCH_ARGS)

# The soak needs jwtflow alone (no peers), so it runs in the test venv. Not part of `make test`.
SOAK_ARGS ?=

.PHONY: soak

soak: venv
	$(BIN)/python -m bench.soak $(SOAK_ARGS)

services-start:
	bash scripts/services.sh start

services-stop:
	bash scripts/services.sh stop

clean:
	bash scripts/services.sh stop
	rm -rf $(VENV) $(MATRIX_VENVS) .services .coverage .coverage.* coverage.xml htmlcov
	rm -rf $(BENCH_VENV) bench/results
	rm -rf .mypy_cache .ruff_cache .pytest_cache build dist src/*.egg-info example/db.sqlite3
	find . -name __pycache__ -type d -not -path './.git/*' -prune -exec rm -rf {} +
