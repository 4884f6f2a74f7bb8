"""Proportion funnel plots: each authority's proportion against the pooled one, PHE's limits.
"""

from __future__ import annotations

import textwrap

import numpy as np
import pandas as pd
import seaborn as sns
from matplotlib.figure import Figure
from matplotlib.ticker import LogLocator, NullLocator, PercentFormatter

from wres.present.figures.common import _FONT, round_labels, set_title, tight_layout
from wres.present.figures.funnel import (
    named_label,
    named_mask,
    not_shown_sentence,
    outside_level,
)
from wres.present.figures.funnel_labels import place_labels
from wres.present.narrative.words import join_words, level_text
from wres.stats.funnel import funnel_curve, level_suffixes


def _percent(value: float) -> str:
    return f"{100 * value:.1f}%"


def proportion_funnel_plot(
    frame: pd.DataFrame, *, what: str, denominator_label: str, title: str
) -> tuple[Figure, str]:
    """Funnel plot of proportions (percent) against their denominators (log scale).

    Parameters
    ----------
    frame : DataFrame
        `wres.analysis.benchmark_rates.proportion_funnel` rows of one funnel:
        ``authority``, ``proportion``, ``denominator``, ``national_proportion``,
        ``position``, ``note``. Rows not assessed or withheld are named in the
        alt text, not drawn. Only authorities outside the limits are labelled.
    what : str
        What the proportion is, for the axis and alt text ("minority ethnic staff who left").
    denominator_label : str
        What the denominator counts, for the axis ("minority ethnic staff in post").
    title : str

    Returns
    -------
    (Figure, str)
        The figure and its alternative text.
    """
    drawn = frame[frame["position"].astype(str).str.contains("limit")]
    national = float(frame["national_proportion"].iloc[0])
    suffixes = level_suffixes(frame)
    palette = sns.color_palette("colorblind", 8)
    with sns.axes_style("whitegrid"):
        fig = Figure(figsize=(7.5, 5.2), dpi=100, layout=tight_layout())
        ax = fig.add_subplot(1, 1, 1)
    sizes = drawn["denominator"].astype(float)
    span = (max(float(sizes.min()) / 1.25, 1.0), float(sizes.max()) * 1.25)
    if span[1] > span[0]:
        curve = funnel_curve(national, span, kind="proportion",
                             levels=[float(f"0.{s}") for s in suffixes])
        for suffix, style in zip(suffixes, ["-", ":"], strict=False):
            for side in ("lower", "upper"):
                ax.plot(curve["denominator"], curve[f"{side}_{suffix}"], style, color="0.35",
                        lw=1.2, label=f"{level_text(suffix)} limits" if side == "lower" else None)
    ax.axhline(national, color="black", lw=1.5, label=f"Pooled over all authorities "
                                                       f"{_percent(national)}")
    widest = level_text(suffixes[-1])
    outside = np.array([outside_level(str(p), widest) for p in drawn["position"]], dtype=int)
    names = ["within limits", f"outside {level_text(suffixes[0])} limits",
             f"outside {widest} limits"]
    with np.errstate(divide="ignore", invalid="ignore"):
        z = ((drawn["proportion"].astype(float) - national)
             / np.sqrt(national * (1 - national) / drawn["denominator"].astype(float)))
    named = named_mask(outside, z.to_numpy())
    for level, (name, shape) in enumerate(zip(names, "osD", strict=True)):
        part = drawn[outside == level]
        if not part.empty:
            ax.scatter(part["denominator"], part["proportion"], marker=shape, s=45,
                       color=palette[level], edgecolor="black", linewidth=0.6, zorder=4,
                       label=name)
    if np.count_nonzero(named) < np.count_nonzero(outside):
        ax.plot([], [], " ", label=named_label(named, outside, widest))
    ax.set_xscale("log")
    ax.xaxis.set_major_locator(LogLocator(subs=(1.0, 2.0, 5.0)))
    ax.xaxis.set_major_formatter(round_labels())
    ax.xaxis.set_minor_locator(NullLocator())
    top = max([*drawn["proportion"].astype(float), national]) * 1.3
    ax.set_ylim(0, min(1.0, top) if top > 0 else 1.0)
    ax.yaxis.set_major_formatter(PercentFormatter(1.0))
    ax.tick_params(labelsize=_FONT)
    ax.set_xlabel(f"{denominator_label.capitalize()} (log scale)", fontsize=_FONT)
    ax.set_ylabel(textwrap.fill(f"Proportion: {what}", 60), fontsize=_FONT)
    set_title(ax, textwrap.fill(title, 80))
    x, y = drawn["denominator"].to_numpy(dtype=float), drawn["proportion"].to_numpy(dtype=float)
    place_labels(ax, x[named], y[named], drawn["authority"].to_numpy()[named], points=(x, y),
                 fontsize=_FONT - 1)
    ax.legend(fontsize=_FONT - 1, loc="upper center", bbox_to_anchor=(0.5, -0.16), ncol=3,
              frameon=False)
    return fig, _alt(frame, drawn, what, national, suffixes, title)


def _alt(frame, drawn, what, national, suffixes, title) -> str:
    levels = join_words([level_text(s) for s in suffixes])
    parts = [f"Funnel plot: {title}. The proportion of {what} in each of {len(drawn)} "
             f"authorities against its denominator, with {levels} control limits (PHE's method) "
             f"around the proportion pooled over all of them, {_percent(national)}."]
    outside = drawn[drawn["position"] != "within limits"]
    if outside.empty:
        parts.append("Every authority shown is within the limits.")
    else:
        described = [f"{r.authority} {_percent(r.proportion)} ({r.position})"
                     for r in outside.itertuples()]
        parts.append(f"Outside the limits: {'; '.join(described)}. "
                     f"{len(drawn) - len(outside)} authorities are within them.")
    parts.append(not_shown_sentence(frame, drawn))
    return " ".join(p for p in parts if p)
