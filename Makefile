# relocate: every target sets itself up from nothing but python3.
PYTHON ?= python3
VENV   ?= .venv
BIN    := $(VENV)/bin
# What `make map` needs (relocate and its dependencies), and what `make test` adds.
RUNTIME := $(VENV)/.runtime-stamp
DEV     := $(VENV)/.dev-stamp
PROFILE ?= remote-worker
DEPARTEMENT ?= 32

.PHONY: setup map test lint js messages bench browser clean

setup: $(RUNTIME)

$(RUNTIME): pyproject.toml
	@echo "relocate: setting up $(VENV) with relocate and what it needs (first run only, about a minute)..."
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --progress-bar on -e .
	@touch $@
	@echo "relocate: $(VENV) is ready."

$(DEV): $(RUNTIME)
	@echo "relocate: adding the development tools (pytest, ruff, mypy, Playwright: about 1.3 GB)..."
	$(BIN)/python -m pip install --progress-bar on -e '.[dev]'
	@touch $@

## The main job: the ranked map of the Gers for the default profile, and the top 10.
map: $(RUNTIME)
	$(BIN)/relocate map --profile $(PROFILE) --departement $(DEPARTEMENT) \
		--out maps/$(PROFILE)-$(DEPARTEMENT).html --top 10

lint: $(DEV)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy

## The page script's scoring core, with Node's own test runner (no npm package).
js:
	node --test tests/js/

test: lint js
	$(BIN)/pytest

## Extract the messages from the code and update the catalogues (then translate the new ones).
messages: $(DEV)
	$(BIN)/pybabel extract -F babel.cfg -k _ -k N_ -k ngettext:1,2 --no-location --sort-output \
		--omit-header --project relocate -o relocate/i18n/relocate.pot .
	$(BIN)/pybabel update -i relocate/i18n/relocate.pot -d relocate/i18n/locale -D relocate \
		--no-fuzzy-matching --ignore-obsolete --ignore-pot-creation-date

## Debian's chromium, for the browser tests (they are skipped without it).
browser:
	command -v chromium >/dev/null || (apt-get update -qq && apt-get install -y -qq chromium)

bench: $(DEV)
	$(BIN)/python benchmarks/bench_startup.py
	$(BIN)/python benchmarks/bench_scoring.py
	$(BIN)/python benchmarks/bench_routing.py
	$(BIN)/python benchmarks/bench_robust.py
	$(BIN)/python benchmarks/bench_import.py
	$(BIN)/python benchmarks/bench_osm_import.py

clean:
	rm -rf $(VENV) .pytest_cache .mypy_cache .ruff_cache
