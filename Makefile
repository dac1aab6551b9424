# yingji: `make run` to try it, `make test` to check it. See README.md.
PYTHON ?= python3.11
VENV := .venv
BIN := $(VENV)/bin
STAMPS := .make
# A PostgreSQL test database of this checkout's own (pytest-django makes test_<name>_gw0, _gw1, ...), so two
# checkouts can run `make test` at once.
CHECKOUT_ID := $(shell printf '%s' "$(CURDIR)" | md5sum | cut -c1-8)
PG_TEST_URL ?= postgres://postgres@127.0.0.1:5432/yingji_$(CHECKOUT_ID)
# pytest-xdist workers per half; each worker has its own database, task queue folder and ports.
TEST_WORKERS ?= 2
PYTEST_PARALLEL := -n $(TEST_WORKERS) --dist loadscope --durations=30
# The halves use only their own database and no Redis cache or broker, whatever this shell has set.
TEST_ENV := env -u DATABASE_URL -u REDIS_URL -u CELERY_BROKER_URL
export PYTHONDONTWRITEBYTECODE := 1

.PHONY: setup setup-production system-run system-test run test test-steps test-sqlite test-postgres lint bench migrate seed clean

setup: $(STAMPS)/python $(STAMPS)/frontend

# Debian packages and local services: installed (as root) or named in one command to run (otherwise).
# `make run` needs what the embedded default needs; the tests also need chromium, PostgreSQL, Mosquitto and Redis.
system-run:
	@bin/system-packages run

system-test:
	@PG_TEST_URL=$(PG_TEST_URL) bin/system-packages test

# A development machine gets requirements-dev.txt (runtime + tests, lint, benchmarks); production installs
# only requirements.txt (docs/deployment.md).
$(STAMPS)/python: requirements.txt requirements-dev.txt | system-run
	@mkdir -p $(STAMPS)
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --disable-pip-version-check -r requirements-dev.txt
	@touch $@

# Production: the runtime packages only, and the front-end libraries.
setup-production: $(STAMPS)/runtime $(STAMPS)/frontend

$(STAMPS)/runtime: requirements.txt | system-run
	@mkdir -p $(STAMPS)
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --disable-pip-version-check -r requirements.txt
	@touch $@

# Front-end libraries come from the npm registry and are copied into static files.
$(STAMPS)/frontend: package.json package-lock.json | system-run
	@mkdir -p $(STAMPS)
	npm ci --no-audit --no-fund --loglevel=error
	rm -rf yingji/static/vendor && mkdir -p yingji/static/vendor/leaflet yingji/static/vendor/echarts yingji/static/vendor/htmx yingji/static/vendor/bootstrap yingji/static/vendor/tom-select
	cp -r node_modules/leaflet/dist/leaflet.js node_modules/leaflet/dist/leaflet.css node_modules/leaflet/dist/images yingji/static/vendor/leaflet/
	cp node_modules/echarts/dist/echarts.min.js yingji/static/vendor/echarts/
	cp node_modules/htmx.org/dist/htmx.min.js yingji/static/vendor/htmx/
	cp node_modules/bootstrap/dist/css/bootstrap.min.css node_modules/bootstrap/dist/js/bootstrap.bundle.min.js yingji/static/vendor/bootstrap/
	cp node_modules/tom-select/dist/js/tom-select.complete.min.js node_modules/tom-select/dist/css/tom-select.bootstrap5.min.css yingji/static/vendor/tom-select/
	@touch $@

migrate: setup
	$(BIN)/python manage.py migrate --noinput

seed: migrate
	$(BIN)/python manage.py seed_demo --startup

run: seed
	$(BIN)/python manage.py collectstatic --noinput --verbosity 0
	$(BIN)/python manage.py run_embedded

lint: setup
	$(BIN)/ruff check .
	PYTHONPATH=. $(BIN)/lint-imports --no-cache --no-logo
	$(BIN)/python manage.py makemigrations --check --dry-run > /dev/null

test-sqlite: setup | system-test
	@bin/timed "SQLite half" $(TEST_ENV) $(BIN)/pytest $(PYTEST_PARALLEL)

# The browser tests drive pages whose database is incidental to them; they run once, in the SQLite half (the
# embedded default), and every other test runs on both databases.
test-postgres: setup | system-test
	@bin/timed "PostgreSQL half" $(TEST_ENV) DATABASE_URL=$(PG_TEST_URL) $(BIN)/pytest $(PYTEST_PARALLEL) -m "not browser"

# Lint, then both halves at once (the machine's cores shared by their workers); each half's output is printed
# when it ends, followed by its time.
test: system-test setup
	@bin/timed "make test" $(MAKE) --no-print-directory test-steps

test-steps:
	@bin/timed lint $(MAKE) --no-print-directory lint
	@$(MAKE) --no-print-directory -j2 --output-sync=target test-sqlite test-postgres

bench: setup
	$(BIN)/python bench/run.py

clean:
	rm -rf $(VENV) $(STAMPS) node_modules yingji/static/vendor staticfiles
