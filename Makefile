# lprkit course: `make demo` and `make test` do everything on a fresh Debian/Ubuntu machine.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.lprkit-installed
export TF_CPP_MIN_LOG_LEVEL ?= 3
export MPLBACKEND ?= Agg

.PHONY: setup system-deps demo test lab lint notebooks clean assignments grade-solutions

## setup: system packages (if allowed), .venv, and the package with dev extras; quick when done
setup: system-deps $(STAMP)

system-deps:
	@bash scripts/install_system_deps.sh binder/apt.txt

# Re-install only when the package metadata changed.
$(STAMP): pyproject.toml requirements.txt
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install -q --disable-pip-version-check --upgrade pip
	$(BIN)/python -m pip install -q --disable-pip-version-check -e ".[dev,course,onnx]"
	@touch $@

## demo: the course's end result on sample images
demo: setup
	$(BIN)/lprkit demo

## test: pytest for the package and nbval of every notebook, in the smoke profile
test: setup
	LPRKIT_PROFILE=smoke $(BIN)/python -m pytest --nbval-lax --nbval-sanitize-with tests/sanitize.cfg

## lab: JupyterLab on the notebooks
lab: setup
	$(BIN)/jupyter lab notebooks/

## notebooks: re-execute every notebook in the course profile and store clean outputs
## (without the Agg backend exported above: the stored notebooks keep their inline figures)
notebooks: setup
	for nb in notebooks/*.ipynb; do \
	  env -u MPLBACKEND LPRKIT_PROFILE=course $(BIN)/jupyter nbconvert --to notebook --execute --inplace \
	    --ExecutePreprocessor.timeout=1800 "$$nb" || exit 1; done
	$(BIN)/python scripts/clean_notebooks.py

## assignments: build every autograded assignment into assignments/dist/<name>/ (otter assign)
assignments: setup
	$(BIN)/python scripts/assignments.py build

## grade-solutions: grade every solution and untouched student notebook (smoke profile, as CI)
grade-solutions: assignments
	LPRKIT_PROFILE=$${LPRKIT_PROFILE:-smoke} $(BIN)/python scripts/assignments.py grade

lint: setup
	$(BIN)/ruff check lprkit tests benchmarks

clean:
	rm -rf $(VENV) .pytest_cache .ruff_cache build *.egg-info
