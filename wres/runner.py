"""``wres run``: every authority x year x notebook, parallel, incremental and resilient.

A run is one notebook for one authority and year (or, for the national
benchmark, one year). Each run has a key: the hash of everything it depends
on — the notebook, its parameters, the bytes of its input data, the ``wres``
package source and the locked dependency versions. A run whose key matches the
manifest and whose outputs exist is skipped. Each notebook executes through
papermill in a fresh kernel forked from a warm parent (`wres.kernels`); both
HTML pages are rendered in the worker from the executed notebook; every file
is written atomically, and a failure is recorded and the batch goes on.

This module imports only light modules at the top, so a batch with nothing to
do finishes in well under a few seconds.
"""

from __future__ import annotations

import hashlib
import json
import logging
import os
import shutil
import subprocess
import sys
import tempfile
import time
import traceback
from collections.abc import Iterable, Sequence
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from wres.atomic import write_text_atomic
from wres.indicators import INDICATORS
from wres.params import (
    AuthorityParams,
    ParamsError,
    check_against_data,
    find_params,
    load_params,
)

log = logging.getLogger("wres.run")

ROOT = Path(__file__).resolve().parents[1]
NOTEBOOKS = ROOT / "notebooks"
PACKAGE = Path(__file__).resolve().parent
LOCK = ROOT / "requirements.lock"
SUMMARY = "00-summary"
BENCHMARK = "10-benchmark"
NATIONAL_SLUG = "national"
MANIFEST = "manifest.json"
#: Packages whose versions every run records.
RECORDED_PACKAGES = ("wres", "papermill", "nbconvert", "nbclient", "ipykernel", "pandas",
                     "numpy", "scipy", "statsmodels", "matplotlib", "seaborn", "pandera")


@dataclass
class RunSpec:
    """One notebook to run: everything a worker needs, as plain data."""

    id: str
    notebook: str
    notebook_path: str
    authority: str
    slug: str
    region: str | None
    year: int
    indicator: int | None
    parameters: dict[str, Any]
    data: list[str]
    output_dir: str
    final_dir: str
    key: str = ""
    inputs: dict[str, Any] = field(default_factory=dict)
    timeout: float = 600.0


# --- planning ------------------------------------------------------------------------------


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def package_hash() -> str:
    """Hash of the ``wres`` package source (Python files and templates)."""
    digest = hashlib.sha256()
    for path in sorted(PACKAGE.rglob("*")):
        if path.is_file() and path.suffix in {".py", ".j2", ".json", ".csv", ".css"}:
            digest.update(str(path.relative_to(PACKAGE)).encode())
            digest.update(path.read_bytes())
    return digest.hexdigest()


def notebooks(indicators: Sequence[int] | None = None) -> list[Path]:
    """The report notebooks, optionally narrowed to some indicators (00 is always kept)."""
    found = sorted(NOTEBOOKS.glob("[0-9][0-9]-*.ipynb"))
    if indicators:
        keep = {f"{n:02d}" for n in indicators} | {SUMMARY[:2]}
        found = [p for p in found if p.name[:2] in keep]
    return found


def _indicator_of(stem: str) -> int | None:
    number = int(stem[:2])
    return number if number in INDICATORS else None


def plan_runs(
    params_list: Sequence[AuthorityParams],
    output_dir: Path,
    *,
    years: Sequence[int] | None = None,
    indicators: Sequence[int] | None = None,
    timeout: float = 600.0,
) -> list[RunSpec]:
    """Every run of the matrix, with its dependency key."""
    output_dir = Path(output_dir).resolve()
    shared = {"package": package_hash(), "lock": _sha256(LOCK) if LOCK.exists() else ""}
    data_hashes: dict[Path, str] = {}
    nb_hashes: dict[Path, str] = {}
    runs: list[RunSpec] = []
    by_year: dict[int, list[AuthorityParams]] = {}
    report_notebooks = [nb for nb in notebooks(indicators) if nb.stem != BENCHMARK]
    for params in params_list:
        for path in params.data:
            if path not in data_hashes:
                data_hashes[path] = _sha256(path) if path.exists() else "missing"
        for year in params.years:
            if years and year not in years:
                continue
            by_year.setdefault(year, []).append(params)
            for nb in report_notebooks:
                number = _indicator_of(nb.stem)
                if params.indicators and number is not None and number not in params.indicators:
                    continue
                nb_hashes.setdefault(nb, _sha256(nb))
                final = output_dir / str(year) / params.safe_slug
                parameters = {
                    "authority": params.authority,
                    "year": year,
                    "data": [str(p) for p in params.data],
                    **params.method_options(),
                }
                if nb.stem == SUMMARY:
                    parameters["national"] = str(
                        output_dir / str(year) / NATIONAL_SLUG / "national.csv")
                runs.append(RunSpec(
                    id=f"{year}/{params.safe_slug}/{nb.stem}", notebook=nb.stem,
                    notebook_path=str(nb), authority=params.authority, slug=params.safe_slug,
                    region=params.region, year=year, indicator=number,
                    parameters=parameters, data=[str(p) for p in params.data],
                    output_dir=str(output_dir), final_dir=str(final), timeout=timeout,
                    inputs={"notebook": nb_hashes[nb],
                            "data": {str(p): data_hashes[p] for p in params.data}, **shared},
                ))
    bench = NOTEBOOKS / f"{BENCHMARK}.ipynb"
    if bench.exists() and (not indicators or 10 in indicators):
        for year, members in sorted(by_year.items()):
            data = sorted({str(p) for m in members for p in m.data})
            parameters = {
                "year": year, "data": data,
                "regions": {m.authority: m.region for m in members if m.region},
                "confidence_level": members[0].confidence_level,
                "ci_method": members[0].ci_method, "min_count": members[0].min_count,
                "profile": "publication",  # a public page: ratios from small counts withheld
            }
            runs.append(RunSpec(
                id=f"{year}/{NATIONAL_SLUG}/{BENCHMARK}", notebook=BENCHMARK,
                notebook_path=str(bench), authority="National", slug=NATIONAL_SLUG, region=None,
                year=year, indicator=None, parameters=parameters, data=data,
                output_dir=str(output_dir),
                final_dir=str(output_dir / str(year) / NATIONAL_SLUG), timeout=timeout,
                inputs={"notebook": _sha256(bench),
                        "data": {p: _year_hash(Path(p), year) for p in data}, **shared},
            ))
    for run in runs:
        run.inputs["params"] = hashlib.sha256(
            json.dumps(run.parameters, sort_keys=True, default=str).encode()).hexdigest()
        run.key = _key(run.inputs)
    return runs


def _year_hash(path: Path, year: int) -> str:
    """Hash of one year's rows of a CSV counts file (the whole file for other formats).

    The national view of a year depends only on that year's counts, so editing
    another year of an authority's data does not re-run it.
    """
    if not path.exists():
        return "missing"
    if path.suffix.lower() != ".csv":
        return _sha256(path)
    import csv

    digest = hashlib.sha256()
    with open(path, newline="", encoding="utf-8-sig") as handle:
        reader = csv.reader(handle)
        header = next(reader, [])
        digest.update(repr(header).encode())
        names = [h.strip().lower() for h in header]
        if "year" not in names:
            return _sha256(path)
        column = names.index("year")
        for row in reader:
            if len(row) > column and row[column].strip() in {str(year), f"{year}.0"}:
                digest.update(repr(row).encode())
    return digest.hexdigest()


def _key(inputs: dict[str, Any]) -> str:
    return hashlib.sha256(json.dumps(inputs, sort_keys=True).encode()).hexdigest()


def _national_inputs(run: RunSpec) -> str:
    """What a summary takes from national.csv: this authority's rows only."""
    path = Path(run.parameters.get("national") or "")
    if not path.is_file():
        return "absent"
    lines = path.read_text(encoding="utf-8").splitlines()
    mine = [line for line in lines[1:] if line.startswith(_csv_field(run.authority) + ",")]
    return hashlib.sha256("\n".join(lines[:1] + mine).encode()).hexdigest()


def _csv_field(text: str) -> str:
    return f'"{text.replace(chr(34), 2 * chr(34))}"' if any(c in text for c in ',"\n') else text


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
    publication execution (same notebook, ``profile="publication"``, a fresh
    kernel from the same warm parent) gives the publication page. A run whose
    parameters already ask for the publication profile (the national view)
    executes once.
    """
    if run.parameters.get("profile") == "publication":
        return ("publication",)
    return ("analyst", "publication")


def _execute(run: RunSpec, profile: str, output_dir: Path) -> Any:
    import papermill

    parameters = {**run.parameters, "profile": profile, "output_dir": str(output_dir)}
    return papermill.execute_notebook(
        run.notebook_path, None, parameters=parameters, cwd=str(NOTEBOOKS),
        kernel_name="python3", kernel_manager_class="wres.kernels.ForkKernelManager",
        progress_bar=False, request_save_on_cell_execute=False, log_output=False,
        shutdown_kernel="immediate", execution_timeout=run.timeout, start_timeout=60,
    )


def execute_run(run: RunSpec, provenance: dict[str, Any]) -> dict[str, Any]:
    """Execute one notebook, render both pages, check them, and move every output into place.

    Never raises for a failing notebook: the error is returned in the record,
    nothing of the run is written, and its previous outputs, if any, are left
    as they were.
    """
    import nbformat

    from wres.render import render_html

    started = datetime.now(UTC).isoformat(timespec="seconds")
    t0 = time.perf_counter()
    record: dict[str, Any] = {"status": "failed", "error": None, "started": started}
    staging = Path(tempfile.mkdtemp(prefix=".staging-", dir=_ensure(Path(run.output_dir))))
    try:
        profiles = execution_profiles(run)
        executed = {profile: _execute(run, profile, _ensure(staging / profile))
                    for profile in profiles}
        t1 = time.perf_counter()
        title, footer = _title(run), _footer(run, provenance)
        kept = executed[profiles[0]]  # the notebook kept under outputs/, with its files
        pages = {
            "analyst": render_html(kept, "analyst", title=title, provenance=footer),
            "publication": render_html(executed["publication"], "publication", title=title,
                                       provenance=footer,
                                       min_count=int(run.parameters.get("min_count", 5))),
        }
        t2 = time.perf_counter()
        kept_dir = staging / profiles[0]
        outputs = output_paths(run)
        _ensure(Path(run.final_dir))
        out = Path(run.output_dir)
        for name in ("results", "national"):
            if name in outputs:
                produced = kept_dir / Path(outputs[name]).name
                if not produced.is_file():
                    raise RuntimeError(f"the notebook did not write {produced.name}")
                os.replace(produced, out / outputs[name])
        write_text_atomic(out / outputs["notebook"], nbformat.writes(kept))
        write_text_atomic(out / outputs["html"], pages["analyst"])
        write_text_atomic(out / outputs["publication_html"], pages["publication"])
        record.update(status="ok", outputs=outputs,
                      timings={"execute": round(t1 - t0, 3), "render": round(t2 - t1, 3)})
    except Exception as error:  # noqa: BLE001 - any failure is recorded, the batch goes on
        record["error"] = _describe(error)
    finally:
        shutil.rmtree(staging, ignore_errors=True)
    record["timings"] = {**record.get("timings", {}), "total": round(time.perf_counter() - t0, 3)}
    record["finished"] = datetime.now(UTC).isoformat(timespec="seconds")
    return record


def _ensure(path: Path) -> Path:
    path.mkdir(parents=True, exist_ok=True)
    return path


def _describe(error: BaseException) -> str:
    """One readable line for a failure: the notebook's own error where there is one."""
    name = type(error).__name__
    if name == "PapermillExecutionError":
        return f"{error.ename}: {error.evalue}".strip()  # type: ignore[attr-defined]
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
              ("requirements.lock sha256", run.inputs["lock"]),
              ("git commit", provenance.get("git_commit") or "unknown"),
              ("packages", ", ".join(f"{k} {v}" for k, v in provenance["packages"].items()))]
    summary = (f"Produced by wres {provenance['packages'].get('wres', '?')} on "
               f"{datetime.now(UTC).strftime('%Y-%m-%d %H:%M UTC')}.")
    return {"summary": summary, "items": items}


_WORKER_READY = False


def _worker_init() -> None:
    """Start this worker's kernel zygote early, so its imports overlap other work."""
    global _WORKER_READY
    if not _WORKER_READY:
        from wres.kernels import get_zygote

        get_zygote()
        _WORKER_READY = True


def _run_in_worker(run: RunSpec, provenance: dict[str, Any]) -> dict[str, Any]:
    _worker_init()
    return execute_run(run, provenance)


# --- the batch ------------------------------------------------------------------------------


def git_commit() -> str | None:
    """The project's git commit, with ``+dirty`` when the work tree has changes."""
    try:
        commit = subprocess.run(["git", "rev-parse", "HEAD"], cwd=ROOT, capture_output=True,
                                text=True, timeout=5, check=True).stdout.strip()
        dirty = subprocess.run(["git", "status", "--porcelain", "--untracked-files=no"],
                               cwd=ROOT, capture_output=True, text=True, timeout=5).stdout
    except (OSError, subprocess.SubprocessError):
        return None
    return commit + ("+dirty" if dirty.strip() else "")


def package_versions() -> dict[str, str]:
    from importlib.metadata import PackageNotFoundError, version

    found = {}
    for name in RECORDED_PACKAGES:
        try:
            found[name] = version(name)
        except PackageNotFoundError:
            continue
    return found


def load_manifest(output_dir: Path) -> dict[str, Any]:
    path = Path(output_dir) / MANIFEST
    if path.is_file():
        try:
            return json.loads(path.read_text(encoding="utf-8"))
        except json.JSONDecodeError:
            log.warning("%s is not valid JSON; every run will be redone", path)
    return {"runs": []}


def _up_to_date(run: RunSpec, previous: dict[str, Any] | None, output_dir: Path) -> bool:
    if not previous or previous.get("status") != "ok" or previous.get("key") != run.key:
        return False
    return all((output_dir / p).is_file() for p in (previous.get("outputs") or {}).values())


@dataclass
class BatchResult:
    """What a batch did: counts of each outcome and the failures."""

    done: int = 0
    skipped: int = 0
    failed: int = 0
    failures: list[dict[str, Any]] = field(default_factory=list)

    @property
    def exit_code(self) -> int:
        return 1 if self.failed else 0


def run_batch(
    runs: list[RunSpec],
    output_dir: Path,
    *,
    jobs: int | None = None,
    force: bool = False,
    quiet: bool = False,
    scheduler: str | None = None,
) -> BatchResult:
    """Run (or skip) every run, then write results.csv, manifest.json and index.html.

    Indicator and benchmark notebooks run first; the authority summaries run
    after them, since they read the year's national positions.
    """
    output_dir = Path(output_dir).resolve()
    output_dir.mkdir(parents=True, exist_ok=True)
    manifest = load_manifest(output_dir)
    previous = {r["id"]: r for r in manifest.get("runs", [])}
    records: dict[str, dict[str, Any]] = {}
    result = BatchResult()
    first = [r for r in runs if r.notebook != SUMMARY]
    second = [r for r in runs if r.notebook == SUMMARY]
    provenance: dict[str, Any] | None = None
    commit: str | None = None
    executor = None
    progress = _Progress(len(runs), quiet=quiet)
    try:
        for phase in (first, second):
            todo = []
            for run in phase:
                if run.notebook == SUMMARY:
                    run.inputs["national"] = _national_inputs(run)
                    run.key = _key(run.inputs)
                old = previous.get(run.id)
                if not force and _up_to_date(run, old, output_dir):
                    records[run.id] = old  # type: ignore[assignment]
                    result.skipped += 1
                    progress.update(result, run.id, "skipped")
                else:
                    todo.append(run)
            if not todo:
                continue
            if provenance is None:
                provenance = {"git_commit": git_commit(), "packages": package_versions()}
                commit = provenance["git_commit"]
            if executor is None:
                executor = _executor(scheduler, jobs)
            for run, record in executor.map(todo, provenance):
                records[run.id] = _record(run, record, provenance)
                if record["status"] == "ok":
                    result.done += 1
                else:
                    result.failed += 1
                    result.failures.append(records[run.id])
                progress.update(result, run.id, record["status"], record.get("error"))
            _write_manifest(output_dir, manifest, records, previous, commit)
    finally:
        progress.close()
        if executor is not None:
            executor.close()
    if result.done or result.failed or not (output_dir / "index.html").is_file():
        if provenance is None:
            commit = git_commit()
        final = _write_manifest(output_dir, manifest, records, previous, commit)
        consolidate(output_dir, final)
    return result


def _record(run: RunSpec, outcome: dict[str, Any], provenance: dict[str, Any]) -> dict[str, Any]:
    spec = asdict(run)
    record = {k: spec[k] for k in ("id", "authority", "slug", "region", "year", "notebook",
                                   "indicator", "key", "inputs")}
    record["min_count"] = run.parameters.get("min_count", 5)
    record["title"] = (INDICATORS[run.indicator].title if run.indicator else
                       ("Authority summary" if run.notebook == SUMMARY else "National view"))
    record.update(git_commit=provenance.get("git_commit"), packages=provenance["packages"])
    record.update(outcome)
    if record["status"] != "ok":
        record.pop("outputs", None)
    return record


def _write_manifest(output_dir: Path, manifest: dict[str, Any],
                    records: dict[str, dict[str, Any]],
                    previous: dict[str, dict[str, Any]], commit: str | None) -> dict[str, Any]:
    """Write manifest.json: this batch's runs, plus earlier runs outside this batch."""
    from wres import __version__

    merged = dict(previous)
    merged.update(records)
    final = {
        "generated": datetime.now(UTC).isoformat(timespec="seconds"),
        "wres_version": __version__,
        "git_commit": commit,
        "runs": [merged[k] for k in sorted(merged)],
    }
    write_text_atomic(output_dir / MANIFEST, json.dumps(final, indent=1, default=str))
    manifest.clear()
    manifest.update(final)
    return final


def consolidate(output_dir: Path, manifest: dict[str, Any]) -> None:
    """Write results.csv from every current run's rows, then index.html."""
    import pandas as pd

    from wres.atomic import write_csv_atomic
    from wres.results import EXTRA_COLUMNS, RESULT_COLUMNS
    from wres.site import build_index

    frames = []
    for run in manifest["runs"]:
        path = (run.get("outputs") or {}).get("results")
        if run.get("status") == "ok" and path and (output_dir / path).is_file():
            frames.append(pd.read_csv(output_dir / path, keep_default_na=True))
    results = (pd.concat(frames, ignore_index=True) if frames
               else pd.DataFrame(columns=RESULT_COLUMNS + EXTRA_COLUMNS))
    results = results.sort_values(["authority", "year", "indicator"], kind="stable")
    write_csv_atomic(results, output_dir / "results.csv")
    published = _publishable(results, manifest)
    write_csv_atomic(published, output_dir / "results.publication.csv")
    build_index(manifest, published, output_dir)


def _publishable(results: Any, manifest: dict[str, Any]) -> Any:
    """The results with disclosure control, per authority at its own ``min_count``.

    The index page is read by the public, so its headlines come from these rows.
    """
    import pandas as pd

    from wres.disclosure import apply_disclosure

    if results.empty:
        return results
    min_counts = {r["authority"]: int(r.get("min_count") or 5) for r in manifest["runs"]}
    parts = [apply_disclosure(part.reset_index(drop=True),
                              min_count=min_counts.get(authority, 5))
             for authority, part in results.groupby("authority", sort=False)]
    return pd.concat(parts, ignore_index=True)


class _Progress:
    """A progress bar with done / skipped / failed counts and an ETA, or log lines."""

    def __init__(self, total: int, *, quiet: bool) -> None:
        self.quiet = quiet
        self.bar = None
        if not quiet:
            from tqdm import tqdm

            self.bar = tqdm(total=total, unit="report", dynamic_ncols=True, file=sys.stderr)

    def update(self, result: BatchResult, run_id: str, status: str,
               error: str | None = None) -> None:
        if self.bar is not None:
            self.bar.set_postfix(done=result.done, skipped=result.skipped,
                                 failed=result.failed, refresh=False)
            self.bar.update(1)
            if error:
                self.bar.write(f"failed: {run_id}: {error}")
        elif status != "skipped":
            log.info("%s %s%s", status, run_id, f": {error}" if error else "")

    def close(self) -> None:
        if self.bar is not None:
            self.bar.close()


def _outcomes(futures: dict[Any, RunSpec], as_completed: Any) -> Iterable[tuple]:
    """Each run with its record as it finishes; a worker that died is one failed run."""
    for future in as_completed(futures):
        run = futures[future]
        try:
            yield run, future.result()
        except Exception as error:  # noqa: BLE001 - the batch goes on
            yield run, {"status": "failed", "error": _describe(error)}


class _LocalExecutor:
    """A pool of worker processes; results come back as each run finishes."""

    def __init__(self, jobs: int) -> None:
        import multiprocessing
        from concurrent.futures import ProcessPoolExecutor

        self.pool = ProcessPoolExecutor(max_workers=jobs,
                                        mp_context=multiprocessing.get_context("spawn"),
                                        initializer=_worker_init)

    def map(self, runs: list[RunSpec], provenance: dict[str, Any]) -> Iterable[tuple]:
        from concurrent.futures import as_completed

        futures = {self.pool.submit(_run_in_worker, run, provenance): run for run in runs}
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

        futures = {self.client.submit(_run_in_worker, run, provenance, key=f"wres-{run.id}",
                                      pure=False): run for run in runs}
        return _outcomes(futures, as_completed)

    def close(self) -> None:
        self.client.close()
        if self.cluster is not None:
            self.cluster.close()


def _executor(scheduler: str | None, jobs: int | None) -> _LocalExecutor | _DaskExecutor:
    jobs = jobs or os.cpu_count() or 1
    if scheduler:
        return _DaskExecutor(scheduler, jobs)
    return _LocalExecutor(jobs)


def load_all_params(target: Path) -> tuple[list[AuthorityParams], list[ParamsError]]:
    """Every params file under ``target``, each checked against its data once.

    A file that fails is reported (file, key, what was expected) and left out;
    the others still run.
    """
    loaded: list[AuthorityParams] = []
    errors: list[ParamsError] = []
    for path in find_params(target):
        try:
            params = load_params(path)
            check_against_data(params)
        except ParamsError as error:
            errors.append(error)
            continue
        loaded.append(params)
    return loaded, errors


def run_from_cli(args: Any) -> int:
    """``wres run``: plan the matrix from params files, run it, print a summary."""
    logging.basicConfig(level=logging.INFO if args.quiet else logging.WARNING,
                        format="%(message)s")
    params_list, errors = load_all_params(Path(args.params) if args.params else ROOT / "params")
    if args.authority:
        wanted = {a.lower() for a in args.authority}
        params_list = [p for p in params_list
                       if p.authority.lower() in wanted or p.safe_slug in wanted]
        errors = [e for e in errors if e.path.stem.lower() in wanted]
        if not params_list and not errors:
            raise ValueError(f"no params file is for authority {', '.join(args.authority)}")
    for error in errors:
        print(f"  FAILED {error}", file=sys.stderr)
    runs = plan_runs(params_list, Path(args.output), years=args.year, indicators=args.indicator,
                     timeout=args.timeout)
    if not runs:
        if errors:
            print(f"0 run; {len(errors)} params file(s) failed", file=sys.stderr)
            return 1
        raise ValueError("nothing to run: check --year and --indicator against the params")
    result = run_batch(runs, Path(args.output), jobs=args.jobs, force=args.force,
                       quiet=args.quiet, scheduler=args.scheduler)
    failed = f"{result.failed} failed" + (f", {len(errors)} params file(s) failed"
                                          if errors else "")
    print(f"{result.done} run, {result.skipped} unchanged (skipped), {failed}; "
          f"index: {Path(args.output) / 'index.html'}")
    for failure in result.failures:
        print(f"  FAILED {failure['id']}: {failure['error']}", file=sys.stderr)
    return 1 if errors else result.exit_code
