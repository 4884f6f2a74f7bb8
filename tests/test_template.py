"""The XLSX data-entry template: sheets, drop-down lists, and reading it back."""

from __future__ import annotations

from pathlib import Path

import openpyxl
import pytest

from wres.cli import main
from wres.core.indicators import ETHNIC_GROUPS
from wres.inputs.counts import read_counts
from wres.inputs.template import write_template
from wres.inputs.validation import COUNT_COLUMNS, ValidationError

ROWS = [
    ["Northshire", 2023, "adults", 3, "disciplinary", "white", 610, 15],
    ["Northshire", 2023, "adults", 3, "disciplinary", "minority", 310, 20],
    ["Northshire", 2023, "children", 1, "Band A", "asian", 40, 12],
]


@pytest.fixture
def template(tmp_path) -> Path:
    return write_template(tmp_path / "template.xlsx")


def rules_by_column(sheet) -> dict[str, object]:
    rules = {}
    for rule in sheet.data_validations.dataValidation:
        for cell_range in rule.sqref.ranges:
            rules[cell_range.coord[0]] = rule
    return rules


def test_sheets_and_header(template):
    book = openpyxl.load_workbook(template)
    assert book.sheetnames == ["instructions", "counts", "lists"]
    assert book["lists"].sheet_state == "hidden"
    header = [c.value for c in book["counts"][1]]
    assert header == list(COUNT_COLUMNS)
    assert book["counts"].max_row == 1


def test_instructions_explain_every_column_with_an_example(template):
    sheet = openpyxl.load_workbook(template)["instructions"]
    text = [[c for c in row if c is not None] for row in sheet.iter_rows(values_only=True)]
    first_cells = [row[0] for row in text if row]
    for name in COUNT_COLUMNS:
        assert name in first_cells
    assert ["Northshire", 2023, "adults", 3, "disciplinary", "minority", 310, 20] in text
    assert any("wres validate" in str(cell) for row in text for cell in row)


def test_drop_down_lists_and_whole_number_checks(template):
    book = openpyxl.load_workbook(template)
    rules = rules_by_column(book["counts"])
    assert rules["F"].type == "list" and rules["F"].formula1.startswith("lists!")
    assert rules["C"].type == "list" and rules["C"].errorStyle == "warning"
    assert rules["D"].type == "list" and rules["E"].type == "list"
    for letter in "GH":
        assert (rules[letter].type, rules[letter].operator, rules[letter].formula1) == (
            "whole", "greaterThanOrEqual", "0"
        )
    assert (rules["B"].formula1, rules["B"].formula2) == ("2000", "2100")
    assert listed(book, rules["F"]) == list(ETHNIC_GROUPS)
    assert listed(book, rules["C"]) == ["adults", "children"]
    assert listed(book, rules["D"]) == list(range(1, 10))
    assert {"disciplinary", "colleagues", "managers", "senior_managers"} <= set(
        listed(book, rules["E"])
    )


def listed(book, rule) -> list[object]:
    """Values of the hidden-sheet range a drop-down list points at."""
    sheet, cells = rule.formula1.replace("$", "").split("!")
    return [row[0].value for row in book[sheet][cells]]


def test_blank_template_reads_as_zero_valid_rows(template):
    counts = read_counts([template], sheet="counts")
    assert counts.empty
    assert read_counts([template]).empty  # the counts sheet is found without naming it


def test_filled_template_round_trips(template):
    book = openpyxl.load_workbook(template)
    for values in ROWS:
        book["counts"].append(values)
    book.save(template)
    counts = read_counts([template], sheet="counts")
    given = counts[~counts["derived"]].drop(columns="derived")
    assert given.values.tolist() == ROWS
    derived = counts[counts["derived"]]
    assert derived[["measure", "ethnic_group", "numerator"]].values.tolist() == [
        ["Band A", "minority", 12]
    ]


def test_filled_template_problems_name_the_sheet_row(template):
    book = openpyxl.load_workbook(template)
    for values in [*ROWS, ["Northshire", 2023, "adults", 3, "disciplinary", "unknown", 5, 7]]:
        book["counts"].append(values)
    book.save(template)
    with pytest.raises(ValidationError) as caught:
        read_counts([template])
    (problem,) = caught.value.problems
    assert (problem.sheet, problem.row, problem.column) == ("counts", 5, "numerator")


def test_cli_template(tmp_path, capsys):
    output = tmp_path / "sub" / "entry.xlsx"
    assert main(["template", str(output)]) == 0
    assert output.exists() and "wrote data-entry template" in capsys.readouterr().out
