"""CSV files that are safe to open in a spreadsheet: no cell runs as a formula.

A spreadsheet runs a cell that begins with ``=``, ``+``, ``-`` or ``@`` as a formula
(and a leading tab or carriage return can hide one), so an authority or pay band named
``=HYPERLINK("http://x")`` in a counts file would become a live link, or worse, in
everyone's copy of ``results.csv`` ("CSV injection"). Every CSV ``wres`` writes goes
through :func:`neutralise_formulas`, which puts a single quote before such a text
cell, as OWASP recommends; spreadsheets show the text and do not run it. Numbers stay
numbers: only text cells are changed, and text that reads as a number ("-0.5") is
left alone.

The quote is taken off again when ``wres`` reads its own files back
(:func:`restore_formulas`, :func:`read_csv`), so a label round-trips exactly: a cell
that already began with quotes before one of those characters gets one more quote on
writing, and loses exactly one on reading.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pandas as pd

#: What a spreadsheet may read as the start of a formula.
FORMULA_STARTS: tuple[str, ...] = ("=", "+", "-", "@", "\t", "\r")
#: The prefix that makes a spreadsheet read a cell as text.
QUOTE = "'"


def _reads_as_number(text: str) -> bool:
    try:
        float(text)
    except ValueError:
        return False
    return True


def needs_quote(value: Any) -> bool:
    """Whether a cell must be written with a leading quote (see the module's notes)."""
    if not isinstance(value, str) or not value:
        return False
    unquoted = value.lstrip(QUOTE)
    if not unquoted.startswith(FORMULA_STARTS):
        return False
    return unquoted != value or not _reads_as_number(value)


def neutralise_text(value: Any) -> Any:
    """``value`` with a leading quote if a spreadsheet could run it; anything else unchanged."""
    return QUOTE + value if needs_quote(value) else value


def restore_text(value: Any) -> Any:
    """Undo :func:`neutralise_text` on a cell read back from a CSV ``wres`` wrote."""
    if isinstance(value, str) and value.startswith(QUOTE) and needs_quote(value[1:]):
        return value[1:]
    return value


def _text_columns(frame: pd.DataFrame) -> list[Any]:
    return [c for c in frame.columns
            if pd.api.types.is_object_dtype(frame[c]) or pd.api.types.is_string_dtype(frame[c])]


def _map_text(frame: pd.DataFrame, change: Any) -> pd.DataFrame:
    columns = [c for c in _text_columns(frame) if frame[c].map(
        lambda v: change(v) is not v).any()]
    if not columns:
        return frame
    out = frame.copy()
    for column in columns:
        out[column] = frame[column].map(change).astype(frame[column].dtype)
    return out


def neutralise_formulas(frame: pd.DataFrame) -> pd.DataFrame:
    """A copy of ``frame`` whose text cells cannot run as spreadsheet formulas.

    Only text (object or string) columns are looked at, and in them only strings;
    ``frame`` itself is returned when nothing needs a quote.
    """
    return _map_text(frame, neutralise_text)


def restore_formulas(frame: pd.DataFrame) -> pd.DataFrame:
    """``frame`` as it was before :func:`neutralise_formulas` (on reading our own CSVs)."""
    return _map_text(frame, restore_text)


def read_csv(path: str | Path, **options: Any) -> pd.DataFrame:
    """``pandas.read_csv`` of a file ``wres`` wrote, with its labels restored."""
    return restore_formulas(pd.read_csv(path, **options))
