"""The batch host: one warm process that forks a driver for every connection.

``wres run`` starts the host (or, with ``--warm``, finds one kept from an
earlier batch, `wres.batch.resident`) and sends it each run over a Unix
socket. At start the host launches its kernel zygote (`wres.batch.kernels`),
and while the zygote imports pandas, scipy and matplotlib the host imports
papermill and nbconvert and renders a tiny page once, so both cores work from
the first second. Then, for every connection, the host forks a driver: a process
that executes each run sent on that connection in kernels forked from the zygote
(a fresh kernel for every notebook), renders its pages, installs its outputs and
sends back the run's record, one run after another, until the connection closes.
``wres run`` keeps one connection for each run it has under way at once, so a
batch has as many drivers as jobs, each forked once (`Host.request` with
``keep``); a driver forked for every run took about 5,700 copy-on-write faults
and 33 ms of system CPU a run. One import of everything serves the whole batch.

A driver watches its connection while it runs: if the ``wres run`` that asked
for it goes (killed, or interrupted), the driver kills its kernels and exits
without installing anything, unless it is already renaming outputs into place,
which it finishes first. Each request carries a duplicate of the batch's
output-folder lock descriptor, which the driver holds until it has replied, so
the folder stays locked until every run under way is done.
"""

from __future__ import annotations

import gc
import json
import os
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any

#: A driver that sends nothing for this long after its run's notebook timeouts is given up.
SLACK = 300.0


def _without_iri_checks() -> None:
    """Skip importing ``rfc3987_syntax`` (0.9-1.2 s of parser building at import).

    jsonschema imports it only to check the ``iri`` string formats, which
    nbformat never checks (it validates notebooks without a format checker).
    """
    sys.modules.setdefault("rfc3987_syntax", None)  # type: ignore[arg-type]


# --- the wire: one JSON line each way, the request possibly carrying descriptors ----------


def send_request(conn: socket.socket, payload: dict[str, Any], fds: Sequence[int] = ()) -> None:
    """Send a request: one byte carrying ``fds`` (``SCM_RIGHTS``), then a JSON line."""
    socket.send_fds(conn, [b"F" if fds else b"-"], list(fds))
    conn.sendall(json.dumps(payload, default=str).encode() + b"\n")


def read_request(conn: socket.socket) -> tuple[dict[str, Any], list[int]]:
    _, fds, _, _ = socket.recv_fds(conn, 1, 4)
    line = conn.makefile("rb").readline()
    return (json.loads(line) if line else {}), list(fds)


def send_reply(conn: socket.socket, payload: dict[str, Any]) -> None:
    conn.sendall(json.dumps(payload, default=str).encode() + b"\n")


# --- the host process -----------------------------------------------------------------------


def serve(address: str, *, idle: float | None = None, parent: int | None = None) -> None:
    """Host main loop: warm up, listen on ``address``, fork a driver per connection.

    Parameters
    ----------
    address : str
        Unix socket path; it appears only once the host is warm.
    idle : float, optional
        Seconds without requests (and without drivers) after which a resident
        host exits.
    parent : int, optional
        Without ``idle``: the pid of the batch that started the host; the host
        exits when that process goes.
    """
    from wres.batch import driver, kernels

    # Ctrl-C is the batch's to handle: it hangs up on its drivers, then stops this host;
    # a terminated host still removes its socket and stops its zygote.
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))
    parent = os.getppid() if parent is None else parent
    listener = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    mine = None
    try:
        kernels.get_zygote()  # the zygote imports the analysis stack while we import ours
        _without_iri_checks()
        driver.warm_up_driver()
        # As in the zygote: what the host holds lives as long as its drivers, so their
        # collections need not walk it, nor write to its pages (copying them from ours).
        gc.collect()
        gc.freeze()
        if os.path.exists(address + ".tmp"):
            os.unlink(address + ".tmp")  # left by a host that died while starting
        listener.bind(address + ".tmp")
        listener.listen(64)
        mine = os.stat(address + ".tmp").st_ino
        os.rename(address + ".tmp", address)  # connectable only once warm
        _loop(listener, idle=idle, parent=parent)
    finally:
        listener.close()
        for path in (address, address + ".tmp"):
            try:
                if os.stat(path).st_ino == mine:  # not a successor's socket of the same name
                    os.unlink(path)
            except FileNotFoundError:
                pass
        kernels.close_zygote()


def _loop(listener: socket.socket, *, idle: float | None, parent: int) -> None:
    last, stopping = time.monotonic(), False
    drivers: set[int] = set()
    listener.settimeout(0.2)
    while not (stopping and not drivers):
        _reap(drivers)
        try:
            conn, _ = listener.accept()
        except TimeoutError:
            gone = idle is None and os.getppid() != parent
            if gone or (idle is not None and not drivers and time.monotonic() - last > idle):
                return
            continue
        last = time.monotonic()
        with conn:
            conn.settimeout(10)  # a client that connects and says nothing must not stall us
            try:
                if not _same_user(conn):
                    continue
                request, fds = read_request(conn)
            except (OSError, ValueError):
                continue
            op = request.get("op")
            if op in ("run", "consolidate") and not stopping:
                pid = os.fork()
                if pid == 0:  # the driver: never returns into this loop
                    code = 1
                    try:
                        signal.signal(signal.SIGTERM, signal.SIG_DFL)
                        listener.close()
                        conn.settimeout(None)
                        from wres.batch.driver import drive

                        code = drive(conn, request, fds)
                    finally:
                        os._exit(code)
                drivers.add(pid)
            elif op in ("ping", "stop"):
                stopping = stopping or op == "stop"
                try:
                    send_reply(conn, {"pid": os.getpid(), "key": os.environ.get("WRES_HOST_KEY"),
                                      "drivers": len(drivers), "stopping": stopping})
                except OSError:
                    pass
            for fd in fds:
                os.close(fd)  # the driver keeps its own copy of the lock


def _reap(drivers: set[int]) -> None:
    for pid in list(drivers):
        try:
            done, _ = os.waitpid(pid, os.WNOHANG)
        except ChildProcessError:
            done = pid
        if done:
            drivers.discard(pid)


def _same_user(conn: socket.socket) -> bool:
    """Serve only the user running the host (the socket folder is private too)."""
    import struct

    creds = conn.getsockopt(socket.SOL_SOCKET, socket.SO_PEERCRED, struct.calcsize("3i"))
    _, uid, _ = struct.unpack("3i", creds)
    return uid == os.getuid()


# --- the client side ------------------------------------------------------------------------


class HostGone(RuntimeError):
    """The host, or the driver of a request, ended without replying."""


class Host:
    """A handle on a batch host: send requests, wait for replies.

    Parameters
    ----------
    address : str
        The host's socket.
    process : Popen, optional
        The host process when this ``wres run`` started it for itself.
    """

    def __init__(self, address: str, process: subprocess.Popen[bytes] | None = None) -> None:
        self.address = address
        self.process = process
        self._open: set[socket.socket] = set()
        self._kept = threading.local()  # this thread's connection to its driver, if kept
        self._guard = threading.Lock()
        self._aborted = False

    def wait_ready(self, timeout: float = 120.0) -> None:
        deadline = time.monotonic() + timeout
        while not os.path.exists(self.address):
            if self._aborted:  # a host still warming up is stopped by stop()
                raise HostGone("the batch was interrupted")
            if self.process is not None and self.process.poll() is not None:
                raise HostGone("the batch host exited while starting; see the messages above")
            if time.monotonic() > deadline:
                raise HostGone("the batch host did not start in time")
            time.sleep(0.01)

    def request(self, payload: dict[str, Any], *, fds: Sequence[int] = (),
                timeout: float | None = None, keep: bool = False) -> dict[str, Any]:
        """Send one request and return the reply.

        With ``keep``, the connection is kept for this thread's next request with
        ``keep``, and the driver the host forked for it does that one too (see the
        module's docstring); `close_kept` ends them. Without, the request has a
        connection and a driver of its own.

        Raises
        ------
        HostGone
            If the connection closes without a reply (the driver was killed,
            ran out of memory or crashed).
        """
        self.wait_ready()
        kept: socket.socket | None = getattr(self._kept, "conn", None) if keep else None
        if kept is not None:
            self._kept.conn = None
            try:  # (`abort` shuts kept connections down: sending on one then fails too)
                return self._exchange(kept, payload, fds, timeout, keep)
            except BrokenPipeError:  # its driver went while idle: start another
                pass
        with self._guard:  # refused after `abort`, or added before it so it hangs up on it
            if self._aborted and payload.get("op") != "stop":
                raise HostGone("the batch was interrupted")
            conn = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
            self._open.add(conn)
        try:
            conn.connect(self.address)
        except OSError:
            self._drop(conn)
            raise
        return self._exchange(conn, payload, fds, timeout, keep)

    def _exchange(self, conn: socket.socket, payload: dict[str, Any], fds: Sequence[int],
                  timeout: float | None, keep: bool) -> dict[str, Any]:
        """Send ``payload`` on ``conn`` and read the reply; keep ``conn`` or close it."""
        line = b""
        try:
            send_request(conn, payload, fds)
            conn.settimeout(timeout)
            line = conn.makefile("rb").readline()
        except TimeoutError:
            raise HostGone(f"no reply within {timeout:.0f} s; the run was stopped") from None
        except ConnectionResetError:
            pass  # the driver went: no reply, as below
        finally:
            if keep and line:
                self._kept.conn = conn
            else:
                self._drop(conn)
        if not line:
            raise HostGone("the process running it ended without a record "
                           "(killed, or out of memory)")
        return dict(json.loads(line))

    def _drop(self, conn: socket.socket) -> None:
        with self._guard:
            self._open.discard(conn)
        conn.close()

    def close_kept(self) -> None:
        """Close the connections kept for later requests: their drivers exit.

        Called once no request is under way (every connection still open is a kept one).
        """
        with self._guard:
            kept, self._open = self._open, set()
        for conn in kept:
            try:
                conn.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass
            conn.close()

    def abort(self) -> None:
        """Hang up on every request in flight (their drivers kill their kernels and exit)
        and refuse new ones."""
        with self._guard:
            self._aborted = True
            for conn in self._open:
                try:
                    conn.shutdown(socket.SHUT_RDWR)
                except OSError:
                    pass

    def stop(self) -> None:
        """Ask the host to exit once its drivers are done; wait for one this batch started."""
        try:
            self.request({"op": "stop"}, timeout=10)
        except (OSError, HostGone):
            if self.process is not None:  # still warming up, or not answering
                self.process.terminate()
        if self.process is not None:
            try:
                self.process.wait(30)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()


def start_private() -> Host:
    """Start a host for this batch alone; it exits when the batch (its parent) does."""
    folder = Path(tempfile.mkdtemp(prefix="wres-host-"))
    os.chmod(folder, 0o700)
    address = str(folder / "host.sock")
    process = subprocess.Popen([sys.executable, "-m", "wres.batch.host", address, "private",
                                str(os.getpid())],
                               stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
                               close_fds=True)
    return Host(address, process)


def main(argv: Sequence[str]) -> None:
    """``python -m wres.batch.host ADDRESS private PARENT_PID`` or ``ADDRESS IDLE_SECONDS``."""
    address = argv[0]
    if argv[1] == "private":
        try:
            serve(address, parent=int(argv[2]))
        finally:
            try:
                os.rmdir(os.path.dirname(address))
            except OSError:
                pass
    else:
        serve(address, idle=float(argv[1]))


if __name__ == "__main__":
    main(sys.argv[1:])
