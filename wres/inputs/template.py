"""A blank XLSX data-entry template for the counts format.

The workbook has an ``instructions`` sheet in plain words, a ``counts``
sheet with the header row and drop-down lists, and a hidden ``lists`` sheet
holding the allowed values. `wres.data.read_counts` reads the ``counts``
sheet back, so a filled template is validated like any CSV file.
"""

from __future__ import annotations

from pathlib import Path

from openpyxl import Workbook
from openpyxl.styles import Alignment, Font
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.datavalidation import DataValidation
from openpyxl.worksheet.worksheet import Worksheet

from wres.core.atomic import write_atomic
from wres.core.indicators import ETHNIC_GROUPS, INDICATORS, SERVICES
from wres.inputs.validation import COUNT_COLUMNS

#: Rows of the ``counts`` sheet that carry drop-down lists and number checks.
TEMPLATE_ROWS = 10_000

_COLUMN_HELP: dict[str, tuple[str, str]] = {
    "authority": ("The local authority's name, the same on every row.", "any name"),
    "year": ("The year the figures are for.", "a year such as 2023"),
    "service": (
        "Which service the staff work in. Do not enter 'all': the workbook adds "
        "up the services itself.",
        ", ".join(SERVICES) + " (other service names are allowed)",
    ),
    "indicator": ("The SC-WRES indicator number.", "1 to 9"),
    "measure": (
        "What is counted. For indicator 1, the pay band's name (any label); "
        "for the others, the word shown.",
        "; ".join(
            f"{n}: {', '.join(ind.measures) or 'pay band name'}" for n, ind in INDICATORS.items()
        ),
    ),
    "ethnic_group": (
        "The ethnic group. Give either 'minority' or the broad groups (asian, black, "
        "mixed, other) for a cell, not both; the workbook adds broad groups up into "
        "minority. Staff whose ethnicity is not known go under 'unknown'.",
        ", ".join(ETHNIC_GROUPS),
    ),
    "denominator": (
        "How many people could have the outcome (for example staff in post, or "
        "shortlisted applicants). Every pay band of indicator 1, and both measures "
        "of indicator 7, use the same number for a group and service.",
        "a whole number, 0 or more",
    ),
    "numerator": (
        "How many of them had the outcome. Never more than the denominator.",
        "a whole number, 0 or more",
    ),
}

_EXAMPLE = [
    ("Northshire", 2023, "adults", 3, "disciplinary", "white", 610, 15),
    ("Northshire", 2023, "adults", 3, "disciplinary", "minority", 310, 20),
    ("Northshire", 2023, "adults", 3, "disciplinary", "unknown", 40, 2),
    ("Northshire", 2023, "adults", 1, "Band A", "white", 300, 150),
]


def write_template(path: Path) -> Path:
    """Write the blank data-entry workbook to ``path`` and return the path."""
    book = Workbook()
    instructions = book.active
    instructions.title = "instructions"
    _write_instructions(instructions)
    counts = book.create_sheet("counts")
    lists = book.create_sheet("lists")
    _write_counts_sheet(counts, _write_lists(lists))
    lists.sheet_state = "hidden"
    book.active = 0
    return write_atomic(Path(path), lambda tmp: book.save(tmp))


def _write_instructions(sheet: Worksheet) -> None:
    bold = Font(bold=True)
    lines: list[tuple[object, ...]] = [
        ("How to fill in the SC-WRES counts",),
        (),
        ("Enter one row on the 'counts' sheet for each authority, year, service, "
         "indicator, measure and ethnic group. Leave out indicators you do not collect.",),
        ("Check the file with:  wres validate this-file.xlsx  — it lists every problem "
         "with its row and column.",),
        (),
        ("Column", "What to enter", "Allowed values"),
    ]
    lines += [(name, *_COLUMN_HELP[name]) for name in COUNT_COLUMNS]
    lines += [(), ("Example rows",), COUNT_COLUMNS, *_EXAMPLE]
    for line in lines:
        sheet.append(list(line))
    example_header = len(lines) - len(_EXAMPLE)
    for row in (1, 6, example_header - 1, example_header):
        for cell in sheet[row]:
            cell.font = bold
    for letter, width in zip("ABCDEFGH", (16, 70, 50, 12, 16, 14, 13, 12), strict=True):
        sheet.column_dimensions[letter].width = width
    for row in sheet.iter_rows(min_row=7, max_row=6 + len(COUNT_COLUMNS)):
        for cell in row:
            cell.alignment = Alignment(wrap_text=True, vertical="top")


def _write_lists(sheet: Worksheet) -> dict[str, str]:
    """Write the allowed values, one column each; return their range formulae."""
    measures = [m for ind in INDICATORS.values() for m in ind.measures]
    columns: dict[str, list[str] | list[int]] = {
        "service": list(SERVICES),
        "indicator": list(INDICATORS),
        "measure": measures,
        "ethnic_group": list(ETHNIC_GROUPS),
    }
    ranges = {}
    for index, (name, values) in enumerate(columns.items(), start=1):
        letter = get_column_letter(index)
        sheet.cell(1, index, name)
        for offset, value in enumerate(values, start=2):
            sheet.cell(offset, index, value)
        ranges[name] = f"lists!${letter}$2:${letter}${len(values) + 1}"
    return ranges


def _write_counts_sheet(sheet: Worksheet, ranges: dict[str, str]) -> None:
    sheet.append(list(COUNT_COLUMNS))
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    sheet.freeze_panes = "A2"
    letters = {name: get_column_letter(i) for i, name in enumerate(COUNT_COLUMNS, start=1)}
    for name, letter in letters.items():
        sheet.column_dimensions[letter].width = max(14, len(name) + 4)
    strict = {"indicator", "ethnic_group"}
    for name, formula in ranges.items():
        _validate(sheet, letters[name], DataValidation(
            type="list", formula1=formula, allow_blank=True,
            errorStyle="stop" if name in strict else "warning",
            error=f"Choose a {name.replace('_', ' ')} from the list.",
            errorTitle=name, showErrorMessage=True,
        ))
    _validate(sheet, letters["year"], DataValidation(
        type="whole", operator="between", formula1="2000", formula2="2100",
        error="Enter a year such as 2023.", errorTitle="year", showErrorMessage=True,
    ))
    for name in ("denominator", "numerator"):
        _validate(sheet, letters[name], DataValidation(
            type="whole", operator="greaterThanOrEqual", formula1="0",
            error="Enter a whole number, 0 or more.", errorTitle=name, showErrorMessage=True,
        ))


def _validate(sheet: Worksheet, letter: str, rule: DataValidation) -> None:
    rule.add(f"{letter}2:{letter}{TEMPLATE_ROWS + 1}")
    sheet.add_data_validation(rule)
