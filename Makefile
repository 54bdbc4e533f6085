# Chotdon: `make run` starts the app (creating the environment when needed), `make test` runs every test.
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
PORT ?= 8501
HOST ?= localhost

.PHONY: run test test-fast bench env browser clean grid-frontend

$(VENV)/.installed: requirements.txt
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -r requirements.txt
	touch $@

env: $(VENV)/.installed

# The browser tests drive Debian's chromium; install it when missing (root on Debian, as on CI).
browser:
	@test -x /usr/bin/chromium || { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null; }

run: env
	$(PY) -m core init --demo >/dev/null
	$(PY) -m ui.serve --server.port $(PORT) --server.address $(HOST) --server.headless true

test: env browser
	$(PY) -m ruff check .
	$(PY) -m pytest -q

bench: env
	$(PY) -m bench

test-fast: env
	$(PY) -m ruff check .
	$(PY) -m pytest -q tests/unit tests/integration tests/ui

# The order grid's frontend (frontend/grid/README.md): its build is in the repository; this makes it again from the
# sources with Node.js and npm (not needed to run or test the app).
grid-frontend:
	cd frontend/grid && npm ci --no-audit --no-fund && npm run build

clean:
	rm -rf $(VENV) .pytest_cache
