"""``wres run``: every authority x year x notebook, parallel, incremental and resilient.
"""

from __future__ import annotations

import os
import sys
from collections import Counter, deque
from collections.abc import Iterable
from concurrent.futures import FIRST_COMPLETED, Future, wait
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

from wres.batch.execute import describe_error
from wres.batch.executors import Executor, make_executor
from wres.batch.journal import Journal, replay
from wres.batch.lock import OutputLock
from wres.batch.manifest import (
    consolidate,
    git_commit,
    is_up_to_date,
    load_manifest,
    record_outcome,
    write_manifest,
)
from wres.batch.outputs import remove_leftovers
from wres.batch.pdf import MANIFEST_KEY, current_packs, make_packs, stale_packs
from wres.batch.plan import (
    RunSpec,
    interleaved,
    log,
    national_inputs,
    package_hash,
    package_versions,
    run_key,
)
from wres.core.cache import make_cache_dir, prune, set_cache_aside
from wres.core.names import BENCHMARK, NATIONAL_SLUG, SUMMARY
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
    #: Problems of the batch itself (the manifest or index could not be written).
    errors: list[str] = field(default_factory=list)

    @property
    def exit_code(self) -> int:
        return 1 if self.failed or self.errors else 0


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
    warm_idle: float | None = None,
    pdf: bool = False,
) -> BatchResult:
    """Run (or skip) every run, then write results.csv, manifest.json and index.html.

    The output folder is locked for the whole batch (`wres.batch.lock`; a second
    batch on it raises `OutputBusy`). Each finished run is appended to the
    journal at once (`wres.batch.journal`), so a batch killed part-way is
    resumed, not redone: runs the journal or the manifest records as done, with
    the same key and their outputs in place, are skipped. A year's national view is
    sent once that year's indicator notebooks have finished, so it loads their work
    from the batch cache (`wres.core.cache`, kept between batches); an authority's
    summary waits for its year's national view only when that view is being re-run.
    ``warm_idle`` keeps the batch host warm for the next batch (`wres.batch.resident`).
    ``pdf`` prints each authority-year's PDF data pack whose pages changed (`wres.batch.pdf`).
    """
    output_dir = Path(output_dir).resolve()
    output_dir.mkdir(parents=True, exist_ok=True)
    with OutputLock(output_dir).acquire(wait=2.0) as lock:
        set_cache_aside(output_dir)  # kept: it is not a leftover
        if remove_leftovers(output_dir):
            log.info("removed what an interrupted batch left in %s", output_dir)
        cache = make_cache_dir(output_dir)  # work shared by the kernels, kept between batches
        manifest = load_manifest(output_dir)
        previous = {r["id"]: r for r in manifest.get("runs", [])}
        journaled = replay(output_dir)  # runs finished by a batch that was stopped
        previous.update(journaled)
        journal = Journal(output_dir)
        batch = _Batch(runs, output_dir, previous, force=force, quiet=quiet,
                       width=jobs or os.cpu_count() or 1)
        executor = None
        try:
            batch.queue_ready()
            if batch.pending:
                warm = ((package_hash(), package_versions(), warm_idle)
                        if warm_idle and not scheduler else None)
                executor = make_executor(scheduler, jobs, lock_fd=lock.fd, warm=warm)
                batch.run(executor, journal)
            result = batch.result
            packs = ({f"{r.year}/{r.slug}" for r in runs if r.slug != NATIONAL_SLUG}
                     if pdf else None)
            if (result.done or result.failed or journaled
                    or not (output_dir / "index.html").is_file()
                    or (packs and stale_packs(manifest.get(MANIFEST_KEY), {
                        **previous, **batch.records}.values(), packs, output_dir))):
                commit = batch.provenance["git_commit"] if batch.provenance else git_commit()
                _conclude(output_dir, manifest, batch.records, previous, commit, journal,
                          executor, result, packs)
            _prune_cache(cache, {**previous, **batch.records}.values())
        except BaseException:
            if executor is not None:
                executor.close(abort=True)
                executor = None
            raise
        finally:
            batch.progress.close()
            journal.close()
            if executor is not None:
                executor.close()
            set_cache_aside(output_dir)
    return result


def _prune_cache(cache: Path, records: Iterable[dict[str, Any]]) -> None:
    """Remove the cache entries that none of the output folder's runs was made from.

    Every entry a run used was marked used while it ran (`wres.core.cache.prune`),
    so entries unused since the earliest start of a run whose outputs are kept
    (done, in this batch or an earlier one) belong to no output. Without a start
    time for one of them, nothing is removed.
    """
    starts = [_started(r) for r in records if r.get("status") == "ok"]
    if not starts or None in starts:
        return
    earliest = min(s for s in starts if s is not None)
    removed = prune(cache, earliest - 2.0)  # starts are to the second; file times coarse
    if removed:
        log.info("removed %d cache entries no output was made from", removed)


def _started(record: dict[str, Any]) -> float | None:
    """When a run started (its record's ``started``), in seconds since the epoch."""
    try:
        return datetime.fromisoformat(str(record["started"])).timestamp()
    except (KeyError, ValueError):
        return None


def _conclude(output_dir: Path, manifest: dict[str, Any], records: dict[str, dict[str, Any]],
              previous: dict[str, dict[str, Any]], commit: str | None, journal: Journal,
              executor: Executor | None, result: BatchResult,
              packs: set[str] | None = None) -> None:
    """Fold the journal into manifest.json, then write results.csv and index.html.

    Data packs whose pages changed are removed; with ``packs`` (authority-years,
    ``"2024/ashbourne-vale"``) those missing are printed first, and recorded.

    The journal is dropped last, once the manifest holding its records is durably
    written and the index built from it: a batch killed before that concludes
    again next time. A failure here (a full disk) is reported in ``result.errors``.
    """
    try:
        made = _data_packs(output_dir, manifest, {**previous, **records}, packs, result)
        final = write_manifest(output_dir, manifest, records, previous, commit, made)
        if executor is None or not executor.consolidate(output_dir, final):
            consolidate(output_dir, final)
        journal.remove()
    except (OSError, RuntimeError) as error:
        kept = (" (the finished runs stay in the journal; the next wres run keeps them)"
                if journal.path.exists() else "")
        result.errors.append(f"manifest, results.csv or index.html not written: "
                             f"{describe_error(error)}{kept}")


def _data_packs(output_dir: Path, manifest: dict[str, Any], runs: dict[str, dict[str, Any]],
                packs: set[str] | None, result: BatchResult) -> dict[str, dict[str, Any]]:
    """The data packs still current, plus those printed now; a pack not made is an error."""
    current = current_packs(manifest.get(MANIFEST_KEY), runs.values(), output_dir)
    if packs:
        try:
            made, problems = make_packs(output_dir, runs.values(), current, packs)
        except Exception as error:  # noqa: BLE001 - no browser: the reports still conclude
            made, problems = {}, [f"data packs not made: {describe_error(error)}"]
        current.update(made)
        result.errors.extend(problems)
    return current


class _Batch:
    """The runs of one batch as they are skipped, queued, sent and finished.

    A year's national view is sent once that year's other runs it does not gate (the
    indicator notebooks) have finished: their publication passes have stored every
    authority's validated counts and disclosure decisions in the batch cache, which
    the national view then loads instead of deciding over every authority again. It
    goes ahead of anything queued, for the year's summaries wait for it.
    """

    def __init__(self, runs: list[RunSpec], output_dir: Path,
                 previous: dict[str, dict[str, Any]], *, force: bool, quiet: bool,
                 width: int = 1) -> None:
        self.output_dir, self.previous, self.force = output_dir, previous, force
        self.records: dict[str, dict[str, Any]] = {}
        self.result = BatchResult()
        self.progress = _Progress(len(runs), quiet=quiet)
        self.provenance: dict[str, Any] | None = None
        rerun_national = {r.year for r in runs if r.notebook == BENCHMARK
                          and (force or not self._up_to_date(r))}
        self.waiting: dict[int, list[RunSpec]] = {}  # summaries, by year
        self.national: dict[int, RunSpec] = {}  # national views to re-run, by year
        self.unfinished: Counter[int] = Counter()  # runs a national view waits for, by year
        self.candidates: list[RunSpec] = []
        for run in runs:
            if run.notebook == BENCHMARK and run.year in rerun_national:
                self.national[run.year] = run
            elif run.notebook == SUMMARY and run.year in rerun_national:
                self.waiting.setdefault(run.year, []).append(run)
            else:
                self.candidates.append(run)
        # runs sent together are of different authorities: the first stores their shared work
        self.candidates = interleaved(self.candidates, width)
        self.ready: deque[RunSpec] = deque()

    @property
    def pending(self) -> bool:
        """Whether runs are queued or held back."""
        return bool(self.ready or self.waiting or self.national)

    def _last_seconds(self, run: RunSpec) -> float:
        """How long ``run`` took last time (the manifest's timings), else as long as any."""
        timings = (self.previous.get(run.id) or {}).get("timings") or {}
        total = timings.get("total")
        return float(total) if isinstance(total, (int, float)) else float("inf")

    def _up_to_date(self, run: RunSpec) -> bool:
        return is_up_to_date(run, self.previous.get(run.id), self.output_dir)

    def queue_ready(self, runs: list[RunSpec] | None = None) -> None:
        """Skip what is up to date; queue the rest (a national view ahead of the others)."""
        for run in self.candidates if runs is None else runs:
            if run.notebook == SUMMARY:
                run.inputs["national"] = national_inputs(run)
                run.key = run_key(run.inputs)
            if not self.force and self._up_to_date(run):
                self.records[run.id] = self.previous[run.id]
                self.result.skipped += 1
                self.progress.update(self.result, run.id, "skipped")
            elif run.notebook == BENCHMARK:
                self.ready.appendleft(run)
            else:
                self.ready.append(run)
                if run.notebook != SUMMARY:
                    self.unfinished[run.year] += 1
        if runs is None:
            self.candidates = []
            for year in [y for y in self.national if not self.unfinished[y]]:
                self._send_national(year)  # nothing of its year to wait for
            # the first page first: the quickest run ahead of the national views
            quick = min((r for r in self.ready if r.notebook != BENCHMARK),
                        key=self._last_seconds, default=None)
            if quick is not None and self.ready[0] is not quick:
                self.ready.remove(quick)
                self.ready.appendleft(quick)

    def _send_national(self, year: int) -> None:
        """Queue ``year``'s national view ahead of everything queued."""
        self.queue_ready([self.national.pop(year)])

    def _release(self) -> None:
        """Nothing is running: send what is held back, national views first."""
        if self.national:
            self._send_national(min(self.national))
        else:  # summaries whose national view is not coming: run them now
            for year in list(self.waiting):
                self.queue_ready(self.waiting.pop(year))

    def run(self, executor: Executor, journal: Journal) -> None:
        """Send queued runs, at most ``executor.capacity`` at once, until none is left."""
        self.provenance = {"git_commit": git_commit(), "packages": package_versions()}
        flying: dict[Future[dict[str, Any]], RunSpec] = {}
        while self.pending or flying:
            while self.ready and len(flying) < executor.capacity:
                run = self.ready.popleft()
                flying[executor.submit(run, self.provenance)] = run
            if not flying:
                self._release()
                continue
            finished, _ = wait(flying, return_when=FIRST_COMPLETED)
            for future in finished:
                run = flying.pop(future)
                self._finish(run, _outcome(future), journal)
                self._follow(run)

    def _follow(self, run: RunSpec) -> None:
        """Send what waited for ``run``: its year's national view, or its summaries."""
        if run.notebook == BENCHMARK:
            if run.year in self.waiting:
                self.queue_ready(self.waiting.pop(run.year))
        elif run.notebook != SUMMARY:
            self.unfinished[run.year] -= 1
            if not self.unfinished[run.year] and run.year in self.national:
                self._send_national(run.year)

    def _finish(self, run: RunSpec, outcome: dict[str, Any], journal: Journal) -> None:
        assert self.provenance is not None
        record = self.records[run.id] = record_outcome(run, outcome, self.provenance)
        try:
            journal.append(record)
        except OSError as error:
            log.error("could not record %s in the journal (%s); a stopped batch would "
                      "redo it", run.id, error)
        if record["status"] == "ok":
            self.result.done += 1
        else:
            self.result.failed += 1
            self.result.failures.append(record)
        self.progress.update(self.result, run.id, record["status"], record.get("error"))


def _outcome(future: Future[dict[str, Any]]) -> dict[str, Any]:
    """A run's record; a driver that died is one failed run."""
    try:
        return future.result()
    except Exception as error:  # noqa: BLE001 - the batch goes on
        return {"status": "failed", "error": describe_error(error)}


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
