"""Many comparisons at once: p-values adjusted within a family, and what chance alone gives.

A report tests every service, broad ethnic group and pay band as well as its
headline comparison. With no real difference anywhere, a test at the 95% level
still flags about 1 comparison in 20; `expected_by_chance` says how many that
is for a report, and `adjust_p_values` offers the usual remedies from
`statsmodels.stats.multitest.multipletests`, applied within each family of
comparisons separately.

statsmodels' Holm branch runs a full garbage collection on every call (about
70 ms in a process holding a few thousand result rows, so 20 s for the 318
families of the sample). The objects that exist before the loop are frozen
(`gc.freeze`) while it runs, so each of those collections only looks at the
few objects made since; they are unfrozen afterwards, and nothing else changes.
"""

from __future__ import annotations

import gc

import numpy as np
import pandas as pd
from statsmodels.stats.multitest import multipletests

from wres.core.adjustments import ADJUST_METHODS, normalise_adjust
from wres.stats._common import ArrayLike, _index, _label_column, z_value

__all__ = ["ADJUST_METHODS", "adjust_p_values", "expected_by_chance"]


def expected_by_chance(comparisons: int, confidence_level: float = 0.95) -> float:
    """How many of ``comparisons`` tests would be significant by chance alone.

    If no comparison had a real difference, each test at ``confidence_level``
    would still be significant with probability ``1 - confidence_level``; this
    is the expected number, e.g. 118 comparisons at 95% give 5.9.
    """
    z_value(confidence_level)  # validates the level
    return float(comparisons) * (1.0 - float(confidence_level))


def adjust_p_values(
    p_values: ArrayLike,
    families: ArrayLike | None = None,
    *,
    method: str = "none",
    confidence_level: float = 0.95,
) -> pd.DataFrame:
    """Adjusted p-values and significance, each family of comparisons on its own.

    Parameters
    ----------
    p_values : array-like
        One p-value per comparison; NaN where there is no test (the row is left
        out of its family, and its results are NA).
    families : array-like, optional
        A label per row naming its family (e.g. a number per authority, year
        and indicator); all rows are one family by default.
    method : {"none", "holm", "fdr_bh"}
        `multipletests` method; ``none`` leaves the p-values unadjusted.
    confidence_level : float
        Significance is ``p <= 1 - confidence_level`` (adjusted p with a method).

    Returns
    -------
    DataFrame
        ``p_adjusted`` (NaN with ``none``), ``significant`` (nullable boolean,
        as `multipletests` rejects; NA without a test) and ``adjust`` (the
        method), indexed like ``p_values`` when it is a Series.
    """
    method = normalise_adjust(method)
    alpha = 1.0 - float(confidence_level)
    z_value(confidence_level)
    p = np.atleast_1d(np.asarray(p_values, dtype=float))
    tested = ~np.isnan(p)
    adjusted = np.full(p.shape, np.nan)
    significant = pd.array(np.zeros(p.size, dtype=bool), dtype="boolean")
    if method == "none":
        significant[:] = p <= alpha
    elif tested.any():
        labels = (np.zeros(p.size, dtype=np.int64) if families is None
                  else pd.factorize(pd.Series(np.asarray(families)))[0])
        rejected = np.zeros(p.size, dtype=bool)
        order = np.argsort(labels, kind="stable")
        order = order[tested[order]]
        starts = np.flatnonzero(np.r_[True, np.diff(labels[order]) != 0, True])
        gc.freeze()  # see below
        try:
            for start, stop in zip(starts[:-1], starts[1:], strict=True):
                rows = order[start:stop]
                reject, corrected, _, _ = multipletests(p[rows], alpha=alpha, method=method)
                adjusted[rows], rejected[rows] = corrected, reject
        finally:
            gc.unfreeze()
        significant[:] = rejected
    significant[~tested] = pd.NA
    return pd.DataFrame(
        {"p_adjusted": adjusted, "significant": significant,
         "adjust": _label_column(method, p.size)},
        index=_index(p_values) if isinstance(p_values, pd.Series) else None,
    )
