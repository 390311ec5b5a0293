# Relève: the two commands a new user needs are `make run` and `make test`.
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
HOST ?= 127.0.0.1
PORT ?= 5000

.PHONY: run test bench check lint covered clean

$(STAMP): requirements.txt requirements-dev.txt
	@$(PYTHON) -c 'import sys; sys.exit(sys.version_info < (3, 11))' || \
		{ echo "Relève needs Python 3.11 or newer; found $$($(PYTHON) --version)"; exit 1; }
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -r requirements-dev.txt
	touch $(STAMP)

# Starts the web app on the bundled example configuration (config/example/releve.yaml unless
# RELEVE_CONFIG says otherwise). Without Twilio or SMTP credentials nothing leaves the machine.
run: $(STAMP)
	$(BIN)/flask --app app config check || true
	$(BIN)/flask --app app run --host $(HOST) --port $(PORT)

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
