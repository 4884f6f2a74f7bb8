"""The batch cache: an authority's notebooks validate its counts file once, with the same result.

`read_counts` keeps the validated frame in the folder named by ``WRES_CACHE_DIR``
under the hash of the files' bytes; a hit must give exactly the frame a fresh read
gives, a changed file must be read again, and errors must never be kept.
"""

from __future__ import annotations

import json
import os
import pickle
import shutil
import time
from pathlib import Path

import pandas as pd
import pytest

from wres.batch.execute import use_batch_cache
from wres.batch.outputs import remove_leftovers
from wres.core import cache
from wres.core.cache import CACHE_ENV, CACHE_FOLDER, KEPT_FOLDER, make_cache_dir, set_cache_aside
from wres.inputs import counts as counts_module
from wres.inputs.counts import read_counts
from wres.inputs.validation import ValidationError

DATA = Path(__file__).parent / "data"
SAMPLE = Path(__file__).resolve().parents[1] / "data" / "sample" / "ashbourne-vale.csv"


@pytest.fixture
def batch_cache(tmp_path, monkeypatch) -> Path:
    folder = make_cache_dir(tmp_path / "outputs")
    monkeypatch.setenv(CACHE_ENV, str(folder))
    return folder


def entries(folder: Path) -> list[Path]:
    return sorted(folder.glob("counts-*.pickle"))


def no_reading(*args, **kwargs):
    raise AssertionError("the counts file was validated again")


def test_a_second_read_loads_the_same_frame_without_validating(batch_cache, tmp_path,
                                                               monkeypatch):
    path = tmp_path / "counts.csv"
    shutil.copy(SAMPLE, path)
    monkeypatch.delenv(CACHE_ENV)
    fresh = read_counts(path)
    monkeypatch.setenv(CACHE_ENV, str(batch_cache))
    first = read_counts(path)
    assert len(entries(batch_cache)) == 1
    monkeypatch.setattr(counts_module, "_read_validated", no_reading)
    second = read_counts([str(path)])
    pd.testing.assert_frame_equal(first, fresh, check_exact=True)
    pd.testing.assert_frame_equal(second, fresh, check_exact=True)
    assert second is not first  # each caller gets its own frame to change


def test_the_same_bytes_under_another_name_are_a_hit(batch_cache, tmp_path, monkeypatch):
    for name in ("a.csv", "b.csv"):
        shutil.copy(SAMPLE, tmp_path / name)
    expected = read_counts(tmp_path / "a.csv")
    monkeypatch.setattr(counts_module, "_read_validated", no_reading)
    pd.testing.assert_frame_equal(read_counts(tmp_path / "b.csv"), expected)


def test_a_changed_file_is_read_again(batch_cache, tmp_path):
    path = tmp_path / "counts.csv"
    shutil.copy(SAMPLE, path)
    before = read_counts(path)
    table = pd.read_csv(path)
    row = table.index[(table["indicator"] == 5) & (table["numerator"] < table["denominator"])][0]
    table.loc[row, "numerator"] += 1
    table.to_csv(path, index=False)
    after = read_counts(path)
    assert len(entries(batch_cache)) == 2
    assert after["numerator"].sum() == before["numerator"].sum() + 1


def test_errors_are_never_kept_and_come_back_the_same(batch_cache):
    bad = DATA / "bad_numerator_above_denominator.csv"
    with pytest.raises(ValidationError) as first:
        read_counts(bad)
    with pytest.raises(ValidationError) as second:
        read_counts(bad)
    assert str(first.value) == str(second.value)
    assert entries(batch_cache) == []
    with pytest.raises(ValidationError, match="no file at this path"):
        read_counts(DATA / "no-such-file.csv")


def test_files_read_together_are_kept_in_their_order(batch_cache, tmp_path, monkeypatch):
    one, two = DATA / "counts_small.csv", tmp_path / "other.csv"
    table = pd.read_csv(one)
    table["authority"] = table["authority"] + " Two"
    table.to_csv(two, index=False)
    forward, backward = read_counts([one, two]), read_counts([two, one])
    assert len(entries(batch_cache)) == 2
    monkeypatch.setattr(counts_module, "_read_validated", no_reading)
    pd.testing.assert_frame_equal(read_counts([one, two]), forward)
    pd.testing.assert_frame_equal(read_counts([two, one]), backward)
    assert forward["authority"].iloc[0] != backward["authority"].iloc[0]


def test_a_folder_others_can_enter_is_not_used(tmp_path, monkeypatch):
    folder = tmp_path / "shared"
    folder.mkdir()
    os.chmod(folder, 0o755)
    monkeypatch.setenv(CACHE_ENV, str(folder))
    assert cache.cache_dir() is None
    read_counts(SAMPLE)
    assert list(folder.iterdir()) == []


def test_without_a_batch_nothing_is_kept(tmp_path, monkeypatch):
    monkeypatch.delenv(CACHE_ENV, raising=False)
    assert cache.cache_dir() is None
    assert cache.load("counts", "anything") is None
    cache.store("counts", "anything", 1)  # silently nothing


def test_a_damaged_entry_is_recomputed(batch_cache):
    expected = read_counts(SAMPLE)
    for entry in entries(batch_cache):
        entry.write_bytes(b"not a pickle")
    pd.testing.assert_frame_equal(read_counts(SAMPLE), expected)


def test_the_key_names_the_code_and_the_options():
    identity = cache.code_identity("core", "inputs")
    assert identity == cache.code_identity("core", "inputs")  # once per process
    assert identity != cache.code_identity("core")
    key = cache.content_key(identity, [None, ".csv"], [b"a,b\n"])
    assert key != cache.content_key(identity, ["counts", ".csv"], [b"a,b\n"])
    assert key != cache.content_key(identity, [None, ".csv"], [b"a,b\n", b""])
    assert key != cache.content_key(cache.code_identity("core"), [None, ".csv"], [b"a,b\n"])


def test_the_batch_gives_its_runs_a_private_cache_and_keeps_it_for_the_next(tmp_path,
                                                                            monkeypatch):
    output = tmp_path / "outputs"
    folder = make_cache_dir(output)
    assert folder == output / CACHE_FOLDER
    assert (folder.stat().st_mode & 0o777) == 0o700
    monkeypatch.setenv(CACHE_ENV, "restored after the test")
    use_batch_cache(output)
    assert os.environ[CACHE_ENV] == str(folder)
    (folder / "counts-kept.pickle").write_bytes(b"")
    set_cache_aside(output)  # the batch ended, or was stopped
    assert not folder.exists() and (output / KEPT_FOLDER / "counts-kept.pickle").is_file()
    assert remove_leftovers(output) == 0  # a kept cache is not a leftover
    use_batch_cache(str(output))
    assert CACHE_ENV not in os.environ  # no batch is running
    assert make_cache_dir(output) == folder
    assert [p.name for p in folder.iterdir()] == ["counts-kept.pickle"]


def test_a_kept_cache_others_could_write_to_is_not_trusted(tmp_path):
    output = tmp_path / "outputs"
    folder = make_cache_dir(output)
    (folder / "counts-planted.pickle").write_bytes(pickle.dumps("planted"))
    set_cache_aside(output)
    os.chmod(output / KEPT_FOLDER, 0o777)
    folder = make_cache_dir(output)
    assert list(folder.iterdir()) == [] and (folder.stat().st_mode & 0o777) == 0o700


def test_entries_unused_since_a_time_are_pruned_and_loading_marks_one_used(batch_cache):
    for name in ("old", "used", "new"):
        cache.store("counts", name, name)
    (batch_cache / ".counts-cut.tmp").write_bytes(b"a store a kill cut short")
    long_ago = time.time() - 3600
    for entry in [*batch_cache.glob("counts-*.pickle"), batch_cache / ".counts-cut.tmp"]:
        os.utime(entry, (long_ago, long_ago))
    os.utime(batch_cache / "counts-new.pickle")
    since = time.time() - 60
    assert cache.load("counts", "used") == "used"  # marks it used now
    assert cache.prune(batch_cache, since) == 2
    assert sorted(p.name for p in batch_cache.iterdir()) == ["counts-new.pickle",
                                                            "counts-used.pickle"]
    assert cache.load("counts", "old") is None


def test_a_finished_batch_keeps_its_cache_private_and_out_of_the_way(report_run):
    assert not (report_run / CACHE_FOLDER).exists()
    kept = report_run / KEPT_FOLDER
    assert (kept.stat().st_mode & 0o777) == 0o700 and any(kept.glob("counts-*.pickle"))


def test_the_national_view_loads_the_decisions_the_notebooks_stored(report_run):
    # The indicator notebooks ran first and decided every authority-year they show
    # (2022-2024 of the two authorities); had the national view (2024) missed them,
    # its own decisions would be there too, under other keys.
    runs = json.loads((report_run / "manifest.json").read_text())["runs"]
    year = next(r["year"] for r in runs if r["notebook"] == "10-benchmark")
    files = {path for r in runs if r["notebook"] == "03-disciplinary"
             for path in r["inputs"]["data"]}
    units = {(a, y) for path in files for a, y in read_counts(path)[["authority", "year"]]
             .drop_duplicates().itertuples(index=False) if y <= year}
    decided = sorted((report_run / KEPT_FOLDER).glob("disclosure-hidden-*.pickle"))
    assert len(units) == 6 and len(decided) == len(units)


def test_an_authoritys_results_are_computed_once_with_the_same_values(batch_cache,
                                                                      monkeypatch):
    from wres.analysis import results as results_module
    from wres.analysis.results import compute_results

    counts = read_counts(SAMPLE)
    monkeypatch.delenv(CACHE_ENV)
    fresh = compute_results(counts, ci_method="koopman-score", pay_bands=iter(["Band 2"]))
    monkeypatch.setenv(CACHE_ENV, str(batch_cache))
    first = compute_results(counts, ci_method="koopman-score", pay_bands=iter(["Band 2"]))
    monkeypatch.setattr(results_module, "_compute_results", no_reading)
    again = compute_results(counts.copy(), ci_method="koopman-score", pay_bands=["Band 2"])
    pd.testing.assert_frame_equal(first, fresh, check_exact=True)
    pd.testing.assert_frame_equal(again, fresh, check_exact=True)
    with pytest.raises(AssertionError, match="validated again"):  # other options: computed
        compute_results(counts, ci_method="katz-log", pay_bands=["Band 2"])
    with pytest.raises(AssertionError, match="validated again"):  # other counts: computed
        compute_results(counts[counts["indicator"] == 3], ci_method="koopman-score",
                        pay_bands=["Band 2"])


def test_only_plain_options_are_part_of_a_key(batch_cache):
    calls = []

    def compute():
        calls.append(1)
        return len(calls)

    frame = pd.DataFrame({"a": [1, 2]})
    assert cache.memoised("test", [0.95, ("x", None)], [frame], compute) == 1
    assert cache.memoised("test", [0.95, ("x", None)], [frame.copy()], compute) == 1
    assert cache.memoised("test", [0.95, ("x", None)], [frame.assign(a=[1, 3])], compute) == 2
    opaque = object()  # its repr names an address another process may reuse
    assert cache.memoised("test", [opaque], [frame], compute) == 3
    assert cache.memoised("test", [opaque], [frame], compute) == 4


def test_a_frames_digest_is_its_contents_not_its_layout():
    counts = read_counts(SAMPLE)
    unpickled = pickle.loads(pickle.dumps(counts))
    mine = counts[counts["indicator"] == 3]
    assert cache.frame_digest(mine) == cache.frame_digest(unpickled[unpickled["indicator"] == 3])
    assert cache.frame_digest(counts) == cache.frame_digest(counts.copy())
    assert cache.frame_digest(mine) != cache.frame_digest(counts[counts["indicator"] == 4])
    assert cache.frame_digest(mine) != cache.frame_digest(mine.reset_index(drop=True))
    as_text = pd.DataFrame({"n": pd.Series([1.0, 2.0], dtype=object)})
    assert cache.frame_digest(as_text) != cache.frame_digest(as_text.astype(str).astype(object))
    assert cache.frame_digest(as_text) != cache.frame_digest(as_text.astype(float))


def test_a_whole_countrys_frame_is_computed_not_kept(batch_cache):
    big = pd.DataFrame({"a": range(cache.MEMO_ROWS + 1)})
    calls = []
    for _ in range(2):
        cache.memoised("test", [], [big], lambda: calls.append(1))
    assert len(calls) == 2
