# Two commands for a fresh machine:  make demo   and   make test
# Each creates the virtual environment (.venv) when it is missing or pyproject.toml changed.

PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
PORT ?= 5000
DATA_DIR ?= ./renkei-data

.PHONY: demo test lint format clean

$(BIN)/.installed: pyproject.toml
	$(PYTHON) -c 'import sys; sys.exit("Renkei needs Python 3.11+" if sys.version_info < (3, 11) else 0)'
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[test]'
	touch $@

demo: $(BIN)/.installed  ## Load the demo catalog (once) and serve it on http://127.0.0.1:$(PORT)/
	$(BIN)/renkei demo --port $(PORT) --data-dir $(DATA_DIR)

test: $(BIN)/.installed  ## Lint, then run the whole test suite
	$(BIN)/ruff check src tests
	$(BIN)/ruff format --check src tests
	$(BIN)/python -m pytest -q

format: $(BIN)/.installed
	$(BIN)/ruff format src tests
	$(BIN)/ruff check --fix src tests

clean:
	rm -rf $(VENV) renkei-data .pytest_cache .ruff_cache
