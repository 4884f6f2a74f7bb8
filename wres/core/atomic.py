"""Atomic file writes: a temporary file in the same folder, then a rename.

An interrupted run never leaves a half-written output, and a failed run
never overwrites a good one. Files get the user's normal permissions (what
the umask gives a new file, 0644 usually), not the temporary file's 0600,
so a colleague or a web server can read a published report.
"""

from __future__ import annotations

import os
import tempfile
import threading
from collections.abc import Callable
from pathlib import Path

import pandas as pd

from wres.core.csv_safety import neutralise_formulas

_UMASK: int | None = None
_UMASK_LOCK = threading.Lock()


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
        # mkstemp makes the file private (0600); give it the mode any new file gets
        # (0644 under the usual umask 022) before it takes the final name
        os.chmod(tmp_path, 0o666 & ~_umask())
        os.replace(tmp_path, path)
    except BaseException:
        tmp_path.unlink(missing_ok=True)
        raise
    return path


def _umask() -> int:
    """The process umask, read once.

    Linux reports it in ``/proc/self/status``; elsewhere it can only be read by
    setting it, which is done once, under a lock, and put straight back.
    """
    global _UMASK
    if _UMASK is None:
        with _UMASK_LOCK:
            if _UMASK is None:
                _UMASK = _read_umask()
    return _UMASK


def _read_umask() -> int:
    try:
        status = Path("/proc/self/status").read_text(encoding="ascii")
    except OSError:
        status = ""
    for line in status.splitlines():
        if line.startswith("Umask:"):
            return int(line.split()[1], 8)
    current = os.umask(0o022)
    os.umask(current)
    return current


def write_text_atomic(path: Path, text: str, encoding: str = "utf-8") -> Path:
    """Write ``text`` to ``path`` atomically."""
    return write_atomic(path, lambda tmp: tmp.write_text(text, encoding=encoding))


def write_bytes_atomic(path: Path, data: bytes) -> Path:
    """Write ``data`` to ``path`` atomically."""
    return write_atomic(path, lambda tmp: tmp.write_bytes(data))


def write_csv_atomic(frame: pd.DataFrame, path: Path) -> Path:
    """Write ``frame`` as CSV (no index) to ``path`` atomically.

    Text cells a spreadsheet would run as a formula get a leading quote
    (`wres.core.csv_safety.neutralise_formulas`); read the file back with
    `wres.core.csv_safety.read_csv` to get the labels as they were.
    """
    safe = neutralise_formulas(frame)
    return write_atomic(path, lambda tmp: safe.to_csv(tmp, index=False))
