# Two commands do all the set-up on a fresh machine: `make run` and `make test`.
PYTHON ?= python3.11
VENV := .venv
PY := $(VENV)/bin/python
PIP := $(VENV)/bin/pip
MANAGE := $(PY) manage.py
STAMP := $(VENV)/.installed

.PHONY: run setup install messages migrate demo test test-fast lint check ci browser-deps clean

run: setup
	@$(MANAGE) ensure_admin
	$(MANAGE) runserver 127.0.0.1:8000

setup: install messages migrate demo
	@$(MANAGE) ensure_admin

$(STAMP): pyproject.toml
	@command -v $(PYTHON) >/dev/null 2>&1 || { echo "Python 3.11 is required ($(PYTHON) not found; set PYTHON=…)"; exit 1; }
	$(PYTHON) -m venv $(VENV)
	$(PIP) install --quiet --upgrade pip
	$(PIP) install --quiet -e '.[dev]'
	@touch $(STAMP)

install: $(STAMP)

# Compiled catalogues are committed; recompile when gettext's msgfmt is there so edits to .po files count.
messages: install
	@if command -v msgfmt >/dev/null 2>&1; then $(MANAGE) compilemessages --ignore=.venv -v0; else echo "msgfmt not found: using the committed .mo files"; fi

migrate: install
	$(MANAGE) migrate --noinput -v1

demo: migrate
	$(MANAGE) import_territories
	$(MANAGE) load_demo

test: install messages
	$(VENV)/bin/pytest

lint: install
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .

check: install
	$(MANAGE) check
	DJANGO_SETTINGS_MODULE=hub.settings.test $(MANAGE) makemigrations --check --dry-run --noinput

# Debian's Chromium plus axe-core and the Nu HTML checker from the npm registry, for the browser tests.
browser-deps:
	@command -v chromium >/dev/null 2>&1 || { apt-get update -q && apt-get install -y -q chromium; }
	npm install --no-audit --no-fund --silent

clean:
	rm -rf $(VENV) var node_modules
