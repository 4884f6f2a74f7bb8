"""Tables of the national view: national figures, each authority's position, regions.

With many authorities (153 in England) an authority table is folded by region:
each region is a ``<details>`` element whose ``<summary>``, always visible,
says how its authorities sit, and whose table opens on demand; a page stays
short and quick to load. The tables show figures as the pages do: relative
likelihoods to two decimals, ``[c]`` where a figure is withheld.
"""

from __future__ import annotations

import html
from collections import Counter
from collections.abc import Mapping
from typing import Any

import pandas as pd

from wres.analysis.national import MEASURE_KEYS, WITHHELD
from wres.core.frames import records
from wres.core.indicators import get_indicator
from wres.core.names import MARKER
from wres.inputs.published import published_national
from wres.present.figures.funnel import NO_WHITE
from wres.present.narrative.words import (
    capitalise,
    format_confidence,
    join_words,
    measure_label,
    text_or_blank,
)
from wres.present.tables import TABLE_CSS, to_html
from wres.stats.funnel import ADJUSTED, NOT_ASSESSED

#: With more authorities than this, each region's rows of an authority table start folded.
COLLAPSE_ABOVE = 20
#: Group of the authorities whose region is not known.
NO_REGION = "No region"


def rl_text(rl: Any, low: Any, high: Any) -> str:
    """An RL with its interval to two decimals: "1.21 (0.95–1.54)"."""
    if text_or_blank(rl) == "" and text_or_blank(low) != "":
        return f"not computable ({NO_WHITE}); lower limit {float(low):.2f}"
    if any(text_or_blank(v) == "" for v in (rl, low, high)):
        return "" if text_or_blank(rl) == "" else f"{float(rl):.2f}"
    return f"{float(rl):.2f} ({float(low):.2f}–{float(high):.2f})"


def _position_text(row: Mapping) -> str:
    position, note = text_or_blank(row.get("position")), text_or_blank(row.get("note"))
    if position == NOT_ASSESSED:
        return f"not assessed ({note})" if note else position
    return position


def positions_table(rows: pd.DataFrame, confidence_level: float = 0.95) -> pd.DataFrame:
    """Authority, region, RL with interval, and position, for one indicator x measure."""
    level = format_confidence(confidence_level)
    adjusted = (rows["limits"].astype(str) == ADJUSTED).any()
    entries = []
    for row in records(rows):
        hidden = row.get("position") == WITHHELD
        record = {
            "Authority": str(row["authority"]),
            "Region": text_or_blank(row.get("region")),
            f"Relative likelihood ({level} CI)": MARKER if hidden else rl_text(
                row.get("relative_likelihood"), row.get("rl_lower"), row.get("rl_upper")),
            "Position": _position_text(row),
        }
        if adjusted:
            record["Position without widening"] = (
                WITHHELD if hidden else text_or_blank(row.get("position_unadjusted")))
        entries.append(record)
    table = pd.DataFrame(entries, dtype=object)
    if not table["Region"].astype(bool).any():
        table = table.drop(columns="Region")
    return table


def national_interval(row: Mapping) -> tuple[Any, Any]:
    """The national RL's interval in use: widened for overdispersion where it was computed."""
    if "national_rl_lower_widened" in row:
        return row["national_rl_lower_widened"], row["national_rl_upper_widened"]
    return row["national_rl_lower"], row["national_rl_upper"]


def national_table(national: pd.DataFrame, published: pd.DataFrame | None = None) -> pd.DataFrame:
    """Pooled national RL per indicator x measure with its interval, beside the 2023 figure.

    Where authorities are left out of the totals to protect small counts (the
    publication profile), a column says how many.
    """
    published = published_national() if published is None else published
    reference = {(int(n), str(m)): rl for n, m, rl in
                 zip(published["indicator"], published["measure"],
                     published["relative_likelihood"], strict=True)}
    level = format_confidence(national["confidence_level"].dropna().iloc[0]
                              if national["confidence_level"].notna().any() else 0.95)
    shared = national.groupby(MEASURE_KEYS, sort=False).first().reset_index()
    left_out = "left_out" in shared and bool((shared["left_out"] > 0).any())
    entries = []
    for row in records(shared):
        number, measure = int(row["indicator"]), str(row["measure"])
        total = int(row["in_total"]) if text_or_blank(row.get("in_total")) else None
        figure = (MARKER if total == 0 else
                  rl_text(row["national_rl"], *national_interval(row)))
        record = {
            "Indicator": str(number),
            "Measure": capitalise(measure_label(number, measure)),
            f"National relative likelihood ({level} CI)": figure,
            "Authorities on the funnel": str(int(row["n_authorities"])),
        }
        if left_out:
            record["Authorities in the total"] = str(total)
            record["Left out to protect small counts"] = str(int(row["left_out"]))
        record["Limits"] = ("widened (random effects)" if row["limits"] == ADJUSTED
                            else "not widened")
        record["Published national figure, 2023"] = (
            text_or_blank(reference.get((number, measure))) or "not published")
        entries.append(record)
    return pd.DataFrame(entries, dtype=object)


def region_table(breakdown: pd.DataFrame, *, withhold: bool = False) -> pd.DataFrame:
    """Regions as rows, measures as columns, each cell the pooled RL with its interval.

    ``Authorities`` is the number of the region's authorities; with ``withhold`` a
    region none of whose figures for a measure is published shows ``[c]``.
    """
    columns: dict[tuple[int, str], str] = {}
    cells: dict[str, dict[str, str]] = {}
    for row in records(breakdown):
        number, measure = int(row["indicator"]), str(row["measure"])
        name = column_name(number, measure)
        columns[(number, measure)] = name
        entry = cells.setdefault(str(row["region"]), {"Region": str(row["region"]),
                                                      "Authorities": "0"})
        members = int(row["authorities"]) + int(row.get("left_out", 0) or 0)
        entry["Authorities"] = str(max(int(entry["Authorities"]), members))
        if withhold and (row["withheld"] or int(row["authorities"]) == 0):
            entry[name] = MARKER
        elif str(row["status"]) != "ok":
            entry[name] = "not computable"
        else:
            entry[name] = rl_text(row["relative_likelihood"], row["rl_lower"], row["rl_upper"])
    order = ["Region", "Authorities", *(columns[k] for k in sorted(columns, key=_measure_rank))]
    return pd.DataFrame(list(cells.values()), columns=order, dtype=object).fillna("")


def left_out_sentence(breakdown: pd.DataFrame, national: pd.DataFrame) -> str:
    """Which authorities are left out of which region totals, or "" when none is."""
    hidden = national[national["position"].astype(str) == WITHHELD]
    if hidden.empty or "left_out" not in breakdown or not (breakdown["left_out"] > 0).any():
        return ""
    named = []
    for region, rows in hidden.groupby("region", sort=True):
        if not region:
            continue
        each = []
        for authority, mine in rows.groupby("authority", sort=True):
            measures = [column_name(int(n), str(m))
                        for n, m in zip(mine["indicator"], mine["measure"], strict=True)]
            each.append(f"{authority} ({', '.join(measures)})")
        named.append(f"{region}: {join_words(each)}")
    return ("Each region's figure is of its authorities whose figures for that measure are "
            "published; left out to protect small counts (columns in brackets): "
            + "; ".join(named) + ".")


def column_name(number: int, measure: str) -> str:
    """A measure's column heading: its indicator number, and the measure where there are two."""
    measures = get_indicator(number).measures
    return f"{number} {measure.replace('_', ' ')}" if len(measures) > 1 else str(number)


def _measure_rank(key: tuple[int, str]) -> tuple[int, int]:
    measures = get_indicator(key[0]).measures
    return key[0], measures.index(key[1]) if key[1] in measures else 99


# --- folded by region ---------------------------------------------------------------------------


def position_summary(positions: pd.Series) -> str:
    """How a group of authorities sits: "12 authorities: 1 above the limits, 2 withheld"."""
    words = [str(p) for p in positions]
    counts = Counter("above" if p.startswith("above") else "below" if p.startswith("below")
                     else "within" if p == "within limits" else WITHHELD if p == WITHHELD
                     else "not assessed" for p in words)
    parts = [f"{counts[k]} {label}" for k, label in
             (("within", "within the limits"), ("above", "above the limits"),
              ("below", "below the limits"), (WITHHELD, "withheld"),
              ("not assessed", "not assessed")) if counts[k]]
    noun = "authority" if len(words) == 1 else "authorities"
    return f"{len(words)} {noun}: {', '.join(parts)}"


def by_region_html(table: pd.DataFrame, *, caption: str, collapse: bool,
                   position_column: str = "Position") -> str:
    """An authority table as HTML: one table, or, when it has a ``Region`` column, one
    ``<details>`` per region whose ``<summary>`` (always shown) says how its
    authorities sit. Regions start folded with ``collapse``."""
    if "Region" not in table:
        return to_html(table, caption=caption, row_header="Authority", count_columns=[])
    parts = [f"<style>{TABLE_CSS}</style>"]
    regions = table["Region"].replace("", NO_REGION)
    for region in sorted(set(regions), key=lambda r: (r == NO_REGION, r)):
        part = table[regions == region].drop(columns="Region")
        summary = position_summary(part[position_column])
        inner = to_html(part, caption=f"{caption}, {region}", row_header="Authority",
                        count_columns=[], include_style=False)
        parts.append(f'<details class="region"{"" if collapse else " open"}><summary>'
                     f"{html.escape(region)}: {html.escape(summary)}</summary>{inner}</details>")
    return "".join(parts)
