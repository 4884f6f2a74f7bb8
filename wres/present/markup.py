"""Accessible, self-contained HTML for the report tables.

Every table has a caption, ``<th scope="col">`` column headers and a ``<th scope="row">``
per row. Count cells are ``<td class="count" data-count="N">`` so the disclosure checker
(`wres.disclosure.find_small_counts`) finds every published count; a withheld count
shows ``[c]`` and has no ``data-count``. A figure with its interval ("2.55 (1.08–6.01)")
sits in a ``nowrap`` cell, so it never wraps over lines.
"""

from __future__ import annotations

import html
import re
from collections.abc import Sequence
from typing import Any

import pandas as pd

from wres.present.narrative.words import MARKER, as_number, is_suppressed

#: Flag text: a shape as well as a word, so the flag never depends on colour alone.
FLAG_TEXT: dict[str, str] = {"above": "▲ above", "below": "▼ below", "within": "● within"}

#: Minimal styles for :func:`to_html`; flags get colour on top of their shape and word.
TABLE_CSS = """
table.wres-table { border-collapse: collapse; font-size: 0.9rem; margin: 0.5rem 0 1rem; }
table.wres-table caption { text-align: left; font-weight: bold; padding-bottom: 0.3rem; }
table.wres-table th, table.wres-table td { border-bottom: 1px solid #ccc; padding: 0.25rem 0.5rem;
  text-align: left; vertical-align: top; }
table.wres-table thead th { border-bottom: 2px solid #333; }
table.wres-table td.count, table.wres-table td.num { text-align: right;
  font-variant-numeric: tabular-nums; }
table.wres-table .nowrap, table.wres-table td.num { white-space: nowrap; }
table.wres-table th[scope="colgroup"] { text-align: center; }
table.wres-table.council th[scope="row"] { white-space: nowrap; }
table.wres-table th[scope="rowgroup"] { padding-top: 0.6rem; }
table.wres-table td.flag-above { color: #a6470b; }
table.wres-table td.flag-below { color: #0b5394; }
"""

#: A figure followed by its interval in brackets: "2.55 (1.08–6.01)", "2.6% (1.3–5.3)".
_INTERVAL = re.compile(r"\d%?\s\(\S+–\S+\)")


def count_columns_of(table: pd.DataFrame) -> list[str]:
    """Names of the count columns of a report table (those ending " n" or " N")."""
    return [c for c in table.columns if str(c).endswith((" n", " N"))]


def _text(value: Any) -> str:
    return "" if value is None or (isinstance(value, float) and value != value) else str(value)


def _count_cell(value: Any) -> str:
    if is_suppressed(value):
        return f'<td class="count">{MARKER}</td>'
    number = as_number(value)
    if number is None:
        return '<td class="count"></td>'
    count = int(round(number))
    return f'<td class="count" data-count="{count}">{count}</td>'


def _text_cell(column: str, value: Any) -> str:
    text = _text(value)
    css = []
    if _INTERVAL.search(text):
        css.append("nowrap")
    if column == "Flag" or column.endswith(" flag"):
        css += [f"flag-{flag}" for flag in FLAG_TEXT if text.endswith(flag)]
    attribute = f' class="{" ".join(css)}"' if css else ""
    return f"<td{attribute}>{html.escape(text)}</td>"


def _row_groups(table: pd.DataFrame, column: str | None) -> list[tuple[str | None, int, int]]:
    """(label, first row, row count) of each run of equal values in ``column``."""
    if column is None:
        return [(None, 0, len(table))]
    runs: list[tuple[str | None, int, int]] = []
    for position, value in enumerate(table[column].astype(str)):
        if runs and runs[-1][0] == value:
            label, first, count = runs[-1]
            runs[-1] = (label, first, count + 1)
        else:
            runs.append((value, position, 1))
    return runs


def to_html(
    table: pd.DataFrame,
    *,
    count_columns: Sequence[str] | None = None,
    caption: str | None = None,
    row_header: str | None = None,
    row_groups: str | None = None,
    include_style: bool = True,
) -> str:
    """Render a table as accessible, self-contained HTML.

    Column headers are ``<th scope="col">``; the ``row_header`` column (by default the
    first) is ``<th scope="row">``. Count cells are ``<td class="count" data-count="N">``;
    a suppressed count shows ``[c]`` and has no ``data-count``.

    Parameters
    ----------
    table : DataFrame
        Display table, e.g. from `wres.present.tables.action_plan_table`.
    count_columns : sequence of str, optional
        Columns holding counts; by default those ending " n" or " N".
    caption : str, optional
        Table caption, read out first by screen readers.
    row_header : str, optional
        Column whose cells label their row.
    row_groups : str, optional
        A column whose runs of equal values (a measure over its services) are written
        once instead of on every row: each run is a ``<tbody>`` opened by a row holding
        one ``<th scope="rowgroup">`` across the table. The row header is then the
        first other column by default.
    include_style : bool
        Prefix a ``<style>`` block with :data:`TABLE_CSS`.

    Raises
    ------
    KeyError
        If a named count column, row header or row-group column is not in the table.
    """
    columns = [str(c) for c in table.columns]
    counts = set(count_columns_of(table) if count_columns is None else count_columns)
    missing = counts.difference(columns)
    if missing:
        raise KeyError(f"count columns not in the table: {sorted(missing)}")
    if row_groups is not None and row_groups not in columns:
        raise KeyError(f"row-group column {row_groups!r} is not a column of the table")
    rest = [c for c in columns if c != row_groups]
    header = row_header if row_header is not None else (rest[0] if rest else None)
    if header is not None and header not in columns:
        raise KeyError(f"row header {header!r} is not a column of the table")
    parts = [f"<style>{TABLE_CSS}</style>"] if include_style else []
    parts.append('<table class="wres-table">')
    if caption:
        parts.append(f"<caption>{html.escape(caption)}</caption>")
    parts.append("<thead><tr>")
    parts.extend(f'<th scope="col">{html.escape(c)}</th>' for c in rest)
    parts.append("</tr></thead>")
    records = list(table.itertuples(index=False, name=None))
    for label, first, count in _row_groups(table, row_groups):
        parts.append("<tbody>")
        if row_groups is not None:
            parts.append(f'<tr><th scope="rowgroup" colspan="{len(rest)}">'
                         f"{html.escape(str(label))}</th></tr>")
        for values in records[first:first + count]:
            parts.append("<tr>")
            for column, value in zip(columns, values, strict=True):
                if column == row_groups:
                    continue
                if column == header:
                    parts.append(f'<th scope="row">{html.escape(str(value))}</th>')
                elif column in counts:
                    parts.append(_count_cell(value))
                else:
                    parts.append(_text_cell(column, value))
            parts.append("</tr>")
        parts.append("</tbody>")
    parts.append("</table>")
    return "".join(parts)


def _council_cell(value: Any) -> str:
    text = _text(value)
    css = ["num", *(f"flag-{flag}" for flag, words in FLAG_TEXT.items() if words in text)]
    return f'<td class="{" ".join(css)}">{html.escape(text)}</td>'


def council_html(table: pd.DataFrame, *, caption: str, include_style: bool = True) -> str:
    """Render a table whose index labels its rows (`wres.present.council`) as HTML.

    A caption, ``<th scope="col">`` over each column (and ``scope="colgroup"`` over
    two-level columns), ``<th scope="row">`` for each row; the index name, if any,
    heads the first column. Cells never wrap (class ``num``).
    """
    parts = [f"<style>{TABLE_CSS}</style>"] if include_style else []
    parts.append(f'<table class="wres-table council"><caption>{html.escape(caption)}</caption>'
                 "<thead>")
    corner = "" if table.index.name is None else html.escape(str(table.index.name))
    two_levels = isinstance(table.columns, pd.MultiIndex)
    span = ' rowspan="2"' if two_levels else ""
    parts.append(f'<tr><th scope="col"{span}>{corner}</th>' if corner else f"<tr><td{span}></td>")
    if two_levels:
        groups = list(dict.fromkeys(table.columns.get_level_values(0)))
        for group in groups:
            width = sum(1 for g in table.columns.get_level_values(0) if g == group)
            parts.append(f'<th scope="colgroup" colspan="{width}">{html.escape(str(group))}</th>')
        parts.append("</tr><tr>")
        labels = [str(c) for c in table.columns.get_level_values(1)]
    else:
        labels = [str(c) for c in table.columns]
    parts.extend(f'<th scope="col">{html.escape(c)}</th>' for c in labels)
    parts.append("</tr></thead><tbody>")
    for label, values in zip(table.index, table.itertuples(index=False, name=None),
                             strict=True):
        parts.append(f'<tr><th scope="row">{html.escape(str(label))}</th>')
        parts.extend(_council_cell(v) for v in values)
        parts.append("</tr>")
    parts.append("</tbody></table>")
    return "".join(parts)
