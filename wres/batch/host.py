"""The batch host: one warm process that forks a fresh driver for every run.

``wres run`` starts the host (or, with ``--warm``, finds one kept from an
earlier batch, `wres.batch.resident`) and sends it each run over a Unix
socket. At start the host launches its kernel zygote (`wres.batch.kernels`),
and while the zygote imports pandas, scipy and matplotlib the host imports
papermill and nbconvert and renders a tiny page once, so both cores work from
the first second. Then, for every request, the host forks a driver: a process
of its own for each run that executes the notebook in kernels forked from the
zygote, renders its pages, installs its outputs and sends back the run's
record. One import of everything serves the whole batch, and a fresh process
per run keeps runs from sharing state.

A driver watches its connection: if the ``wres run`` that asked for it goes
(killed, or interrupted), the driver kills its kernels and exits without
installing anything, unless it is already renaming outputs into place, which
it finishes first. Each request carries a duplicate of the batch's output-folder
lock descriptor, so the folder stays locked until the last driver has gone.
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
    """Host main loop: warm up, listen on ``address``, fork a driver per run request.

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
    from wres.batch import kernels

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
        warm_up_driver()
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
                        code = _drive(conn, request)
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


def warm_up_driver() -> None:
    """Import what drivers use, find the kernel spec, render a tiny page once (templates,
    lexers, filters) and every notebook's code cells (`wres.batch.render.warm_code_cells`).

    The batch host does this before it forks a driver per run; a Dask worker, which
    drives its runs itself, when it starts (`wres.batch.execute.init_worker`).
    """
    import nbformat
    import papermill  # noqa: F401

    import wres.analysis.disclosure.suppression
    import wres.analysis.results
    import wres.batch.execute
    import wres.batch.manifest
    import wres.batch.site  # noqa: F401 - with the two above: what consolidating needs
    from wres.batch.kernels import find_kernel_spec
    from wres.batch.render import PUBLISH, render_html, warm_code_cells
    from wres.core.paths import NOTEBOOKS

    nb = nbformat.v4.new_notebook()
    heading = nbformat.v4.new_markdown_cell("# Warm\n\nA *tiny* page.")
    code = nbformat.v4.new_code_cell("print('warm')")
    code.outputs = [nbformat.v4.new_output("display_data", data={"text/html": "<p>warm</p>"})]
    for cell in (heading, code):
        cell.metadata["tags"] = [PUBLISH]
    nb.cells = [heading, code]
    try:
        find_kernel_spec("python3")
        for profile in ("analyst", "publication"):
            render_html(nb, profile, title="warm", provenance={"summary": "", "items": []})
        warm_code_cells(sorted(NOTEBOOKS.glob("*.ipynb")))
    except Exception as error:  # noqa: BLE001 - a cold renderer is slower, not wrong
        print(f"wres: renderer warm-up skipped ({error})", file=sys.stderr)


def _drive(conn: socket.socket, request: dict[str, Any]) -> int:
    """In a forked driver: do one request, reply, exit; stop early if the client goes."""
    from wres.batch import kernels
    from wres.batch.execute import abandon, describe_error, execute_run
    from wres.batch.plan import RunSpec

    installing = threading.Lock()
    finished = threading.Event()

    def watch() -> None:
        try:
            conn.recv(1)  # the client sends nothing more: this returns when it goes
        except OSError:
            pass
        if not finished.is_set():
            with installing:  # let renames already under way complete
                kernels.kill_live_kernels()
                abandon()
                os._exit(1)

    threading.Thread(target=watch, daemon=True).start()
    try:
        if request["op"] == "run":
            reply = execute_run(RunSpec(**request["run"]), request["provenance"], installing)
        else:
            from wres.batch.execute import use_batch_cache
            from wres.batch.manifest import consolidate

            use_batch_cache(request["output_dir"])  # the authorities' decisions, made once
            consolidate(Path(request["output_dir"]), request["manifest"])
            reply = {"status": "ok"}
    except Exception as error:  # noqa: BLE001 - reported to the client
        reply = {"status": "failed", "error": describe_error(error)}
    finished.set()
    try:
        send_reply(conn, reply)
    except OSError:
        return 1
    return 0


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
                timeout: float | None = None) -> dict[str, Any]:
        """Send one request and return the reply.

        Raises
        ------
        HostGone
            If the connection closes without a reply (the driver was killed,
            ran out of memory or crashed).
        """
        self.wait_ready()
        with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as conn:
            with self._guard:
                if self._aborted and payload.get("op") != "stop":
                    raise HostGone("the batch was interrupted")
                self._open.add(conn)
            try:
                conn.connect(self.address)
                send_request(conn, payload, fds)
                conn.settimeout(timeout)
                line = conn.makefile("rb").readline()
            except TimeoutError:
                raise HostGone(f"no reply within {timeout:.0f} s; the run was stopped") from None
            finally:
                with self._guard:
                    self._open.discard(conn)
        if not line:
            raise HostGone("the process running it ended without a record "
                           "(killed, or out of memory)")
        return dict(json.loads(line))

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
