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

    Newcombe's method treats the two shares as independent samples. For a part
    against the whole that contains it (senior managers against the whole
    workforce) use :func:`nested_share_difference`, which compares the part
    with the rest.

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


def nested_share_difference(
    part_numerator: ArrayLike,
    part_denominator: ArrayLike,
    whole_numerator: ArrayLike,
    whole_denominator: ArrayLike,
    *,
    confidence_level: float = 0.95,
) -> pd.DataFrame:
    """A part's share minus the share in the whole that contains it, with its interval.

    For indicator 9: the minority share of senior managers (the part, S) minus
    the minority share of the whole workforce (W), of staff whose ethnicity is
    known. S is inside W, so the two shares are not independent; the rest of the
    workforce R = W - S is disjoint from S, and

        p_S - p_W = (1 - n_S / n_W) (p_S - p_R),

    so the difference is the disjoint difference scaled by the rest's part of
    the whole, and its interval is Newcombe's interval for S against R
    (:func:`share_difference`) scaled by the same factor.

    Returns
    -------
    DataFrame
        ``share`` (p_S), ``whole_share`` (p_W), ``rest_share`` (p_R),
        ``difference``, ``difference_lower``, ``difference_upper`` (proportions),
        ``ci_method`` (``newcombe-rest``), ``confidence_level`` and ``status``
        (``ok``, or ``not_computable: no one in the group`` where the part is
        empty, ``... no one in the rest`` where the part is the whole).

    Raises
    ------
    ValueError
        If a numerator exceeds its denominator, in the part or in the rest.
    """
    c = _counts(
        part_numerator=part_numerator,
        part_denominator=part_denominator,
        whole_numerator=whole_numerator,
        whole_denominator=whole_denominator,
    )
    xs, ns = c["part_numerator"], c["part_denominator"]
    xw, nw = c["whole_numerator"], c["whole_denominator"]
    _check_within(xs, ns, "nested_share_difference (part)")
    for part, whole, name in ((xs, xw, "numerator"), (ns, nw, "denominator")):
        _check_within(part, whole, f"nested_share_difference (part {name} within the whole)")
    xr, nr = xw - xs, nw - ns
    _check_within(xr, nr, "nested_share_difference (rest)")
    apart = share_difference(xs, ns, xr, nr, confidence_level=confidence_level)
    with np.errstate(divide="ignore", invalid="ignore"):
        factor = nr / nw
        whole_share = xw / nw
    status = np.select([ns == 0, nr == 0], [1, 2], default=0).astype(np.int8)
    computable = status == 0
    frame = pd.DataFrame(
        {
            "share": apart["share"].to_numpy(),
            "whole_share": whole_share,
            "rest_share": apart["comparison_share"].to_numpy(),
            **{column: np.where(computable, factor * apart[column].to_numpy(), np.nan)
               for column in ("difference", "difference_lower", "difference_upper")},
        },
        index=_index(part_numerator, part_denominator, whole_numerator, whole_denominator),
    )
    frame["ci_method"] = _label_column("newcombe-rest", xs.size)
    frame["confidence_level"] = float(confidence_level)
    frame["status"] = _status_column(
        status, (OK, NO_ONE_GROUP, "not_computable: no one in the rest")
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
    """Unknown-ethnicity rate, the RL if every unknown were white or minority, and its range.

    The two scenarios show how far unrecorded ethnicity could move the ratio
    when the unknown staff all belong to one side. The *range if ethnicity were
    known* goes further: the smallest and largest RL over every allocation of
    the unknown staff, their events and non-events allocated separately (so
    between the group, white staff and, for a broad group, the other groups).
    The RL rises with each unknown event counted in the group and each unknown
    non-event counted as white (the group's rate rises, white staff's falls),
    and falls with the reverse, whatever the rest of the allocation; so the
    largest RL puts every unknown event in the group and every unknown
    non-event among white staff, and the smallest the opposite.

    NaN where a ratio is not computable (no one, or no events, in its
    reference group). The range is NaN where either group compared has no one
    in it, and where no allocation gives white staff an event; otherwise
    ``rl_range_lower`` is finite, and ``rl_range_upper`` is NaN only where white
    staff have no events of their own while the group or the unknown staff
    have some: the ratio is then unbounded.

    Returns
    -------
    DataFrame
        ``unknown_rate, rl_if_unknown_white, rl_if_unknown_minority,
        rl_range_lower, rl_range_upper``.
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
    compared = (n1 > 0) & (n0 > 0)  # the range is of a comparison that exists
    return pd.DataFrame(
        {
            "unknown_rate": unknown_rate,
            "rl_if_unknown_white": ratio(x1, n1, x0 + xu, n0 + nu),
            "rl_if_unknown_minority": ratio(x1 + xu, n1 + nu, x0, n0),
            "rl_range_lower": np.where(compared, ratio(x1, n1 + (nu - xu), x0 + xu, n0 + xu),
                                       np.nan),
            "rl_range_upper": np.where(compared, ratio(x1 + xu, n1 + xu, x0, n0 + (nu - xu)),
                                       np.nan),
        },
        index=_index(numerator, denominator, reference_numerator, reference_denominator,
                     unknown_numerator, unknown_denominator),
    )
