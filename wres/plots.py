"""Figures for the reports, each returned with a plain-words alternative text.

Every function returns ``(fig, alt_text)``. Figures are built on
``matplotlib.figure.Figure`` directly (no pyplot state, safe on the Agg backend and in
parallel runs), with the seaborn "colorblind" palette, and groups or years told apart by
marker shape as well as colour. :func:`figure_to_html` embeds a figure as a
self-contained PNG ``<img>`` with its alt text.
"""

from __future__ import annotations

import base64
import html
import io
from collections.abc import Sequence

import numpy as np
import pandas as pd
import seaborn as sns
from matplotlib.figure import Figure
from matplotlib.ticker import FixedLocator, NullLocator
from statsmodels.stats.proportion import proportion_confint

from wres.indicators import MINORITY, WHITE, get_indicator
from wres.narrative import (
    as_number,
    band_name,
    check_one_report,
    format_confidence,
    format_ratio,
    group_label,
    group_name,
    is_suppressed,
    measure_label,
    service_label,
    service_name,
    service_rank,
)

_MARKERS = ("o", "s", "D", "^", "v", "P")
_HATCHES = ("", "//", "..", "xx", "\\\\", "--")
_FONT = 9
_NICE_TICKS = (0.05, 0.1, 0.2, 0.25, 0.5, 0.8, 1.0, 1.25, 2.0, 4.0, 5.0, 10.0, 20.0, 50.0, 100.0)


def _palette(n: int) -> list:
    return sns.color_palette("colorblind", max(n, 1))


def _new_figure(width: float, height: float, ncols: int = 1) -> tuple[Figure, list]:
    with sns.axes_style("whitegrid"):
        fig = Figure(figsize=(width, height), dpi=100, layout="tight")
        axes = [fig.add_subplot(1, ncols, i + 1) for i in range(ncols)]
    for ax in axes:
        ax.tick_params(labelsize=_FONT)
    return fig, axes


def _one_group(frame: pd.DataFrame, group: str) -> pd.DataFrame:
    check_one_report(frame, years=False)
    rows = frame[frame["group"].astype(str) == group]
    if rows.empty:
        raise ValueError(f"no results rows for group {group!r}")
    return rows


def _latest_year(frame: pd.DataFrame, year: int | None) -> tuple[pd.DataFrame, int]:
    years = sorted({int(y) for y in frame["year"]})
    chosen = years[-1] if year is None else int(year)
    if chosen not in years:
        raise ValueError(f"no results rows for year {chosen}; years present: {years}")
    return frame[frame["year"].astype(int) == chosen], chosen


def _wilson(count: int, total: int, confidence: float) -> tuple[float, float]:
    low, high = proportion_confint(count, total, alpha=1 - confidence, method="wilson")
    return float(low), float(high)


def _confidence(row: dict) -> float:
    level = as_number(row.get("confidence_level")) or 0.95
    return level / 100 if level > 1 else level


def _listing(items: Sequence[str]) -> str:
    items = list(items)
    if len(items) <= 1:
        return "".join(items)
    return ", ".join(items[:-1]) + " and " + items[-1]


# --- forest plot ---------------------------------------------------------------------------


def _rl_values(row: dict) -> tuple[float, float, float] | str:
    """(rl, lower, upper), or the words to print instead of a point."""
    if str(row.get("status") or "ok").startswith("not_computable"):
        return "not computable"
    rl = as_number(row.get("relative_likelihood"))
    low, high = as_number(row.get("rl_lower")), as_number(row.get("rl_upper"))
    if rl is None:
        return "withheld"
    if rl <= 0:
        return "0 (no events in the group)"
    return rl, low if low and low > 0 else rl, high if high is not None else rl


def _forest_limits(values: list[float], thresholds: tuple[float, float]) -> tuple[float, float]:
    low = min([*values, thresholds[0]]) / 1.3
    high = max([*values, thresholds[1]]) * 1.3
    return low, high


def forest_plot(
    frame: pd.DataFrame,
    *,
    thresholds: tuple[float, float] = (0.80, 1.25),
    title: str | None = None,
    group: str = MINORITY,
) -> tuple[Figure, str]:
    """Relative likelihood with intervals per service, on a log axis.

    One row per service (all, adults, children, others), or per measure and service when
    the frame has several measures; earlier years sit beside the latest, told apart by
    marker and colour. The ``thresholds`` band is shaded and 1 is marked. Rows that are not
    computable or withheld are written in words.

    Parameters
    ----------
    frame : DataFrame
        Results rows for one indicator (one or more years).
    thresholds : tuple of float
        The shaded band.
    title : str, optional
        Figure title; by default the measure's plain-words label.
    group : str
        Comparison group plotted against white staff.

    Returns
    -------
    (Figure, str)
        The figure and its alternative text.

    Raises
    ------
    ValueError
        If ``frame`` has no rows for ``group``, or several indicators or authorities.
    """
    rows = _one_group(frame, group).to_dict("records")
    numbers = sorted({int(r["indicator"]) for r in rows})
    if len(numbers) > 1:
        raise ValueError(f"forest_plot draws one indicator at a time, got {numbers}")
    indicator = get_indicator(numbers[0])
    measures = list(dict.fromkeys(str(r["measure"]) for r in rows))
    services = sorted(dict.fromkeys(str(r["service"]) for r in rows), key=service_rank)
    years = sorted({int(r["year"]) for r in rows}, reverse=True)
    categories = [(m, s) for m in measures for s in services]
    colours = _palette(len(years))

    fig, (ax,) = _new_figure(7, max(3.5, 0.45 * len(categories) * max(1, len(years)) + 1.4))
    ax.axvspan(*thresholds, color="0.85", alpha=0.6, zorder=0,
               label=f"{thresholds[0]:.2f} to {thresholds[1]:.2f}")
    ax.axvline(1, color="0.3", linewidth=1, zorder=1)
    step = 0.6 / max(1, len(years))
    plotted, words, labelled = [], [], set()
    for y_index, year in enumerate(years):
        for position, (measure, service) in enumerate(categories):
            row = next((r for r in rows if (str(r["measure"]), str(r["service"]),
                                            int(r["year"])) == (measure, service, year)), None)
            if row is None:
                continue
            y = position + (y_index - (len(years) - 1) / 2) * step
            values = _rl_values(row)
            if isinstance(values, str):
                words.append((y, values))
                continue
            rl, low, high = values
            plotted.extend([rl, low, high])
            ax.errorbar(
                rl, y, xerr=[[max(rl - low, 0.0)], [max(high - rl, 0.0)]],
                fmt=_MARKERS[y_index % len(_MARKERS)],
                color=colours[y_index], markersize=6, capsize=3, linewidth=1.5, zorder=3,
                label=None if year in labelled else str(year),
            )
            labelled.add(year)
    left, right = _forest_limits(plotted, thresholds)
    for y, text in words:
        ax.text(1, y, text, ha="center", va="center", fontsize=_FONT, style="italic",
                bbox={"facecolor": "white", "edgecolor": "0.6", "boxstyle": "round"})
    log_axis(ax, left, right)
    ax.set_yticks(range(len(categories)))
    ax.set_yticklabels([
        service_label(s) if len(measures) == 1 else f"{_short(indicator, m)}: {service_label(s)}"
        for m, s in categories
    ])
    ax.set_ylim(len(categories) - 0.5, -0.5)
    ax.set_xlabel(
        f"Relative likelihood, {group_label(group).lower()} ÷ white (log scale)", fontsize=_FONT
    )
    ax.set_ylabel("Service", fontsize=_FONT)
    ax.set_title(title or _default_title(indicator, measures), fontsize=_FONT + 1)
    ax.legend(fontsize=_FONT - 1, loc="best", frameon=True)
    return fig, _forest_alt(rows, indicator, categories, years, thresholds, group)


def _short(indicator, measure: str) -> str:
    return measure.replace("_", " ").capitalize() if indicator.measures else f"Band {measure}"


def _default_title(indicator, measures: list[str]) -> str:
    if len(measures) == 1:
        return f"Relative likelihood to {measure_label(indicator.number, measures[0])}"
    return f"Relative likelihood: {indicator.title.lower()}"


def log_axis(ax, low: float, high: float, *, axis: str = "x",
             ticks: Sequence[float] = _NICE_TICKS) -> None:
    """A log-scale axis from ``low`` to ``high`` labelled at round values such as 0.8 and 1.25."""
    getattr(ax, f"set_{axis}scale")("log")
    getattr(ax, f"set_{axis}lim")(low, high)
    shown = [t for t in ticks if low <= t <= high]
    target = getattr(ax, f"{axis}axis")
    target.set_major_locator(FixedLocator(shown))
    target.set_minor_locator(NullLocator())
    getattr(ax, f"set_{axis}ticklabels")([f"{t:g}" for t in shown])


def _forest_alt(rows, indicator, categories, years, thresholds, group) -> str:
    measures = list(dict.fromkeys(m for m, _ in categories))
    what = _listing([measure_label(indicator.number, m) for m in measures])
    services = list(dict.fromkeys(s for _, s in categories))
    year_text = _listing([str(y) for y in sorted(years)])
    confidence = format_confidence(rows[0].get("confidence_level"))
    parts = []
    for year in years:
        entries = []
        for measure, service in categories:
            row = next((r for r in rows if (str(r["measure"]), str(r["service"]),
                                            int(r["year"])) == (measure, service, year)), None)
            if row is None:
                continue
            name = service_name(service)
            if len(measures) > 1:
                name = f"{name} ({measure.replace('_', ' ')})"
            values = _rl_values(row)
            if isinstance(values, str):
                entries.append(f"{name} {values}")
            else:
                rl, low, high = values
                entries.append(
                    f"{name} {format_ratio(rl)} ({format_ratio(low)} to {format_ratio(high)})"
                )
        parts.append(f"{year}: " + "; ".join(entries))
    return (
        f"Forest plot of the relative likelihood of {group_name(group)} compared with white "
        f"staff to {what}, for {_listing([service_name(s) for s in services])} in "
        f"{year_text}, with {confidence} confidence intervals. " + ". ".join(parts)
        + f". The shaded band marks {thresholds[0]:.2f} to {thresholds[1]:.2f}; "
        "1 means equally likely."
    )


# --- indicator 1: pay bands ----------------------------------------------------------------


def _band_shares(rows: list[dict]) -> pd.DataFrame:
    """Tidy shares of each group's staff per band, white from the minority rows."""
    records = []
    for row in rows:
        group = str(row["group"])
        sources = [(group, "numerator", "denominator")]
        if group == MINORITY:
            sources.append((WHITE, "reference_numerator", "reference_denominator"))
        for name, num, den in sources:
            n, d = as_number(row.get(num)), as_number(row.get(den))
            share = n / d if n is not None and d else np.nan
            records.append({"band": str(row["measure"]), "group": name, "share": share})
    return pd.DataFrame(records)


def pay_band_plot(
    frame: pd.DataFrame, *, service: str = "all", year: int | None = None
) -> tuple[Figure, str]:
    """Indicator 1: each group's spread over pay bands, and the minority share of each band.

    The left panel shows the share of each group's staff in each band (minority ethnic,
    white and any broad groups). The right panel shows minority ethnic staff as a share of
    everyone of known ethnicity in the band, with Wilson intervals, against their share of
    all staff. Withheld bands are left empty and named in the alt text.

    Parameters
    ----------
    frame : DataFrame
        Indicator 1 results rows.
    service : str
        Service shown; ``all`` by default.
    year : int, optional
        Year shown; the latest by default.
    """
    check_one_report(frame, years=False)
    selected = frame[frame["service"].astype(str) == service]
    if selected.empty:
        raise ValueError(f"no indicator 1 rows for service {service!r}")
    selected, year = _latest_year(selected, year)
    rows = selected.to_dict("records")
    bands = list(dict.fromkeys(str(r["measure"]) for r in rows))
    shares = _band_shares(rows)
    groups = list(dict.fromkeys(shares["group"]))
    groups = [g for g in (MINORITY, WHITE) if g in groups] + [
        g for g in groups if g not in (MINORITY, WHITE)
    ]
    shares["percent"] = 100 * shares["share"]
    shares["Group"] = shares["group"].map(group_label)

    fig, (left, right) = _new_figure(9, 3.8, ncols=2)
    colours = dict(zip([group_label(g) for g in groups], _palette(len(groups)), strict=True))
    sns.barplot(
        data=shares, x="band", y="percent", hue="Group", order=bands,
        hue_order=[group_label(g) for g in groups], palette=colours, ax=left,
    )
    for container, hatch in zip(left.containers, _HATCHES, strict=False):
        for bar in container:
            bar.set_hatch(hatch)
            bar.set_edgecolor("0.2")
    left.set_xlabel("Pay band", fontsize=_FONT)
    left.set_ylabel("Share of the group's staff (%)", fontsize=_FONT)
    left.set_title("Where each group's staff are", fontsize=_FONT + 1)
    left.legend(fontsize=_FONT - 1, title=None)

    minority = [r for r in rows if str(r["group"]) == MINORITY]
    band_alt = _minority_share_panel(right, minority, bands)
    where = service_name(service)
    spread = []
    for band in bands:
        items = shares[shares["band"] == band]
        described = [
            f"{group_name(g)} {'withheld' if np.isnan(p) else f'{p:.1f}%'}"
            for g, p in zip(items["group"], items["percent"], strict=True)
        ]
        spread.append(f"band {band_name(band)}: " + ", ".join(described))
    alt = (
        f"Bar chart of the share of each group's staff in each pay band, {where}, {year}. "
        + "; ".join(spread) + ". " + band_alt
    )
    return fig, alt


def _minority_share_panel(ax, minority: list[dict], bands: list[str]) -> str:
    """Draw minority share of each band; return the alt text for the panel."""
    ax.set_xlabel("Pay band", fontsize=_FONT)
    ax.set_ylabel("Minority ethnic share of the band (%)", fontsize=_FONT)
    ax.set_title("Minority ethnic staff as a share of each band", fontsize=_FONT + 1)
    if not minority:
        ax.text(0.5, 0.5, "no minority ethnic rows", ha="center", transform=ax.transAxes)
        return "No minority ethnic rows to show each band's make-up."
    points, texts = [], []
    for position, band in enumerate(bands):
        row = next((r for r in minority if str(r["measure"]) == band), None)
        counts = None if row is None else [
            as_number(row.get(k)) for k in ("numerator", "reference_numerator")
        ]
        if counts is None or None in counts or sum(counts) == 0:
            texts.append(f"band {band_name(band)} withheld")
            continue
        n1, n0 = int(counts[0]), int(counts[1])
        low, high = _wilson(n1, n1 + n0, _confidence(row))
        share = n1 / (n1 + n0)
        points.append((position, 100 * share, 100 * low, 100 * high))
        texts.append(
            f"band {band_name(band)} {100 * share:.0f}% ({100 * low:.0f} to {100 * high:.0f})"
        )
    colour = _palette(1)[0]
    if points:
        x, y, lo, hi = (np.array(v) for v in zip(*points, strict=True))
        ax.errorbar(x, y, yerr=np.clip([y - lo, hi - y], 0.0, None), fmt="o", color=colour,
                    capsize=3, label="Share of band")
    overall = _workforce_share(minority[0])
    if overall is not None:
        ax.axhline(100 * overall, color="0.3", linestyle="--", linewidth=1,
                   label=f"Share of all staff ({100 * overall:.0f}%)")
    ax.set_xticks(range(len(bands)))
    ax.set_xticklabels(bands)
    ax.set_xlim(-0.5, len(bands) - 0.5)
    ax.set_ylim(0, 100)
    ax.legend(fontsize=_FONT - 1)
    tail = "" if overall is None else f", against {100 * overall:.0f}% of all staff"
    return "Minority ethnic share of each band: " + ", ".join(texts) + tail + "."


def _workforce_share(row: dict) -> float | None:
    d1, d0 = as_number(row.get("denominator")), as_number(row.get("reference_denominator"))
    if d1 is None or d0 is None or d1 + d0 == 0:
        return None
    return d1 / (d1 + d0)


# --- indicator 9: senior managers ------------------------------------------------------------


def senior_management_plot(frame: pd.DataFrame, *, year: int | None = None) -> tuple[Figure, str]:
    """Indicator 9: minority share of senior managers against minority share of all staff.

    One row per service, two points each with Wilson intervals: the minority ethnic share of
    senior managers and of the whole workforce (of those whose ethnicity is known).

    Parameters
    ----------
    frame : DataFrame
        Indicator 9 results rows (the ``minority`` rows are used).
    year : int, optional
        Year shown; the latest by default.
    """
    rows, year = _latest_year(_one_group(frame, MINORITY), year)
    records = sorted(rows.to_dict("records"), key=lambda r: service_rank(str(r["service"])))
    fig, (ax,) = _new_figure(7, max(3.0, 0.6 * len(records) + 1.5))
    colours = _palette(2)
    series = (
        ("Senior managers", "numerator", "reference_numerator", "o", -0.12),
        ("Whole workforce", "denominator", "reference_denominator", "s", 0.12),
    )
    alt_parts = []
    for position, row in enumerate(records):
        described = []
        for index, (label, mine, theirs, marker, offset) in enumerate(series):
            n1, n0 = as_number(row.get(mine)), as_number(row.get(theirs))
            if n1 is None or n0 is None or n1 + n0 == 0:
                withheld = is_suppressed(row.get(mine)) or is_suppressed(row.get(theirs))
                described.append(f"{label.lower()} {'withheld' if withheld else 'none'}")
                continue
            share = n1 / (n1 + n0)
            low, high = _wilson(int(n1), int(n1 + n0), _confidence(row))
            ax.errorbar(
                100 * share, position + offset,
                xerr=[[100 * max(share - low, 0.0)], [100 * max(high - share, 0.0)]],
                fmt=marker,
                color=colours[index], capsize=3, markersize=6,
                label=label if position == 0 else None,
            )
            described.append(
                f"{label.lower()} {100 * share:.1f}% ({100 * low:.1f} to {100 * high:.1f})"
            )
        alt_parts.append(f"{service_name(str(row['service']))}: " + ", ".join(described))
    ax.set_yticks(range(len(records)))
    ax.set_yticklabels([service_label(str(r["service"])) for r in records])
    ax.set_ylim(len(records) - 0.5, -0.5)
    ax.set_xlim(0, 100)
    ax.set_xlabel("Minority ethnic share, of staff whose ethnicity is known (%)", fontsize=_FONT)
    ax.set_ylabel("Service", fontsize=_FONT)
    ax.set_title(f"Minority ethnic staff among senior managers and all staff, {year}",
                 fontsize=_FONT + 1)
    ax.legend(fontsize=_FONT - 1)
    confidence = format_confidence(records[0].get("confidence_level")) if records else "95%"
    alt = (
        f"Dot plot of the minority ethnic share of senior managers and of the whole workforce "
        f"in {year}, with {confidence} confidence intervals. " + "; ".join(alt_parts) + "."
    )
    return fig, alt


# --- embedding -------------------------------------------------------------------------------


def figure_to_html(fig: Figure, alt_text: str) -> str:
    """Embed ``fig`` as a self-contained PNG ``<img>`` with ``alt_text``; closes the figure."""
    buffer = io.BytesIO()
    fig.savefig(buffer, format="png", dpi=fig.dpi)
    if getattr(fig.canvas, "manager", None) is not None:  # a pyplot figure: release it
        import matplotlib.pyplot as plt

        plt.close(fig)
    data = base64.b64encode(buffer.getvalue()).decode("ascii")
    return f'<img src="data:image/png;base64,{data}" alt="{html.escape(alt_text, quote=True)}">'
