# The two commands of the README: `make demo` and `make test`.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin

.PHONY: setup demo demo-headless test test-fast lint bench clean system-deps demo-deps

$(BIN)/qms: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install -q --upgrade pip
	$(BIN)/pip install -q -e '.[dev]'
	touch $@

setup: $(BIN)/qms

system-deps:
	bash scripts/install-system-deps.sh

demo-deps:
	bash scripts/install-system-deps.sh --demo

## Run the whole hall on embedded defaults (SQLite, embedded broker, virtual printer).
demo: setup demo-deps
	$(BIN)/qms demo

demo-headless: setup
	$(BIN)/qms demo --headless

## Set up and pass the whole suite: lint, types, import contracts, tests.
test: setup system-deps lint
	QT_QPA_PLATFORM=offscreen $(BIN)/pytest -q

test-fast: setup
	QT_QPA_PLATFORM=offscreen $(BIN)/pytest -q -m "not postgres and not slow"

lint: setup
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy server appkit hardware kiosk counter display_board qms bench
	$(BIN)/lint-imports

bench: setup system-deps
	$(BIN)/python -m bench.run_all

clean:
	rm -rf $(VENV) var .pytest_cache .mypy_cache .ruff_cache
