"""Atomic writes: whole files only, with the permissions any new file of the user's gets."""

import os
import stat

import pytest

from wres.core import atomic


def _mode(path) -> int:
    return stat.S_IMODE(os.stat(path).st_mode)


def test_a_written_file_has_the_mode_the_umask_gives_not_the_temporary_files(tmp_path):
    mask = os.umask(0o022)
    os.umask(mask)
    path = atomic.write_text_atomic(tmp_path / "report.html", "<p>ok</p>")
    assert _mode(path) == 0o666 & ~mask
    plain = tmp_path / "plain.txt"
    plain.write_text("x")  # what open() gives a new file
    assert _mode(path) == _mode(plain)
    assert atomic._read_umask() == mask


def test_a_failed_write_leaves_neither_a_file_nor_a_temporary_one(tmp_path):
    def fail(tmp):
        tmp.write_text("half")
        raise RuntimeError("disk full")

    with pytest.raises(RuntimeError):
        atomic.write_atomic(tmp_path / "results.csv", fail)
    assert list(tmp_path.iterdir()) == []
