# relocate: every target sets itself up from nothing but python3.
PYTHON ?= python3
VENV   ?= .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed-stamp
PROFILE ?= remote-worker
DEPARTEMENT ?= 32

.PHONY: setup map test lint bench browser clean

setup: $(STAMP)

$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	touch $(STAMP)

## The main job: the ranked map of the Gers for the default profile, and the top 10.
map: $(STAMP)
	$(BIN)/relocate map --profile $(PROFILE) --departement $(DEPARTEMENT) \
		--out maps/$(PROFILE)-$(DEPARTEMENT).html --top 10

lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy

test: lint
	$(BIN)/pytest

## Debian's chromium, for the browser tests (they are skipped without it).
browser:
	command -v chromium >/dev/null || (apt-get update -qq && apt-get install -y -qq chromium)

bench: $(STAMP)
	$(BIN)/python benchmarks/bench_scoring.py
	$(BIN)/python benchmarks/bench_routing.py

clean:
	rm -rf $(VENV) .pytest_cache .mypy_cache .ruff_cache
