"""One ``wres run`` per output folder: an exclusive ``flock`` on ``<output>/.wres-lock``.

Two batches writing one folder would interleave pages, journal lines and
manifests. The lock is an advisory ``fcntl.flock`` lock: the kernel drops it
when the last descriptor of the lock file closes, so a batch killed with
``kill -9`` never leaves a stale lock behind. The batch hands a duplicate of its
descriptor to each process that writes outputs for it (`wres.batch.host`), so
the folder stays locked until the last of them has gone. The file also holds
who took the lock (pid, host name, start time, command), for the message the
second batch prints.
"""

from __future__ import annotations

import fcntl
import json
import os
import socket
import sys
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

LOCK_FILE = ".wres-lock"


class OutputBusy(RuntimeError):
    """Another ``wres run`` holds the output folder."""


class OutputLock:
    """The exclusive lock of an output folder, held from `acquire` until `release`.

    Parameters
    ----------
    output_dir : Path
        The batch output folder (created if missing).
    """

    def __init__(self, output_dir: Path) -> None:
        self.path = Path(output_dir) / LOCK_FILE
        self.fd: int | None = None

    def acquire(self, *, wait: float = 0.0) -> OutputLock:
        """Take the lock, retrying for up to ``wait`` seconds.

        Raises
        ------
        OutputBusy
            If another process still holds it, naming that process.
        """
        self.path.parent.mkdir(parents=True, exist_ok=True)
        fd = os.open(self.path, os.O_RDWR | os.O_CREAT | os.O_CLOEXEC, 0o644)
        deadline = time.monotonic() + wait
        while True:
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
                break
            except BlockingIOError:
                if time.monotonic() >= deadline:
                    holder = _read_holder(fd)
                    os.close(fd)
                    raise OutputBusy(busy_message(self.path.parent, holder)) from None
                time.sleep(0.05)
        try:  # who holds it, for the message a second batch prints; advisory only
            os.ftruncate(fd, 0)
            os.pwrite(fd, json.dumps(_holder()).encode() + b"\n", 0)
        except OSError:
            pass
        self.fd = fd
        return self

    def release(self) -> None:
        """Let the folder go (processes still holding a duplicate keep it locked)."""
        if self.fd is not None:
            os.close(self.fd)
            self.fd = None

    def __enter__(self) -> OutputLock:
        return self.acquire() if self.fd is None else self

    def __exit__(self, *exc: object) -> None:
        self.release()


def _holder() -> dict[str, Any]:
    return {"pid": os.getpid(), "host": socket.gethostname(),
            "started": datetime.now(UTC).isoformat(timespec="seconds"),
            "command": " ".join(sys.argv)[:300]}


def _read_holder(fd: int) -> dict[str, Any]:
    try:
        return dict(json.loads(os.pread(fd, 4096, 0).decode() or "{}"))
    except (OSError, ValueError):
        return {}


def busy_message(output_dir: Path, holder: dict[str, Any]) -> str:
    """What a second ``wres run`` on the same folder prints."""
    who = (f"pid {holder['pid']} on {holder.get('host', '?')}, since {holder.get('started', '?')}"
           if holder.get("pid") else "another process")
    return (f"another wres run is writing to {output_dir} ({who}); wait for it to finish "
            "or choose another --output")
