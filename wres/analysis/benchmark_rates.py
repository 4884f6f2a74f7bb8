"""Proportion funnels of the national view: minority ethnic rates and the senior managers' share.

Each authority's proportion against the proportion pooled over all authorities,
with PHE's limits (PHEindicatormethods ``calculate_funnel_limits``, statistic
"proportion": the proportion whose Wilson score interval just reaches the pooled
value, ``p0 +- z sqrt(p0 (1 - p0) / n)``), not widened for overdispersion, as PHE's.
"""

from __future__ import annotations

from collections.abc import Collection, Sequence

import numpy as np
import pandas as pd

from wres.analysis.disclosure.withheld import Headline, publish_results, published_headlines
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
#: Position of an authority whose figure is withheld to protect small counts.
WITHHELD = "withheld"
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


def _withheld(part: pd.DataFrame, shown: Collection[Headline]) -> np.ndarray:
    keys = part[["authority", "year", "indicator", "measure"]].itertuples(index=False)
    return np.array([(str(a), int(y), int(i), str(m)) not in shown for a, y, i, m in keys],
                    dtype=bool)


def _shown(results: pd.DataFrame, shown: Collection[Headline] | None,
           min_count: int) -> Collection[Headline]:
    return (published_headlines(publish_results(results, min_count=min_count))
            if shown is None else shown)


def _placed(frame: pd.DataFrame, numerator: str, denominator: str, hidden: np.ndarray,
            levels: Sequence[float], withhold: bool) -> pd.DataFrame:
    """`proportion_funnel` of the rows; with ``withhold``, of the rows not hidden only,
    the hidden ones added back ``withheld`` with no figures of their own."""
    if not withhold or not hidden.any():
        return proportion_funnel(frame, numerator, denominator, levels=levels).assign(
            withheld=hidden)
    kept = frame[~hidden]
    placed = (proportion_funnel(kept, numerator, denominator, levels=levels) if len(kept)
              else proportion_funnel(frame, numerator, denominator, levels=levels).iloc[:0])
    pooled = placed["national_proportion"].iloc[0] if len(placed) else np.nan
    added = frame.loc[hidden, _KEYS].assign(national_proportion=pooled, note="",
                                            position=WITHHELD)
    return pd.concat([placed.assign(withheld=False), added.assign(withheld=True)],
                     ignore_index=True)


def rate_funnels(
    results: pd.DataFrame,
    *,
    indicators: Sequence[int],
    levels: Sequence[float] = LEVELS,
    min_count: int = 5,
    shown: Collection[Headline] | None = None,
    withhold: bool = False,
) -> pd.DataFrame:
    """The minority ethnic rate of each indicator x measure x year on a proportion funnel.

    Rows: all services pooled, all minority ethnic staff. ``withheld`` marks rows
    whose headline comparison is not in ``shown`` (its counts are not all
    published; by default decided over ``results`` at ``min_count``), the same
    rows whose relative likelihood is withheld. With ``withhold`` they are left
    out of the pooled proportion and have no proportion, counts or limits.
    """
    rows = results[(results["service"] == ALL_SERVICES) & (results["group"] == MINORITY)
                   & results["indicator"].isin(list(indicators))]
    visible = _shown(results, shown, min_count)
    parts = []
    for _, part in rows.groupby(["indicator", "measure", "year"], sort=True):
        placed = _placed(part[[*_KEYS, "numerator", "denominator"]], "numerator",
                         "denominator", _withheld(part, visible), levels, withhold)
        parts.append(_with_missing(placed.assign(kind=RATE),
                                   sorted(results["authority"].unique())))
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
    results: pd.DataFrame, *, levels: Sequence[float] = LEVELS, min_count: int = 5,
    shown: Collection[Headline] | None = None, withhold: bool = False,
) -> pd.DataFrame:
    """Indicator 9: the minority ethnic share of senior managers of known ethnicity.

    The share is minority ethnic senior managers / (minority ethnic + white
    senior managers), one row per authority x year; empty without indicator 9.
    ``shown`` and ``withhold`` as in :func:`rate_funnels`.
    """
    rows = results[(results["service"] == ALL_SERVICES) & (results["group"] == MINORITY)
                   & (results["indicator"] == SENIOR_INDICATOR)]
    visible = _shown(results, shown, min_count)
    parts = []
    for _, part in rows.groupby(["year"], sort=True):
        counts = part[list(COMPARISON_COUNTS)].apply(pd.to_numeric, errors="coerce")
        frame = part[_KEYS].assign(
            minority=counts["numerator"].to_numpy(),
            known=(counts["numerator"] + counts["reference_numerator"]).to_numpy())
        placed = _placed(frame.reset_index(drop=True), "minority", "known",
                         _withheld(part, visible), levels, withhold)
        placed = placed.drop(columns=["minority", "known"], errors="ignore")
        parts.append(placed.assign(kind=SENIOR_SHARE))
    return pd.concat(parts, ignore_index=True) if parts else pd.DataFrame()
