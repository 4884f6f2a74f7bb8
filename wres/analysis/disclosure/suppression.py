"""Disclosure control for publication: small counts hidden, and kept hidden.

In a publication output a count from 1 to ``min_count - 1`` is replaced by
the marker ``[c]``, and so is every figure computed from it (rates, relative
likelihoods, their intervals, flags and the unknown-ethnicity bounds).
A count whose complement (denominator minus numerator) is from 1 to
``min_count - 1`` counts as small too, and the status, which says why a ratio
is missing, is hidden with the ratio. Secondary suppression then hides
further counts until every hidden count keeps a protection interval: the
pooled ``all`` service (the sum of the services), ``minority`` (the sum of the
broad groups), the pay bands of indicator 1 (which add up to staff in post),
a denominator shared by several indicators and each complement must leave it
at least `PROTECTION_INTERVAL` possible values. The result is then attacked
(`wres.analysis.disclosure.attack`) and not returned if anything can be
worked out. The analyst's view shows everything: apply this only when asked.

"""

from __future__ import annotations

from collections.abc import Sequence

import pandas as pd

from wres.analysis.disclosure.attack import check_publication
from wres.analysis.disclosure.decisions import checked, hidden_cells
from wres.analysis.disclosure.secondary import (
    cell_structure,
    mark_dependent,
    secondary_suppression,
    small_cells,
)
from wres.core.cache import load, memo_key, memoised
from wres.core.names import MARKER, MIN_COUNT, RESULT_COUNTS, RESULT_KEY

#: Disclosure control decides over each authority and year, every indicator together.
DISCLOSURE_UNIT: tuple[str, ...] = ("authority", "year")


def suppress_small_counts(
    table: pd.DataFrame,
    min_count: int = MIN_COUNT,
    marker: str = MARKER,
    columns: Sequence[str] | None = None,
) -> pd.DataFrame:
    """Replace counts from 1 to ``min_count - 1`` by ``marker`` (primary suppression only).

    Parameters
    ----------
    table : DataFrame
        Any table of counts (the counts format, a results table).
    columns : sequence of str, optional
        Count columns to check; by default those of `RESULT_COUNTS` present.
    """
    columns = [c for c in (columns or RESULT_COUNTS) if c in table.columns]
    out = table.copy()
    for column in columns:
        values = pd.to_numeric(out[column], errors="coerce")
        small = ((values >= 1) & (values < min_count)).fillna(False).to_numpy(dtype=bool)
        out[column] = out[column].astype("object")
        out.loc[small, column] = marker
    return out


def apply_disclosure(
    results: pd.DataFrame, min_count: int = MIN_COUNT, marker: str = MARKER, *,
    check: bool = True, within: pd.DataFrame | None = None,
) -> pd.DataFrame:
    """Results fit for publication: small counts and what they reveal are ``marker``.

    Disclosure control decides over one authority and year at a time, every
    indicator together (the unit `DISCLOSURE_UNIT`): a denominator shared by two
    indicators, or a sum across them, is then hidden on every page or on none.
    A page showing one indicator passes its own rows as ``results`` and the
    authority's whole results as ``within``, so it hides exactly what
    ``results.publication.csv`` hides.

    Parameters
    ----------
    results : DataFrame
        Results columns (see docs/CONTRACT.md), including the ``all`` service.
    min_count : int
        Smallest count that may be shown (k); counts 1 to k-1 are suppressed.
    marker : str
        What a suppressed cell shows.
    check : bool
        Fail closed: run the disclosure attack on the result (with ``marker``
        ``[c]``) and raise if it works anything out.
    within : DataFrame, optional
        The results published beside ``results`` (the same authority's other
        indicators, computed the same way), holding every row of ``results``;
        by default ``results`` itself.

    Returns
    -------
    DataFrame
        The rows of ``results``, in order, as published; count and derived
        columns become text-or-number (object) columns.

    Raises
    ------
    DisclosureError
        With ``check``, if the attack finds a hidden count it can work out (a
        ``ValueError``: the output must not be written).
    ValueError
        If ``within`` lacks a row of ``results``.
    """
    whole = (results if within is None else within).reset_index(drop=True)
    if whole.empty:
        return whole.copy()
    parts = [_disclosed(unit.reset_index(drop=True), min_count, marker, check)
             for _, unit in whole.groupby(list(DISCLOSURE_UNIT), sort=False)]
    published = pd.concat(parts, ignore_index=True)
    if within is None and len(parts) == 1:
        return published
    keys = list(RESULT_KEY)
    wanted = results[keys].reset_index(drop=True).astype(str)
    found = published[keys].astype(str).reset_index().merge(wanted.reset_index(),
                                                          on=keys, how="right",
                                                          suffixes=("", "_wanted"))
    if found["index"].isna().any():
        missing = found.loc[found["index"].isna(), keys].iloc[0].to_dict()
        raise ValueError(f"disclosure: 'within' has no row {missing} of the results")
    rows = found.sort_values("index_wanted")["index"].astype(int).to_numpy()
    return published.iloc[rows].reset_index(drop=True)


def _disclosed(unit: pd.DataFrame, min_count: int, marker: str, check: bool) -> pd.DataFrame:
    """`_disclose_unit`, computed once per batch for the same authority-year.

    Each of an authority's pages passes the authority's whole results as ``within``, so
    every notebook would otherwise decide and check the same units again (about 65 ms of
    a kernel's CPU a notebook). The value is kept only once computed, that is once its
    check passed (`wres.core.cache.memoised`: keyed by the unit's contents, the options
    and the analysis code). A call without the check (the national view's) takes the
    rows a checked call kept, where there are some: the check only reads them.
    """
    options = [int(min_count), marker]
    if not check:
        key = memo_key("disclosed", [*options, True], [unit])
        found = load("disclosed", key) if key is not None else None
        if found is not None:
            return found
    return memoised("disclosed", [*options, bool(check)], [unit],
                    lambda: _disclose_unit(unit, min_count, marker, check))


def _disclose_unit(results: pd.DataFrame, min_count: int, marker: str,
                   check: bool) -> pd.DataFrame:
    """`apply_disclosure` on one authority and year."""
    out = results.copy()
    structure = cell_structure(out)
    primary = small_cells(structure, min_count)
    hidden = hidden_cells(structure, primary, min_count, secondary_suppression)  # once a batch
    published = mark_dependent(out, structure.row_cells, hidden, marker)
    if check and marker == MARKER:
        checked(published, results, min_count=min_count, what="the publication results",
                check=check_publication)
    return published
