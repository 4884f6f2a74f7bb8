"""The run journal: each finished run's record, durable as soon as the run ends.

``manifest.json`` is rewritten once, at the end of a batch. Between, every
finished run (done or failed) is appended to ``<output>/.wres-journal.jsonl``
as one JSON line, flushed and ``fsync``-ed before the batch moves on. A batch
killed at any point leaves a journal whose complete lines are the runs that
finished; the next ``wres run`` folds them over the manifest (`replay`) and
redoes only what is not there. A line cut short by the kill is ignored. Once
the manifest holding every record is safely written, the journal is removed.
"""

from __future__ import annotations

import json
import logging
import os
from pathlib import Path
from typing import Any

from wres.batch.outputs import fsync_folder

JOURNAL = ".wres-journal.jsonl"

log = logging.getLogger("wres.run")


class Journal:
    """Append-only, ``fsync``-ed record of the runs a batch has finished.

    Parameters
    ----------
    output_dir : Path
        The batch output folder.
    """

    def __init__(self, output_dir: Path) -> None:
        self.path = Path(output_dir) / JOURNAL
        self._fd: int | None = None

    def append(self, record: dict[str, Any]) -> None:
        """Write one record as a line and make it durable before returning.

        Raises
        ------
        OSError
            If the line could not be written (a full disk, for instance); the
            run is then not recorded and the next batch redoes it.
        """
        if self._fd is None:
            self._fd = os.open(self.path, os.O_WRONLY | os.O_APPEND | os.O_CREAT | os.O_CLOEXEC,
                               0o666)
            fsync_folder(self.path.parent)
        line = json.dumps(record, default=str, separators=(",", ":")).encode() + b"\n"
        view = memoryview(line)
        while view:
            view = view[os.write(self._fd, view):]
        os.fsync(self._fd)

    def close(self) -> None:
        if self._fd is not None:
            os.close(self._fd)
            self._fd = None

    def remove(self) -> None:
        """Drop the journal (call only once the manifest holds every record)."""
        self.close()
        self.path.unlink(missing_ok=True)


def replay(output_dir: Path) -> dict[str, dict[str, Any]]:
    """The records of the journal by run id, the latest line of a run winning.

    Lines that are not whole JSON objects (the last one, if a kill cut it short)
    are skipped.
    """
    path = Path(output_dir) / JOURNAL
    records: dict[str, dict[str, Any]] = {}
    if not path.is_file():
        return records
    with open(path, "rb") as handle:
        for number, line in enumerate(handle, start=1):
            try:
                record = json.loads(line)
            except ValueError:
                log.warning("%s line %d is incomplete; that run will be redone", path, number)
                continue
            if isinstance(record, dict) and isinstance(record.get("id"), str):
                records[record["id"]] = record
    return records

