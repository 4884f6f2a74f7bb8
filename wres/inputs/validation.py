"""Checks on the counts format, reported as plain-words problems.

Every problem in every file is collected before anything is raised, so a
data officer can fix a whole file in one pass. Each problem names the file,
the spreadsheet row (the header is row 1), the column, the value found and
what was expected. Column-level rules run through a pandera schema; rules
that compare rows with each other (duplicates, shared denominators) are
plain pandas.
"""

from __future__ import annotations

import difflib
from collections.abc import Sequence
from dataclasses import dataclass

import pandas as pd
import pandera.pandas as pa
from pandera.errors import SchemaErrors

from wres.core.indicators import ALL_SERVICES, BROAD_GROUPS, ETHNIC_GROUPS, INDICATORS, MINORITY

#: Columns of the counts format, in their usual order.
COUNT_COLUMNS: tuple[str, ...] = (
    "authority",
    "year",
    "service",
    "indicator",
    "measure",
    "ethnic_group",
    "denominator",
    "numerator",
)
#: Columns that together identify one cell of the counts.
CELL_KEY: tuple[str, ...] = COUNT_COLUMNS[:6]

_WHOLE = r"\d{1,15}(?:\.0*)?"
BLANK = "a value — this required cell is blank"
EXPECTED: dict[str, str] = {
    "year": "a year such as 2023 (four digits, 2000 to 2100)",
    "service": (
        "a service such as adults or children — 'all' is computed by the workbook "
        "from the services, never entered"
    ),
    "indicator": "an indicator number from 1 to 9",
    "ethnic_group": "one of " + ", ".join(ETHNIC_GROUPS),
    "denominator": "a whole number of 0 or more",
    "numerator": "a whole number of 0 or more",
}


@dataclass(frozen=True)
class Problem:
    """One thing wrong with a counts file.

    Attributes
    ----------
    file : str
        The file, as the user named it.
    row : int or None
        Spreadsheet row, 1-based with the header as row 1; None for the whole file.
    column : str or None
        Column name, or None for the whole file or row.
    value : str or None
        The value found; None when the cell is blank or there is no cell.
    expected : str
        What was expected, in plain words.
    sheet : str or None
        Sheet name for XLSX files.
    """

    file: str
    row: int | None
    column: str | None
    value: str | None
    expected: str
    sheet: str | None = None

    def format(self) -> str:
        """One readable line: file, sheet, row and column, the value, what was expected."""
        where = [self.file]
        if self.sheet:
            where.append(f"sheet '{self.sheet}'")
        if self.row is not None:
            where.append(f"row {self.row}")
        if self.column is not None:
            where.append(f"column '{self.column}'")
        found = "" if self.value is None else f"value '{self.value}' — "
        return f"{', '.join(where)}: {found}expected {self.expected}"


class ValidationError(ValueError):
    """Counts that break the format, with every problem found.

    Attributes
    ----------
    problems : list of Problem
    """

    def __init__(self, problems: Sequence[Problem]):
        self.problems = list(problems)
        super().__init__(self.format())

    def format(self) -> str:
        """All problems, one line each, after a count."""
        noun = "problem" if len(self.problems) == 1 else "problems"
        lines = [f"{len(self.problems)} {noun} in the counts:"]
        return "\n".join(lines + [p.format() for p in self.problems])


def as_text(frame: pd.DataFrame) -> pd.DataFrame:
    """Return ``frame`` as tidy text: stripped strings, blanks as NA, ``3.0`` as ``3``.

    Column names are stripped and lower-cased; ``service`` and ``ethnic_group``
    values are lower-cased, as are measures of indicators 2-9.
    """
    out = pd.DataFrame(index=frame.index)
    for position, name in enumerate(frame.columns):
        values = frame.iloc[:, position].map(_cell_text).astype("str")
        out[str(name).strip().lower()] = values.where(values != "", pd.NA)
    for name in ("service", "ethnic_group"):
        if name in out:
            out[name] = out[name].str.lower()
    if "measure" in out and "indicator" in out:
        named = out["indicator"].fillna("1").str.fullmatch(r"[2-9](?:\.0*)?")
        out.loc[named, "measure"] = out.loc[named, "measure"].str.lower()
    return out


def _cell_text(value: object) -> str:
    if value is None or (isinstance(value, float) and value != value) or value is pd.NA:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value).strip()


def check_columns(columns: Sequence[str], file: str, sheet: str | None = None) -> list[Problem]:
    """Problems with the header row: missing, misspelt, unexpected or repeated columns."""
    found = [str(c).strip().lower() for c in columns]
    missing = [c for c in COUNT_COLUMNS if c not in found]
    problems: list[Problem] = []
    explained: set[str] = set()
    seen: set[str] = set()
    for name in found:
        if name in seen:
            problems.append(
                Problem(file, 1, name, name, "each column once — this column is repeated", sheet)
            )
            continue
        seen.add(name)
        if name in COUNT_COLUMNS:
            continue
        close = difflib.get_close_matches(name, missing or COUNT_COLUMNS, n=1, cutoff=0.6)
        hint = f" — did you mean '{close[0]}'?" if close else ""
        explained.update(close)
        problems.append(
            Problem(file, 1, name, name, "only the columns " + ", ".join(COUNT_COLUMNS) + hint,
                    sheet)
        )
    for name in missing:
        if name not in explained:
            problems.append(
                Problem(file, 1, name, None, f"a column named '{name}' — it is missing", sheet)
            )
    return problems


def _whole(series: pd.Series) -> pd.Series:
    return series.str.fullmatch(_WHOLE)


def _year(series: pd.Series) -> pd.Series:
    ok = series.str.fullmatch(r"\d{4}(?:\.0*)?").fillna(False).astype(bool)
    number = pd.to_numeric(series.where(ok), errors="coerce")
    return ok & number.between(2000, 2100)


def _schema(columns: Sequence[str]) -> pa.DataFrameSchema:
    checks = {
        "authority": [],
        "year": [pa.Check(_year, error=EXPECTED["year"])],
        "service": [pa.Check(lambda s: s != ALL_SERVICES, error=EXPECTED["service"])],
        "indicator": [pa.Check(lambda s: s.str.fullmatch(r"[1-9](?:\.0*)?"),
                               error=EXPECTED["indicator"])],
        "measure": [],
        "ethnic_group": [pa.Check.isin(ETHNIC_GROUPS, error=EXPECTED["ethnic_group"])],
        "denominator": [pa.Check(_whole, error=EXPECTED["denominator"])],
        "numerator": [pa.Check(_whole, error=EXPECTED["numerator"])],
    }
    return pa.DataFrameSchema(
        {name: pa.Column(None, checks[name], nullable=False) for name in columns}
    )


def _column_problems(
    text: pd.DataFrame, rows: pd.Series, file: str, sheet: str | None
) -> list[Problem]:
    present = [c for c in COUNT_COLUMNS if c in text.columns]
    try:
        _schema(present).validate(text[present], lazy=True)
    except SchemaErrors as errors:
        cases = errors.failure_cases
    else:
        return []
    problems = []
    for case in cases.itertuples(index=False):
        if pd.isna(case.index):
            continue
        position = int(case.index)
        blank = case.check == "not_nullable"
        value = None if blank else str(text[case.column].iloc[position])
        expected = BLANK if blank else EXPECTED[case.column]
        problems.append(
            Problem(file, int(rows.iloc[position]), case.column, value, expected, sheet)
        )
    return problems


def _measure_problems(frame: pd.DataFrame, file: str, sheet: str | None) -> list[Problem]:
    allowed = {(n, m) for n, ind in INDICATORS.items() for m in ind.measures}
    named = frame["indicator"].map(lambda n: bool(INDICATORS[n].measures))
    known = [pair in allowed for pair in zip(frame["indicator"], frame["measure"], strict=True)]
    wrong = frame[named & ~pd.Series(known, index=frame.index, dtype=bool)]
    return [
        Problem(file, row.row, "measure", row.measure,
                f"a measure of indicator {row.indicator}: "
                + ", ".join(INDICATORS[row.indicator].measures), sheet)
        for row in wrong.itertuples()
    ]


def _numerator_problems(frame: pd.DataFrame, file: str, sheet: str | None) -> list[Problem]:
    over = frame[frame["numerator"] > frame["denominator"]]
    return [
        Problem(file, row.row, "numerator", str(row.numerator),
                f"a number no greater than the denominator ({row.denominator})", sheet)
        for row in over.itertuples()
    ]


def _duplicate_problems(frame: pd.DataFrame, file: str, sheet: str | None) -> list[Problem]:
    key = list(CELL_KEY)
    repeated = frame[frame.duplicated(key, keep="first")]
    if repeated.empty:
        return []
    first = frame.drop_duplicates(key).set_index(key)["row"]
    problems = []
    for row in repeated.itertuples():
        original = first.loc[tuple(getattr(row, k) for k in key)]
        problems.append(
            Problem(file, row.row, "ethnic_group", row.ethnic_group,
                    "one row per authority, year, service, indicator, measure and ethnic "
                    f"group — this cell is already given on row {original}", sheet)
        )
    return problems


def _minority_and_broad_problems(
    frame: pd.DataFrame, file: str, sheet: str | None
) -> list[Problem]:
    cell = ["authority", "year", "service", "indicator", "measure"]
    broad = frame[frame["ethnic_group"].isin(BROAD_GROUPS)]
    minority = frame[frame["ethnic_group"] == MINORITY]
    both = minority.merge(broad.groupby(cell)["row"].agg(list).rename("broad_rows"),
                          left_on=cell, right_index=True)
    return [
        Problem(file, row.row, "ethnic_group", MINORITY,
                "either minority or the broad groups (asian, black, mixed, other) for a cell, "
                "not both — broad groups are given on row "
                + ", ".join(map(str, row.broad_rows)) + " and minority is computed from them",
                sheet)
        for row in both.itertuples()
    ]


def _shared_denominator_problems(
    frame: pd.DataFrame, file: str, sheet: str | None
) -> list[Problem]:
    shared = [n for n, ind in INDICATORS.items() if ind.shared_denominator]
    part = frame[frame["indicator"].isin(shared)]
    group = ["authority", "year", "service", "indicator", "ethnic_group"]
    first = part.groupby(group, sort=False)[["denominator", "row"]].transform("first")
    differ = part[part["denominator"] != first["denominator"]]
    problems = []
    for row in differ.itertuples():
        indicator = INDICATORS[row.indicator]
        what = "pay band" if indicator.number == 1 else "measure"
        problems.append(
            Problem(file, row.row, "denominator", str(row.denominator),
                    f"{first.loc[row.Index, 'denominator']} as on row "
                    f"{first.loc[row.Index, 'row']} — every {what} of indicator "
                    f"{indicator.number} shares one denominator ({indicator.denominator}) "
                    "per ethnic group and service", sheet)
        )
    return problems


def typed_counts(text: pd.DataFrame, rows: Sequence[int]) -> pd.DataFrame:
    """Valid rows of ``text`` (see `as_text`) as typed counts, spreadsheet row in ``row``."""
    typed = text.loc[:, list(COUNT_COLUMNS)].copy()
    for name in ("year", "indicator", "denominator", "numerator"):
        typed[name] = pd.to_numeric(typed[name]).astype("int64")
    typed["row"] = pd.Series(list(rows), index=typed.index, dtype="int64")
    return typed


def validate_counts(
    frame: pd.DataFrame,
    file: str,
    *,
    rows: Sequence[int] | None = None,
    sheet: str | None = None,
) -> list[Problem]:
    """Every problem with a frame in the counts format; empty when it is valid.

    Parameters
    ----------
    frame : DataFrame
        Counts as read from a file (text or numbers).
    file : str
        Name to report problems against.
    rows : sequence of int, optional
        Spreadsheet row of each frame row; by default the position plus 2,
        as if the frame were a CSV file with its header on row 1.
    sheet : str, optional
        Sheet name, for XLSX files.
    """
    text = as_text(frame).reset_index(drop=True)
    row_numbers = pd.Series(
        range(2, len(text) + 2) if rows is None else list(rows), dtype="int64"
    )
    problems = check_columns(list(frame.columns), file, sheet)
    problems += _column_problems(text, row_numbers, file, sheet)
    if any(c not in text.columns for c in COUNT_COLUMNS):
        return _ordered(problems)
    bad_rows = {p.row for p in problems}
    good = ~row_numbers.isin(bad_rows)
    typed = typed_counts(text[good.to_numpy()], row_numbers[good])
    for rule in (
        _measure_problems,
        _numerator_problems,
        _duplicate_problems,
        _minority_and_broad_problems,
        _shared_denominator_problems,
    ):
        problems += rule(typed, file, sheet)
    return _ordered(problems)


def _ordered(problems: list[Problem]) -> list[Problem]:
    order = {name: i for i, name in enumerate(COUNT_COLUMNS)}
    return sorted(
        problems,
        key=lambda p: (p.row or 0, order.get(p.column or "", len(order))),
    )
