# Two commands matter: `make run` (set up, load demo data, serve) and `make test`.
# Every target is safe to run twice.

PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
MANAGE := $(BIN)/python manage.py
HOST ?= 127.0.0.1
PORT ?= 8000

.PHONY: run test test-postgres test-browser setup test-setup demo lint chromium system-packages test-packages bench clean lock backup restore restore-drill deploy-check deploy-check-packages test-oldest-python

# Debian packages: WeasyPrint needs Pango and a font to make PDFs; the tests read workbooks
# back through LibreOffice, render PDF pages with poppler's pdftoppm and encrypt the backups they
# drill with age (as the server does).
RUNTIME_PACKAGES := libpango-1.0-0 libpangoft2-1.0-0 fonts-dejavu-core
TEST_PACKAGES := libreoffice-calc-nogui poppler-utils age

run: setup demo
	@echo "Statsbidrag körs på http://$(HOST):$(PORT)/ (avsluta med Ctrl+C)"
	DEBUG=1 $(MANAGE) runserver $(HOST):$(PORT)

# The suite on every core (pytest-xdist; a worker that is done takes tests from the others);
# each worker builds the demo fixtures once and writes them back in each test's transaction
# (tests/built_once.py). MARKS picks the tests: CI runs the whole suite on PostgreSQL and, on
# SQLite, only MARKS="both_databases and not browser".
PYTEST := $(BIN)/pytest -n auto --dist worksteal
MARKS ?= not browser

test: test-setup test-packages
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(PYTEST) -m "$(MARKS)"

# The suite on PostgreSQL, production's database (pytest-django creates and drops its own test
# database per worker: test_<name>_gw0, …).
PG_URL ?= postgres://postgres@127.0.0.1:5432/test
test-postgres: test-setup test-packages
	DATABASE_URL=$(PG_URL) $(PYTEST) -m "$(MARKS)"

test-browser: test-setup chromium node_modules/.installed
	$(PYTEST) -m browser

setup: test-setup
	$(MANAGE) migrate --no-input

# What the tests need: the venv, .env and the static files' manifest. They make their own
# database, from one migrated once per set of migrations (tests/migrated_once.py), so the
# local database is not migrated for them.
test-setup: $(VENV)/.installed .env var system-packages
	$(MANAGE) collectstatic --no-input --verbosity 0

demo: setup
	$(MANAGE) load_demo
	$(MANAGE) load_demo_allocations
	$(MANAGE) load_demo_distribution
	$(MANAGE) load_demo_ledger
	$(MANAGE) load_demo_reports
	$(MANAGE) load_demo_plan
	$(MANAGE) create_demo_users

bench: setup
	PYTHONPATH=. $(BIN)/python scripts/bench_allocations.py
	$(BIN)/python scripts/bench_ledger.py
	$(BIN)/python scripts/bench_xlsx.py
	$(BIN)/python scripts/bench_reports.py
	$(BIN)/python scripts/bench_uploads.py
	$(BIN)/python -m scripts.bench_load

lint: $(VENV)/.installed
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

# The exact versions CI tested, from requirements-dev.lock (the service's requirements.lock plus
# the test tools, with hashes), then the project itself; a dependency added to pyproject.toml
# but not yet locked is installed too, with a warning. --no-compile: Python compiles a module
# when it is first imported, not every module of every package at install (half the time).
$(VENV)/.installed: pyproject.toml requirements-dev.lock
	@$(PYTHON) -c 'import sys; assert sys.version_info >= (3, 11), "Python 3.11 eller senare krävs"'
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet --no-compile --require-hashes -r requirements-dev.lock
	$(BIN)/pip install --quiet --no-compile -e '.[dev]'
	@$(BIN)/python scripts/check_lock.py
	touch $@

# Pin every dependency of pyproject.toml (and theirs) anew, with hashes: requirements.lock for
# the service (no dev tools), requirements-dev.lock for tests (the same pins plus the dev extra).
# Resolved with the oldest Python the README names (Debian 12's own /usr/bin/python3, 3.11.2),
# so packages only that Python needs (async-timeout for redis below 3.11.3) are pinned too.
# Run after adding or changing a dependency, and commit both files.
LOCK_PYTHON ?= $(shell test -x /usr/bin/python3 && echo /usr/bin/python3 || echo $(PYTHON))
LOCK_VENV := var/lock-venv
# Extras stay in the locks (fonttools[woff]==…): Debian 12's own pip (23.0.1) installs the
# service's lock with --require-hashes only so; with them stripped it takes a dependency asked
# for with extras (weasyprint's fonttools[woff]) at its newest release, unpinned, and refuses.
PIP_COMPILE := $(LOCK_VENV)/bin/pip-compile --quiet --generate-hashes --no-strip-extras \
  --allow-unsafe --no-emit-index-url --no-emit-find-links
lock: var
	@test -x $(LOCK_VENV)/bin/pip-compile || { $(LOCK_PYTHON) -m venv $(LOCK_VENV) && \
	  $(LOCK_VENV)/bin/pip install --quiet --upgrade pip "pip-tools>=7.6,<8"; }
	@echo "Låser för $$($(LOCK_VENV)/bin/python --version)"
	$(PIP_COMPILE) --output-file requirements.lock pyproject.toml
	$(PIP_COMPILE) --extra dev --constraint requirements.lock \
	  --output-file requirements-dev.lock pyproject.toml

# A backup of the database and the kept files in BACKUP_DIR (var/backups by default), and
# its restore: `make restore FILE=/var/backups/statsbidrag/statsbidrag-….tar.age IDENTITY=key`,
# and the restore drill into a scratch database: `make restore-drill FILE=… IDENTITY=…`.
# On a server run them as the service user (sudo -u statsbidrag make backup): they use the
# installed venv as it is, install nothing and write nothing into the code folder.
SERVICE_PYTHON := PYTHONDONTWRITEBYTECODE=1 $(BIN)/python
backup:
	@test -x $(BIN)/python || { echo "Ingen installerad venv i $(VENV) (se README, Driftsättning)"; exit 1; }
	$(SERVICE_PYTHON) manage.py backup

restore:
	@test -n "$(FILE)" || { echo "Ange säkerhetskopian: make restore FILE=… [IDENTITY=nyckelfil]"; exit 1; }
	$(SERVICE_PYTHON) manage.py restore "$(FILE)" $(if $(IDENTITY),--identity "$(IDENTITY)")

restore-drill:
	@test -n "$(FILE)" || { echo "Ange säkerhetskopian: make restore-drill FILE=… [IDENTITY=nyckelfil]"; exit 1; }
	$(SERVICE_PYTHON) manage.py restore_drill "$(FILE)" $(if $(IDENTITY),--identity "$(IDENTITY)")

# A local .env with a freshly generated secret key; never committed.
.env:
	$(PYTHON) scripts/make_env.py > $@

var:
	mkdir -p var

# Debian's Chromium for the browser tests; Playwright's own browser download cannot work here.
chromium:
	@command -v chromium >/dev/null 2>&1 || { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium; }

system-packages:
	@$(MAKE) --no-print-directory apt-install PACKAGES="$(RUNTIME_PACKAGES)"

test-packages:
	@$(MAKE) --no-print-directory apt-install PACKAGES="$(TEST_PACKAGES)"

# What the deployment check needs beside the runtime: Debian's nginx (for `nginx -t` on the
# shipped site; apt does not start it in a container) and its Python's venv module.
DEPLOY_CHECK_PACKAGES := nginx python3 python3-venv openssl age
deploy-check-packages:
	@$(MAKE) --no-print-directory apt-install PACKAGES="$(DEPLOY_CHECK_PACKAGES)"

# The README's install as far as this machine can follow it (scripts/deploy_check.py): the
# service's lock with Debian's Python and --require-hashes, check --deploy, gunicorn by its unit,
# nginx -t, the units' files, every variable documented. Under a minute once the venv is cached.
deploy-check: deploy-check-packages
	$(PYTHON) scripts/deploy_check.py

# The backup and restore tests under the oldest Python the README names (Debian 12's
# /usr/bin/python3, 3.11.2: no tarfile filters), from requirements-dev.lock with
# --require-hashes, on SQLite and on PostgreSQL (PG_URL). The venv is cached per lock.
OLDEST_PYTHON ?= /usr/bin/python3
OLDEST_VENV = $(HOME)/.cache/statsbidrag/oldest-venv-$(shell cat requirements-dev.lock | sha256sum | cut -c1-16)
test-oldest-python: test-setup deploy-check-packages
	@test -f $(OLDEST_VENV)/.complete || { rm -rf $(OLDEST_VENV) && $(OLDEST_PYTHON) -m venv $(OLDEST_VENV) && \
	  $(OLDEST_VENV)/bin/pip install --quiet --require-hashes -r requirements-dev.lock && \
	  touch $(OLDEST_VENV)/.complete; }
	$(OLDEST_VENV)/bin/python --version
	@echo "SQLite och PostgreSQL samtidigt:"
	@$(OLDEST_VENV)/bin/python -m pytest -p no:cacheprovider tests/operations/test_backup.py \
	  > var/oldest-python-sqlite.log 2>&1 & sqlite=$$!; \
	DATABASE_URL=$(PG_URL) $(OLDEST_VENV)/bin/python -m pytest -p no:cacheprovider \
	  tests/operations/test_backup.py; postgres=$$?; \
	wait $$sqlite; status=$$?; echo "SQLite:"; cat var/oldest-python-sqlite.log; \
	test $$postgres -eq 0 && test $$status -eq 0

# Installs only what is missing; nothing when all is there.
apt-install:
	@missing=""; for p in $(PACKAGES); do dpkg -s $$p >/dev/null 2>&1 || missing="$$missing $$p"; done; \
	if [ -n "$$missing" ]; then \
	  echo "Installerar:$$missing"; \
	  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends $$missing; \
	fi

node_modules/.installed: package.json package-lock.json
	npm ci --no-audit --no-fund --silent
	touch $@

clean:
	rm -rf $(VENV) node_modules var .pytest_cache
