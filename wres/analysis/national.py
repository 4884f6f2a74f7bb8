"""The national view: every authority's relative likelihood on a funnel around the national value.

Reads the counts of every authority for one year, computes their results
(`wres.analysis.results`) and places each authority on a funnel plot around the
relative likelihood (RL) pooled over all of them (`wres.analysis.benchmark`),
and each authority's minority ethnic rates, and its minority ethnic share of
senior managers, on proportion funnels (`wres.analysis.benchmark_rates`).
`wres.present.national` shows them and writes ``national.csv``.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd

from wres import stats
from wres.analysis.benchmark import benchmark_relative_likelihoods
from wres.analysis.benchmark_rates import (
    NOT_SUBMITTED,
    SENIOR_INDICATOR,
    rate_funnels,
    senior_share_funnel,
)
from wres.analysis.results import compute_results
from wres.core.indicators import ALL_SERVICES, MINORITY, get_indicator
from wres.core.names import COMPARISON_COUNTS, MIN_COUNT, PROFILES
from wres.core.paths import resolve_paths
from wres.inputs.counts import read_counts
from wres.inputs.params import read_regions
from wres.inputs.validation import ValidationError
from wres.stats.funnel import LEVELS, NOT_ASSESSED

NATIONAL_INDICATORS: tuple[int, ...] = (2, 3, 4, 5, 6, 7, 8)
WITHHELD = "withheld"

_COUNTS = list(COMPARISON_COUNTS)
MEASURE_KEYS = ["indicator", "measure", "year"]
#: Columns of the benchmark frame that are the same for every authority of a measure.
_SHARED = [
    "national_rl", "national_rl_lower", "national_rl_upper", "national_rl_lower_widened",
    "national_rl_upper_widened", "national_share", "phi", "p_value", "tau2", "overdispersed",
    "overdispersion", "n_authorities", "n_excluded", "limits",
]
#: Per-authority figures of the funnel test, blanked where an authority's RL is withheld.
_TEST_FIGURES = ["observed", "expected", "standardised_ratio", "z", "z_adjusted", "se_null",
                 "precision_null"]
#: Figures the publication profile leaves out of ``national.csv``: those added with the
#: funnel test (the pages show them rounded, if at all); the columns written before stay.
PUBLICATION_LEFT_OUT = [*_TEST_FIGURES, "national_share", "national_rl_lower_widened",
                        "national_rl_upper_widened"]

# --- computing --------------------------------------------------------------------------------


@dataclass(frozen=True)
class NationalView:
    """Everything the national notebook shows for one year.

    ``national`` has one row per authority x indicator x measure (the
    `benchmark_relative_likelihoods` columns, then ``region``, ``rl_lower``,
    ``rl_upper``, ``ci_method``, ``confidence_level`` and ``withheld``);
    ``results`` holds every authority's results rows for the year; ``rates``
    the proportion funnels (`wres.analysis.benchmark_rates`): each measure's
    minority ethnic rate and, when indicator 9 is in the data, the minority
    ethnic share of senior managers.
    """

    year: int
    results: pd.DataFrame
    national: pd.DataFrame
    regions: dict[str, str] = field(default_factory=dict)
    levels: tuple[float, ...] = LEVELS
    confidence_level: float = 0.95
    ci_method: str = "katz-log"
    min_count: int = MIN_COUNT
    profile: str = "analyst"
    region: str | None = None
    excluded: tuple[str, ...] = ()
    rates: pd.DataFrame = field(default_factory=pd.DataFrame)
    overdispersion: str = "spiegelhalter"


def build_national_view(
    year: int,
    data: str | Path | Sequence[str | Path],
    *,
    regions: Mapping[str, str] | None = None,
    params_dir: str | Path | None = None,
    region: str | None = None,
    indicators: Sequence[int] = NATIONAL_INDICATORS,
    levels: Sequence[float] = LEVELS,
    confidence_level: float = 0.95,
    ci_method: str = "katz-log",
    min_count: int = MIN_COUNT,
    profile: str = "analyst",
    overdispersion: str = "spiegelhalter",
) -> NationalView:
    """Read every authority's counts for ``year`` and benchmark them.

    Parameters
    ----------
    year : int
        Year shown.
    data : str, Path or a sequence of them
        Counts files or glob patterns (relative to the working directory).
    regions : mapping, optional
        Authority -> region; when empty, read from the params files in ``params_dir``.
    region : str, optional
        Show only the authorities of this region (the pooled value is then the region's).
    indicators, levels, confidence_level, ci_method
        What is benchmarked, the funnel levels and the interval settings.
    min_count : int
        In the ``publication`` profile, an authority whose pooled counts include
        one from 1 to ``min_count - 1`` has its RL withheld (still pooled nationally).
    profile : {"analyst", "publication"}
    overdispersion : {"spiegelhalter", "corrected"}
        The published method (default) or the corrected one, for sensitivity
        (`wres.stats.funnel.OVERDISPERSION_METHODS`).

    Raises
    ------
    ValueError
        For an unknown profile, a year or region with no authorities.
    """
    if profile not in PROFILES:
        raise ValueError(f"profile must be one of {PROFILES}, got {profile!r}")
    regions = dict(regions or {})
    if not regions and params_dir is not None:
        regions = read_regions(params_dir)
    patterns = [data] if isinstance(data, str | Path) else list(data)
    counts, excluded = _read_valid(resolve_paths(patterns))
    years = sorted(int(y) for y in counts["year"].unique())
    counts = counts[(counts["year"] == int(year))
                    & counts["indicator"].isin([*indicators, SENIOR_INDICATOR])]
    if not counts["indicator"].isin(list(indicators)).any():
        raise ValueError(f"no counts for year {year} and indicators {list(indicators)}; "
                         f"years present: {years}")
    if region is not None:
        inside = [a for a, r in regions.items() if r == region]
        counts = counts[counts["authority"].isin(inside)]
        if counts.empty:
            known = sorted(set(regions.values()))
            raise ValueError(f"no authorities in region {region!r}; regions known: {known}")
    every = compute_results(counts, ci_method=ci_method, confidence_level=confidence_level)
    results = every[every["indicator"].isin(list(indicators))].reset_index(drop=True)
    national = national_benchmark(
        results, regions=regions, levels=levels, confidence_level=confidence_level,
        min_count=min_count, withhold=profile == "publication", overdispersion=overdispersion,
    )
    rates = pd.concat([rate_funnels(results, indicators=indicators, levels=levels,
                                    min_count=min_count),
                       senior_share_funnel(every, levels=levels, min_count=min_count)],
                      ignore_index=True)
    return NationalView(int(year), results, national, regions, tuple(levels), confidence_level,
                        ci_method, min_count, profile, region, excluded, rates, overdispersion)


def _read_valid(paths: Sequence[Path]) -> tuple[pd.DataFrame, tuple[str, ...]]:
    """Counts from every file that validates; the others are left out and named.

    One authority's bad file must not stop the national view of all the others.
    """
    frames, excluded = [], []
    for path in paths:
        try:
            frames.append(read_counts([path]))
        except ValidationError as error:
            excluded.append(f"{Path(path).name} ({len(error.problems)} problem(s))")
    if not frames:
        raise ValueError("no counts file could be read: " + "; ".join(excluded))
    return pd.concat(frames, ignore_index=True), tuple(excluded)


def national_benchmark(
    results: pd.DataFrame,
    *,
    regions: Mapping[str, str] | None = None,
    levels: Sequence[float] = LEVELS,
    confidence_level: float = 0.95,
    min_count: int = MIN_COUNT,
    withhold: bool = False,
    overdispersion: str = "spiegelhalter",
) -> pd.DataFrame:
    """Benchmark rows for every authority x indicator x measure, with interval and region.

    Authorities with results for some measures but not others get a row for the
    missing ones, ``not assessed`` with the note ``not submitted``. ``withheld`` is
    True where a pooled count is from 1 to ``min_count - 1``; with ``withhold``
    those rows lose their RL, interval, limits and test figures and their position is
    ``withheld``.
    """
    bench = benchmark_relative_likelihoods(results, levels=levels,
                                           confidence_level=confidence_level,
                                           overdispersion=overdispersion)
    rows = results[(results["service"] == ALL_SERVICES) & (results["group"] == MINORITY)]
    counts = rows[_COUNTS].apply(pd.to_numeric, errors="coerce")
    extra = rows[["authority", *MEASURE_KEYS, "rl_lower", "rl_upper", "ci_method",
                  "confidence_level"]]
    extra = extra.assign(withheld=((counts >= 1) & (counts < min_count)).any(axis=1).to_numpy())
    bench = bench.merge(extra, on=["authority", *MEASURE_KEYS], how="left")
    bench = _add_not_submitted(bench, sorted(results["authority"].unique()))
    bench["withheld"] = bench["withheld"].astype("boolean").fillna(False).astype(bool)
    bench.insert(6, "region", bench["authority"].map(dict(regions or {})).fillna(""))
    if withhold:
        hidden = bench["withheld"].to_numpy()
        values = ["relative_likelihood", "log_rl", "se", "precision", "rl_lower", "rl_upper",
                  *_TEST_FIGURES]
        limits = [c for c in bench if c.startswith(("lower_", "upper_"))]
        bench.loc[hidden, values + limits] = np.nan
        bench.loc[hidden, ["position", "position_unadjusted"]] = WITHHELD
    return _ordered(bench)


def _add_not_submitted(bench: pd.DataFrame, authorities: list[str]) -> pd.DataFrame:
    shared = bench.groupby(MEASURE_KEYS, sort=False)[_SHARED].first().reset_index()
    everyone = shared[MEASURE_KEYS].merge(pd.DataFrame({"authority": authorities}), how="cross")
    present = bench[["authority", *MEASURE_KEYS]].assign(_present=True)
    missing = everyone.merge(present, on=["authority", *MEASURE_KEYS], how="left")
    missing = missing[missing["_present"].isna()].drop(columns="_present")
    if missing.empty:
        return bench
    added = missing.merge(shared, on=MEASURE_KEYS).assign(
        service=ALL_SERVICES, group=MINORITY, position=NOT_ASSESSED,
        position_unadjusted=NOT_ASSESSED, note=NOT_SUBMITTED, withheld=False,
    )
    return pd.concat([bench, added], ignore_index=True)


def _ordered(frame: pd.DataFrame) -> pd.DataFrame:
    rank = [get_indicator(int(n)).measures.index(m) if m in get_indicator(int(n)).measures
            else 99 for n, m in zip(frame["indicator"], frame["measure"], strict=True)]
    keys = frame.assign(_rank=rank)
    keys = keys.sort_values(["year", "indicator", "_rank", "measure", "authority"], kind="stable")
    return keys.drop(columns="_rank").reset_index(drop=True)


def region_breakdown(
    results: pd.DataFrame,
    regions: Mapping[str, str],
    *,
    ci_method: str = "katz-log",
    confidence_level: float = 0.95,
    min_count: int = MIN_COUNT,
) -> pd.DataFrame:
    """Pooled RL per region x indicator x measure, from counts summed over its authorities.

    Returns ``region, year, indicator, measure, authorities``, the summed counts,
    the `wres.stats.relative_likelihood` columns and ``withheld`` (a pooled count
    from 1 to ``min_count - 1``). Authorities without a region are left out.
    """
    rows = results[(results["service"] == ALL_SERVICES) & (results["group"] == MINORITY)]
    rows = rows.assign(region=rows["authority"].map(dict(regions)))
    rows = rows[rows["region"].notna()]
    numeric = rows[_COUNTS].apply(pd.to_numeric, errors="coerce").fillna(0).astype("int64")
    keys = ["region", "year", "indicator", "measure"]
    pooled = (rows[[*keys, "authority"]].join(numeric)
              .groupby(keys, sort=True)
              .agg(authorities=("authority", "nunique"), **{c: (c, "sum") for c in _COUNTS})
              .reset_index())
    ratio = stats.relative_likelihood(
        *(pooled[c] for c in _COUNTS), method=ci_method, confidence_level=confidence_level
    ).drop(columns=_COUNTS)
    out = pd.concat([pooled, ratio.set_axis(pooled.index)], axis=1)
    small = ((out[_COUNTS] >= 1) & (out[_COUNTS] < min_count)).any(axis=1)
    return out.assign(withheld=small.to_numpy())


def write_national_csv(national: pd.DataFrame, output_dir: str | Path, *,
                       profile: str = "analyst") -> Path:
    """Write ``national.csv`` (the rows of :func:`national_benchmark`) into ``output_dir``.

    The ``publication`` profile leaves out :data:`PUBLICATION_LEFT_OUT`.
    """
    folder = Path(output_dir)
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / "national.csv"
    if profile == "publication":
        national = national.drop(columns=PUBLICATION_LEFT_OUT, errors="ignore")
    national.to_csv(path, index=False)
    return path
