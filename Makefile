# Fabrique: `make run` serves the app with demo data; `make test` runs every test.
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
HOST ?= 127.0.0.1
PORT ?= 5000
INSTANCE ?= instance
FLASK := $(BIN)/flask --app webapp
PYTEST_WORKERS ?= 2

.PHONY: run test bench lint format install system-run system-test system-bench services translations messages vendor clean

$(BIN)/activate:
	$(PYTHON) -m venv $(VENV)

$(VENV)/.installed: pyproject.toml | $(BIN)/activate
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e ".[dev]"
	touch $@

install: $(VENV)/.installed

system-run:
	@bash scripts/ensure-system.sh run

system-test:
	@bash scripts/ensure-system.sh test

system-bench:
	@bash scripts/ensure-system.sh bench

services:
	@bash scripts/ensure-services.sh

translations: install
	@$(BIN)/pybabel compile -d webapp/translations >/dev/null

run: system-run install translations
	@mkdir -p $(INSTANCE)
	FABRIQUE_INSTANCE=$(abspath $(INSTANCE)) $(FLASK) db upgrade
	@if [ ! -f $(INSTANCE)/.demo-seeded ]; then \
	  FABRIQUE_INSTANCE=$(abspath $(INSTANCE)) $(FLASK) seed-demo && touch $(INSTANCE)/.demo-seeded; \
	fi
	FABRIQUE_INSTANCE=$(abspath $(INSTANCE)) $(FLASK) run --host $(HOST) --port $(PORT)

lint: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

format: install
	$(BIN)/ruff format .
	$(BIN)/ruff check --fix .

test: system-test services install translations lint
	$(BIN)/pytest -n $(PYTEST_WORKERS) --dist loadgroup -p no:cacheprovider

# Benchmarks (not part of `make test`): about 10 minutes at full size on 2 idle cores.
# BENCH_ARGS="--size 100000 --only viewport" for a quicker partial run.
BENCH_ARGS ?=
bench: system-bench services install translations
	$(BIN)/python -m tests.bench $(BENCH_ARGS)

messages: install
	$(BIN)/pybabel extract -F babel.cfg -k _l -k lazy_gettext -k lazy_ngettext:1,2 \
	  --no-location --sort-output --omit-header -o webapp/translations/messages.pot .
	$(BIN)/pybabel update -i webapp/translations/messages.pot -d webapp/translations --no-fuzzy-matching

vendor:
	bash scripts/vendor-assets.sh

clean:
	rm -rf $(VENV) .pytest_cache .ruff_cache *.egg-info
