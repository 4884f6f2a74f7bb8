"""Reading published pages back: every table, and the figures in it, as the attack needs them.

`read_tables` turns a page into its tables (caption, header, cells with their
text, ``data-count`` and the text of classed spans). The ``figures_from_*``
functions place each number shown in a table on the results row it came
from, with the interval it was rounded from (`readback.shown`): counts and
rates of the action-plan tables, relative likelihoods of the summary and the
index, and the national view's pooled regional and national ratios. Rows are
matched by the order the tables are built in, and every published count must
agree with the results file; a table that does not line up is left out and
said so (``notes``), never guessed.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from html.parser import HTMLParser
from typing import Any

import pandas as pd

from wres.analysis.disclosure import readback
from wres.analysis.disclosure.columns import ROLES
from wres.core.frames import records
from wres.core.indicators import ALL_SERVICES, MINORITY, get_indicator
from wres.core.names import MARKER

FIGURE_COLUMNS = ["file", "where", "authorities", "pooled", "year", "indicator", "measure",
                  "service", "group", "quantity", "value", "low", "high", "ci_method",
                  "rate_method", "confidence_level"]
_RL = ("relative_likelihood", "rl_lower", "rl_upper")
_SERVICE_ORDER = (ALL_SERVICES, "adults", "children")
_SERVICE_LABELS = {"Total": ALL_SERVICES, "Adults": "adults", "Children": "children"}


@dataclass
class Cell:
    """One table cell: its text, its ``data-count`` (if any) and its classed spans."""

    text: str = ""
    count: str | None = None
    spans: list[tuple[str, str]] = field(default_factory=list)
    group: bool = False  # the heading of a row group (``scope="rowgroup"``)


@dataclass
class Table:
    """A table of a page: caption, column headers and body rows of cells."""

    caption: str = ""
    header: list[str] = field(default_factory=list)
    rows: list[list[Cell]] = field(default_factory=list)


class _Tables(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.done: list[Table] = []
        self.open: list[Table] = []
        self.cell: Cell | None = None
        self.row: list[Cell] | None = None
        self.in_head = self.in_caption = False
        self.span: list[str | None] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        found = dict(attrs)
        if tag == "table":
            self.open.append(Table())
        elif tag == "thead":
            self.in_head = True
        elif tag == "caption":
            self.in_caption = True
        elif tag == "tr" and self.open:
            self.row = []
        elif tag in ("td", "th") and self.row is not None:
            self.cell = Cell(count=found.get("data-count"), group=found.get("scope") == "rowgroup")
        elif tag == "span" and self.cell is not None:
            self.span.append(found.get("class"))
            if found.get("class"):
                self.cell.spans.append((str(found["class"]), ""))

    def handle_data(self, data: str) -> None:
        if self.in_caption and self.open:
            self.open[-1].caption += data
        if self.cell is not None:
            self.cell.text += data
            if self.span and self.span[-1] and self.cell.spans:
                name, text = self.cell.spans[-1]
                self.cell.spans[-1] = (name, text + data)

    def handle_endtag(self, tag: str) -> None:
        if tag == "span" and self.span:
            self.span.pop()
        elif tag in ("td", "th") and self.cell is not None and self.row is not None:
            self.cell.text = " ".join(self.cell.text.split())
            self.row.append(self.cell)
            self.cell = None
        elif tag == "tr" and self.row is not None and self.open:
            if self.in_head:
                self.open[-1].header = [c.text for c in self.row]
            elif self.row and not (len(self.row) == 1 and self.row[0].group):
                self.open[-1].rows.append(self.row)  # a row group's heading is no data row
            self.row = None
        elif tag == "thead":
            self.in_head = False
        elif tag == "caption":
            self.in_caption = False
            if self.open:
                self.open[-1].caption = " ".join(self.open[-1].caption.split())
        elif tag == "table" and self.open:
            self.done.append(self.open.pop())


def read_tables(page: str) -> list[Table]:
    """Every table of an HTML page, in the order they appear."""
    parser = _Tables()
    parser.feed(page)
    parser.close()
    return parser.done


def figures_for(file: str, where: str, authorities: Sequence[str], row: Mapping[str, Any],
                quantities: Sequence[str], text: str, scale: float = 1.0, *,
                pooled: bool = False) -> list[dict[str, Any]]:
    """One figure per number in ``text`` (a value, then its interval), named by ``quantities``.

    ``pooled`` marks a figure over several authorities' counts summed (a region,
    the nation) rather than over one results row.
    """
    numbers = readback.read_numbers(text, scale)
    if len(numbers) < len(quantities) and not (len(numbers) == 1 and quantities):
        return []
    return [{"file": file, "where": where, "authorities": tuple(authorities), "pooled": pooled,
             "year": int(row["year"]), "indicator": int(row["indicator"]),
             "measure": row["measure"], "service": row["service"], "group": row["group"],
             "quantity": q, "value": n.value, "low": n.low, "high": n.high,
             "ci_method": row.get("ci_method"), "rate_method": row.get("rate_method"),
             "confidence_level": row.get("confidence_level")}
            for q, n in zip(quantities, numbers, strict=False)]


def _ordered(rows: pd.DataFrame) -> list[dict[str, Any]]:
    """Rows in the order of the report tables: measure as first seen, then service."""
    entries = [{**r, "_index": i} for i, r in zip(rows.index, records(rows),
                                                  strict=True)]
    measures = list(dict.fromkeys(str(r["measure"]) for r in entries))
    rank = {s: i for i, s in enumerate(_SERVICE_ORDER)}
    return sorted(entries, key=lambda r: (int(r["indicator"]), measures.index(str(r["measure"])),
                                          rank.get(str(r["service"]), len(rank))))


def _agrees(shown: Cell, published: Any, true: Any = None) -> bool:
    """Whether a page's count cell belongs to the results row it was matched with.

    A count shown on the page must equal the true count when it is known (a
    count the results file hides is then a finding, not a mismatch), or the
    count the results file publishes; ``[c]`` matches anything.
    """
    text = shown.count if shown.count not in (None, "") else shown.text
    if text in ("", None) or str(text).strip() == MARKER:
        return True
    reference = true if true is not None and not pd.isna(true) else published
    try:
        return str(reference).strip() != MARKER and int(float(reference)) == int(float(text))
    except (TypeError, ValueError):
        return False


def figures_from_report(file: str, page: str, rows: pd.DataFrame, notes: list[str],
                        truth: pd.DataFrame | None = None) -> list[dict[str, Any]]:
    """Counts, rates and ratios of an indicator page's action-plan tables (one per group).

    ``truth`` (the same rows unsuppressed, same index) checks the match of page rows to
    results rows where the results file hides a count the page shows.
    """
    tables = [t for t in read_tables(page) if any(h.endswith(" n") for h in t.header)]
    if not tables or rows.empty:
        return []
    authority = str(rows["authority"].iloc[0])
    groups = list(dict.fromkeys(rows["group"]))
    out: list[dict[str, Any]] = []
    for number, (table, group) in enumerate(zip(tables, groups, strict=False), start=1):
        ordered = _ordered(rows[rows["group"] == group])
        counts = [i for i, h in enumerate(table.header) if h.endswith((" n", " N"))]
        if len(ordered) != len(table.rows) or len(counts) < 4:
            notes.append(f"{file}: table {number} does not line up with the results; not read")
            continue
        columns = dict(zip(counts[:4], [*ROLES["group"], *ROLES["reference"]], strict=True))
        rates = [i for i, h in enumerate(table.header) if " rate " in f" {h} "]
        likelihood = [i for i, h in enumerate(table.header) if h.startswith("Relative likel")]
        for line, (cells, row) in enumerate(zip(table.rows, ordered, strict=True), start=1):
            true = (truth.loc[row["_index"]] if truth is not None and row["_index"] in truth.index
                    else {})
            if not all(_agrees(cells[i], row[c], true.get(c)) for i, c in columns.items()):
                notes.append(f"{file}: table {number} row {line} disagrees with the results")
                continue
            where = f"table {number}, row {line}"
            for i, column in columns.items():
                value = cells[i].count or cells[i].text
                if value and value.strip() != MARKER:
                    out += figures_for(file, f"{where}, {table.header[i]}", [authority], row,
                                    [f"count:{column}"], value)
            for i, role in zip(rates, ("group", "reference"), strict=False):
                names: tuple[str, ...] = ("rate", "rate_lower", "rate_upper")
                names = names if role == "group" else tuple(f"reference_{q}" for q in names)
                out += figures_for(file, f"{where}, {table.header[i]}", [authority], row, names,
                                cells[i].text, 100.0)
            for i in likelihood:
                out += figures_for(file, f"{where}, {table.header[i]}", [authority], row, _RL,
                                cells[i].text)
    return out


def _service(label: str, services: Iterable[str]) -> str | None:
    if label in _SERVICE_LABELS:
        return _SERVICE_LABELS[label]
    return next((s for s in services if s.replace("_", " ").capitalize() == label), None)


def figures_from_summary(file: str, page: str, rows: pd.DataFrame,
                         notes: list[str]) -> list[dict[str, Any]]:
    """Relative likelihoods of the authority summary's headline table (minority ethnic staff)."""
    tables = [t for t in read_tables(page) if t.header[:2] == ["Indicator", "Measure"]]
    minority = rows[rows["group"] == MINORITY]
    out: list[dict[str, Any]] = []
    for table in tables:
        seen: dict[int, int] = {}
        for line, cells in enumerate(table.rows, start=1):
            number = int(cells[0].text)
            mine = minority[minority["indicator"].astype(int) == number]
            measures = list(dict.fromkeys(mine["measure"]))
            position = seen.get(number, 0)
            seen[number] = position + 1
            if position >= len(measures):
                notes.append(f"{file}: a headline row has no results row; not read")
                continue
            for i, label in enumerate(table.header[2:], start=2):
                service = _service(label, mine["service"].astype(str))
                match = mine[(mine["measure"] == measures[position]) & (mine["service"] == service)]
                if service is None or match.empty:
                    continue
                row = match.iloc[0].to_dict()
                out += figures_for(file, f"headline row {line}, {label}", [row["authority"]], row,
                                _RL, cells[i].text)
    return out


def figures_from_index(file: str, page: str, published: pd.DataFrame,
                       notes: list[str]) -> list[dict[str, Any]]:
    """The index page's headline ratio per authority, year and indicator (all services)."""
    out: list[dict[str, Any]] = []
    headline = published[(published["service"] == ALL_SERVICES)
                         & (published["group"] == MINORITY)]
    for table in read_tables(page):
        words = table.caption.split()
        if len(words) < 3 or words[0] != "Reports" or not words[2].rstrip(":").isdigit():
            continue
        year = int(words[2].rstrip(":"))
        numbers = {i: int(h.split(".")[0]) for i, h in enumerate(table.header)
                   if h.split(".")[0].isdigit()}
        for cells in table.rows:
            region = next((t for c, t in cells[0].spans if c == "region"), "")
            authority = cells[0].text.removesuffix(region).strip()
            for i, number in numbers.items():
                values = [t for c, t in cells[i].spans if c == "rl"]
                measures = get_indicator(number).measures
                mine = headline[(headline["authority"] == authority)
                                & (headline["year"].astype(int) == year)
                                & (headline["indicator"].astype(int) == number)]
                for measure, text in zip(measures if number == 7 else measures[:1], values,
                                         strict=False):
                    match = mine[mine["measure"] == measure]
                    if not match.empty:
                        row = match.iloc[0].to_dict()
                        out += figures_for(file, f"{year} table, {authority}, indicator {number}",
                                        [authority], row, _RL, text)
    return out
