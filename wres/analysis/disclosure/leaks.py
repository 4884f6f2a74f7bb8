"""Scan HTML and tables for counts that should not be published.

HTML convention for `find_small_counts`: mark every table cell that shows a
count with the class ``count`` (``<td class="count">12</td>``) or a
``data-count`` attribute (``<td data-count="12">12</td>``; the attribute's
value, when given, is what is checked). Columns of tables whose header is a
count column name (``numerator``, ``reference_denominator``, ...) are
checked too, so ``DataFrame.to_html`` output needs no marking.
"""

from __future__ import annotations

from html.parser import HTMLParser
from pathlib import Path

import numpy as np
import pandas as pd

from wres.core.names import MIN_COUNT, RESULT_COUNTS


def find_small_counts(
    table_or_html: pd.DataFrame | str | Path, min_count: int = MIN_COUNT
) -> list[str]:
    """Small counts (1 to ``min_count - 1``) that escaped suppression, one message each.

    Parameters
    ----------
    table_or_html : DataFrame, HTML text or path to an HTML file
        A results table (its count columns are checked) or a rendered page
        (cells with class ``count`` or a ``data-count`` attribute, and columns
        headed by a count column name, are checked).
    min_count : int

    Returns
    -------
    list of str
        Empty when nothing small is shown.
    """
    if isinstance(table_or_html, pd.DataFrame):
        return _small_in_table(table_or_html, min_count)
    text = str(table_or_html)
    if isinstance(table_or_html, Path) or (len(text) < 4096 and "<" not in text):
        text = Path(text).read_text(encoding="utf-8")
    parser = _CountCells()
    parser.feed(text)
    parser.close()
    return [f"{where}: {value}" for where, value in parser.found
            if _is_small(value, min_count)]


def _small_in_table(table: pd.DataFrame, min_count: int) -> list[str]:
    context = [c for c in ("authority", "year", "indicator", "measure", "service", "group")
               if c in table.columns]
    messages = []
    for column in (c for c in RESULT_COUNTS if c in table.columns):
        values = pd.to_numeric(table[column], errors="coerce")
        small = ((values >= 1) & (values < min_count)).fillna(False).to_numpy(dtype=bool)
        for position in np.flatnonzero(small):
            where = ", ".join(str(table[c].iloc[position]) for c in context)
            messages.append(f"row {position}, {column} = {values.iloc[position]:g}"
                            + (f" ({where})" if where else ""))
    return messages


def _is_small(text: str, min_count: int) -> bool:
    cleaned = text.strip().replace(",", "")
    try:
        value = float(cleaned)
    except ValueError:
        return False
    return 1 <= value < min_count


class _CountCells(HTMLParser):
    """Collects the text of count cells: marked ones and those under a count header."""

    def __init__(self) -> None:
        super().__init__()
        self.found: list[tuple[str, str]] = []
        self._headers: list[dict[int, str]] = []
        self._column = -1
        self._cell: dict[str, object] | None = None
        self._row_headers: dict[int, str] = {}
        self._row = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        attributes = dict(attrs)
        if tag == "table":
            self._headers.append({})
            self._row = 0
        elif tag == "tr":
            self._column = -1
            self._row += 1
            self._row_headers = {}
        elif tag in ("td", "th"):
            self._column += 1
            classes = (attributes.get("class") or "").split()
            marked = "count" in classes or "data-count" in attributes
            self._cell = {"tag": tag, "marked": marked, "text": "",
                          "value": attributes.get("data-count")}

    def handle_data(self, data: str) -> None:
        if self._cell is not None:
            self._cell["text"] = str(self._cell["text"]) + data

    def handle_endtag(self, tag: str) -> None:
        if tag == "table" and self._headers:
            self._headers.pop()
        elif tag == "tr" and self._headers and self._row_headers:
            self._headers[-1].update(self._row_headers)
        elif tag in ("td", "th") and self._cell is not None:
            cell, self._cell = self._cell, None
            text = str(cell["text"]).strip()
            heading = text.lower().replace(" ", "_")
            if tag == "th" and heading in RESULT_COUNTS:
                self._row_headers[self._column] = heading
            headers = self._headers[-1] if self._headers else {}
            under = headers.get(self._column) if tag == "td" else None
            if cell["marked"] or under:
                value = cell["value"] if cell["value"] not in (None, "") else text
                label = f"table {len(self._headers)}, row {self._row}, column {self._column + 1}"
                self.found.append((label + (f" ({under})" if under else ""), str(value)))
