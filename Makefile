# Two commands on a fresh clone: `make run` opens the app, `make test` runs the tests.
# Each first sets up what is missing and nothing more on later uses: `make run` the
# virtual environment with what running needs (the CPU build of torch 2.13.0 among
# it); `make test` adds the test extras (pytest, hypothesis, Anki's backend...) and
# Debian's faketime, PostgreSQL and Chromium. Arguments go through ARGS:
# `make run ARGS="--home /tmp/h"`, `make test ARGS="tests/decks -x"`.
PYTHON ?= python3
VENV := .venv
RUN_READY := $(VENV)/.ready-run
READY := $(VENV)/.ready
ARGS ?=

.PHONY: run test test-tools

run: $(RUN_READY)
	@$(VENV)/bin/studydl $(ARGS)

test: $(READY) test-tools
	$(VENV)/bin/pytest -n 2 --dist worksteal $(ARGS)

# What running needs: made once, remade only when the project's requirements change.
# constraints.txt pins torch to the CPU build, so pip never pulls CUDA packages.
$(RUN_READY): pyproject.toml constraints.txt
	@echo "First run: setting up $(VENV) with what studydl needs to run (torch's CPU build,"
	@echo "textual, SQLAlchemy, fsrs...): 1 to 5 minutes, torch being most of it."
	@test -x $(VENV)/bin/python || $(PYTHON) -m venv $(VENV)
	@$(VENV)/bin/pip install --quiet -c constraints.txt -e .
	@touch $@
	@echo "Set up: $(VENV)/bin/studydl is the command from now on."

# The tests' extras on top (pytest, hypothesis, ruff, Anki's own backend for parity tests).
$(READY): $(RUN_READY)
	@echo "Adding the test extras to $(VENV) (pytest, hypothesis, anki...)."
	@$(VENV)/bin/pip install --quiet -c constraints.txt -e ".[dev]"
	@touch $@

test-tools:
	@scripts/test-tools
