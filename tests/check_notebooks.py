"""Stored notebooks carry no outputs: the check pre-commit and the test suite share.

Run as ``python tests/check_notebooks.py [FILE ...]`` (default: every
``notebooks/*.ipynb``); it prints one line per problem and exits 1 if there is
any. Outputs and execution counts belong in ``outputs/``, produced by
``wres run``, never in the notebooks under version control. Standard library
only, so pre-commit needs no dependencies for it.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

NOTEBOOKS = Path(__file__).resolve().parents[1] / "notebooks"


def stored_notebook_problems(path: Path) -> list[str]:
    """What is wrong with ``path`` as a stored notebook: outputs, execution counts, bad JSON."""
    try:
        cells = json.loads(Path(path).read_text(encoding="utf-8"))["cells"]
    except (OSError, ValueError, KeyError) as error:
        return [f"{path}: not a notebook ({error})"]
    problems = []
    for number, cell in enumerate(cells, start=1):
        if cell.get("cell_type") != "code":
            continue
        if cell.get("outputs"):
            problems.append(f"{path}: cell {number} is stored with outputs")
        if cell.get("execution_count") is not None:
            problems.append(f"{path}: cell {number} is stored with an execution count")
    return problems


def main(argv: list[str]) -> int:
    paths = [Path(a) for a in argv] or sorted(NOTEBOOKS.glob("*.ipynb"))
    problems = [p for path in paths for p in stored_notebook_problems(path)]
    for problem in problems:
        print(problem)
    if problems:
        print("clear them with: jupyter nbconvert --clear-output --inplace FILE")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
