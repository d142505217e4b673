# Ginnel's two commands:
#
#   make demo   a synthetic community on http://127.0.0.1:8000/ (SQLite, nothing else to install)
#   make test   lint, types and the whole suite, browser journeys included
#
# Both make .venv with Python 3.11 first. `make test` honours DATABASE_URL:
#   DATABASE_URL=postgres://postgres@127.0.0.1:5432/ginnel make test
# runs the suite on PostgreSQL (pytest-django makes and drops test_ginnel).

SHELL := /bin/bash
.SHELLFLAGS := -euo pipefail -c
.DEFAULT_GOAL := help
MAKEFLAGS += --no-print-directory

VENV := .venv
BIN := $(VENV)/bin

# python3.11, or python3 when that is 3.11; `make PYTHON=/path/to/python3.11` overrides.
PYTHON ?= $(shell for p in python3.11 python3; do \
	if command -v $$p >/dev/null 2>&1 && \
		$$p -c 'import sys; sys.exit(sys.version_info[:2] != (3, 11))' 2>/dev/null; then \
		command -v $$p; break; fi; done)

# Two workers: the machines Ginnel is developed and tested on have two cores.
# `make test PYTEST_ARGS=` runs in one process; add -k, -x, -m 'not browser' as needed.
PYTEST_ARGS ?= -n 2
DEMO_ARGS ?=

.PHONY: help
help:
	@echo "make demo       run the demo community (DEMO_ARGS='--people 500 --no-serve')"
	@echo "make test       ruff, mypy and pytest (honours DATABASE_URL; PYTEST_ARGS='-n 2')"
	@echo "make lint       ruff and mypy only"
	@echo "make clean      remove caches and build output (make distclean also removes .venv)"

$(BIN)/python:
	@if [ -z "$(PYTHON)" ]; then \
		echo "Ginnel needs Python 3.11: install python3.11 (Debian 12: apt-get install python3 python3-venv)," >&2; \
		echo "or run make PYTHON=/path/to/python3.11 ..." >&2; exit 1; fi
	@$(PYTHON) -c 'import ensurepip, venv' 2>/dev/null || { \
		echo "$(PYTHON) cannot make virtual environments: install its venv module (Debian: apt-get install python3-venv)." >&2; \
		exit 1; }
	$(PYTHON) -m venv $(VENV)

# Stamps: reinstall only when pyproject.toml changes (or the venv is new).
$(VENV)/.installed: pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet -e .
	@touch $@

$(VENV)/.installed-dev: pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	@touch $@ $(VENV)/.installed

.PHONY: demo
demo: $(VENV)/.installed
	$(BIN)/ginnel demo $(DEMO_ARGS)

.PHONY: system-deps
system-deps:
	@bash scripts/install-system-deps

.PHONY: lint
lint: $(VENV)/.installed-dev
	$(BIN)/ruff check ginnel tests conftest.py
	$(BIN)/mypy ginnel

.PHONY: test
test: $(VENV)/.installed-dev system-deps lint
	@if [ -n "$${DATABASE_URL:-}" ]; then echo "Database: DATABASE_URL ($${DATABASE_URL%%:*})"; \
		else echo "Database: SQLite (in memory for tests)"; fi
	$(BIN)/pytest $(PYTEST_ARGS)

.PHONY: clean
clean:
	rm -rf .mypy_cache .ruff_cache .pytest_cache .hypothesis build dist test-results *.egg-info
	find ginnel tests -name __pycache__ -type d -prune -exec rm -rf {} +

.PHONY: distclean
distclean: clean
	rm -rf $(VENV)
