"""Relative likelihood (minority ethnic rate / white rate) with its confidence interval.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from wres.core.methods import normalise_method
from wres.stats import ratio_intervals as _ratio_ci
from wres.stats._common import (
    NO_EVENTS_EITHER,
    NO_EVENTS_REFERENCE,
    NO_ONE_GROUP,
    NO_ONE_REFERENCE,
    OK,
    ArrayLike,
    _count_column,
    _index,
    _label_column,
    _status_column,
    two_groups,
    z_value,
)

# --- relative likelihood -----------------------------------------------------


_RATIO_STATUSES = (OK, NO_ONE_GROUP, NO_ONE_REFERENCE, NO_EVENTS_EITHER, NO_EVENTS_REFERENCE)
_NO_EVENTS_REFERENCE_CODE = _RATIO_STATUSES.index(NO_EVENTS_REFERENCE)


def _ratio_status(x1: np.ndarray, n1: np.ndarray, x0: np.ndarray, n0: np.ndarray) -> np.ndarray:
    """Code into ``_RATIO_STATUSES``: 0 ok, else the first reason that applies."""
    codes = np.zeros(x1.shape, dtype=np.int8)
    # every reason needs an empty group or no reference events (counts are <= people)
    rows = np.flatnonzero((n1 == 0) | (x0 == 0))
    if rows.size:
        a1, m1, a0, m0 = x1[rows], n1[rows], x0[rows], n0[rows]
        codes[rows] = np.select(
            [m1 == 0, m0 == 0, (a1 == 0) & (a0 == 0), a0 == 0], [1, 2, 3, 4], default=0
        )
    return codes


def relative_likelihood(
    numerator: ArrayLike,
    denominator: ArrayLike,
    reference_numerator: ArrayLike,
    reference_denominator: ArrayLike,
    *,
    method: str = "katz-log",
    confidence_level: float = 0.95,
) -> pd.DataFrame:
    """Relative likelihood (rate of the group / rate of the reference) with interval.

    SC-WRES puts minority ethnic staff in the numerator and white staff in the
    reference. Where the group has no events but the reference has some, the
    relative likelihood is 0 with lower limit 0; the upper limit is Katz's after
    adding 0.5 to every cell (``katz-log``) or the score bound (score methods).
    Where the reference group has no events but the group has some, no ratio
    can be given (status ``not_computable: no events in the reference group``,
    ``relative_likelihood`` and ``rl_upper`` NaN: unbounded), but ``rl_lower``
    is the finite score lower limit: Koopman's for ``koopman-score``,
    Miettinen-Nurminen's otherwise (Katz has none).

    Returns
    -------
    DataFrame
        ``numerator, denominator, reference_numerator, reference_denominator,
        relative_likelihood, rl_lower, rl_upper, ci_method, confidence_level,
        status``; ``status`` is ``ok`` or ``not_computable: <reason>`` and the
        figures are NaN when not computable (except ``rl_lower`` as above).
    """
    method = normalise_method(method, "ratio")
    z = z_value(confidence_level)
    x1, n1, x0, n0 = two_groups("relative_likelihood", numerator, denominator, reference_numerator,
                                reference_denominator)
    status = _ratio_status(x1, n1, x0, n0)
    ok = status == 0
    if method == "katz-log":  # cheap enough to run on every row, then blank the rest
        estimate, lower, upper = _ratio_ci.katz_log(x1, n1, x0, n0, z)
        if not ok.all():
            for values in (estimate, lower, upper):
                values[~ok] = np.nan
    else:
        estimate, lower, upper = (np.full(x1.shape, np.nan) for _ in range(3))
        a1, m1, a0, m0 = x1[ok], n1[ok], x0[ok], n0[ok]
        estimate[ok] = (a1 / m1) / (a0 / m0)
        lower[ok], upper[ok] = _ratio_ci.score_interval(
            a1, m1, a0, m0, z, miettinen_nurminen=method == "miettinen-nurminen"
        )
    rows = np.flatnonzero(status == _NO_EVENTS_REFERENCE_CODE)
    if rows.size:  # a finite lower limit; the ratio and the upper limit stay NaN
        lower[rows] = _ratio_ci.score_lower_limit_no_reference_events(
            x1[rows], n1[rows], n0[rows], z, miettinen_nurminen=method != "koopman-score"
        )
    return pd.DataFrame(
        {
            "numerator": _count_column(numerator, x1),
            "denominator": _count_column(denominator, n1),
            "reference_numerator": _count_column(reference_numerator, x0),
            "reference_denominator": _count_column(reference_denominator, n0),
            "relative_likelihood": estimate,
            "rl_lower": lower,
            "rl_upper": upper,
            "ci_method": _label_column(method, x1.size),
            "confidence_level": np.full(x1.size, float(confidence_level)),
            "status": _status_column(status, _RATIO_STATUSES),
        },
        index=_index(numerator, denominator, reference_numerator, reference_denominator),
        copy=False,  # every column is a fresh array; skipping the copy halves the time
    )


_SWAPS = (
    ("numerator", "reference_numerator"),
    ("denominator", "reference_denominator"),
    ("rate", "reference_rate"),
    ("rate_lower", "reference_rate_lower"),
    ("rate_upper", "reference_rate_upper"),
    ("group", "reference_group"),
)


def invert_relative_likelihood(frame: pd.DataFrame) -> pd.DataFrame:
    """NHS-style orientation: the reference rate divided by the group's rate.

    The groups swap places (counts, rates and group names where present) and the
    interval is recomputed with each row's own method and level, so zero cells
    get the right status. For computable rows with events in both groups this
    equals ``1 / relative_likelihood`` with limits ``1 / rl_upper, 1 / rl_lower``.
    """
    out = frame.copy()
    for left, right in _SWAPS:
        if left in frame and right in frame:
            out[left], out[right] = frame[right], frame[left]
    for (method, level), rows in out.groupby(["ci_method", "confidence_level"], sort=False):
        again = relative_likelihood(
            rows["numerator"],
            rows["denominator"],
            rows["reference_numerator"],
            rows["reference_denominator"],
            method=str(method),
            confidence_level=float(level),
        )
        for column in ("relative_likelihood", "rl_lower", "rl_upper", "status"):
            out.loc[rows.index, column] = again[column]
    return out
