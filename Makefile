# wres-workbook: two commands do everything on a fresh clone.
#   make report   set up, then produce the reports from the shipped sample data
#   make test     set up, then run the whole test suite (ruff included)

PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
export PIP_DISABLE_PIP_VERSION_CHECK := 1
export PYTHONDONTWRITEBYTECODE := 1

.PHONY: install report test lint lab browser lock bench clean

install: $(STAMP)

$(STAMP): requirements.lock pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --no-deps -r requirements.lock
	$(BIN)/python -m pip install --quiet --no-deps --no-build-isolation -e .
	$(BIN)/python -m ipykernel install --sys-prefix --name wres --display-name "Python (wres)" >/dev/null
	touch $(STAMP)

report: install
	$(BIN)/wres run --output outputs

browser:
	@command -v chromium >/dev/null 2>&1 || { \
	  SUDO=$$( [ "$$(id -u)" = 0 ] || echo sudo ); \
	  $$SUDO apt-get update -qq && \
	  $$SUDO env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends chromium >/dev/null; }

lint: install
	$(BIN)/ruff check wres tests bench

test: install browser lint
	$(BIN)/python -m pytest -q

lab: install
	$(BIN)/jupyter lab --notebook-dir=.

bench: install
	$(BIN)/python bench/bench_stats.py
	$(BIN)/python bench/bench_batch.py

lock:
	$(PYTHON) -m venv /tmp/wres-lock && /tmp/wres-lock/bin/pip install --quiet -e '.[dev]'
	(echo "# Exact versions for every machine; regenerate with 'make lock'."; \
	 /tmp/wres-lock/bin/pip freeze --exclude-editable | grep -v -i '^wres'; \
	 /tmp/wres-lock/bin/pip freeze --all | grep -E '^(setuptools|wheel)==') > requirements.lock

clean:
	rm -rf $(VENV) outputs/*/ outputs/*.csv outputs/*.html outputs/*.json
