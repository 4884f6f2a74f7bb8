"""Disclosure control for publication: small counts hidden, and kept hidden.

In a publication output a count from 1 to ``min_count - 1`` is replaced by
the marker ``[c]``, and so is every figure computed from it (rates, relative
likelihoods, their intervals, flags and the unknown-ethnicity bounds).
Secondary suppression then hides further counts so that no hidden count can
be worked out from what is published beside it: the pooled ``all`` service
(the sum of the services), ``minority`` (the sum of the broad groups), the
pay bands of indicator 1 (which add up to staff in post) and a denominator
shared by several indicators. The analyst's view shows everything: apply
this only when asked.

"""

from __future__ import annotations

from collections.abc import Sequence

import pandas as pd

from wres.analysis.disclosure.secondary import cell_structure, mark_dependent, secondary_suppression
from wres.core.names import MARKER, MIN_COUNT, RESULT_COUNTS


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
    results: pd.DataFrame, min_count: int = MIN_COUNT, marker: str = MARKER
) -> pd.DataFrame:
    """Results fit for publication: small counts and what they reveal are ``marker``.

    Parameters
    ----------
    results : DataFrame
        Results columns (see docs/CONTRACT.md), including the ``all`` service.
    min_count : int
        Smallest count that may be shown (k); counts 1 to k-1 are suppressed.
    marker : str
        What a suppressed cell shows.

    Returns
    -------
    DataFrame
        A copy; count and derived columns become text-or-number (object) columns.
    """
    out = results.reset_index(drop=True).copy()
    cells, row_cells, equations, pairs = cell_structure(out)
    hidden = {c for c, v in cells.items() if 1 <= v < min_count}
    hidden = secondary_suppression(cells, equations, pairs, hidden)
    return mark_dependent(out, row_cells, hidden, marker)
