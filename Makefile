# Two commands do all the set-up: `make run` and `make test` (each creates .venv when missing).
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: run test bench docs validation clean

$(STAMP): pyproject.toml
	test -d $(VENV) || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e ".[test]"
	touch $(STAMP)

run: $(STAMP)
	$(BIN)/lde-sim run scenarios/baseline.toml

test: $(STAMP)
	$(BIN)/python -m pytest

bench: $(STAMP)
	$(BIN)/python benchmarks/bench_model.py --seekers 100000 --months 180
	$(BIN)/python benchmarks/bench_experiments.py --full-runs 16

docs: $(STAMP)
	$(BIN)/python -c "from simulation.scenario import parameter_reference as r; print(r(), end='')" > docs/parameters.md

validation: $(STAMP)
	$(BIN)/python -m simulation.validation docs/figures

clean:
	rm -rf $(VENV) runs .pytest_cache
