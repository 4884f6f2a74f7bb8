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

from wres.indicators import BROAD_GROUPS, MINORITY, WHITE, Indicator, get_indicator
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
from wres.stats import wilson_interval

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


def _share_with_interval(
    count: float, total: float, confidence: float
) -> tuple[float, float, float]:
    """``count / total`` with its Wilson interval, as (share, lower, upper)."""
    lower, upper = wilson_interval(count, total, confidence)
    return count / total, float(lower[0]), float(upper[0])


def _confidence(row: dict) -> float:
    level = as_number(row.get("confidence_level")) or 0.95
    return level / 100 if level > 1 else level


def _listing(items: Sequence[str]) -> str:
    items = list(items)
    if len(items) <= 1:
        return "".join(items)
    return ", ".join(items[:-1]) + " and " + items[-1]


# --- forest plots ---------------------------------------------------------------------------

#: One row of a forest plot: (measure, service, group).
Category = tuple[str, str, str]


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


def _rl_words(values: tuple[float, float, float] | str) -> str:
    """A relative likelihood and its interval in words: "2.6 (1.4 to 5.1)"."""
    if isinstance(values, str):
        return values
    rl, low, high = values
    return f"{format_ratio(rl)} ({format_ratio(low)} to {format_ratio(high)})"


def _forest_limits(values: list[float], thresholds: tuple[float, float]) -> tuple[float, float]:
    low = min([*values, thresholds[0]]) / 1.3
    high = max([*values, thresholds[1]]) * 1.3
    return low, high


def _category(row: dict) -> Category:
    return str(row["measure"]), str(row["service"]), str(row["group"])


def _by_category_and_year(rows: list[dict]) -> dict[tuple[Category, int], dict]:
    return {(_category(r), int(r["year"])): r for r in rows}


def _forest_categories(rows: list[dict], groups: Sequence[str]) -> list[Category]:
    """Every measure, service and group, in reading order: services first, then groups."""
    measures = list(dict.fromkeys(str(r["measure"]) for r in rows))
    services = sorted(dict.fromkeys(str(r["service"]) for r in rows), key=service_rank)
    return [(m, s, g) for m in measures for s in services for g in groups]


def _years_latest_first(rows: list[dict]) -> list[int]:
    return sorted({int(r["year"]) for r in rows}, reverse=True)


def _forest_height(categories: list[Category], years: list[int]) -> float:
    """0.45 in per point (room for a word box beside each), at least 3.5 in overall."""
    return max(3.5, 0.45 * len(categories) * max(1, len(years)) + 1.4)


def _draw_forest(ax, rows: list[dict], categories: list[Category], years: list[int],
                 thresholds: tuple[float, float]) -> list[float]:
    """Draw one forest panel on ``ax``: a row per category, years dodged beside each other.

    Returns the plotted values, from which the caller sets the (possibly shared) log axis.
    """
    ax.axvspan(*thresholds, color="0.85", alpha=0.6, zorder=0,
               label=f"{thresholds[0]:.2f} to {thresholds[1]:.2f}")
    ax.axvline(1, color="0.3", linewidth=1, zorder=1)
    lookup = _by_category_and_year(rows)
    colours = _palette(len(years))
    step = 0.6 / max(1, len(years))
    plotted = []
    for y_index, year in enumerate(years):
        legend_label = str(year)
        for position, category in enumerate(categories):
            row = lookup.get((category, year))
            if row is None:
                continue
            y = position + (y_index - (len(years) - 1) / 2) * step
            values = _rl_values(row)
            if isinstance(values, str):
                ax.text(1, y, values, ha="center", va="center", fontsize=_FONT, style="italic",
                        bbox={"facecolor": "white", "edgecolor": "0.6", "boxstyle": "round"})
                continue
            rl, low, high = values
            plotted.extend(values)
            ax.errorbar(
                rl, y, xerr=[[max(rl - low, 0.0)], [max(high - rl, 0.0)]],
                fmt=_MARKERS[y_index % len(_MARKERS)],
                color=colours[y_index], markersize=6, capsize=3, linewidth=1.5, zorder=3,
                label=legend_label,
            )
            legend_label = None
    ax.set_yticks(range(len(categories)))
    ax.set_ylim(max(len(categories), 1) - 0.5, -0.5)
    return plotted


def _chosen_groups(frame: pd.DataFrame, groups: Sequence[str] | None,
                   group: str | None) -> list[str]:
    """The groups to plot: as given, or minority ethnic and every broad group present."""
    if group is not None and groups is not None:
        raise ValueError("give either group or groups, not both")
    if group is not None:
        return [group]
    if groups is not None:
        if isinstance(groups, str) or not groups:
            raise ValueError(f"groups must be a non-empty list of group names, got {groups!r}")
        return list(dict.fromkeys(str(g) for g in groups))
    present = set(frame["group"].astype(str)) if "group" in frame else set()
    return [MINORITY, *(g for g in BROAD_GROUPS if g in present)]


def _one_indicator(rows: list[dict], caller: str) -> Indicator:
    numbers = sorted({int(r["indicator"]) for r in rows})
    if len(numbers) > 1:
        raise ValueError(f"{caller} draws one indicator at a time, got {numbers}")
    return get_indicator(numbers[0])


def forest_plot(
    frame: pd.DataFrame,
    *,
    thresholds: tuple[float, float] = (0.80, 1.25),
    title: str | None = None,
    group: str | None = None,
    groups: Sequence[str] | None = None,
) -> tuple[Figure, str]:
    """Relative likelihood with intervals per service and group, on a log axis.

    One row per service (all, adults, children, others), or per measure and service when
    the frame has several measures, and within each service one row per group; earlier
    years sit beside the latest, told apart by marker and colour. The ``thresholds`` band
    is shaded and 1 is marked. Rows that are not computable or withheld are written in
    words.

    Parameters
    ----------
    frame : DataFrame
        Results rows for one indicator (one or more years).
    thresholds : tuple of float
        The shaded band.
    title : str, optional
        Figure title; by default the measure's plain-words label.
    group : str, optional
        One comparison group plotted against white staff; the same as ``groups=[group]``.
    groups : sequence of str, optional
        Comparison groups plotted against white staff. By default minority ethnic staff
        and each broad group (Asian, Black, mixed, other) that has rows in ``frame``.

    Returns
    -------
    (Figure, str)
        The figure and its alternative text.

    Raises
    ------
    ValueError
        If ``frame`` has no rows for a chosen group, or several indicators or authorities,
        or both ``group`` and ``groups`` are given.
    """
    chosen = _chosen_groups(frame, groups, group)
    rows = pd.concat([_one_group(frame, g) for g in chosen]).to_dict("records")
    indicator = _one_indicator(rows, "forest_plot")
    categories = _forest_categories(rows, chosen)
    years = _years_latest_first(rows)
    measures = list(dict.fromkeys(m for m, _, _ in categories))

    fig, (ax,) = _new_figure(7, _forest_height(categories, years))
    plotted = _draw_forest(ax, rows, categories, years, thresholds)
    log_axis(ax, *_forest_limits(plotted, thresholds))
    ax.set_yticklabels([_category_label(c, indicator, len(measures) > 1, len(chosen) > 1)
                        for c in categories])
    compared = group_label(chosen[0]).lower() if len(chosen) == 1 else "each group"
    ax.set_xlabel(f"Relative likelihood, {compared} ÷ white (log scale)", fontsize=_FONT)
    ax.set_ylabel("Service" if len(chosen) == 1 else "Service and ethnic group", fontsize=_FONT)
    ax.set_title(title or _default_title(indicator, measures), fontsize=_FONT + 1)
    ax.legend(fontsize=_FONT - 1, loc="best", frameon=True)
    return fig, _forest_alt(rows, indicator, categories, years, thresholds)


def _short(indicator: Indicator, measure: str) -> str:
    return measure.replace("_", " ").capitalize() if indicator.measures else f"Band {measure}"


def _category_label(category: Category, indicator: Indicator, several_measures: bool,
                    several_groups: bool) -> str:
    """Axis label: "Adults", or "Adults' services: Black" when groups are several."""
    measure, service, group = category
    label = service_label(service)
    if several_groups:
        where = service_name(service)
        label = f"{where[:1].upper()}{where[1:]}: {group_label(group)}"
    return f"{_short(indicator, measure)}: {label}" if several_measures else label


def _default_title(indicator: Indicator, measures: list[str]) -> str:
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


def _entry_name(category: Category, several_measures: bool, several_groups: bool) -> str:
    """A point as named in the alt text: "adults' services", "Black staff in all services"."""
    measure, service, group = category
    name = service_name(service)
    if several_measures:
        name = f"{name} ({measure.replace('_', ' ')})"
    return f"{group_name(group)} in {name}" if several_groups else name


def _forest_values(rows: list[dict], categories: list[Category], years: list[int]) -> str:
    """Each plotted value in words, year by year, latest first."""
    several_measures = len({m for m, _, _ in categories}) > 1
    several_groups = len({g for _, _, g in categories}) > 1
    lookup = _by_category_and_year(rows)
    parts = []
    for year in years:
        entries = []
        for category in categories:
            row = lookup.get((category, year))
            if row is None:
                continue
            name = _entry_name(category, several_measures, several_groups)
            entries.append(f"{name} {_rl_words(_rl_values(row))}")
        parts.append(f"{year}: " + "; ".join(entries))
    return ". ".join(parts)


def _forest_scope(rows: list[dict], categories: list[Category], years: list[int]) -> str:
    """Which services and years, and at which confidence: the middle of the first sentence."""
    services = list(dict.fromkeys(s for _, s, _ in categories))
    year_text = _listing([str(y) for y in sorted(years)])
    confidence = format_confidence(rows[0].get("confidence_level"))
    return (f"for {_listing([service_name(s) for s in services])} in {year_text}, "
            f"with {confidence} confidence intervals")


def _band_sentence(thresholds: tuple[float, float]) -> str:
    return (f"The shaded band marks {thresholds[0]:.2f} to {thresholds[1]:.2f}; "
            "1 means equally likely.")


def _forest_alt(rows: list[dict], indicator: Indicator, categories: list[Category],
                years: list[int], thresholds: tuple[float, float]) -> str:
    measures = list(dict.fromkeys(m for m, _, _ in categories))
    what = _listing([measure_label(indicator.number, m) for m in measures])
    groups = list(dict.fromkeys(g for _, _, g in categories))
    who = _listing([group_name(g) for g in groups])
    compared = " compared" if len(groups) == 1 else ", each compared"
    return (
        f"Forest plot of the relative likelihood of {who}{compared} with white staff to {what}, "
        f"{_forest_scope(rows, categories, years)}. "
        + _forest_values(rows, categories, years) + ". " + _band_sentence(thresholds)
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
    rows = _one_group(frame, MINORITY).to_dict("records")
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
    ax.set_title(heading, fontsize=_FONT + 1)
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
        share, low, high = _share_with_interval(counts[0], sum(counts), _confidence(row))
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


# --- indicator 9: senior managers against the rest of the workforce --------------------------

_SENIOR = "Senior managers"
_REST = "Rest of the workforce"
_COUNT_COLUMNS = ("numerator", "denominator", "reference_numerator", "reference_denominator")
_SENIOR_STYLES = {_SENIOR: ("o", -0.12), _REST: ("s", 0.12)}


def _not_shown(row: dict, columns: Sequence[str]) -> str:
    return "withheld" if any(is_suppressed(row.get(c)) for c in columns) else "not available"


def _senior_and_rest(row: dict) -> dict[str, tuple[float, float] | str]:
    """(minority ethnic, all of known ethnicity) among senior managers and among the rest.

    Senior managers are part of the workforce, so they are compared with the staff who are
    not senior managers, and the two groups do not overlap. Where a count needed is withheld
    or missing, the words "withheld" or "not available" stand instead.
    """
    n1, d1, n0, d0 = (as_number(row.get(c)) for c in _COUNT_COLUMNS)
    senior_columns = ("numerator", "reference_numerator")
    return {
        _SENIOR: _not_shown(row, senior_columns) if None in (n1, n0) else (n1, n1 + n0),
        _REST: _not_shown(row, _COUNT_COLUMNS) if None in (n1, d1, n0, d0)
        else (d1 - n1, (d1 - n1) + (d0 - n0)),
    }


def _draw_share(ax, y: float, counts: tuple[float, float] | str, confidence: float,
                series: str, colour) -> str:
    """Draw one minority ethnic share with its Wilson interval at ``y``; return it in words."""
    words = counts if isinstance(counts, str) else "none" if counts[1] <= 0 else None
    if words is not None:
        ax.text(1, y, words, va="center", fontsize=_FONT - 1, style="italic", color="0.3")
        return words
    share, low, high = (100 * v for v in _share_with_interval(*counts, confidence))
    marker, _ = _SENIOR_STYLES[series]
    ax.errorbar(share, y, xerr=[[max(share - low, 0.0)], [max(high - share, 0.0)]],
                fmt=marker, color=colour, capsize=3, markersize=6, label=series)
    return f"{share:.1f}% ({low:.1f} to {high:.1f})"


def _legend_once(ax, order: Sequence[str]) -> None:
    """A legend with one entry per label, in ``order``."""
    handles = dict(zip(*reversed(ax.get_legend_handles_labels()), strict=True))
    shown = [label for label in order if label in handles]
    ax.legend([handles[label] for label in shown], shown, fontsize=_FONT - 1)


def senior_management_plot(frame: pd.DataFrame, *, year: int | None = None) -> tuple[Figure, str]:
    """Indicator 9: minority share of senior managers against that of the rest of the workforce.

    One row per service, two points each with Wilson intervals: the minority ethnic share
    among senior managers, and among the staff who are not senior managers (of those whose
    ethnicity is known). Senior managers are part of the whole workforce, so comparing them
    with it would set a group beside a total that contains it; the rest of the workforce does
    not overlap with them. Withheld shares are written in words instead of a point.

    Parameters
    ----------
    frame : DataFrame
        Indicator 9 results rows (the ``minority`` rows are used).
    year : int, optional
        Year shown; the latest by default.

    Returns
    -------
    (Figure, str)
        The figure and its alternative text.
    """
    rows, year = _latest_year(_one_group(frame, MINORITY), year)
    records = sorted(rows.to_dict("records"), key=lambda r: service_rank(str(r["service"])))
    fig, (ax,) = _new_figure(7, max(3.0, 0.6 * len(records) + 1.5))
    colours = dict(zip(_SENIOR_STYLES, _palette(2), strict=True))
    alt_parts = []
    for position, row in enumerate(records):
        described = [
            f"{series.lower()} "
            + _draw_share(ax, position + _SENIOR_STYLES[series][1], counts, _confidence(row),
                          series, colours[series])
            for series, counts in _senior_and_rest(row).items()
        ]
        alt_parts.append(f"{service_name(str(row['service']))}: " + ", ".join(described))
    ax.set_yticks(range(len(records)))
    ax.set_yticklabels([service_label(str(r["service"])) for r in records])
    ax.set_ylim(len(records) - 0.5, -0.5)
    ax.set_xlim(0, 100)
    ax.set_xlabel("Minority ethnic share of staff whose ethnicity is known (%)", fontsize=_FONT)
    ax.set_ylabel("Service", fontsize=_FONT)
    ax.set_title(f"Minority ethnic staff among senior managers and the rest of the workforce, "
                 f"{year}", fontsize=_FONT + 1)
    _legend_once(ax, list(_SENIOR_STYLES))
    confidence = format_confidence(records[0].get("confidence_level"))
    alt = (
        "Dot plot of the minority ethnic share among senior managers and among the rest of "
        f"the workforce (staff who are not senior managers) in {year}, with {confidence} "
        "confidence intervals. " + "; ".join(alt_parts) + ". Shares are of staff whose "
        "ethnicity is known."
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
