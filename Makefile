# Relève: the two commands a new user needs are `make run` and `make test`.
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
HOST ?= 127.0.0.1
PORT ?= 5000

.PHONY: run test bench check lint covered screenshots clean

$(STAMP): requirements.txt requirements-dev.txt
	@$(PYTHON) -c 'import sys; sys.exit(sys.version_info < (3, 11))' || \
		{ echo "Relève needs Python 3.11 or newer; found $$($(PYTHON) --version)"; exit 1; }
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -r requirements-dev.txt
	touch $(STAMP)

# Starts the web app and, beside it, the scheduler (briefings, notices, follow-up lists), on the
# bundled example configuration (config/example/releve.yaml unless RELEVE_CONFIG says otherwise).
# Without Twilio or SMTP credentials nothing leaves the machine: messages land in the local outbox.
run: $(STAMP)
	$(BIN)/flask --app app config check || true
	export RELEVE_BASE_URL=http://$(HOST):$(PORT); \
	$(BIN)/flask --app app scheduler run & scheduler=$$!; \
	trap 'kill $$scheduler 2>/dev/null' EXIT INT TERM; \
	$(BIN)/flask --app app run --host $(HOST) --port $(PORT)

# Screenshots of the pages people look at (home, briefing sheet, follow-up list), in screenshots/.
screenshots: $(STAMP)
	SCREENSHOTS=screenshots $(BIN)/python -m pytest -q -m browser tests

test: $(STAMP)
	$(BIN)/python -m pytest

bench: $(STAMP)
	$(BIN)/python -m tests.bench

check: $(STAMP)
	$(BIN)/flask --app app config check

lint: $(STAMP)
	$(BIN)/mypy
	$(BIN)/ruff check --select E4,E7,E9,F,I,UP,B calendars config coverage routing app.py

# Line coverage of the test suite, with slipcover (coverage.py is shadowed by our `coverage` package).
covered: $(STAMP)
	$(BIN)/python -m slipcover --source calendars,config,coverage,routing --missing -m pytest -q

clean:
	rm -rf $(VENV) .pytest_cache .hypothesis
