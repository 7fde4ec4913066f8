# Two commands for a new user: `make run` (the app with demo data) and `make test`.
.PHONY: run test test-postgres test-browser bootstrap lint bench messages

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
