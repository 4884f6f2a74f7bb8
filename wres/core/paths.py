"""Where things are: files shipped inside the package, and counts files named by patterns.

Everything the package reads of its own (notebooks, templates, the ethnicity map,
published figures) is found relative to the installed package, never the
checkout, so `wres` works the same from a clone and from ``pip install``. In a
clone ``wres/notebooks`` is a link to the top-level ``notebooks/`` folder; a
built wheel carries the files themselves.

Light on purpose (standard library only), so params files can be checked when
loaded without importing pandas.
"""

from __future__ import annotations

import glob
from collections.abc import Iterable
from pathlib import Path

#: The installed ``wres`` package.
PACKAGE_DIR = Path(__file__).resolve().parents[1]
#: The notebooks `wres run` executes (``notebooks/`` in a clone).
NOTEBOOKS = PACKAGE_DIR / "notebooks"
#: Data shipped with the package: the ethnicity map and published national figures.
DATA_DIR = PACKAGE_DIR / "data"
#: nbconvert and Jinja templates for the pages.
TEMPLATES = PACKAGE_DIR / "templates"
#: The default map from ethnicity labels to groups (override with ``--ethnicity-map``).
ETHNICITY_MAP = DATA_DIR / "ethnicity_map.csv"


def resolve_paths(patterns: Iterable[str | Path], base: Path | None = None) -> list[Path]:
    """Files matching each path or glob pattern, relative to ``base`` (default: working dir).

    Raises
    ------
    FileNotFoundError
        Naming every pattern that matched no file.
    """
    base = Path.cwd() if base is None else Path(base)
    found: dict[Path, None] = {}
    unmatched = []
    for pattern in patterns:
        full = Path(pattern) if Path(pattern).is_absolute() else base / pattern
        matches = sorted(Path(p) for p in glob.glob(str(full)))
        if not matches:
            unmatched.append(str(pattern))
        found.update(dict.fromkeys(matches))
    if unmatched:
        raise FileNotFoundError(f"no counts files match {unmatched} (looked in {base})")
    return list(found)
