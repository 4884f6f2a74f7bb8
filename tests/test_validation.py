"""Validation of the counts format: every rule names the file, row and column."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest

from wres.cli import main
from wres.inputs.counts import read_counts
from wres.inputs.validation import COUNT_COLUMNS, Problem, ValidationError, validate_counts

DATA = Path(__file__).parent / "data"
WRES = Path(sys.executable).with_name("wres")


def problems_in(name: str) -> list[Problem]:
    path = DATA / name
    with pytest.raises(ValidationError) as caught:
        read_counts([path])
    return caught.value.problems


def where(problems: list[Problem]) -> set[tuple[int | None, str | None]]:
    return {(p.row, p.column) for p in problems}


def test_problem_reads_as_one_plain_line():
    problem = Problem("data/x.csv", 14, "numerator", "-3", "a whole number of 0 or more")
    assert problem.format() == (
        "data/x.csv, row 14, column 'numerator': value '-3' — expected a whole number of 0 or more"
    )


def test_misspelt_columns_suggest_the_nearest_name():
    problems = problems_in("bad_misspelt_columns.csv")
    assert where(problems) == {(1, "yaer"), (1, "numerater")}
    lines = [p.format() for p in problems]
    assert any("column 'yaer'" in line and "did you mean 'year'?" in line for line in lines)
    assert any("did you mean 'numerator'?" in line for line in lines)
    assert all(line.startswith(str(DATA / "bad_misspelt_columns.csv")) for line in lines)


def test_missing_column_is_named():
    (problem,) = problems_in("bad_missing_column.csv")
    assert (problem.row, problem.column, problem.value) == (1, "numerator", None)
    assert "missing" in problem.expected


def test_counts_must_be_whole_numbers_of_zero_or_more():
    problems = problems_in("bad_counts.csv")
    assert where(problems) == {(3, "numerator"), (4, "denominator"), (5, "numerator")}
    assert {p.value for p in problems} == {"-3", "12.5", "ten"}
    assert all(p.expected == "a whole number of 0 or more" for p in problems)


def test_numerator_above_denominator():
    (problem,) = problems_in("bad_numerator_above_denominator.csv")
    assert (problem.row, problem.column, problem.value) == (3, "numerator", "11")
    assert "no greater than the denominator (10)" in problem.expected


def test_unknown_indicator_measure_ethnic_group_and_supplied_all():
    problems = problems_in("bad_unknown_values.csv")
    assert where(problems) == {
        (2, "indicator"),
        (3, "measure"),
        (4, "ethnic_group"),
        (5, "service"),
    }
    by_column = {p.column: p for p in problems}
    assert by_column["indicator"].value == "10"
    assert by_column["measure"].expected == "a measure of indicator 3: disciplinary"
    assert "white, minority, unknown" in by_column["ethnic_group"].expected
    assert "'all' is computed" in by_column["service"].expected


def test_duplicated_cell_points_to_the_first():
    (problem,) = problems_in("bad_duplicate.csv")
    assert (problem.row, problem.column) == (4, "ethnic_group")
    assert "already given on row 2" in problem.expected


def test_year_must_be_a_four_digit_year():
    problems = problems_in("bad_year.csv")
    assert where(problems) == {(2, "year"), (3, "year"), (4, "year")}
    assert {p.value for p in problems} == {"2023/24", "1999", "23"}


def test_shared_denominators_must_agree():
    problems = problems_in("bad_shared_denominator.csv")
    assert where(problems) == {(3, "denominator"), (5, "denominator")}
    band, managers = problems
    assert band.value == "310" and band.expected.startswith("300 as on row 2")
    assert "pay band of indicator 1" in band.expected
    assert managers.value == "90" and "indicator 7" in managers.expected


def test_blank_required_values():
    problems = problems_in("bad_blank.csv")
    assert where(problems) == {(3, "authority"), (4, "numerator")}
    assert all(p.value is None and "blank" in p.expected for p in problems)


def test_minority_and_broad_groups_for_the_same_cell():
    (problem,) = problems_in("bad_minority_and_broad.csv")
    assert (problem.row, problem.column, problem.value) == (4, "ethnic_group", "minority")
    assert "broad groups are given on row 3" in problem.expected


def test_unreadable_and_missing_files_are_named():
    missing = DATA / "no-such-file.csv"
    with pytest.raises(ValidationError) as caught:
        read_counts([DATA / "bad_ragged.csv", missing])
    ragged, absent = caught.value.problems
    assert ragged.file == str(DATA / "bad_ragged.csv") and ragged.row is None
    assert "same number of fields" in ragged.expected
    assert absent.file == str(missing) and "no file" in absent.expected


def test_every_problem_in_every_file_is_reported_at_once():
    files = [DATA / "bad_counts.csv", DATA / "bad_year.csv", DATA / "counts_small.csv"]
    with pytest.raises(ValidationError) as caught:
        read_counts(files)
    files_named = [p.file for p in caught.value.problems]
    assert files_named.count(str(DATA / "bad_counts.csv")) == 3
    assert files_named.count(str(DATA / "bad_year.csv")) == 3
    text = caught.value.format()
    assert text.startswith("6 problems in the counts:")
    assert len(text.splitlines()) == 7


def test_the_same_cell_in_two_files(tmp_path):
    copy = tmp_path / "copy.csv"
    copy.write_text((DATA / "counts_small.csv").read_text())
    with pytest.raises(ValidationError) as caught:
        read_counts([DATA / "counts_small.csv", copy])
    problems = caught.value.problems
    assert len(problems) == 43
    assert problems[0].file == str(copy) and problems[0].row == 2
    assert f"also given in {DATA / 'counts_small.csv'}, row 2" in problems[0].expected


def test_validate_counts_on_a_frame_in_memory():
    frame = pd.DataFrame(
        [["A", 2023, "adults", 3, "disciplinary", "white", 100, 5],
         ["A", 2023, "adults", 3, "disciplinary", "minority", 50, 51]],
        columns=list(COUNT_COLUMNS),
    )
    (problem,) = validate_counts(frame, "in memory")
    assert (problem.file, problem.row, problem.column) == ("in memory", 3, "numerator")
    assert validate_counts(frame.iloc[:1], "in memory") == []


def test_case_and_spaces_are_forgiven():
    frame = pd.DataFrame(
        [[" A ", "2023", "Adults", "3", "Disciplinary", "White ", "100", "5.0"]],
        columns=[c.upper() for c in COUNT_COLUMNS],
    )
    assert validate_counts(frame, "f") == []


def test_cli_validate_prints_every_problem_and_fails(capsys):
    status = main(["validate", str(DATA / "bad_counts.csv"), str(DATA / "counts_small.csv")])
    captured = capsys.readouterr()
    assert status == 1
    assert captured.err.count("bad_counts.csv, row") == 3
    assert f"{DATA / 'counts_small.csv'}: OK (45 rows)" in captured.out


def test_installed_wres_validate_command():
    done = subprocess.run(
        [str(WRES), "validate", str(DATA / "bad_year.csv")],
        capture_output=True, text=True, check=False,
    )
    assert done.returncode == 1
    assert "row 2, column 'year': value '2023/24'" in done.stderr
