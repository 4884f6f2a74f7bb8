"""Funnel plots of every authority's relative likelihood around the national value.
"""

from __future__ import annotations

import textwrap

import pandas as pd
import seaborn as sns
from matplotlib.figure import Figure
from matplotlib.ticker import FuncFormatter, LogLocator, NullLocator

from wres.present.figures.common import _FONT, log_axis
from wres.present.narrative.words import (
    format_ratio,
    join_words,
    level_text,
    measure_label,
    text_or_blank,
)
from wres.stats.funnel import ADJUSTED, level_suffixes

_TICKS = (0.05, 0.1, 0.2, 0.3, 0.5, 0.8, 1.0, 1.25, 1.5, 2.0, 3.0, 4.0, 5.0, 7.0, 10.0, 20.0, 50.0)


# --- the funnel plot ----------------------------------------------------------------------------


def _outside_level(position: str, widest: str) -> int:
    """0 within, 1 outside a narrower limit, 2 outside the ``widest`` (e.g. "99.8%")."""
    if position == "within limits":
        return 0
    return 2 if position.split(" ")[1:2] == [widest] else 1


def funnel_plot(
    frame: pd.DataFrame,
    curve: pd.DataFrame,
    *,
    reference_rl: float | None = None,
    reference_label: str = "Published national figure, 2023",
    unadjusted: pd.DataFrame | None = None,
    title: str | None = None,
) -> tuple[Figure, str]:
    """Funnel plot of authorities' RLs (log scale) against precision 1/SE² of the log RL.

    Parameters
    ----------
    frame : DataFrame
        Benchmark rows of one indicator x measure x year (:func:`national_benchmark`).
        Rows without an RL (not assessed, withheld) are not drawn but named in the alt text.
    curve : DataFrame
        `wres.benchmark.funnel_curve` output: ``precision`` and ``lower_*``/``upper_*``.
    reference_rl : float, optional
        A published figure drawn as a dashed line.
    unadjusted : DataFrame, optional
        Unadjusted funnel curve, drawn faintly when ``curve`` is widened.
    title : str, optional
        Figure title; by default the measure's plain-words label.

    Returns
    -------
    (Figure, str)
        The figure and its alternative text.
    """
    numbers = frame[["indicator", "measure"]].drop_duplicates()
    if len(numbers) != 1:
        raise ValueError("funnel_plot draws one indicator and measure at a time")
    number, measure = int(numbers.iloc[0, 0]), str(numbers.iloc[0, 1])
    label = measure_label(number, measure)
    first = frame.iloc[0]
    national = float(first["national_rl"])
    suffixes = level_suffixes(curve)
    drawn = frame[frame["relative_likelihood"].notna() & frame["precision"].notna()]
    palette = sns.color_palette("colorblind", 8)
    with sns.axes_style("whitegrid"):
        fig = Figure(figsize=(7.5, 5.6), dpi=100, layout="tight")
        ax = fig.add_subplot(1, 1, 1)
    styles = ["-", ":", "-."]
    for suffix, style in zip(suffixes, styles, strict=False):
        text = level_text(suffix)
        for side in ("lower", "upper"):
            ax.plot(curve["precision"], curve[f"{side}_{suffix}"], style, color="0.35", lw=1.2,
                    label=f"{text} limits" if side == "lower" else None)
            if unadjusted is not None:
                ax.plot(unadjusted["precision"], unadjusted[f"{side}_{suffix}"], style,
                        color="0.75", lw=0.8,
                        label=f"{text} limits, not widened" if side == "lower" else None)
    ax.axhline(national, color="black", lw=1.5, label=f"Pooled national RL {national:.2f}")
    if reference_rl is not None:
        ax.axhline(reference_rl, color=palette[3], lw=1.5, ls="--",
                   label=f"{reference_label} ({reference_rl:g})")
    widest = level_text(suffixes[-1])
    kinds = [("within limits", "o", palette[0]),
             (f"outside {level_text(suffixes[0])} limits", "s", palette[1]),
             (f"outside {widest} limits", "D", palette[2])]
    outside = [_outside_level(str(p), widest) for p in drawn["position"]]
    for level, (name, marker, colour) in enumerate(kinds):
        part = drawn[[o == level for o in outside]]
        if not part.empty:
            ax.scatter(part["precision"], part["relative_likelihood"], marker=marker, s=45,
                       color=colour, edgecolor="black", linewidth=0.6, zorder=4, label=name)
        if level:
            for row in part.itertuples():
                ax.annotate(str(row.authority), (row.precision, row.relative_likelihood),
                            textcoords="offset points", xytext=(5, 4), fontsize=_FONT - 1)
    values = [*drawn["relative_likelihood"], national]
    values += [reference_rl] if reference_rl is not None else []
    tightest = curve.loc[curve["precision"].idxmax()]  # every limit is visible here
    values += [tightest[f"{side}_{s}"] for s in suffixes for side in ("lower", "upper")]
    _axes(ax, min(values) / 1.15, max(values) * 1.15, curve["precision"])
    ax.set_xlabel("Precision: 1 / SE² of the log relative likelihood (log scale)",
                  fontsize=_FONT)
    ax.set_ylabel("Relative likelihood, minority ethnic ÷ white (log scale)", fontsize=_FONT)
    ax.set_title(textwrap.fill(title or f"Relative likelihood to {label}", 80),
                 fontsize=_FONT + 1)
    ax.legend(fontsize=_FONT - 1, loc="upper center", bbox_to_anchor=(0.5, -0.16), ncol=3,
              frameon=False)
    return fig, _funnel_alt(frame, drawn, label, national, reference_rl, reference_label,
                            suffixes)


def _axes(ax, low: float, high: float, precision: pd.Series) -> None:
    log_axis(ax, low, high, axis="y", ticks=_TICKS)
    ax.set_xscale("log")
    ax.set_xlim(float(precision.min()), float(precision.max()))
    ax.xaxis.set_major_locator(LogLocator(subs=(1.0, 2.0, 5.0)))
    ax.xaxis.set_major_formatter(FuncFormatter(lambda value, _: f"{value:g}"))
    ax.xaxis.set_minor_locator(NullLocator())
    ax.tick_params(labelsize=_FONT)


def _funnel_alt(frame, drawn, label, national, reference_rl, reference_label, suffixes) -> str:
    first = frame.iloc[0]
    year = int(first["year"])
    adjusted = str(first["limits"]) == ADJUSTED
    levels = join_words([level_text(s) for s in suffixes])
    parts = [
        f"Funnel plot of the relative likelihood of minority ethnic compared with white staff "
        f"to {label}, {year}, for {len(drawn)} authorities against precision, with {levels} "
        f"control limits{' widened for overdispersion' if adjusted else ''} around the pooled "
        f"national value of {format_ratio(national)}."
    ]
    if reference_rl is not None:
        parts.append(f"A dashed line marks the {reference_label.lower()}, "
                     f"{format_ratio(reference_rl)}.")
    outside = drawn[drawn["position"] != "within limits"]
    if outside.empty:
        parts.append("Every authority shown is within the limits.")
    else:
        described = [f"{r.authority} {format_ratio(r.relative_likelihood)} ({r.position})"
                     for r in outside.itertuples()]
        parts.append(f"Outside the limits: {'; '.join(described)}. "
                     f"{len(drawn) - len(outside)} authorities are within them.")
    missing = frame[~frame.index.isin(drawn.index)]
    if not missing.empty:
        described = [f"{r['authority']} ({text_or_blank(r['note']) or r['position']})"
                     for r in missing.to_dict("records")]
        parts.append(f"Not shown: {'; '.join(described)}.")
    return " ".join(parts)
