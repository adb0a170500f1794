# Two commands set everything up on a fresh machine:
#   make run   installs, migrates, loads demo data and serves http://127.0.0.1:8000
#   make test  installs (with Chromium for browser tests) and runs the whole test suite
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
CHROMIUM ?= /usr/bin/chromium
PORT ?= 8000

.PHONY: run test install assets chromium messages lint format migrate demo worker beat clean bench

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip

install: $(BIN)/python
	$(BIN)/pip install --quiet ".[dev]"

assets:
	npm ci --no-audit --no-fund --loglevel=error

chromium:
	@if [ ! -x "$(CHROMIUM)" ]; then \
		echo "Installing Debian's chromium for browser tests"; \
		if [ "$$(id -u)" = 0 ]; then SUDO=; else SUDO=sudo; fi; \
		$$SUDO apt-get update -qq && DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq chromium >/dev/null; \
	fi

# The translations (locale/*/LC_MESSAGES/django.po) compiled for gettext; needs msgfmt.
messages: $(BIN)/python
	@if ! command -v msgfmt >/dev/null; then \
		echo "Installing Debian's gettext to compile the translations"; \
		if [ "$$(id -u)" = 0 ]; then SUDO=; else SUDO=sudo; fi; \
		$$SUDO apt-get update -qq && DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq gettext >/dev/null; \
	fi
	$(BIN)/python manage.py compilemessages --ignore=.venv --ignore=node_modules -v 0

migrate:
	$(BIN)/python manage.py migrate --noinput

demo: migrate
	$(BIN)/python manage.py seed_demo

run: install assets messages demo
	@echo "Open http://127.0.0.1:$(PORT)/ and log in with one of the demo logins above."
	$(BIN)/python manage.py runserver 127.0.0.1:$(PORT)

# Both cores: each pytest-xdist worker has its own test database and Redis database
# (tests/conftest.py); a worker that finishes early takes tests from the other.
TEST_WORKERS ?= 2

test: install assets chromium messages
	$(BIN)/pytest -n $(TEST_WORKERS) --dist worksteal

lint:
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

format:
	$(BIN)/ruff format .
	$(BIN)/ruff check --fix .

worker:
	$(BIN)/celery -A config worker -Q dispatch,delivery,celery --loglevel=info

beat:
	$(BIN)/celery -A config beat --loglevel=info

clean:
	rm -rf $(VENV) node_modules staticfiles db.sqlite3

# Load benchmark on PostgreSQL and Redis with scale-1 and scale-10 data (uncached renders with
# wrk, queries per page, a mixed read/write workload with locust); writes bench/results.md.
# BENCH_ONLY=wrk,queries,mixed runs some parts only; BENCH_MIXED_SECONDS shortens the mixed one.
bench: install assets
	$(BIN)/pip install --quiet ".[bench]"
	@command -v wrk >/dev/null || { if [ "$$(id -u)" = 0 ]; then SUDO=; else SUDO=sudo; fi; \
		$$SUDO apt-get update -qq && DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq wrk >/dev/null; }
	$(BIN)/python bench/run_bench.py

