"""Every indicator's relative likelihoods from validated counts, in one table.

This is what ``wres results`` writes and what the notebooks show: one row
per authority x year x indicator x measure x service (each service, then
``all``) x group (``minority``, then each broad group given), compared with
``white``. The pooled ``all`` service sums the counts of the services before
any rate is taken; ratios are never averaged. All statistics come from
`wres.stats`, called once over all rows.
"""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from wres import stats
from wres.core.adjustments import normalise_adjust
from wres.core.atomic import write_csv_atomic
from wres.core.cache import memoised
from wres.core.indicators import (
    ALL_SERVICES,
    BROAD_GROUPS,
    DEFAULT_THRESHOLDS,
    INDICATORS,
    MINORITY,
    SERVICES,
    UNKNOWN,
    WHITE,
)
from wres.core.names import MARKER
from wres.inputs.counts import band_order

#: Required columns of the results format, in order (docs/CONTRACT.md).
RESULT_COLUMNS: list[str] = [
    "authority",
    "year",
    "indicator",
    "measure",
    "service",
    "group",
    "reference_group",
    "numerator",
    "denominator",
    "rate",
    "rate_lower",
    "rate_upper",
    "reference_numerator",
    "reference_denominator",
    "reference_rate",
    "relative_likelihood",
    "rl_lower",
    "rl_upper",
    "ci_method",
    "confidence_level",
    "flag",
    "significant",
    "status",
]
#: Optional columns written after the required ones.
EXTRA_COLUMNS: list[str] = [
    "rate_method",
    "reference_rate_lower",
    "reference_rate_upper",
    "unknown_numerator",
    "unknown_denominator",
    "unknown_rate",
    "rl_if_unknown_white",
    "rl_if_unknown_minority",
    "verdict",
    "p_value",
    "test_method",
    "p_adjusted",
    "adjust",
    "comparison",
    "rl_range_lower",
    "rl_range_upper",
]
#: The family within which ``adjust`` adjusts p-values: one indicator's report
#: for one authority and year (every measure, service and group on its page).
ADJUST_FAMILY: list[str] = ["authority", "year", "indicator"]
#: ``comparison`` words: the headline comparison of an indicator, or another.
PRIMARY, EXPLORATORY = "primary", "exploratory"

_CELL = ["authority", "year", "indicator", "measure", "service"]
_COMPARED = (MINORITY, *BROAD_GROUPS)


def filter_counts(
    counts: pd.DataFrame,
    authority: str | Iterable[str] | None = None,
    year: int | Iterable[int] | None = None,
    indicator: int | Iterable[int] | None = None,
) -> pd.DataFrame:
    """Rows of ``counts`` for the given authorities, years and indicators (None keeps all)."""
    keep = pd.Series(True, index=counts.index)
    for column, wanted in (("authority", authority), ("year", year), ("indicator", indicator)):
        if wanted is None:
            continue
        values = [wanted] if isinstance(wanted, str | int) else list(wanted)
        keep &= counts[column].isin(values)
    return counts[keep]


def pooled_services(counts: pd.DataFrame) -> pd.DataFrame:
    """Add the ``all`` service: each group's counts summed across the services.

    A group is pooled for an authority x year x indicator x measure only when
    it is given for every service reporting that measure, so ``all`` never
    mixes a whole workforce with part of one.

    Raises
    ------
    ValueError
        If ``counts`` already has ``all`` rows (they are computed, never supplied).
    """
    if (counts["service"] == ALL_SERVICES).any():
        raise ValueError("counts already contain service 'all'; it is computed, not supplied")
    cell = ["authority", "year", "indicator", "measure"]
    services = counts.groupby(cell)["service"].nunique().rename("services")
    aggregations: dict[str, Any] = {
        "denominator": ("denominator", "sum"),
        "numerator": ("numerator", "sum"),
        "given": ("service", "nunique"),
    }
    if "derived" in counts:
        aggregations["derived"] = ("derived", "any")
    pooled = (
        counts.groupby([*cell, "ethnic_group"], sort=False)
        .agg(**aggregations)
        .reset_index()
        .join(services, on=cell)
    )
    pooled = pooled[pooled["given"] == pooled["services"]].drop(columns=["given", "services"])
    pooled["service"] = ALL_SERVICES
    pooled = pooled.loc[:, list(counts.columns)].astype(counts.dtypes.to_dict())
    return pd.concat([counts, pooled], ignore_index=True)


def compute_results(
    counts: pd.DataFrame,
    *,
    ci_method: str = "katz-log",
    rate_method: str = "wilson",
    confidence_level: float = 0.95,
    thresholds: tuple[float, float] = DEFAULT_THRESHOLDS,
    pay_bands: Iterable[str] | None = None,
    adjust: str = "none",
) -> pd.DataFrame:
    """Relative likelihood of every group against ``white``, for every indicator given.

    Parameters
    ----------
    counts : DataFrame
        Validated counts from `wres.data.read_counts` (no ``all`` service).
    ci_method : str
        Interval for the relative likelihood (``katz-log``, ``koopman-score``,
        ``miettinen-nurminen`` or an alias).
    rate_method : str
        Interval for each rate (``wilson``, ``clopper-pearson``, ``jeffreys``).
    confidence_level : float
        Confidence level of every interval.
    thresholds : (float, float)
        Relative likelihoods outside these are flagged ``below`` or ``above``.
    pay_bands : iterable of str, optional
        Order of indicator 1's pay bands; by default their order of first appearance.
    adjust : {"none", "holm", "fdr_bh"}
        Adjustment of the exact tests' p-values for multiple comparisons, within
        each authority, year and indicator (`ADJUST_FAMILY`). With ``holm`` or
        ``fdr_bh``, ``p_adjusted`` is filled and ``significant`` comes from it.

    Returns
    -------
    DataFrame
        `RESULT_COLUMNS` then `EXTRA_COLUMNS`, sorted by authority, year,
        indicator, measure, service (``all`` last) and group (``minority`` first).
        A group compared with a missing ``white`` row is compared with zero
        white staff (``not_computable: no one in the reference group``).
        ``p_value`` is Fisher's exact test, given wherever both groups have
        staff and one has events. ``significant`` is whether the interval
        excludes 1; where the reference group has no events (no ratio) it comes
        from the exact test, and with ``adjust`` from the adjusted p-value.
        ``comparison`` is ``primary`` for minority ethnic against white staff
        in all services (for every indicator with fixed measures, so not the
        pay bands), ``exploratory`` for the rest.

    Notes
    -----
    In a ``wres run`` batch the results are kept in its cache for the same counts
    and options (`wres.core.cache.memoised`): an authority's notebooks compute its
    whole results once.
    """
    bands = None if pay_bands is None else [str(band) for band in pay_bands]
    options = [ci_method, rate_method, confidence_level, list(thresholds), bands, adjust]
    return memoised("results", options, [counts], lambda: _compute_results(
        counts, ci_method=ci_method, rate_method=rate_method, confidence_level=confidence_level,
        thresholds=thresholds, pay_bands=bands, adjust=adjust))


def _compute_results(counts: pd.DataFrame, *, ci_method: str, rate_method: str,
                     confidence_level: float, thresholds: tuple[float, float],
                     pay_bands: list[str] | None, adjust: str) -> pd.DataFrame:
    """`compute_results` without the batch cache."""
    rows = _comparisons(pooled_services(counts))
    group_rate = stats.proportion_interval(
        rows["numerator"], rows["denominator"],
        method=rate_method, confidence_level=confidence_level,
    )
    reference_rate = stats.proportion_interval(
        rows["reference_numerator"], rows["reference_denominator"],
        method=rate_method, confidence_level=confidence_level,
    )
    ratio = stats.relative_likelihood(
        rows["numerator"], rows["denominator"],
        rows["reference_numerator"], rows["reference_denominator"],
        method=ci_method, confidence_level=confidence_level,
    )
    unknown = stats.unknown_bounds(
        rows["numerator"], rows["denominator"],
        rows["reference_numerator"], rows["reference_denominator"],
        rows["unknown_numerator"].fillna(0), rows["unknown_denominator"].fillna(0),
    )
    test = stats.exact_test(
        rows["numerator"], rows["denominator"],
        rows["reference_numerator"], rows["reference_denominator"],
    )
    no_unknown = rows["unknown_denominator"].isna().to_numpy()
    adverse = rows["indicator"].map(lambda n: INDICATORS[int(n)].adverse)
    rl, lower, upper = (ratio[c].to_numpy() for c in ("relative_likelihood", "rl_lower",
                                                       "rl_upper"))
    out = rows.assign(
        reference_group=WHITE,
        rate=group_rate["rate"].to_numpy(),
        rate_lower=group_rate["rate_lower"].to_numpy(),
        rate_upper=group_rate["rate_upper"].to_numpy(),
        reference_rate=reference_rate["rate"].to_numpy(),
        relative_likelihood=rl,
        rl_lower=lower,
        rl_upper=upper,
        ci_method=ratio["ci_method"].to_numpy(),
        confidence_level=ratio["confidence_level"].to_numpy(),
        status=ratio["status"].to_numpy(),
        rate_method=group_rate["rate_method"].to_numpy(),
        reference_rate_lower=reference_rate["rate_lower"].to_numpy(),
        reference_rate_upper=reference_rate["rate_upper"].to_numpy(),
    )
    out["flag"] = _values(stats.flag_relative_likelihood(out["relative_likelihood"], thresholds))
    tested = out["status"].isin([stats.OK, stats.NO_EVENTS_REFERENCE]).to_numpy()
    out["p_value"] = np.where(tested, test["p_value"].to_numpy(), np.nan)
    out["test_method"] = test["test_method"].to_numpy()
    _add_significance(out, adjust, confidence_level)
    out["verdict"] = _values(stats.verdict(
        out["relative_likelihood"], out["rl_lower"], out["rl_upper"], adverse,
        status=out["status"], thresholds=thresholds, significant=out["significant"],
    ))
    out["comparison"] = _comparison(out)
    for column in ("unknown_rate", "rl_if_unknown_white", "rl_if_unknown_minority",
                   "rl_range_lower", "rl_range_upper"):
        out[column] = np.where(no_unknown, np.nan, unknown[column].to_numpy(dtype=float))
    out = _sorted(out, band_order(counts, pay_bands))
    return out.loc[:, RESULT_COLUMNS + EXTRA_COLUMNS].reset_index(drop=True)


def _add_significance(out: pd.DataFrame, adjust: str, confidence_level: float) -> None:
    """``significant``, ``p_adjusted`` and ``adjust``, from the interval or the exact test.

    Unadjusted, a row is significant when its interval excludes 1, or, where
    the reference group has no events (no ratio, no upper limit), when its
    exact test is (p at most 1 - level). Adjusted, every tested row's
    significance is `multipletests`' verdict on the adjusted p-values of its
    family (`ADJUST_FAMILY`).
    """
    families = out.groupby(ADJUST_FAMILY, sort=False).ngroup().to_numpy()
    adjusted = stats.adjust_p_values(out["p_value"].to_numpy(), families, method=adjust,
                                     confidence_level=confidence_level)
    out["p_adjusted"] = adjusted["p_adjusted"].to_numpy()
    out["adjust"] = adjusted["adjust"].to_numpy()
    if normalise_adjust(adjust) != "none":
        out["significant"] = pd.array(adjusted["significant"].to_numpy(), dtype="boolean")
        return
    significant = pd.array(
        _values(stats.is_significant(out["rl_lower"], out["rl_upper"])), dtype="boolean")
    exact = (out["status"] == stats.NO_EVENTS_REFERENCE).to_numpy()
    significant[exact] = adjusted["significant"].to_numpy()[exact]
    out["significant"] = significant


def _comparison(out: pd.DataFrame) -> np.ndarray:
    """``primary`` for minority ethnic against white staff in all services, else ``exploratory``.

    Indicators whose measures are labels of the authority's own (the pay bands)
    have no primary comparison: each band is one of several looks at pay.
    """
    fixed = out["indicator"].map(lambda n: bool(INDICATORS[int(n)].measures)).to_numpy(bool)
    primary = (out["group"] == MINORITY).to_numpy() & (
        out["service"] == ALL_SERVICES).to_numpy() & fixed
    return np.where(primary, PRIMARY, EXPLORATORY)


def _values(result: pd.Series | Any) -> Any:
    """Values of a stats result without its index, so they align by position."""
    return result.to_numpy() if isinstance(result, pd.Series) else result


def _comparisons(counts: pd.DataFrame) -> pd.DataFrame:
    """One row per cell and compared group, with the white and unknown counts beside it."""
    def counts_of(groups: Iterable[str], prefix: str) -> pd.DataFrame:
        part = counts[counts["ethnic_group"].isin(list(groups))]
        renamed = {"numerator": f"{prefix}numerator", "denominator": f"{prefix}denominator"}
        return part.loc[:, [*_CELL, "ethnic_group", "numerator", "denominator"]].rename(
            columns=renamed
        )

    groups = counts_of(_COMPARED, "").rename(columns={"ethnic_group": "group"})
    white = counts_of([WHITE], "reference_").drop(columns="ethnic_group")
    unknown = counts_of([UNKNOWN], "unknown_").drop(columns="ethnic_group")
    rows = groups.merge(white, on=_CELL, how="left").merge(unknown, on=_CELL, how="left")
    for column in ("reference_numerator", "reference_denominator"):
        rows[column] = rows[column].fillna(0).astype("int64")
    for column in ("unknown_numerator", "unknown_denominator"):
        rows[column] = rows[column].astype("Int64")
    for column in ("numerator", "denominator"):
        rows[column] = rows[column].astype("int64")
    return rows.reset_index(drop=True)


def _sorted(results: pd.DataFrame, bands: list[str]) -> pd.DataFrame:
    """Sort by authority, year, indicator, measure, service (``all`` last), group."""
    measure_rank = {(1, band): i for i, band in enumerate(bands)}
    for number, indicator in INDICATORS.items():
        measure_rank.update({(number, m): i for i, m in enumerate(indicator.measures)})
    others = sorted(set(results["service"]) - {*SERVICES, ALL_SERVICES})
    service_rank = {s: i for i, s in enumerate([*SERVICES, *others, ALL_SERVICES])}
    group_rank = {g: i for i, g in enumerate(_COMPARED)}
    keys = results.assign(
        _measure=[measure_rank.get((int(n), m), len(measure_rank))
                  for n, m in zip(results["indicator"], results["measure"], strict=True)],
        _service=results["service"].map(service_rank),
        _group=results["group"].map(group_rank),
    )
    order = ["authority", "year", "indicator", "_measure", "measure", "_service", "_group"]
    return keys.sort_values(order, kind="stable").drop(columns=["_measure", "_service", "_group"])


def withhold_adjusted_p_values(published: pd.DataFrame, marker: str = MARKER) -> pd.DataFrame:
    """Withhold ``p_adjusted`` throughout a family in which any p-value is withheld.

    Holm's and Benjamini-Hochberg's adjusted p-values are running maxima and
    minima over the family's sorted p-values, so a published one can equal a
    multiple of a p-value withheld beside it, and so reveal a small count.
    Apply after disclosure control (`wres.analysis.disclosure.apply_disclosure`);
    rows without an adjustment are returned unchanged.
    """
    if "p_adjusted" not in published or "p_value" not in published or published.empty:
        return published
    hidden = published["p_value"].astype(str) == marker
    if not hidden.any() or not published["p_adjusted"].notna().any():
        return published
    families = published[ADJUST_FAMILY].astype(str).agg("|".join, axis=1)
    touched = families.isin(set(families[hidden])).to_numpy()
    out = published.copy()
    out["p_adjusted"] = out["p_adjusted"].astype(object)
    out.loc[touched & out["p_adjusted"].notna().to_numpy(), "p_adjusted"] = marker
    return out


def write_results(rows: pd.DataFrame, output_dir: str | Path, name: str) -> Path:
    """Write result rows, in the `wres results` columns, as ``<output_dir>/<name>.results.csv``.

    The file is written atomically, so a reader never sees half of it.
    """
    path = Path(output_dir) / f"{name}.results.csv"
    return write_csv_atomic(rows.loc[:, RESULT_COLUMNS + EXTRA_COLUMNS], path)
