# make report: the draft from the bundled sample. make test: the tests. make dev: the Dagster UI.
PYTHON ?= python3.11
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
DAGSTER_HOME ?= $(CURDIR)/.dagster_home
PORT ?= 3000
# make dev's terminal: warnings and errors only; SGR_LOG_LEVEL=info shows the daemon's ticks and each run's events.
SGR_LOG_LEVEL ?= warning
export DAGSTER_HOME SGR_LOG_LEVEL

.PHONY: setup report test fuzz dev bench lint translations clean

setup: $(STAMP)

$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	touch $(STAMP)

report: setup
	$(BIN)/sgr draft

test: setup
	$(BIN)/python -m pytest -n auto --dist loadgroup

fuzz: setup
	HYPOTHESIS_PROFILE=fuzz $(BIN)/python -m pytest -p no:xdist tests/test_fuzz.py

dev: setup
	$(BIN)/python -m runtime.instance
	@echo "The Dagster UI: http://127.0.0.1:$(PORT) (logs at $(SGR_LOG_LEVEL); runs' events in $(DAGSTER_HOME)/runs.log)"
	$(BIN)/python -m runtime.launcher & trap 'kill $$!' EXIT; $(BIN)/dagster dev -w workspace.yaml -h 127.0.0.1 -p $(PORT) --log-level $(SGR_LOG_LEVEL)

bench: setup
	$(BIN)/python -m bench.run

# The translators' catalogues (reports/template/<code>/messages.po) made anew from the English template.
translations: setup
	$(BIN)/sgr translations update

lint: setup
	$(BIN)/ruff check . && $(BIN)/ruff format --check . && $(BIN)/lint-imports

clean:
	rm -rf data reports/drafts $(DAGSTER_HOME)
