# Two commands on a fresh machine: `make reproduce` and `make test`.
# Both create (or reuse) .venv and install the pinned dependencies first.

VENV := .venv
BIN := $(VENV)/bin
INSTALLED := $(VENV)/.specgroups-installed
# One BLAS/OpenMP thread per process: two threads made GPAW 4-7x slower on 2 cores.
export OPENBLAS_NUM_THREADS := 1
export OMP_NUM_THREADS := 1
export MKL_NUM_THREADS := 1
export DVC_NO_ANALYTICS := 1
# dvc.yaml commands call `python`: the one in .venv
export PATH := $(abspath $(BIN)):$(PATH)

.PHONY: setup reproduce test firstprinciples

setup: $(INSTALLED)

$(INSTALLED): pyproject.toml tools/install.sh tools/gpaw_siteconfig.py
	bash tools/install.sh
	touch $@

## Run the default profile (embedded data, CPU): dataset -> ... -> report
reproduce: setup
	$(BIN)/dvc repro

## Run the test suite
test: setup
	$(BIN)/python -m pytest

## Regenerate the embedded first-principles data with GPAW (hours; resumable)
##   (its stages are frozen so that `dvc repro` of the default profile never starts them)
firstprinciples: setup
	$(BIN)/dvc unfreeze profiles/firstprinciples/dvc.yaml:select profiles/firstprinciples/dvc.yaml:spectra
	$(BIN)/dvc repro profiles/firstprinciples/dvc.yaml; status=$$?; \
	$(BIN)/dvc freeze profiles/firstprinciples/dvc.yaml:select profiles/firstprinciples/dvc.yaml:spectra; \
	exit $$status
