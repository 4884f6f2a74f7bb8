"""Proportion funnels of the national view: minority ethnic rates and the senior managers' share.

Each authority's proportion against the proportion pooled over all authorities,
with PHE's limits (PHEindicatormethods ``calculate_funnel_limits``, statistic
"proportion": the proportion whose Wilson score interval just reaches the pooled
value, ``p0 +- z sqrt(p0 (1 - p0) / n)``), not widened for overdispersion, as PHE's.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd

from wres.core.indicators import ALL_SERVICES, MINORITY
from wres.core.names import COMPARISON_COUNTS
from wres.stats.funnel import (
    LEVELS,
    NOT_ASSESSED,
    funnel_limits,
    level_suffix,
    position_words,
)

#: Kinds of proportion funnel: the minority ethnic rate of an indicator, and the
#: minority ethnic share of senior managers (indicator 9).
RATE = "minority ethnic rate"
SENIOR_SHARE = "minority ethnic share of senior managers"
SENIOR_INDICATOR = 9
#: Note of an authority with results for some measures of the year but not this one.
NOT_SUBMITTED = "not submitted"
_KEYS = ["authority", "year", "indicator", "measure"]


def proportion_funnel(
    frame: pd.DataFrame, numerator: str, denominator: str, *, levels: Sequence[float] = LEVELS
) -> pd.DataFrame:
    """Each row's proportion ``numerator / denominator`` against the pooled proportion.

    Returns ``frame`` with ``numerator``, ``denominator``, ``proportion``,
    ``national_proportion``, ``lower_<level>``/``upper_<level>`` (PHE's limits)
    and ``position``; rows with no denominator are ``not assessed`` with a ``note``.
    """
    out = frame.reset_index(drop=True).copy()
    x = pd.to_numeric(out[numerator], errors="coerce").to_numpy(dtype=float)
    n = pd.to_numeric(out[denominator], errors="coerce").to_numpy(dtype=float)
    usable = np.isfinite(x) & np.isfinite(n) & (n > 0)
    pooled = float(x[usable].sum() / n[usable].sum()) if usable.any() else np.nan
    out["numerator"], out["denominator"] = x, n
    with np.errstate(divide="ignore", invalid="ignore"):
        out["proportion"] = np.where(usable, x / n, np.nan)
    out["national_proportion"] = pooled
    sides = [f"{side}_{level_suffix(lv)}" for lv in levels for side in ("lower", "upper")]
    out[sides] = np.nan
    note = np.where(usable, "", "no staff counted").astype(object)
    if 0 < pooled < 1:
        limits = funnel_limits(n[usable], pooled, kind="proportion", levels=levels)
        out.loc[usable, sides] = limits[sides].to_numpy()
    else:
        note[usable] = "national proportion is 0 or 1"
    out["note"] = note
    out["position"] = position_words(out["proportion"].where(note == ""), out, levels)
    return out


def _withheld(counts: pd.DataFrame, min_count: int) -> np.ndarray:
    return ((counts >= 1) & (counts < min_count)).any(axis=1).to_numpy()


def rate_funnels(
    results: pd.DataFrame,
    *,
    indicators: Sequence[int],
    levels: Sequence[float] = LEVELS,
    min_count: int = 5,
) -> pd.DataFrame:
    """The minority ethnic rate of each indicator x measure x year on a proportion funnel.

    Rows: all services pooled, all minority ethnic staff. ``withheld`` marks rows
    with a count from 1 to ``min_count - 1`` among the comparison's four counts,
    the same rows whose relative likelihood is withheld.
    """
    rows = results[(results["service"] == ALL_SERVICES) & (results["group"] == MINORITY)
                   & results["indicator"].isin(list(indicators))]
    parts = []
    for _, part in rows.groupby(["indicator", "measure", "year"], sort=True):
        placed = proportion_funnel(part[[*_KEYS, "numerator", "denominator"]], "numerator",
                                   "denominator", levels=levels)
        counts = part[list(COMPARISON_COUNTS)].apply(pd.to_numeric, errors="coerce")
        placed = placed.assign(kind=RATE, withheld=_withheld(counts, min_count))
        parts.append(_with_missing(placed, sorted(results["authority"].unique())))
    return pd.concat(parts, ignore_index=True) if parts else pd.DataFrame()


def _with_missing(placed: pd.DataFrame, authorities: list[str]) -> pd.DataFrame:
    """Add a ``not assessed`` row, noted ``not submitted``, for each authority missing."""
    missing = sorted(set(authorities) - set(placed["authority"]))
    if not missing:
        return placed
    first = placed.iloc[0]
    shared = {c: first[c] for c in ("year", "indicator", "measure", "national_proportion",
                                    "kind")}
    added = pd.DataFrame({"authority": missing, **shared, "note": NOT_SUBMITTED,
                          "position": NOT_ASSESSED, "withheld": False})
    return pd.concat([placed, added], ignore_index=True)


def senior_share_funnel(
    results: pd.DataFrame, *, levels: Sequence[float] = LEVELS, min_count: int = 5
) -> pd.DataFrame:
    """Indicator 9: the minority ethnic share of senior managers of known ethnicity.

    The share is minority ethnic senior managers / (minority ethnic + white
    senior managers), one row per authority x year; empty without indicator 9.
    """
    rows = results[(results["service"] == ALL_SERVICES) & (results["group"] == MINORITY)
                   & (results["indicator"] == SENIOR_INDICATOR)]
    parts = []
    for _, part in rows.groupby(["year"], sort=True):
        counts = part[list(COMPARISON_COUNTS)].apply(pd.to_numeric, errors="coerce")
        frame = part[_KEYS].assign(
            minority=counts["numerator"].to_numpy(),
            known=(counts["numerator"] + counts["reference_numerator"]).to_numpy())
        placed = proportion_funnel(frame, "minority", "known", levels=levels)
        placed = placed.drop(columns=["minority", "known"])
        parts.append(placed.assign(kind=SENIOR_SHARE, withheld=_withheld(counts, min_count)))
    return pd.concat(parts, ignore_index=True) if parts else pd.DataFrame()
