"""Reading the national view back: ``national.csv`` and the benchmark page's tables.

The national view pools authorities' counts (all services, minority ethnic
staff against white staff): the national ratio, each region's ratio, and each
authority's position and minority ethnic rate. Its pages say which
authorities each total is of: those whose figures are published, an authority
whose figure is withheld (``[c]`` in the positions tables, ``withheld`` in
``national.csv``) being left out. The attacker reads a total as of those
authorities; a total that does not agree with the published counts of those
authorities is read as of every authority of the region or nation, as it was
before totals were made of published counts only. Read back, these are figures
over sums of authorities' counts, some of which may be hidden in the results
file; the attack (`wres.analysis.disclosure.attack`) works out what they
allow. Each function returns figures in the `pages.FIGURE_COLUMNS` layout.
"""

from __future__ import annotations

import math
import re
from collections import defaultdict
from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np
import pandas as pd

from wres.analysis.disclosure import readback
from wres.analysis.disclosure.pages import Table, figures_for, read_tables
from wres.core.frames import records
from wres.core.indicators import ALL_SERVICES, MINORITY, get_indicator
from wres.core.names import COMPARISON_COUNTS, MARKER

#: Per-authority figures of ``national.csv`` (the publication profile keeps the first three).
AUTHORITY_FIGURES = ("relative_likelihood", "log_rl", "se", "precision", "rl_lower", "rl_upper")
#: Figures of ``national.csv`` pooled over the authorities in the national total.
NATIONAL_FIGURES = ("national_rl", "national_rl_lower", "national_rl_upper")
_RL = ("relative_likelihood", "rl_lower", "rl_upper")
#: A measure of one year: (year, indicator, measure).
Measure = tuple[int, int, str]


class Headlines:
    """The published headline rows (all services, minority ethnic staff), by key."""

    def __init__(self, published: pd.DataFrame) -> None:
        rows = published[(published["service"] == ALL_SERVICES)
                         & (published["group"] == MINORITY)]
        self.rows: dict[tuple[str, int, int, str], dict[str, Any]] = {}
        self.authorities: dict[Measure, list[str]] = defaultdict(list)
        for row in records(rows):
            key = (str(row["authority"]), int(row["year"]), int(row["indicator"]),
                   str(row["measure"]))
            if key not in self.rows:
                self.rows[key] = row
                self.authorities[key[1:]].append(key[0])

    def row(self, authority: str, measure: Measure) -> dict[str, Any] | None:
        return self.rows.get((authority, *measure))

    def counts(self, authorities: Sequence[str], measure: Measure) -> dict[str, float] | None:
        """The four comparison counts summed over ``authorities``; None if one is hidden."""
        sums = dict.fromkeys(("group_n", "group_d", "reference_n", "reference_d"), 0.0)
        for authority in authorities:
            row = self.rows.get((authority, *measure))
            if row is None:
                continue
            for slot, column in zip(sums, COMPARISON_COUNTS, strict=True):
                value = row[column]
                if str(value).strip() == MARKER:
                    return None
                try:
                    sums[slot] += float(value)
                except (TypeError, ValueError):
                    return None
        return sums


def _agrees(headlines: Headlines, authorities: Sequence[str], measure: Measure,
            row: Mapping[str, Any], quantity: str, shown: readback.Shown) -> bool:
    """Whether ``shown`` is ``quantity`` of the authorities' published counts summed.

    True too when one of them has a hidden count: the attack then works out what
    the figure allows.
    """
    sums = headlines.counts(authorities, measure)
    if sums is None:
        return True
    counts = {k: np.array([v]) for k, v in sums.items()}
    params = {p: row.get(p) for p in ("ci_method", "rate_method", "confidence_level")}
    params["confidence_level"] = params["confidence_level"] or 0.95
    value = readback.evaluate(quantity, counts, params)
    return bool(readback.consistent(value, shown)[0])


def _members(headlines: Headlines, declared: list[str], everyone: list[str], measure: Measure,
             row: Mapping[str, Any], quantity: str, shown: readback.Shown,
             notes: list[str], what: str) -> list[str]:
    """The authorities a total is read as of: those declared, unless it disagrees with them."""
    if declared and _agrees(headlines, declared, measure, row, quantity, shown):
        return declared
    if set(declared) != set(everyone):
        notes.append(f"{what} is not the total of the authorities the page says it is of: "
                     "read as the total of every authority")
    return everyone


def _value(value: Any) -> readback.Shown | None:
    """A figure of a file: text at the precision it was written, a float at full precision."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return None
    if isinstance(value, str):
        return readback.shown_text(value)
    return readback.shown(float(value))


def _figure(file: str, where: str, authorities: Sequence[str], row: Mapping[str, Any],
            quantity: str, shown: readback.Shown) -> dict[str, Any]:
    return {"file": file, "where": where, "authorities": tuple(authorities),
            "pooled": quantity in NATIONAL_FIGURES,
            "year": int(row["year"]), "indicator": int(row["indicator"]),
            "measure": row["measure"], "service": ALL_SERVICES, "group": MINORITY,
            "quantity": quantity, "value": shown.value, "low": shown.low, "high": shown.high,
            "ci_method": row.get("ci_method"), "rate_method": row.get("rate_method"),
            "confidence_level": row.get("confidence_level")}


def _withheld(row: Mapping[str, Any]) -> bool:
    flag = str(row.get("withheld", "")).strip().lower() in ("true", "1", "1.0")
    return flag or str(row.get("position", "")).strip() == "withheld"


def figures_from_national_csv(file: str, national: pd.DataFrame,
                              published: pd.DataFrame,
                              notes: list[str] | None = None) -> list[dict[str, Any]]:
    """Each authority's ratio (and, in an analyst file, log ratio, standard error and
    interval) and the national ratio, at the precision written (text) or full precision.

    The national ratio is read as of the authorities not ``withheld`` (and submitted).
    """
    headlines = Headlines(published)
    notes = [] if notes is None else notes
    out: list[dict[str, Any]] = []
    for line, row in enumerate(records(national), start=2):
        for quantity in AUTHORITY_FIGURES:
            shown = _value(row.get(quantity))
            if shown is not None:
                out.append(_figure(file, f"line {line}, {quantity}", [str(row["authority"])],
                                   row, quantity, shown))
    for (year, indicator, measure), rows in national.groupby(["year", "indicator", "measure"],
                                                            sort=False):
        key: Measure = (int(year), int(indicator), str(measure))
        first = rows.iloc[0].to_dict()
        everyone = [a for a in rows["authority"].astype(str) if headlines.row(a, key)]
        declared = [str(r["authority"]) for r in records(rows)
                    if headlines.row(str(r["authority"]), key) and not _withheld(r)]
        ratio = _value(first.get("national_rl"))
        if ratio is None or not everyone:
            continue
        pooled = _members(headlines, declared, everyone, key, first, "national_rl", ratio,
                          notes, f"{file}: {year} indicator {indicator} {measure}")
        for quantity in NATIONAL_FIGURES:
            shown = _value(first.get(quantity))
            if shown is not None and math.isfinite(shown.value):
                out.append(_figure(file, f"{year} indicator {indicator} {measure}, {quantity}",
                                   pooled, first, quantity, shown))
    return out


def _measure(indicator: int, text: str) -> str | None:
    """The measure a caption or header names: its code, or its words in brackets."""
    definition = get_indicator(indicator)
    measures = definition.measures
    if len(measures) == 1:
        return measures[0]
    wanted = text.strip().replace(" ", "_")
    found = [m for m in measures if m == wanted or definition.label(m) in text]
    return found[0] if len(found) == 1 else None


def _caption_measure(caption: str) -> tuple[int, str | None] | None:
    match = re.search(r"indicator (\d+):[^(,]*(?:\(([^)]*)\))?", caption)
    if match is None:
        return None
    indicator = int(match.group(1))
    return indicator, _measure(indicator, match.group(2) or "")


def _left_out(tables: list[Table], year: int) -> dict[Measure, set[str]]:
    """Authorities shown ``[c]`` in the positions tables: left out of the totals."""
    left: dict[Measure, set[str]] = defaultdict(set)
    for table in tables:
        found = _caption_measure(table.caption)
        if not table.caption.startswith("Position of each authority") or found is None:
            continue
        indicator, measure = found
        column = next((i for i, h in enumerate(table.header)
                       if h.startswith(("Relative likelihood", "Proportion"))), None)
        if measure is None or column is None:
            continue
        for cells in table.rows:
            if cells[column].text.strip() == MARKER:
                left[(year, indicator, measure)].add(cells[0].text)
    return left


def figures_from_benchmark(file: str, page: str, published: pd.DataFrame,
                           regions: Mapping[str, str],
                           notes: list[str]) -> list[dict[str, Any]]:
    """The region table, the positions and rates tables and the national table of the page."""
    headlines = Headlines(published)
    out: list[dict[str, Any]] = []
    tables = read_tables(page)
    left_by_year: dict[int, dict[Measure, set[str]]] = {}
    for table in tables:
        years = [int(y) for y in re.findall(r"\b(20\d\d)\b", table.caption)]
        if not years:
            continue
        year = years[0]
        if year not in left_by_year:
            left_by_year[year] = _left_out(tables, year)
        left = left_by_year[year]
        if table.caption.startswith("Relative likelihood pooled over each region"):
            out += _regions(file, table, headlines, regions, year, left, notes)
        elif table.caption.startswith("Position of each authority"):
            out += _positions(file, table, headlines, year, notes)
        elif table.caption.startswith("Relative likelihoods pooled over"):
            out += _national(file, table, headlines, year, left, notes)
    return out


def _positions(file: str, table: Table, headlines: Headlines, year: int,
               notes: list[str]) -> list[dict[str, Any]]:
    """Each authority's RL (two decimals) or minority ethnic rate (one decimal of a percent)."""
    found = _caption_measure(table.caption)
    if found is None:
        return []
    indicator, measure = found
    if measure is None:
        notes.append(f"{file}: the measure of table '{table.caption}' is not known; not read")
        return []
    out: list[dict[str, Any]] = []
    for i, header in enumerate(table.header):
        quantities: tuple[str, ...]
        if header.startswith("Relative likelihood"):
            quantities, scale = _RL, 1.0
        elif header == "Proportion" and "share of senior managers" not in table.caption:
            quantities, scale = ("rate",), 100.0
        else:
            continue
        for cells in table.rows:
            row = headlines.row(cells[0].text, (year, indicator, measure)) or {
                "year": year, "indicator": indicator, "measure": measure,
                "service": ALL_SERVICES, "group": MINORITY}  # not published: a finding
            out += figures_for(file, f"positions, {cells[0].text}, indicator {indicator}",
                               [cells[0].text], row, quantities, cells[i].text, scale)
    return out


def _regions(file: str, table: Table, headlines: Headlines, regions: Mapping[str, str],
             year: int, left: Mapping[Measure, set[str]],
             notes: list[str]) -> list[dict[str, Any]]:
    out: list[dict[str, Any]] = []
    for cells in table.rows:
        region = cells[0].text
        for i, header in enumerate(table.header[2:], start=2):
            number, _, rest = header.partition(" ")
            if not number.isdigit():
                continue
            indicator = int(number)
            measure = _measure(indicator, rest)
            if measure is None:
                continue
            key: Measure = (year, indicator, measure)
            everyone = [a for a, r in regions.items() if r == region and headlines.row(a, key)]
            if not everyone:
                notes.append(f"{file}: a region table cell has no authority in the results")
                continue
            row = headlines.row(everyone[0], key)
            assert row is not None
            numbers = readback.read_numbers(cells[i].text)
            if not numbers:
                continue
            declared = [a for a in everyone if a not in left.get(key, set())]
            members = _members(headlines, declared, everyone, key, row, "relative_likelihood",
                               numbers[0], notes, f"{file}: region table, {region}, {header}")
            out += figures_for(file, f"region table, {region}, {header}", members, row, _RL,
                               cells[i].text, pooled=True)
    return out


def _national(file: str, table: Table, headlines: Headlines, year: int,
              left: Mapping[Measure, set[str]], notes: list[str]) -> list[dict[str, Any]]:
    """The national ratio of each measure (its interval may be widened for overdispersion,
    so it is not read back)."""
    out: list[dict[str, Any]] = []
    column = next((i for i, h in enumerate(table.header) if h.startswith("National relative")),
                  None)
    seen: dict[int, int] = {}
    for cells in table.rows:
        if column is None or not cells[0].text.isdigit():
            continue
        indicator = int(cells[0].text)
        measures = get_indicator(indicator).measures
        position = seen.get(indicator, 0)
        seen[indicator] = position + 1
        if position >= len(measures):
            notes.append(f"{file}: national table row for indicator {indicator} not read")
            continue
        key: Measure = (year, indicator, measures[position])
        everyone = list(headlines.authorities.get(key, []))
        numbers = readback.read_numbers(cells[column].text)
        if not everyone or not numbers:
            continue
        row = headlines.row(everyone[0], key)
        assert row is not None
        declared = [a for a in everyone if a not in left.get(key, set())]
        members = _members(headlines, declared, everyone, key, row, "national_rl", numbers[0],
                           notes, f"{file}: national table, indicator {indicator} "
                           f"{measures[position]}")
        figures = figures_for(file, f"national table, indicator {indicator} {key[2]}", members,
                              row, NATIONAL_FIGURES[:1], cells[column].text, pooled=True)
        out += [f for f in figures if math.isfinite(f["value"])]
    return out
