"""The national view's fail-closed check: its page and ``national.csv`` attacked before publication.

The national view (`wres.analysis.national`) computes every total from the
authorities whose figures are published, so its outputs should tell an
attacker nothing the results file does not. :func:`check_national_view`
makes sure before anything is shown or written: the small-count scan over the
page's tables, then the disclosure attack (`wres.analysis.disclosure.attack`)
with what the page and ``national.csv`` show read back
(`wres.analysis.disclosure.national_view`).
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from typing import Any

import numpy as np
import pandas as pd

from wres.analysis.disclosure.attack import DisclosureError, attack
from wres.analysis.disclosure.knowledge import (
    BESIDE_HIDDEN,
    FINDING_COLUMNS,
    SMALL_COUNT,
    finding,
)
from wres.analysis.disclosure.leaks import find_small_counts
from wres.analysis.disclosure.national_view import (
    Headlines,
    Measure,
    figures_from_benchmark,
    figures_from_national_csv,
)
from wres.analysis.disclosure.pages import FIGURE_COLUMNS
from wres.core.frames import records
from wres.core.names import BENCHMARK, MIN_COUNT, RESULT_KEY


def check_national_view(
    page: str,
    national: pd.DataFrame,
    published: pd.DataFrame,
    truth: pd.DataFrame,
    *,
    regions: Mapping[str, str],
    min_count: int = MIN_COUNT,
    min_counts: Mapping[str, int] | None = None,
    what: str = "the national view",
) -> None:
    """Fail closed: raise `DisclosureError` if the national view's page or ``national.csv``
    shows a small count or gives a hidden count away.

    ``page`` holds the page's tables (HTML), ``national`` the rows ``national.csv``
    is written with, ``published`` and ``truth`` every authority's results of the
    year as published and unsuppressed. The small-count scan runs over the page;
    the attack over the authority-years a figure reaches through a hidden count
    (a figure of published counts only tells nothing the results file does not).
    """
    limits = {**{str(a): min_count for a in published["authority"].unique()},
              **{str(a): int(k) for a, k in (min_counts or {}).items()}}
    blank, page_name = (math.nan,) * len(RESULT_KEY), f"{BENCHMARK}.publication.html"
    scanned = [finding(SMALL_COUNT, page_name, None, blank, where, math.nan, math.nan, None,
                       "published")
               for where in find_small_counts(page, min_count=min(limits.values(),
                                                                  default=min_count))]
    notes: list[str] = []
    figures = pd.DataFrame(
        figures_from_benchmark(page_name, page, published, regions, notes)
        + figures_from_national_csv("national.csv", national, published, notes),
        columns=FIGURE_COLUMNS)
    headlines = Headlines(published)
    entries = records(figures)
    for figure in entries:
        missing = [a for a in figure["authorities"] if headlines.row(a, _key(figure)) is None]
        if missing:  # a figure of counts the results file does not publish at all
            scanned.append(finding(BESIDE_HIDDEN, str(figure["file"]), None, blank,
                                   str(figure["where"]), math.nan, math.nan, None,
                                   f"computed from counts of {', '.join(missing)} that are "
                                   "not in the published results"))
    reaching = [_hidden(headlines, figure) for figure in entries]
    figures = figures[np.array(reaching, dtype=bool)] if len(figures) else figures
    found = pd.DataFrame(scanned, columns=FINDING_COLUMNS)
    if len(figures):
        units = {(a, int(y)) for names, y in zip(figures["authorities"], figures["year"],
                                                 strict=True) for a in names}
        keys = list(zip(published["authority"].astype(str), published["year"].astype(int),
                        strict=True))
        rows = published[[key in units for key in keys]].reset_index(drop=True)
        attacked = attack(rows, truth=truth, min_count=limits, figures=figures,
                          source="results.publication.csv")
        found = pd.concat([found, attacked], ignore_index=True) if len(found) else attacked
    if not found.empty:
        raise DisclosureError(what, found)


def _key(figure: Mapping[str, Any]) -> Measure:
    return int(figure["year"]), int(figure["indicator"]), str(figure["measure"])


def _hidden(headlines: Headlines, figure: Mapping[str, Any]) -> bool:
    """Whether a figure is computed from a count hidden in the results file."""
    return any(headlines.counts([a], _key(figure)) is None for a in figure["authorities"])
