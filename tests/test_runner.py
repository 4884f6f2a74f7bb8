"""`wres run` end to end: notebooks through papermill, pages, results, skips and failures.

One small batch (a fictitious authority derived from the smallest sample authority,
with indicator 4 left out, beside an authority whose counts file is broken) runs once
for the module; the tests then read what it wrote.
"""

from __future__ import annotations

import errno
import json
import os
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import pandas as pd
import psutil
import pytest
import yaml

from wres.analysis.disclosure.leaks import find_small_counts
from wres.analysis.results import EXTRA_COLUMNS, RESULT_COLUMNS, compute_results
from wres.batch import plan as plan_module
from wres.batch.execute import execute_run
from wres.batch.host import Host, start_private
from wres.batch.journal import JOURNAL
from wres.batch.kernels import close_zygote
from wres.batch.plan import package_versions, plan_runs
from wres.core.names import BENCHMARK
from wres.inputs.counts import read_counts
from wres.inputs.params import load_params

ROOT = Path(__file__).resolve().parents[1]
SAMPLE = ROOT / "data" / "sample" / "fernleigh-downs.csv"
YEAR = 2024
CODE_CELL = r'class="[^"]*jp-InputArea-editor'
INDICATOR_NOTEBOOKS = [p.stem for p in sorted((ROOT / "notebooks").glob("0[1-9]-*.ipynb"))]


def _write_params(folder: Path, name: str, authority: str, data: Path, **extra) -> Path:
    path = folder / f"{name}.yaml"
    body = {"authority": authority, "years": [YEAR], "data": str(data), "region": "South"}
    body.update(extra)
    path.write_text(yaml.safe_dump(body))
    return path


@pytest.fixture(scope="module")
def batch(tmp_path_factory):
    """Run a two-authority batch once: one good (indicator 4 missing), one broken."""
    root = tmp_path_factory.mktemp("batch")
    params = root / "params"
    params.mkdir()
    counts = pd.read_csv(SAMPLE)
    good = counts[counts["indicator"] != 4].assign(authority="Tiny Vale")
    good.to_csv(root / "tiny-vale.csv", index=False)
    broken = counts.assign(authority="Broken Fen")
    broken.loc[5, "numerator"] = -3
    broken.to_csv(root / "broken-fen.csv", index=False)
    _write_params(params, "tiny-vale", "Tiny Vale", root / "tiny-vale.csv")
    _write_params(params, "broken-fen", "Broken Fen", root / "broken-fen.csv")
    output = root / "outputs"
    started = time.perf_counter()
    code = subprocess.run(
        [str(ROOT / ".venv" / "bin" / "wres"), "run", "--params", str(params), "--output",
         str(output), "--jobs", "2", "--quiet"],
        capture_output=True, text=True, timeout=900,
    )
    return {"root": root, "params": params, "output": output, "process": code,
            "seconds": time.perf_counter() - started, "counts": root / "tiny-vale.csv"}


def _manifest(output: Path) -> dict:
    return json.loads((output / "manifest.json").read_text())


def test_a_broken_authority_fails_alone_and_the_batch_exits_non_zero(batch):
    assert batch["process"].returncode == 1, batch["process"].stderr
    runs = _manifest(batch["output"])["runs"]
    good = [r for r in runs if r["authority"] == "Tiny Vale"]
    broken = [r for r in runs if r["authority"] == "Broken Fen"]
    assert len(good) == 10 and all(r["status"] == "ok" for r in good)
    national = next(r for r in runs if r["authority"] == "National")
    assert national["status"] == "ok"  # the bad file is left out of the national view
    assert broken and all(r["status"] == "failed" for r in broken)
    error = broken[0]["error"]
    assert "broken-fen.csv" in error and "row 7" in error and "numerator" in error
    index = (batch["output"] / "index.html").read_text()
    assert "Broken Fen" in index and "failed" in index.lower()
    assert "FAILED 2024/broken-fen/" in batch["process"].stderr


def test_every_notebook_writes_the_rows_wres_results_computes(batch):
    expected = compute_results(read_counts([batch["counts"]]))
    expected = expected[expected["year"] == YEAR]
    folder = batch["output"] / str(YEAR) / "tiny-vale"
    for stem in INDICATOR_NOTEBOOKS:
        number = int(stem[:2])
        written = pd.read_csv(folder / f"{stem}.results.csv")
        assert list(written.columns) == RESULT_COLUMNS + EXTRA_COLUMNS
        mine = expected[expected["indicator"] == number].reset_index(drop=True)
        mine.to_csv(batch["root"] / "expected.csv", index=False)
        again = pd.read_csv(batch["root"] / "expected.csv")
        pd.testing.assert_frame_equal(written, again, check_dtype=False)
    consolidated = pd.read_csv(batch["output"] / "results.csv")
    assert len(consolidated) == len(expected)
    assert set(consolidated["authority"]) == {"Tiny Vale"}


def test_an_indicator_not_submitted_renders_a_not_submitted_page(batch):
    page = batch["output"] / str(YEAR) / "tiny-vale" / "04-fitness-to-practise.publication.html"
    text = page.read_text()
    assert f"Not submitted for {YEAR}" in text
    assert "Indicator 4 (fitness to practise) was not submitted for 2024 by Tiny Vale" in text
    results = pd.read_csv(page.with_name("04-fitness-to-practise.results.csv"))
    assert results.empty


def test_publication_pages_show_no_code_no_small_count_and_alt_text_everywhere(batch):
    folder = batch["output"] / str(YEAR) / "tiny-vale"
    for stem in ["00-summary", *INDICATOR_NOTEBOOKS]:
        text = (folder / f"{stem}.publication.html").read_text()
        assert not re.search(CODE_CELL, text) and "read_counts(" not in text, stem
        assert find_small_counts(text) == [], stem
        images = re.findall(r"<img\b[^>]*>", text)
        for image in images:
            alt = re.search(r'alt="([^"]*)"', image)
            assert alt and len(alt.group(1)) > 20, (stem, image[:80])
            assert 'src="data:image/png;base64,' in image
        assert not re.search(r"<script[^>]+src=", text), stem
        assert not re.search(r"(src|href)=[\"']https?://", text), stem
        assert "Provenance" in text and "git commit" in text
    analyst = (folder / "03-disciplinary.html").read_text()
    assert re.search(CODE_CELL, analyst)  # the analyst page shows the code
    assert find_small_counts(analyst) != []  # ... and every count: the check can fail


def test_figures_reports_have_images(batch):
    text = (batch["output"] / str(YEAR) / "tiny-vale" / "07-harassment-staff.html").read_text()
    assert len(re.findall(r"<img\b", text)) >= 1


def test_publication_page_opens_in_headless_chromium_without_errors(batch, tmp_path):
    from chromium import check_page

    page = batch["output"] / str(YEAR) / "tiny-vale" / "03-disciplinary.publication.html"
    result = check_page(page, screenshot=tmp_path / "page.png")
    assert result.console_errors == []
    assert result.failed_requests == []
    assert (tmp_path / "page.png").read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


def test_index_opens_in_chromium_and_every_link_resolves(batch, tmp_path):
    from chromium import check_links, check_page

    index = batch["output"] / "index.html"
    result = check_page(index, screenshot=tmp_path / "index.png")
    assert result.console_errors == [] and result.failed_requests == []
    assert len(result.links) > 10
    assert check_links(index, list(result.links)) == []


def test_the_index_shows_headlines_only_as_published(batch):
    published = pd.read_csv(batch["output"] / "results.publication.csv", dtype=str)
    withheld = published[(published["service"] == "all") & (published["group"] == "minority")
                         & (published["relative_likelihood"] == "[c]")]
    assert len(withheld) > 0  # the tiny authority has small counts
    full = pd.read_csv(batch["output"] / "results.csv")
    page = (batch["output"] / "index.html").read_text()
    index = "".join(re.findall(r"<table.*?</table>", page, flags=re.S))  # not the legend
    assert "tiny-vale" in index
    for _, row in withheld.iterrows():
        match = full[(full["indicator"] == int(row["indicator"]))
                     & (full["measure"] == row["measure"]) & (full["service"] == "all")
                     & (full["group"] == "minority")]
        hidden = f"{float(match['relative_likelihood'].iloc[0]):.2f} ("
        assert hidden not in index


def test_manifest_records_inputs_versions_timings_and_status(batch):
    run = next(r for r in _manifest(batch["output"])["runs"]
               if r["id"] == f"{YEAR}/tiny-vale/03-disciplinary")
    assert run["status"] == "ok"
    assert set(run["inputs"]) >= {"notebook", "params", "data", "package", "versions"}
    assert run["packages"]["papermill"] and run["packages"]["pandas"]
    assert run["timings"]["total"] > 0
    assert run["outputs"]["publication_html"].endswith("03-disciplinary.publication.html")


def test_nothing_changed_means_everything_is_skipped_quickly(batch):
    good = batch["params"]
    started = time.perf_counter()
    process = subprocess.run(
        [str(ROOT / ".venv" / "bin" / "wres"), "run", "--params", str(good), "--output",
         str(batch["output"]), "--quiet"], capture_output=True, text=True, timeout=120)
    seconds = time.perf_counter() - started
    assert process.returncode == 1  # the broken authority is retried and fails again
    assert "0 run, 11 unchanged (skipped), 10 failed" in process.stdout
    assert seconds < 30  # the benchmark script measures the real figure


def test_keys_follow_data_notebook_and_parameters(tmp_path, monkeypatch):
    notebooks = tmp_path / "notebooks"
    shutil.copytree(ROOT / "notebooks", notebooks)
    monkeypatch.setattr(plan_module, "NOTEBOOKS", notebooks)
    params = tmp_path / "params"
    params.mkdir()
    for name in ("one", "two"):
        shutil.copy(SAMPLE, tmp_path / f"{name}.csv")
        _write_params(params, name, name.title(), tmp_path / f"{name}.csv")

    def keys():
        loaded = [load_params(p) for p in sorted(params.glob("*.yaml"))]
        return {r.id: r.key for r in plan_runs(loaded, tmp_path / "out")}

    before = keys()
    with open(tmp_path / "one.csv", "a") as handle:
        handle.write("\n")
    after_data = keys()
    changed = {k for k in before if before[k] != after_data[k]}
    assert changed and all(k.split("/")[1] in {"one", "national"} for k in changed)
    assert all(before[k] == after_data[k] for k in before if k.split("/")[1] == "two")
    nb = notebooks / "03-disciplinary.ipynb"
    nb.write_text(nb.read_text().replace("show.action_plan(", "show.action_plan( "))
    after_nb = keys()
    changed = {k for k in after_data if after_data[k] != after_nb[k]}
    assert changed == {f"{YEAR}/one/03-disciplinary", f"{YEAR}/two/03-disciplinary"}
    _write_params(params, "two", "Two", tmp_path / "two.csv", min_count=10)
    after_params = keys()
    changed = {k for k in after_nb if after_nb[k] != after_params[k]}
    assert f"{YEAR}/national/{BENCHMARK}" in changed  # it decides Two's disclosure at k = 10
    assert all(k.split("/")[1] in {"two", "national"} for k in changed)


def test_the_national_view_reruns_only_for_the_year_whose_data_changed(tmp_path):
    params = tmp_path / "params"
    params.mkdir()
    counts = pd.read_csv(SAMPLE)
    counts.to_csv(tmp_path / "one.csv", index=False)
    _write_params(params, "one", "Fernleigh Downs", tmp_path / "one.csv",
                  years=[2022, 2023, 2024])

    def national_keys():
        runs = plan_runs([load_params(params / "one.yaml")], tmp_path / "out")
        return {r.year: r.key for r in runs if r.notebook == BENCHMARK}

    before = national_keys()
    edited = counts.copy()
    edited.loc[(edited["year"] == 2022) & (edited["ethnic_group"] == "white"), "numerator"] = 0
    edited.to_csv(tmp_path / "one.csv", index=False)
    after = national_keys()
    assert before[2022] != after[2022]
    assert before[2023] == after[2023] and before[2024] == after[2024]


def test_slugs_cannot_leave_the_output_folder(tmp_path):
    params = tmp_path / "params"
    params.mkdir()
    _write_params(params, "evil", "../../etc", SAMPLE)
    _write_params(params, "city", 'Brighton & Hove "City"', SAMPLE)
    loaded = [load_params(p) for p in sorted(params.glob("*.yaml"))]
    out = (tmp_path / "out").resolve()
    for run in plan_runs(loaded, out):
        assert Path(run.final_dir).resolve().is_relative_to(out)
    slugs = {p.safe_slug for p in loaded}
    assert slugs == {"etc", "brighton-hove-city"}


def _journal_lines(path: Path) -> int:
    """Complete records in a batch journal."""
    if not path.is_file():
        return 0
    count = 0
    for line in path.read_bytes().splitlines():
        try:
            json.loads(line)
        except ValueError:
            continue
        count += 1
    return count


def test_a_killed_batch_resumes_where_it_stopped_and_a_second_batch_is_refused(tmp_path):
    params = tmp_path / "params"
    params.mkdir()
    shutil.copy(SAMPLE, tmp_path / "k.csv")
    _write_params(params, "k", "Fernleigh Downs", tmp_path / "k.csv")
    out = tmp_path / "out"
    command = [str(ROOT / ".venv" / "bin" / "wres"), "run", "--params", str(params),
               "--output", str(out), "--jobs", "1", "--quiet"]
    process = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                               start_new_session=True)
    journal = out / JOURNAL
    deadline = time.monotonic() + 240
    while time.monotonic() < deadline and _journal_lines(journal) < 2:
        time.sleep(0.05)
    second = subprocess.run(command, capture_output=True, text=True, timeout=120)
    os.killpg(process.pid, signal.SIGKILL)  # the batch, its host, drivers and zygote
    process.wait()
    assert second.returncode == 3, second.stderr
    assert "another wres run is writing to" in second.stderr
    finished = _journal_lines(journal)
    assert finished >= 2
    folder = out / str(YEAR) / "fernleigh-downs"
    written = sorted(folder.glob("*.publication.html"))
    assert len(written) < 10
    for page in written:  # whole pages only
        assert page.read_text().rstrip().endswith("</html>")
    assert not [p for p in folder.iterdir() if p.name.startswith(".")]
    done = subprocess.run(command[:-3] + ["--jobs", "2", "--quiet"], capture_output=True,
                          text=True, timeout=600)
    assert done.returncode == 0, done.stderr
    skipped = int(re.search(r"(\d+) unchanged \(skipped\)", done.stdout).group(1))
    assert skipped >= finished
    manifest = _manifest(out)
    assert len(manifest["runs"]) == 11 and all(r["status"] == "ok" for r in manifest["runs"])
    assert len(list(folder.glob("*.publication.html"))) == 10
    assert not journal.exists() and not list(out.glob(".staging-*"))


def test_a_full_disk_fails_the_run_and_leaves_earlier_outputs_whole(batch, tmp_path,
                                                                   monkeypatch):
    out = tmp_path / "out"
    shutil.copytree(batch["output"], out)
    before = {p: p.read_bytes() for p in out.rglob("*") if p.is_file()}
    runs = plan_runs([load_params(batch["params"] / "tiny-vale.yaml")], out, indicators=[3])
    run = next(r for r in runs if r.notebook == "03-disciplinary")
    real_write = os.write
    room = {"bytes": 60_000}  # the disk fills part-way through the run's outputs

    def write_to_a_small_disk(fd, data):
        try:
            target = os.readlink(f"/proc/self/fd/{fd}")
        except OSError:
            target = ""
        if target.startswith(str(out)):
            if len(data) > room["bytes"]:
                real_write(fd, bytes(data[: room["bytes"]]))
                room["bytes"] = 0
                raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))
            room["bytes"] -= len(data)
        return real_write(fd, data)

    monkeypatch.setattr(os, "write", write_to_a_small_disk)
    try:
        record = execute_run(run, {"git_commit": None, "packages": package_versions()})
    finally:
        close_zygote()
    assert record["status"] == "failed"
    assert "No space left on device" in record["error"]
    assert room["bytes"] == 0  # the disk did fill
    after = {p: p.read_bytes() for p in out.rglob("*") if p.is_file()}
    assert after == before  # earlier outputs intact, no partial page, nothing left behind


def test_a_warm_host_serves_the_next_batch_and_exits_when_idle(batch, tmp_path):
    runtime = Path(tempfile.mkdtemp(prefix="wres-test-", dir="/tmp"))  # a short socket path
    env = {**os.environ, "XDG_RUNTIME_DIR": str(runtime)}
    command = [str(ROOT / ".venv" / "bin" / "wres"), "run", "--params",
               str(batch["params"] / "tiny-vale.yaml"), "--output", str(tmp_path / "out"),
               "--indicator", "3", "--quiet", "--warm", "--warm-idle", "2"]
    first = subprocess.run(command, capture_output=True, text=True, timeout=300, env=env)
    assert first.returncode == 0, first.stderr
    sockets = list((runtime / f"wres-{os.getuid()}").glob("host-*.sock"))
    assert len(sockets) == 1
    pid = Host(str(sockets[0])).request({"op": "ping"})["pid"]
    again = subprocess.run(command + ["--force"], capture_output=True, text=True, timeout=300,
                           env=env)
    assert again.returncode == 0, again.stderr
    assert again.stdout.startswith("2 run, 0 unchanged")
    assert Host(str(sockets[0])).request({"op": "ping"})["pid"] == pid  # the same warm host
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline and psutil.pid_exists(pid):
        if psutil.Process(pid).status() == psutil.STATUS_ZOMBIE:
            break
        time.sleep(0.2)
    assert not psutil.pid_exists(pid) or psutil.Process(pid).status() == psutil.STATUS_ZOMBIE
    assert not sockets[0].exists()
    shutil.rmtree(runtime)


def _drivers(host: Host) -> list[int]:
    """The host's drivers: processes it forked (its zygote is a program of its own)."""
    own = psutil.Process(host.process.pid)
    return sorted(child.pid for child in own.children()
                  if child.status() != psutil.STATUS_ZOMBIE
                  and child.cmdline() == own.cmdline())


def _until(condition, seconds: float = 30.0) -> bool:
    deadline = time.monotonic() + seconds
    while not condition() and time.monotonic() < deadline:
        time.sleep(0.05)
    return bool(condition())


def test_a_kept_connection_keeps_one_driver_for_all_its_requests(batch, tmp_path):
    """A batch keeps a connection for each job: the host forks one driver for it, which
    does every request sent on it, one after another, and exits once it is closed. A
    driver that died between requests is replaced for the next one."""
    out = tmp_path / "out"
    shutil.copytree(batch["output"], out)
    request = {"op": "consolidate", "output_dir": str(out), "manifest": _manifest(out)}
    host = start_private()
    try:
        assert host.request(request, keep=True, timeout=120) == {"status": "ok"}
        first = _drivers(host)
        assert len(first) == 1  # still there, waiting for the next request
        assert host.request(request, keep=True, timeout=120) == {"status": "ok"}
        assert _drivers(host) == first  # the same process did both
        os.kill(first[0], signal.SIGKILL)
        assert _until(lambda: not psutil.pid_exists(first[0]))  # gone, reaped by the host
        assert host.request(request, keep=True, timeout=120) == {"status": "ok"}
        second = _drivers(host)
        assert len(second) == 1 and second != first
        assert host.request(request, timeout=120) == {"status": "ok"}  # not kept: a driver
        assert _until(lambda: _drivers(host) == second)  # of its own, gone once it replied
        assert host.request(request, keep=True, timeout=120) == {"status": "ok"}
        assert _drivers(host) == second
        host.close_kept()
        assert _until(lambda: _drivers(host) == [])
        assert (out / "index.html").is_file()
    finally:
        host.stop()


def test_a_dask_local_cluster_gives_the_same_results(batch, tmp_path):
    good = batch["params"] / "tiny-vale.yaml"
    out = tmp_path / "dask"
    process = subprocess.run(
        [sys.executable, "-m", "wres.cli", "run", "--params", str(good), "--output", str(out),
         "--scheduler", "local", "--jobs", "2", "--quiet", "--indicator", "3",
         "--indicator", "7"], capture_output=True, text=True, timeout=600)
    assert process.returncode == 0, process.stderr
    # The run's own lines only: not Dask's start-up and shut-down log (its INFO lines)
    said = process.stdout + process.stderr
    assert "ok 2024/tiny-vale/03-disciplinary" in said
    assert "Scheduler at" not in said and "dashboard at" not in said, said
    local = pd.read_csv(batch["output"] / "results.csv")
    local = local[local["indicator"].isin([3, 7])].reset_index(drop=True)
    pd.testing.assert_frame_equal(pd.read_csv(out / "results.csv"), local)


def test_results_publication_rows_are_the_same_decided_in_one_process_or_shared_out():
    """results.publication.csv's disclosure control, shared out among forked processes
    for many authorities, gives the rows one process gives, in the same order."""
    from wres.analysis.disclosure.suppression import apply_disclosure
    from wres.batch.manifest import _publishable

    results = pd.concat([compute_results(read_counts(ROOT / "data" / "sample" / f"{slug}.csv"))
                         for slug in ("cindermoor", "brightwater", "eastmarsh")],
                        ignore_index=True)
    manifest = {"runs": [{"authority": "Brightwater", "min_count": 10}]}
    alone = _publishable(results, manifest, shared_from=10**6)
    pd.testing.assert_frame_equal(_publishable(results, manifest, shared_from=1), alone)
    brightwater = results[results["authority"] == "Brightwater"].reset_index(drop=True)
    pd.testing.assert_frame_equal(
        alone[alone["authority"] == "Brightwater"].reset_index(drop=True),
        apply_disclosure(brightwater, min_count=10))  # each authority at its own min_count
