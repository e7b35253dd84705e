.DEFAULT_GOAL := help
.PHONY: help run run.full run.serve requirements requirements.mysql test test.mysql quality format upgrade migrate \
        demo clean docker_build selfcheck validate bench bench.inprocess prod.smoke

PYTHON_VERSION ?= 3.12.1
VENV := .venv
BIN := $(VENV)/bin
PORT ?= 18740
TEST_DB_MYSQL = EDX_EXAMS_TEST_DB=mysql
# pytest-xdist: one test process per core (PYTEST_WORKERS=0 runs in one process).
PYTEST_WORKERS ?= auto
# settings/local.py builds every URL it hands out (LTI, JWKS, token issuer) on http://localhost:$(PORT).
export EDX_EXAMS_PORT := $(PORT)

help: ## show the targets
	@grep -E '^[a-zA-Z_.-]+:.*?## ' $(MAKEFILE_LIST) | awk 'BEGIN {FS = ":.*?## "}; {printf "  %-18s %s\n", $$1, $$2}'

$(BIN)/python:
	PYENV_VERSION=$(PYTHON_VERSION) python3.12 -m venv $(VENV) || python3.12 -m venv $(VENV)
	$(BIN)/pip install -q --upgrade pip

$(VENV)/.installed: $(BIN)/python requirements/dev.txt requirements/test.txt requirements/base.txt
	$(BIN)/pip install -q -r requirements/dev.txt
	touch $@

requirements: $(VENV)/.installed ## create .venv and install the dev requirements (no MySQL headers needed)

$(VENV)/.installed-mysql: $(VENV)/.installed requirements/mysql.txt
	$(BIN)/pip install -q -r requirements/mysql.txt
	touch $@

requirements.mysql: $(VENV)/.installed-mysql ## add the MySQL driver (needs default-libmysqlclient-dev, pkg-config)

migrate: requirements ## apply migrations to the local SQLite database
	$(BIN)/python manage.py migrate --noinput

demo: migrate ## load the demo users and course, print dev JWTs
	$(BIN)/python manage.py load_demo_data
	@for u in demo_learner demo_course_staff edx_exams_worker; do \
	  echo ""; echo "JWT for $$u:"; $(BIN)/python manage.py dev_jwt $$u; done
	@echo ""; echo "Try: curl -H 'Authorization: JWT <token>' http://localhost:$(PORT)/api/v1/me"

run: demo ## install, migrate, load demo data and serve on http://localhost:18740 (PORT=N for another port)
	@echo "Serving on http://localhost:$(PORT) (API docs: http://localhost:$(PORT)/api-docs/)"
	$(BIN)/python manage.py runserver localhost:$(PORT)

run.full: requirements.mysql ## the same demo on MariaDB + Redis with a Celery worker and beat (Ctrl-C stops all)
	PORT=$(PORT) scripts/run_full.sh

prod.smoke: ## run production (2 gunicorn, 2 workers, beat, consumer) from production.txt alone and check it
	PYENV_VERSION=$(PYTHON_VERSION) python3.12 scripts/prod_smoke.py

test: requirements ## run the whole suite on SQLite
	$(BIN)/pytest -n $(PYTEST_WORKERS)

test.mysql: requirements.mysql ## run the whole suite on MariaDB/MySQL at 127.0.0.1:3306
	$(TEST_DB_MYSQL) $(BIN)/pytest -n $(PYTEST_WORKERS)

quality: requirements ## ruff lint and format check, mypy type check
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy

format: requirements ## apply ruff fixes and formatting
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .

validate: test quality ## tests and quality checks

$(VENV)/.installed-bench: $(VENV)/.installed-mysql requirements/bench.txt
	$(BIN)/pip install -q -r requirements/bench.txt
	touch $@

bench: $(VENV)/.installed-bench ## gunicorn on SQLite and MariaDB under wrk: req/s, latency, SQL, memory (needs wrk)
	$(BIN)/python -m bench.run $(BENCH_ARGS)

bench.inprocess: requirements ## the in-process micro-benchmarks in bench/ (token signing, learner endpoints)
	$(BIN)/python bench/bench_access_tokens.py
	$(BIN)/python bench/bench_learner_endpoints.py

upgrade: $(BIN)/python ## recompile the pinned requirements from the .in files
	$(BIN)/pip install -q pip-tools
	cd requirements && for f in pip-tools base test quality mysql production dev bench; do \
	  CUSTOM_COMPILE_COMMAND="make upgrade" ../$(BIN)/pip-compile -q --allow-unsafe --strip-extras --no-emit-index-url --no-emit-find-links -o $$f.txt $$f.in || exit 1; done

docker_build: ## build the production image
	docker build . --target prod -t edx-exams:latest

clean: ## remove the virtualenv and local database
	rm -rf $(VENV) .venv-prod edx_exams.sqlite3 .pytest_cache .coverage htmlcov
