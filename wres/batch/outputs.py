"""A run's outputs reach the output folder whole, durable and all together, or not at all.

Every output of a run is first written complete into the run's staging folder
(inside the output folder, so on the same file system) and ``fsync``-ed. Only
then are the files renamed onto their final names, one ``os.replace`` each;
a file they replace is first hard-linked into the staging folder, so that if
a rename fails part-way every file already moved is put back. A full disk, a
failing notebook or a page that fails its checks therefore leaves the earlier
outputs exactly as they were and no partial page. What stays behind after a
``kill -9`` (a staging folder) is never linked and is removed by the next batch.
"""

from __future__ import annotations

import hashlib
import logging
import os
import shutil
import tempfile
from pathlib import Path
from typing import Any

from wres.core.cache import CACHE_FOLDER

#: Prefix of the folders runs stage their outputs in, inside the output folder.
STAGING_PREFIX = ".staging-"

log = logging.getLogger("wres.run")


def new_staging(output_dir: Path) -> Path:
    """A fresh private staging folder inside ``output_dir``."""
    output_dir.mkdir(parents=True, exist_ok=True)
    return Path(tempfile.mkdtemp(prefix=STAGING_PREFIX, dir=output_dir))


def write_durably(path: Path, data: bytes) -> None:
    """Write ``data`` to a new file at ``path`` and ``fsync`` it.

    Raises
    ------
    OSError
        On any failed write (``ENOSPC`` on a full disk); the partial file is
        left in the staging folder, which is removed with it.
    """
    # what the umask gives a new file (0644 usually), as wres.core.atomic's files
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_CLOEXEC, 0o666)
    try:
        view = memoryview(data)
        while view:
            view = view[os.write(fd, view):]
        os.fsync(fd)
    finally:
        os.close(fd)


def make_durable(path: Path) -> None:
    """``fsync`` a file written by someone else (a notebook's results file)."""
    fd = os.open(path, os.O_RDONLY | os.O_CLOEXEC)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def file_facts(path: Path) -> dict[str, Any]:
    """Size and sha256 of a file: what the manifest records of each output."""
    data = Path(path).read_bytes()
    return {"bytes": len(data), "sha256": hashlib.sha256(data).hexdigest()}


def install(moves: dict[Path, Path], staging: Path) -> None:
    """Rename every staged file onto its final path: all of them, or none.

    Parameters
    ----------
    moves : dict
        Final path -> staged file (same file system).
    staging : Path
        The run's staging folder, where replaced files are kept until the end.
    """
    backups: dict[Path, Path] = {}
    moved: list[Path] = []
    try:
        for number, (final, staged) in enumerate(moves.items()):
            final.parent.mkdir(parents=True, exist_ok=True)
            if final.exists():
                backups[final] = _keep(final, staging / f".replaced-{number}")
            os.replace(staged, final)
            moved.append(final)
        for folder in sorted({final.parent for final in moves}):
            fsync_folder(folder)
    except BaseException:
        for final in reversed(moved):
            try:
                if final in backups:
                    os.replace(backups[final], final)
                else:
                    final.unlink(missing_ok=True)
            except OSError as error:  # pragma: no cover - a second failure while undoing
                log.error("could not restore %s: %s", final, error)
        raise


def _keep(final: Path, backup: Path) -> Path:
    """Keep the file about to be replaced: a hard link (no data written), else a copy."""
    try:
        os.link(final, backup)
    except OSError:
        shutil.copy2(final, backup)
    return backup


def fsync_folder(folder: Path) -> None:
    """Make renames in ``folder`` durable."""
    fd = os.open(folder, os.O_RDONLY | os.O_DIRECTORY | os.O_CLOEXEC)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def remove_leftovers(output_dir: Path) -> int:
    """Remove staging folders, the cache and temporary files a killed batch left; how many.

    Call only while holding the output folder's lock: a live batch's staging
    folders look the same.
    """
    removed = 0
    if not output_dir.is_dir():
        return removed
    for path in [*output_dir.glob(f"{STAGING_PREFIX}*"), output_dir / CACHE_FOLDER]:
        if not path.exists():
            continue
        shutil.rmtree(path, ignore_errors=True)
        removed += 1
    for pattern in (".*.tmp", "*/*/.*.tmp"):  # wres.core.atomic's temporary files
        for path in output_dir.glob(pattern):
            path.unlink(missing_ok=True)
            removed += 1
    return removed
