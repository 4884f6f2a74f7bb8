"""Where runs execute: a local process pool or a Dask cluster, with progress.
"""

from __future__ import annotations

import os
from collections.abc import Iterable
from typing import Any

from wres.batch.execute import describe_error, init_worker, run_in_worker
from wres.batch.plan import RunSpec


def _outcomes(futures: dict[Any, RunSpec], as_completed: Any) -> Iterable[tuple]:
    """Each run with its record as it finishes; a worker that died is one failed run."""
    for future in as_completed(futures):
        run = futures[future]
        try:
            yield run, future.result()
        except Exception as error:  # noqa: BLE001 - the batch goes on
            yield run, {"status": "failed", "error": describe_error(error)}


class _LocalExecutor:
    """A pool of worker processes; results come back as each run finishes."""

    def __init__(self, jobs: int) -> None:
        import multiprocessing
        from concurrent.futures import ProcessPoolExecutor

        self.pool = ProcessPoolExecutor(max_workers=jobs,
                                        mp_context=multiprocessing.get_context("spawn"),
                                        initializer=init_worker)

    def map(self, runs: list[RunSpec], provenance: dict[str, Any]) -> Iterable[tuple]:
        from concurrent.futures import as_completed

        futures = {self.pool.submit(run_in_worker, run, provenance): run for run in runs}
        return _outcomes(futures, as_completed)

    def close(self) -> None:
        self.pool.shutdown(wait=True, cancel_futures=True)


class _DaskExecutor:
    """The same runs on a Dask distributed cluster (``local`` or ``tcp://host:port``)."""

    def __init__(self, scheduler: str, jobs: int) -> None:
        from dask.distributed import Client, LocalCluster

        self.cluster = None
        if scheduler == "local":
            self.cluster = LocalCluster(n_workers=jobs, threads_per_worker=1, processes=True,
                                        dashboard_address=None)
            self.client = Client(self.cluster)
        else:
            self.client = Client(scheduler)

    def map(self, runs: list[RunSpec], provenance: dict[str, Any]) -> Iterable[tuple]:
        from dask.distributed import as_completed

        futures = {self.client.submit(run_in_worker, run, provenance, key=f"wres-{run.id}",
                                      pure=False): run for run in runs}
        return _outcomes(futures, as_completed)

    def close(self) -> None:
        self.client.close()
        if self.cluster is not None:
            self.cluster.close()


def make_executor(scheduler: str | None, jobs: int | None) -> _LocalExecutor | _DaskExecutor:
    jobs = jobs or os.cpu_count() or 1
    if scheduler:
        return _DaskExecutor(scheduler, jobs)
    return _LocalExecutor(jobs)
