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

.PHONY: setup reproduce test test-fast pull check-repro firstprinciples deps status plots exp-show docs

setup: $(INSTALLED)

$(INSTALLED): pyproject.toml tools/install.sh tools/gpaw_siteconfig.py tools/plots/package-lock.json tools/plots_template.py
	bash tools/install.sh
	touch $@

## Run the default profile (embedded data, CPU): dataset -> ... -> report
reproduce: setup
	$(BIN)/dvc repro dvc.yaml

## dvc plots show: dvc_plots/index.html, which draws offline (vega inline: tools/plots_template.py)
plots: setup
	$(BIN)/dvc plots show

## dvc exp show: the changed params and headline metrics of every experiment, without the dependencies' hashes
exp-show: setup
	$(BIN)/dvc exp show --only-changed --md --no-pager --hide-workspace --drop '^(data|figures|models|results|specgroups|stages)/'

## Run the test suite (what CI runs): one pytest worker per core (pytest-xdist). The small pipeline that several
## test files share is built once per run (a file lock in the run's temporary folder) and copied per worker
test: setup
	$(BIN)/ruff format --check specgroups stages tools tests benchmarks
	$(BIN)/ruff check specgroups stages tools tests benchmarks
	$(BIN)/python -m pytest -n auto

## The docs site, offline: the README's results block and docs/generated/ from results/ and benchmarks/, then
## site/ (mkdocs build --strict: a broken link or reference fails)
docs: setup
	$(BIN)/python tools/docs.py
	$(BIN)/mkdocs build --strict

## The tests not marked slow: a developer's quick check (CI runs them all, `make test`)
test-fast: setup
	$(BIN)/python -m pytest -n auto -m "not slow"

## From a clean clone of this commit: dvc repro --force twice, identical clusters and metrics
check-repro: setup
	$(BIN)/python tools/check_repro.py

## Regenerate every profile's dvc.yaml from the one pipeline definition (tools/pipeline.py), then the
## first-principles profile's code deps: each stage's script and the project files it imports
deps: setup
	$(BIN)/python tools/pipeline.py
	$(BIN)/python tools/stage_deps.py

## dvc status of every profile, offline (the imports data.dvc and model.dvc are not checked for updates)
status: setup
	$(BIN)/dvc status --no-updates

## dvc pull with a time limit and a clear message for corrupted remote objects (ARGS: dvc pull arguments)
pull: setup
	$(BIN)/python tools/pull.py $(ARGS)

## Regenerate the embedded first-principles data with GPAW (hours; resumable)
##   Its stages are frozen so that `dvc repro` of the default profile never starts them; while
##   frozen, DVC records their current outputs in the lock as if they had run, hence --force here:
##   the runner itself skips every material whose result exists, so forcing recomputes nothing.
FIRSTPRINCIPLES_STAGES := $(addprefix profiles/firstprinciples/dvc.yaml:,select spectra gaps convergence localisation cell_shapes validate)
firstprinciples: setup
	$(BIN)/dvc unfreeze $(FIRSTPRINCIPLES_STAGES)
	$(BIN)/dvc repro --force profiles/firstprinciples/dvc.yaml; status=$$?; \
	$(BIN)/dvc freeze $(FIRSTPRINCIPLES_STAGES); \
	exit $$status
