"""``wres run``: every authority x year x notebook, parallel, incremental and resilient.
"""

from __future__ import annotations

import sys
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from wres.batch.executors import make_executor
from wres.batch.manifest import (
    consolidate,
    git_commit,
    is_up_to_date,
    load_manifest,
    record_outcome,
    write_manifest,
)
from wres.batch.plan import RunSpec, log, national_inputs, package_versions, run_key
from wres.core.names import SUMMARY
from wres.inputs.params import (
    AuthorityParams,
    ParamsError,
    check_against_data,
    find_params,
    load_params,
)


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
                    run.inputs["national"] = national_inputs(run)
                    run.key = run_key(run.inputs)
                old = previous.get(run.id)
                if not force and old is not None and is_up_to_date(run, old, output_dir):
                    records[run.id] = old
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
                executor = make_executor(scheduler, jobs)
            for run, record in executor.map(todo, provenance):
                records[run.id] = record_outcome(run, record, provenance)
                if record["status"] == "ok":
                    result.done += 1
                else:
                    result.failed += 1
                    result.failures.append(records[run.id])
                progress.update(result, run.id, record["status"], record.get("error"))
            write_manifest(output_dir, manifest, records, previous, commit)
    finally:
        progress.close()
        if executor is not None:
            executor.close()
    if result.done or result.failed or not (output_dir / "index.html").is_file():
        if provenance is None:
            commit = git_commit()
        final = write_manifest(output_dir, manifest, records, previous, commit)
        consolidate(output_dir, final)
    return result



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
