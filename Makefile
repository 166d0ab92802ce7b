# Ledenstem: `make run` serves the demo, `make test` runs the whole suite.
# Both install into .venv from requirements.lock first (Python >= 3.12 is found by
# scripts/find-python; set PYTHON=/path/to/python3.12 to choose one yourself).

SHELL := /bin/bash
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-$(shell cat requirements.lock pyproject.toml | sha256sum | cut -c1-16)
HOST ?= 127.0.0.1
PORT ?= 8000

.PHONY: run test install lint format migrate demo prod-shape serve-prod bench bench-quick clean

$(STAMP): requirements.lock pyproject.toml
	@py="$$(scripts/find-python)" || exit 1; \
	if [ ! -x $(BIN)/python ] || ! $(BIN)/python -c 'import sys; sys.exit(sys.version_info < (3, 12))'; then \
		rm -rf $(VENV); echo "Creating $(VENV) with $$py"; "$$py" -m venv $(VENV) || exit 1; \
	fi
	$(BIN)/python -m pip install --quiet --disable-pip-version-check uv==0.13.9
	$(BIN)/uv pip sync --quiet --python $(BIN)/python requirements.lock
	rm -f $(VENV)/.installed-*; touch $(STAMP)

install: $(STAMP)

migrate: install
	$(BIN)/python manage.py migrate --noinput

demo: migrate
	$(BIN)/python manage.py demo

# The embedded default: SQLite in var/, in-memory channel layer, mail on the console, one
# ASGI process serving HTTP and WebSockets, and the background worker beside it.
run: demo
	DEBUG=$${DEBUG:-1} HOST=$(HOST) PORT=$(PORT) scripts/run-dev

# The production shape, natively: nginx in front of gunicorn (HTTP) and uvicorn (WebSockets),
# plus the background worker, against PostgreSQL and Redis (see platform/README.md):
#   DATABASE_URL=postgres://... REDIS_URL=redis://... make serve-prod
serve-prod: install
	scripts/serve-prod

# The bench (bench/README.md): starts the production shape itself (scripts/serve-prod) with a
# throwaway PostgreSQL database and Redis database; PostgreSQL and Redis from DATABASE_URL and
# REDIS_URL, else 127.0.0.1:5432 (user postgres) and 127.0.0.1:6379. bench-quick: small numbers,
# under 5 minutes, exits non-zero if a correctness check fails. bench: the full run (~30 min).
bench-quick: install
	$(BIN)/python -m bench run --scenario all --quick

bench: install
	$(BIN)/python -m bench run --scenario all

test: install
	$(BIN)/python -m pytest $(PYTEST_ARGS)

lint: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

format: install
	$(BIN)/ruff format .
	$(BIN)/ruff check --fix .

clean:
	rm -rf $(VENV) var staticfiles .pytest_cache .ruff_cache
