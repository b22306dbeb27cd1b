# Kiln: `make run` serves the demo blog with its comment service; `make test` runs every test.
SHELL := /bin/bash
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
FLASK := $(BIN)/flask --app comments_service
PYTHON ?= python3

.PHONY: install run build test lint typecheck translations clean

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[test]'
	touch $(STAMP)

# axe-core for the browser tests' accessibility checks, at the version tests/axe/package-lock.json pins.
AXE := tests/axe/node_modules/axe-core/axe.min.js
$(AXE): tests/axe/package.json tests/axe/package-lock.json
	npm ci --prefix tests/axe --no-audit --no-fund --silent
	touch $(AXE)

install: $(STAMP)

build: install
	$(FLASK) db upgrade
	$(FLASK) build

# The demo's public address, so pages and email carry absolute links to it.
run: export KILN_SITE_URL = http://127.0.0.1:8000
run: export KILN_SERVICE_URL = http://127.0.0.1:8000
# The seed page had English chrome around its Dutch text; KILN_LANGUAGE=nl make run shows it all in Dutch.
run: export KILN_LANGUAGE ?= en
run: install
	$(FLASK) db upgrade
	$(FLASK) demo load
	$(FLASK) build
	$(FLASK) demo moderator
	@echo "Serving the blog and its comment service at http://127.0.0.1:8000/ (Zeker: /zeker.html)"
	KILN_SERVE_SITE=true $(BIN)/gunicorn --config gunicorn.conf.py

# Extract every message into the template catalog, merge it into each language's catalog, compile them all.
# Add a language: $(BIN)/pybabel init -D kiln -i $(POT) -d $(CATALOGS) -l <code>, translate its .po file, run this.
CATALOGS := comments_service/translations
POT := $(CATALOGS)/kiln.pot
translations: install
	$(BIN)/pybabel -q extract -F babel.cfg -k N_ -c Translators: --no-location --sort-output \
		--project Kiln --copyright-holder "Kiln" --msgid-bugs-address "" -o $(POT) .
	$(BIN)/pybabel -q update -D kiln -i $(POT) -d $(CATALOGS) --no-fuzzy-matching --ignore-obsolete
	$(BIN)/pybabel -q compile -D kiln -d $(CATALOGS) --statistics

lint: install
	$(BIN)/ruff check .

typecheck: install
	$(BIN)/mypy comments_service plugins

# Load and crash tests run on their own after the rest, so no other test shares the machine with them.
test: lint typecheck $(AXE)
	$(BIN)/pytest -n 2 -m "not slow"
	$(BIN)/pytest -m slow

clean:
	rm -rf output output.builds .output.lock .pytest_cache .mypy_cache .ruff_cache
