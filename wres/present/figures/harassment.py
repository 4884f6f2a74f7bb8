"""Indicator 7: harassment from colleagues and from managers, side by side.
"""

from __future__ import annotations

import pandas as pd
from matplotlib.figure import Figure

from wres.core.frames import records
from wres.core.indicators import MINORITY
from wres.present.figures.common import _FONT, _new_figure, _one_group, log_axis, set_title
from wres.present.figures.forest import (
    _band_sentence,
    _draw_forest,
    _forest_categories,
    _forest_height,
    _forest_limits,
    _forest_scope,
    _forest_values,
    _years_latest_first,
)
from wres.present.narrative.words import (
    service_label,
)

# --- indicator 7: harassment from colleagues and from managers ------------------------------

_SOURCES = (("colleagues", "From colleagues"), ("managers", "From managers"))


def harassment_sources_plot(
    frame: pd.DataFrame, *, thresholds: tuple[float, float] = (0.80, 1.25)
) -> tuple[Figure, str]:
    """Indicator 7: harassment from colleagues and from managers, side by side.

    Two forest panels sharing a log x axis, left from colleagues and right from managers,
    each with the minority ethnic relative likelihood per service and earlier years beside
    the latest. The ``thresholds`` band is shaded and 1 is marked.

    Parameters
    ----------
    frame : DataFrame
        Indicator 7 results rows (the ``minority`` rows are used; one or more years).
    thresholds : tuple of float
        The shaded band.

    Returns
    -------
    (Figure, str)
        The figure and its alternative text, covering both panels.

    Raises
    ------
    ValueError
        If ``frame`` holds another indicator, several authorities or no minority rows.
    """
    rows = records(_one_group(frame, MINORITY))
    numbers = sorted({int(r["indicator"]) for r in rows})
    if numbers != [7]:
        raise ValueError(f"harassment_sources_plot draws indicator 7 only, got {numbers}")
    years = _years_latest_first(rows)
    sources = {m: [r for r in rows if str(r["measure"]) == m] for m, _ in _SOURCES}
    height = max(_forest_height(_forest_categories(s, [MINORITY]), years)
                 for s in sources.values())
    fig, axes = _new_figure(10, height, ncols=2)
    axes[1].sharex(axes[0])
    plotted, described = [], []
    for ax, (measure, heading) in zip(axes, _SOURCES, strict=True):
        values, words = _harassment_panel(ax, sources[measure], years, thresholds, heading)
        plotted += values
        described.append(words)
    for ax in axes:
        log_axis(ax, *_forest_limits(plotted, thresholds))
        ax.legend(fontsize=_FONT - 1, loc="best", frameon=True)
    axes[0].set_ylabel("Service", fontsize=_FONT)
    fig.suptitle("Relative likelihood to report harassment, bullying or abuse",
                 fontsize=_FONT + 1)
    return fig, _harassment_alt(rows, years, described, thresholds)


def _harassment_panel(ax, rows: list[dict], years: list[int],
                      thresholds: tuple[float, float], heading: str) -> tuple[list[float], str]:
    """One source of harassment as a forest panel; returns the plotted values and the words."""
    categories = _forest_categories(rows, [MINORITY])
    plotted = _draw_forest(ax, rows, categories, years, thresholds)
    ax.set_yticklabels([service_label(s) for _, s, _ in categories])
    ax.set_xlabel("Relative likelihood, minority ethnic ÷ white (log scale)", fontsize=_FONT)
    set_title(ax, heading)
    if not rows:
        ax.text(0.5, 0.5, "no results", ha="center", transform=ax.transAxes, style="italic")
    return plotted, f"{heading}: {_forest_values(rows, categories, years) or 'no results'}."


def _harassment_alt(rows: list[dict], years: list[int], described: list[str],
                    thresholds: tuple[float, float]) -> str:
    scope = _forest_scope(rows, _forest_categories(rows, [MINORITY]), years)
    return (
        "Two forest plots side by side of the relative likelihood of minority ethnic staff "
        "compared with white staff to report harassment, bullying or abuse, from colleagues "
        f"(left) and from managers (right), {scope}. " + " ".join(described) + " "
        + _band_sentence(thresholds)
    )
