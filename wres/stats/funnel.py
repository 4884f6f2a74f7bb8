"""Funnel-plot benchmarking of authorities against the pooled national value.

Control limits at 95% and 99.8% around a national target as a function of
precision (Spiegelhalter 2005, *Funnel plots for comparing institutional
performance*), for proportions and for log relative likelihoods; overdispersion
from Winsorised or truncated z-scores and additive random-effects widening
(Spiegelhalter 2005, *Handling over-dispersion of performance indicators*); and
each authority's position in words. The z-scores of relative likelihoods under
the national value are in `wres.stats.funnel_ratios`.

Scales: ``target`` and limits named ``lower_*``/``upper_*`` are on the reported
scale (a proportion, or a relative likelihood); ``log_lower_*``/``log_upper_*``
are on the log scale, where relative likelihoods are approximately normal and
where overdispersion is estimated.

"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Literal

import numpy as np
import pandas as pd
from numpy.typing import ArrayLike
from scipy import stats

from wres.stats._common import z_value

Kind = Literal["proportion", "log_ratio"]

#: Funnel levels used by PHE/UKHSA: 95% ("warning") and 99.8% ("alarm").
LEVELS: tuple[float, ...] = (0.95, 0.998)
ADJUSTED = "random-effects adjusted"
UNADJUSTED = "unadjusted"
NOT_ASSESSED = "not assessed"


def level_suffix(level: float) -> str:
    """Column suffix for a level: 0.95 -> ``95``, 0.998 -> ``998``."""
    return f"{level * 100:g}".replace(".", "")


def _exact_binomial_limit(n: np.ndarray, p0: float, prob: float) -> np.ndarray:
    """Interpolated binomial quantile / n (Spiegelhalter 2005, appendix A.1.1)."""
    r = stats.binom.ppf(prob, n, p0)
    f_r = stats.binom.cdf(r, n, p0)
    f_below = stats.binom.cdf(r - 1, n, p0)
    alpha = (f_r - prob) / (f_r - f_below)
    return (r - alpha) / n


def funnel_limits(
    denominator_or_se: ArrayLike,
    target: float,
    *,
    kind: Kind = "proportion",
    levels: Sequence[float] = LEVELS,
    tau2: float = 0.0,
    method: Literal["normal", "exact"] = "normal",
) -> pd.DataFrame:
    """Funnel control limits around ``target`` for each precision given.

    Parameters
    ----------
    denominator_or_se : array-like
        Denominators ``n`` for ``kind="proportion"``; standard errors of the log
        relative likelihood for ``kind="log_ratio"``.
    target : float
        National proportion ``p0``, or national relative likelihood (not its log).
    kind : {"proportion", "log_ratio"}
        Proportions: ``p0 +- z*sqrt(p0(1-p0)/n + tau2)``, clipped to [0, 1]. With
        ``tau2 = 0`` these are PHE's proportion funnel limits (PHEindicatormethods
        ``calculate_funnel_limits``): the proportion whose Wilson score interval at
        that level just reaches ``p0``.
        Log ratios: ``log(target) +- z*sqrt(se**2 + tau2)``, also given as RLs.
    levels : sequence of float
        Two-sided coverage of each pair of limits.
    tau2 : float
        Between-authority variance added for overdispersion (0 = unadjusted).
    method : {"normal", "exact"}
        For proportions only: the normal approximation, or interpolated exact
        binomial quantiles (needs ``tau2 == 0``).

    Returns
    -------
    DataFrame
        One row per input value: ``denominator`` (proportions), ``se``,
        ``precision`` (1/se**2), ``target``, ``tau2``, ``method`` and
        ``lower_<level>``/``upper_<level>``, plus ``log_lower_*``/``log_upper_*``
        for log ratios.
    """
    x = np.atleast_1d(np.asarray(denominator_or_se, dtype=float))
    if tau2 < 0 or not np.isfinite(tau2):
        raise ValueError(f"tau2 must be a finite number >= 0, got {tau2}")
    if kind == "proportion":
        if not 0 < target < 1:
            raise ValueError(f"target proportion must be strictly between 0 and 1, got {target}")
        if np.any(x <= 0):
            raise ValueError("denominators must be positive")
        if method == "exact" and tau2 > 0:
            raise ValueError("exact binomial limits cannot include tau2; use method='normal'")
        se = np.sqrt(target * (1 - target) / x)
        out = pd.DataFrame({"denominator": x, "se": se})
        center = target
    elif kind == "log_ratio":
        if not target > 0:
            raise ValueError(f"target is a relative likelihood and must be > 0, got {target}")
        if method != "normal":
            raise ValueError("log-ratio limits use the normal approximation only")
        if np.any(x <= 0):
            raise ValueError("standard errors must be positive")
        se = x
        out = pd.DataFrame({"se": se})
        center = float(np.log(target))
    else:
        raise ValueError(f"kind must be 'proportion' or 'log_ratio', got {kind!r}")
    out["precision"] = 1 / se**2
    out["target"] = target
    out["tau2"] = tau2
    out["method"] = method
    spread = np.sqrt(se**2 + tau2)
    for level in levels:
        z, sfx = z_value(level), level_suffix(level)
        lower, upper = center - z * spread, center + z * spread
        if kind == "log_ratio":
            out[f"log_lower_{sfx}"], out[f"log_upper_{sfx}"] = lower, upper
            lower, upper = np.exp(lower), np.exp(upper)
        elif method == "exact":
            tail = (1 - level) / 2
            lower = _exact_binomial_limit(x, target, tail)
            upper = _exact_binomial_limit(x, target, 1 - tail)
        else:
            lower, upper = np.clip(lower, 0, 1), np.clip(upper, 0, 1)
        out[f"lower_{sfx}"], out[f"upper_{sfx}"] = lower, upper
    return out


def funnel_curve(
    target: float,
    size_range: tuple[float, float],
    *,
    kind: Kind = "log_ratio",
    tau2: float = 0.0,
    levels: Sequence[float] = LEVELS,
    points: int = 200,
) -> pd.DataFrame:
    """Smooth funnel limits for plotting, on a geometric grid over ``size_range``.

    ``size_range`` is (smallest, largest) standard error for log ratios, or
    denominator for proportions. Returns the :func:`funnel_limits` frame.
    """
    low, high = size_range
    if not 0 < low < high:
        raise ValueError(f"size_range must be increasing positive numbers, got {size_range}")
    grid = np.geomspace(low, high, points)
    return funnel_limits(grid, target, kind=kind, levels=levels, tau2=tau2)


def winsorised_normal_second_moment(winsor: float) -> float:
    """E[Z_w**2] for a standard normal Winsorised at its ``winsor`` quantiles."""
    if winsor == 0:
        return 1.0
    c = float(stats.norm.ppf(1 - winsor))
    inner = (1 - 2 * winsor) - 2 * c * float(stats.norm.pdf(c))
    return inner + 2 * winsor * c**2


def _truncated_normal_second_moment(share: float) -> float:
    """E[Z**2] for a standard normal with ``share`` cut off each tail (0.438 at 10%)."""
    if share == 0:
        return 1.0
    c = float(stats.norm.ppf(1 - share))
    return 1 - 2 * c * float(stats.norm.pdf(c)) / (1 - 2 * share)


def dersimonian_laird_tau2(phi: float, se: ArrayLike) -> float:
    """Moment estimate of between-authority variance from an overdispersion factor.

    ``tau2 = max(0, (I*phi - (I-1)) / (sum(w) - sum(w**2)/sum(w)))``, ``w = 1/se**2``
    (Spiegelhalter 2005, eq. 4; DerSimonian & Laird 1986).
    """
    w = 1 / np.asarray(se, dtype=float) ** 2
    n = w.size
    denom = w.sum() - (w**2).sum() / w.sum()
    return float(max(0.0, (n * phi - (n - 1)) / denom))


#: How overdispersion is estimated and when the limits are widened.
#: ``spiegelhalter``: the published method (Spiegelhalter 2005; FunnelPlotR; SHMI): phi is the
#: mean square of the Winsorised (or truncated) z-scores as they are, and tau2 is added whenever
#: ``I*phi > I - 1``. ``corrected``: phi divided by its value for a Winsorised standard normal
#: (0.679 at 10%) and tau2 added only when the chi-squared test has p < 0.05 (kept for
#: sensitivity analyses; it was the default before).
OVERDISPERSION_METHODS: tuple[str, ...] = ("spiegelhalter", "corrected")
Trimming = Literal["winsorise", "truncate"]


@dataclass(frozen=True)
class OverdispersionResult:
    """Overdispersion test and between-authority variance.

    ``chi2 = n*phi`` is compared with chi-squared on ``df = n - 1``. ``tau2``
    is the DerSimonian-Laird estimate when ``overdispersed``, else 0. ``n`` is
    the number of z-scores given; ``used`` those left after truncation.
    """

    phi: float
    chi2: float
    df: int
    p_value: float
    tau2: float
    overdispersed: bool
    n: int
    winsor: float
    method: str = "spiegelhalter"
    trimming: str = "winsorise"
    used: int = 0


def truncated(z: np.ndarray, share: float) -> np.ndarray:
    """The z-scores left after cutting ``share`` off each tail, as SHMI does.

    Z-scores are ranked (ties averaged) and put in ``k = 1/share`` groups by
    ``floor(rank * k / (I + 1))``; the lowest and highest groups are dropped
    (NHS England's SHMI specification, also FunnelPlotR). With six z-scores and
    10% nothing is dropped.
    """
    if share == 0:
        return z
    groups = np.floor(stats.rankdata(z) * (1 / share) / (z.size + 1))
    return z[(groups > 0) & (groups < 1 / share - 1)]


def overdispersion(
    z: ArrayLike,
    se: ArrayLike,
    *,
    method: str = "spiegelhalter",
    trim: float = 0.10,
    trimming: Trimming = "winsorise",
    alpha: float = 0.05,
) -> OverdispersionResult:
    """Overdispersion factor phi from z-scores, and the between-authority variance tau2.

    Parameters
    ----------
    z : array-like
        Each authority's z-score against the national value (under the null).
    se : array-like
        Standard errors on the scale where tau2 is added (the log relative
        likelihood here); they weight the DerSimonian-Laird estimate.
    method : {"spiegelhalter", "corrected"}
        See :data:`OVERDISPERSION_METHODS`.
    trim, trimming : float, {"winsorise", "truncate"}
        Share of z-scores pulled in to the percentile at each tail (Winsorised,
        Spiegelhalter 2005) or dropped (truncated, SHMI).
    alpha : float
        For ``corrected``: widen only when the chi-squared test has ``p < alpha``.
    """
    z, se = np.asarray(z, dtype=float), np.asarray(se, dtype=float)
    if method not in OVERDISPERSION_METHODS:
        raise ValueError(f"method must be one of {OVERDISPERSION_METHODS}, got {method!r}")
    if z.shape != se.shape:
        raise ValueError(f"z and se differ in length: {z.size} and {se.size}")
    if z.size < 2:
        raise ValueError("overdispersion needs at least two authorities")
    if not (np.all(np.isfinite(z)) and np.all(np.isfinite(se)) and np.all(se > 0)):
        raise ValueError("z must be finite and se finite and positive")
    if not 0 <= trim < 0.5:
        raise ValueError(f"trim must be in [0, 0.5), got {trim}")
    if trimming == "truncate":
        kept = truncated(z, trim)
    elif trimming == "winsorise":
        low, high = np.quantile(z, [trim, 1 - trim])
        kept = np.clip(z, low, high)
    else:
        raise ValueError(f"trimming must be 'winsorise' or 'truncate', got {trimming!r}")
    phi = float(np.mean(kept**2))
    corrected = method == "corrected"
    if corrected:  # what the same trimming leaves of a standard normal's mean square
        phi /= (winsorised_normal_second_moment(trim) if trimming == "winsorise"
                else _truncated_normal_second_moment(trim))
    n = z.size
    chi2 = n * phi
    p_value = float(stats.chi2.sf(chi2, n - 1))
    overdispersed = bool(chi2 > n - 1 and (p_value < alpha or not corrected))
    tau2 = dersimonian_laird_tau2(phi, se) if overdispersed else 0.0
    return OverdispersionResult(phi, chi2, n - 1, p_value, tau2, overdispersed, n, trim,
                                method, trimming, int(kept.size))


def winsorised_overdispersion(
    y: ArrayLike,
    se: ArrayLike,
    target: float,
    *,
    winsor: float = 0.10,
    alpha: float = 1.0,
    consistency: bool = False,
) -> OverdispersionResult:
    """Test for overdispersion from Winsorised z-scores ``(y - target) / se``, and tau2.

    The defaults are the published method (Spiegelhalter 2005): phi uncorrected,
    random effects whenever ``n*phi > n-1``. ``consistency=True`` divides phi by
    its value for a Winsorised standard normal (0.679 at 10%); ``alpha < 1`` also
    requires the chi-squared test to have ``p < alpha``.
    """
    y, se = np.asarray(y, dtype=float), np.asarray(se, dtype=float)
    if y.shape != se.shape:
        raise ValueError(f"y and se differ in length: {y.size} and {se.size}")
    if not (np.all(np.isfinite(y)) and np.all(np.isfinite(se)) and np.all(se > 0)):
        raise ValueError("y must be finite and se finite and positive")
    z = (y - target) / se
    result = overdispersion(z, se, trim=winsor,
                            method="corrected" if consistency else "spiegelhalter")
    overdispersed = bool(result.chi2 > result.df and result.p_value < alpha)
    tau2 = dersimonian_laird_tau2(result.phi, se) if overdispersed else 0.0
    return OverdispersionResult(result.phi, result.chi2, result.df, result.p_value, tau2,
                                overdispersed, result.n, winsor, result.method)


def position_from_z(z: ArrayLike, levels: Sequence[float] = LEVELS) -> np.ndarray:
    """'within limits', 'above 95% limit', 'below 99.8% limit'... from z-scores.

    The widest level whose two-sided normal quantile ``z`` passes names the
    position; missing z-scores are 'not assessed'.
    """
    zs = np.asarray(z, dtype=float)
    words = np.where(np.isnan(zs), NOT_ASSESSED, "within limits").astype(object)
    for level in sorted(levels):
        pct, bound = f"{level * 100:g}%", z_value(level)
        words[zs > bound] = f"above {pct} limit"
        words[zs < -bound] = f"below {pct} limit"
    return words


def position_words(
    estimate: ArrayLike, limits: pd.DataFrame, levels: Sequence[float] = LEVELS
) -> np.ndarray:
    """'within limits', 'above 95% limit', 'below 99.8% limit'... for each estimate.

    ``limits`` holds ``lower_<level>``/``upper_<level>`` on the scale of ``estimate``;
    the widest limit crossed names the position. Missing estimates are 'not assessed'.
    """
    est = np.asarray(estimate, dtype=float)
    words = np.where(np.isnan(est), NOT_ASSESSED, "within limits").astype(object)
    for level in sorted(levels):
        sfx, pct = level_suffix(level), f"{level * 100:g}%"
        words[est > limits[f"upper_{sfx}"].to_numpy()] = f"above {pct} limit"
        words[est < limits[f"lower_{sfx}"].to_numpy()] = f"below {pct} limit"
    return words


def funnel_positions(
    frame: pd.DataFrame,
    target: float,
    *,
    kind: Kind = "log_ratio",
    estimate: str = "relative_likelihood",
    size: str = "se",
    tau2: float = 0.0,
    levels: Sequence[float] = LEVELS,
) -> pd.DataFrame:
    """Add funnel limits and a ``position`` in words to each row of ``frame``.

    ``estimate`` names the column of relative likelihoods (or proportions) and
    ``size`` the column of log-RL standard errors (or denominators).
    """
    missing = {estimate, size} - set(frame.columns)
    if missing:
        raise KeyError(f"funnel_positions: frame has no column(s) {sorted(missing)}")
    limits = funnel_limits(frame[size], target, kind=kind, levels=levels, tau2=tau2)
    cols = [c for c in limits.columns if c.startswith(("lower_", "upper_"))]
    out = frame.reset_index(drop=True).copy()
    for col in cols:
        out[col] = limits[col].to_numpy()
    out["position"] = position_words(out[estimate], limits, levels)
    return out


def level_suffixes(frame: pd.DataFrame) -> list[str]:
    """Suffixes of the funnel limits in ``frame`` (``95``, ``998``), narrowest first."""
    suffixes = [c.removeprefix("lower_") for c in frame.columns
                if c.startswith("lower_") and not c.endswith("_unadjusted")]
    return sorted(suffixes, key=lambda s: float(s[:2] + "." + s[2:]))
