"""Atomic file writes: a temporary file in the same folder, then a rename.

An interrupted run never leaves a half-written output, and a failed run
never overwrites a good one.
"""

from __future__ import annotations

import os
import tempfile
from collections.abc import Callable
from pathlib import Path

import pandas as pd


def write_atomic(path: Path, writer: Callable[[Path], object]) -> Path:
    """Call ``writer(tmp_path)`` then move the result onto ``path`` atomically.

    Parameters
    ----------
    path : Path
        Final destination.
    writer : callable
        Writes the whole content to the temporary path it is given; what it returns
        (such as ``Path.write_text``'s character count) is ignored.
    """
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    os.close(fd)
    tmp_path = Path(tmp)
    try:
        writer(tmp_path)
        os.replace(tmp_path, path)
    except BaseException:
        tmp_path.unlink(missing_ok=True)
        raise
    return path


def write_text_atomic(path: Path, text: str, encoding: str = "utf-8") -> Path:
    """Write ``text`` to ``path`` atomically."""
    return write_atomic(path, lambda tmp: tmp.write_text(text, encoding=encoding))


def write_bytes_atomic(path: Path, data: bytes) -> Path:
    """Write ``data`` to ``path`` atomically."""
    return write_atomic(path, lambda tmp: tmp.write_bytes(data))


def write_csv_atomic(frame: pd.DataFrame, path: Path) -> Path:
    """Write ``frame`` as CSV (no index) to ``path`` atomically."""
    return write_atomic(path, lambda tmp: frame.to_csv(tmp, index=False))
