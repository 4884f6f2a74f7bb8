"""The table as councils publish it: rates and relative likelihood by Total, Adults, Children.

Councils' SC-WRES action plans (Coventry's, for one) open each indicator with three rows,
"Rate among white staff", "Rate among minority ethnic staff" and "Relative likelihood",
and three columns, Total (all services pooled), Adults and Children. Pages open with
that table; intervals, flags and counts follow in the detailed table
(`wres.present.tables.action_plan_table`). Each function here returns a DataFrame of
display text (so notebooks can show it and tests read it), whose index labels the
rows; `wres.present.markup.council_html` renders one with a caption and scoped headers.
A cell holds ``[c]`` where disclosure control withheld the figure and "not computable"
where no ratio can be given.
"""

from __future__ import annotations

from collections.abc import Mapping

import pandas as pd

from wres.core.frames import records
from wres.core.indicators import MINORITY, WHITE, get_indicator
from wres.core.names import COMPARISON_COUNTS
from wres.present.markup import FLAG_TEXT
from wres.present.markup import council_html as council_html
from wres.present.narrative.words import (
    MARKER,
    as_bool,
    as_number,
    band_name,
    check_one_report,
    group_name,
    is_suppressed,
    service_label,
    service_rank,
)
from wres.present.tables import NOT_COMPUTABLE

RELATIVE_LIKELIHOOD = "Relative likelihood"


def rate_row_label(group: str, *, noun: str = "Rate") -> str:
    """Row label of a group's rate: "Rate among white staff", "Share of Asian staff"."""
    joiner = "among" if noun == "Rate" else "of"
    return f"{noun} {joiner} {group_name(group)}"


def _withheld(row: Mapping, keys: tuple[str, ...]) -> bool:
    return any(is_suppressed(row.get(k)) for k in keys)


def rate_cell(row: Mapping, *, reference: bool = False, decimals: int = 1) -> str:
    """A group's rate as a percentage ("2.6%"); ``[c]`` when its counts or rate are withheld."""
    prefix = "reference_" if reference else ""
    counts = (f"{prefix}numerator", f"{prefix}denominator")
    if _withheld(row, (*counts, f"{prefix}rate")):
        return MARKER
    rate = as_number(row.get(f"{prefix}rate"))
    if rate is None:
        staff = as_number(row.get(counts[1]))
        return NOT_COMPUTABLE if staff == 0 else ""
    return f"{100 * rate:.{decimals}f}%"


def likelihood_cell(row: Mapping, *, decimals: int = 2) -> str:
    """The relative likelihood alone ("2.55"), ``[c]`` or "not computable", once per cell."""
    status = str(row.get("status") or "ok")
    if status.startswith("not_computable"):
        return NOT_COMPUTABLE
    if is_suppressed(status) or _withheld(row, ("relative_likelihood", *COMPARISON_COUNTS)):
        return MARKER
    rl = as_number(row.get("relative_likelihood"))
    return "" if rl is None else f"{rl:.{decimals}f}"


def verdict_cell(row: Mapping, *, decimals: int = 2) -> str:
    """Relative likelihood, flag and significance in words: "2.55 ▲ above, significant"."""
    likelihood = likelihood_cell(row, decimals=decimals)
    if likelihood in {NOT_COMPUTABLE, MARKER, ""}:
        return likelihood
    flag = FLAG_TEXT.get(str(row.get("flag") or "").strip(), "")
    significant = as_bool(row.get("significant"))
    words = [f"{likelihood} {flag}".strip()]
    if significant is not None and not is_suppressed(row.get("significant")):
        words.append("significant" if significant else "not significant")
    return ", ".join(words)


def _services(rows: pd.DataFrame) -> list[str]:
    return sorted(dict.fromkeys(rows["service"].astype(str)), key=service_rank)


def _one_group(rows: pd.DataFrame, group: str) -> pd.DataFrame:
    check_one_report(rows)
    chosen = rows[rows["group"].astype(str) == group]
    if chosen.empty:
        raise ValueError(f"no results rows for group {group!r}")
    return chosen


def council_table(
    rows: pd.DataFrame,
    *,
    measure: str | None = None,
    group: str = MINORITY,
    decimals: int = 2,
    percent_decimals: int = 1,
) -> pd.DataFrame:
    """One measure in the councils' layout: three rows, one column per service.

    Parameters
    ----------
    rows : DataFrame
        Results rows of one authority and year (as published, or not).
    measure : str, optional
        The measure shown; needed only when ``rows`` hold several.
    group : str
        The group compared with white staff (minority ethnic by default).
    decimals, percent_decimals : int
        Decimal places of relative likelihoods and of rates in per cent.

    Returns
    -------
    DataFrame
        Index "Rate among white staff", "Rate among <group>", "Relative likelihood";
        columns Total, Adults, Children (then any other service), cells of text.

    Raises
    ------
    ValueError
        If ``rows`` have no rows for ``group``, several measures and no ``measure``, or
        mix authorities or years.
    """
    chosen = _one_group(rows, group)
    measures = list(dict.fromkeys(chosen["measure"].astype(str)))
    if measure is None and len(measures) > 1:
        raise ValueError(f"rows hold several measures {measures}: say which one")
    chosen = chosen[chosen["measure"].astype(str) == (measure or measures[0])]
    if chosen.empty:
        raise ValueError(f"no results rows for measure {measure!r}")
    by_service = {str(r["service"]): r for r in records(chosen)}
    services = _services(chosen)
    labels = [rate_row_label(WHITE), rate_row_label(group), RELATIVE_LIKELIHOOD]
    cells = {
        service_label(s): [
            rate_cell(by_service[s], reference=True, decimals=percent_decimals),
            rate_cell(by_service[s], decimals=percent_decimals),
            likelihood_cell(by_service[s], decimals=decimals),
        ]
        for s in services
    }
    return pd.DataFrame(cells, index=pd.Index(labels), dtype=object)


def pay_band_table(
    rows: pd.DataFrame, *, group: str = MINORITY, decimals: int = 2, percent_decimals: int = 1
) -> pd.DataFrame:
    """Pay bands in the councils' layout: a row per band, for each service the share of
    white staff in the band, the share of the group's staff, and the relative likelihood.

    Returns
    -------
    DataFrame
        Index "Band 1", "Band 2", ... (named "Pay band"); two-level columns (service,
        "Share of white staff" / "Share of <group>" / "Relative likelihood").
    """
    chosen = _one_group(rows, group)
    bands = list(dict.fromkeys(chosen["measure"].astype(str)))
    lookup = {(str(r["measure"]), str(r["service"])): r for r in records(chosen)}
    parts = [rate_row_label(WHITE, noun="Share"), rate_row_label(group, noun="Share"),
             RELATIVE_LIKELIHOOD]
    columns = pd.MultiIndex.from_tuples(
        [(service_label(s), part) for s in _services(chosen) for part in parts])
    body = []
    for band in bands:
        line = []
        for service in _services(chosen):
            row = lookup.get((band, service))
            if row is None:
                line += ["", "", ""]
                continue
            line += [rate_cell(row, reference=True, decimals=percent_decimals),
                     rate_cell(row, decimals=percent_decimals),
                     likelihood_cell(row, decimals=decimals)]
        body.append(line)
    index = pd.Index([f"Band {band_name(b)}" for b in bands], name="Pay band")
    return pd.DataFrame(body, index=index, columns=columns, dtype=object)


def summary_council_table(
    rows: pd.DataFrame, *, group: str = MINORITY, decimals: int = 2
) -> pd.DataFrame:
    """Every indicator in one table: the relative likelihood in Total, Adults and Children,
    with its flag and significance in words ("2.55 ▲ above, significant").

    One row per indicator, or per indicator and measure where it has several
    ("7. Harassment from colleagues and managers: managers").
    """
    chosen = _one_group(rows, group)
    entries = records(chosen)
    entries.sort(key=lambda r: int(r["indicator"]))
    services = _services(chosen)
    table: dict[str, dict[str, str]] = {}
    for row in entries:
        definition = get_indicator(int(row["indicator"]))
        measures = chosen.loc[chosen["indicator"].astype(int) == definition.number, "measure"]
        label = f"{definition.number}. {definition.title}"
        if measures.nunique() > 1:
            label += f": {str(row['measure']).replace('_', ' ')}"
        table.setdefault(label, {})[service_label(str(row["service"]))] = verdict_cell(
            row, decimals=decimals)
    frame = pd.DataFrame.from_dict(table, orient="index", dtype=object)
    frame = frame.reindex(columns=[service_label(s) for s in services]).fillna("")
    frame.index.name = "Indicator"
    return frame
