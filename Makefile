# Kinerja: the commands a person remembers. Each target sets up what is missing first.
#   make run    install, create the SQLite database, deploy processes/, seed the demo once, serve :5000
#   make test   install and run the whole suite (PostgreSQL too when KINERJA_TEST_DATABASE_URL is set)
#   make lint   ruff and mypy
#   make bench  the benchmarks in bench/, printing their figures

PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
NODE_STAMP := node_modules/.installed
MODELER_ENTRIES := webapp/static/modeler/bpmn.js webapp/static/modeler/dmn.js webapp/static/modeler/bpmn.css webapp/static/modeler/dmn.css
MODELER_SOURCES := $(wildcard webapp/static/modeler/*.js webapp/static/modeler/*.css)
MODELER_STAMP := build/modeler/.built
CATALOGS := $(wildcard webapp/translations/*/LC_MESSAGES/messages.po)
HOST ?= 127.0.0.1
PORT ?= 5000

.PHONY: setup run test lint bench clean browser translations messages modeler

$(STAMP): pyproject.toml
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	@touch $(STAMP)

$(NODE_STAMP): package.json package-lock.json
	npm ci --no-audit --no-fund --loglevel=error
	@touch $(NODE_STAMP)

# The modeler's bundles: bpmn-js, its properties panel and dmn-js are ES modules, bundled once here
# (esbuild from npm) with our entry files into build/modeler, which the app serves. No Node at run time.
$(MODELER_STAMP): $(NODE_STAMP) $(MODELER_SOURCES)
	node_modules/.bin/esbuild $(MODELER_ENTRIES) --bundle --minify --format=iife --target=es2020 \
		--loader:.eot=dataurl --loader:.svg=dataurl --loader:.ttf=dataurl --loader:.woff=dataurl \
		--loader:.woff2=dataurl --outdir=build/modeler --log-level=warning
	@touch $(MODELER_STAMP)

modeler: $(MODELER_STAMP)

# Compiled catalogs are build output (git-ignored), made from the .po files we edit.
%.mo: %.po $(STAMP)
	$(BIN)/pybabel compile -i $< -o $@ >/dev/null

translations: $(CATALOGS:.po=.mo)

# Update the catalogs after changing UI strings; then translate the new entries.
messages: $(STAMP)
	@mkdir -p var
	$(BIN)/pybabel extract -F babel.cfg -k _l -o var/messages.pot --no-location --sort-output --project Kinerja .
	$(BIN)/pybabel update -i var/messages.pot -d webapp/translations --no-fuzzy-matching --no-wrap

# The browser tests drive Debian's chromium; CI (root, CI=true) installs it when it is missing.
browser:
	@if [ "$$CI" = "true" ] && ! command -v chromium >/dev/null; then \
		apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null; fi

setup: $(STAMP) $(NODE_STAMP) $(MODELER_STAMP) translations

run: setup
	$(BIN)/kinerja db upgrade
	@if ls processes/*.bpmn >/dev/null 2>&1; then $(BIN)/kinerja deploy processes/ --note "make run"; fi
	$(BIN)/kinerja demo seed
	KINERJA_SCHEDULER=1 $(BIN)/flask --app 'webapp:create_app()' run --host $(HOST) --port $(PORT)

test: setup browser
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
	@if [ -n "$$KINERJA_BENCH_DATABASE_URL$$KINERJA_TEST_DATABASE_URL" ]; then $(BIN)/python bench/http_load.py; \
	else echo "bench/http_load.py skipped: it needs PostgreSQL (KINERJA_BENCH_DATABASE_URL or KINERJA_TEST_DATABASE_URL)"; fi
	$(BIN)/python bench/inbox.py
	$(BIN)/python bench/audit_checkpoints.py

clean:
	rm -rf $(VENV) var node_modules build .pytest_cache .mypy_cache .ruff_cache webapp/translations/*/LC_MESSAGES/*.mo
