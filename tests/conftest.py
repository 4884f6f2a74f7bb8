"""Hypothesis profiles (the same examples on every CI run, no deadlines), and one report run.

CI sets the environment variable ``CI``; there the ``ci`` profile derandomises
hypothesis (a failure seen once is seen on every run, and in the log with the
blob that reproduces it). Elsewhere examples stay random. Tests that give their
own ``@settings`` keep them (``max_examples`` in particular); the profile fills
in the rest.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
import yaml
from hypothesis import settings

settings.register_profile("default", deadline=None)
settings.register_profile("ci", derandomize=True, deadline=None, print_blob=True)
settings.load_profile("ci" if os.environ.get("CI") else "default")


# --- one report run shared by the tests that read pages ----------------------------------------

ROOT = Path(__file__).resolve().parents[1]
#: Two sample authorities of one region: Ashbourne Vale's 2023 disciplinary figure is withheld.
REPORT_AUTHORITIES = ("ashbourne-vale", "cindermoor")
REPORT_YEAR = 2024


@pytest.fixture(scope="session")
def report_run(tmp_path_factory) -> Path:
    """`wres run` over `REPORT_AUTHORITIES` for `REPORT_YEAR`: every notebook, both pages,
    the national view and the index, made once per test session for every test that reads
    pages (browser, accessibility, layout, PDF).
    """
    root = tmp_path_factory.mktemp("report")
    params = root / "params"
    params.mkdir()
    for slug in REPORT_AUTHORITIES:
        body = yaml.safe_load((ROOT / "params" / f"{slug}.yaml").read_text())
        body["data"] = str(ROOT / "data" / "sample" / f"{slug}.csv")
        (params / f"{slug}.yaml").write_text(yaml.safe_dump(body))
    output = root / "outputs"
    wres = Path(sys.executable).parent / "wres"
    done = subprocess.run([str(wres), "run", "--params", str(params), "--output", str(output),
                           "--year", str(REPORT_YEAR), "--jobs", "2", "--quiet", "--pdf"],
                          capture_output=True, text=True, timeout=900)
    assert done.returncode == 0, done.stdout + done.stderr
    return output
