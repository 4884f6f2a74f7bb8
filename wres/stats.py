"""Rates, relative likelihoods and their confidence intervals for SC-WRES.

Every function is vectorised over numpy arrays or pandas Series (scalars
broadcast) and returns a tidy DataFrame or Series, indexed like the first Series
argument. Each result row carries the method and the confidence level that made
it. Zero and empty cells never raise: they give a ``not_computable: <reason>``
status and NaN figures. The word columns (``status``, ``ci_method``,
``rate_method``) are pandas Categoricals: they compare and ``.str``-match like
text and cost one byte a row. Words for flags, significance and verdicts live in
:mod:`wres._verdicts` and are re-exported here.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd
from scipy import special
from scipy.stats import norm

from wres import _ratio_ci
from wres._verdicts import (
    change_between_years,
    flag_relative_likelihood,
    is_significant,
    verdict,
)
from wres.methods import PROPORTION_METHODS, RATIO_METHODS, normalise_method

__all__ = [
    "PROPORTION_METHODS",
    "RATIO_METHODS",
    "change_between_years",
    "clopper_pearson_interval",
    "flag_relative_likelihood",
    "invert_relative_likelihood",
    "is_significant",
    "jeffreys_interval",
    "normalise_method",
    "proportion_interval",
    "relative_likelihood",
    "share_difference",
    "unknown_bounds",
    "verdict",
    "wilson_interval",
]

OK = "ok"
NO_EVENTS_REFERENCE = "not_computable: no events in the reference group"
NO_EVENTS_EITHER = "not_computable: no events in either group"
NO_ONE_GROUP = "not_computable: no one in the group"
NO_ONE_REFERENCE = "not_computable: no one in the reference group"

ArrayLike = float | int | Sequence[float] | np.ndarray | pd.Series


def _z(confidence_level: float) -> float:
    """Two-sided standard normal quantile for ``confidence_level``."""
    level = float(confidence_level)
    if not 0.0 < level < 1.0:
        raise ValueError(f"confidence_level must be between 0 and 1, got {confidence_level!r}")
    return float(norm.isf((1.0 - level) / 2.0))


def _index(*values: ArrayLike) -> pd.Index | None:
    """Index of the first Series among ``values``, if any."""
    return next((v.index for v in values if isinstance(v, pd.Series)), None)


def _counts(**named: ArrayLike) -> dict[str, np.ndarray]:
    """Broadcast counts to 1-D arrays and check they are counts.

    ``int64`` counts stay ``int64`` (as a private copy, never the caller's
    array), so they can be both the arithmetic's input and the output's count
    column; anything else becomes float. The arithmetic gives the same bits
    either way: numpy converts each integer to float exactly as ``astype`` does.

    Raises
    ------
    ValueError
        Naming the argument and first position of a missing or negative value.
    """
    arrays = np.broadcast_arrays(*(np.atleast_1d(_as_numbers(v)) for v in named.values()))
    checked = {}
    for name, values in zip(named, arrays, strict=True):
        flat = values.ravel()
        if flat.size and not flat.min() >= 0:  # a NaN minimum fails too
            bad = np.flatnonzero(~(flat >= 0))
            raise ValueError(
                f"{name} must be non-negative counts; position {bad[0]} is "
                f"{flat[bad[0]].astype(float)!r}"
            )
        checked[name] = flat
    whole = [name for name, flat in checked.items() if flat.dtype == np.int64]
    if whole:  # copy into one block: one large allocation costs less than several
        block = np.empty((len(whole), arrays[0].size), dtype=np.int64)
        for row, name in zip(block, whole, strict=True):
            row[...] = checked[name]
            checked[name] = row
    return checked


def _as_numbers(values: ArrayLike) -> np.ndarray:
    """``int64`` arrays as they are (no conversion needed), anything else as float."""
    if getattr(values, "dtype", None) == np.int64:
        return np.asarray(values)
    return np.asarray(values, dtype=float)


def _count_column(given: ArrayLike, values: np.ndarray) -> np.ndarray:
    """The counts as given when they were integers, else the checked float array."""
    if values.dtype == np.int64:
        return values  # already a private copy (see `_counts`)
    original = np.asarray(given)
    if original.dtype.kind in "iu" and original.shape == values.shape:
        return original.copy()  # frames are built without copying; never share the caller's
    whole = np.all(values == np.floor(values)) and np.all(values < 2**53)
    return values.astype(np.int64) if whole else values.copy()


def _status_column(codes: np.ndarray, words: tuple[str, ...]) -> pd.Categorical:
    """Status words for integer codes, as a categorical column (fast for a million rows)."""
    return pd.Categorical.from_codes(codes, categories=words)


def _label_column(label: str, size: int) -> pd.Categorical:
    """One label (a method name) for every row, as a one-category categorical column."""
    return pd.Categorical.from_codes(np.zeros(size, dtype=np.int8), categories=[label])


def _check_within(numerator: np.ndarray, denominator: np.ndarray, name: str) -> None:
    """Raise if a numerator exceeds its denominator."""
    over = numerator > denominator
    if over.any():
        bad = np.flatnonzero(over)
        raise ValueError(
            f"{name}: numerator {numerator[bad[0]]:g} exceeds denominator "
            f"{denominator[bad[0]]:g} at position {bad[0]}"
        )


# --- proportions -------------------------------------------------------------


def wilson_interval(
    numerator: ArrayLike, denominator: ArrayLike, confidence_level: float = 0.95
) -> tuple[np.ndarray, np.ndarray]:
    """Wilson score interval for a proportion; NaN where the denominator is 0."""
    c = _counts(numerator=numerator, denominator=denominator)
    x, n, z = c["numerator"], c["denominator"], _z(confidence_level)
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
    _z(confidence_level)  # validates the level
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


# --- relative likelihood -----------------------------------------------------


_RATIO_STATUSES = (OK, NO_ONE_GROUP, NO_ONE_REFERENCE, NO_EVENTS_EITHER, NO_EVENTS_REFERENCE)


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

    Returns
    -------
    DataFrame
        ``numerator, denominator, reference_numerator, reference_denominator,
        relative_likelihood, rl_lower, rl_upper, ci_method, confidence_level,
        status``; ``status`` is ``ok`` or ``not_computable: <reason>`` and the
        figures are NaN when not computable.
    """
    method = normalise_method(method, "ratio")
    z = _z(confidence_level)
    c = _counts(
        numerator=numerator,
        denominator=denominator,
        reference_numerator=reference_numerator,
        reference_denominator=reference_denominator,
    )
    x1, n1 = c["numerator"], c["denominator"]
    x0, n0 = c["reference_numerator"], c["reference_denominator"]
    _check_within(x1, n1, "relative_likelihood (group)")
    _check_within(x0, n0, "relative_likelihood (reference group)")
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
