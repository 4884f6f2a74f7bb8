"""The proportion funnels of the national view: words, tables and what the notebook shows.

Each measure's minority ethnic rate, and indicator 9's minority ethnic share of
senior managers, against the proportion pooled over all authorities with PHE's
limits (`wres.analysis.benchmark_rates`).
"""

from __future__ import annotations

import html

import numpy as np
import pandas as pd

from wres.analysis.benchmark_rates import RATE, SENIOR_SHARE
from wres.analysis.national import MEASURE_KEYS, WITHHELD, NationalView
from wres.core.indicators import get_indicator
from wres.core.names import MARKER
from wres.present.figures.common import figure_to_html
from wres.present.figures.funnel_proportion import proportion_funnel_plot
from wres.present.narrative.words import capitalise, level_text, measure_label, text_or_blank
from wres.present.tables import to_html
from wres.stats.funnel import NOT_ASSESSED, level_suffixes


def shown_rates(view: NationalView) -> pd.DataFrame:
    """``view.rates`` as the profile may show them: in the publication profile rows
    from small counts lose their proportion and counts and are ``withheld``."""
    rates = view.rates.copy()
    if rates.empty or view.profile != "publication":
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


def rates_sentence(rows: pd.DataFrame, what: str) -> str:
    """The pooled proportion and how many authorities are outside the widest limits."""
    placed = rows[rows["position"].astype(str).str.contains("limit")]
    national = float(rows["national_proportion"].iloc[0])
    suffixes = level_suffixes(rows)
    widest = level_text(suffixes[-1])
    outside = int(placed["position"].astype(str).str.contains(widest, regex=False).sum())
    chance = 100 - float(widest.rstrip("%"))
    return (f"Pooled over {rows['authority'].nunique()} authorities, the proportion of {what} "
            f"was {100 * national:.1f}%. The limits are PHE's, not widened for "
            f"overdispersion: {outside} of {len(placed)} authorities are outside the {widest} "
            f"limits, where about {chance:g}% would be by chance alone, so a position there "
            "may reflect local circumstances as much as practice.")


def rates_table(rows: pd.DataFrame) -> pd.DataFrame:
    """Authority, proportion (one decimal place) and position of one proportion funnel."""
    records = []
    for row in rows.to_dict("records"):
        position, note = text_or_blank(row.get("position")), text_or_blank(row.get("note"))
        value = row.get("proportion")
        shown = (MARKER if position == WITHHELD else
                 "" if text_or_blank(value) == "" else f"{100 * float(value):.1f}%")
        if position == NOT_ASSESSED and note:
            position = f"not assessed ({note})"
        records.append({"Authority": str(row["authority"]), "Proportion": shown,
                        "Position": position})
    return pd.DataFrame(records, dtype=object)


def _display(markup: str) -> None:
    from IPython.display import HTML, display

    display(HTML(markup))


def show_rates(view: NationalView) -> None:
    """Each measure's minority ethnic rate, then the senior managers' share, on a funnel."""
    rates = shown_rates(view)
    if rates.empty:
        _display("<p>No proportions to place on funnels.</p>")
        return
    order = {RATE: 0, SENIOR_SHARE: 1}
    keys = rates[["kind", *MEASURE_KEYS]].drop_duplicates()
    keys = keys.assign(_rank=keys["kind"].map(order)).sort_values(["_rank", "indicator"])
    for kind, number, measure, year in keys[["kind", *MEASURE_KEYS]].itertuples(index=False):
        rows = rates[(rates["kind"] == kind) & (rates["indicator"] == number)
                     & (rates["measure"] == measure) & (rates["year"] == year)]
        heading, what, denominator = _labels(str(kind), int(number), str(measure))
        parts = [f"<h3>{html.escape(heading)}</h3>",
                 f"<p>{html.escape(rates_sentence(rows, what))}</p>"]
        if rows["position"].astype(str).str.contains("limit").any():
            fig, alt = proportion_funnel_plot(rows.reset_index(drop=True), what=what,
                                              denominator_label=denominator,
                                              title=f"{capitalise(heading)}, {year}")
            parts.append(figure_to_html(fig, alt))
        caption = f"Position of each authority on the funnel: {heading.lower()}, {year}"
        parts.append(to_html(rates_table(rows), caption=caption, row_header="Authority",
                             count_columns=[]))
        _display("".join(parts))
