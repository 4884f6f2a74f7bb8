"""Vectorised interval kernels for a ratio of two proportions.

Private helpers for :mod:`wres.stats`. Every function here takes 1-D arrays of
counts (``int64`` or float) for rows that are computable (both groups have staff,
the reference group has events) and returns arrays of the same shape. Status
handling, validation and tidy output live in :mod:`wres.stats`.

Notation: ``x1/n1`` is the group of interest, ``x0/n0`` the reference group and
``theta`` the ratio ``p1 / p0``.
"""

from __future__ import annotations

import numpy as np

#: Half-width, on the log scale, of the bracket searched for a score bound.
#: ``exp(40)`` is about 2e17, far beyond any ratio a count table can support.
_LOG_BRACKET = 40.0

#: Stand-in for an infinite score statistic, so the root finder sees finite values.
_HUGE = 1e300


#: Rows per block in :func:`katz_log`: its temporaries stay in cache and are reused.
_BLOCK = 1 << 15


def katz_log(
    x1: np.ndarray, n1: np.ndarray, x0: np.ndarray, n0: np.ndarray, z: float
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Katz log interval, ``exp(log RL +/- z * se)``.

    Where the group of interest has no events the estimate is 0, the lower limit
    is 0 and the upper limit comes from the same formula after adding 0.5 to
    both counts and both denominators (statsmodels ``method="log-adjusted"``),
    because the unadjusted standard error is infinite.

    The rows are processed in blocks of `_BLOCK` written straight into the three
    arrays returned: for a million rows, fresh memory for every intermediate
    array costs more than the arithmetic. Each figure is the plain formula's,
    bit for bit.
    """
    estimate, lower, upper = np.empty((3, np.size(x1)))  # one allocation, three rows
    with np.errstate(divide="ignore", invalid="ignore"):
        for start in range(0, estimate.size, _BLOCK):
            rows = slice(start, start + _BLOCK)
            a1, m1, a0, m0 = (np.asarray(v[rows], dtype=float) for v in (x1, n1, x0, n0))
            ratio = np.divide(a1 / m1, a0 / m0, out=estimate[rows])
            spread = np.exp(z * np.sqrt(1.0 / a1 - 1.0 / m1 + 1.0 / a0 - 1.0 / m0))
            np.divide(ratio, spread, out=lower[rows])
            np.multiply(ratio, spread, out=upper[rows])
    none = np.flatnonzero(x1 == 0)
    none = none[(x0[none] > 0) & (n1[none] > 0) & (n0[none] > 0)]
    if none.size:
        a1, m1, a0, m0 = x1[none] + 0.5, n1[none] + 0.5, x0[none] + 0.5, n0[none] + 0.5
        se_adj = np.sqrt(1.0 / a1 - 1.0 / m1 + 1.0 / a0 - 1.0 / m0)
        upper[none] = np.exp(np.log((a1 / m1) / (a0 / m0)) + z * se_adj)
        lower[none] = 0.0
    return estimate, lower, upper


def katz_log_se(x1: np.ndarray, n1: np.ndarray, x0: np.ndarray, n0: np.ndarray) -> np.ndarray:
    """Standard error of log RL from counts (infinite where ``x1`` or ``x0`` is 0)."""
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.sqrt(1.0 / x1 - 1.0 / n1 + 1.0 / x0 - 1.0 / n0)


def score_statistic(
    log_theta: np.ndarray,
    x1: np.ndarray,
    n1: np.ndarray,
    x0: np.ndarray,
    n0: np.ndarray,
    correction: np.ndarray,
) -> np.ndarray:
    """Score statistic for ``H0: p1 / p0 = theta`` (Koopman; Miettinen–Nurminen).

    The variance uses the maximum-likelihood proportions constrained to the
    hypothesised ratio (closed form of Miettinen and Nurminen 1985, the root of a
    quadratic). ``correction`` multiplies the variance: 1 gives Koopman's
    statistic, ``N / (N - 1)`` the Miettinen–Nurminen one. The statistic
    decreases as ``theta`` increases.
    """
    theta = np.exp(log_theta)
    events = x1 + x0
    half_b = 0.5 * (n1 * theta + x1 + n0 + x0 * theta)  # -B/2 of the quadratic, positive
    disc = np.sqrt(np.maximum(half_b * half_b - (n1 + n0) * theta * events, 0.0))
    p0 = events / (half_b + disc)  # smaller root in a form free of cancellation
    p1 = np.minimum(theta * p0, 1.0)
    variance = correction * (p1 * (1.0 - p1) / n1 + theta * theta * p0 * (1.0 - p0) / n0)
    difference = x1 / n1 - theta * (x0 / n0)
    with np.errstate(divide="ignore", invalid="ignore"):
        stat = difference / np.sqrt(variance)
    return np.where(variance > 0, stat, np.sign(difference) * _HUGE)


def _excess(
    log_theta: np.ndarray,
    goal: np.ndarray,
    x1: np.ndarray,
    n1: np.ndarray,
    x0: np.ndarray,
    n0: np.ndarray,
    correction: np.ndarray,
) -> np.ndarray:
    """Score statistic minus its target value (the function whose root is a limit).

    ``goal`` comes before the counts so that callers can pass the counts as one
    unpacked tuple after it.
    """
    return score_statistic(log_theta, x1, n1, x0, n0, correction) - goal


def score_interval(
    x1: np.ndarray,
    n1: np.ndarray,
    x0: np.ndarray,
    n0: np.ndarray,
    z: float,
    *,
    miettinen_nurminen: bool,
) -> tuple[np.ndarray, np.ndarray]:
    """Score interval by inverting :func:`score_statistic` on the log scale.

    Both limits are found in one vectorised bracketing search (:func:`_illinois`),
    starting from brackets just wider than the Katz
    interval (with 0.5 added to every cell) and falling back to +/-40 on the log
    scale where that bracket does not hold the root. Where the group of interest
    has no events the lower limit is 0 and the upper limit is finite.
    """
    n = n1 + n0
    correction = n / (n - 1.0) if miettinen_nurminen else np.ones_like(n)
    none = x1 == 0
    a1, m1, a0, m0 = x1 + 0.5, n1 + 0.5, x0 + 0.5, n0 + 0.5
    adjusted = np.log((a1 / m1) / (a0 / m0))
    spread = 1.5 * z * np.sqrt(1.0 / a1 - 1.0 / m1 + 1.0 / a0 - 1.0 / m0) + 0.5
    with np.errstate(divide="ignore"):
        centre = np.where(none, adjusted, np.log(x1 / n1) - np.log(x0 / n0))
    # Stack the lower and upper searches: rows [0, size) lower, [size, 2 size) upper.
    goal = np.concatenate([np.full_like(centre, z), np.full_like(centre, -z)])
    args = tuple(np.concatenate([a, a]) for a in (x1, n1, x0, n0, correction))
    near = np.concatenate([centre, np.where(none, adjusted - spread, centre)])
    far = np.concatenate([adjusted - spread, adjusted + spread])
    f_near, f_far = _excess(near, goal, *args), _excess(far, goal, *args)
    bad = np.sign(f_near) == np.sign(f_far)
    if none.any():  # no lower limit to search for: give the search a harmless bracket
        bad[: centre.size] &= ~none
        f_near[: centre.size][none], f_far[: centre.size][none] = 1.0, -1.0
    if bad.any():
        far[bad] = near[bad] + np.sign(far[bad] - near[bad]) * _LOG_BRACKET
        f_far[bad] = _excess(far[bad], goal[bad], *(a[bad] for a in args))
    swap = near > far
    lo, hi = np.where(swap, far, near), np.where(swap, near, far)
    f_lo, f_hi = np.where(swap, f_far, f_near), np.where(swap, f_near, f_far)
    roots = np.exp(_illinois(lo, hi, f_lo, f_hi, (goal, *args)))
    lower, upper = roots[: centre.size].copy(), roots[centre.size :]
    lower[none] = 0.0
    return lower, upper


def score_lower_limit_no_reference_events(
    x1: np.ndarray, n1: np.ndarray, n0: np.ndarray, z: float, *, miettinen_nurminen: bool
) -> np.ndarray:
    """Score lower limit of the ratio where the reference group has no events.

    With ``x0 = 0`` and ``x1 > 0`` the ratio is unbounded above, but the score
    statistic still falls from +inf (ratio near 0) towards 0 (ratio near
    infinity), so every ratio below a finite lower limit is rejected: the
    group's rate is credibly that many times the reference group's, at least.
    Found by the same search as :func:`score_interval`, from a bracket around
    the ratio of the group's Wilson lower limit to the reference group's Wilson
    upper limit (the limit lay 0 to 1.8 above it, on the log scale, on 2,800
    SC-WRES-sized tables), widened to +/-40 where that does not hold the root.
    """
    x0 = np.zeros_like(x1)
    n = n1 + n0
    correction = n / (n - 1.0) if miettinen_nurminen else np.ones(np.shape(n), dtype=float)
    goal = np.full(np.shape(x1), z, dtype=float)
    args = (goal, x1, n1, x0, n0, correction)
    a1, m1, m0 = (np.asarray(v, dtype=float) for v in (x1, n1, n0))
    p1, z2 = a1 / m1, z * z
    group_lower = (p1 + z2 / (2 * m1) - z * np.sqrt(p1 * (1 - p1) / m1 + z2 / (4 * m1 * m1))) \
        / (1 + z2 / m1)
    guess = np.log(np.maximum(group_lower, 1e-300) * (m0 + z2) / z2)  # reference: z2/(n0+z2)
    lo, hi = guess - 0.5, guess + 2.5
    f_lo, f_hi = _excess(lo, *args), _excess(hi, *args)
    for bound, f_bound, wrong, far in ((lo, f_lo, f_lo <= 0, -_LOG_BRACKET),
                                       (hi, f_hi, f_hi >= 0, _LOG_BRACKET)):
        if wrong.any():
            bound[wrong] = far
            f_bound[wrong] = _excess(bound[wrong], *(a[wrong] for a in args))
    return np.exp(_illinois(lo, hi, f_lo, f_hi, args))


def _illinois(
    lo: np.ndarray,
    hi: np.ndarray,
    f_lo: np.ndarray,
    f_hi: np.ndarray,
    args: tuple[np.ndarray, ...],
    *,
    maxiter: int = 200,
) -> np.ndarray:
    """Vectorised Illinois (modified regula falsi) root search of :func:`_excess`.

    ``lo < hi`` must bracket a sign change in every row (``f_lo``, ``f_hi`` are
    the function's values there); ``args`` are :func:`_excess`'s arguments after
    the log ratio (``goal`` then the counts). Rows leave the working set as they converge
    (bracket narrower than 1e-11 on the log scale, or the statistic within 1e-10
    of its target), so late iterations cost little. scipy's ``elementwise.find_root`` gives
    the same roots but spends about half its time on bookkeeping.
    """
    root = np.full(lo.shape, np.nan)
    rows = np.arange(lo.size)
    last = np.zeros(lo.size, dtype=np.int8)  # +1: lo moved last step, -1: hi moved
    for _ in range(maxiter):
        step = np.clip(hi - f_hi * (hi - lo) / (f_hi - f_lo), lo, hi)
        f_step = _excess(step, *(a[rows] for a in args))
        move_lo = np.sign(f_step) == np.sign(f_lo)
        # Illinois rule: halve the stale end's value when the same end moves twice.
        f_hi = np.where(move_lo & (last == 1), 0.5 * f_hi, f_hi)
        f_lo = np.where(~move_lo & (last == -1), 0.5 * f_lo, f_lo)
        lo, f_lo = np.where(move_lo, step, lo), np.where(move_lo, f_step, f_lo)
        hi, f_hi = np.where(move_lo, hi, step), np.where(move_lo, f_hi, f_step)
        last = np.where(move_lo, 1, -1).astype(np.int8)
        done = (hi - lo < 1e-11) | (np.abs(f_step) < 1e-10)
        if done.any():
            root[rows[done]] = step[done]
            keep = ~done
            rows, lo, hi, f_lo, f_hi, last = (
                v[keep] for v in (rows, lo, hi, f_lo, f_hi, last)
            )
            if rows.size == 0:
                break
    return root
