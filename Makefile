# Every target sets up .venv first when it is missing or older than pyproject.toml.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed
CORPUS ?= ../shared/corpus/aeb

.PHONY: demo test lint eval bench setup clean

setup: $(STAMP)

$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	touch $(STAMP)

demo: $(STAMP)
	$(BIN)/articlewatch demo

test: $(STAMP)
	$(BIN)/python -m pytest

lint: $(STAMP)
	$(BIN)/ruff check articlewatch flows tests bench
	$(BIN)/mypy

# Real-page evaluation on the AEB corpus (read in place): make eval [CORPUS=path/to/aeb]
eval: $(STAMP)
	$(BIN)/python -m bench.eval $(CORPUS)

# Throughput benchmark on the AEB corpus: make bench [CORPUS=path/to/aeb] [SIZES=1000,5000]
SIZES ?= 1000,5000
bench: $(STAMP)
	$(BIN)/python -m bench.perf $(CORPUS) --sizes $(SIZES)

clean:
	rm -rf $(VENV) snapshots/demo .pytest_cache .mypy_cache .ruff_cache
