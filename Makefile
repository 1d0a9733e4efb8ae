# TreatyWatch — the two commands a newcomer needs are `make run` and `make test`.
SHELL := /bin/bash
# pyenv reads .python-version (3.12); elsewhere use whatever python3.12 is on PATH.
PYTHON ?= $(shell command -v pyenv >/dev/null 2>&1 && pyenv which python 2>/dev/null || command -v python3.12 || command -v python3)
VENV := .venv
BIN := $(VENV)/bin
DEV_ENV := DJANGO_DEBUG=1
PORT ?= 8000

.PHONY: run test install lint format migrate-check browser-deps clean serve

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip

# Installs exactly what requirements.lock pins; re-runs only when the lock changes.
$(VENV)/.installed: requirements.lock | $(BIN)/python
	$(BIN)/pip install --quiet -r requirements.lock
	touch $@

install: $(VENV)/.installed

## make run: set everything up and serve the app with demo data on SQLite at http://127.0.0.1:8000
run: install
	$(DEV_ENV) $(BIN)/python manage.py migrate --noinput
	$(DEV_ENV) $(BIN)/python manage.py seed --demo
	@echo ""
	@echo "TreatyWatch is starting at http://127.0.0.1:$(PORT)/  (Ctrl-C stops it)"
	@echo "Sign in at http://127.0.0.1:$(PORT)/accounts/login/ with a demo account listed above."
	$(DEV_ENV) $(BIN)/python manage.py runserver 127.0.0.1:$(PORT)

# Debian's Chromium for the browser tests (Playwright cannot download its own browser here).
browser-deps:
	@if [ ! -x /usr/bin/chromium ]; then \
	  echo "Installing Debian's chromium for the browser tests…"; \
	  SUDO=$$( [ "$$(id -u)" = 0 ] || echo sudo ); \
	  $$SUDO apt-get update -qq && $$SUDO apt-get install -y -qq chromium >/dev/null; \
	fi

## make test: install what the tests need and run the whole suite (DATABASE_URL picks the database)
test: install browser-deps
	$(BIN)/python -m pytest $(PYTEST_ARGS)

lint: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

format: install
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .

migrate-check: install
	$(DEV_ENV) $(BIN)/python manage.py makemigrations --check --dry-run

clean:
	rm -rf $(VENV) staticfiles db.sqlite3
