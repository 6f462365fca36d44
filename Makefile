# Kinerja: the commands a person remembers. Each target sets up what is missing first.
#   make run    install, create the SQLite database, deploy processes/, seed the demo once, serve :5000
#   make test   install and run the whole suite (PostgreSQL too when KINERJA_TEST_DATABASE_URL is set)
#   make lint   ruff and mypy
#   make bench  the benchmarks in bench/, printing their figures

PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
HOST ?= 127.0.0.1
PORT ?= 5000

.PHONY: setup run test lint bench clean

$(STAMP): pyproject.toml
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	@touch $(STAMP)

setup: $(STAMP)

run: setup
	$(BIN)/kinerja db upgrade
	@if ls processes/*.bpmn >/dev/null 2>&1; then $(BIN)/kinerja deploy processes/ --note "make run"; fi
	$(BIN)/kinerja demo seed
	KINERJA_SCHEDULER=1 $(BIN)/flask --app 'webapp:create_app()' run --host $(HOST) --port $(PORT)

test: setup
	$(BIN)/pytest

lint: setup
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy

bench: setup
	$(BIN)/python bench/engine_throughput.py
	$(BIN)/python bench/cycle_year.py
	$(BIN)/python bench/cycle_launch.py
	@if [ -n "$$KINERJA_BENCH_DATABASE_URL$$KINERJA_TEST_DATABASE_URL" ]; then $(BIN)/python bench/timers.py; \
	else echo "bench/timers.py skipped: it needs PostgreSQL (KINERJA_BENCH_DATABASE_URL or KINERJA_TEST_DATABASE_URL)"; fi

clean:
	rm -rf $(VENV) var .pytest_cache .mypy_cache .ruff_cache
