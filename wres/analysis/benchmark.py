"""Each authority's relative likelihood against the pooled national value, for funnel plots.

Each authority is tested against the national relative likelihood (RL) under that
value (`wres.stats.funnel_ratios`): its expected minority ethnic events given all
its events, a z-score from the null distribution, and its own limits on the RL
scale. Overdispersion is then estimated from the z-scores (`wres.stats.funnel`).
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
    OVERDISPERSION_METHODS,
    UNADJUSTED,
    OverdispersionResult,
    Trimming,
    overdispersion,
    position_from_z,
)
from wres.stats.funnel_ratios import null_z, rl_limits

MIN_AUTHORITIES_FOR_OVERDISPERSION = 5
_KEYS = list(RESULT_KEY)
_COUNTS = list(COMPARISON_COUNTS)


def _exclusion_notes(status: np.ndarray, counts: np.ndarray, tested: pd.DataFrame) -> np.ndarray:
    """Why each row cannot be placed on the funnel; empty string when it can."""
    x1, n1, x0, n0 = counts.T
    finite = np.all(np.isfinite(counts), axis=1)
    conditions = [
        ~finite,
        finite & ((n1 <= 0) | (n0 <= 0)),
        finite & (x1 + x0 <= 0),
        finite & (x1 + x0 >= n1 + n0),
        tested["z"].isna().to_numpy(),
    ]
    reasons: list[npt.ArrayLike] = [
        "counts missing",
        status,
        "no events in either group",
        "everyone in both groups had the outcome",
        "no variation possible under the national value",
    ]
    return np.select(conditions, reasons, default="").astype(object)


def _relative_likelihood(counts: np.ndarray) -> np.ndarray:
    """RL from counts: 0 with no minority events, NaN with no white events (not computable)."""
    x1, n1, x0, n0 = counts.T
    with np.errstate(divide="ignore", invalid="ignore"):
        rl = (x1 / n1) / (x0 / n0)
    return np.where(np.isfinite(rl), rl, np.nan)


def _katz_se(counts: np.ndarray) -> np.ndarray:
    """Katz standard error of each log RL from its own counts; NaN where either group has none."""
    x1, n1, x0, n0 = counts.T
    with np.errstate(divide="ignore", invalid="ignore"):
        variance = 1 / x1 - 1 / n1 + 1 / x0 - 1 / n0
    return np.where((x1 > 0) & (x0 > 0) & (variance > 0), np.sqrt(np.abs(variance)), np.nan)


def _national(counts: np.ndarray) -> tuple[float, float, float]:
    """Pooled RL, Katz SE of its log, and the minority ethnic share of all events."""
    x1, n1, x0, n0 = counts[np.all(np.isfinite(counts), axis=1)].sum(axis=0)
    with np.errstate(divide="ignore", invalid="ignore"):
        rl = (x1 / n1) / (x0 / n0)
        se = np.sqrt(1 / x1 - 1 / n1 + 1 / x0 - 1 / n0)
    return float(rl), float(se), float(x1 / (x1 + x0)) if x1 + x0 > 0 else np.nan


def _benchmark_one(
    rows: pd.DataFrame, levels: Sequence[float], winsor: float, alpha: float,
    confidence: float, method: str, trimming: Trimming,
) -> pd.DataFrame:
    """Funnel benchmarking of one indicator x measure x year."""
    out = rows[_KEYS].reset_index(drop=True)
    counts = rows[_COUNTS].apply(pd.to_numeric, errors="coerce").to_numpy(dtype=float)
    national_rl, national_se, share = _national(counts)
    computable = np.isfinite(national_rl) and national_rl > 0 and national_se > 0
    x1, n1, x0, n0 = np.nan_to_num(counts).T
    tested = null_z(x1, n1, x0, n0, national_rl if computable else 1.0)
    note = _exclusion_notes(rows["status"].astype(str).to_numpy(), counts, tested)
    if not computable:
        note = np.where(note == "", "national value not computable", note)
    usable = note == ""
    tested.loc[~usable, :] = np.nan
    rl = _relative_likelihood(counts)
    out["relative_likelihood"] = rl
    with np.errstate(divide="ignore", invalid="ignore"):
        out["log_rl"] = np.where(rl > 0, np.log(rl), np.nan)
    katz = _katz_se(counts)
    out["se"], out["precision"] = katz, 1 / katz**2
    out["se_null"], out["precision_null"] = tested["se"], tested["precision"]
    for col in ("observed", "expected", "standardised_ratio"):
        out[col] = tested[col]
    out["z"] = tested["z"]
    n_used = int(usable.sum())
    od: OverdispersionResult | None = None
    if n_used >= MIN_AUTHORITIES_FOR_OVERDISPERSION:
        od = overdispersion(tested.loc[usable, "z"], tested.loc[usable, "se"], method=method,
                            trim=winsor, trimming=trimming, alpha=alpha)
    tau2 = od.tau2 if od is not None else 0.0
    scale = max(1.0, od.phi) if od is not None else 1.0
    z = z_value(confidence)
    out["national_rl"] = national_rl
    out["national_rl_lower"] = national_rl * np.exp(-z * national_se)
    out["national_rl_upper"] = national_rl * np.exp(z * national_se)
    out["national_rl_lower_widened"] = national_rl * np.exp(-z * national_se * np.sqrt(scale))
    out["national_rl_upper_widened"] = national_rl * np.exp(z * national_se * np.sqrt(scale))
    out["national_share"] = share
    adjusted = rl_limits(tested, counts[:, 1], counts[:, 3], levels=levels, tau2=tau2)
    plain = rl_limits(tested, counts[:, 1], counts[:, 3], levels=levels)
    for col in adjusted.columns:
        out[col] = adjusted[col].to_numpy()
    for col in plain.columns:
        out[f"{col}_unadjusted"] = plain[col].to_numpy()
    se = tested["se"].to_numpy()
    out["z_adjusted"] = tested["z"].to_numpy() / np.sqrt(1 + tau2 / se**2)
    out["phi"] = od.phi if od is not None else np.nan
    out["p_value"] = od.p_value if od is not None else np.nan
    out["tau2"] = tau2
    out["overdispersed"] = od.overdispersed if od is not None else False
    out["overdispersion"] = method
    out["n_authorities"] = n_used
    out["n_excluded"] = int((~usable).sum())
    out["limits"] = ADJUSTED if tau2 > 0 else UNADJUSTED
    out["position"] = position_from_z(out["z_adjusted"], levels)
    out["position_unadjusted"] = position_from_z(out["z"], levels)
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
    overdispersion: str = "spiegelhalter",
    trimming: Trimming = "winsorise",
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
    winsor : float
        Share of z-scores Winsorised (or truncated) at each tail for phi.
    alpha : float
        Significance level of the chi-squared test, used by the ``corrected`` method only.
    confidence_level : float
        Level of the interval for the national relative likelihood.
    overdispersion : {"spiegelhalter", "corrected"}
        How phi is estimated and when limits are widened (`wres.stats.funnel`).
    trimming : {"winsorise", "truncate"}

    Returns
    -------
    DataFrame
        One row per authority x indicator x measure x year. The national RL is
        from counts pooled over every authority with counts, with its Katz
        interval (``national_rl_lower``/``_upper``) and that interval widened by
        ``sqrt(phi)`` when ``phi > 1`` (``national_rl_lower_widened``/``_upper_widened``).
        ``se``/``precision`` are the Katz standard error of the authority's log RL
        and its inverse square. ``observed`` and ``expected`` are minority ethnic
        events and those expected under the national RL given all the
        authority's events; ``z`` their z-score and ``z_adjusted`` the same
        allowing for ``tau2``; ``se_null``/``precision_null`` the standard error of
        the log RL under the national RL and its inverse square, the funnel's
        horizontal axis. ``lower_95`` ..
        ``upper_998`` are the authority's own limits in use on the RL scale
        (``*_unadjusted`` without ``tau2``); ``position`` comes from ``z_adjusted``.
        Rows that cannot be tested (no events in either group, no staff) are
        kept as ``not assessed`` with a ``note`` and counted in ``n_excluded``.
    """
    if overdispersion not in OVERDISPERSION_METHODS:
        raise ValueError(f"overdispersion must be one of {OVERDISPERSION_METHODS}, "
                         f"got {overdispersion!r}")
    needed = set(_KEYS) | set(_COUNTS) | {"status"}
    missing = needed - set(results.columns)
    if missing:
        raise KeyError(f"benchmark_relative_likelihoods: results lack column(s) {sorted(missing)}")
    rows = results[(results["service"] == service) & (results["group"] == group)]
    if rows.empty:
        raise ValueError(f"no results rows for service {service!r} and group {group!r}")
    parts = [
        _benchmark_one(part, levels, winsor, alpha, confidence_level, overdispersion, trimming)
        for _, part in rows.groupby(["indicator", "measure", "year"], sort=True)
    ]
    return pd.concat(parts, ignore_index=True)
