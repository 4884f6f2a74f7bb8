"""Reading counts files: types, derived minority rows, band order, XLSX sheets and rows."""

from __future__ import annotations

from pathlib import Path

import openpyxl
import pandas as pd
import pytest

from wres.inputs.counts import add_derived_minority, band_order, read_counts
from wres.inputs.validation import COUNT_COLUMNS, ValidationError

DATA = Path(__file__).parent / "data"
HEADER = list(COUNT_COLUMNS)


@pytest.fixture(scope="module")
def counts() -> pd.DataFrame:
    return read_counts([DATA / "counts_small.csv"])


def write_xlsx(path: Path, sheets: dict[str, list[list[object]]]) -> Path:
    book = openpyxl.Workbook()
    book.remove(book.active)
    for name, rows in sheets.items():
        sheet = book.create_sheet(name)
        for row in rows:
            sheet.append(row)
    book.save(path)
    return path


def test_counts_are_typed_and_tidy(counts):
    assert list(counts.columns) == [*COUNT_COLUMNS, "derived"]
    assert counts["year"].dtype == "int64"
    assert counts["indicator"].dtype == "int64"
    assert counts["numerator"].dtype == "int64"
    assert counts["denominator"].dtype == "int64"
    assert counts["derived"].dtype == bool
    assert len(counts) == 43 + 2  # two minority rows derived from broad groups


def test_minority_is_the_sum_of_the_broad_groups(counts):
    derived = counts[counts["derived"]].set_index("service")
    assert set(derived["ethnic_group"]) == {"minority"}
    assert derived.loc["adults", ["numerator", "denominator"]].tolist() == [
        10 + 5 + 3 + 2, 80 + 60 + 20 + 15,
    ]
    assert derived.loc["children", ["numerator", "denominator"]].tolist() == [
        3 + 6 + 1 + 1, 30 + 40 + 10 + 5,
    ]
    broad = counts[counts["ethnic_group"].isin(["asian", "black", "mixed", "other"])]
    assert len(broad) == 8 and not broad["derived"].any()


def test_given_minority_is_not_derived_again(counts):
    given = counts[~counts["derived"]].drop(columns="derived")
    again = add_derived_minority(counts)
    assert len(again) == len(counts)
    assert add_derived_minority(given[given["indicator"] == 3]).equals(
        given[given["indicator"] == 3].assign(derived=False).reset_index(drop=True)
    )


def test_band_order_follows_the_params_then_first_appearance(counts):
    assert band_order(counts) == ["Band A", "Band B", "Band C"]
    assert band_order(counts, ["Band C", "Band A"]) == ["Band C", "Band A", "Band B"]


def test_several_files_are_read_together(tmp_path):
    extra = tmp_path / "westmoor.csv"
    extra.write_text(
        ",".join(HEADER) + "\n"
        "Westmoor,2022,adults,8,leavers,white,500,50\n"
        "Westmoor,2022,adults,8,leavers,minority,100,16\n"
    )
    both = read_counts([DATA / "counts_small.csv", extra])
    assert set(both["authority"]) == {"Northshire", "Southvale", "Westmoor"}
    assert both.loc[both["authority"] == "Westmoor", "numerator"].tolist() == [50, 16]


def test_xlsx_uses_the_counts_sheet_and_keeps_row_numbers(tmp_path):
    path = write_xlsx(tmp_path / "book.xlsx", {
        "notes": [["not counts"]],
        "counts": [
            HEADER,
            ["Northshire", 2023, "adults", 3, "disciplinary", "white", 610, 15],
            [],
            ["Northshire", 2023.0, "adults", 3.0, "disciplinary", "minority", 310, 311],
        ],
    })
    with pytest.raises(ValidationError) as caught:
        read_counts([path])
    (problem,) = caught.value.problems
    assert (problem.row, problem.column, problem.sheet) == (4, "numerator", "counts")
    assert problem.format().startswith(f"{path}, sheet 'counts', row 4, column 'numerator'")


def test_xlsx_without_a_counts_sheet_reads_the_first(tmp_path):
    path = write_xlsx(tmp_path / "book.xlsx", {
        "mine": [HEADER, ["Northshire", 2023, "adults", 5, "cpd", "white", 100, 20]],
        "other": [["ignored"]],
    })
    counts = read_counts([path])
    assert counts[["indicator", "measure", "numerator"]].values.tolist() == [[5, "cpd", 20]]


def test_xlsx_named_sheet_and_a_missing_sheet(tmp_path):
    path = write_xlsx(tmp_path / "book.xlsx", {
        "first": [["nothing"]],
        "2023": [HEADER, ["Northshire", 2023, "adults", 5, "cpd", "white", 100, 20]],
    })
    assert len(read_counts([path], sheet="2023")) == 1
    with pytest.raises(ValidationError) as caught:
        read_counts([path], sheet="2024")
    assert "a sheet named '2024' — the sheets are first, 2023" in caught.value.format()


def test_blank_lines_keep_csv_row_numbers(tmp_path):
    path = tmp_path / "gaps.csv"
    path.write_text(
        ",".join(HEADER) + "\n\n"
        "Northshire,2023,adults,5,cpd,white,100,20\n\n"
        "Northshire,2023,adults,5,cpd,minority,40,-1\n"
    )
    with pytest.raises(ValidationError) as caught:
        read_counts([path])
    assert [(p.row, p.column) for p in caught.value.problems] == [(5, "numerator")]


def test_header_only_file_is_valid_and_empty(tmp_path):
    path = tmp_path / "empty.csv"
    path.write_text(",".join(HEADER) + "\n")
    counts = read_counts([path])
    assert counts.empty and list(counts.columns) == [*COUNT_COLUMNS, "derived"]


def test_unsupported_and_empty_files(tmp_path):
    old = tmp_path / "old.xls"
    old.write_bytes(b"\xd0\xcf")
    blank = tmp_path / "blank.csv"
    blank.write_text("")
    with pytest.raises(ValidationError) as caught:
        read_counts([old, blank])
    first, second = caught.value.problems
    assert first.expected == "a .csv or .xlsx file"
    assert second.file == str(blank) and "empty" in second.expected
