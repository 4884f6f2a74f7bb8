"""Kernels forked from the zygote: fresh processes, IPC transport, no orphans."""

from __future__ import annotations

import subprocess
import sys
import time
from pathlib import Path

import psutil

WORKER = r"""
import asyncio, json, os, time
from jupyter_client import AsyncKernelClient
from wres.batch.kernels import ForkKernelManager

async def main():
    pids = []
    for _ in range(2):
        km = ForkKernelManager(kernel_name="python3")
        await km.start_kernel()
        client = km.client()
        client.start_channels()
        await client.wait_for_ready(timeout=60)
        reply = await client.execute_interactive(
            "import os, pandas; print(os.getpid(), os.getppid())", timeout=60,
            output_hook=lambda msg: pids.append(msg["content"].get("text", "").split()))
        info = km.get_connection_info()
        client.stop_channels()
        pids.append(["transport", info["transport"]])
        await km.shutdown_kernel(now=True)
    import psutil
    from wres.batch.kernels import get_zygote
    zygote, deadline, reaped = psutil.Process(get_zygote()._process.pid), time.time() + 10, 0.0
    while not reaped and time.time() < deadline:  # the zygote reaps its kernels as they go
        times = zygote.cpu_times()
        reaped = times.children_user + times.children_system
        time.sleep(0.1)
    km = ForkKernelManager(kernel_name="python3")
    await km.start_kernel()
    client = km.client()
    client.start_channels()
    await client.wait_for_ready(timeout=60)  # every socket it will open is open
    client.stop_channels()
    print(json.dumps({"outputs": pids, "orphan": km.provisioner.pid, "reaped": reaped}),
          flush=True)
    time.sleep(120)

asyncio.run(main())
"""


def test_each_kernel_is_a_fresh_process_on_ipc_and_dies_with_its_worker():
    worker = subprocess.Popen([sys.executable, "-c", WORKER], stdout=subprocess.PIPE,
                              text=True)
    import json

    report = json.loads(worker.stdout.readline())
    outputs = [o for o in report["outputs"] if o and o[0] != "transport"]
    transports = {o[1] for o in report["outputs"] if o and o[0] == "transport"}
    assert transports == {"ipc"}
    kernel_pids = [int(o[0]) for o in outputs]
    assert len(set(kernel_pids)) == 2, "every notebook gets a process of its own"
    zygotes = {int(o[1]) for o in outputs}
    assert len(zygotes) == 1 and zygotes.pop() != worker.pid  # forked from the warm parent
    # reaped by the zygote: the kernels' CPU time counts in the batch's (bench_national.py)
    assert report["reaped"] > 0
    orphan = report["orphan"]
    assert psutil.pid_exists(orphan)
    # Its channels are on IPC: the one TCP port a ready kernel listens on is ipykernel's pipe
    # for the output of processes a notebook forks, on the loopback interface only.
    listening = [c for c in psutil.Process(orphan).net_connections(kind="tcp")
                 if c.status == psutil.CONN_LISTEN]
    assert len(listening) <= 1 and all(c.laddr.ip == "127.0.0.1" for c in listening)
    worker.kill()
    worker.wait()
    deadline = time.monotonic() + 15
    while time.monotonic() < deadline:
        if not psutil.pid_exists(orphan) or psutil.Process(orphan).status() == "zombie":
            break
        time.sleep(0.2)
    else:
        raise AssertionError("a kernel outlived its worker")


def test_a_zygote_whose_parent_dies_while_it_imports_exits():
    parent = subprocess.Popen(
        [sys.executable, "-c", "from wres.batch.kernels import KernelZygote; "
         "print(KernelZygote(preload=()).address, flush=True)"],
        stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
    address = parent.stdout.readline().strip()
    parent.wait(60)  # gone at once, while its zygote is still importing
    zygotes = [p for p in psutil.process_iter(["cmdline"])
               if address in " ".join(p.info["cmdline"] or [])]
    assert len(zygotes) == 1
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline and zygotes[0].is_running() \
            and zygotes[0].status() != psutil.STATUS_ZOMBIE:
        time.sleep(0.2)
    assert not zygotes[0].is_running() or zygotes[0].status() == psutil.STATUS_ZOMBIE
    assert not Path(address).parent.exists()  # it removed its private folder too


ONE_NOTEBOOK = r"""
import json, os, sys
import nbformat
from nbformat.v4 import new_code_cell, new_notebook
from papermill.engines import papermill_engines
from papermill.iorw import load_notebook_node
from papermill.parameterize import parameterize_notebook
from wres.batch.engine import SHARED_KERNEL_ENGINE, shared_kernel

path = sys.argv[1]
nbformat.write(new_notebook(cells=[
    new_code_cell('profile = "analyst"', metadata={"tags": ["parameters"]}),
    new_code_cell("import os\nprint(os.getpid(), 'earlier' in globals(), "
                  "get_ipython().execution_count)\nearlier = profile"),
    new_code_cell("shown = profile.upper()\nshown"),
    new_code_cell("shown.lower()", metadata={"tags": ["analyst-only"]}),
    new_code_cell("shown[:3]", metadata={"tags": ["analyst-only"]}),
    new_code_cell("shown[1:]"),
    new_code_cell("print(get_ipython().execution_count)"),
], metadata={"kernelspec": {"name": "python3", "language": "python",
                            "display_name": "Python 3"}}), path)
seen, results, counts, timings = [], [], [], []
with shared_kernel() as km:
    for number, profile in enumerate(["analyst", "publication"]):
        nb = parameterize_notebook(load_notebook_node(path), {"profile": profile})
        nb = papermill_engines.execute_notebook_with_engine(
            SHARED_KERNEL_ENGINE, nb, input_path=path, output_path=None, kernel_name="python3",
            progress_bar=False, km=km, reset=number > 0, results=number == 0)
        pid, saw, first_count = nb.cells[-6].outputs[0]["text"].split()
        seen.append([pid, saw])
        results.append([[o["data"]["text/plain"] for o in cell.outputs]
                        for cell in nb.cells[-5:-1]])
        ran = int(nb.cells[-1].outputs[0]["text"]) - int(first_count)  # cells run after
        counts.append([ran, [cell.execution_count for cell in nb.cells[-5:-1]]])
        timings.append(sorted({key for cell in nb.cells[-5:]
                               for key in cell.metadata.get("execution", {})}))
    kernel = km.provisioner.pid
print(json.dumps({"seen": seen, "kernel": kernel, "results": results, "counts": counts,
                  "timings": timings}))
"""


def test_a_notebooks_two_executions_share_one_kernel_that_forgets_between_them(tmp_path):
    """Analyst then publication execution: one fresh process, the second sees no name of
    the first, displays no cell's last value, leaves out the cells that would only show
    one and records no timings, and the process is gone once the notebook is done."""
    import json

    done = subprocess.run([sys.executable, "-c", ONE_NOTEBOOK, str(tmp_path / "one.ipynb")],
                          capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    report = json.loads(done.stdout.strip().splitlines()[-1])
    (first_pid, first_saw), (second_pid, second_saw) = report["seen"]
    assert first_pid == second_pid == str(report["kernel"])
    assert first_saw == second_saw == "False"  # `earlier` was emptied with the namespace
    # The second execution (made only into a publication page) shows no cell's last value
    assert report["results"] == [[["'ANALYST'"], ["'analyst'"], ["'ANA'"], ["'NALYST'"]],
                                 [[], [], [], []]]
    # ... and leaves out the analyst-only cell that would only show one (`shows_only`); the
    # one before calls a method, the one after is not analyst-only: both run (four cells
    # ran after the first, against five in the first execution)
    (first_ran, first_counts), (second_ran, second_counts) = report["counts"]
    assert (first_ran, second_ran) == (5, 4)
    # ... and records neither counts nor timings (its kernel is quiet: `BatchKernel.quiet`);
    # the kept (first) execution records both, with nbclient's four timings
    assert None not in first_counts and second_counts == [None] * 4
    assert report["timings"] == [["iopub.execute_input", "iopub.status.busy",
                                  "iopub.status.idle", "shell.execute_reply"], []]
    assert not psutil.pid_exists(report["kernel"]) or \
        psutil.Process(report["kernel"]).status() == psutil.STATUS_ZOMBIE


#: The start of a script that drives one forked kernel, ready, collecting into ``seen``.
A_READY_KERNEL = r"""
import asyncio, json
from wres.batch.kernels import ForkKernelManager

async def main():
    km = ForkKernelManager(kernel_name="python3")
    await km.start_kernel()
    client = km.client()
    client.start_channels()
    await client.wait_for_ready(timeout=60)
    seen = []
"""

STREAMS = A_READY_KERNEL + r"""
    for code in ("import sys; print(type(sys.stdout).__name__, type(sys.stderr).__name__)",
                 "pass",
                 "print('one'); sys.stderr.write('two')",
                 "import threading; t = threading.Thread(target=print, args=('three',)); "
                 "t.start(); t.join()"):
        streams = []
        await client.execute_interactive(
            code, timeout=60, output_hook=lambda msg: streams.append(
                [msg["content"]["name"], msg["content"]["text"]])
            if msg["msg_type"] == "stream" else None)
        seen.append(streams)
    client.stop_channels()
    await km.shutdown_kernel(now=True)
    print(json.dumps(seen))

asyncio.run(main())
"""


def test_kernel_output_reaches_the_cell_that_wrote_it_with_empty_flushes_skipped():
    """The zygote's kernels write through `BatchOutStream`: a cell that prints nothing gets
    no stream message, and text written by a cell (or a thread it joins) arrives before the
    cell is done, on the stream it was written to."""
    import json

    done = subprocess.run([sys.executable, "-c", STREAMS], capture_output=True, text=True,
                          timeout=120)
    assert done.returncode == 0, done.stderr
    kinds, nothing, both, threaded = json.loads(done.stdout.strip().splitlines()[-1])
    assert kinds == [["stdout", "BatchOutStream BatchOutStream\n"]]
    assert nothing == []
    assert sorted(both) == [["stderr", "two"], ["stdout", "one\n"]]
    assert threaded == [["stdout", "three\n"]]


SETTINGS = A_READY_KERNEL + r"""
    code = ("import json, os, sys; from ipykernel.kernelapp import IPKernelApp; "
            "app = IPKernelApp.instance(); shell = get_ipython(); "
            "print(json.dumps([app.connection_file, app.parent_handle == os.getppid(), "
            "shell.history_manager.enabled, type(sys.stdout).__name__, "
            "'-f' in sys.argv or any('--' in a for a in app.argv), "
            "type(app.kernel).__name__, type(shell).__name__, app.kernel._execute_sleep]))")
    await client.execute_interactive(code, timeout=60, output_hook=lambda msg: seen.append(
        msg["content"]["text"]) if msg["msg_type"] == "stream" else None)
    client.stop_channels()
    await km.shutdown_kernel(now=True)
    print(json.dumps({"seen": json.loads(seen[0]), "file": km.connection_file}))

asyncio.run(main())
"""


def test_a_forked_kernel_has_the_settings_its_command_line_used_to_give():
    """The zygote gives each kernel its settings directly (no command line is parsed): the
    connection file it was asked for, the zygote as the parent whose exit ends it, history
    off, and `BatchOutStream` for its output."""
    import json

    done = subprocess.run([sys.executable, "-c", SETTINGS], capture_output=True, text=True,
                          timeout=120)
    assert done.returncode == 0, done.stderr
    report = json.loads(done.stdout.strip().splitlines()[-1])
    connection_file, parent_is_zygote, history, stream, parsed, kernel, shell, sleep = \
        report["seen"]
    assert connection_file == report["file"]
    assert parent_is_zygote is True
    assert history is False
    assert stream == "BatchOutStream"
    assert parsed is False
    assert (kernel, shell, sleep) == ("BatchKernel", "BatchShell", 0)


QUIET = A_READY_KERNEL + r"""
    for code in ("x = 1", "get_ipython().kernel.quiet = True", "print(x)",
                 "get_ipython().kernel.quiet = False", "print(x + 1)"):
        kinds = []
        reply = await client.execute_interactive(code, timeout=60, output_hook=lambda msg: (
            kinds.append(msg["content"].get("execution_state", msg["msg_type"]))))
        seen.append([reply["content"]["status"], kinds])
    client.stop_channels()
    await km.shutdown_kernel(now=True)
    print(json.dumps(seen))

asyncio.run(main())
"""


def test_a_quiet_kernel_sends_a_cells_outputs_and_idle_status_only():
    """`BatchKernel.quiet` leaves out the messages only timings need: a quiet kernel sends
    no ``busy`` status and no ``execute_input`` for a cell, still its output, its ``idle``
    status and its reply; set back, it sends all five."""
    import json

    done = subprocess.run([sys.executable, "-c", QUIET], capture_output=True, text=True,
                          timeout=120)
    assert done.returncode == 0, done.stderr
    seen = json.loads(done.stdout.strip().splitlines()[-1])
    loud, quietening, quiet, loudening, loud_again = seen
    assert loud == ["ok", ["busy", "execute_input", "idle"]]
    assert quietening == ["ok", ["busy", "execute_input", "idle"]]  # quiet from the next cell
    assert quiet == ["ok", ["stream", "idle"]]
    assert loudening == ["ok", ["idle"]]
    assert loud_again == ["ok", ["busy", "execute_input", "stream", "idle"]]


TRANSFORMS = A_READY_KERNEL + r"""
    count = ("shell = get_ipython(); manager = shell.input_transformer_manager; "
             "original = manager.transform_cell; calls = []\n"
             "def counted(cell):\n    calls.append(cell)\n    return original(cell)\n"
             "manager.transform_cell = counted")
    cells = [count, "x = 1", "x = 1", "y = x + 1\n%time z = y", "len(calls), y, z",
             "def broken(:", "print(len(calls))"]
    for code in cells:
        reply = await client.execute_interactive(
            code, timeout=60, output_hook=lambda msg: seen.append(msg["content"]["text"])
            if msg["msg_type"] == "stream" else None)
        seen.append(reply["content"]["status"])
    client.stop_channels()
    await km.shutdown_kernel(now=True)
    print(json.dumps(seen))

asyncio.run(main())
"""


def test_a_forked_kernel_transforms_each_cell_once():
    """ipykernel asks for a cell's transform twice before running it; `BatchShell` works it
    out once. The same text sent again is transformed again, IPython syntax still works,
    and a cell that cannot be transformed fails as it would in any kernel."""
    import json

    done = subprocess.run([sys.executable, "-c", TRANSFORMS], capture_output=True, text=True,
                          timeout=120)
    assert done.returncode == 0, done.stderr
    seen = json.loads(done.stdout.strip().splitlines()[-1])
    statuses = [item for item in seen if item in ("ok", "error")]
    assert statuses == ["ok", "ok", "ok", "ok", "ok", "error", "ok"]
    # once each: the two "x = 1", the %time cell (and the statement %time transforms
    # itself), the reading cell, the broken one and this one; twice each would be 13
    assert seen[-2] == "7\n"


def test_a_cell_shows_only_a_value_when_it_is_one_expression_that_calls_nothing():
    """`shows_only` picks the cells an execution that shows no values can leave out:
    reading rows and columns, comparing, arithmetic. Anything that calls, binds a name or
    iterates (using up an iterator) or is not plain Python is run."""
    from wres.batch.engine import shows_only

    for source in ('rl.loc[rl["year"] == year,\n    ["service", "group", "rate"]]',
                   "rl", "rl.columns", "(rl['rate'] * 100).round", "x + 1  # a comment",
                   "[a, b][0]", "{'a': x}"):
        assert shows_only(source), source
    for source in ("tables.counts_pivot(counts)", "rl.drop(columns='rate', inplace=True)",
                   "rl['rate'].sum()", "y = x", "x\ny", "(y := x)", "print(x)", "import os",
                   "%time x", "!ls", "x ?", "", "# only a comment", "del x", "[a for a in rows]",
                   "[*rows]", "def broken(:"):
        assert not shows_only(source), source
