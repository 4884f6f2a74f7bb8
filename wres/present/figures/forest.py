"""Forest plots of relative likelihoods by service, group and year.
"""

from __future__ import annotations

from collections.abc import Sequence

import pandas as pd
from matplotlib.figure import Figure

from wres.core.frames import records
from wres.core.indicators import BROAD_GROUPS, MINORITY, Indicator, get_indicator
from wres.present.figures.common import (
    _FONT,
    _MARKERS,
    _new_figure,
    _one_group,
    _palette,
    log_axis,
    set_title,
)
from wres.present.narrative.words import (
    as_number,
    format_confidence,
    format_ratio,
    group_label,
    group_name,
    join_words,
    measure_label,
    service_label,
    service_name,
    service_rank,
)

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

    A row's years that have no point ("withheld", "not computable") are written once per
    row, not once per year (`_row_words`). Returns the plotted values, from which the
    caller sets the (possibly shared) log axis.
    """
    ax.axvspan(*thresholds, color="0.85", alpha=0.6, zorder=0,
               label=f"{thresholds[0]:.2f} to {thresholds[1]:.2f}")
    ax.axvline(1, color="0.3", linewidth=1, zorder=1)
    lookup = _by_category_and_year(rows)
    colours = _palette(len(years))
    step = 0.6 / max(1, len(years))
    plotted: list[float] = []
    words: dict[int, dict[str, list[tuple[int, float]]]] = {}
    for y_index, year in enumerate(years):
        points: list[tuple[float, float, float, float]] = []  # (rl, y, below, above)
        for position, category in enumerate(categories):
            row = lookup.get((category, year))
            if row is None:
                continue
            y = position + (y_index - (len(years) - 1) / 2) * step
            values = _rl_values(row)
            if isinstance(values, str):
                words.setdefault(position, {}).setdefault(values, []).append((year, y))
                continue
            rl, low, high = values
            plotted.extend(values)
            points.append((rl, y, max(rl - low, 0.0), max(high - rl, 0.0)))
        if points:  # one call a year: a call a point cost a forest plot a third of its build
            rls, ys, below, above = (list(column) for column in zip(*points, strict=True))
            ax.errorbar(
                rls, ys, xerr=[below, above], fmt=_MARKERS[y_index % len(_MARKERS)],
                color=colours[y_index], markersize=6, capsize=3, linewidth=1.5, zorder=3,
                label=str(year),
            )
    for said in words.values():
        every_year = len(said) == 1 and sum(len(v) for v in said.values()) == len(years)
        for text, where in said.items():
            for run in _adjacent_years(where, years):
                ax.text(1, sum(y for _, y in run) / len(run),
                        _row_words(text, [year for year, _ in run], all_years=every_year),
                        ha="center", va="center", fontsize=_FONT, style="italic",
                        bbox={"facecolor": "white", "edgecolor": "0.6", "boxstyle": "round"})
    ax.set_yticks(range(len(categories)))
    ax.set_ylim(max(len(categories), 1) - 0.5, -0.5)
    return plotted


def _adjacent_years(where: list[tuple[int, float]],
                    years: list[int]) -> list[list[tuple[int, float]]]:
    """``where`` (year, y) split into runs of years next to each other in ``years``.

    One box over the middle of 2024 and 2022 would sit on 2023's point; each run gets
    its own box, in the middle of its own years.
    """
    runs: list[list[tuple[int, float]]] = []
    for year, y in sorted(where, key=lambda item: years.index(item[0])):
        if runs and years.index(year) == years.index(runs[-1][-1][0]) + 1:
            runs[-1].append((year, y))
        else:
            runs.append([(year, y)])
    return runs


def _row_words(text: str, years: list[int], *, all_years: bool) -> str:
    """What a row says in place of points: "withheld", or "2023, 2022: withheld" when some
    of the row's years are plotted or say something else."""
    if all_years:
        return text
    return f"{', '.join(str(y) for y in years)}: {text}"


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
    rows = records(pd.concat([_one_group(frame, g) for g in chosen]))
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
    set_title(ax, title or _default_title(indicator, measures))
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
    year_text = join_words([str(y) for y in sorted(years)])
    confidence = format_confidence(rows[0].get("confidence_level"))
    return (f"for {join_words([service_name(s) for s in services])} in {year_text}, "
            f"with {confidence} confidence intervals")


def _band_sentence(thresholds: tuple[float, float]) -> str:
    return (f"The shaded band marks {thresholds[0]:.2f} to {thresholds[1]:.2f}; "
            "1 means equally likely.")


def _forest_alt(rows: list[dict], indicator: Indicator, categories: list[Category],
                years: list[int], thresholds: tuple[float, float]) -> str:
    measures = list(dict.fromkeys(m for m, _, _ in categories))
    what = join_words([measure_label(indicator.number, m) for m in measures])
    groups = list(dict.fromkeys(g for _, _, g in categories))
    who = join_words([group_name(g) for g in groups])
    compared = " compared" if len(groups) == 1 else ", each compared"
    return (
        f"Forest plot of the relative likelihood of {who}{compared} with white staff to {what}, "
        f"{_forest_scope(rows, categories, years)}. "
        + _forest_values(rows, categories, years) + ". " + _band_sentence(thresholds)
    )
