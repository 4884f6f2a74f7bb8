"""Which comparisons and changes are withheld on a publication page.
"""

from __future__ import annotations

from collections.abc import Iterable

import pandas as pd

from wres.core.names import MARKER


def withheld_comparisons(
    published: pd.DataFrame, years: Iterable[int] | None = None, marker: str = MARKER
) -> set[tuple]:
    """Comparisons whose relative likelihood is withheld in any of ``years``.

    Parameters
    ----------
    published : DataFrame
        Results rows after :func:`apply_disclosure`.
    years : iterable of int, optional
        Years to look at; all by default.

    Returns
    -------
    set of (indicator, measure, service, group)
        Nothing derived from these (a change between years, a position
        against other authorities) may be published.
    """
    rows = published if years is None else published[published["year"].isin(list(years))]
    hidden = rows["relative_likelihood"].astype(str) == marker
    keys = rows.loc[hidden, ["indicator", "measure", "service", "group"]]
    return {(int(i), m, s, g) for i, m, s, g in keys.itertuples(index=False)}


def withheld_changes(changes: pd.DataFrame, published: pd.DataFrame) -> set[tuple]:
    """Changes between years that may not be published.

    A change is withheld when its relative likelihood is withheld in either of
    the two years compared, since the change (and the two ratios quoted with
    it) would reveal it.

    Parameters
    ----------
    changes : DataFrame
        From `wres.change.year_on_year` (columns ``year`` and ``previous_year``).
    published : DataFrame
        The same authority's results rows as published (after :func:`apply_disclosure`;
        unsuppressed rows withhold nothing).

    Returns
    -------
    set of (indicator, measure, service, group)
    """
    if changes.empty or published.empty:
        return set()
    hidden = set()
    for year in set(changes["year"]) | set(changes["previous_year"]):
        hidden |= {(int(year), *key) for key in withheld_comparisons(published, [int(year)])}
    return {
        (int(i), m, s, g)
        for i, m, s, g, now, before in changes[
            ["indicator", "measure", "service", "group", "year", "previous_year"]
        ].itertuples(index=False)
        if (int(now), int(i), m, s, g) in hidden or (int(before), int(i), m, s, g) in hidden
    }


def publishable_changes(changes: pd.DataFrame, published: pd.DataFrame) -> pd.DataFrame:
    """The rows of ``changes`` that may be published (see :func:`withheld_changes`)."""
    if changes.empty:
        return changes
    hidden = withheld_changes(changes, published)
    keys = changes[["indicator", "measure", "service", "group"]].itertuples(index=False)
    return changes[[(int(i), m, s, g) not in hidden for i, m, s, g in keys]]
