"""Where runs execute: drivers forked from a batch host on this machine, or a Dask cluster.

Both give back a `concurrent.futures.Future` per run, resolved with the run's
record, so `wres.batch.run` schedules them alike.
"""

from __future__ import annotations

import logging
import os
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import asdict
from pathlib import Path
from typing import Any

from wres.batch.execute import execution_profiles, init_worker, run_in_worker
from wres.batch.host import SLACK, Host, HostGone, start_private
from wres.batch.plan import RunSpec, log


class _HostExecutor:
    """Runs sent to a batch host, at most ``jobs`` at a time: one thread and one driver
    process for each, which does its runs one after another (a kept connection).

    Parameters
    ----------
    jobs : int
        Runs at once.
    lock_fd : int, optional
        The output folder's lock, passed to every driver (see `wres.batch.lock`).
    warm : tuple of (package hash, versions, idle seconds), optional
        Use (or start) the warm host of `wres.batch.resident` instead of a
        host of this batch's own.
    """

    def __init__(self, jobs: int, *, lock_fd: int | None = None,
                 warm: tuple[str, dict[str, str], float] | None = None) -> None:
        self.capacity = jobs
        self.private = True
        self.host: Host
        if warm is not None:
            from wres.batch.resident import connect_or_start

            try:
                self.host = connect_or_start(*warm)
                self.private = False
            except (OSError, HostGone) as error:
                log.warning("no warm host (%s); this batch starts a host of its own", error)
        if self.private:
            self.host = start_private()
        self.fds = [lock_fd] if lock_fd is not None else []
        self.pool = ThreadPoolExecutor(max_workers=jobs, thread_name_prefix="wres-run")

    def submit(self, run: RunSpec, provenance: dict[str, Any]) -> Future[dict[str, Any]]:
        timeout = run.timeout * len(execution_profiles(run)) + SLACK
        request = {"op": "run", "run": asdict(run), "provenance": provenance}
        return self.pool.submit(self.host.request, request, fds=self.fds, timeout=timeout,
                                keep=True)

    def consolidate(self, output_dir: Path, manifest: dict[str, Any]) -> bool:
        """Write results.csv and index.html in a driver (pandas is already imported there)."""
        reply = self.host.request({"op": "consolidate", "output_dir": str(output_dir),
                                   "manifest": manifest}, fds=self.fds, timeout=SLACK)
        if reply.get("status") != "ok":
            raise RuntimeError(reply.get("error") or "consolidation failed")
        return True

    def close(self, *, abort: bool = False) -> None:
        if abort:
            self.host.abort()
        self.pool.shutdown(wait=True, cancel_futures=True)
        self.host.close_kept()
        if self.private:
            self.host.stop()


class _DaskExecutor:
    """The same runs on a Dask distributed cluster (``local`` or ``tcp://host:port``)."""

    def __init__(self, scheduler: str, jobs: int) -> None:
        from dask.distributed import Client, LocalCluster

        self.capacity = 1 << 30  # the cluster queues them itself
        self.cluster = None
        if scheduler == "local":
            # Dask's scheduler and workers log their start and stop at INFO: not run output.
            logging.getLogger("distributed").setLevel(logging.WARNING)
            # dashboard_address=None does not turn the dashboard off (dask/distributed#8136):
            # it would listen on every interface at :8787; bind it to this machine, any port.
            self.cluster = LocalCluster(n_workers=jobs, threads_per_worker=1, processes=True,
                                        dashboard_address="127.0.0.1:0")
            self.client = Client(self.cluster)
        else:
            self.client = Client(scheduler)
        self.client.run(init_worker)  # every worker at once, before the first run reaches it

    def submit(self, run: RunSpec, provenance: dict[str, Any]) -> Future[dict[str, Any]]:
        done: Future[dict[str, Any]] = Future()
        remote = self.client.submit(run_in_worker, run, provenance, key=f"wres-{run.id}",
                                    pure=False)

        def settle(finished: Any) -> None:
            try:
                done.set_result(finished.result())
            except BaseException as error:  # noqa: BLE001 - becomes the run's failure
                done.set_exception(error)

        remote.add_done_callback(settle)
        return done

    def consolidate(self, output_dir: Path, manifest: dict[str, Any]) -> bool:
        return False  # done by the batch itself

    def close(self, *, abort: bool = False) -> None:
        self.client.close()
        if self.cluster is not None:
            self.cluster.close()


Executor = _HostExecutor | _DaskExecutor


def make_executor(scheduler: str | None, jobs: int | None, *, lock_fd: int | None = None,
                  warm: tuple[str, dict[str, str], float] | None = None) -> Executor:
    jobs = jobs or os.cpu_count() or 1
    if scheduler:
        return _DaskExecutor(scheduler, jobs)
    return _HostExecutor(jobs, lock_fd=lock_fd, warm=warm)
