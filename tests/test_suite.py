"""The test suite's own set-up: two pytest-xdist workers, and one report run between them."""

from __future__ import annotations

import re
import shlex
import threading
import time
import tomllib
from pathlib import Path

from conftest import SLOWEST_FILES, _only_one_worker

ROOT = Path(__file__).resolve().parents[1]


def test_make_test_runs_two_workers_a_file_at_a_time() -> None:
    makefile = (ROOT / "Makefile").read_text()
    assert re.search(r"^TEST_WORKERS \?= 2$", makefile, flags=re.M)
    recipe = makefile.split("\ntest:", 1)[1].split("\n\n", 1)[0]
    assert "-m pytest -q -n $(TEST_WORKERS)" in recipe
    options = tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["pytest"][
        "ini_options"]["addopts"]
    words = shlex.split(options)
    assert words[words.index("--dist") + 1] == "loadfile"  # a module's fixtures run once
    assert "--no-loadscope-reorder" in words  # conftest's order, not the number of tests


def test_the_slowest_files_named_first_are_test_files_of_this_suite() -> None:
    files = {path.name for path in (ROOT / "tests").glob("test_*.py")}
    assert set(SLOWEST_FILES) <= files
    assert len(set(SLOWEST_FILES)) == len(SLOWEST_FILES)


def test_a_second_worker_waits_while_the_first_holds_the_report_lock(tmp_path: Path) -> None:
    lock = tmp_path / "report.lock"
    order: list[str] = []
    holding = threading.Event()

    def first() -> None:
        with _only_one_worker(lock):
            holding.set()
            time.sleep(0.3)
            order.append("first done")

    def second() -> None:
        holding.wait()
        with _only_one_worker(lock):
            order.append("second in")

    threads = [threading.Thread(target=first), threading.Thread(target=second)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=10)
    assert order == ["first done", "second in"]
