# The two commands: `make run` and `make test`. Both install into .venv themselves.
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
# What is installed, stamped per use: `make run` needs only the service and its embedded
# servers, so a first run does not wait for the test tools (browser driver, fuzzer, ...).
RUN_STAMP := $(VENV)/.installed-run
STAMP := $(VENV)/.installed-dev

.PHONY: run test lint format install system-packages openapi messages docs bench bench-pages clean

$(VENV)/bin/python:
	$(PYTHON) -m venv $(VENV)

$(RUN_STAMP): pyproject.toml | $(VENV)/bin/python
	$(PY) -m pip install --quiet -e ".[local]"
	@touch $(RUN_STAMP)

$(STAMP): pyproject.toml | $(VENV)/bin/python
	$(PY) -m pip install --quiet -e ".[local,dev]"
	@touch $(STAMP) $(RUN_STAMP)

# The OpenAPI linters (Redocly CLI, Spectral): npm packages pinned in the lock file, for the
# test that lints openapi/v1.yaml. Install scripts are not run: the linters need none.
LINT_DIR := tools/openapi-lint
NPM_STAMP := $(LINT_DIR)/node_modules/.installed
$(NPM_STAMP): $(LINT_DIR)/package.json $(LINT_DIR)/package-lock.json
	cd $(LINT_DIR) && npm ci --ignore-scripts --no-audit --no-fund
	@touch $(NPM_STAMP)

# Chromium and nginx for the browser and front-door tests: installed when missing on Debian as
# root, else a message naming the command, before anything else runs.
system-packages:
	@bash tools/system-packages

install: $(STAMP) $(NPM_STAMP)

## make run: the whole service on http://127.0.0.1:8000 (web + Celery worker + beat).
## Uses DATABASE_URL / CELERY_BROKER_URL when set, else an embedded PostgreSQL and Redis.
run: $(RUN_STAMP)
	$(PY) -m config.launcher

## make test: lint, migrations check and the whole test suite against a real PostgreSQL and
## Redis (DATABASE_URL / CELERY_BROKER_URL, or embedded ones when unset).
test: system-packages $(STAMP) $(NPM_STAMP) lint
	$(PY) -m config.embedded -- $(PY) manage.py makemigrations --check --dry-run \
		--settings=config.settings.test
	$(PY) -m config.embedded -- $(PY) -m pytest $(PYTEST_ARGS)

## make docs: the documentation site (docs/, mkdocs.yml) into .data/site; `make test` builds
## it too, failing on a broken link (tests/config/test_docs.py).
docs: $(STAMP)
	$(VENV)/bin/mkdocs build --strict

lint: $(STAMP)
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .

format: $(STAMP)
	$(VENV)/bin/ruff check --fix .
	$(VENV)/bin/ruff format .

## make bench: the performance harness (bench/README.md), about 11 minutes; not part of
## `make test`. Needs PostgreSQL on 127.0.0.1:5432 (user postgres) and Redis on :6379.
BENCH_STAMP := $(VENV)/.installed-bench
$(BENCH_STAMP): pyproject.toml | $(VENV)/bin/python
	$(PY) -m pip install --quiet -e ".[bench]"
	@touch $(BENCH_STAMP)

bench: $(BENCH_STAMP)
	$(PY) -m bench $(BENCH_ARGS)

## make bench-pages: the public pages alone, on the bench's data (bench/pages.py).
bench-pages: $(BENCH_STAMP)
	$(PY) -m bench.pages $(BENCH_ARGS)

## make openapi: regenerate the committed OpenAPI file after an API change (a test compares).
openapi: $(STAMP)
	$(PY) -m config.embedded -- $(PY) manage.py spectacular --settings=config.settings.test \
		--file openapi/v1.yaml --validate --fail-on-warn

## make messages: update the interface's catalogues (locale/ru, locale/tk) from the code and
## templates, then compile them; translate what is new (tests/i18n fails until every string is).
MESSAGE_LANGUAGES := -l ru -l tk
messages: $(STAMP)
	$(PY) manage.py makemessages $(MESSAGE_LANGUAGES) --no-obsolete --ignore=.venv \
		--ignore=node_modules --ignore=tools --ignore=tests
	$(PY) manage.py compilemessages --ignore=.venv

clean:
	rm -rf $(VENV) .data staticfiles .pytest_cache .ruff_cache $(LINT_DIR)/node_modules
