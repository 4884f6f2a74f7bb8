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
    km = ForkKernelManager(kernel_name="python3")
    await km.start_kernel()
    print(json.dumps({"outputs": pids, "orphan": km.provisioner.pid}), flush=True)
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
    orphan = report["orphan"]
    assert psutil.pid_exists(orphan)
    assert not [c for c in psutil.Process(orphan).net_connections(kind="tcp")
                if c.status == psutil.CONN_LISTEN]
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
