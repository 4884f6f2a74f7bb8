"""The national view: every authority's relative likelihood on a funnel around the national value.

Reads the counts of every authority for one year, computes their results
(`wres.analysis.results`) and places each authority on a funnel plot around the
relative likelihood (RL) pooled over all of them (`wres.analysis.benchmark`),
and each authority's minority ethnic rates, and its minority ethnic share of
senior managers, on proportion funnels (`wres.analysis.benchmark_rates`).
`wres.present.national` shows them and writes ``national.csv``.

Each authority-year's results are put through disclosure control as
``results.publication.csv`` puts them (`wres.analysis.disclosure.publish_results`).
An authority whose headline comparison has a hidden count is ``withheld``. In
the ``publication`` profile it is also left out of every total: the national
and regional figures, the funnels' national values, limits and overdispersion
are computed from the published counts only, so a total can never give a
hidden count back (issue 12). The ``analyst`` profile pools everyone.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd

from wres.analysis.benchmark import benchmark_relative_likelihoods
from wres.analysis.benchmark_rates import (
    NOT_SUBMITTED,
    WITHHELD,
    rate_funnels,
    senior_share_funnel,
)
from wres.analysis.benchmark_regions import headline_keys, headlines, region_breakdown
from wres.analysis.disclosure.withheld import Headline, publish_results, published_headlines
from wres.analysis.results import compute_results
from wres.core.csv_safety import neutralise_formulas
from wres.core.indicators import ALL_SERVICES, MINORITY, get_indicator
from wres.core.names import MIN_COUNT, PROFILES
from wres.core.paths import resolve_paths
from wres.inputs.counts import read_counts
from wres.inputs.params import read_regions
from wres.inputs.validation import ValidationError
from wres.stats.funnel import LEVELS, NOT_ASSESSED, UNADJUSTED

NATIONAL_INDICATORS: tuple[int, ...] = (2, 3, 4, 5, 6, 7, 8)
__all__ = ["MEASURE_KEYS", "NATIONAL_INDICATORS", "NOT_SUBMITTED", "PUBLICATION_FORMATS",
           "PUBLICATION_LEFT_OUT", "WITHHELD", "NationalView", "build_national_view",
           "national_benchmark", "publication_frame", "region_breakdown", "write_national_csv"]

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
#: Figures the publication profile leaves out of ``national.csv``: those no page shows
#: (the funnel test's, each authority's log RL and its standard error).
PUBLICATION_LEFT_OUT = [*_TEST_FIGURES, "national_share", "national_rl_lower_widened",
                        "national_rl_upper_widened", "log_rl", "se", "precision"]
#: How the publication profile writes the figures it keeps: at the precision the pages show
#: them (relative likelihoods and limits to two decimals, φ to two, τ² and the χ² p-value
#: to three and two significant figures), never at full precision.
PUBLICATION_FORMATS = {"relative_likelihood": "{:.2f}", "rl_lower": "{:.2f}",
                       "rl_upper": "{:.2f}", "national_rl": "{:.2f}",
                       "national_rl_lower": "{:.2f}", "national_rl_upper": "{:.2f}",
                       "phi": "{:.2f}", "tau2": "{:.3g}", "p_value": "{:.2g}"}

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
    published: pd.DataFrame = field(default_factory=pd.DataFrame)
    truth: pd.DataFrame = field(default_factory=pd.DataFrame)
    shown: frozenset[Headline] = frozenset()
    min_counts: dict[str, int] = field(default_factory=dict)

    @property
    def withholds(self) -> bool:
        """Whether figures from hidden counts are withheld and left out of totals."""
        return self.profile == "publication"


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
    min_counts: Mapping[str, int] | None = None,
    published_indicators: Mapping[str, Sequence[int]] | Sequence[int] | None = None,
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
        k of disclosure control: an authority whose headline comparison has a
        count hidden in its published results (a count from 1 to k - 1, or one
        hidden beside it) is ``withheld``; in the ``publication`` profile its RL
        is not shown and it is left out of every total.
    profile : {"analyst", "publication"}
    overdispersion : {"spiegelhalter", "corrected"}
        The published method (default) or the corrected one, for sensitivity
        (`wres.stats.funnel.OVERDISPERSION_METHODS`).
    min_counts : mapping, optional
        Authority -> its own k, where it differs from ``min_count``.
    published_indicators : sequence or mapping of authority -> sequence, optional
        The indicators each authority's reports publish (disclosure control
        decides over them together); by default every indicator in its counts.
        A headline of an indicator not published is left out like a withheld one.

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
    counts = counts[counts["year"] == int(year)]
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
    published = publish_results(every, min_count=min_count, min_counts=min_counts,
                                indicators=published_indicators)
    shown = frozenset(published_headlines(published))
    withhold = profile == "publication"
    national = national_benchmark(
        results, regions=regions, levels=levels, confidence_level=confidence_level,
        shown=shown, withhold=withhold, overdispersion=overdispersion,
    )
    rates = pd.concat([rate_funnels(results, indicators=indicators, levels=levels, shown=shown,
                                    withhold=withhold),
                       senior_share_funnel(every, levels=levels, shown=shown,
                                           withhold=withhold)],
                      ignore_index=True)
    return NationalView(int(year), results, national, regions, tuple(levels), confidence_level,
                        ci_method, min_count, profile, region, excluded, rates, overdispersion,
                        published, every, shown, dict(min_counts or {}))


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
    shown: Collection[Headline] | None = None,
    withhold: bool = False,
    overdispersion: str = "spiegelhalter",
) -> pd.DataFrame:
    """Benchmark rows for every authority x indicator x measure, with interval and region.

    Authorities with results for some measures but not others get a row for the
    missing ones, ``not assessed`` with the note ``not submitted``. ``withheld``
    is True where the headline comparison is not in ``shown`` (its counts are not
    all published; by default decided here over ``results`` at ``min_count``,
    `wres.analysis.disclosure.publish_results`). With ``withhold`` those rows are
    left out of the benchmark: the national RL, the limits and the overdispersion
    are the other authorities', and the withheld rows have no figures and the
    position ``withheld``. ``in_total`` counts the authorities pooled into each
    measure's national figure, ``left_out`` those withheld from it.
    """
    if shown is None:
        shown = published_headlines(publish_results(results, min_count=min_count))
    rows = headlines(results)
    hidden = np.array([key not in shown for key in headline_keys(rows)], dtype=bool)
    extra = rows[["authority", *MEASURE_KEYS, "rl_lower", "rl_upper", "ci_method",
                  "confidence_level"]].assign(withheld=hidden)
    kept = results.drop(index=rows.index[hidden]) if withhold else results
    if headlines(kept).empty:
        bench = _benchmark(results, levels, confidence_level, overdispersion).iloc[:0]
    else:
        bench = _benchmark(kept, levels, confidence_level, overdispersion)
    bench = bench.merge(extra, on=["authority", *MEASURE_KEYS], how="left")
    if withhold:
        bench = _add_withheld(bench, extra[hidden], overdispersion)
    bench = _add_not_submitted(bench, sorted(results["authority"].unique()))
    bench["withheld"] = bench["withheld"].astype("boolean").fillna(False).astype(bool)
    where = dict(regions or {})
    bench.insert(6, "region", [where.get(str(a), "") for a in bench["authority"]])
    pooled = bench["note"].astype(str) != NOT_SUBMITTED
    if withhold:
        pooled &= ~bench["withheld"]
    by_measure = bench.groupby(MEASURE_KEYS, sort=False)
    bench["in_total"] = pooled.groupby([bench[k] for k in MEASURE_KEYS]).transform("sum")
    bench["left_out"] = (by_measure["withheld"].transform("sum") if withhold else 0)
    return _ordered(bench)


def _benchmark(results: pd.DataFrame, levels: Sequence[float], confidence_level: float,
               overdispersion: str) -> pd.DataFrame:
    return benchmark_relative_likelihoods(results, levels=levels,
                                          confidence_level=confidence_level,
                                          overdispersion=overdispersion)


def _add_withheld(bench: pd.DataFrame, withheld: pd.DataFrame, method: str) -> pd.DataFrame:
    """A row per withheld comparison: its measure's shared figures and nothing of its own."""
    if withheld.empty:
        return bench
    shared = bench.groupby(MEASURE_KEYS, sort=False)[_SHARED].first().reset_index()
    rows = withheld[["authority", *MEASURE_KEYS, "ci_method", "confidence_level", "withheld"]]
    added = rows.merge(shared, on=MEASURE_KEYS, how="left")
    alone = added["n_authorities"].isna()  # every authority of the measure withheld
    added.loc[alone, "n_authorities"] = 0
    added.loc[alone, "n_excluded"] = 0
    added.loc[alone, "limits"] = UNADJUSTED
    added.loc[alone, "overdispersed"] = False
    added.loc[alone, "overdispersion"] = method
    added = added.assign(service=ALL_SERVICES, group=MINORITY, position=WITHHELD,
                         position_unadjusted=WITHHELD, note="")
    return pd.concat([bench, added], ignore_index=True)


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


def publication_frame(national: pd.DataFrame) -> pd.DataFrame:
    """``national.csv`` as the publication profile writes it.

    Leaves out :data:`PUBLICATION_LEFT_OUT` and writes every figure kept at the
    precision the pages show it (:data:`PUBLICATION_FORMATS`; each authority's
    limits to two decimals), as text, so that nothing is published at full
    precision (issue 12: the national RL at full precision gave Cindermoor's
    counts back).
    """
    out = national.drop(columns=PUBLICATION_LEFT_OUT, errors="ignore").copy()
    limits = {c: "{:.2f}" for c in out if c.startswith(("lower_", "upper_"))}
    for column, pattern in {**PUBLICATION_FORMATS, **limits}.items():
        if column in out:
            values = pd.to_numeric(out[column], errors="coerce")
            out[column] = [pattern.format(v) if np.isfinite(v) else "" for v in values]
    return out


def write_national_csv(national: pd.DataFrame, output_dir: str | Path, *,
                       profile: str = "analyst") -> Path:
    """Write ``national.csv`` (the rows of :func:`national_benchmark`) into ``output_dir``.

    The ``publication`` profile writes :func:`publication_frame`.
    """
    folder = Path(output_dir)
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / "national.csv"
    if profile == "publication":
        national = publication_frame(national)
    neutralise_formulas(national).to_csv(path, index=False)  # no cell runs as a formula
    return path
