"""Funnel plots of every authority's relative likelihood around the national value.
"""

from __future__ import annotations

import textwrap

import numpy as np
import pandas as pd
import seaborn as sns
from matplotlib.figure import Figure
from matplotlib.ticker import LogLocator, NullLocator

from wres.core.frames import records
from wres.present.figures.common import (
    _FONT,
    log_axis,
    round_labels,
    set_title,
    tight_layout,
)
from wres.present.figures.funnel_labels import place_labels
from wres.present.narrative.words import (
    format_ratio,
    join_words,
    level_text,
    measure_label,
    text_or_blank,
)
from wres.stats.funnel import ADJUSTED, level_suffixes

_TICKS = (0.05, 0.1, 0.2, 0.3, 0.5, 0.8, 1.0, 1.25, 1.5, 2.0, 3.0, 4.0, 5.0, 7.0, 10.0, 20.0, 50.0)
NO_MINORITY = "no minority ethnic staff had the outcome"
NO_WHITE = "no white staff had the outcome"


# --- the funnel plot ----------------------------------------------------------------------------


#: With more authorities outside the limits than this, only those outside the widest are named.
MAX_LABELS = 10
#: Longest line of a legend entry (characters): three columns fit across the figure.
LEGEND_WIDTH = 30


def named_mask(outside: np.ndarray, strength: np.ndarray) -> np.ndarray:
    """Which authorities a funnel plot names: every one outside the limits; when more than
    `MAX_LABELS` are (150 authorities), those outside the widest limits, at most
    `MAX_LABELS` of them, the furthest (largest ``|strength|``, a z-score) first. The
    positions table and the alt text name them all."""
    named = np.asarray(outside) > 0
    if named.sum() <= MAX_LABELS:
        return named
    named = np.asarray(outside) == 2
    if named.sum() > MAX_LABELS:
        order = np.argsort(-np.nan_to_num(np.abs(np.asarray(strength, dtype=float))),
                           kind="stable")
        keep = [i for i in order if named[i]][:MAX_LABELS]
        named = np.isin(np.arange(len(named)), keep)
    return named


def named_label(named: np.ndarray, outside: np.ndarray, widest: str) -> str:
    """The legend's note on who is named: "Named: outside 99.8% only", "Named: 10 furthest"."""
    if np.count_nonzero(named) == np.count_nonzero(np.asarray(outside) == 2):
        return f"Named: outside {widest} only"
    return f"Named: {np.count_nonzero(named)} furthest"


def outside_level(position: str, widest: str) -> int:
    """0 within, 1 outside a narrower limit, 2 outside the ``widest`` (e.g. "99.8%")."""
    if position == "within limits":
        return 0
    return 2 if position.split(" ")[1:2] == [widest] else 1


def drawn_rows(frame: pd.DataFrame) -> pd.DataFrame:
    """The rows placed on the funnel: a position other than not assessed or withheld."""
    placed = (frame["position"].astype(str).str.contains("limit")
              & frame["precision_null"].notna())
    return frame[placed]


def _edge_values(rl: pd.Series, low: float, high: float) -> np.ndarray:
    """RLs to draw: 0 at the foot of the axis, no ratio (no white events) at its top."""
    values = rl.to_numpy(dtype=float)
    return np.where(np.isnan(values), high, np.where(values <= 0, low, values))


def funnel_plot(
    frame: pd.DataFrame,
    curve: pd.DataFrame,
    *,
    reference_rl: float | None = None,
    reference_label: str = "Published national figure, 2023",
    unadjusted: pd.DataFrame | None = None,
    title: str | None = None,
) -> tuple[Figure, str]:
    """Funnel plot of authorities' RLs (log scale) against their precision under the national RL.

    Parameters
    ----------
    frame : DataFrame
        Benchmark rows of one indicator x measure x year (:func:`national_benchmark`).
        Rows not assessed or withheld are not drawn but named in the alt text.
        An RL of 0 is drawn at the foot of the axis, no RL (no white events) at its top.
    curve : DataFrame
        `wres.stats.funnel_ratios.reference_limits` output: ``precision`` and
        ``lower_*``/``upper_*``.
    reference_rl : float, optional
        A published figure drawn as a dashed line.
    unadjusted : DataFrame, optional
        Unadjusted funnel curve, drawn faintly when ``curve`` is widened.
    title : str, optional
        Figure title; by default the measure's plain-words label.

    Returns
    -------
    (Figure, str)
        The figure and its alternative text. Only authorities outside the limits
        are labelled, so the plot stays legible with 150 authorities.
    """
    numbers = frame[["indicator", "measure"]].drop_duplicates()
    if len(numbers) != 1:
        raise ValueError("funnel_plot draws one indicator and measure at a time")
    number, measure = int(numbers.iloc[0, 0]), str(numbers.iloc[0, 1])
    label = measure_label(number, measure)
    national = float(frame.iloc[0]["national_rl"])
    suffixes = level_suffixes(curve)
    drawn = drawn_rows(frame)
    palette = sns.color_palette("colorblind", 8)
    with sns.axes_style("whitegrid"):
        fig = Figure(figsize=(7.5, 5.6), dpi=100, layout=tight_layout())
        ax = fig.add_subplot(1, 1, 1)
    rl = drawn["relative_likelihood"].astype(float)
    finite = rl[(rl > 0) & np.isfinite(rl)]
    values = [*finite, national] + ([reference_rl] if reference_rl is not None else [])
    tightest = curve.loc[curve["precision"].idxmax()]  # every limit is visible here
    values += [tightest[f"{side}_{s}"] for s in suffixes for side in ("lower", "upper")]
    values = [v for v in values if np.isfinite(v) and v > 0]  # a limit of 0 or none: no help
    low, high = min(values) / 1.6, max(values) * 1.6
    _limit_lines(ax, curve, unadjusted, suffixes)
    ax.axhline(national, color="black", lw=1.5, label=f"Pooled national RL {national:.2f}")
    if reference_rl is not None:
        ax.axhline(reference_rl, color=palette[3], lw=1.5, ls="--",
                   label=_legend_text(f"{reference_label} ({reference_rl:g})"))
    y = _edge_values(rl, low * 1.12, high / 1.12)
    widest = level_text(suffixes[-1])
    kinds = [("within limits", palette[0]), (f"outside {level_text(suffixes[0])} limits",
                                             palette[1]), (f"outside {widest} limits", palette[2])]
    outside = np.array([outside_level(str(p), widest) for p in drawn["position"]], dtype=int)
    edge = np.where(rl.isna(), "^", np.where(rl <= 0, "v", ""))
    shapes = np.where(edge == "", np.array(["o", "s", "D"])[outside], edge)
    for level, (name, colour) in enumerate(kinds):
        named = False
        for shape in ("o", "s", "D", "v", "^"):
            chosen = (outside == level) & (shapes == shape)
            if chosen.any():
                ax.scatter(drawn["precision_null"].to_numpy()[chosen], y[chosen], marker=shape,
                           s=45, color=colour, edgecolor="black", linewidth=0.6, zorder=4,
                           label=None if named else name)
                named = True
    labelled = named_mask(outside, drawn["z_adjusted"].to_numpy(dtype=float)
                          if "z_adjusted" in drawn else np.zeros(len(drawn)))
    if np.count_nonzero(labelled) < np.count_nonzero(outside):
        ax.plot([], [], " ", label=named_label(labelled, outside, widest))
    _edge_legend(ax, edge)
    _axes(ax, low, high, curve["precision"])
    x = drawn["precision_null"].to_numpy(dtype=float)
    place_labels(ax, x[labelled], y[labelled], drawn["authority"].to_numpy()[labelled],
                 points=(x, y), fontsize=_FONT - 1)
    ax.set_xlabel("Precision under the national RL: 1 / SE² of the log relative likelihood "
                  "(log scale)", fontsize=_FONT)
    ax.set_ylabel("Relative likelihood, minority ethnic ÷ white (log scale)", fontsize=_FONT)
    set_title(ax, textwrap.fill(title or f"Relative likelihood to {label}", 80))
    ax.legend(fontsize=_FONT - 1, loc="upper center", bbox_to_anchor=(0.5, -0.16), ncol=3,
              frameon=False)
    return fig, _funnel_alt(frame, drawn, label, national, reference_rl, reference_label,
                            suffixes)


def _limit_lines(ax, curve, unadjusted, suffixes) -> None:
    """The limits; a limit of 0 or none at all is not drawn (the line leaves the axis)."""
    for suffix, style in zip(suffixes, ["-", ":", "-."], strict=False):
        text = level_text(suffix)
        for side in ("lower", "upper"):
            for frame, colour, width, extra in ((curve, "0.35", 1.2, ""),
                                                (unadjusted, "0.75", 0.8, ", not widened")):
                if frame is None:
                    continue
                line = frame[f"{side}_{suffix}"].astype(float)
                line = line.where((line > 0) & np.isfinite(line))  # 0 and no limit: off the axis
                ax.plot(frame["precision"], line, style, color=colour, lw=width,
                        label=f"{text} limits{extra}" if side == "lower" else None)


def _edge_legend(ax, edge: np.ndarray) -> None:
    for shape, words in (("v", _legend_text(f"RL 0: {NO_MINORITY}")),
                         ("^", _legend_text(f"No RL: {NO_WHITE}"))):
        if (edge == shape).any():
            ax.scatter([], [], marker=shape, s=45, color="white", edgecolor="black",
                       linewidth=0.6, label=words)


def _legend_text(text: str) -> str:
    """A legend entry on lines short enough for three columns across the figure."""
    return textwrap.fill(text, LEGEND_WIDTH)


def _axes(ax, low: float, high: float, precision: pd.Series) -> None:
    log_axis(ax, low, high, axis="y", ticks=_TICKS)
    ax.set_xscale("log")
    ax.set_xlim(float(precision.min()), float(precision.max()))
    ax.xaxis.set_major_locator(LogLocator(subs=(1.0, 2.0, 5.0)))
    ax.xaxis.set_major_formatter(round_labels())
    ax.xaxis.set_minor_locator(NullLocator())
    ax.tick_params(labelsize=_FONT)


def describe(row) -> str:
    """An authority's RL in words for alt text and lists: "1.7", "0 (no minority ...)"."""
    value = float(row.relative_likelihood)
    if np.isnan(value):
        return f"no ratio ({NO_WHITE})"
    return f"0 ({NO_MINORITY})" if value <= 0 else format_ratio(value)


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
        described = [f"{r.authority} {describe(r)} ({r.position})" for r in outside.itertuples()]
        parts.append(f"Outside the limits: {'; '.join(described)}. "
                     f"{len(drawn) - len(outside)} authorities are within them.")
    edges = drawn[(drawn["position"] == "within limits")
                  & ~(drawn["relative_likelihood"].astype(float) > 0)]
    if not edges.empty:
        parts.append("Within the limits at the edge of the plot: "
                     f"{'; '.join(f'{r.authority} {describe(r)}' for r in edges.itertuples())}.")
    parts.append(not_shown_sentence(frame, drawn))
    return " ".join(p for p in parts if p)


def not_shown_sentence(frame: pd.DataFrame, drawn: pd.DataFrame) -> str:
    """"Not shown: <authority> (<why>); ..." for rows of ``frame`` left off the plot, or ""."""
    missing = frame[~frame.index.isin(drawn.index)]
    if missing.empty:
        return ""
    described = [f"{r['authority']} ({text_or_blank(r['note']) or r['position']})"
                 for r in records(missing)]
    return f"Not shown: {'; '.join(described)}."
