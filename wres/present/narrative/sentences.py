"""Sentences beyond the findings: unknown ethnicity, pay bands, senior managers, change.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import pandas as pd

from wres.core.frames import records
from wres.core.indicators import ALL_SERVICES, MINORITY, WHITE, get_indicator
from wres.core.names import COMPARISON_COUNTS
from wres.present.narrative.words import (
    _count,
    as_number,
    band_name,
    format_confidence,
    format_percent,
    format_ratio,
    group_name,
    is_suppressed,
    service_name,
    service_rank,
)
from wres.stats import nested_share_difference

# --- other sentences -------------------------------------------------------------------------


def unknown_sentence(row: Mapping, *, min_count: int = 5) -> str:
    """How many people's ethnicity was not known, the ratio if they were all one group, its range.

    The range if ethnicity were known (``rl_range_lower`` to ``rl_range_upper``) is
    the smallest and largest ratio over every allocation of the unknown staff,
    those with and without the outcome allocated separately; it contains both
    all-or-nothing scenarios.

    ``row`` must be a ``minority`` row: its ``denominator + reference_denominator +
    unknown_denominator`` is then everyone counted.

    Raises
    ------
    ValueError
        For a broad-group row, whose counts do not add up to everyone counted.
    """
    group = str(row.get("group", MINORITY))
    if group != MINORITY:
        raise ValueError(f"unknown_sentence needs a 'minority' row, got group {group!r}")
    indicator = get_indicator(int(row["indicator"]))
    who = indicator.denominator
    where = service_name(str(row["service"]))
    known, reference_known = (
        _count(row.get(k)) for k in ("denominator", "reference_denominator")
    )
    unknown = _count(row.get("unknown_denominator"))
    if unknown is None or known is None or reference_known is None:
        if is_suppressed(row.get("unknown_denominator")) or any(
            is_suppressed(row.get(k)) for k in ("denominator", "reference_denominator")
        ):
            return (
                f"In {where}, the number of {who} whose ethnicity was not known is withheld "
                f"because fewer than {min_count} staff are involved."
            )
        return f"In {where}, the number of {who} whose ethnicity was not known was not given."
    if unknown == 0:
        return f"In {where}, ethnicity was known for all {who}."
    total = unknown + (known + reference_known)
    text = (
        f"In {where}, ethnicity was not known for {format_percent(unknown / total)} of {who} "
        f"({unknown} of {total})"
    )
    if_white = as_number(row.get("rl_if_unknown_white"))
    if_minority = as_number(row.get("rl_if_unknown_minority"))
    if if_white is not None and if_minority is not None:
        text += (
            f"; if all of them were white the ratio would be {format_ratio(if_white)}, "
            f"if all were minority ethnic {format_ratio(if_minority)}"
        )
    low, high = as_number(row.get("rl_range_lower")), as_number(row.get("rl_range_upper"))
    if low is not None:
        reach = (f"between {format_ratio(low)} and {format_ratio(high)}" if high is not None
                 else f"at least {format_ratio(low)}, with no upper limit")
        text += (f". Over every way their ethnicity could fall (those with and without the "
                 f"outcome apart), the ratio would be {reach}: the range if ethnicity were "
                 "known")
    return text + "."


def not_submitted_message(indicator: int, year: int, authority: str) -> str:
    """Say that an indicator was not submitted, e.g. "Indicator 4 (fitness to practise) ..."."""
    definition = get_indicator(indicator)
    title = definition.title[:1].lower() + definition.title[1:]
    return (
        f"Indicator {definition.number} ({title}) was not submitted for {year} by {authority}."
    )


def _share_difference(first: float, second: float) -> str:
    points = 100 * (first - second)
    if abs(points) < 0.05:
        return "the same share"
    word = "higher" if points > 0 else "lower"
    return f"{abs(points):.1f} percentage points {word}"


def pay_band_sentence(row: Mapping, *, min_count: int = 5) -> str:
    """Headline for one indicator 1 row: each group's share of staff in the pay band.

    e.g. "In adults' services, 12.5% of minority ethnic staff (5 of 40) and 20.0% of white
    staff (30 of 150) were in pay band 3: 7.5 percentage points lower."
    """
    group = str(row.get("group", MINORITY))
    reference = str(row.get("reference_group", WHITE))
    where = service_name(str(row["service"]))
    band = band_name(str(row["measure"]))
    n1, d1, n0, d0 = (_count(row.get(k)) for k in COMPARISON_COUNTS)
    if n1 is None or d1 is None or n0 is None or d0 is None or not d1 or not d0:
        return (
            f"In {where}, the shares of {group_name(group)} and {group_name(reference)} in "
            f"pay band {band} are withheld because fewer than {min_count} staff are involved."
        )
    share, reference_share = n1 / d1, n0 / d0
    return (
        f"In {where}, {format_percent(share)} of {group_name(group)} ({n1} of {d1}) and "
        f"{format_percent(reference_share)} of {group_name(reference)} ({n0} of {d0}) were "
        f"in pay band {band}: {_share_difference(share, reference_share)}."
    )


def senior_share_sentence(row: Mapping, *, min_count: int = 5) -> str:
    """Headline for indicator 9: minority share of senior managers against the rest of staff.

    ``row`` is the ``minority`` row; white and minority ethnic staff together are everyone
    whose ethnicity is known. Senior managers are compared with the staff who are not
    senior managers, so the two shares come from separate people; the difference from the
    whole workforce, with its interval, follows from that comparison
    (`wres.stats.nested_share_difference`). e.g. "In all services, minority ethnic staff
    were 12.0% of senior managers (6 of 50) and 26.2% of the rest of the workforce (144 of
    550), of those whose ethnicity is known: 14.2 percentage points lower. Against the whole
    workforce (25.0%, 150 of 600) the share among senior managers is 13.0 percentage points
    lower (95% CI 1.7 to 19.8 points lower); ..."
    """
    where = service_name(str(row["service"]))
    n1, d1, n0, d0 = (_count(row.get(k)) for k in COMPARISON_COUNTS)
    if n1 is None or d1 is None or n0 is None or d0 is None:
        return (
            f"In {where}, the share of senior managers who are minority ethnic is withheld "
            f"because fewer than {min_count} staff are involved."
        )
    seniors = n1 + n0
    rest_minority = d1 - n1
    rest = rest_minority + d0 - n0
    if seniors == 0 or rest == 0:
        return f"In {where}, no senior managers of known ethnicity were recorded."
    senior_share, rest_share = n1 / seniors, rest_minority / rest
    text = (
        f"In {where}, minority ethnic staff were {format_percent(senior_share)} of senior "
        f"managers ({n1} of {seniors}) and {format_percent(rest_share)} of the rest of the "
        f"workforce ({rest_minority} of {rest}), of those whose ethnicity is known: "
        f"{_share_difference(senior_share, rest_share)}."
    )
    level = as_number(row.get("confidence_level")) or 0.95
    whole = nested_share_difference(n1, seniors, d1, d1 + d0,
                                    confidence_level=level).iloc[0]
    return text + (
        f" Against the whole workforce ({format_percent(whole['whole_share'])}, {d1} of "
        f"{d1 + d0}) the share among senior managers is "
        f"{_share_difference(senior_share, whole['whole_share'])} "
        f"({format_confidence(level)} CI "
        f"{_points_interval(whole['difference_lower'], whole['difference_upper'])}); "
        "senior managers are part of the workforce, so this is worked out from the "
        "comparison with the rest."
    )


def _points_interval(low: float, high: float) -> str:
    """An interval of differences in percentage points: "1.7 to 19.8 points lower"."""
    a, b = 100 * low, 100 * high
    if a >= 0:
        return f"{a:.1f} to {b:.1f} points higher"
    if b <= 0:
        return f"{-b:.1f} to {-a:.1f} points lower"
    return f"{-a:.1f} points lower to {b:.1f} points higher"


# --- sentences for a whole section ----------------------------------------------------------


def _minority_rows(rows: pd.DataFrame, services: Sequence[str] | None) -> list[dict]:
    chosen = rows[rows["group"] == MINORITY]
    if services is not None:
        chosen = chosen[chosen["service"].isin(list(services))]
    entries = records(chosen)
    entries.sort(key=lambda row: service_rank(str(row["service"])))
    return entries


def unknown_sentences(
    rows: pd.DataFrame, *, min_count: int = 5, services: Sequence[str] | None = None
) -> list[str]:
    """:func:`unknown_sentence` for each minority ethnic row with unknown counts.

    Says so in one sentence when no counts of staff of unknown ethnicity were given.
    """
    given = rows[rows["unknown_denominator"].notna()] if len(rows) else rows
    lines = [unknown_sentence(row, min_count=min_count)
             for row in _minority_rows(given, services)]
    return lines or ["No counts of staff with unknown ethnicity were given for this indicator."]


def pay_band_sentences(
    rows: pd.DataFrame, *, min_count: int = 5, services: Sequence[str] = (ALL_SERVICES,)
) -> list[str]:
    """:func:`pay_band_sentence` for each pay band of the minority ethnic rows, in band order."""
    return [pay_band_sentence(row, min_count=min_count)
            for row in _minority_rows(rows, services)]


def senior_share_sentences(rows: pd.DataFrame, *, min_count: int = 5) -> list[str]:
    """:func:`senior_share_sentence` for each service: all services first."""
    return [senior_share_sentence(row, min_count=min_count)
            for row in _minority_rows(rows, None)]


#: Why a section of an indicator page is empty when the indicator was not submitted.
_NOT_SUBMITTED_SECTIONS: dict[str, str] = {
    "results": "there are no results to show",
    "findings": "there are no findings",
    "figure": "there is no figure",
    "unknown": "there are no counts of staff whose ethnicity is not known",
    "change": "no change since last year can be given",
}


def not_submitted_section(section: str, year: int) -> str:
    """Why a section has nothing to show: "Not submitted for 2024, so there is no figure."

    Parameters
    ----------
    section : {"results", "findings", "figure", "unknown", "change"}
        The section of an indicator page.
    year : int
        The report year.

    Raises
    ------
    KeyError
        For a section not listed above.
    """
    if section not in _NOT_SUBMITTED_SECTIONS:
        raise KeyError(f"unknown section {section!r}: expected one of "
                       f"{', '.join(_NOT_SUBMITTED_SECTIONS)}")
    return f"Not submitted for {year}, so {_NOT_SUBMITTED_SECTIONS[section]}."
