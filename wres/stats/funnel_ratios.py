"""Each authority's relative likelihood tested against the national one, for funnel plots.

The null hypothesis for an authority is that, within it, minority ethnic staff are
``R`` times as likely as white staff to have the outcome, ``R`` the national relative
likelihood. The authority's own white rate is a nuisance. Given the number of its
staff who had the outcome, ``T = x1 + x0``, the number of them who are minority
ethnic, ``O = x1``, follows Fisher's noncentral hypergeometric distribution (the one
behind Fisher's exact test) with the odds ratio that ``R`` implies at the
authority's white rate, ``psi = R (1 - p0) / (1 - R p0)``, ``p0`` being the white
rate estimated under the null (Miettinen and Nurminen 1985). For rare outcomes this
is binomial: ``O ~ Bin(T, R n1 / (R n1 + n0))``.

The mean of that distribution is the expected count ``E``, so ``O / E`` is the
indirectly standardised ratio (1 when the authority matches the national value).
The z-score is ``(O - E) / sqrt(V)`` corrected for the skewness ``g`` of the same
distribution (first-order Cornish-Fisher, as in the skewness-corrected score of
Gart and Nam 1988 and Laud 2017): ``Z`` solves ``(O - E)/sqrt(V) = Z + g (Z**2 - 1)/6``.
Every quantity comes from the null, never from the authority's observed ratio, so
an authority with no minority ethnic events (RL 0) or no white events (no RL) has a
z-score like any other, and both tails of the funnel keep close to their nominal
share when few events are expected (``bench/funnel_simulation.py``).
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd
from numpy.typing import ArrayLike
from scipy import stats

from wres.stats._common import z_value
from wres.stats.funnel import level_suffix

#: Cells of the probability grid worked out at once in :func:`conditional_moments`.
_GRID = 1 << 21


def restricted_rates(
    x1: ArrayLike, n1: ArrayLike, x0: ArrayLike, n0: ArrayLike, ratio: float
) -> tuple[np.ndarray, np.ndarray]:
    """Maximum-likelihood rates ``(p1, p0)`` constrained to ``p1 = ratio * p0``.

    The closed form of Miettinen and Nurminen (1985), the smaller root of a
    quadratic; both rates are 0 where neither group had events.
    """
    x1, n1, x0, n0 = (np.asarray(v, dtype=float) for v in (x1, n1, x0, n0))
    events = x1 + x0
    half_b = 0.5 * (n1 * ratio + x1 + n0 + x0 * ratio)
    disc = np.sqrt(np.maximum(half_b * half_b - (n1 + n0) * ratio * events, 0.0))
    with np.errstate(divide="ignore", invalid="ignore"):
        p0 = np.where(events > 0, events / (half_b + disc), 0.0)
    return np.minimum(ratio * p0, 1.0), p0


def conditional_moments(
    n1: ArrayLike, n0: ArrayLike, events: ArrayLike, odds: ArrayLike
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Mean, variance and skewness of minority ethnic events given all events.

    Fisher's noncentral hypergeometric distribution (`scipy.stats.nchypergeom_fisher`):
    ``events`` drawn from ``n1 + n0`` staff, ``n1`` of them minority ethnic, with
    ``odds``. Moments are summed over the probability function; where only one
    count is possible the variance is 0 and the skewness NaN.
    """
    n1, n0, events, odds = np.broadcast_arrays(
        *(np.atleast_1d(np.asarray(v, dtype=float)) for v in (n1, n0, events, odds)))
    low, high = np.maximum(0.0, events - n0), np.minimum(n1, events)
    mean, variance = np.where(high == low, low, np.nan), np.where(high == low, 0.0, np.nan)
    skewness = np.full(mean.shape, np.nan)
    live = np.flatnonzero((high > low) & (odds > 0) & np.isfinite(odds))
    live = live[np.argsort(high[live] - low[live], kind="stable")]
    widths = high[live] - low[live] + 1  # ascending: a block's last row is its widest
    start = 0
    while start < live.size:
        stop = start + 1
        while stop < live.size and (stop + 1 - start) * widths[stop] <= _GRID:
            stop += 1
        rows = live[start:stop]
        width = int(widths[stop - 1])
        k = low[rows, None] + np.arange(width)[None, :]
        pmf = stats.nchypergeom_fisher.pmf(
            k, (n1 + n0)[rows, None], n1[rows, None], events[rows, None], odds[rows, None])
        pmf = pmf / pmf.sum(axis=1, keepdims=True)
        mean[rows] = m = (pmf * k).sum(axis=1)
        deviation = k - m[:, None]
        variance[rows] = v = (pmf * deviation**2).sum(axis=1)
        with np.errstate(divide="ignore", invalid="ignore"):
            skewness[rows] = (pmf * deviation**3).sum(axis=1) / v**1.5
        start = stop
    return mean, variance, skewness


def skew_corrected_z(deviate: ArrayLike, skewness: ArrayLike) -> np.ndarray:
    """``Z`` solving ``deviate = Z + skewness * (Z**2 - 1) / 6`` on its rising branch.

    Below (positive skew) or above (negative skew) the turning point ``-3/skewness``
    the deviate cannot be reached, and ``Z`` stops there: a count that skewed cannot
    be placed beyond limits it cannot reach.
    """
    s, a = np.asarray(deviate, dtype=float), np.asarray(skewness, dtype=float) / 6
    disc = 1 + 4 * a * (s + a)
    with np.errstate(invalid="ignore", divide="ignore", over="ignore"):
        z = 2 * (s + a) / (1 + np.sqrt(np.maximum(disc, 0.0)))
        return np.where(disc < 0, -1 / (2 * a), z)


def deviate_at(z: ArrayLike, skewness: ArrayLike) -> np.ndarray:
    """The standardised deviate whose corrected z-score is ``z``; NaN where unreachable."""
    z, g = np.asarray(z, dtype=float), np.asarray(skewness, dtype=float)
    reachable = 1 + g * z / 3 > 0
    return np.where(reachable, z + g * (z * z - 1) / 6, np.nan)


def null_z(
    x1: ArrayLike, n1: ArrayLike, x0: ArrayLike, n0: ArrayLike, national_rl: float
) -> pd.DataFrame:
    """Expected minority ethnic events under the national RL, and the z-score.

    Returns
    -------
    DataFrame
        ``observed`` (x1), ``events`` (x1 + x0), ``expected``, ``variance``,
        ``skewness``, ``standardised_ratio`` (observed / expected), ``z``, and
        ``se``/``precision``: the standard error of the log relative likelihood
        under the null (delta method, given the events) and its inverse square,
        the funnel's horizontal axis. Rows where the count given the events
        cannot vary (no events, or everyone had the outcome) have NaN.
    """
    if not (np.isfinite(national_rl) and national_rl > 0):
        raise ValueError(f"national_rl must be a positive number, got {national_rl}")
    x1, n1, x0, n0 = np.broadcast_arrays(
        *(np.atleast_1d(np.asarray(v, dtype=float)) for v in (x1, n1, x0, n0)))
    p1, p0 = restricted_rates(x1, n1, x0, n0, national_rl)
    with np.errstate(divide="ignore", invalid="ignore"):
        odds = np.where(p1 < 1, national_rl * (1 - p0) / (1 - p1), np.inf)
    events = x1 + x0
    mean, variance, skewness = conditional_moments(n1, n0, events, odds)
    usable = variance > 0
    with np.errstate(divide="ignore", invalid="ignore"):
        se = np.sqrt(variance) * events / (mean * (events - mean))
        z = skew_corrected_z((x1 - mean) / np.sqrt(variance), skewness)
        ratio = x1 / mean
    return pd.DataFrame({
        "observed": x1, "events": events, "expected": np.where(usable, mean, np.nan),
        "variance": np.where(usable, variance, np.nan),
        "skewness": np.where(usable, skewness, np.nan),
        "standardised_ratio": np.where(usable, ratio, np.nan),
        "z": np.where(usable, z, np.nan),
        "se": np.where(usable, se, np.nan), "precision": np.where(usable, 1 / se**2, np.nan),
    })


def rl_from_minority_events(
    observed: ArrayLike, events: ArrayLike, n1: ArrayLike, n0: ArrayLike
) -> np.ndarray:
    """Relative likelihood when ``observed`` of ``events`` are minority ethnic staff.

    0 at or below no minority events, infinite at or above no white events.
    """
    o, t, n1, n0 = (np.asarray(v, dtype=float) for v in (observed, events, n1, n0))
    with np.errstate(divide="ignore", invalid="ignore"):
        rl = (o * n0) / (n1 * (t - o))
    return np.where(o <= 0, 0.0, np.where(o >= t, np.inf, rl))


def _z_targets(level: float, se: np.ndarray, tau2: float) -> np.ndarray:
    """The z-score an authority must pass: ``z * sqrt(1 + tau2 / se**2)``."""
    return z_value(level) * np.sqrt(1 + tau2 / se**2)


def rl_limits(
    tested: pd.DataFrame,
    n1: ArrayLike,
    n0: ArrayLike,
    *,
    levels: Sequence[float],
    tau2: float = 0.0,
) -> pd.DataFrame:
    """Each authority's own funnel limits on the relative likelihood scale.

    ``tested`` is :func:`null_z` output. The limit is the relative likelihood
    at which, with the authority's events unchanged, the z-score widened by
    ``tau2`` (on the log RL scale) would reach the level's normal quantile; so
    an RL beyond a limit is exactly a z-score beyond it. A limit that cannot be
    reached is 0 (lower) or infinite (upper).
    """
    out = pd.DataFrame(index=tested.index)
    e, v, g = (tested[c].to_numpy(dtype=float) for c in ("expected", "variance", "skewness"))
    events, se = tested["events"].to_numpy(dtype=float), tested["se"].to_numpy(dtype=float)
    for level in levels:
        sfx = level_suffix(level)
        target = _z_targets(level, se, tau2)
        for side, sign, unreachable in (("lower", -1, -np.inf), ("upper", 1, np.inf)):
            deviate = deviate_at(sign * target, g)
            count = np.where(np.isnan(deviate), unreachable, e + np.sqrt(v) * deviate)
            limit = rl_from_minority_events(count, events, n1, n0)
            out[f"{side}_{sfx}"] = np.where(np.isnan(e), np.nan, limit)
    return out


def reference_limits(
    precision: ArrayLike,
    national_rl: float,
    share: float,
    *,
    levels: Sequence[float],
    tau2: float = 0.0,
) -> pd.DataFrame:
    """Funnel limits on the RL scale for drawing, as a function of precision alone.

    They are :func:`rl_limits` for a fictitious authority whose share of the
    events, under the national RL, is the national ``share`` (minority ethnic
    events / all events), with binomial moments. An authority's own limits
    differ a little when its share differs; its position comes from its own.
    """
    x = np.asarray(precision, dtype=float)
    if not 0 < share < 1:
        raise ValueError(f"share must be strictly between 0 and 1, got {share}")
    events = x / (share * (1 - share))
    skewness = (1 - 2 * share) / np.sqrt(x)
    out = pd.DataFrame({"precision": x, "se": 1 / np.sqrt(x), "target": national_rl,
                        "tau2": tau2})
    odds = share / (1 - share)
    for level in levels:
        sfx = level_suffix(level)
        target = _z_targets(level, out["se"].to_numpy(), tau2)
        for side, sign, unreachable in (("lower", -1, -np.inf), ("upper", 1, np.inf)):
            deviate = deviate_at(sign * target, skewness)
            count = np.where(np.isnan(deviate), unreachable,
                             events * share + np.sqrt(x) * deviate)
            out[f"{side}_{sfx}"] = national_rl * rl_from_minority_events(
                count, events, odds, 1.0)
    return out


def standardised_ratio_z(
    observed: ArrayLike, expected: ArrayLike, *, method: str = "shmi"
) -> tuple[np.ndarray, np.ndarray]:
    """Z-scores and standard errors of indirectly standardised ratios ``O / E``.

    For Poisson counts with ``E`` known, as FunnelPlotR does: ``"shmi"``
    (log scale, ``z = sqrt(E) log(O/E)``, ``se = 1/sqrt(E)``) or
    ``"spiegelhalter"`` (square-root scale, ``z = 2 (sqrt(O) - sqrt(E))``,
    ``se = 1/(2 sqrt(E))``). Used to check the overdispersion estimate against
    published values.
    """
    o, e = np.asarray(observed, dtype=float), np.asarray(expected, dtype=float)
    if method == "shmi":
        with np.errstate(divide="ignore"):
            return np.sqrt(e) * np.log(o / e), 1 / np.sqrt(e)
    if method == "spiegelhalter":
        return 2 * (np.sqrt(o) - np.sqrt(e)), 1 / (2 * np.sqrt(e))
    raise ValueError(f"method must be 'shmi' or 'spiegelhalter', got {method!r}")
