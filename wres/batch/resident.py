"""A batch host kept warm between runs (``wres run --warm``): opt-in, per user, self-stopping.

An analyst re-running one indicator pays, on every cold ``wres run``, a few
seconds of imports in the batch host and its kernel zygote. With ``--warm``
the host outlives the batch and the next ``wres run`` finds it, already warm.

Safety rules:

- **Opt-in**: without ``--warm`` every batch starts and stops its own host.
- **Never shared between users**: hosts listen in a folder only their user
  can enter (``$XDG_RUNTIME_DIR/wres-<uid>``, else ``/tmp/wres-<uid>``, mode
  0700, refused if anyone else owns it or can enter it), and the host serves
  only connections whose peer has its uid (``SO_PEERCRED``).
- **Never stale**: a host is named after the Python it runs, the hash of the
  ``wres`` source and the locked package versions; editing ``wres`` or
  upgrading a package starts a new host and stops the old ones of that
  environment.
- **Cleaned up**: a host exits after ``--warm-idle`` seconds without a request
  (removing its socket; its zygote and kernels follow it), or at once with
  ``wres run --stop-warm``.
"""

from __future__ import annotations

import fcntl
import hashlib
import json
import os
import stat
import subprocess
import sys
import tempfile
from pathlib import Path

from wres.batch.host import Host, HostGone

#: Seconds a warm host waits for the next request before it exits.
DEFAULT_IDLE = 900.0
#: Longest base folder for sockets: 107 bytes less "/wres-<uid>/host-<tag>-<key>.sock.tmp".
_MAX_BASE = 50


def runtime_dir() -> Path:
    """This user's private folder for warm hosts, created on first use.

    Raises
    ------
    PermissionError
        If the folder exists but is not private to this user.
    """
    bases = [os.environ.get("XDG_RUNTIME_DIR"), tempfile.gettempdir(), "/tmp"]
    # a Unix socket path holds at most 107 bytes: take the first base that leaves room
    base = next(b for b in bases if b and len(b) < _MAX_BASE or b == "/tmp")
    folder = Path(base) / f"wres-{os.getuid()}"
    try:
        folder.mkdir(mode=0o700)
    except FileExistsError:
        pass
    info = os.lstat(folder)
    if not stat.S_ISDIR(info.st_mode) or info.st_uid != os.getuid() or info.st_mode & 0o077:
        raise PermissionError(f"{folder} is not a folder private to this user; "
                              "not keeping a warm host there")
    return folder


def _environment_tag() -> str:
    """Names the Python environment: hosts of one environment replace each other."""
    return hashlib.sha256(sys.prefix.encode()).hexdigest()[:8]


def host_key(package_hash: str, versions: dict[str, str]) -> str:
    """What a warm host must match to serve a batch: Python, ``wres`` source, versions."""
    identity = json.dumps([sys.executable, sys.prefix, package_hash, versions], sort_keys=True)
    return hashlib.sha256(identity.encode()).hexdigest()[:16]


def connect_or_start(package_hash: str, versions: dict[str, str],
                     idle: float = DEFAULT_IDLE) -> Host:
    """The warm host for this environment and source, started if there is none.

    A host of the same environment built from other sources or versions is
    asked to stop (it finishes what it is running first).
    """
    folder = runtime_dir()
    tag, key = _environment_tag(), host_key(package_hash, versions)
    address = folder / f"host-{tag}-{key}.sock"
    with open(folder / f"host-{tag}.launch", "a") as launching:
        fcntl.flock(launching, fcntl.LOCK_EX)  # one launcher at a time for this environment
        host = Host(str(address))
        if address.exists():
            try:
                reply = host.request({"op": "ping"}, timeout=10)
                if reply.get("key") == key and not reply.get("stopping"):
                    return host
            except (OSError, HostGone):
                pass
            address.unlink(missing_ok=True)  # dead, or stopping: a new host takes the name
        for other in folder.glob(f"host-{tag}-*.sock"):
            _stop(other)
        with open(folder / f"host-{tag}.log", "wb") as log:
            process = subprocess.Popen(
                [sys.executable, "-m", "wres.batch.host", str(address), str(idle)],
                stdin=subprocess.DEVNULL, stdout=log, stderr=log, close_fds=True,
                start_new_session=True,  # outlives this batch, and Ctrl-C in its terminal
                env={**os.environ, "WRES_HOST_KEY": key})
        Host(str(address), process).wait_ready()
        return host


def stop_all() -> int:
    """Ask every warm host of this user to stop; return how many were asked."""
    try:
        folder = runtime_dir()
    except PermissionError:
        return 0
    return sum(_stop(address) for address in folder.glob("host-*.sock"))


def _stop(address: Path) -> bool:
    """Ask the host on ``address`` to stop; remove the socket if nobody listens on it."""
    try:
        Host(str(address)).request({"op": "stop"}, timeout=10)
    except (OSError, HostGone):
        address.unlink(missing_ok=True)
        return False
    return True
