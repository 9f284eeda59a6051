# Two commands on a fresh clone: `make run` opens the app, `make test` runs the tests.
# Each first sets up what is missing (the virtual environment with the CPU build of
# torch 2.13.0; for the tests, Debian's faketime and PostgreSQL) and nothing more on
# later uses. Arguments go through ARGS: `make run ARGS="--home /tmp/h"`,
# `make test ARGS="tests/decks -x"`.
PYTHON ?= python3
VENV := .venv
READY := $(VENV)/.ready
ARGS ?=

.PHONY: run test test-tools

run: $(READY)
	@$(VENV)/bin/studydl $(ARGS)

test: $(READY) test-tools
	$(VENV)/bin/pytest -n 2 $(ARGS)

# The environment: made once, remade only when the project's requirements change.
# constraints.txt pins torch to the CPU build, so pip never pulls CUDA packages.
$(READY): pyproject.toml constraints.txt
	@test -x $(VENV)/bin/python || $(PYTHON) -m venv $(VENV)
	$(VENV)/bin/pip install --quiet -c constraints.txt -e ".[dev]"
	@touch $@

test-tools:
	@scripts/test-tools
