"""The order a batch sends its runs in: the quickest first, then a year's national view once
its indicator notebooks have finished (their publication passes fill the batch cache it
reads), and that year's summaries once the national view has.

The executor here runs nothing: it notes what had finished when each run was sent.
"""

from __future__ import annotations

from concurrent.futures import Future
from pathlib import Path
from typing import Any

from wres.batch.journal import Journal
from wres.batch.plan import RunSpec, interleaved
from wres.batch.run import _Batch
from wres.core.names import BENCHMARK, NATIONAL_SLUG, SUMMARY


def _run(tmp: Path, year: int, slug: str, notebook: str) -> RunSpec:
    return RunSpec(id=f"{year}/{slug}/{notebook}", notebook=notebook, notebook_path="",
                   authority=slug.title(), slug=slug, region=None, year=year,
                   indicator=int(notebook[:2]) if notebook[:2] not in {"00", "10"} else None,
                   parameters={"national": str(tmp / str(year) / NATIONAL_SLUG / "national.csv")}
                   if notebook == SUMMARY else {}, data=[], output_dir=str(tmp),
                   final_dir=str(tmp / str(year) / slug), key=f"key-{year}-{slug}-{notebook}")


def _runs(tmp: Path, years: tuple[int, ...] = (2024,),
          notebooks: tuple[str, ...] = ("01-pay-bands", "03-disciplinary")) -> list[RunSpec]:
    runs = []
    for year in years:
        for slug in ("ashbourne", "brightwater"):
            runs += [_run(tmp, year, slug, nb) for nb in (*notebooks, SUMMARY)]
    # listed first here (the plan lists them last): the order sent must not depend on it
    return [_run(tmp, year, NATIONAL_SLUG, BENCHMARK) for year in years] + runs


class Recorder:
    """An executor whose runs finish at once; notes what had finished at each sending."""

    def __init__(self, batch: _Batch, capacity: int = 2) -> None:
        self.batch, self.capacity = batch, capacity
        self.sent: list[tuple[str, set[str]]] = []

    def submit(self, run: RunSpec, provenance: dict[str, Any]) -> Future[dict[str, Any]]:
        self.sent.append((run.id, set(self.batch.records)))
        future: Future[dict[str, Any]] = Future()
        future.set_result({"status": "ok", "started": "2024-11-01T10:00:00+00:00"})
        return future


def _send(runs: list[RunSpec], tmp: Path, previous: dict[str, dict[str, Any]] | None = None,
          width: int = 1) -> list[tuple[str, set[str]]]:
    batch = _Batch(runs, tmp, previous or {}, force=False, quiet=True, width=width)
    batch.queue_ready()
    executor = Recorder(batch)
    journal = Journal(tmp)
    try:
        batch.run(executor, journal)  # type: ignore[arg-type]
    finally:
        journal.close()
    assert batch.result.done == len(runs)
    return executor.sent


def test_a_years_national_view_waits_for_its_indicator_notebooks_and_gates_its_summaries(
        tmp_path):
    sent = _send(_runs(tmp_path), tmp_path)
    order = [run_id for run_id, _ in sent]
    national = order.index(f"2024/{NATIONAL_SLUG}/{BENCHMARK}")
    indicators = {i for i in order if not i.endswith((SUMMARY, BENCHMARK))}
    assert len(indicators) == 4 and indicators <= sent[national][1]  # all had finished
    summaries = [i for i in order if i.endswith(SUMMARY)]
    assert len(summaries) == 2 and all(order.index(s) > national for s in summaries)
    assert all(f"2024/{NATIONAL_SLUG}/{BENCHMARK}" in done
               for run_id, done in sent if run_id.endswith(SUMMARY))


def test_each_years_national_view_waits_only_for_its_own_year(tmp_path):
    runs = _runs(tmp_path, years=(2023, 2024))
    runs.sort(key=lambda r: -r.year)  # 2024's runs planned first
    sent = _send(runs, tmp_path)
    for year in (2023, 2024):
        done = dict(sent)[f"{year}/{NATIONAL_SLUG}/{BENCHMARK}"]
        own = {r.id for r in runs if r.year == year and r.notebook not in {SUMMARY, BENCHMARK}}
        assert own <= done
    order = [run_id for run_id, _ in sent]
    # 2024's national view is sent as soon as its year is done, before 2023's notebooks end
    assert order.index(f"2024/{NATIONAL_SLUG}/{BENCHMARK}") < order.index(
        max((r.id for r in runs if r.year == 2023 and r.notebook == "03-disciplinary"),
            key=order.index))


def test_a_national_view_with_nothing_else_in_its_year_is_sent_at_once(tmp_path):
    runs = _runs(tmp_path, notebooks=())  # wres run --indicator 10: summaries and the view
    order = [run_id for run_id, _ in _send(runs, tmp_path)]
    assert order[0] == f"2024/{NATIONAL_SLUG}/{BENCHMARK}"
    assert sorted(order[1:]) == ["2024/ashbourne/00-summary", "2024/brightwater/00-summary"]


def test_the_quickest_run_last_time_is_still_sent_first(tmp_path):
    runs = _runs(tmp_path)
    previous = {r.id: {"status": "ok", "key": "old", "timings": {"total": 9.0}} for r in runs}
    previous["2024/brightwater/03-disciplinary"]["timings"] = {"total": 1.5}
    previous[f"2024/{NATIONAL_SLUG}/{BENCHMARK}"]["timings"] = {"total": 0.5}
    order = [run_id for run_id, _ in _send(runs, tmp_path, previous)]
    assert order[0] == "2024/brightwater/03-disciplinary"


def test_runs_sent_together_are_of_different_authorities_each_in_its_own_order(tmp_path):
    """Two workers: the first notebook of each authority runs beside another authority's,
    so no two start on the same authority's shared work at once."""
    notebooks = ("01-pay-bands", "02-shortlisting", "03-disciplinary")
    runs = [_run(tmp_path, 2024, slug, nb)
            for slug in ("ashbourne", "brightwater", "cindermoor") for nb in notebooks]
    assert [f"{r.slug[0]}{r.notebook[1]}" for r in interleaved(runs, 2)] == [
        "a1", "b1", "a2", "b2", "a3", "b3", "c1", "c2", "c3"]
    assert interleaved(runs, 1) == runs
    order = [run_id for run_id, _ in _send(_runs(tmp_path), tmp_path, width=2)]
    assert [i.split("/")[1] for i in order[:4]] == [
        "ashbourne", "brightwater", "ashbourne", "brightwater"]
