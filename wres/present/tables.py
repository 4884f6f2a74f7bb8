"""Tables for the reports: the detailed action-plan layout and the authority summary.

Tables are plain DataFrames of display text, so notebooks can show them and tests can read
them. Count columns hold whole numbers or the disclosure marker ``[c]``; `to_html` (from
`wres.present.markup`, re-exported here) marks each count cell with ``class="count"`` and
``data-count`` so the disclosure checker can find every published count. The councils'
opening table is in `wres.present.council`.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import pandas as pd

from wres.core.frames import records
from wres.core.indicators import ETHNIC_GROUPS, MINORITY
from wres.core.names import COMPARISON_COUNTS
from wres.present.markup import FLAG_TEXT as FLAG_TEXT
from wres.present.markup import TABLE_CSS as TABLE_CSS
from wres.present.markup import count_columns_of as count_columns_of
from wres.present.markup import to_html as to_html
from wres.present.narrative.words import (
    MARKER,
    as_bool,
    as_number,
    capitalise,
    check_one_report,
    format_confidence,
    group_label,
    is_suppressed,
    measure_label,
    service_label,
    service_rank,
)
from wres.stats import NO_EVENTS_REFERENCE

NOT_COMPUTABLE = "not computable"


def _cell_count(value: Any) -> int | str:
    if is_suppressed(value):
        return MARKER
    number = as_number(value)
    return "" if number is None else int(round(number))


def format_rate(rate: Any, lower: Any, upper: Any, *, decimals: int = 1) -> str:
    """A rate with its interval as a percentage: "6.5% (4.2–9.8)"; "[c]" if withheld."""
    if any(is_suppressed(v) for v in (rate, lower, upper)):
        return MARKER
    value = as_number(rate)
    if value is None:
        return ""
    text = f"{100 * value:.{decimals}f}%"
    low, high = as_number(lower), as_number(upper)
    if low is not None and high is not None:
        text += f" ({100 * low:.{decimals}f}–{100 * high:.{decimals}f})"
    return text


def _rate_cell(
    row: Mapping, rate_keys: tuple[str, str, str], count_keys: tuple[str, str], decimals: int
) -> str:
    """A rate is withheld with its counts, so it never reveals a suppressed count."""
    if any(is_suppressed(row.get(k)) for k in count_keys):
        return MARKER
    return format_rate(*(row.get(k) for k in rate_keys), decimals=decimals)


def format_likelihood(row: Mapping, *, decimals: int = 2) -> str:
    """Relative likelihood with its interval ("2.62 (1.36–5.05)"), or why it is missing.

    Where white staff had no events there is no ratio, but its interval's lower
    limit is finite: "not computable; at least 1.48".
    """
    status = str(row.get("status") or "ok")
    if status == NO_EVENTS_REFERENCE and not _any_suppressed(row):
        low = as_number(row.get("rl_lower"))
        if low is not None and low > 0:
            return f"{NOT_COMPUTABLE}; at least {low:.{decimals}f}"
    if status.startswith("not_computable"):
        return NOT_COMPUTABLE
    values = [row.get(k) for k in ("relative_likelihood", "rl_lower", "rl_upper")]
    if any(is_suppressed(v) for v in values) or _any_suppressed(row):
        return MARKER
    rl, low, high = (as_number(v) for v in values)
    if rl is None:
        return ""
    text = f"{rl:.{decimals}f}"
    if low is not None and high is not None:
        text += f" ({low:.{decimals}f}–{high:.{decimals}f})"
    return text


def format_flag(row: Mapping) -> str:
    """Flag as shape and word ("▲ above"); "not computable" or "[c]" when there is none."""
    if str(row.get("status") or "ok").startswith("not_computable"):
        return NOT_COMPUTABLE
    if format_likelihood(row) == MARKER:
        return MARKER
    flag = str(row.get("flag") or "").strip()
    if flag in FLAG_TEXT:
        return FLAG_TEXT[flag]
    return MARKER if is_suppressed(row.get("flag")) or _any_suppressed(row) else ""


def _format_significant(row: Mapping) -> str:
    if is_suppressed(row.get("significant")) or format_likelihood(row) == MARKER:
        return MARKER
    value = as_bool(row.get("significant"))
    return "" if value is None else ("Yes" if value else "No")




def _any_suppressed(row: Mapping) -> bool:
    return any(is_suppressed(row.get(k)) for k in COMPARISON_COUNTS)


def _ordered_rows(frame: pd.DataFrame) -> list[dict]:
    rows = records(frame)
    measures = list(dict.fromkeys(str(r["measure"]) for r in rows))
    rows.sort(
        key=lambda r: (
            int(r["indicator"]),
            measures.index(str(r["measure"])),
            service_rank(str(r["service"])),
        )
    )
    return rows


def action_plan_table(
    frame: pd.DataFrame,
    *,
    group: str = MINORITY,
    decimals: int = 2,
    percent_decimals: int = 1,
) -> pd.DataFrame:
    """Lay out results as in published SC-WRES action plans.

    One row per measure x service (Total, Adults, Children, then other services), for one
    comparison group against white staff. Rates are percentages with their intervals,
    the relative likelihood has its interval, and the flag is a shape plus a word.

    Parameters
    ----------
    frame : DataFrame
        Results rows for one authority and year (one or more indicators).
    group : str
        Comparison group shown (``minority`` or a broad group); column names follow it.
    decimals, percent_decimals : int
        Decimal places for relative likelihoods and for percentages.

    Returns
    -------
    DataFrame
        Columns ``Measure, Service, <Group> n, <Group> N, <Group> rate (95% CI), White n,
        White N, White rate (95% CI), Relative likelihood (95% CI), Flag, Significant``.
        Count columns hold ints or ``[c]``.

    Raises
    ------
    ValueError
        If ``frame`` has no rows for ``group``, or mixes authorities or years.
    """
    check_one_report(frame)
    rows = frame[frame["group"].astype(str) == group]
    if rows.empty:
        raise ValueError(f"no results rows for group {group!r}")
    label = group_label(group)
    level = format_confidence(rows["confidence_level"].iloc[0]) if (
        "confidence_level" in rows
    ) else "95%"
    ci = f"({level} CI)"
    entries = []
    for row in _ordered_rows(rows):
        entries.append(
            {
                "Measure": capitalise(measure_label(int(row["indicator"]), str(row["measure"]))),
                "Service": service_label(str(row["service"])),
                f"{label} n": _cell_count(row.get("numerator")),
                f"{label} N": _cell_count(row.get("denominator")),
                f"{label} rate {ci}": _rate_cell(
                    row, ("rate", "rate_lower", "rate_upper"), ("numerator", "denominator"),
                    percent_decimals,
                ),
                "White n": _cell_count(row.get("reference_numerator")),
                "White N": _cell_count(row.get("reference_denominator")),
                f"White rate {ci}": _rate_cell(
                    row,
                    ("reference_rate", "reference_rate_lower", "reference_rate_upper"),
                    ("reference_numerator", "reference_denominator"),
                    percent_decimals,
                ),
                f"Relative likelihood {ci}": format_likelihood(row, decimals=decimals),
                "Flag": format_flag(row),
                "Significant": _format_significant(row),
            }
        )
    return pd.DataFrame(entries, dtype=object)


def counts_pivot(counts: pd.DataFrame) -> pd.DataFrame:
    """The counts behind a report as an analyst reads them: "numerator of denominator".

    One row per year, measure and service as given (the pooled ``all`` service is
    computed later, from these counts); one column per ethnic group.
    """
    cells = counts.assign(
        count=counts["numerator"].astype(int).astype(str) + " of "
        + counts["denominator"].astype(int).astype(str))
    table = cells.pivot_table(index=["year", "measure", "service"], columns="ethnic_group",
                              values="count", aggfunc="first", sort=False)
    order = [g for g in ETHNIC_GROUPS if g in table.columns]
    return table.loc[:, order].rename_axis(columns=None)


def summary_table(
    results: pd.DataFrame,
    *,
    changes: pd.DataFrame | None = None,
    group: str = MINORITY,
    decimals: int = 2,
) -> pd.DataFrame:
    """Authority summary: one row per indicator x measure, one column per service.

    Each service cell shows the relative likelihood with its interval and the flag, e.g.
    "1.42 (1.10–1.83) ▲ above".

    Parameters
    ----------
    results : DataFrame
        Results rows for one authority and year.
    changes : DataFrame, optional
        Year-on-year changes with a ``change`` column, either with ``indicator`` and
        ``measure`` (optionally ``service``, ``group``) columns or, as returned by
        ``wres.stats.change_between_years``, indexed like ``results``. The ``all``
        services row fills a "Change since last year" column.
    group : str
        Comparison group shown.
    decimals : int
        Decimal places for relative likelihoods.

    Raises
    ------
    ValueError
        If ``results`` mixes authorities or years.
    """
    check_one_report(results)
    rows = results[results["group"].astype(str) == group]
    services = sorted(dict.fromkeys(rows["service"].astype(str)), key=service_rank)
    table: dict[tuple[int, str], dict[str, str]] = {}
    for row in _ordered_rows(rows):
        number, measure = int(row["indicator"]), str(row["measure"])
        entry = table.setdefault(
            (number, measure),
            {
                "Indicator": str(number),
                "Measure": capitalise(measure_label(number, measure)),
            },
        )
        cell = format_likelihood(row, decimals=decimals)
        flag = format_flag(row)
        if flag and flag not in {NOT_COMPUTABLE, MARKER}:
            cell = f"{cell} {flag}"
        entry[service_label(str(row["service"]))] = cell
    columns = ["Indicator", "Measure", *(service_label(s) for s in services)]
    if changes is not None:
        if "indicator" not in changes:
            keys = results.loc[changes.index, ["indicator", "measure", "service", "group"]]
            changes = keys.join(changes)
        columns.append("Change since last year")
        for (number, measure), entry in table.items():
            entry["Change since last year"] = _change_for(changes, number, measure, group)
    return pd.DataFrame(list(table.values()), columns=columns, dtype=object).fillna("")


def _change_for(changes: pd.DataFrame, number: int, measure: str, group: str) -> str:
    match = changes[
        (changes["indicator"].astype(int) == number) & (changes["measure"].astype(str) == measure)
    ]
    if "group" in match:
        match = match[match["group"].astype(str) == group]
    if "service" in match and (match["service"].astype(str) == "all").any():
        match = match[match["service"].astype(str) == "all"]
    if match.empty or "change" not in match:
        return ""
    value = match["change"].iloc[0]
    return "" if value is None or (isinstance(value, float) and value != value) else str(value)
