"""Fresh Jupyter kernels forked from a warm parent (a "zygote").

Every notebook still runs in a process of its own, but that process is
forked from a parent that has already imported pandas, scipy, matplotlib,
seaborn and ``wres``, so each kernel starts without paying for those imports
again (pages are shared copy-on-write). Kernels listen on IPC sockets (Unix
domain sockets in a private folder): no TCP ports, so parallel kernels cannot
collide on ports and nothing is reachable over the network.

The zygote is a separate, single-threaded process (`wres.batch.zygote`) started by
:class:`KernelZygote`; :class:`ForkKernelManager` is a ``jupyter_client``
kernel manager that asks it for kernels, so papermill and nbclient drive the
kernels exactly as they drive ordinary ones.
"""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import tempfile
import time
from functools import cache
from pathlib import Path
from typing import Any

import zmq
from jupyter_client.asynchronous import AsyncKernelClient
from jupyter_client.manager import AsyncKernelManager
from jupyter_client.provisioning import LocalProvisioner

#: Modules imported once by the zygote and shared by every kernel it forks.
PRELOAD = (
    "numpy",
    "pandas",
    "scipy.stats",
    "statsmodels.stats.proportion",
    "matplotlib",
    "matplotlib.pyplot",
    "seaborn",
    "pandera.pandas",
    "yaml",
    "IPython",
    "ipykernel.kernelapp",
    "ipykernel.ipkernel",
    "ipykernel.zmqshell",
    "ipykernel.debugger",  # debugpy: 0.1 s of imports in every kernel otherwise
    "IPython.core.completer",
    # imported by every kernel as it starts (its shell, inspector, completer, debugger,
    # the extension it loads and tornado's event loop), unless imported here first
    "IPython.core.oinspect",
    "IPython.core.completerlib",
    "IPython.core.debugger",
    "IPython.extensions.storemagic",
    "IPython.utils.wildcard",
    "tornado.platform.asyncio",
    "IPython.core.magics.namespace",  # IPython's namespace magics, which every shell registers
    "IPython.core.logger",
    "pandas.io.formats.html",  # a table shown as a cell's last value
    "pandas.io.formats.string",
    "pdb",
    "wres.present.show",
    "wres.batch.warm",
)


class KernelZygote:
    """A warm parent process that forks a fresh kernel on request.

    Parameters
    ----------
    preload : sequence of str
        Modules to import before forking.
    """

    def __init__(self, preload: tuple[str, ...] = PRELOAD) -> None:
        self._dir = Path(tempfile.mkdtemp(prefix="wres-zygote-"))
        os.chmod(self._dir, 0o700)
        self.address = str(self._dir / "zygote.sock")
        env = dict(os.environ)
        env.update(KERNEL_ENV)
        self._process = subprocess.Popen(
            [sys.executable, "-m", "wres.batch.zygote", self.address, ",".join(preload),
             str(os.getpid())],
            stdin=subprocess.DEVNULL,
            stdout=subprocess.DEVNULL,
            stderr=None,
            env=env,
            close_fds=True,
        )
        self._owner = os.getpid()  # processes forked from the owner share the zygote

    def wait_ready(self, timeout: float = 60.0) -> None:
        """Block until the zygote listens (it has finished importing)."""
        deadline = time.monotonic() + timeout
        while not os.path.exists(self.address):
            if os.getpid() == self._owner and self._process.poll() is not None:
                raise RuntimeError("the kernel zygote exited while importing modules")
            if time.monotonic() > deadline:
                raise TimeoutError("the kernel zygote did not start in time")
            time.sleep(0.01)

    def fork_kernel(self, connection_file: str, cwd: str | None, env: dict[str, str]) -> int:
        """Ask the zygote for a kernel on ``connection_file``; return its pid."""
        self.wait_ready()
        request = {"connection_file": connection_file, "cwd": cwd, "env": env}
        with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as conn:
            conn.connect(self.address)
            conn.sendall(json.dumps(request).encode() + b"\n")
            reply = conn.makefile("rb").readline()
        if not reply:
            raise RuntimeError("the kernel zygote closed the connection without forking")
        return int(json.loads(reply)["pid"])

    def close(self) -> None:
        """Stop the zygote (kernels already forked are not affected); only its owner can."""
        if os.getpid() != self._owner:
            return
        if self._process.poll() is None:
            self._process.terminate()
            try:
                self._process.wait(5)
            except subprocess.TimeoutExpired:
                self._process.kill()
        for path in self._dir.glob("*"):
            path.unlink(missing_ok=True)
        self._dir.rmdir()


#: Environment for kernels: one BLAS thread each (two cores, many kernels) and
#: a non-interactive matplotlib backend (reports embed figures themselves).
KERNEL_ENV = {
    "OPENBLAS_NUM_THREADS": "1",
    "OMP_NUM_THREADS": "1",
    "MKL_NUM_THREADS": "1",
    "MPLBACKEND": "Agg",
    "PYDEVD_DISABLE_FILE_VALIDATION": "1",
}

_zygote: KernelZygote | None = None


def get_zygote() -> KernelZygote:
    """The zygote of this process, started on first use."""
    global _zygote
    if _zygote is None:
        _zygote = KernelZygote()
    return _zygote


def close_zygote() -> None:
    """Stop this process's zygote, if one was started."""
    global _zygote
    if _zygote is not None:
        _zygote.close()
        _zygote = None


#: Kernels this process has asked for and not yet seen exit (see `kill_live_kernels`).
_LIVE_KERNELS: set[int] = set()


def kill_live_kernels() -> None:
    """Kill every kernel this process started that is still running.

    Kernels lead sessions of their own, so a signal to the driver's process
    group does not reach them; a driver that abandons its run calls this.
    """
    for pid in list(_LIVE_KERNELS):
        ForkedProcess(pid).kill()
    _LIVE_KERNELS.clear()


class ForkedProcess:
    """The part of ``subprocess.Popen`` that jupyter_client uses, for a forked pid.

    The zygote reaps its children, so the exit code is not known; a kernel
    that has gone is reported with exit code -9.
    """

    def __init__(self, pid: int) -> None:
        self.pid = pid
        self.returncode: int | None = None
        self.stdin = self.stdout = self.stderr = None

    def poll(self) -> int | None:
        if self.returncode is None:
            try:
                os.kill(self.pid, 0)
            except ProcessLookupError:
                self.returncode = -signal.SIGKILL
            else:
                if _is_zombie(self.pid):
                    self.returncode = -signal.SIGKILL
            if self.returncode is not None:
                _LIVE_KERNELS.discard(self.pid)
        return self.returncode

    def wait(self, timeout: float | None = None) -> int:
        deadline = None if timeout is None else time.monotonic() + timeout
        while (returncode := self.poll()) is None:
            if deadline is not None and time.monotonic() > deadline:
                raise subprocess.TimeoutExpired(f"kernel {self.pid}", timeout or 0)
            time.sleep(0.005)
        return returncode

    def send_signal(self, signum: int) -> None:
        if self.poll() is None:
            try:
                os.kill(self.pid, signum)
            except ProcessLookupError:
                pass

    def kill(self) -> None:
        self.send_signal(signal.SIGKILL)

    def terminate(self) -> None:
        self.send_signal(signal.SIGTERM)


@cache
def find_kernel_spec(name: str) -> Any:
    """The kernel spec called ``name``, looked up once per process.

    The lookup imports IPython to find its kernels folder; the batch host does it
    before forking drivers, which then find it done (`wres.batch.driver.warm_up_driver`).
    """
    from jupyter_client.kernelspec import KernelSpecManager

    return KernelSpecManager().get_kernel_spec(name)


def _is_zombie(pid: int) -> bool:
    try:
        with open(f"/proc/{pid}/stat", "rb") as stat:
            return stat.read().rsplit(b")", 1)[1].split()[0] == b"Z"
    except (OSError, IndexError):
        return False


class ForkProvisioner(LocalProvisioner):
    """Launches kernels by asking the zygote to fork instead of exec'ing Python."""

    async def launch_kernel(self, cmd: list[str], **kwargs: Any) -> Any:
        connection_file = cmd[cmd.index("-f") + 1]
        env = {k: v for k, v in (kwargs.get("env") or {}).items() if isinstance(v, str)}
        cwd = kwargs.get("cwd")
        pid = get_zygote().fork_kernel(connection_file, str(cwd) if cwd else None, env)
        self.process = ForkedProcess(pid)  # type: ignore[assignment]
        _LIVE_KERNELS.add(pid)
        self.pid = pid
        self.pgid = pid  # the child calls setsid(), so it leads its own group
        self.cwd = cwd
        return self.connection_info


#: Milliseconds between a client socket's attempts to reach a kernel not yet listening.
RECONNECT_MS = 5


class PromptKernelClient(AsyncKernelClient):
    """A kernel client that is ready as soon as the kernel is.

    jupyter_client's ``wait_for_ready`` ends by draining IOPub until nothing
    arrives for 0.2 s: a fixed 0.2 s per notebook (0.8 s of a four-execution
    re-run). nbclient matches every output to the request it answers, so the
    messages already queued are drained without waiting for more.

    The client connects as soon as the kernel is forked, before the kernel has
    made its sockets; ZeroMQ then tries again after ``RECONNECT_IVL``, 100 ms by
    default, so a notebook waited idle for most of its kernel's start (first reply
    after 0.15-0.23 s, against 0.08-0.13 s with these retries, for 0.06 s of the
    kernel's CPU). Its sockets here try every :data:`RECONNECT_MS`.
    """

    def start_channels(self, *args: Any, **kwargs: Any) -> None:
        self.context.setsockopt(zmq.RECONNECT_IVL, RECONNECT_MS)  # for sockets made from now
        super().start_channels(*args, **kwargs)

    async def wait_for_ready(self, timeout: float | None = None) -> None:
        from queue import Empty

        deadline = time.monotonic() + (60.0 if timeout is None else timeout)
        while True:
            self.kernel_info()
            try:
                reply = await self.shell_channel.get_msg(timeout=1)
            except Empty:
                reply = None
            if reply is not None and reply["msg_type"] == "kernel_info_reply":
                try:  # IOPub is connected once a message arrives on it; if none, ask again
                    await self.iopub_channel.get_msg(timeout=0.05)
                except Empty:
                    pass
                else:
                    self._handle_kernel_info_reply(reply)
                    break
            if not await self._async_is_alive():
                raise RuntimeError("Kernel died before replying to kernel_info")
            if time.monotonic() > deadline:
                raise RuntimeError(f"Kernel didn't respond in {timeout} seconds")
        while True:
            try:
                await self.iopub_channel.get_msg(timeout=0)
            except Empty:
                break


class ForkKernelManager(AsyncKernelManager):
    """Kernel manager for papermill/nbclient whose kernels come from the zygote."""

    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("transport", "ipc")
        kwargs.setdefault("client_class", "wres.batch.kernels.PromptKernelClient")
        super().__init__(**kwargs)
        runtime = Path(tempfile.gettempdir()) / f"wres-kernels-{os.getuid()}"
        runtime.mkdir(mode=0o700, exist_ok=True)
        if not self.connection_file:
            self.connection_file = str(runtime / f"kernel-{os.getpid()}-{id(self):x}.json")
        # IPC endpoints are files named <ip>-<port>; keep them in the private folder.
        self.ip = str(runtime / f"k{os.getpid()}-{id(self):x}")

    @property
    def kernel_spec(self) -> Any:
        """The kernel spec, looked up on disk once per process (not once per notebook)."""
        if self._kernel_spec is None and self.kernel_name:
            self._kernel_spec = find_kernel_spec(self.kernel_name)
        return self._kernel_spec

    async def _async_wait(self, pollinterval: float = 0.1) -> None:
        """Wait for a killed kernel to go, polling every 5 ms instead of every 0.1 s."""
        await super()._async_wait(pollinterval=min(pollinterval, 0.005))

    async def _async_pre_start_kernel(self, **kw: Any) -> Any:
        if self.provisioner is None:
            self.kernel_id = self.kernel_id or kw.pop("kernel_id", None) or os.urandom(8).hex()
            self.provisioner = ForkProvisioner(
                kernel_id=self.kernel_id, kernel_spec=self.kernel_spec, parent=self
            )
        return await super()._async_pre_start_kernel(**kw)
