# wres-workbook: two commands do everything on a fresh clone.
#   make report   set up, then produce the reports from the shipped sample data
#   make test     set up, then run the whole test suite (ruff and mypy included)

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
	$(BIN)/python -m pip install --quiet --no-deps --require-hashes -r requirements.lock
	$(BIN)/python -m pip install --quiet --no-deps --no-build-isolation -e .
	$(BIN)/python -m ipykernel install --sys-prefix --name wres --display-name "Python (wres)" >/dev/null
	touch $(STAMP)

report: install browser
	$(BIN)/wres run --pdf --output outputs

# Debian's Chromium (driven by Playwright: page checks, axe-core, PDFs) and poppler-utils
# (pdftotext, pdfinfo: the PDF tests read the data packs back).
browser:
	@{ command -v chromium && command -v pdftotext; } >/dev/null 2>&1 || { \
	  SUDO=$$( [ "$$(id -u)" = 0 ] || echo sudo ); \
	  $$SUDO apt-get update -qq && \
	  $$SUDO env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends \
	    chromium poppler-utils >/dev/null; }

lint: install
	$(BIN)/ruff check wres tests bench
	$(BIN)/mypy

# pytest-xdist workers: two for a 2-core machine (TEST_WORKERS=0: one process, no xdist).
TEST_WORKERS ?= 2

test: install browser lint
	$(BIN)/python -m pytest -q -n $(TEST_WORKERS)

lab: install
	$(BIN)/jupyter lab --notebook-dir=.

bench: install
	$(BIN)/python bench/bench_stats.py
	$(BIN)/python bench/bench_batch.py
	$(BIN)/python bench/bench_latency.py

lock:
	rm -rf /tmp/wres-lock && $(PYTHON) -m venv /tmp/wres-lock
	/tmp/wres-lock/bin/python -m pip install --quiet 'pip==26.3' 'pip-tools==7.6.2'
	work=$$(mktemp -d) && cp pyproject.toml requirements.lock $$work/ && \
	printf '%s\n' setuptools wheel > $$work/build.in && \
	( cd $$work && env -u PIP_FIND_LINKS PIP_CONFIG_FILE=/dev/null /tmp/wres-lock/bin/pip-compile \
	    --quiet --index-url https://pypi.org/simple --no-emit-index-url --no-emit-find-links \
	    --generate-hashes --allow-unsafe --all-extras --strip-extras --no-header \
	    $${UPGRADE:+--upgrade} --output-file requirements.lock pyproject.toml build.in ) && \
	{ echo "# Exact versions with sha256 hashes for every machine; regenerate with 'make lock'"; \
	  echo "# (UPGRADE=1 make lock moves to the newest releases). Installed with"; \
	  echo "# pip install --require-hashes --no-deps -r requirements.lock (make install)."; \
	  echo "# Resolved by pip-compile against PyPI from pyproject.toml (all extras) plus"; \
	  echo "# setuptools and wheel, for Python 3.11."; \
	  cat $$work/requirements.lock; } > requirements.lock && rm -rf $$work

clean:
	rm -rf $(VENV) outputs/*/ outputs/*.csv outputs/*.html outputs/*.json
