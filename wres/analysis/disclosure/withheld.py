"""Which comparisons and changes are withheld on a publication page.

The national view (`wres.analysis.national`) asks the same question of every
authority at once: :func:`publish_results` gives each authority-year's results
as ``results.publication.csv`` publishes them, and :func:`published_headlines`
says whose headline comparison (all services, minority ethnic against white
staff) has all four counts shown, so that regional and national totals are
made of published counts only.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence

import pandas as pd

from wres.analysis.disclosure.suppression import DISCLOSURE_UNIT, apply_disclosure
from wres.core.cache import memoised
from wres.core.indicators import ALL_SERVICES, MINORITY
from wres.core.names import COMPARISON_COUNTS, MARKER, MIN_COUNT

#: A headline comparison: (authority, year, indicator, measure).
Headline = tuple[str, int, int, str]


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


def publish_results(
    results: pd.DataFrame,
    *,
    min_count: int = MIN_COUNT,
    min_counts: Mapping[str, int] | None = None,
    indicators: Mapping[str, Sequence[int]] | Sequence[int] | None = None,
) -> pd.DataFrame:
    """Every authority-year's results as ``results.publication.csv`` publishes them.

    Disclosure control decides over one authority and year, every indicator its
    reports publish together (`apply_disclosure`), so the same rows must be
    decided over here: ``indicators`` (the same for every authority, or per
    authority) restricts each authority's rows to those its reports hold; by
    default every indicator in ``results``.

    Parameters
    ----------
    results : DataFrame
        Results of any number of authorities and years (analyst figures).
    min_count : int
        k of an authority not in ``min_counts``.
    min_counts : mapping, optional
        Authority -> its own k (each authority's params file).
    indicators : sequence of int, or mapping of authority -> sequence of int, optional

    Returns
    -------
    DataFrame
        The rows decided over, as published (``[c]`` for what is hidden);
        computed without the fail-closed attack, which the results file and the
        national view's own outputs each pass (`check_publication`).
    """
    if results.empty:
        return results.copy()
    limits = dict(min_counts or {})
    parts = []
    for (authority, _year), unit in results.groupby(list(DISCLOSURE_UNIT), sort=False):
        wanted = (indicators.get(str(authority)) if isinstance(indicators, Mapping)
                  else indicators)
        if wanted is not None:
            unit = unit[unit["indicator"].astype(int).isin([int(i) for i in wanted])]
        if unit.empty:
            continue
        parts.append(_published_unit(unit.reset_index(drop=True),
                                     int(limits.get(str(authority), min_count))))
    return pd.concat(parts, ignore_index=True) if parts else results.iloc[:0].copy()


def _published_unit(unit: pd.DataFrame, min_count: int) -> pd.DataFrame:
    """`apply_disclosure` of one authority-year without the attack, kept in a batch's cache
    (`wres.core.cache.memoised`): a national view re-run after one authority's counts
    changed loads the other authorities' published rows."""
    return memoised("published", [min_count], [unit],
                    lambda: apply_disclosure(unit, min_count=min_count, check=False))


def published_headlines(published: pd.DataFrame, marker: str = MARKER) -> set[Headline]:
    """Headline comparisons (all services, minority ethnic staff) whose four counts are shown.

    Only these may go into a published regional or national total: a total with
    one hidden count and the others published gives it back (issue 12: North
    2024, indicator 2, gave Cindermoor's 4 appointed).

    Returns
    -------
    set of (authority, year, indicator, measure)
    """
    if published.empty:
        return set()
    rows = published[(published["service"] == ALL_SERVICES) & (published["group"] == MINORITY)]
    shown = ~(rows[list(COMPARISON_COUNTS)].astype(str) == marker).any(axis=1)
    keys = rows.loc[shown, ["authority", "year", "indicator", "measure"]]
    return {(str(a), int(y), int(i), str(m)) for a, y, i, m in keys.itertuples(index=False)}
