"""How far the findings depend on the interval method, the level, the thresholds and unknowns.

The analysts' bench (``notebooks/methods.ipynb``) calls these. Every figure comes
from `wres.results.compute_results` and the words from `wres.stats`; this module
only repeats those calls under other choices and lays the rows side by side.
A comparison is one authority x year x indicator x measure x service x group.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

import numpy as np
import pandas as pd

from wres import stats
from wres.analysis.results import compute_results
from wres.core.frames import records
from wres.core.indicators import DEFAULT_THRESHOLDS, get_indicator
from wres.core.names import RESULT_KEY
from wres.present.narrative.words import format_confidence
from wres.present.tables import format_likelihood

#: Columns that name one comparison of a group with white staff.
COMPARISON: list[str] = list(RESULT_KEY)
#: The usual thresholds, a narrower pair (0.9 and its reciprocal) and a wider pair (2/3, 3/2).
OTHER_THRESHOLDS: tuple[tuple[float, float], ...] = ((0.80, 1.25), (0.90, 1.11), (0.67, 1.50))
#: Flag words in the order `count_flags` shows them (``""`` is shown as "not computable").
FLAG_ORDER: tuple[str, ...] = ("below", "within", "above", "not computable")

_METHOD = ["ci_method", "confidence_level"]


def across_methods(
    counts: pd.DataFrame,
    *,
    methods: Iterable[str] = stats.RATIO_METHODS,
    confidence_levels: Iterable[float] = (0.95, 0.99),
    rate_method: str = "wilson",
    thresholds: tuple[float, float] = DEFAULT_THRESHOLDS,
    pay_bands: Iterable[str] | None = None,
) -> pd.DataFrame:
    """Every relative likelihood under each interval method and confidence level.

    Parameters
    ----------
    counts : DataFrame
        Validated counts from `wres.data.read_counts`.
    methods : iterable of str
        Interval methods for the relative likelihood (names or aliases; repeats are dropped).
    confidence_levels : iterable of float
        Confidence levels of every interval (repeats are dropped).
    rate_method, thresholds, pay_bands
        Passed to `wres.results.compute_results` unchanged.

    Returns
    -------
    DataFrame
        `compute_results` rows for each method, then each level, one after the
        other; every row carries its ``ci_method`` and ``confidence_level``.

    Raises
    ------
    ValueError
        If no method or no level is given, or a method is unknown.
    """
    names = list(dict.fromkeys(stats.normalise_method(m, "ratio") for m in methods))
    levels = list(dict.fromkeys(float(level) for level in confidence_levels))
    if not names or not levels:
        raise ValueError("across_methods needs at least one method and one confidence level")
    bands = None if pay_bands is None else list(pay_bands)
    parts = [
        compute_results(counts, ci_method=name, rate_method=rate_method,
                        confidence_level=level, thresholds=thresholds, pay_bands=bands)
        for name in names
        for level in levels
    ]
    return pd.concat(parts, ignore_index=True)


def method_label(ci_method: str, confidence_level: float) -> str:
    """Column label of a method at a level: ``"katz-log 95%"``, ``"koopman-score 99.8%"``."""
    return f"{ci_method} {format_confidence(confidence_level)}"


def side_by_side(frame: pd.DataFrame) -> pd.DataFrame:
    """One row per comparison: its relative likelihood and verdict under each method and level.

    Parameters
    ----------
    frame : DataFrame
        Rows from `across_methods` (or several `compute_results` frames concatenated).

    Returns
    -------
    DataFrame
        `COMPARISON`, then a column per method and level (`method_label`) holding
        the relative likelihood and interval as text ("1.50 (1.25–1.79)", or
        "not computable"), then the same labels followed by " verdict".

    Raises
    ------
    ValueError
        If one method and level has more than one row for a comparison.
    """
    labelled = frame.reset_index(drop=True)
    labelled = labelled.assign(
        _label=[method_label(m, c) for m, c in zip(labelled["ci_method"],
                                                    labelled["confidence_level"], strict=True)],
        likelihood=[format_likelihood(row) for row in records(labelled)],
    )
    return _spread(labelled, COMPARISON, "_label", {"likelihood": "", "verdict": " verdict"})


def changed_verdicts(frame: pd.DataFrame) -> pd.DataFrame:
    """The comparisons whose verdict or significance is not the same under every method and level.

    Parameters
    ----------
    frame : DataFrame
        Rows from `across_methods`.

    Returns
    -------
    DataFrame
        The `side_by_side` rows of those comparisons, with a ``changes`` column
        after `COMPARISON`: "verdict", "significance" or "verdict and significance".
        Empty (with the same columns) when every method and level agree.
    """
    by_comparison = frame.groupby(COMPARISON, sort=False)
    verdict_differs = by_comparison["verdict"].nunique(dropna=False) > 1
    significance_differs = by_comparison["significant"].nunique(dropna=False) > 1
    changes = pd.Series(
        np.select(
            [verdict_differs & significance_differs, verdict_differs, significance_differs],
            ["verdict and significance", "verdict", "significance"],
            "",
        ),
        index=verdict_differs.index,
        name="changes",
    )
    wide = side_by_side(frame).join(changes, on=COMPARISON)
    wide.insert(len(COMPARISON), "changes", wide.pop("changes"))
    return wide[wide["changes"] != ""].reset_index(drop=True)


def count_changes(frame: pd.DataFrame) -> pd.DataFrame:
    """How many comparisons change verdict or significance: between methods, between levels.

    Parameters
    ----------
    frame : DataFrame
        Rows from `across_methods`.

    Returns
    -------
    DataFrame
        One row per level held fixed (``between`` "interval methods"), then per
        method held fixed (``between`` "confidence levels"), then every method
        and level at once: ``between``, ``held``, ``comparisons`` and ``changed``
        (the number of rows `changed_verdicts` lists).
    """
    counted = []
    for between, held, part in [
        *(("interval methods", format_confidence(level), part)
          for level, part in frame.groupby("confidence_level", sort=False)),
        *(("confidence levels", str(method), part)
          for method, part in frame.groupby("ci_method", sort=False)),
        ("methods and levels", "nothing", frame),
    ]:
        comparisons = len(part.drop_duplicates(COMPARISON))
        counted.append({"between": between, "held": held, "comparisons": comparisons,
                        "changed": len(changed_verdicts(part))})
    return pd.DataFrame(counted)


def across_thresholds(
    results: pd.DataFrame,
    thresholds: Sequence[Sequence[float]] = OTHER_THRESHOLDS,
) -> pd.DataFrame:
    """The flag and verdict of every row under each pair of thresholds.

    The relative likelihoods and intervals do not change; only which of them
    count as below, within or above the range, and so the words of the verdict.

    Parameters
    ----------
    results : DataFrame
        Rows from `wres.results.compute_results` (or `across_methods`).
    thresholds : sequence of (low, high)
        Pairs of thresholds, each ``0 < low < high``.

    Returns
    -------
    DataFrame
        For each pair in turn, every row's `COMPARISON`, ``ci_method``,
        ``confidence_level``, ``relative_likelihood``, ``rl_lower``, ``rl_upper``,
        ``significant``, ``status``, then ``threshold_low``, ``threshold_high``,
        ``thresholds`` (text, "0.80–1.25"), ``flag`` and ``verdict``.

    Raises
    ------
    ValueError
        If no pair is given, or a pair is not ``0 < low < high``.
    """
    if not thresholds:
        raise ValueError("across_thresholds needs at least one pair of thresholds")
    kept = results.loc[:, [*COMPARISON, *_METHOD, "relative_likelihood", "rl_lower",
                           "rl_upper", "significant", "status"]].reset_index(drop=True)
    adverse = [get_indicator(n).adverse for n in kept["indicator"]]
    parts = []
    for pair in thresholds:
        low, high = (float(t) for t in pair)
        flag = stats.flag_relative_likelihood(kept["relative_likelihood"], (low, high))
        words = stats.verdict(kept["relative_likelihood"], kept["rl_lower"], kept["rl_upper"],
                              adverse, status=kept["status"], thresholds=(low, high),
                              significant=kept["significant"])
        parts.append(kept.assign(threshold_low=low, threshold_high=high,
                                 thresholds=f"{low:.2f}–{high:.2f}",
                                 flag=flag.to_numpy(), verdict=words.to_numpy()))
    return pd.concat(parts, ignore_index=True)


def count_flags(frame: pd.DataFrame) -> pd.DataFrame:
    """How many rows are flagged below, within and above, for each method, level and thresholds.

    Parameters
    ----------
    frame : DataFrame
        Rows from `across_thresholds` (or any results with ``flag``).

    Returns
    -------
    DataFrame
        One row per ``ci_method``, ``confidence_level`` and ``thresholds`` (those
        present), in order of appearance, with a count column per `FLAG_ORDER` word.
    """
    keys = [k for k in (*_METHOD, "thresholds") if k in frame]
    flags = frame.assign(flag=frame["flag"].replace("", "not computable"))
    counts = flags.groupby(keys, sort=False)["flag"].value_counts().unstack(fill_value=0)
    counts = counts.reindex(columns=list(FLAG_ORDER), fill_value=0)
    counts.columns.name = None
    return counts.reset_index()


def changed_flags(frame: pd.DataFrame) -> pd.DataFrame:
    """The rows whose flag is not the same under every pair of thresholds, flags side by side.

    Parameters
    ----------
    frame : DataFrame
        Rows from `across_thresholds`.

    Returns
    -------
    DataFrame
        `COMPARISON`, ``ci_method``, ``confidence_level``, ``relative_likelihood``,
        then a column per thresholds pair ("0.80–1.25 flag"). Empty when no flag changes.
    """
    keys = [*COMPARISON, *_METHOD]
    differs = frame.groupby(keys, sort=False)["flag"].nunique(dropna=False) > 1
    wide = _spread(frame.reset_index(drop=True), keys, "thresholds", {"flag": " flag"})
    first = frame.drop_duplicates(keys).set_index(keys)["relative_likelihood"]
    wide.insert(len(keys), "relative_likelihood", wide.join(first, on=keys)[first.name])
    keep = wide.join(differs.rename("_differs"), on=keys)["_differs"].to_numpy(dtype=bool)
    return wide[keep].reset_index(drop=True)


def unknown_sensitivity(
    results: pd.DataFrame, thresholds: tuple[float, float] = DEFAULT_THRESHOLDS
) -> pd.DataFrame:
    """Would the flag change if every staff member of unknown ethnicity were white, or minority?

    Parameters
    ----------
    results : DataFrame
        Rows from `wres.results.compute_results`. The scenarios are point
        estimates, the same under every interval method, so rows from
        `across_methods` give one row per comparison too.
    thresholds : (float, float)
        Thresholds for all three flags (recomputed here, so they always agree).

    Returns
    -------
    DataFrame
        The comparisons with staff of unknown ethnicity: `COMPARISON`,
        ``unknown_numerator``, ``unknown_denominator``, ``unknown_rate``,
        ``relative_likelihood``, ``rl_if_unknown_white``, ``rl_if_unknown_minority``,
        ``rl_range_lower``, ``rl_range_upper`` (the range if ethnicity were known),
        ``thresholds``, ``flag``, ``flag_if_unknown_white``, ``flag_if_unknown_minority``,
        ``flag_changes`` (True if either scenario gives another flag) and
        ``flag_could_change`` (True if some allocation of the unknown staff does:
        either end of the range flags differently; an unbounded range reaches above).
    """
    rows = results.drop_duplicates(COMPARISON)
    rows = rows[rows["unknown_denominator"].fillna(0).to_numpy(dtype=int) > 0]
    out = rows.loc[:, [*COMPARISON, "unknown_numerator", "unknown_denominator", "unknown_rate",
                       "relative_likelihood", "rl_if_unknown_white",
                       "rl_if_unknown_minority", "rl_range_lower",
                       "rl_range_upper"]].reset_index(drop=True)
    low, high = (float(t) for t in thresholds)
    out["thresholds"] = f"{low:.2f}–{high:.2f}"
    for flag, rl in (("flag", "relative_likelihood"),
                     ("flag_if_unknown_white", "rl_if_unknown_white"),
                     ("flag_if_unknown_minority", "rl_if_unknown_minority")):
        out[flag] = stats.flag_relative_likelihood(out[rl], (low, high)).to_numpy()
    out["flag_changes"] = ((out["flag"] != out["flag_if_unknown_white"])
                           | (out["flag"] != out["flag_if_unknown_minority"]))
    bottom, top = (stats.flag_relative_likelihood(out[rl], (low, high)).to_numpy()
                   for rl in ("rl_range_lower", "rl_range_upper"))
    ranged = out["rl_range_lower"].notna().to_numpy()
    top = np.where(ranged & out["rl_range_upper"].isna().to_numpy(), "above", top)  # unbounded
    out["flag_could_change"] = ranged & ((out["flag"].to_numpy() != bottom)
                                         | (out["flag"].to_numpy() != top))
    return out


def _spread(
    frame: pd.DataFrame, keys: list[str], label: str, columns: dict[str, str]
) -> pd.DataFrame:
    """One row per ``keys``; each source column becomes one column per ``label`` value.

    Rows and labels keep their order of first appearance. A column is named
    ``f"{label}{suffix}"``; a key missing under a label is left empty.
    """
    out = frame.loc[:, keys].drop_duplicates().set_index(keys)
    blocks = []
    for name, rows in frame.groupby(label, sort=False):
        indexed = rows.set_index(keys)
        if indexed.index.duplicated().any():
            first = indexed.index[indexed.index.duplicated()][0]
            raise ValueError(f"{name}: more than one row for {dict(zip(keys, first, strict=True))}")
        blocks.append((name, indexed))
    for column, suffix in columns.items():
        for name, indexed in blocks:
            out[f"{name}{suffix}"] = indexed[column]
    return out.reset_index()
