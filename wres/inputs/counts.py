"""Reading counts files (CSV, or a sheet of an XLSX workbook) into tidy counts.

The counts format has one row per authority x year x service x indicator x
measure x ethnic group, with exactly the columns in `COUNT_COLUMNS`. Every
file is validated (`wres.validation`) and every problem in every file is
raised together. Where an authority gives the broad minority groups (asian,
black, mixed, other) rather than ``minority``, a ``minority`` row is added
as their pooled sum and marked ``derived``.
"""

from __future__ import annotations

import glob
from collections.abc import Iterable, Sequence
from pathlib import Path

import pandas as pd

from wres.core import cache
from wres.core.csv_safety import restore_formulas
from wres.core.indicators import BROAD_GROUPS, MINORITY
from wres.core.paths import resolve_paths
from wres.inputs.validation import (
    CELL_KEY,
    COUNT_COLUMNS,
    Problem,
    ValidationError,
    as_text,
    typed_counts,
    validate_counts,
)

__all__ = [
    "COUNT_COLUMNS",
    "add_derived_minority",
    "band_order",
    "read_counts",
    "resolve_data",
]

#: Name of the data sheet read from an XLSX file when no sheet is named.
DEFAULT_SHEET = "counts"
_XLSX = {".xlsx", ".xlsm"}
_CSV = {".csv", ".txt"}


def read_counts(paths: Sequence[Path] | Path | str, sheet: str | None = None) -> pd.DataFrame:
    """Read and validate counts from CSV or XLSX files.

    Parameters
    ----------
    paths : Path, str or sequence of Path
        A counts file or several; CSV, or XLSX (the ``sheet`` sheet, else ``counts`` if
        present, else the first sheet).
    sheet : str, optional
        Sheet to read from XLSX files.

    Returns
    -------
    DataFrame
        Columns `COUNT_COLUMNS` plus ``derived`` (True for ``minority`` rows
        summed from broad groups); ``year``, ``indicator``, ``denominator``
        and ``numerator`` are integers.

    Raises
    ------
    ValidationError
        Listing every problem in every file (missing or unreadable files too).

    Notes
    -----
    In a ``wres run`` batch the validated frame is kept in the batch's cache
    (`wres.core.cache`) under the hash of the files' bytes, so an authority's
    other notebooks load it instead of validating again; errors are never kept.
    """
    paths = [Path(paths)] if isinstance(paths, (str, Path)) else [Path(p) for p in paths]
    key = _cache_key(paths, sheet)
    counts = cache.load("counts", key) if key is not None else None
    if counts is None:
        counts = _read_validated(paths, sheet)
        if key is not None and _cache_key(paths, sheet) == key:  # unchanged while read
            cache.store("counts", key, counts)
    return counts


def _cache_key(paths: list[Path], sheet: str | None) -> str | None:
    """What a validated counts frame is kept under: the files' bytes, options and code."""
    if cache.cache_dir() is None:
        return None
    try:
        contents = [path.read_bytes() for path in paths]
    except OSError:
        return None  # read_counts names the missing or unreadable file
    options = ["read_counts", sheet, *(path.suffix.lower() for path in paths)]
    return cache.content_key(cache.code_identity("core", "inputs"), options, contents)


def _read_validated(paths: list[Path], sheet: str | None) -> pd.DataFrame:
    """`read_counts` without the cache."""
    problems: list[Problem] = []
    parts: list[pd.DataFrame] = []
    for path in map(Path, paths):
        try:
            raw, rows, sheet_name = _load(path, sheet)
        except _Unreadable as error:
            problems.append(Problem(str(path), None, None, None, str(error)))
            continue
        found = validate_counts(raw, str(path), rows=rows, sheet=sheet_name)
        problems += found
        if not found:
            part = typed_counts(as_text(raw), rows)
            part["file"] = str(path)
            part["sheet"] = sheet_name
            parts.append(part)
    combined = pd.concat(parts, ignore_index=True) if parts else _empty_typed()
    problems += _repeated_across_files(combined)
    if problems:
        raise ValidationError(problems)
    counts = combined.loc[:, list(COUNT_COLUMNS)]
    for name in ("authority", "service", "measure", "ethnic_group"):
        counts[name] = counts[name].astype("str")
    counts["derived"] = False
    return add_derived_minority(counts)


def add_derived_minority(counts: pd.DataFrame) -> pd.DataFrame:
    """Add a ``minority`` row, the sum of the broad groups, where only broad groups are given.

    Rows already present are unchanged; added rows have ``derived`` True.
    """
    cell = ["authority", "year", "service", "indicator", "measure"]
    if "derived" not in counts:
        counts = counts.assign(derived=False)
    broad = counts[counts["ethnic_group"].isin(BROAD_GROUPS)]
    given = counts.loc[counts["ethnic_group"] == MINORITY, cell].drop_duplicates()
    sums = broad.groupby(cell, sort=False)[["denominator", "numerator"]].sum().reset_index()
    sums = sums.merge(given, on=cell, how="left", indicator=True)
    sums = sums[sums["_merge"] == "left_only"].drop(columns="_merge")
    if sums.empty:
        return counts.reset_index(drop=True)
    sums["ethnic_group"] = MINORITY
    sums["derived"] = True
    added = sums.loc[:, [*COUNT_COLUMNS, "derived"]].astype(counts.dtypes.to_dict())
    return pd.concat([counts, added], ignore_index=True)


def band_order(counts: pd.DataFrame, pay_bands: Iterable[str] | None = None) -> list[str]:
    """Order of indicator 1's pay bands.

    The bands listed in ``pay_bands`` (from the params file) come first, in
    that order; any other band in ``counts`` follows in order of first appearance.
    """
    listed = [str(b) for b in pay_bands] if pay_bands is not None else []
    seen = counts.loc[counts["indicator"] == 1, "measure"].astype(str).unique().tolist()
    return listed + [b for b in seen if b not in listed]


class _Unreadable(Exception):
    """A file that is missing or cannot be parsed; the message says what was expected."""


def _load(path: Path, sheet: str | None) -> tuple[pd.DataFrame, list[int], str | None]:
    """Raw text table of a file, the spreadsheet row of each line, and the sheet read."""
    if not path.is_file():
        raise _Unreadable("an existing counts file — there is no file at this path")
    suffix = path.suffix.lower()
    if suffix in _XLSX:
        grid, sheet_name = _xlsx_grid(path, sheet)
    elif suffix in _CSV:
        grid, sheet_name = _csv_grid(path), None
    else:
        raise _Unreadable("a .csv or .xlsx file")
    if not grid:
        raise _Unreadable("a header row naming the columns — the file is empty")
    header, body = grid[0], grid[1:]
    width = len(header)
    table = pd.DataFrame(
        [list(line[:width]) + [None] * (width - len(line)) for line in body],
        columns=[_name(h) for h in header],
        dtype=object,
    )
    rows = list(range(2, len(body) + 2))
    keep = [any(_filled(v) for v in line) for line in body]
    table = table.loc[keep].reset_index(drop=True)
    rows = [r for r, k in zip(rows, keep, strict=True) if k]
    table = table.loc[:, [c != "" or table[c].map(_filled).any() for c in table.columns]]
    return table, rows, sheet_name


def _csv_grid(path: Path) -> list[list[object]]:
    try:
        frame = pd.read_csv(
            path,
            header=None,
            dtype=str,
            keep_default_na=False,
            skip_blank_lines=False,
            encoding="utf-8-sig",
        )
    except pd.errors.EmptyDataError:
        return []
    except (pd.errors.ParserError, UnicodeDecodeError) as error:
        message = str(error).strip().splitlines()[-1]
        raise _Unreadable(
            f"a CSV file with the same number of fields on every line ({message})"
        ) from None
    # a file wres wrote (wres aggregate) has quoted labels a spreadsheet would run: unquote
    return restore_formulas(frame).to_numpy().tolist()


def _xlsx_grid(path: Path, sheet: str | None) -> tuple[list[list[object]], str]:
    from zipfile import BadZipFile

    import openpyxl

    try:
        book = openpyxl.load_workbook(path, data_only=True)
    except (BadZipFile, OSError, KeyError, ValueError) as error:
        raise _Unreadable(f"an XLSX workbook that can be opened ({error})") from None
    names = book.sheetnames
    if sheet is not None and sheet not in names:
        raise _Unreadable(f"a sheet named '{sheet}' — the sheets are " + ", ".join(names))
    name = sheet or (DEFAULT_SHEET if DEFAULT_SHEET in names else names[0])
    worksheet = book[name]
    grid = [list(r) for r in worksheet.iter_rows(min_row=1, max_row=worksheet.max_row,
                                                   values_only=True)]
    return grid, name


def _filled(value: object) -> bool:
    return value is not None and not pd.isna(value) and str(value).strip() != ""


def _name(header: object) -> str:
    return "" if not _filled(header) else str(header).strip().lower()


def _repeated_across_files(combined: pd.DataFrame) -> list[Problem]:
    """Cells given in more than one file."""
    if combined.empty:
        return []
    key = list(CELL_KEY)
    repeated = combined[combined.duplicated(key, keep="first")]
    first = combined.drop_duplicates(key).set_index(key)
    problems = []
    for row in repeated.itertuples():
        original = first.loc[tuple(getattr(row, k) for k in key)]
        problems.append(
            Problem(row.file, row.row, "ethnic_group", row.ethnic_group,
                    "each cell in one file only — this cell is also given in "
                    f"{original['file']}, row {original['row']}", row.sheet)
        )
    return problems


def _empty_typed() -> pd.DataFrame:
    frame = pd.DataFrame({name: pd.Series(dtype="str") for name in COUNT_COLUMNS})
    for name in ("year", "indicator", "denominator", "numerator"):
        frame[name] = frame[name].astype("int64")
    frame["row"] = pd.Series(dtype="int64")
    frame["file"] = pd.Series(dtype="str")
    frame["sheet"] = pd.Series(dtype="object")
    return frame


def resolve_data(data: str | Path | Sequence[str | Path]) -> list[Path]:
    """Counts files named by ``data``: a path, a glob pattern, or a list of them.

    A plain path that does not exist is kept, so `read_counts` names it in its error.

    Raises
    ------
    FileNotFoundError
        If a glob pattern matches nothing (`wres.paths.resolve_paths`).
    """
    patterns = [data] if isinstance(data, str | Path) else list(data)
    paths: list[Path] = []
    for pattern in patterns:
        if glob.has_magic(str(pattern)):
            paths.extend(resolve_paths([pattern]))
        else:
            paths.append(Path(pattern))
    if not paths:
        raise FileNotFoundError("no counts files were given")
    return paths
