"""Counts files named by paths or glob patterns: the one resolver every caller uses.

Light on purpose (standard library only), so params files can be checked when
loaded without importing pandas.
"""

from __future__ import annotations

import glob
from collections.abc import Iterable
from pathlib import Path


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
