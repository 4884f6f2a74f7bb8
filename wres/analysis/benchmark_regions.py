"""Regional figures of the national view: each region's RL from its authorities' counts summed.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping

import numpy as np
import pandas as pd

from wres import stats
from wres.analysis.disclosure.withheld import Headline
from wres.core.indicators import ALL_SERVICES, MINORITY
from wres.core.names import COMPARISON_COUNTS, MIN_COUNT

_COUNTS = list(COMPARISON_COUNTS)


def headlines(results: pd.DataFrame) -> pd.DataFrame:
    """The headline comparisons: all services pooled, minority ethnic against white staff."""
    return results[(results["service"] == ALL_SERVICES) & (results["group"] == MINORITY)]


def headline_keys(rows: pd.DataFrame) -> list[Headline]:
    """Each row's (authority, year, indicator, measure)."""
    return [(str(a), int(y), int(i), str(m)) for a, y, i, m in
            rows[["authority", "year", "indicator", "measure"]].itertuples(index=False)]


def region_breakdown(
    results: pd.DataFrame,
    regions: Mapping[str, str],
    *,
    ci_method: str = "katz-log",
    confidence_level: float = 0.95,
    min_count: int = MIN_COUNT,
    shown: Collection[Headline] | None = None,
) -> pd.DataFrame:
    """Pooled RL per region x indicator x measure, from counts summed over its authorities.

    Returns ``region, year, indicator, measure, authorities``, the summed counts,
    the `wres.stats.relative_likelihood` columns, ``left_out`` and ``withheld``
    (a pooled count from 1 to ``min_count - 1``). Authorities without a region
    are left out. With ``shown`` (the publication profile) only the headline
    comparisons in it are summed: ``authorities`` counts those, ``left_out`` the
    region's others, whose counts are not all published.
    """
    rows = headlines(results)
    rows = rows.assign(region=rows["authority"].map(dict(regions)))
    rows = rows[rows["region"].notna()]
    keep = (np.ones(len(rows), dtype=bool) if shown is None
            else np.array([key in shown for key in headline_keys(rows)], dtype=bool))
    numeric = rows[_COUNTS].apply(pd.to_numeric, errors="coerce").fillna(0).astype("int64")
    keys = ["region", "year", "indicator", "measure"]
    members = rows.groupby(keys, sort=True)["authority"].nunique().rename("_members")
    pooled = (rows.loc[keep, [*keys, "authority"]].join(numeric)
              .groupby(keys, sort=True)
              .agg(authorities=("authority", "nunique"), **{c: (c, "sum") for c in _COUNTS})
              .reindex(members.index))
    pooled = pooled.fillna({"authorities": 0, **{c: 0 for c in _COUNTS}}).astype(
        {"authorities": "int64", **{c: "int64" for c in _COUNTS}})
    pooled = pooled.assign(left_out=members - pooled["authorities"]).reset_index()
    ratio = stats.relative_likelihood(
        *(pooled[c] for c in _COUNTS), method=ci_method, confidence_level=confidence_level
    ).drop(columns=_COUNTS)
    out = pd.concat([pooled, ratio.set_axis(pooled.index)], axis=1)
    small = ((out[_COUNTS] >= 1) & (out[_COUNTS] < min_count)).any(axis=1)
    return out.assign(withheld=small.to_numpy())
