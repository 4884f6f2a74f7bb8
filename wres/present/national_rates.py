"""The proportion funnels of the national view: words, tables and what the notebook shows.

Each measure's minority ethnic rate, and indicator 9's minority ethnic share of
senior managers, against the proportion pooled over all authorities with PHE's
limits (`wres.analysis.benchmark_rates`). In the publication profile the
pooled proportion is of the authorities whose figures are published.
"""

from __future__ import annotations

import html
from typing import Any

import numpy as np
import pandas as pd

from wres.analysis.benchmark_rates import NOT_SUBMITTED, RATE, SENIOR_SHARE
from wres.analysis.national import MEASURE_KEYS, WITHHELD, NationalView
from wres.core.frames import records
from wres.core.indicators import get_indicator
from wres.core.names import MARKER
from wres.present.figures.common import figure_to_html
from wres.present.figures.funnel_proportion import proportion_funnel_plot
from wres.present.narrative.words import capitalise, level_text, measure_label, text_or_blank
from wres.present.national_tables import COLLAPSE_ABOVE, by_region_html
from wres.stats.funnel import NOT_ASSESSED, level_suffixes


def shown_rates(view: NationalView) -> pd.DataFrame:
    """``view.rates`` as the profile may show them: in the publication profile rows
    whose counts are not all published have no proportion, counts or limits and are
    ``withheld`` (and were left out of the pooled proportion)."""
    rates = view.rates.copy()
    if rates.empty or not view.withholds:
        return rates
    hidden = rates["withheld"].to_numpy(dtype=bool)
    limits = [c for c in rates if c.startswith(("lower_", "upper_"))]
    rates.loc[hidden, ["numerator", "denominator", "proportion", *limits]] = np.nan
    rates.loc[hidden, "position"] = WITHHELD
    return rates


def _labels(kind: str, number: int, measure: str) -> tuple[str, str, str]:
    """(heading, what the proportion is of, what the denominator counts) of one funnel."""
    if kind == SENIOR_SHARE:
        return ("Indicator 9: minority ethnic share of senior managers",
                "senior managers of known ethnicity who are minority ethnic",
                "senior managers of known ethnicity")
    staff = f"minority ethnic {get_indicator(number).denominator}"
    label = measure_label(number, measure)
    return (f"Indicator {number}: rate among {staff} ({label})",
            f"{staff} with this outcome ({label})", staff)


def rates_sentence(rows: pd.DataFrame, what: str, *, withhold: bool = False) -> str:
    """The pooled proportion and how many authorities are outside the widest limits.

    With ``withhold`` the proportion is of the authorities whose figures are published,
    and the sentence says how many are left out.
    """
    placed = rows[rows["position"].astype(str).str.contains("limit")]
    national = float(rows["national_proportion"].iloc[0])
    suffixes = level_suffixes(rows) or ["95", "998"]
    widest = level_text(suffixes[-1])
    outside = int(placed["position"].astype(str).str.contains(widest, regex=False).sum())
    chance = 100 - float(widest.rstrip("%"))
    left = int(rows["withheld"].astype(bool).sum()) if withhold else 0
    pooled = rows[(rows["note"].astype(str) != NOT_SUBMITTED)
                  & ~(rows["withheld"].astype(bool) if withhold else False)]
    n = pooled["authority"].nunique() if withhold else rows["authority"].nunique()
    if not np.isfinite(national):
        return (f"No authority's figure is published, so no proportion of {what} can be "
                f"given; {left} are left out to protect small counts.")
    noun = "authority" if n == 1 else "authorities"
    text = f"Pooled over {n} {noun}, the proportion of {what} was {100 * national:.1f}%."
    if left:
        verb = "is" if left == 1 else "are"
        text += (f" Totals are of the {n} {noun} whose figures are published; {left} "
                 f"{verb} left out to protect small counts.")
    return text + (f" The limits are PHE's, not widened for overdispersion: {outside} of "
                   f"{len(placed)} authorities are outside the {widest} limits, where about "
                   f"{chance:g}% would be by chance alone, so a position there may reflect "
                   "local circumstances as much as practice.")


def rates_table(rows: pd.DataFrame, regions: dict[str, str] | None = None) -> pd.DataFrame:
    """Authority, (region,) proportion (one decimal place) and position of one funnel."""
    entries = []
    for row in records(rows):
        position, note = text_or_blank(row.get("position")), text_or_blank(row.get("note"))
        value: Any = row.get("proportion")
        shown = (MARKER if position == WITHHELD else
                 "" if text_or_blank(value) == "" else f"{100 * float(value):.1f}%")
        if position == NOT_ASSESSED and note:
            position = f"not assessed ({note})"
        record = {"Authority": str(row["authority"])}
        if regions:
            record["Region"] = regions.get(str(row["authority"]), "")
        entries.append({**record, "Proportion": shown, "Position": position})
    return pd.DataFrame(entries, dtype=object)


def _display(markup: str) -> None:
    from IPython.display import HTML, display

    display(HTML(markup))


def _funnels(rates: pd.DataFrame) -> list[tuple[str, int, str, int, pd.DataFrame]]:
    """Each proportion funnel's (kind, indicator, measure, year, rows), rates first."""
    order = {RATE: 0, SENIOR_SHARE: 1}
    keys = rates[["kind", *MEASURE_KEYS]].drop_duplicates()
    keys = keys.assign(_rank=keys["kind"].map(order)).sort_values(["_rank", "indicator"])
    return [(str(kind), int(number), str(measure), int(year),
             rates[(rates["kind"] == kind) & (rates["indicator"] == number)
                   & (rates["measure"] == measure) & (rates["year"] == year)])
            for kind, number, measure, year in keys[["kind", *MEASURE_KEYS]].itertuples(
                index=False)]


def rates_html(view: NationalView, rows: pd.DataFrame, heading: str, year: int) -> str:
    """One proportion funnel's table, folded by region when there are many authorities."""
    caption = f"Position of each authority on the funnel: {heading.lower()}, {year}"
    return by_region_html(rates_table(rows, view.regions), caption=caption,
                          collapse=rows["authority"].nunique() > COLLAPSE_ABOVE)


def rates_tables_html(view: NationalView) -> str:
    """Every proportion funnel's table (what the disclosure check reads)."""
    rates = shown_rates(view)
    if rates.empty:
        return ""
    return "".join(rates_html(view, rows, _labels(kind, number, measure)[0], year)
                   for kind, number, measure, year, rows in _funnels(rates))


def show_rates(view: NationalView) -> None:
    """Each measure's minority ethnic rate, then the senior managers' share, on a funnel."""
    rates = shown_rates(view)
    if rates.empty:
        _display("<p>No proportions to place on funnels.</p>")
        return
    for kind, number, measure, year, rows in _funnels(rates):
        heading, what, denominator = _labels(kind, number, measure)
        parts = [f"<h3>{html.escape(heading)}</h3>",
                 f"<p>{html.escape(rates_sentence(rows, what, withhold=view.withholds))}</p>"]
        if rows["position"].astype(str).str.contains("limit").any():
            fig, alt = proportion_funnel_plot(rows.reset_index(drop=True), what=what,
                                              denominator_label=denominator,
                                              title=f"{capitalise(heading)}, {year}")
            parts.append(figure_to_html(fig, alt))
        parts.append(rates_html(view, rows, heading, year))
        _display("".join(parts))
