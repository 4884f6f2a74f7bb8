"""A batch can be stopped at any point: the journal, the output lock and all-or-nothing outputs.

These are the parts `wres run` is built from; tests/test_runner.py kills, fills and
doubles real batches.
"""

from __future__ import annotations

import errno
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from wres.batch import journal as journal_module
from wres.batch import outputs
from wres.batch.journal import JOURNAL, Journal, replay
from wres.batch.lock import OutputBusy, OutputLock
from wres.batch.manifest import is_up_to_date
from wres.batch.plan import RunSpec


def _record(run_id: str, status: str = "ok", **extra) -> dict:
    return {"id": run_id, "status": status, "key": f"key-{run_id}", **extra}


def test_the_journal_keeps_every_finished_run_and_the_latest_record_wins(tmp_path):
    journal = Journal(tmp_path)
    journal.append(_record("2024/a/03-disciplinary", "failed", error="boom"))
    journal.append(_record("2024/a/05-cpd"))
    journal.append(_record("2024/a/03-disciplinary"))
    journal.close()
    records = replay(tmp_path)
    assert set(records) == {"2024/a/03-disciplinary", "2024/a/05-cpd"}
    assert records["2024/a/03-disciplinary"]["status"] == "ok"
    assert len((tmp_path / JOURNAL).read_text().splitlines()) == 3  # append-only


def test_a_line_cut_short_by_a_kill_is_skipped_and_the_others_kept(tmp_path):
    journal = Journal(tmp_path)
    journal.append(_record("2024/a/01-pay-bands"))
    journal.close()
    line = json.dumps(_record("2024/a/02-shortlisting"))
    with open(tmp_path / JOURNAL, "a") as handle:
        handle.write(line[: len(line) // 2])  # what a kill in the middle of write() leaves
    assert list(replay(tmp_path)) == ["2024/a/01-pay-bands"]


def test_each_record_is_fsynced_before_append_returns(tmp_path, monkeypatch):
    synced = []
    real_fsync = os.fsync
    monkeypatch.setattr(journal_module.os, "fsync", lambda fd: synced.append(fd) or real_fsync(fd))
    journal = Journal(tmp_path)
    journal.append(_record("one"))
    journal.append(_record("two"))
    journal.remove()
    assert len(synced) >= 2
    assert not (tmp_path / JOURNAL).exists()
    assert replay(tmp_path) == {}


def test_a_second_batch_on_the_same_folder_is_refused_naming_the_first(tmp_path):
    first = OutputLock(tmp_path).acquire()
    with pytest.raises(OutputBusy) as refused:
        OutputLock(tmp_path).acquire(wait=0.2)
    message = str(refused.value)
    assert f"pid {os.getpid()}" in message and str(tmp_path) in message
    first.release()
    OutputLock(tmp_path).acquire().release()  # free again once released


def test_the_lock_of_a_killed_batch_does_not_outlive_it(tmp_path):
    holder = subprocess.Popen(
        [sys.executable, "-c",
         "import sys, time; from wres.batch.lock import OutputLock; "
         f"OutputLock({str(tmp_path)!r}).acquire(); print('locked', flush=True); time.sleep(60)"],
        stdout=subprocess.PIPE, text=True)
    assert holder.stdout.readline().strip() == "locked"
    with pytest.raises(OutputBusy):
        OutputLock(tmp_path).acquire(wait=0.1)
    holder.kill()
    holder.wait()
    OutputLock(tmp_path).acquire(wait=2.0).release()


def _staged(tmp_path: Path, texts: dict[str, str]) -> tuple[Path, dict[Path, Path]]:
    staging = outputs.new_staging(tmp_path / "out")
    moves = {}
    for name, text in texts.items():
        staged = staging / f"{name}.out"
        outputs.write_durably(staged, text.encode())
        moves[tmp_path / "out" / "2024" / "a" / name] = staged
    return staging, moves


def test_outputs_are_installed_all_together_or_not_at_all(tmp_path, monkeypatch):
    folder = tmp_path / "out" / "2024" / "a"
    folder.mkdir(parents=True)
    (folder / "03.ipynb").write_text("old notebook")
    (folder / "03.html").write_text("old page")
    staging, moves = _staged(tmp_path, {"03.ipynb": "new notebook", "03.html": "new page",
                                        "03.publication.html": "new publication page"})
    real_replace = os.replace
    calls = []

    def failing_replace(source, target):
        calls.append(target)
        if len(calls) == 3:  # the third rename fails: the first two must be undone
            raise OSError(errno.EIO, "Input/output error")
        return real_replace(source, target)

    monkeypatch.setattr(outputs.os, "replace", failing_replace)
    with pytest.raises(OSError):
        outputs.install(moves, staging)
    assert (folder / "03.ipynb").read_text() == "old notebook"
    assert (folder / "03.html").read_text() == "old page"
    assert not (folder / "03.publication.html").exists()
    monkeypatch.setattr(outputs.os, "replace", real_replace)
    staging, moves = _staged(tmp_path, {"03.ipynb": "new notebook", "03.html": "new page"})
    outputs.install(moves, staging)
    assert (folder / "03.html").read_text() == "new page"


def test_a_full_disk_while_staging_raises_and_leaves_the_final_folder_alone(tmp_path,
                                                                            monkeypatch):
    real_write = os.write

    def disk_fills(fd, data):
        if len(data) > 10:
            real_write(fd, bytes(data[:10]))  # part of the file reaches the disk, then ENOSPC
            raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))
        return real_write(fd, data)

    monkeypatch.setattr(outputs.os, "write", disk_fills)
    staging = outputs.new_staging(tmp_path / "out")
    with pytest.raises(OSError) as full:
        outputs.write_durably(staging / "page.out", b"<html>" + b"x" * 100 + b"</html>")
    assert full.value.errno == errno.ENOSPC
    assert [p.name for p in (tmp_path / "out").iterdir()] == [staging.name]
    assert outputs.remove_leftovers(tmp_path / "out") == 1
    assert list((tmp_path / "out").iterdir()) == []


def test_a_run_is_skipped_only_if_its_outputs_are_there_at_the_size_recorded(tmp_path):
    run = RunSpec(id="2024/a/03", notebook="03", notebook_path="", authority="A", slug="a",
                  region=None, year=2024, indicator=3, parameters={}, data=[],
                  output_dir=str(tmp_path), final_dir=str(tmp_path / "2024" / "a"), key="k")
    page = tmp_path / "2024" / "a" / "03.html"
    page.parent.mkdir(parents=True)
    page.write_text("<html>whole page</html>")
    record = {"status": "ok", "key": "k", "outputs": {"html": "2024/a/03.html"},
              "files": {"html": {"bytes": page.stat().st_size}}}
    assert is_up_to_date(run, record, tmp_path)
    page.write_text("<html>cut")  # a page cut short (a crash before it reached the disk)
    assert not is_up_to_date(run, record, tmp_path)
    assert not is_up_to_date(run, {**record, "key": "other"}, tmp_path)
    page.unlink()
    assert not is_up_to_date(run, record, tmp_path)
