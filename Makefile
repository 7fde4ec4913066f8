# Two commands for a new user: `make run` (the app with demo data) and `make test`.
.PHONY: run test test-postgres test-browser bootstrap lint bench messages fuzz

PY := .venv/bin/python
PYTEST_ARGS ?=

# Development mode is asked for explicitly: without DEBUG=1 the settings are production's
# and need SECRET_KEY.
run messages: export DEBUG = 1

bootstrap:
	@scripts/bootstrap.sh

run: bootstrap
	$(PY) manage.py migrate --noinput
	$(PY) manage.py seed_demo --if-empty
	scripts/serve-dev.sh

test: bootstrap
	scripts/run-tests.sh $(PYTEST_ARGS)

test-postgres: bootstrap
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

# Hostile input at length: thousands of examples per target (the normal test run tries a few, always the same).
# `make fuzz FUZZ_EXAMPLES=20000` for more; failures found are remembered in .hypothesis/ and tried first next time.
FUZZ_EXAMPLES ?= 2000
fuzz: bootstrap
	HYPOTHESIS_PROFILE=fuzz HYPOTHESIS_MAX_EXAMPLES=$(FUZZ_EXAMPLES) $(PY) -m pytest tests/fuzz $(PYTEST_ARGS)
