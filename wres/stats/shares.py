"""Differences between shares, and the relative likelihood if unknown ethnicity were known.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from wres.stats._common import (
    NO_ONE_GROUP,
    OK,
    ArrayLike,
    _check_within,
    _counts,
    _index,
    _label_column,
    _status_column,
)
from wres.stats.proportions import wilson_interval

# --- shares and unknown ethnicity ---------------------------------------------


def share_difference(
    group_numerator: ArrayLike,
    group_denominator: ArrayLike,
    comparison_numerator: ArrayLike,
    comparison_denominator: ArrayLike,
    *,
    confidence_level: float = 0.95,
) -> pd.DataFrame:
    """Difference of two shares with Newcombe's hybrid score interval.

    For indicator 9: the minority share of senior managers minus the minority
    share of the whole workforce. Newcombe's method treats the two shares as
    independent; senior managers are part of the workforce, so the interval is
    slightly conservative when they are a large part of it.

    Returns
    -------
    DataFrame
        ``share, comparison_share, difference, difference_lower,
        difference_upper, ci_method, confidence_level, status`` (proportions;
        multiply by 100 for percentage points). NaN with a status where a
        denominator is 0.
    """
    c = _counts(
        group_numerator=group_numerator,
        group_denominator=group_denominator,
        comparison_numerator=comparison_numerator,
        comparison_denominator=comparison_denominator,
    )
    x1, n1 = c["group_numerator"], c["group_denominator"]
    x2, n2 = c["comparison_numerator"], c["comparison_denominator"]
    _check_within(x1, n1, "share_difference (group)")
    _check_within(x2, n2, "share_difference (comparison)")
    low1, upp1 = wilson_interval(x1, n1, confidence_level)
    low2, upp2 = wilson_interval(x2, n2, confidence_level)
    with np.errstate(divide="ignore", invalid="ignore"):
        p1, p2 = x1 / n1, x2 / n2
    difference = p1 - p2
    frame = pd.DataFrame(
        {
            "share": p1,
            "comparison_share": p2,
            "difference": difference,
            "difference_lower": difference - np.hypot(p1 - low1, upp2 - p2),
            "difference_upper": difference + np.hypot(upp1 - p1, p2 - low2),
        },
        index=_index(group_numerator, group_denominator, comparison_numerator,
                     comparison_denominator),
    )
    frame["ci_method"] = _label_column("newcombe", x1.size)
    frame["confidence_level"] = float(confidence_level)
    status = np.select([n1 == 0, n2 == 0], [1, 2], default=0).astype(np.int8)
    frame["status"] = _status_column(
        status, (OK, NO_ONE_GROUP, "not_computable: no one in the comparison group")
    )
    return frame


def unknown_bounds(
    numerator: ArrayLike,
    denominator: ArrayLike,
    reference_numerator: ArrayLike,
    reference_denominator: ArrayLike,
    unknown_numerator: ArrayLike,
    unknown_denominator: ArrayLike,
) -> pd.DataFrame:
    """Unknown-ethnicity rate and the RL if every unknown were white or minority.

    The two scenarios show how far unrecorded ethnicity could move the ratio
    when the unknown staff all belong to one side. NaN where a scenario's ratio
    is not computable (no one, or no events, in its reference group).

    Returns
    -------
    DataFrame
        ``unknown_rate, rl_if_unknown_white, rl_if_unknown_minority``.
    """
    c = _counts(
        numerator=numerator,
        denominator=denominator,
        reference_numerator=reference_numerator,
        reference_denominator=reference_denominator,
        unknown_numerator=unknown_numerator,
        unknown_denominator=unknown_denominator,
    )
    x1, n1 = c["numerator"], c["denominator"]
    x0, n0 = c["reference_numerator"], c["reference_denominator"]
    xu, nu = c["unknown_numerator"], c["unknown_denominator"]
    for a, b, name in ((x1, n1, "group"), (x0, n0, "reference group"), (xu, nu, "unknown")):
        _check_within(a, b, f"unknown_bounds ({name})")

    def ratio(a1, m1, a0, m0):
        with np.errstate(divide="ignore", invalid="ignore"):
            value = (a1 / m1) / (a0 / m0)
        return np.where((m1 > 0) & (m0 > 0) & (a0 > 0), value, np.nan)

    with np.errstate(divide="ignore", invalid="ignore"):
        unknown_rate = np.where(nu > 0, xu / nu, np.nan)
    return pd.DataFrame(
        {
            "unknown_rate": unknown_rate,
            "rl_if_unknown_white": ratio(x1, n1, x0 + xu, n0 + nu),
            "rl_if_unknown_minority": ratio(x1 + xu, n1 + nu, x0, n0),
        },
        index=_index(numerator, denominator, reference_numerator, reference_denominator,
                     unknown_numerator, unknown_denominator),
    )
