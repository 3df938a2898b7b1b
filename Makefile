# Everyday commands. `make run` and `make test` work on a fresh machine with Python 3.11.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
RUN_LOCK := requirements/run.txt
TEST_LOCK := requirements/test.txt

.PHONY: run test test-browser browser-deps lint fmt messages bench bench-pages bench-transfer \
	bench-stats load faults bench-import-page setup lock lock-upgrade audit audit-only clean

# Browser tests drive Debian's chromium (never a browser downloaded by Playwright) and check
# accessibility with axe-core from npm, kept outside git in .cache/node.
CHROMIUM := /usr/bin/chromium
AXE_VERSION := 4.14.1
AXE := .cache/node/node_modules/axe-core/axe.min.js

# Dependencies come from the lock files only (README "Dependencies"): every file pip fetches
# is checked against its hash, and the project itself is built by the locked hatchling without
# fetching anything else. `make run` installs what running needs; the test tools stay with
# `make test` (and `make setup`, for lint, messages and the benchmarks).
$(BIN)/python:
	$(PYTHON) -m venv $(VENV)

$(VENV)/.installed-run: $(RUN_LOCK) pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet --require-hashes -r $(RUN_LOCK)
	$(BIN)/python -m pip install --quiet --no-deps --no-build-isolation -e .
	touch $@

$(VENV)/.installed-test: $(TEST_LOCK) pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet --require-hashes -r $(TEST_LOCK)
	$(BIN)/python -m pip install --quiet --no-deps --no-build-isolation -e .
	touch $@

setup: $(VENV)/.installed-test

run: $(VENV)/.installed-run
	$(BIN)/registry init
	$(BIN)/registry seed
	$(BIN)/registry serve --host 127.0.0.1 --port 5000

# Refresh the lock files: `make lock` after changing pyproject.toml (other pins kept),
# `make lock-upgrade` to take the newest releases. pip-tools resolves the test set first, then
# the running set within it, so both files name the same versions.
PIP_COMPILE = $(BIN)/pip-compile --quiet --generate-hashes --allow-unsafe --strip-extras \
	--all-build-deps --no-emit-index-url --no-emit-find-links $(UPGRADE)
lock: | $(BIN)/python
	$(BIN)/python -m pip install --quiet pip-tools
	$(PIP_COMPILE) --extra test --extra bench -o $(TEST_LOCK) pyproject.toml
	$(PIP_COMPILE) -c $(TEST_LOCK) -o $(RUN_LOCK) pyproject.toml

lock-upgrade:
	$(MAKE) lock UPGRADE=--upgrade

# Known vulnerabilities in every locked version, from PyPI's advisory data through pip-audit.
# It needs the network: --strict makes a package the service cannot answer for a failure, so
# the target never passes without having asked about every one.
AUDIT_SERVICE ?= pypi
audit: setup audit-only
audit-only:
	$(BIN)/pip-audit --strict --disable-pip --no-deps --vulnerability-service $(AUDIT_SERVICE) \
	  -r $(RUN_LOCK) -r $(TEST_LOCK) || { echo "audit: FAILED: vulnerabilities found, or \
	the service could not be reached or could not answer for a package (see above)" >&2; exit 1; }

# The suite spreads over worker processes (pytest-xdist): each has its own SQLite template,
# PostgreSQL template database and browser. Three on two cores keeps both busy while one waits
# on a subprocess, the database or chromium; worksteal evens out the few minute-long tests.
TEST_WORKERS ?= 3
test: setup lint browser-deps
	$(BIN)/python -m pytest --numprocesses $(TEST_WORKERS) --dist worksteal

test-browser: setup browser-deps
	$(BIN)/python -m pytest -m browser

# Installs what the browser tests need where it is missing; without it they skip and say why.
browser-deps:
	@if [ ! -x $(CHROMIUM) ]; then \
	  if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null; then \
	    (apt-get update -q && DEBIAN_FRONTEND=noninteractive apt-get install -y -q chromium) \
	      || echo "browser-deps: could not install chromium; browser tests will skip" >&2; \
	  else \
	    echo "browser-deps: $(CHROMIUM) is missing (apt-get install chromium, as root); browser tests will skip" >&2; \
	  fi; \
	fi
	@if [ ! -f $(AXE) ]; then \
	  if command -v npm >/dev/null; then \
	    npm install --prefix .cache/node --no-audit --no-fund axe-core@$(AXE_VERSION) \
	      || echo "browser-deps: could not install axe-core; the accessibility check will skip" >&2; \
	  else \
	    echo "browser-deps: npm is missing; the accessibility check will skip" >&2; \
	  fi; \
	fi

lint: setup
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

fmt: setup
	$(BIN)/ruff format .
	$(BIN)/ruff check --fix .

# Translations (README, "Translations"): collect the strings of the code and templates into
# translations/messages.pot, add the new ones to each language's messages.po (to be
# translated there), and compile the .mo files the app reads. tests/test_i18n.py uses the same
# keywords and fails while a catalogue is behind the code or a string lacks a translation.
MESSAGE_KEYWORDS := -k _l -k lazy_gettext -k msg
messages: setup
	$(BIN)/pybabel extract -F babel.cfg $(MESSAGE_KEYWORDS) --add-location=file --sort-output \
	  --project="Coproduction Registry" --version=0.1 --copyright-holder="Coproduction Registry" \
	  -o translations/messages.pot .
	$(BIN)/pybabel update -i translations/messages.pot -d translations --ignore-obsolete \
	  --ignore-pot-creation-date
	$(BIN)/pybabel compile -d translations --statistics

bench: setup
	$(BIN)/python -m bench.search --size 10000 --size 100000

bench-pages: setup
	$(BIN)/python -m bench.pages

bench-transfer: setup
	$(BIN)/python -m bench.transfer

bench-stats: setup
	$(BIN)/python -m bench.stats --n 10000 --n 100000

# 50 clients for 60 s on gunicorn, SQLite then PostgreSQL; fails on any 5xx or lost write.
load: setup
	$(BIN)/python -m bench.load --db both --clients 50 --seconds 60

# Worker kills, read-only and deleted index, PostgreSQL restart (root), two servers; the
# slow-clients scenario runs on its own: python -m bench.faults --scenario slow-clients
faults: setup
	$(BIN)/python -m bench.faults --scenario all

bench-import-page: setup
	$(BIN)/python -m bench.import_page

clean:
	rm -rf $(VENV) instance .pytest_cache .cache test-artifacts
