"""Flags, significance, verdicts in words and change between years.

Private helpers for :mod:`wres.stats`, which re-exports the public functions.
They read relative likelihoods and intervals already computed; which direction
is adverse comes from :attr:`wres.indicators.Indicator.adverse`.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TypeAlias

import numpy as np
import pandas as pd
from scipy.stats import norm

from wres.core.indicators import DEFAULT_THRESHOLDS, Indicator
from wres.core.names import COMPARISON_COUNTS
from wres.stats import ratio_intervals as _ratio_ci
from wres.stats._common import NO_EVENTS_REFERENCE

ADVERSE_VALUES = ("below", "above", "none")
#: Decimal places a relative likelihood is rounded to before comparing with a
#: threshold, so 0.08 / 0.1 = 0.7999999999999999 counts as 0.80.
_THRESHOLD_DECIMALS = 10

AdverseSpec: TypeAlias = str | Indicator | Sequence[str] | pd.Series


def _series(values, index=None) -> pd.Series:
    """Values as a float Series (keeping a Series' own index)."""
    if isinstance(values, pd.Series):
        return values.astype(float)
    return pd.Series(np.atleast_1d(np.asarray(values, dtype=float)), index=index)


def _check_thresholds(thresholds: tuple[float, float]) -> tuple[float, float]:
    low, high = (float(t) for t in thresholds)
    if not 0 < low < high:
        raise ValueError(f"thresholds must satisfy 0 < low < high, got {thresholds!r}")
    return low, high


def _adverse(adverse: AdverseSpec, size: int) -> np.ndarray:
    """AdverseSpec direction per row from a word, an Indicator or a sequence of words."""
    if isinstance(adverse, Indicator):
        adverse = adverse.adverse
    values = np.broadcast_to(np.asarray(adverse, dtype=object), (size,))
    unknown = sorted({str(v) for v in values} - set(ADVERSE_VALUES))
    if unknown:
        raise ValueError(f"adverse must be one of {ADVERSE_VALUES}, got {unknown}")
    return values


def flag_relative_likelihood(
    rl, thresholds: tuple[float, float] = DEFAULT_THRESHOLDS
) -> pd.Series:
    """``below`` (RL < low), ``within``, ``above`` (RL > high), ``""`` if not computable.

    The thresholds themselves count as within.
    """
    low, high = _check_thresholds(thresholds)
    values = _series(rl)
    rounded = values.round(_THRESHOLD_DECIMALS).to_numpy()
    flag = np.select(
        [np.isnan(rounded), rounded < low, rounded > high], ["", "below", "above"], "within"
    )
    return pd.Series(flag, index=values.index, dtype="str", name="flag")


def is_significant(rl_lower, rl_upper) -> pd.Series:
    """Whether the interval excludes 1 (nullable boolean, NA where not computable)."""
    lower = _series(rl_lower)
    upper = _series(rl_upper, index=lower.index).to_numpy()
    lower_values = lower.to_numpy()
    result = pd.array((lower_values > 1) | (upper < 1), dtype="boolean")
    result[np.isnan(lower_values) | np.isnan(upper)] = pd.NA
    return pd.Series(result, index=lower.index, name="significant")


def verdict(
    rl,
    rl_lower,
    rl_upper,
    adverse: AdverseSpec,
    status=None,
    thresholds: tuple[float, float] = DEFAULT_THRESHOLDS,
    *,
    group: str = "minority ethnic staff",
    significant=None,
) -> pd.Series:
    """The result in words, knowing which side of 1 is adverse for the indicator.

    Examples: "adverse to minority ethnic staff and significantly different from 1",
    "favours minority ethnic staff but not significantly different from 1",
    "within the 0.80–1.25 range", "not computable: no events in either group".
    With ``adverse="none"`` the words are "above/below the 0.80–1.25 range". The
    test is against 1 (no difference), never against a threshold.

    ``significant`` (one value per row, NA where unknown) overrides whether the
    interval excludes 1: an adjusted test, or the exact test where the reference
    group has no events. Those rows, when their significance is known, read
    e.g. "adverse to minority ethnic staff and significant by the exact test;
    no ratio: no events in the reference group".
    """
    low, high = _check_thresholds(thresholds)
    values = _series(rl)
    size = len(values)
    flag = flag_relative_likelihood(values, thresholds).to_numpy()
    known = _significance(rl_lower, rl_upper, significant, values.index)
    sig = known.fillna(False).to_numpy(dtype=bool)
    sides = _adverse(adverse, size)
    span = f"{low:.2f}–{high:.2f} range"
    outside = np.where(
        sides == "none",
        np.char.add(flag.astype(str), f" the {span}"),
        np.where(flag == sides, f"adverse to {group}", f"favours {group}"),
    ).astype(object)
    tail = np.where(sig, " and significantly different from 1",
                    " but not significantly different from 1")
    words = np.where(flag == "within", f"within the {span}", outside + tail)
    not_ok = flag == ""
    reasons = np.full(size, "not computable", dtype=object)
    if status is not None:
        given = pd.Series(np.broadcast_to(np.asarray(status, dtype=object), (size,)), dtype="str")
        not_ok |= (given != "ok").to_numpy()
        explained = given.str.startswith("not_computable").to_numpy()
        worded = given.str.replace("not_computable", "not computable", regex=False)
        reasons = np.where(explained, worded.to_numpy(dtype=object), reasons)
        tested = ((given == NO_EVENTS_REFERENCE).to_numpy() & known.notna().to_numpy())
        higher = np.where(sides == "none", "more likely than the reference group",
                          np.where(sides == "above", f"adverse to {group}", f"favours {group}"))
        exact = np.char.add(higher.astype(str), np.where(
            sig, " and significant by the exact test", " but not significant by the exact test"))
        reasons = np.where(tested, np.char.add(exact, "; no ratio: no events in the reference "
                                               "group").astype(object), reasons)
    words = np.where(not_ok, reasons, words)
    return pd.Series(words, index=values.index, dtype="str", name="verdict")


def _significance(rl_lower, rl_upper, significant, index: pd.Index) -> pd.Series:
    """Whether each row is significant: given, else whether its interval excludes 1."""
    if significant is None:
        return is_significant(rl_lower, rl_upper).set_axis(index)
    given = pd.array(np.broadcast_to(np.asarray(significant, dtype=object), (len(index),)),
                     dtype="boolean")
    return pd.Series(given, index=index, name="significant")


def _log_se(frame: pd.DataFrame) -> np.ndarray:
    """Standard error of log RL per row: from counts for Katz, else the interval width."""
    z = norm.isf((1.0 - frame["confidence_level"].to_numpy(dtype=float)) / 2.0)
    with np.errstate(divide="ignore", invalid="ignore"):
        from_width = (np.log(frame["rl_upper"]) - np.log(frame["rl_lower"])).to_numpy() / (2 * z)
    from_counts = _ratio_ci.katz_log_se(
        *(frame[c].to_numpy(dtype=float) for c in
          COMPARISON_COUNTS)
    )
    return np.where(frame["ci_method"].to_numpy() == "katz-log", from_counts, from_width)


def change_between_years(
    current: pd.DataFrame,
    previous: pd.DataFrame,
    *,
    confidence_level: float = 0.95,
    adverse: AdverseSpec = "above",
) -> pd.DataFrame:
    """Ratio of this year's RL to last year's, with interval, p-value and verdict.

    The two years are treated as independent samples: the log ratio has variance
    equal to the sum of each year's log-RL variance (from the counts for Katz,
    from the interval width for score methods). For stock measures (indicators
    1 and 9: who is in a pay band or a senior post), largely the same staff are
    counted in both years, so the two years' figures move together and the true
    variance of the change is smaller than that sum: the test is conservative
    there (real changes are found significant less often than the level says).
    ``change`` is "improved", "worsened" or "no significant change"
    (``adverse="none"``: "increased", "decreased"), or "not computable: ..."
    where a year has no usable RL (not computable, or 0, whose log is undefined).

    Parameters
    ----------
    current, previous : DataFrame
        :func:`wres.stats.relative_likelihood` frames aligned row by row.
    """
    if len(current) != len(previous):
        raise ValueError(f"current has {len(current)} rows but previous has {len(previous)}")
    z = float(norm.isf((1.0 - confidence_level) / 2.0))
    rl_now = current["relative_likelihood"].to_numpy(dtype=float)
    rl_then = previous["relative_likelihood"].to_numpy(dtype=float)
    with np.errstate(divide="ignore", invalid="ignore"):
        log_ratio = np.log(rl_now) - np.log(rl_then)
        se = np.hypot(_log_se(current), _log_se(previous))
        stat = np.where(se > 0, log_ratio / se, np.where(log_ratio == 0, 0.0, np.inf))
    usable_now, usable_then = rl_now > 0, rl_then > 0
    usable = usable_now & usable_then & np.isfinite(se)
    p_value = np.where(usable, 2 * norm.sf(np.abs(stat)), np.nan)
    significant = p_value < 1 - confidence_level
    sides = _adverse(adverse, len(current))
    above = sides == "above"
    up = np.where(sides == "none", "increased", np.where(above, "worsened", "improved"))
    down = np.where(sides == "none", "decreased", np.where(above, "improved", "worsened"))
    change = np.where(significant, np.where(log_ratio > 0, up, down), "no significant change")
    change = np.where(usable_then, change, "not computable: no relative likelihood last year")
    change = np.where(usable_now, change, "not computable: no relative likelihood this year")
    change = np.where(usable_now & usable_then & ~np.isfinite(se),
                      "not computable: no standard error", change)
    with np.errstate(invalid="ignore"):
        limits = [np.where(usable, np.exp(log_ratio + k * z * se), np.nan) for k in (0, -1, 1)]
    return pd.DataFrame(
        {
            "rl_ratio": limits[0],
            "rl_ratio_lower": limits[1],
            "rl_ratio_upper": limits[2],
            "p_value": p_value,
            "change": pd.array(change, dtype="str"),
            "ci_method": "log-ratio-normal",
            "confidence_level": float(confidence_level),
        },
        index=current.index,
    )
