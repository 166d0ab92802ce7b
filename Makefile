# Ledenstem: `make run` serves the demo, `make test` runs the whole suite.
# Both install into .venv from requirements.lock first (Python >= 3.12 is found by
# scripts/find-python; set PYTHON=/path/to/python3.12 to choose one yourself).

SHELL := /bin/bash
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-$(shell cat requirements.lock pyproject.toml | sha256sum | cut -c1-16)
HOST ?= 127.0.0.1
PORT ?= 8000

.PHONY: run test install lint format migrate demo prod-shape clean

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
