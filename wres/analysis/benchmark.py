"""Each authority's relative likelihood against the pooled national value.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import numpy.typing as npt
import pandas as pd

from wres.core.indicators import ALL_SERVICES, MINORITY
from wres.core.names import COMPARISON_COUNTS, RESULT_KEY
from wres.stats._common import z_value
from wres.stats.funnel import (
    ADJUSTED,
    LEVELS,
    UNADJUSTED,
    funnel_limits,
    level_suffix,
    position_words,
    winsorised_overdispersion,
)

MIN_AUTHORITIES_FOR_OVERDISPERSION = 5
_KEYS = list(RESULT_KEY)
_COUNTS = list(COMPARISON_COUNTS)


def _exclusion_notes(status: np.ndarray, counts: np.ndarray) -> np.ndarray:
    """Why each row cannot be placed on the funnel; empty string when it can."""
    x1, n1, x0, n0 = counts.T
    with np.errstate(divide="ignore", invalid="ignore"):
        var = 1 / x1 - 1 / n1 + 1 / x0 - 1 / n0
    conditions = [
        status != "ok",
        ~np.all(np.isfinite(counts), axis=1),
        x1 <= 0,
        x0 <= 0,
        ~(var > 0),
    ]
    reasons: list[npt.ArrayLike] = [
        status,
        "counts missing",
        "no events in the group",
        "no events in the reference group",
        "everyone in both groups had the outcome",
    ]
    return np.select(conditions, reasons, default="").astype(object)


def _log_rl_and_se(counts: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Log relative likelihood and its Katz standard error for rows x1, n1, x0, n0."""
    x1, n1, x0, n0 = np.atleast_2d(counts).T
    with np.errstate(divide="ignore", invalid="ignore"):
        log_rl = np.log(x1 / n1) - np.log(x0 / n0)
        se = np.sqrt(1 / x1 - 1 / n1 + 1 / x0 - 1 / n0)
    return log_rl, se


def _benchmark_one(
    rows: pd.DataFrame, levels: Sequence[float], winsor: float, alpha: float, confidence: float
) -> pd.DataFrame:
    """Funnel benchmarking of one indicator x measure x year."""
    out = rows[_KEYS].reset_index(drop=True)
    counts = rows[_COUNTS].apply(pd.to_numeric, errors="coerce").to_numpy(dtype=float)
    note = _exclusion_notes(rows["status"].astype(str).to_numpy(), counts)
    usable = note == ""
    log_rl, se = _log_rl_and_se(counts)
    log_rl, se = np.where(usable, log_rl, np.nan), np.where(usable, se, np.nan)
    pooled = counts[np.all(np.isfinite(counts), axis=1)].sum(axis=0)
    national_log, national_se = (float(v[0]) for v in _log_rl_and_se(pooled))
    if not (np.isfinite(national_log) and national_se > 0):
        usable[:] = False
        note = np.where(note == "", "national value not computable", note)
    z = z_value(confidence)
    out["relative_likelihood"] = np.exp(log_rl)
    out["log_rl"], out["se"], out["precision"] = log_rl, se, 1 / se**2
    out["national_rl"] = np.exp(national_log)
    out["national_rl_lower"] = np.exp(national_log - z * national_se)
    out["national_rl_upper"] = np.exp(national_log + z * national_se)
    n_used = int(usable.sum())
    od = None
    if n_used >= MIN_AUTHORITIES_FOR_OVERDISPERSION:
        od = winsorised_overdispersion(
            log_rl[usable], se[usable], national_log, winsor=winsor, alpha=alpha
        )
    tau2 = od.tau2 if od is not None else 0.0
    limit_cols = [f"{side}_{level_suffix(lv)}" for lv in levels for side in ("lower", "upper")]
    unadjusted_cols = [f"{col}_unadjusted" for col in limit_cols]
    out[limit_cols + unadjusted_cols] = np.nan
    if n_used:
        nat_rl = float(np.exp(national_log))
        adjusted = funnel_limits(se[usable], nat_rl, kind="log_ratio", levels=levels, tau2=tau2)
        plain = funnel_limits(se[usable], nat_rl, kind="log_ratio", levels=levels)
        for col in limit_cols:
            out.loc[usable, col] = adjusted[col].to_numpy()
            out.loc[usable, f"{col}_unadjusted"] = plain[col].to_numpy()
    out["phi"] = od.phi if od is not None else np.nan
    out["p_value"] = od.p_value if od is not None else np.nan
    out["tau2"] = tau2
    out["overdispersed"] = od.overdispersed if od is not None else False
    out["n_authorities"] = n_used
    out["n_excluded"] = int((~usable).sum())
    out["limits"] = ADJUSTED if tau2 > 0 else UNADJUSTED
    rl = out["relative_likelihood"].to_numpy()
    out["position"] = position_words(rl, out, levels)
    unadjusted = out[unadjusted_cols].set_axis(limit_cols, axis=1)
    out["position_unadjusted"] = position_words(rl, unadjusted, levels)
    out["note"] = note
    return out


def benchmark_relative_likelihoods(
    results: pd.DataFrame,
    *,
    service: str = ALL_SERVICES,
    group: str = MINORITY,
    levels: Sequence[float] = LEVELS,
    winsor: float = 0.10,
    alpha: float = 0.05,
    confidence_level: float = 0.95,
) -> pd.DataFrame:
    """Place every authority's relative likelihood on a funnel around the national value.

    Parameters
    ----------
    results : DataFrame
        Rows in the wres results format (authority, year, indicator, measure,
        service, group, numerator, denominator, reference_numerator,
        reference_denominator, status).
    service, group : str
        Which rows to benchmark (default: pooled services, all minority ethnic staff).
    levels : sequence of float
        Funnel levels.
    winsor, alpha : float
        Passed to :func:`winsorised_overdispersion`.
    confidence_level : float
        Level of the Katz interval for the national relative likelihood.

    Returns
    -------
    DataFrame
        One row per authority x indicator x measure x year. The national RL is
        from counts pooled over every authority with counts. Rows that are not
        ``ok`` or have no events in either group are kept with position
        ``not assessed`` and a ``note``, and counted in ``n_excluded``.
        ``lower_95`` .. ``upper_998`` are the limits in use (random-effects
        adjusted when overdispersed, see ``limits``), on the RL scale.
    """
    needed = set(_KEYS) | set(_COUNTS) | {"status"}
    missing = needed - set(results.columns)
    if missing:
        raise KeyError(f"benchmark_relative_likelihoods: results lack column(s) {sorted(missing)}")
    rows = results[(results["service"] == service) & (results["group"] == group)]
    if rows.empty:
        raise ValueError(f"no results rows for service {service!r} and group {group!r}")
    parts = [
        _benchmark_one(part, levels, winsor, alpha, confidence_level)
        for _, part in rows.groupby(["indicator", "measure", "year"], sort=True)
    ]
    return pd.concat(parts, ignore_index=True)
