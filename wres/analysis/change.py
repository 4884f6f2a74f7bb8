"""Change since last year: each relative likelihood against the latest earlier year.

The test itself (a ratio of two relative likelihoods, on the log scale) lives in
`wres.stats.change_between_years`; this module pairs the rows of two years of
one authority's results and calls it once per indicator, so each call knows
which direction is adverse. The test treats the two years as independent
samples, which is conservative for the stock measures (indicators 1 and 9),
where largely the same staff are counted in both years.
"""

from __future__ import annotations

import pandas as pd

from wres import stats
from wres.core.indicators import INDICATORS
from wres.core.names import COMPARISON_COUNTS

#: The columns that identify one comparison within a year.
COMPARISON = ["indicator", "measure", "service", "group"]
_PAIRED = (*COMPARISON_COUNTS, "relative_likelihood", "rl_lower", "rl_upper", "ci_method",
           "confidence_level", "status")


def year_on_year(results: pd.DataFrame, year: int) -> pd.DataFrame:
    """Change in each relative likelihood since the latest earlier year in ``results``.

    Parameters
    ----------
    results : DataFrame
        One authority's results rows over several years (unsuppressed).
    year : int
        The report year.

    Returns
    -------
    DataFrame
        One row per indicator x measure x service x group present in both years,
        with the columns of `wres.stats.change_between_years` plus ``year``,
        ``previous_year``, ``previous_rl`` and ``current_rl``; empty when there
        is no earlier year.
    """
    earlier = results.loc[results["year"] < year, "year"]
    if earlier.empty:
        return pd.DataFrame()
    before = int(earlier.max())
    paired = results[results["year"] == year].merge(
        results[results["year"] == before], on=COMPARISON, suffixes=("", "_previous"))
    if paired.empty:
        return pd.DataFrame()
    parts = []
    for number, part in paired.groupby("indicator", sort=True):
        part = part.reset_index(drop=True)
        previous = part[[c + "_previous" for c in _PAIRED]]
        previous.columns = list(_PAIRED)
        change = stats.change_between_years(
            part, previous, confidence_level=float(part["confidence_level"].iloc[0]),
            adverse=INDICATORS[int(number)].adverse,
        ).reset_index(drop=True)
        keys = part[COMPARISON].assign(year=year, previous_year=before,
                                       previous_rl=part["relative_likelihood_previous"],
                                       current_rl=part["relative_likelihood"])
        parts.append(pd.concat([keys, change], axis=1))
    return pd.concat(parts, ignore_index=True)
