"""Hypothesis profiles (the same examples on every CI run, no deadlines), and one report run.

``make test`` runs the suite on two pytest-xdist workers, a test file at a time
(``--dist loadfile``), so a module's fixtures run once; the report run below is
made once for the whole session, whichever worker asks first, and shared.

CI sets the environment variable ``CI``; there the ``ci`` profile derandomises
hypothesis (a failure seen once is seen on every run, and in the log with the
blob that reproduces it). Elsewhere examples stay random. Tests that give their
own ``@settings`` keep them (``max_examples`` in particular); the profile fills
in the rest.
"""

from __future__ import annotations

import fcntl
import os
import subprocess
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
import yaml
from hypothesis import settings

settings.register_profile("default", deadline=None)
settings.register_profile("ci", derandomize=True, deadline=None, print_blob=True)
settings.load_profile("ci" if os.environ.get("CI") else "default")


# --- the longest test files first on parallel workers ------------------------------------------

#: The test files that take longest, longest first (seconds of one suite on two workers, in
#: README's table). A worker takes a whole file at a time; starting these first leaves only
#: short files for the end, so neither worker is left running a long one alone.
SLOWEST_FILES = ("test_runner.py", "test_accessibility.py", "test_attack.py",
                 "test_national.py", "test_install.py", "test_kernels.py",
                 "test_disclosure.py", "test_params.py")


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """Under pytest-xdist, put `SLOWEST_FILES` first; other files keep their order."""
    if os.environ.get("PYTEST_XDIST_WORKER"):
        rank = {name: place for place, name in enumerate(SLOWEST_FILES)}
        items.sort(key=lambda item: rank.get(item.path.name, len(rank)))  # stable


# --- one report run shared by the tests that read pages ----------------------------------------

ROOT = Path(__file__).resolve().parents[1]
#: Two sample authorities of one region: Ashbourne Vale's 2023 disciplinary figure is withheld.
REPORT_AUTHORITIES = ("ashbourne-vale", "cindermoor")
REPORT_YEAR = 2024


@contextmanager
def _only_one_worker(lock: Path) -> Iterator[None]:
    """Hold an exclusive lock on ``lock`` (other pytest-xdist workers wait for it)."""
    with open(lock, "a") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)  # released when the file is closed
        yield


def _report(root: Path) -> tuple[Path, str]:
    """Run `wres run` into ``root``: the output folder, and the failure ("" when it ran)."""
    params = root / "params"
    params.mkdir(exist_ok=True)
    for slug in REPORT_AUTHORITIES:
        body = yaml.safe_load((ROOT / "params" / f"{slug}.yaml").read_text())
        body["data"] = str(ROOT / "data" / "sample" / f"{slug}.csv")
        (params / f"{slug}.yaml").write_text(yaml.safe_dump(body))
    output = root / "outputs"
    wres = Path(sys.executable).parent / "wres"
    try:
        done = subprocess.run([str(wres), "run", "--params", str(params), "--output",
                               str(output), "--year", str(REPORT_YEAR), "--jobs", "2", "--quiet",
                               "--pdf"], capture_output=True, text=True, timeout=900)
    except subprocess.TimeoutExpired as error:
        return output, str(error)
    failure = "" if done.returncode == 0 else f"{done.returncode}\n{done.stdout}{done.stderr}"
    return output, failure


@pytest.fixture(scope="session")
def report_run(tmp_path_factory) -> Path:
    """`wres run` over `REPORT_AUTHORITIES` for `REPORT_YEAR`: every notebook, both pages,
    the national view and the index, made once per test session for every test that reads
    pages (browser, accessibility, layout, PDF).

    Under pytest-xdist the first worker to ask makes it in the folder all workers share
    and the others wait for it, then read the same outputs (or the same failure).
    """
    if not os.environ.get("PYTEST_XDIST_WORKER"):
        output, failure = _report(tmp_path_factory.mktemp("report"))
        assert not failure, failure
        return output
    shared = tmp_path_factory.getbasetemp().parent  # this session's, above each worker's
    root = shared / "report"
    with _only_one_worker(shared / "report.lock"):
        outcome = root / "outcome.txt"
        if not outcome.is_file():
            root.mkdir(exist_ok=True)
            output, failure = _report(root)
            outcome.write_text(failure)
        output, failure = root / "outputs", outcome.read_text()
    assert not failure, failure
    return output
