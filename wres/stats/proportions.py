"""Rates with confidence intervals: Wilson, Clopper-Pearson and Jeffreys.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from scipy import special

from wres.core.methods import normalise_method
from wres.stats._common import (
    ArrayLike,
    _check_within,
    _count_column,
    _counts,
    _index,
    _label_column,
    z_value,
)

# --- proportions -------------------------------------------------------------


def wilson_interval(
    numerator: ArrayLike, denominator: ArrayLike, confidence_level: float = 0.95
) -> tuple[np.ndarray, np.ndarray]:
    """Wilson score interval for a proportion; NaN where the denominator is 0."""
    c = _counts(numerator=numerator, denominator=denominator)
    x, n, z = c["numerator"], c["denominator"], z_value(confidence_level)
    with np.errstate(divide="ignore", invalid="ignore"):
        p = x / n
        scale = 1.0 + z * z / n
        centre = (p + z * z / (2.0 * n)) / scale
        half = z * np.sqrt(p * (1.0 - p) / n + z * z / (4.0 * n * n)) / scale
    lower = np.where(x == 0, 0.0, np.clip(centre - half, 0.0, 1.0))
    upper = np.where(x == n, 1.0, np.clip(centre + half, 0.0, 1.0))
    empty = n == 0
    return np.where(empty, np.nan, lower), np.where(empty, np.nan, upper)


def _beta_interval(
    numerator: ArrayLike, denominator: ArrayLike, confidence_level: float, prior: float
) -> tuple[np.ndarray, np.ndarray]:
    """Beta-quantile interval: ``prior`` 0 gives Clopper–Pearson, 0.5 Jeffreys."""
    c = _counts(numerator=numerator, denominator=denominator)
    x, n = c["numerator"], c["denominator"]
    alpha = 1.0 - float(confidence_level)
    z_value(confidence_level)  # validates the level
    with np.errstate(invalid="ignore"):
        lower = special.betaincinv(x + prior, n - x + 1.0 - prior, alpha / 2.0)
        upper = special.betaincinv(x + 1.0 - prior, n - x + prior, 1.0 - alpha / 2.0)
    lower = np.where(x == 0, 0.0, lower)
    upper = np.where(x == n, 1.0, upper)
    empty = n == 0
    return np.where(empty, np.nan, lower), np.where(empty, np.nan, upper)


def clopper_pearson_interval(
    numerator: ArrayLike, denominator: ArrayLike, confidence_level: float = 0.95
) -> tuple[np.ndarray, np.ndarray]:
    """Clopper–Pearson ("exact") interval; NaN where the denominator is 0."""
    return _beta_interval(numerator, denominator, confidence_level, prior=0.0)


def jeffreys_interval(
    numerator: ArrayLike, denominator: ArrayLike, confidence_level: float = 0.95
) -> tuple[np.ndarray, np.ndarray]:
    """Jeffreys interval (Beta(0.5, 0.5) prior); NaN where the denominator is 0.

    As recommended by Brown, Cai and DasGupta (2001) the lower limit is 0 when
    there are no events and the upper limit 1 when everyone has the outcome, so
    the interval always contains the estimate (statsmodels does not do this).
    """
    return _beta_interval(numerator, denominator, confidence_level, prior=0.5)


_PROPORTION_FUNCTIONS = {
    "wilson": wilson_interval,
    "clopper-pearson": clopper_pearson_interval,
    "jeffreys": jeffreys_interval,
}


def proportion_interval(
    numerator: ArrayLike,
    denominator: ArrayLike,
    *,
    method: str = "wilson",
    confidence_level: float = 0.95,
) -> pd.DataFrame:
    """Rate with its confidence interval, one row per count.

    Returns
    -------
    DataFrame
        ``numerator, denominator, rate, rate_lower, rate_upper, rate_method,
        confidence_level``; the rate and limits are NaN where the denominator is
        0 (no one in the group), which is not an error.

    Raises
    ------
    ValueError
        Unknown method, invalid level, negative counts or numerator > denominator.
    """
    method = normalise_method(method, "proportion")
    c = _counts(numerator=numerator, denominator=denominator)
    x, n = c["numerator"], c["denominator"]
    _check_within(x, n, "proportion_interval")
    lower, upper = _PROPORTION_FUNCTIONS[method](x, n, confidence_level)
    with np.errstate(divide="ignore", invalid="ignore"):
        rate = np.where(n == 0, np.nan, x / n)
    frame = pd.DataFrame(
        {
            "numerator": _count_column(numerator, x),
            "denominator": _count_column(denominator, n),
            "rate": rate,
            "rate_lower": lower,
            "rate_upper": upper,
            "rate_method": _label_column(method, x.size),
            "confidence_level": np.full(x.size, float(confidence_level)),
        },
        index=_index(numerator, denominator),
        copy=False,  # every column is a fresh array
    )
    return frame
