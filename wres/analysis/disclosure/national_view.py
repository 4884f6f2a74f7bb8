"""Reading the national view back: ``national.csv`` and the benchmark page's tables.

The national view pools every authority's counts (all services, minority
ethnic staff against white staff): the national ratio, each region's ratio,
and each authority's position. Read back, these are figures over sums of
authorities' counts, some of which may be hidden in the results file; the
attack (`wres.analysis.disclosure.attack`) works out what they allow. Each
function returns figures in the `pages.FIGURE_COLUMNS` layout.
"""

from __future__ import annotations

import math
import re
from collections.abc import Mapping
from typing import Any

import pandas as pd

from wres.analysis.disclosure import readback
from wres.analysis.disclosure.pages import figures_for, read_tables
from wres.core.indicators import ALL_SERVICES, MINORITY, get_indicator

#: Per-authority figures of ``national.csv`` (written at full precision).
AUTHORITY_FIGURES = ("relative_likelihood", "log_rl", "se", "precision", "rl_lower", "rl_upper")
#: Figures of ``national.csv`` pooled over every authority.
NATIONAL_FIGURES = ("national_rl", "national_rl_lower", "national_rl_upper")
_RL = ("relative_likelihood", "rl_lower", "rl_upper")


def _headlines(published: pd.DataFrame) -> pd.DataFrame:
    rows = published[(published["service"] == ALL_SERVICES) & (published["group"] == MINORITY)]
    return rows.assign(year=rows["year"].astype(int), indicator=rows["indicator"].astype(int))


def _row(headlines: pd.DataFrame, authority: str | None, year: int, indicator: int,
         measure: str) -> dict[str, Any] | None:
    mine = headlines[(headlines["year"] == year) & (headlines["indicator"] == indicator)
                     & (headlines["measure"] == measure)]
    if authority is not None:
        mine = mine[mine["authority"] == authority]
    return None if mine.empty else mine.iloc[0].to_dict()


def _full(file: str, where: str, authorities: list[str], row: Mapping[str, Any],
          quantity: str, value: Any) -> dict[str, Any]:
    shown = readback.shown(float(value))
    return {"file": file, "where": where, "authorities": tuple(authorities),
            "pooled": quantity in NATIONAL_FIGURES,
            "year": int(row["year"]), "indicator": int(row["indicator"]),
            "measure": row["measure"], "service": ALL_SERVICES, "group": MINORITY,
            "quantity": quantity, "value": shown.value, "low": shown.low, "high": shown.high,
            "ci_method": row.get("ci_method"), "rate_method": row.get("rate_method"),
            "confidence_level": row.get("confidence_level")}


def figures_from_national_csv(file: str, national: pd.DataFrame,
                              published: pd.DataFrame) -> list[dict[str, Any]]:
    """Each authority's ratio, log ratio, standard error and interval, and the national ratio."""
    headlines = _headlines(published)
    out: list[dict[str, Any]] = []
    for line, row in enumerate(national.to_dict("records"), start=2):
        for quantity in AUTHORITY_FIGURES:
            value = row.get(quantity)
            if value is None or pd.isna(value):
                continue
            out.append(_full(file, f"line {line}, {quantity}", [str(row["authority"])], row,
                             quantity, value))
    for (year, indicator, measure), rows in national.groupby(["year", "indicator", "measure"],
                                                            sort=False):
        first = rows.iloc[0].to_dict()
        pooled = [a for a in rows["authority"].astype(str)
                  if _row(headlines, a, int(year), int(indicator), str(measure)) is not None]
        for quantity in NATIONAL_FIGURES:
            value = first.get(quantity)
            if value is not None and not pd.isna(value) and pooled:
                out.append(_full(file, f"{year} indicator {indicator} {measure}, {quantity}",
                                 pooled, first, quantity, value))
    return out


def _measure(indicator: int, text: str) -> str:
    measures = get_indicator(indicator).measures
    if len(measures) == 1:
        return measures[0]
    wanted = text.strip().replace(" ", "_")
    return next((m for m in measures if m == wanted), wanted)


def figures_from_benchmark(file: str, page: str, published: pd.DataFrame,
                           regions: Mapping[str, str],
                           notes: list[str]) -> list[dict[str, Any]]:
    """The region table, the positions tables and the national table of the benchmark page."""
    headlines = _headlines(published)
    out: list[dict[str, Any]] = []
    for table in read_tables(page):
        years = [int(y) for y in re.findall(r"\b(20\d\d)\b", table.caption)]
        if not years:
            continue
        year = years[0]
        if table.caption.startswith("Relative likelihood pooled over each region"):
            out += _regions(file, table, headlines, regions, year, notes)
        elif table.caption.startswith("Position of each authority"):
            match = re.search(r"indicator (\d+):[^(,]*(?:\(([^)]*)\))?", table.caption)
            if match is None:
                continue
            indicator = int(match.group(1))
            measure = _measure(indicator, match.group(2) or "")
            column = next((i for i, h in enumerate(table.header)
                           if h.startswith("Relative likelihood")), None)
            for cells in table.rows:
                row = _row(headlines, cells[0].text, year, indicator, measure)
                if row is not None and column is not None:
                    out += figures_for(file, f"positions, {cells[0].text}, indicator {indicator}",
                                    [cells[0].text], row, _RL, cells[column].text)
        elif table.caption.startswith("Relative likelihoods pooled over"):
            out += _national(file, table, headlines, year, notes)
    return out


def _regions(file: str, table: Any, headlines: pd.DataFrame, regions: Mapping[str, str],
             year: int, notes: list[str]) -> list[dict[str, Any]]:
    out: list[dict[str, Any]] = []
    for cells in table.rows:
        region = cells[0].text
        for i, header in enumerate(table.header[2:], start=2):
            number, _, rest = header.partition(" ")
            if not number.isdigit():
                continue
            indicator = int(number)
            measure = _measure(indicator, rest)
            members = [a for a, r in regions.items() if r == region
                       and _row(headlines, a, year, indicator, measure) is not None]
            if not members:
                notes.append(f"{file}: a region table cell has no authority in the results")
                continue
            row = _row(headlines, members[0], year, indicator, measure)
            assert row is not None
            out += figures_for(file, f"region table, {region}, {header}", members, row, _RL,
                               cells[i].text, pooled=True)
    return out


def _national(file: str, table: Any, headlines: pd.DataFrame, year: int,
              notes: list[str]) -> list[dict[str, Any]]:
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
        mine = headlines[(headlines["year"] == year) & (headlines["indicator"] == indicator)
                         & (headlines["measure"] == measures[position])]
        if mine.empty:
            continue
        row = mine.iloc[0].to_dict()
        figures = figures_for(file, f"national table, indicator {indicator} {measures[position]}",
                           list(mine["authority"].astype(str)), row,
                              NATIONAL_FIGURES, cells[column].text, pooled=True)
        out += [f for f in figures if math.isfinite(f["value"])]
    return out
