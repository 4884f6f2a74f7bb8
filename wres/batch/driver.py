"""A driver: the process the batch host forks for a connection, doing the runs sent on it.

For each request the driver executes the run's notebook in a kernel forked from the
zygote, renders its pages, installs its outputs and replies with the run's record
(`wres.batch.execute.execute_run`), then waits for the next request on the same
connection; it exits when the connection closes. A batch keeps one connection, and so
one driver, for each run it has under way at once (`wres.batch.host`).
"""

from __future__ import annotations

import os
import socket
import sys
import threading
from pathlib import Path
from typing import Any

from wres.batch import kernels
from wres.batch.execute import abandon, describe_error, execute_run, use_batch_cache
from wres.batch.host import read_request, send_reply
from wres.batch.plan import RunSpec


def warm_up_driver() -> None:
    """Import what drivers use, find the kernel spec, render a tiny page once (templates,
    lexers, filters) and every notebook's code cells (`wres.batch.render.warm_code_cells`).

    The batch host does this before it forks its drivers; a Dask worker, which drives
    its runs itself, when it starts (`wres.batch.execute.init_worker`).
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


def drive(conn: socket.socket, request: dict[str, Any], fds: list[int]) -> int:
    """In a forked driver: do each request sent on ``conn``, replying to each, until the
    client closes it; stop at once if the client goes while a request is under way.

    ``fds`` (the batch's lock, `wres.batch.lock`) came with the request and are held
    until its reply is sent; each later request brings its own.
    """
    while request:
        if not _do_request(conn, request):
            return 1
        for fd in fds:
            os.close(fd)
        try:
            request, fds = read_request(conn)
        except (OSError, ValueError):
            return 1
    return 0


def _do_request(conn: socket.socket, request: dict[str, Any]) -> bool:
    """Do one request and send its reply (False if the client has gone)."""
    installing = threading.Lock()
    finished = threading.Event()

    def watch() -> None:
        try:  # the client sends nothing until it has the reply: this returns when it goes
            conn.recv(1, socket.MSG_PEEK)  # (or with its next request, left to be read)
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
        return False
    return True
