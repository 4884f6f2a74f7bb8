"""The kernel zygote's own process: import, warm up, then fork one kernel per request.

Started by `wres.batch.kernels.KernelZygote` as ``python -m wres.batch.zygote ADDRESS
MODULES PARENT``; each kernel it forks detaches and runs an IPython kernel on the
connection file it was asked for.
"""

from __future__ import annotations

import gc
import json
import os
import signal
import socket
import sys
from typing import Any

from wres.batch.kernel_shell import KERNEL_CLASS
from wres.batch.kernel_streams import OUTSTREAM_CLASS
from wres.batch.kernels import KERNEL_ENV


def _serve(address: str, preload: list[str], parent: int) -> None:
    """Zygote main loop: import, listen, fork one kernel per request, until ``parent`` goes."""
    import importlib

    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C is for the batch, which stops us
    for name in preload:
        if name:
            importlib.import_module(name)
    try:
        importlib.import_module("wres.batch.warm").warm_up()
    except Exception as error:  # noqa: BLE001 - a cold kernel is slower, not wrong
        print(f"wres: kernel warm-up skipped ({error})", file=sys.stderr)
    # Everything imported and warmed so far lives as long as the kernels: moved out of the
    # collector's reach, a kernel's collections do not walk it (a third of their time) nor
    # write to its pages (which would copy them from the zygote, as Python's docs warn).
    gc.collect()
    gc.freeze()
    # Kernels that exit are reaped here (`_reap`), so their CPU time counts in ours and
    # in the batch's (``getrusage``); until then `ForkedProcess` sees them as zombies.
    signal.signal(signal.SIGTERM, _reap_and_exit)
    listener = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    tmp = address + ".tmp"
    listener.bind(tmp)
    listener.listen(16)
    os.rename(tmp, address)  # appears only once ready
    listener.settimeout(0.5)
    while True:
        _reap()
        try:
            conn, _ = listener.accept()
        except TimeoutError:
            if os.getppid() != parent:  # the process that started us has gone
                break
            continue
        conn.settimeout(10)  # a client that connects and says nothing must not stall us
        with conn:
            try:
                request = json.loads(conn.makefile("rb").readline())
            except (OSError, ValueError):
                continue  # the client went before asking
            pid = os.fork()
            if pid == 0:
                listener.close()
                _become_kernel(conn, request)
            try:
                conn.sendall(json.dumps({"pid": pid}).encode() + b"\n")
            except OSError:
                os.kill(pid, signal.SIGKILL)  # the client went: nobody will drive this kernel
    listener.close()
    os.unlink(address)
    try:
        os.rmdir(os.path.dirname(address))  # the owner's close() may not come (it was killed)
    except OSError:
        pass
    _reap()


def _reap_and_exit(*_: object) -> None:
    """SIGTERM in the zygote: reap the kernels that have gone, then exit at once."""
    _reap()
    os._exit(0)


def _reap() -> None:
    """Collect every child kernel that has exited (never waits for one still running)."""
    while True:
        try:
            pid, _ = os.waitpid(-1, os.WNOHANG)
        except ChildProcessError:
            return
        if pid == 0:
            return


def _become_kernel(conn: socket.socket, request: dict[str, Any]) -> None:
    """In the forked child: detach, then run an IPython kernel until shut down."""
    code = 0
    try:
        conn.close()
        signal.signal(signal.SIGTERM, signal.SIG_DFL)
        signal.signal(signal.SIGINT, signal.default_int_handler)  # interrupts reach the kernel
        os.setsid()
        os.environ.update(request.get("env") or {})
        os.environ.update(KERNEL_ENV)
        if request.get("cwd"):
            os.chdir(request["cwd"])
        if sys.path and sys.path[0] in ("", os.getcwd()):
            sys.path.pop(0)
        sys.path.insert(0, "")
        app = _kernel_app(request["connection_file"])
        app.initialize([])
        app.start()
    except BaseException:  # noqa: BLE001 - a kernel that fails to start must still exit
        code = 1
    finally:
        os._exit(code)


def _kernel_app(connection_file: str) -> Any:
    """ipykernel's kernel application for ``connection_file``, set up as `_KernelApp` says."""
    from ipykernel.kernelapp import IPKernelApp
    from traitlets.config import Config

    class _KernelApp(IPKernelApp):
        """``IPKernelApp`` given its settings as a traitlets ``Config``, not a command line.

        Reading a command line, even an empty one, builds an ``argparse`` parser of every
        option of every configurable class: about a fifth of a forked kernel's start
        (16 of 85 ms, under cProfile; 57 → 43 ms of CPU unprofiled, with the zygote's
        imports of what kernels imported as they started). The settings are what the command line
        ``-f FILE --HistoryManager.enabled=False --IPKernelApp.outstream_class=...
        --IPKernelApp.parent_handle=PID`` would give, with the same precedence over
        configuration files, and the kernel class of `wres.batch.kernel_shell`.
        """

        def parse_command_line(self, argv: Any = None) -> None:
            settings = Config()
            settings.IPKernelApp.connection_file = connection_file
            settings.IPKernelApp.outstream_class = OUTSTREAM_CLASS
            settings.IPKernelApp.kernel_class = KERNEL_CLASS
            # exit if the zygote goes (it goes when the worker that started it goes)
            settings.IPKernelApp.parent_handle = os.getppid()
            settings.HistoryManager.enabled = False
            self.argv, self.extra_args = [], []
            self.cli_config = settings
            self.update_config(settings)

        def get_default_logging_config(self) -> dict[str, Any]:
            """traitlets' logging set-up, with the logger at the handler's level.

            traitlets leaves the logger at DEBUG and lets only its handler drop what is
            below ``log_level``, so each of ipykernel's debug messages (three for every
            message the kernel handles) was made into a record and then dropped. At the
            same level, what is written is the same, and a debug call costs a level check.
            """
            config: dict[str, Any] = super().get_default_logging_config()
            for logger in config.get("loggers", {}).values():
                logger["level"] = self.log_level
            return config

    return _KernelApp.instance()


if __name__ == "__main__":
    _serve(sys.argv[1], sys.argv[2].split(",") if len(sys.argv) > 2 else [],
           int(sys.argv[3]) if len(sys.argv) > 3 else os.getppid())
