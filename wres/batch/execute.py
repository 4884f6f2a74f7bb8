"""Executing one run in a worker: papermill in a forked kernel, then its pages.
"""

from __future__ import annotations

import gc
import os
import shutil
import time
import traceback
from contextlib import AbstractContextManager, nullcontext
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, Protocol, cast

from wres.batch.outputs import file_facts, install, make_durable, new_staging, write_durably
from wres.batch.plan import NOTEBOOKS, RunSpec
from wres.core.cache import CACHE_ENV, CACHE_FOLDER
from wres.core.indicators import INDICATORS
from wres.core.names import BENCHMARK, SUMMARY

# --- executing one run (in a worker) --------------------------------------------------------


def output_paths(run: RunSpec) -> dict[str, str]:
    """Output files of a run, relative to the batch output folder."""
    rel = Path(run.final_dir).relative_to(run.output_dir)
    paths = {
        "notebook": str(rel / f"{run.notebook}.ipynb"),
        "html": str(rel / f"{run.notebook}.html"),
        "publication_html": str(rel / f"{run.notebook}.publication.html"),
    }
    if run.indicator is not None:
        paths["results"] = str(rel / f"{run.notebook}.results.csv")
    if run.notebook == BENCHMARK:
        paths["national"] = str(rel / "national.csv")
    return paths


def execution_profiles(run: RunSpec) -> tuple[str, ...]:
    """The profiles a run executes, the kept one first: analyst then publication, or publication.

    The analyst execution is the notebook kept under ``outputs/``; the
    publication execution (same notebook, ``profile="publication"``, in the same
    fresh kernel, its namespace emptied first: `wres.batch.engine`) gives the
    publication page. A run whose
    parameters already ask for the publication profile (the national view)
    executes once.
    """
    if run.parameters.get("profile") == "publication":
        return ("publication",)
    return ("analyst", "publication")


def use_batch_cache(output_dir: str | Path) -> None:
    """Use the cache (`wres.core.cache`) of the batch writing ``output_dir``, if it has one.

    Kernels inherit the variable from this process; a driver runs one run, a
    Dask worker runs many, so it is set (or cleared) for every run.
    """
    folder = Path(output_dir) / CACHE_FOLDER
    if folder.is_dir():
        os.environ[CACHE_ENV] = str(folder)
    else:
        os.environ.pop(CACHE_ENV, None)


def _execute(run: RunSpec, profile: str, output_dir: Path, km: Any, *, reset: bool,
             results: bool) -> Any:
    """Execute the run's notebook with ``profile`` in the kernel of ``km``; the executed notebook.

    ``reset``: the kernel has run an execution before; ``results``: display each cell's
    last value (`wres.batch.engine.preparation`).

    What ``papermill.execute_notebook(path, None, ...)`` does, less the JSON text
    of the executed notebook it makes at the end and throws away when there is
    no output path (a fifth of a driver's work per execution): the parameters
    are injected, the papermill metadata recorded and a failing cell raises
    ``PapermillExecutionError`` just the same.
    """
    from papermill.engines import papermill_engines
    from papermill.execute import (
        prepare_notebook_metadata,
        raise_for_execution_errors,
        remove_error_markers,
    )
    from papermill.iorw import load_notebook_node
    from papermill.parameterize import parameterize_notebook
    from papermill.utils import chdir

    from wres.batch.engine import SHARED_KERNEL_ENGINE

    parameters = {**run.parameters, "profile": profile, "output_dir": str(output_dir)}
    nb = parameterize_notebook(load_notebook_node(run.notebook_path), parameters,
                               kernel_name="python3")
    nb = remove_error_markers(prepare_notebook_metadata(nb, run.notebook_path, None))
    with chdir(str(NOTEBOOKS)):
        nb = papermill_engines.execute_notebook_with_engine(
            SHARED_KERNEL_ENGINE, nb, input_path=run.notebook_path, output_path=None,
            kernel_name="python3", progress_bar=False, log_output=False, start_timeout=60,
            km=km, reset=reset, results=results, execution_timeout=run.timeout,
        )
    raise_for_execution_errors(nb, None)
    return nb


def execute_run(run: RunSpec, provenance: dict[str, Any],
                guard: AbstractContextManager[Any] | None = None) -> dict[str, Any]:
    """Execute one notebook, render both pages, check them, and move every output into place.

    Never raises for a failing notebook: the error is returned in the record.
    Outputs are staged and installed together (`wres.batch.outputs`): a run that
    fails at any point, a full disk included, writes nothing, and its previous
    outputs, if any, are left as they were. ``guard`` is held while the outputs
    are installed (a driver holds off being stopped during the renames).
    """
    import nbformat

    from wres.batch.engine import shared_kernel
    from wres.batch.render import render_html

    started = datetime.now(UTC).isoformat(timespec="seconds")
    t0 = time.perf_counter()
    record: dict[str, Any] = {"status": "failed", "error": None, "started": started}
    staging: Path | None = None
    try:
        staging = new_staging(Path(run.output_dir))
        _STAGING.add(staging)
        use_batch_cache(run.output_dir)
        profiles = execution_profiles(run)
        with shared_kernel() as km:  # one fresh kernel for the notebook's executions
            # Only the first execution is kept as a notebook and an analyst page; the
            # others only make publication pages, which never show a cell's last value.
            executed = {profile: _execute(run, profile, _ensure(staging / profile), km,
                                          reset=number > 0, results=number == 0)
                        for number, profile in enumerate(profiles)}
        t1 = time.perf_counter()
        title, footer = _title(run), _footer(run, provenance)
        kept = executed[profiles[0]]  # the notebook kept under outputs/, with its files
        pages = {
            "notebook": nbformat.writes(kept),
            "html": render_html(kept, "analyst", title=title, provenance=footer),
            "publication_html": render_html(executed["publication"], "publication",
                                            title=title, provenance=footer,
                                            min_count=int(run.parameters.get("min_count", 5))),
        }
        t2 = time.perf_counter()
        outputs = output_paths(run)
        staged: dict[str, Path] = {
            name: staging / profiles[0] / Path(outputs[name]).name
            for name in ("results", "national") if name in outputs}
        for produced in staged.values():
            if not produced.is_file():
                raise RuntimeError(f"the notebook did not write {produced.name}")
            make_durable(produced)
        for name, text in pages.items():
            staged[name] = staging / f"{name}.out"
            write_durably(staged[name], text.encode("utf-8"))
        files = {name: file_facts(path) for name, path in staged.items()}
        out = Path(run.output_dir)
        with guard if guard is not None else nullcontext():
            install({out / outputs[name]: path for name, path in staged.items()}, staging)
        record.update(status="ok", outputs=outputs, files=files,
                      timings={"execute": round(t1 - t0, 3), "render": round(t2 - t1, 3)})
    except Exception as error:  # noqa: BLE001 - any failure is recorded, the batch goes on
        record["error"] = describe_error(error)
    finally:
        if staging is not None:
            shutil.rmtree(staging, ignore_errors=True)
            _STAGING.discard(staging)
    record["timings"] = {**record.get("timings", {}), "total": round(time.perf_counter() - t0, 3)}
    record["finished"] = datetime.now(UTC).isoformat(timespec="seconds")
    return record


#: Staging folders of the runs under way in this process (see `abandon`).
_STAGING: set[Path] = set()


def abandon() -> None:
    """Remove the staging folders of the runs under way: a driver told to stop calls this."""
    for staging in list(_STAGING):
        shutil.rmtree(staging, ignore_errors=True)
    _STAGING.clear()


def _ensure(path: Path) -> Path:
    path.mkdir(parents=True, exist_ok=True)
    return path


class _NotebookError(Protocol):
    """What `describe_error` reads of papermill's ``PapermillExecutionError``."""

    ename: str
    evalue: str


def describe_error(error: BaseException) -> str:
    """One readable line for a failure: the notebook's own error where there is one."""
    name = type(error).__name__
    if name == "PapermillExecutionError":  # by name, so papermill need not be imported here
        notebook_error = cast(_NotebookError, error)
        return f"{notebook_error.ename}: {notebook_error.evalue}".strip()
    text = str(error).strip() or traceback.format_exception_only(error)[-1].strip()
    return f"{name}: {text}"


def _title(run: RunSpec) -> str:
    if run.indicator is not None:
        return f"{run.authority} {run.year}: indicator {run.indicator}, " \
               f"{INDICATORS[run.indicator].title}"
    if run.notebook == SUMMARY:
        return f"{run.authority} {run.year}: SC-WRES summary"
    return f"National view {run.year}: benchmarks across authorities"


def _footer(run: RunSpec, provenance: dict[str, Any]) -> dict[str, Any]:
    items = [("run", run.id), ("input key", run.key),
             ("notebook sha256", run.inputs["notebook"])]
    items += [(f"data {Path(p).name} sha256", h) for p, h in run.inputs["data"].items()]
    items += [("wres package sha256", run.inputs["package"]),
              ("git commit", provenance.get("git_commit") or "unknown"),
              ("packages", ", ".join(f"{k} {v}" for k, v in provenance["packages"].items()))]
    summary = (f"Produced by wres {provenance['packages'].get('wres', '?')} on "
               f"{datetime.now(UTC).strftime('%Y-%m-%d %H:%M UTC')}.")
    return {"summary": summary, "items": items}


_WORKER_READY = False


def init_worker() -> None:
    """Make this Dask worker ready to drive runs, once.

    Its kernel zygote starts (and imports in its own process) while the worker warms
    up as the batch host does; then what the worker holds is frozen. `_DaskExecutor`
    runs this on every worker when the cluster starts; a worker that joins later
    runs it before its first run.
    """
    global _WORKER_READY
    if not _WORKER_READY:
        from wres.batch.driver import warm_up_driver
        from wres.batch.kernels import get_zygote

        get_zygote()
        warm_up_driver()
        # A worker drives every run in one long-lived process: what it holds now (Dask,
        # pandas, nbconvert, ...) is kept out of its collections, as in the batch host.
        gc.collect()
        gc.freeze()
        _WORKER_READY = True


def run_in_worker(run: RunSpec, provenance: dict[str, Any]) -> dict[str, Any]:
    init_worker()
    return execute_run(run, provenance)
