"""The published national SC-WRES figures shipped with the package.
"""

from __future__ import annotations

from importlib import resources

import pandas as pd

from wres.core.indicators import get_indicator

PUBLISHED_FILE = "national_sc_wres_2023.csv"
PUBLISHED_SOURCE = (
    "Published national SC-WRES relative likelihoods for 2023 (minority ethnic ÷ white, "
    "23 local authorities); project reference file reference/national_sc_wres_2023.csv"
)

def published_national() -> pd.DataFrame:
    """Published national RLs for 2023: ``indicator, measure, description, relative_likelihood``.

    ``measure`` is the measure code of `wres.indicators` (the published file names
    measures in words); ``description`` keeps those words.
    """
    source = resources.files("wres").joinpath("data", PUBLISHED_FILE)
    with source.open("r", encoding="utf-8") as handle:
        table = pd.read_csv(handle)
    table = table.rename(columns={"measure": "description"})
    table["measure"] = [
        _measure_code(int(n), str(words))
        for n, words in zip(table["indicator"], table["description"], strict=True)
    ]
    table["year"] = 2023
    return table.loc[:, ["indicator", "measure", "description", "relative_likelihood", "year"]]


def _measure_code(indicator: int, words: str) -> str:
    measures = get_indicator(indicator).measures
    named = [m for m in measures if m.replace("_", " ").lower() in words.lower()]
    if len(named) == 1:
        return named[0]
    if len(measures) == 1:
        return measures[0]
    raise ValueError(f"{PUBLISHED_FILE}: cannot tell which measure of indicator {indicator} "
                     f"{words!r} is; expected one of {list(measures)}")
