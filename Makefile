# Ledenstem: `make run` serves the demo, `make test` runs the whole suite except the fault
# tests, which `make test-faults` runs (tests/faults, ~1-2 min). They install into .venv from
# requirements.lock first (Python >= 3.12 is found by scripts/find-python; set
# PYTHON=/path/to/python3.12 to choose one yourself).

SHELL := /bin/bash
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-$(shell cat requirements.lock pyproject.toml | sha256sum | cut -c1-16)
HOST ?= 127.0.0.1
PORT ?= 8000
# Where members reach `make run`: every link in its emails and signed documents (the demo's
# too) is made from it. Set it yourself when HOST is 0.0.0.0 or a proxy is in front.
SITE_URL ?= http://$(HOST):$(PORT)

.PHONY: run test test-faults install lint format migrate demo prod-shape serve-prod bench bench-quick clean

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
	SITE_URL=$(SITE_URL) $(BIN)/python manage.py migrate --noinput

demo: migrate
	SITE_URL=$(SITE_URL) $(BIN)/python manage.py demo

# The embedded default: SQLite in var/, in-memory channel layer, mail on the console, one
# ASGI process serving HTTP and WebSockets, and the background worker beside it. DEBUG off
# (the site's own error pages); DEBUG=1 make run shows Django's debug pages instead.
run: demo
	HOST=$(HOST) PORT=$(PORT) SITE_URL=$(SITE_URL) scripts/run-dev

# The production shape, natively: nginx in front of gunicorn (HTTP) and uvicorn (WebSockets),
# plus the background worker, against PostgreSQL and Redis (see platform/README.md):
#   DATABASE_URL=postgres://... REDIS_URL=redis://... make serve-prod
serve-prod: install
	scripts/serve-prod

# The bench (bench/README.md): starts the production shape itself (scripts/serve-prod) with a
# throwaway PostgreSQL database and Redis database; PostgreSQL and Redis from DATABASE_URL and
# REDIS_URL, else 127.0.0.1:5432 (user postgres) and 127.0.0.1:6379. bench-quick: small numbers,
# under 5 minutes, exits non-zero if a correctness check fails. bench: the full run (~1 hour).
bench-quick: install
	$(BIN)/python -m bench run --scenario all --quick

bench: install
	$(BIN)/python -m bench run --scenario all

# axe-core for the accessibility browser tests, pinned in tests/e2e/axe/package-lock.json.
# Without npm the tests skip locally (and fail in CI: LEDENSTEM_STRICT_SKIPS=1).
AXE_JS := tests/e2e/axe/node_modules/axe-core/axe.min.js
$(AXE_JS): tests/e2e/axe/package.json tests/e2e/axe/package-lock.json
	@if command -v npm >/dev/null; then \
		npm ci --prefix tests/e2e/axe --ignore-scripts --no-audit --no-fund --loglevel=error && touch $@; \
	else echo "npm not found: the accessibility tests cannot run (apt-get install npm)"; fi

test: install $(AXE_JS)
	$(BIN)/python -m pytest $(PYTEST_ARGS)

# Fault tests (tests/faults, ~1-2 min; `make test` leaves them out): the production shape on a
# private PostgreSQL cluster and Redis server (own ports, temp dirs), a vote burst with live
# watchers, and a uvicorn worker, a gunicorn worker, Redis and PostgreSQL killed or restarted
# in the middle. Needs PostgreSQL's server package, redis-server and nginx; not DATABASE_URL or
# REDIS_URL (unset here: the test process itself runs on the embedded default). What every
# client saw: var/faults/latest.json.
test-faults: install
	env -u DATABASE_URL -u REDIS_URL $(BIN)/python -m pytest -m faults -v -s tests/faults $(PYTEST_ARGS)

lint: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

format: install
	$(BIN)/ruff format .
	$(BIN)/ruff check --fix .

clean:
	rm -rf $(VENV) var staticfiles .pytest_cache .ruff_cache tests/e2e/axe/node_modules
