# TreatyWatch — the two commands a newcomer needs are `make run` and `make test`.
SHELL := /bin/bash
# pyenv reads .python-version (3.12); elsewhere use whatever python3.12 is on PATH.
PYTHON ?= $(shell command -v pyenv >/dev/null 2>&1 && pyenv which python 2>/dev/null || command -v python3.12 || command -v python3)
VENV := .venv
BIN := $(VENV)/bin
DEV_ENV := DJANGO_DEBUG=1
PORT ?= 8000

.PHONY: run test install lint format migrate-check browser-deps gettext-deps messages clean serve totp-code

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip

# Installs exactly what requirements.lock pins; re-runs only when the lock changes.
$(VENV)/.installed: requirements.lock | $(BIN)/python
	$(BIN)/pip install --quiet -r requirements.lock
	touch $@

# Installing also compiles the translation catalogues (locale/*/LC_MESSAGES/django.po into .mo
# files, which are never committed; docs/translations.md).
install: $(VENV)/.installed messages

# GNU gettext's msgfmt compiles the catalogues (and makemessages needs xgettext): Debian's
# gettext package when it is missing, as browser-deps does for Chromium.
gettext-deps:
	@if ! command -v msgfmt >/dev/null 2>&1; then \
	  echo "Installing Debian's gettext to compile the translation catalogues…"; \
	  SUDO=$$( [ "$$(id -u)" = 0 ] || echo sudo ); \
	  $$SUDO apt-get update -qq && $$SUDO apt-get install -y -qq gettext >/dev/null; \
	fi

## make messages: compile the translation catalogues (only those changed since the last time)
messages: $(VENV)/.installed gettext-deps
	@DJANGO_ALLOW_THROWAWAY_SECRET_KEY=1 $(BIN)/python manage.py compilemessages --verbosity 0

## make run: set everything up and serve the app with demo data on SQLite at http://127.0.0.1:8000
run: install
	$(DEV_ENV) $(BIN)/python manage.py migrate --noinput
	$(DEV_ENV) $(BIN)/python manage.py seed --demo
	@echo ""
	@echo "TreatyWatch is starting at http://127.0.0.1:$(PORT)/  (Ctrl-C stops it)"
	@echo "Sign in at http://127.0.0.1:$(PORT)/accounts/login/ with a demo account listed above."
	@echo "The demo editor also types a two-factor code: run 'make totp-code' in another terminal."
	@echo "Password-reset mail is printed here by the outbox worker (manage.py send_outbox)."
	@# The outbox worker runs beside the server and stops with it (Ctrl-C or any exit).
	$(DEV_ENV) $(BIN)/python manage.py send_outbox --interval 2 & WORKER=$$!; \
	trap 'kill $$WORKER 2>/dev/null' EXIT INT TERM; \
	$(DEV_ENV) $(BIN)/python manage.py runserver 127.0.0.1:$(PORT)

## make totp-code [MEMBER=editor]: print a demo member's current two-factor code (development only)
MEMBER ?= editor
totp-code: install
	@$(DEV_ENV) $(BIN)/python manage.py totp_code $(MEMBER)

# Debian's Chromium for the browser tests (Playwright cannot download its own browser here), a
# Java runtime for the Nu HTML checker (tests/test_html_validity.py), and fonts with Arabic and
# Chinese letters so that pages in those languages render as text, not boxes, in screenshots.
browser-deps:
	@PKGS=""; \
	[ -x /usr/bin/chromium ] || PKGS="$$PKGS chromium"; \
	command -v java >/dev/null 2>&1 || PKGS="$$PKGS default-jre-headless"; \
	fc-list :lang=ar 2>/dev/null | grep -q . || PKGS="$$PKGS fonts-dejavu-core"; \
	fc-list :lang=zh 2>/dev/null | grep -q . || PKGS="$$PKGS fonts-wqy-microhei"; \
	if [ -n "$$PKGS" ]; then \
	  echo "Installing Debian's$$PKGS for the browser and HTML-validity tests…"; \
	  SUDO=$$( [ "$$(id -u)" = 0 ] || echo sudo ); \
	  $$SUDO apt-get update -qq && $$SUDO apt-get install -y -qq $$PKGS >/dev/null; \
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

# Under the production settings, which refuse to start without a key unless told that this step
# signs nothing (DJANGO_ALLOW_THROWAWAY_SECRET_KEY, README's configuration table).
migrate-check: install
	DJANGO_ALLOW_THROWAWAY_SECRET_KEY=1 $(BIN)/python manage.py makemigrations --check --dry-run

clean:
	rm -rf $(VENV) staticfiles db.sqlite3

## make lock: rewrite requirements.lock as `pip freeze` of a throwaway virtualenv holding
## pyproject.toml's dependencies and its `test` extras (never the project itself). Review the diff.
LOCK_FILE ?= requirements.lock
.PHONY: lock
lock:
	@LOCK_DIR=$$(mktemp -d) && trap 'rm -rf "$$LOCK_DIR"' EXIT && \
	$(PYTHON) -m venv "$$LOCK_DIR/venv" && \
	"$$LOCK_DIR/venv/bin/pip" install --quiet --upgrade pip && \
	"$$LOCK_DIR/venv/bin/python" -c 'import tomllib; p = tomllib.load(open("pyproject.toml", "rb"))["project"]; print("\n".join(p["dependencies"] + p["optional-dependencies"]["test"]))' > "$$LOCK_DIR/requirements.in" && \
	"$$LOCK_DIR/venv/bin/pip" install --quiet -r "$$LOCK_DIR/requirements.in" && \
	"$$LOCK_DIR/venv/bin/pip" freeze --exclude treatywatch > "$$LOCK_DIR/requirements.lock" && \
	mv "$$LOCK_DIR/requirements.lock" $(LOCK_FILE) && echo "wrote $(LOCK_FILE)"

## make faults: the load, database-outage and backup checks in their short form, on the local
## PostgreSQL (127.0.0.1:5432; scripts/README.md). LOAD_SECONDS=30 for the full load run.
LOAD_SECONDS ?= 8
.PHONY: faults
faults: install
	$(BIN)/python scripts/load_concurrent_edits.py --seconds $(LOAD_SECONDS)
	$(BIN)/python scripts/fault_db_outage.py
	scripts/backup_restore.sh

## make bench: generate 1k, 10k and 100k annotations on PostgreSQL, serve with gunicorn + Redis,
## load every target with wrk; writes bench/results/latest.md (bench/README.md).
## BENCH_ARGS=--quick for a one-minute smoke run (1k only, 2 s per target).
BENCH_ARGS ?=
.PHONY: bench
bench: install
	$(BIN)/python bench/run.py $(BENCH_ARGS)

## make scale-check: two gunicorn servers on two ports against one PostgreSQL database and one
## Redis: a write through one is read through the other at once; sessions, throttles, write
## limits and downloads are shared (scripts/scale_check.py, docs/deploy.md).
.PHONY: scale-check
scale-check: install
	$(BIN)/python scripts/scale_check.py
