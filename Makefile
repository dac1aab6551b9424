# yingji: `make run` to try it, `make test` to check it. See README.md.
PYTHON ?= python3.11
VENV := .venv
BIN := $(VENV)/bin
STAMPS := .make
PG_TEST_URL ?= postgres://postgres@127.0.0.1:5432/yingji
export PYTHONDONTWRITEBYTECODE := 1

.PHONY: setup setup-production run test test-sqlite test-postgres lint bench migrate seed clean

setup: $(STAMPS)/python $(STAMPS)/frontend

# A development machine gets requirements-dev.txt (runtime + tests, lint, benchmarks); production installs
# only requirements.txt (docs/deployment.md).
$(STAMPS)/python: requirements.txt requirements-dev.txt
	@mkdir -p $(STAMPS)
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --disable-pip-version-check -r requirements-dev.txt
	@touch $@

# Production: the runtime packages only, and the front-end libraries.
setup-production: $(STAMPS)/runtime $(STAMPS)/frontend

$(STAMPS)/runtime: requirements.txt
	@mkdir -p $(STAMPS)
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --disable-pip-version-check -r requirements.txt
	@touch $@

# Front-end libraries come from the npm registry and are copied into static files.
$(STAMPS)/frontend: package.json package-lock.json
	@mkdir -p $(STAMPS)
	npm ci --no-audit --no-fund --loglevel=error
	rm -rf yingji/static/vendor && mkdir -p yingji/static/vendor/leaflet yingji/static/vendor/echarts yingji/static/vendor/htmx yingji/static/vendor/bootstrap
	cp -r node_modules/leaflet/dist/leaflet.js node_modules/leaflet/dist/leaflet.css node_modules/leaflet/dist/images yingji/static/vendor/leaflet/
	cp node_modules/echarts/dist/echarts.min.js yingji/static/vendor/echarts/
	cp node_modules/htmx.org/dist/htmx.min.js yingji/static/vendor/htmx/
	cp node_modules/bootstrap/dist/css/bootstrap.min.css yingji/static/vendor/bootstrap/
	@touch $@

migrate: setup
	$(BIN)/python manage.py migrate --noinput

seed: migrate
	$(BIN)/python manage.py seed_demo

run: seed
	$(BIN)/python manage.py collectstatic --noinput --verbosity 0
	$(BIN)/python manage.py run_embedded

lint: setup
	$(BIN)/ruff check .
	$(BIN)/python manage.py makemigrations --check --dry-run > /dev/null

test-sqlite: setup
	$(BIN)/pytest

test-postgres: setup
	@$(BIN)/python -c "import psycopg; psycopg.connect('$(PG_TEST_URL:/yingji=/postgres)').close()" \
		|| (echo "PostgreSQL is not reachable at $(PG_TEST_URL); start it (see README) or set PG_TEST_URL" && exit 1)
	DATABASE_URL=$(PG_TEST_URL) $(BIN)/pytest

test: lint test-sqlite test-postgres

bench: setup
	$(BIN)/python bench/run.py

clean:
	rm -rf $(VENV) $(STAMPS) node_modules yingji/static/vendor staticfiles
