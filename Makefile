# The README's two commands come first: `make run` and `make test`.
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python

.PHONY: run test setup worker beat web stop-db clean

run: setup  ## set up, migrate, load the demo and serve on http://127.0.0.1:8000 with the background jobs
	$(PY) manage.py migrate --noinput
	$(PY) manage.py demo
	$(PY) bin/serve

test: setup  ## lint, migration check and the whole suite (throwaway PostgreSQL/Redis unless DATABASE_URL/REDIS_URL)
	$(PY) bin/test

setup: $(VENV)/.installed

$(VENV)/.installed: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet ".[dev]"
	touch $@

web: setup  ## production-like web server (needs DATABASE_URL etc.)
	$(VENV)/bin/gunicorn oms.wsgi -b 0.0.0.0:8000 -w 4

worker: setup
	$(VENV)/bin/celery -A oms worker -l INFO

beat: setup
	$(VENV)/bin/celery -A oms beat -l INFO

stop-db:  ## stop the embedded PostgreSQL of the quick start
	$(PY) -m oms.embedded_db stop

clean:
	rm -rf $(VENV) .data
