# Two commands for a new user: `make run` (the app with demo data) and `make test`.
.PHONY: run test test-postgres test-browser bootstrap lint bench messages fuzz

PY := .venv/bin/python
PYTEST_ARGS ?=
PORT ?= 8000

# Development mode is asked for explicitly: without DEBUG=1 the settings are production's
# and need SECRET_KEY.
run messages: export DEBUG = 1

# Running the app needs only its own packages; the test suite adds Chromium and poppler, the PostgreSQL
# tests the PostgreSQL server (scripts/bootstrap.sh says which feature lacks what).
bootstrap:
	@scripts/bootstrap.sh run

# The server and the background worker (imports, printed documents); Ctrl-C stops both.
# Another port: make run PORT=8001.
run: bootstrap
	@PORT=$(PORT) scripts/serve-dev.sh

test:
	@scripts/bootstrap.sh test
	scripts/run-tests.sh $(PYTEST_ARGS)

test-postgres:
	@scripts/bootstrap.sh test-postgres
	scripts/with-postgres.sh scripts/run-tests.sh $(PYTEST_ARGS)

lint: bootstrap
	.venv/bin/ruff check .
	.venv/bin/ruff format --check .

messages: bootstrap
	$(PY) manage.py makemessages -l en --no-location --ignore=.venv --ignore=var --ignore=tests
	$(PY) manage.py compilemessages --ignore=.venv

bench: bootstrap
	$(PY) bench/run.py
	$(PY) bench/export.py
	$(PY) bench/imports.py
	$(PY) bench/pdf.py
	$(PY) bench/report.py

# -- backups (issue 15): the database and the media files in one dated, checked archive ---------------
# `make backup` writes var/backups/qicai-YYYYMMDD-HHMMSS.tar.gz; `make restore FILE=…` restores it into an
# empty database and media folder and verifies it against its manifest (FORCE=1 restores over existing data).
# Both use the environment's DATABASE_URL / MEDIA_ROOT, as the app does; neither needs SECRET_KEY.
.PHONY: backup restore

backup:
	$(PY) manage.py backup

restore:
	$(PY) manage.py restore $(if $(FILE),"$(FILE)") $(if $(filter 1 yes true,$(FORCE)),--force)

# The production stack on loopback for a trial: gunicorn, the task worker(s), PostgreSQL (a throwaway
# cluster with the demo district, or DATABASE_URL), static files by whitenoise. Ctrl-C stops all of it.
.PHONY: serve
serve:
	@scripts/bootstrap.sh serve
	scripts/serve-prod.sh

# The load test against that stack (bench/load.py): 8 and 32 signed-in users, 2 minutes each.
.PHONY: load
load:
	@scripts/bootstrap.sh serve
	$(PY) bench/load.py $(LOAD_ARGS)

# Hostile input at length: thousands of examples per target (the normal test run tries a few, always the same).
# `make fuzz FUZZ_EXAMPLES=20000` for more; failures found are remembered in .hypothesis/ and tried first next time.
FUZZ_EXAMPLES ?= 2000
fuzz: bootstrap
	HYPOTHESIS_PROFILE=fuzz HYPOTHESIS_MAX_EXAMPLES=$(FUZZ_EXAMPLES) $(PY) -m pytest tests/fuzz $(PYTEST_ARGS)
