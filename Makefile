# Two commands do all the set-up: `make run` and `make test` (each creates .venv when missing).
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
# `make run` installs only what running needs; `make test` adds the test extras
# (Dask, SALib, the dashboard, notebooks, Playwright, pytest-xdist).
RUN_STAMP := $(VENV)/.installed-run
STAMP := $(VENV)/.installed-test

.PHONY: run test test-fast bench compare docs validation calibration results clean

$(VENV)/bin/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

$(RUN_STAMP): pyproject.toml | $(VENV)/bin/python
	$(BIN)/python -m pip install --quiet -e .
	touch $(RUN_STAMP)

$(STAMP): pyproject.toml | $(VENV)/bin/python
	$(BIN)/python -m pip install --quiet -e ".[test]"
	touch $(RUN_STAMP) $(STAMP)

run: $(RUN_STAMP)
	$(BIN)/lde-sim run scenarios/baseline.toml

# The tests run in parallel, one pytest-xdist worker per core; each file's tests run in one worker,
# in order, as in one process (--dist loadfile in pyproject.toml: the README's examples build on each other).
test: $(STAMP)
	$(BIN)/python -m pytest -n auto

test-fast: $(STAMP)
	$(BIN)/python -m pytest -n auto -m "not slow"

bench: $(STAMP)
	$(BIN)/python benchmarks/bench_model.py --seekers 100000 --months 180
	$(BIN)/python benchmarks/bench_experiments.py --full-runs 16
	$(BIN)/python benchmarks/bench_branches.py --replications 2
	$(BIN)/python benchmarks/bench_throughput.py

# A change's speed, old code against new side by side: `make compare BASE=main` (the work tree against main).
compare: $(STAMP)
	@test -n "$(BASE)" || { echo "make compare needs BASE, a git revision to compare the work tree with: make compare BASE=main"; exit 2; }
	$(BIN)/python benchmarks/bench_compare.py $(BASE)

docs: $(STAMP)
	$(BIN)/python -c "from simulation.rules.parameter_docs import parameter_reference as r; print(r(), end='')" > docs/parameters.md
	$(BIN)/python -m simulation.outputs.calibration_page docs/calibration.md calibration
	$(BIN)/python -m simulation.outputs.result_tables

validation: $(STAMP)
	$(BIN)/python -m simulation.calibration.validation docs/figures
	$(BIN)/python -m simulation.outputs.result_tables record docs/figures
	$(BIN)/python -m simulation.outputs.result_tables

calibration: $(RUN_STAMP)
	$(BIN)/lde-sim calibrate calibration/targets.toml --jobs 2
	cp calibration/diagnostics.png docs/figures/calibration.png
	$(BIN)/python -m simulation.outputs.calibration_page docs/calibration.md calibration
	$(BIN)/python -m simulation.outputs.result_tables record calibration
	$(BIN)/python -m simulation.outputs.result_tables

# The README's tables of results (the default point, the history, the 2018 branches, the 2026 options, the
# enterprises year by year, and after make calibration the 2026-2036 outlook across the shipped ensemble): runs
# the commands the README shows, writes results/ and the tables.
results: $(RUN_STAMP)
	$(BIN)/python -m simulation.outputs.result_tables results

clean:
	rm -rf $(VENV) runs .pytest_cache
