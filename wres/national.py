"""The national view: every authority's relative likelihood on a funnel around the national value.

Reads the counts of every authority for one year, computes their results
(`wres.results`) and places each authority on a funnel plot around the
relative likelihood (RL) pooled over all of them (`wres.benchmark`). This
module draws the funnel plots, builds the tables and words the national
notebook shows, writes ``national.csv``, and gives the authority summary its
sentences comparing one authority with the rest (:func:`authority_comparison`,
:func:`comparison_sentences`).

The dashed reference line is the published national SC-WRES figure for 2023
(minority ethnic ÷ white, 23 local authorities), shipped as package data in
``wres/data/national_sc_wres_2023.csv`` (a copy of the project's reference file
``reference/national_sc_wres_2023.csv``).
"""

from __future__ import annotations

import html
import math
import textwrap
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import seaborn as sns
import yaml
from matplotlib.figure import Figure
from matplotlib.ticker import FuncFormatter, LogLocator, NullLocator

from wres import stats
from wres.benchmark import (
    ADJUSTED,
    LEVELS,
    MIN_AUTHORITIES_FOR_OVERDISPERSION,
    NOT_ASSESSED,
    benchmark_relative_likelihoods,
    funnel_curve,
)
from wres.data import read_counts
from wres.disclosure import MARKER, MIN_COUNT
from wres.indicators import ALL_SERVICES, MINORITY, get_indicator
from wres.narrative import format_confidence, format_p_value, format_ratio, measure_label
from wres.paths import resolve_paths
from wres.plots import figure_to_html, log_axis
from wres.results import compute_results
from wres.tables import to_html
from wres.validation import ValidationError

#: Indicators benchmarked nationally (1 and 9 are descriptive shares).
NATIONAL_INDICATORS: tuple[int, ...] = (2, 3, 4, 5, 6, 7, 8)
PROFILES: tuple[str, ...] = ("analyst", "publication")
NOT_SUBMITTED = "not submitted"
WITHHELD = "withheld"
PUBLISHED_FILE = "national_sc_wres_2023.csv"
PUBLISHED_SOURCE = (
    "Published national SC-WRES relative likelihoods for 2023 (minority ethnic ÷ white, "
    "23 local authorities); project reference file reference/national_sc_wres_2023.csv"
)
_COUNTS = ["numerator", "denominator", "reference_numerator", "reference_denominator"]
_KEYS = ["indicator", "measure", "year"]
#: Columns of the benchmark frame that are the same for every authority of a measure.
_SHARED = [
    "national_rl", "national_rl_lower", "national_rl_upper", "phi", "p_value", "tau2",
    "overdispersed", "n_authorities", "n_excluded", "limits",
]
_FONT = 9
_TICKS = (0.05, 0.1, 0.2, 0.3, 0.5, 0.8, 1.0, 1.25, 1.5, 2.0, 3.0, 4.0, 5.0, 7.0, 10.0, 20.0, 50.0)


# --- inputs ---------------------------------------------------------------------------------


def read_regions(params_dir: str | Path) -> dict[str, str]:
    """Authority name -> region from the ``authority`` and ``region`` of each params YAML.

    A missing folder gives an empty mapping; files without both keys are skipped.
    """
    folder = Path(params_dir)
    if not folder.is_dir():
        return {}
    regions = {}
    for path in sorted([*folder.glob("*.yaml"), *folder.glob("*.yml")]):
        content = yaml.safe_load(path.read_text(encoding="utf-8"))
        if isinstance(content, dict) and content.get("authority") and content.get("region"):
            regions[str(content["authority"])] = str(content["region"])
    return regions


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


# --- computing --------------------------------------------------------------------------------


@dataclass(frozen=True)
class NationalView:
    """Everything the national notebook shows for one year.

    ``national`` has one row per authority x indicator x measure (the
    `benchmark_relative_likelihoods` columns, then ``region``, ``rl_lower``,
    ``rl_upper``, ``ci_method``, ``confidence_level`` and ``withheld``);
    ``results`` holds every authority's results rows for the year.
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
    counts = counts[(counts["year"] == int(year)) & counts["indicator"].isin(list(indicators))]
    if counts.empty:
        raise ValueError(f"no counts for year {year} and indicators {list(indicators)}; "
                         f"years present: {years}")
    if region is not None:
        inside = [a for a, r in regions.items() if r == region]
        counts = counts[counts["authority"].isin(inside)]
        if counts.empty:
            known = sorted(set(regions.values()))
            raise ValueError(f"no authorities in region {region!r}; regions known: {known}")
    results = compute_results(counts, ci_method=ci_method, confidence_level=confidence_level)
    national = national_benchmark(
        results, regions=regions, levels=levels, confidence_level=confidence_level,
        min_count=min_count, withhold=profile == "publication",
    )
    return NationalView(int(year), results, national, regions, tuple(levels), confidence_level,
                        ci_method, min_count, profile, region, excluded)


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
) -> pd.DataFrame:
    """Benchmark rows for every authority x indicator x measure, with interval and region.

    Authorities with results for some measures but not others get a row for the
    missing ones, ``not assessed`` with the note ``not submitted``. ``withheld`` is
    True where a pooled count is from 1 to ``min_count - 1``; with ``withhold``
    those rows lose their RL, interval and limits and their position is ``withheld``.
    """
    bench = benchmark_relative_likelihoods(results, levels=levels,
                                           confidence_level=confidence_level)
    rows = results[(results["service"] == ALL_SERVICES) & (results["group"] == MINORITY)]
    counts = rows[_COUNTS].apply(pd.to_numeric, errors="coerce")
    extra = rows[["authority", *_KEYS, "rl_lower", "rl_upper", "ci_method", "confidence_level"]]
    extra = extra.assign(withheld=((counts >= 1) & (counts < min_count)).any(axis=1).to_numpy())
    bench = bench.merge(extra, on=["authority", *_KEYS], how="left")
    bench = _add_not_submitted(bench, sorted(results["authority"].unique()))
    bench["withheld"] = bench["withheld"].astype("boolean").fillna(False).astype(bool)
    bench.insert(6, "region", bench["authority"].map(dict(regions or {})).fillna(""))
    if withhold:
        hidden = bench["withheld"].to_numpy()
        values = ["relative_likelihood", "log_rl", "se", "precision", "rl_lower", "rl_upper"]
        limits = [c for c in bench if c.startswith(("lower_", "upper_"))]
        bench.loc[hidden, values + limits] = np.nan
        bench.loc[hidden, ["position", "position_unadjusted"]] = WITHHELD
    return _ordered(bench)


def _add_not_submitted(bench: pd.DataFrame, authorities: list[str]) -> pd.DataFrame:
    shared = bench.groupby(_KEYS, sort=False)[_SHARED].first().reset_index()
    everyone = shared[_KEYS].merge(pd.DataFrame({"authority": authorities}), how="cross")
    present = bench[["authority", *_KEYS]].assign(_present=True)
    missing = everyone.merge(present, on=["authority", *_KEYS], how="left")
    missing = missing[missing["_present"].isna()].drop(columns="_present")
    if missing.empty:
        return bench
    added = missing.merge(shared, on=_KEYS).assign(
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


def write_national_csv(national: pd.DataFrame, output_dir: str | Path) -> Path:
    """Write ``national.csv`` (the rows of :func:`national_benchmark`) into ``output_dir``."""
    folder = Path(output_dir)
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / "national.csv"
    national.to_csv(path, index=False)
    return path


# --- words --------------------------------------------------------------------------------------


def _level_text(suffix: str) -> str:
    """``95`` -> ``95%``, ``998`` -> ``99.8%`` (inverse of `level_suffix` for levels >= 10%)."""
    return f"{suffix[:2]}.{suffix[2:]}%" if len(suffix) > 2 else f"{suffix}%"


def _levels_of(frame: pd.DataFrame) -> list[str]:
    """Suffixes of the limits in ``frame`` (``95``, ``998``), narrowest first."""
    suffixes = [c.removeprefix("lower_") for c in frame.columns
                if c.startswith("lower_") and not c.endswith("_unadjusted")]
    return sorted(suffixes, key=lambda s: float(_level_text(s)[:-1]))


def _listing(items: Sequence[str]) -> str:
    items = list(items)
    return items[0] if len(items) == 1 else ", ".join(items[:-1]) + " and " + items[-1]


def limits_sentence(rows: pd.DataFrame) -> str:
    """The overdispersion test and which limits are used, in plain words.

    ``rows`` are the benchmark rows of one indicator x measure x year.
    """
    first = rows.iloc[0]
    n = int(first["n_authorities"])
    if n < MIN_AUTHORITIES_FOR_OVERDISPERSION:
        return (f"Only {n} authorities can be placed on the funnel, too few to test whether they "
                "differ more than chance alone would explain, so the limits are not widened.")
    stat = f"φ = {float(first['phi']):.2f}, {format_p_value(float(first['p_value']))}"
    if str(first["limits"]) == ADJUSTED:
        return (f"Authorities differ more than chance alone would explain ({stat}), so the "
                "limits are widened by the between-authority variance "
                f"τ² = {float(first['tau2']):.3g} (random-effects adjustment).")
    return (f"Authorities differ no more than chance alone would explain ({stat}), so the "
            "limits are not widened (no random-effects adjustment).")


def authority_comparison(national: pd.DataFrame, authority: str) -> pd.DataFrame:
    """One authority's rows of ``national.csv``: where it sits against the national value.

    Returns ``indicator, measure, relative_likelihood, position, limits, national_rl``
    then the limit columns, ``note`` and ``withheld`` where present.

    Raises
    ------
    ValueError
        If ``authority`` is not in ``national``, naming the authorities that are.
    """
    rows = national[national["authority"].astype(str) == authority]
    if rows.empty:
        known = ", ".join(sorted(national["authority"].astype(str).unique()))
        raise ValueError(f"authority {authority!r} is not in the national table; "
                         f"authorities: {known}")
    first = ["indicator", "measure", "relative_likelihood", "position", "limits", "national_rl"]
    rest = [c for c in rows.columns if c.startswith(("lower_", "upper_"))
            and not c.endswith("_unadjusted")]
    rest += [c for c in ("year", "note", "withheld") if c in rows.columns]
    return rows.loc[:, first + rest].reset_index(drop=True)


def _gerund(label: str) -> str:
    verb, _, rest = label.partition(" ")
    if verb == "be":
        ing = "being"
    elif verb.endswith("e") and not verb.endswith("ee"):
        ing = verb[:-1] + "ing"
    else:
        ing = verb + "ing"
    return f"{ing} {rest}".strip()


def _text(value: Any) -> str:
    return "" if value is None or (isinstance(value, float) and math.isnan(value)) else str(value)


def comparison_sentences(frame: pd.DataFrame) -> list[str]:
    """One sentence per row of :func:`authority_comparison`, e.g.

    "Compared with other authorities, the likelihood of entering the formal
    disciplinary process (1.4) is within the 95% limits around the national figure of 1.3."
    """
    suffixes = _levels_of(frame)
    narrowest = _level_text(suffixes[0]) if suffixes else "95%"
    sentences = []
    for row in frame.to_dict("records"):
        number = int(row["indicator"])
        what = f"the likelihood of {_gerund(measure_label(number, str(row['measure'])))}"
        start = f"Compared with other authorities, {what}"
        position, note = _text(row.get("position")), _text(row.get("note"))
        national = f"the national figure of {format_ratio(float(row['national_rl']))}"
        if position == WITHHELD:
            sentences.append(f"{start} is withheld because fewer than {MIN_COUNT} staff are "
                             "involved.")
            continue
        if position == NOT_ASSESSED or position == "":
            reason = "it was not submitted" if note == NOT_SUBMITTED else (note or "not assessed")
            sentences.append(f"{start} is not compared with {national}: {reason}.")
            continue
        rl = format_ratio(float(row["relative_likelihood"]))
        if position == "within limits":
            where = f"is within the {narrowest} limits around {national}"
        else:
            side, level, _ = position.split(" ")
            where = f"is {side} the {level} limit around {national}"
            adverse = get_indicator(number).adverse
            if adverse == side:
                higher = "higher" if side == "above" else "lower"
                where += f"; a {higher} likelihood is adverse for minority ethnic staff"
        if _text(row.get("limits")) == ADJUSTED:
            where += " (limits widened because authorities differ more than chance would explain)"
        sentences.append(f"{start} ({rl}) {where}.")
    return sentences


# --- the funnel plot ----------------------------------------------------------------------------


def _outside_level(position: str, widest: str) -> int:
    """0 within, 1 outside a narrower limit, 2 outside the ``widest`` (e.g. "99.8%")."""
    if position == "within limits":
        return 0
    return 2 if position.split(" ")[1:2] == [widest] else 1


def funnel_plot(
    frame: pd.DataFrame,
    curve: pd.DataFrame,
    *,
    reference_rl: float | None = None,
    reference_label: str = "Published national figure, 2023",
    unadjusted: pd.DataFrame | None = None,
    title: str | None = None,
) -> tuple[Figure, str]:
    """Funnel plot of authorities' RLs (log scale) against precision 1/SE² of the log RL.

    Parameters
    ----------
    frame : DataFrame
        Benchmark rows of one indicator x measure x year (:func:`national_benchmark`).
        Rows without an RL (not assessed, withheld) are not drawn but named in the alt text.
    curve : DataFrame
        `wres.benchmark.funnel_curve` output: ``precision`` and ``lower_*``/``upper_*``.
    reference_rl : float, optional
        A published figure drawn as a dashed line.
    unadjusted : DataFrame, optional
        Unadjusted funnel curve, drawn faintly when ``curve`` is widened.
    title : str, optional
        Figure title; by default the measure's plain-words label.

    Returns
    -------
    (Figure, str)
        The figure and its alternative text.
    """
    numbers = frame[["indicator", "measure"]].drop_duplicates()
    if len(numbers) != 1:
        raise ValueError("funnel_plot draws one indicator and measure at a time")
    number, measure = int(numbers.iloc[0, 0]), str(numbers.iloc[0, 1])
    label = measure_label(number, measure)
    first = frame.iloc[0]
    national = float(first["national_rl"])
    suffixes = _levels_of(curve)
    drawn = frame[frame["relative_likelihood"].notna() & frame["precision"].notna()]
    palette = sns.color_palette("colorblind", 8)
    with sns.axes_style("whitegrid"):
        fig = Figure(figsize=(7.5, 5.6), dpi=100, layout="tight")
        ax = fig.add_subplot(1, 1, 1)
    styles = ["-", ":", "-."]
    for suffix, style in zip(suffixes, styles, strict=False):
        text = _level_text(suffix)
        for side in ("lower", "upper"):
            ax.plot(curve["precision"], curve[f"{side}_{suffix}"], style, color="0.35", lw=1.2,
                    label=f"{text} limits" if side == "lower" else None)
            if unadjusted is not None:
                ax.plot(unadjusted["precision"], unadjusted[f"{side}_{suffix}"], style,
                        color="0.75", lw=0.8,
                        label=f"{text} limits, not widened" if side == "lower" else None)
    ax.axhline(national, color="black", lw=1.5, label=f"Pooled national RL {national:.2f}")
    if reference_rl is not None:
        ax.axhline(reference_rl, color=palette[3], lw=1.5, ls="--",
                   label=f"{reference_label} ({reference_rl:g})")
    widest = _level_text(suffixes[-1])
    kinds = [("within limits", "o", palette[0]),
             (f"outside {_level_text(suffixes[0])} limits", "s", palette[1]),
             (f"outside {widest} limits", "D", palette[2])]
    outside = [_outside_level(str(p), widest) for p in drawn["position"]]
    for level, (name, marker, colour) in enumerate(kinds):
        part = drawn[[o == level for o in outside]]
        if not part.empty:
            ax.scatter(part["precision"], part["relative_likelihood"], marker=marker, s=45,
                       color=colour, edgecolor="black", linewidth=0.6, zorder=4, label=name)
        if level:
            for row in part.itertuples():
                ax.annotate(str(row.authority), (row.precision, row.relative_likelihood),
                            textcoords="offset points", xytext=(5, 4), fontsize=_FONT - 1)
    values = [*drawn["relative_likelihood"], national]
    values += [reference_rl] if reference_rl is not None else []
    tightest = curve.loc[curve["precision"].idxmax()]  # every limit is visible here
    values += [tightest[f"{side}_{s}"] for s in suffixes for side in ("lower", "upper")]
    _axes(ax, min(values) / 1.15, max(values) * 1.15, curve["precision"])
    ax.set_xlabel("Precision: 1 / SE² of the log relative likelihood (log scale)",
                  fontsize=_FONT)
    ax.set_ylabel("Relative likelihood, minority ethnic ÷ white (log scale)", fontsize=_FONT)
    ax.set_title(textwrap.fill(title or f"Relative likelihood to {label}", 80),
                 fontsize=_FONT + 1)
    ax.legend(fontsize=_FONT - 1, loc="upper center", bbox_to_anchor=(0.5, -0.16), ncol=3,
              frameon=False)
    return fig, _funnel_alt(frame, drawn, label, national, reference_rl, reference_label,
                            suffixes)


def _axes(ax, low: float, high: float, precision: pd.Series) -> None:
    log_axis(ax, low, high, axis="y", ticks=_TICKS)
    ax.set_xscale("log")
    ax.set_xlim(float(precision.min()), float(precision.max()))
    ax.xaxis.set_major_locator(LogLocator(subs=(1.0, 2.0, 5.0)))
    ax.xaxis.set_major_formatter(FuncFormatter(lambda value, _: f"{value:g}"))
    ax.xaxis.set_minor_locator(NullLocator())
    ax.tick_params(labelsize=_FONT)


def _funnel_alt(frame, drawn, label, national, reference_rl, reference_label, suffixes) -> str:
    first = frame.iloc[0]
    year = int(first["year"])
    adjusted = str(first["limits"]) == ADJUSTED
    levels = _listing([_level_text(s) for s in suffixes])
    parts = [
        f"Funnel plot of the relative likelihood of minority ethnic compared with white staff "
        f"to {label}, {year}, for {len(drawn)} authorities against precision, with {levels} "
        f"control limits{' widened for overdispersion' if adjusted else ''} around the pooled "
        f"national value of {format_ratio(national)}."
    ]
    if reference_rl is not None:
        parts.append(f"A dashed line marks the {reference_label.lower()}, "
                     f"{format_ratio(reference_rl)}.")
    outside = drawn[drawn["position"] != "within limits"]
    if outside.empty:
        parts.append("Every authority shown is within the limits.")
    else:
        described = [f"{r.authority} {format_ratio(r.relative_likelihood)} ({r.position})"
                     for r in outside.itertuples()]
        parts.append(f"Outside the limits: {'; '.join(described)}. "
                     f"{len(drawn) - len(outside)} authorities are within them.")
    missing = frame[~frame.index.isin(drawn.index)]
    if not missing.empty:
        described = [f"{r['authority']} ({_text(r['note']) or r['position']})"
                     for r in missing.to_dict("records")]
        parts.append(f"Not shown: {'; '.join(described)}.")
    return " ".join(parts)


# --- tables -------------------------------------------------------------------------------------


def _rl_text(rl: Any, low: Any, high: Any) -> str:
    if any(_text(v) == "" for v in (rl, low, high)):
        return "" if _text(rl) == "" else f"{float(rl):.2f}"
    return f"{float(rl):.2f} ({float(low):.2f}–{float(high):.2f})"


def _position_text(row: Mapping) -> str:
    position, note = _text(row.get("position")), _text(row.get("note"))
    if position == NOT_ASSESSED:
        return f"not assessed ({note})" if note else position
    return position


def positions_table(rows: pd.DataFrame, confidence_level: float = 0.95) -> pd.DataFrame:
    """Authority, region, RL with interval, and position, for one indicator x measure."""
    level = format_confidence(confidence_level)
    adjusted = (rows["limits"].astype(str) == ADJUSTED).any()
    records = []
    for row in rows.to_dict("records"):
        hidden = row.get("position") == WITHHELD
        record = {
            "Authority": str(row["authority"]),
            "Region": _text(row.get("region")),
            f"Relative likelihood ({level} CI)": MARKER if hidden else _rl_text(
                row.get("relative_likelihood"), row.get("rl_lower"), row.get("rl_upper")),
            "Position": _position_text(row),
        }
        if adjusted:
            record["Position without widening"] = (
                WITHHELD if hidden else _text(row.get("position_unadjusted")))
        records.append(record)
    table = pd.DataFrame(records, dtype=object)
    if not table["Region"].astype(bool).any():
        table = table.drop(columns="Region")
    return table


def national_table(national: pd.DataFrame, published: pd.DataFrame | None = None) -> pd.DataFrame:
    """Pooled national RL per indicator x measure with its interval, beside the 2023 figure."""
    published = published_national() if published is None else published
    reference = {(int(n), str(m)): rl for n, m, rl in
                 zip(published["indicator"], published["measure"],
                     published["relative_likelihood"], strict=True)}
    level = format_confidence(national["confidence_level"].dropna().iloc[0]
                              if national["confidence_level"].notna().any() else 0.95)
    shared = national.groupby(_KEYS, sort=False).first().reset_index()
    records = []
    for row in shared.to_dict("records"):
        number, measure = int(row["indicator"]), str(row["measure"])
        records.append({
            "Indicator": str(number),
            "Measure": _capital(measure_label(number, measure)),
            f"National relative likelihood ({level} CI)": _rl_text(
                row["national_rl"], row["national_rl_lower"], row["national_rl_upper"]),
            "Authorities on the funnel": str(int(row["n_authorities"])),
            "Limits": "widened (random effects)" if row["limits"] == ADJUSTED else "not widened",
            "Published national figure, 2023": _text(reference.get((number, measure)))
            or "not published",
        })
    return pd.DataFrame(records, dtype=object)


def region_table(breakdown: pd.DataFrame, *, withhold: bool = False) -> pd.DataFrame:
    """Regions as rows, measures as columns, each cell the pooled RL with its interval."""
    columns: dict[tuple[int, str], str] = {}
    cells: dict[str, dict[str, str]] = {}
    for row in breakdown.to_dict("records"):
        number, measure = int(row["indicator"]), str(row["measure"])
        name = _column_name(number, measure)
        columns[(number, measure)] = name
        entry = cells.setdefault(str(row["region"]), {"Region": str(row["region"]),
                                                      "Authorities": "0"})
        entry["Authorities"] = str(max(int(entry["Authorities"]), int(row["authorities"])))
        if withhold and row["withheld"]:
            entry[name] = MARKER
        elif str(row["status"]) != "ok":
            entry[name] = "not computable"
        else:
            entry[name] = _rl_text(row["relative_likelihood"], row["rl_lower"], row["rl_upper"])
    order = ["Region", "Authorities", *(columns[k] for k in sorted(columns, key=_measure_rank))]
    return pd.DataFrame(list(cells.values()), columns=order, dtype=object).fillna("")


def _column_name(number: int, measure: str) -> str:
    measures = get_indicator(number).measures
    return f"{number} {measure.replace('_', ' ')}" if len(measures) > 1 else str(number)


def _measure_rank(key: tuple[int, str]) -> tuple[int, int]:
    measures = get_indicator(key[0]).measures
    return key[0], measures.index(key[1]) if key[1] in measures else 99


def _capital(text: str) -> str:
    return text[:1].upper() + text[1:]


# --- what the notebook shows --------------------------------------------------------------------


def _display(markup: str) -> None:
    from IPython.display import HTML, display

    display(HTML(markup))


def show_overview(view: NationalView) -> None:
    """Say what is compared: the year, authorities, region and how precision is measured."""
    authorities = sorted(view.national["authority"].unique())
    scope = f"in {view.region}" if view.region else "in the data"
    levels = _listing([format_confidence(lv) for lv in view.levels])
    if view.excluded:
        _display("<p class=\"not-submitted\">Left out because their counts files failed "
                 f"validation: {html.escape(', '.join(view.excluded))}.</p>")
    _display(
        f"<p>{len(authorities)} authorities {html.escape(scope)}, {view.year}: "
        f"{html.escape(', '.join(authorities))}.</p>"
        "<p>Each funnel plot shows every authority's relative likelihood (minority ethnic ÷ "
        "white, all services pooled) against its precision, 1 / SE² of the log relative "
        "likelihood, which grows with the number of events in both groups. The solid line is "
        "the relative likelihood from counts pooled over all these authorities; the "
        f"{levels} control limits show how far an authority of that precision can sit from "
        "it by chance alone. The dashed line is the published national figure for 2023 "
        f"({html.escape(PUBLISHED_SOURCE)}).</p>"
    )


def show_national(view: NationalView) -> None:
    """The pooled national RL of each indicator x measure beside the published 2023 figure."""
    table = national_table(view.national)
    caption = (f"Relative likelihoods pooled over {view.national['authority'].nunique()} "
               f"authorities, {view.year}, with the published national figures for 2023")
    _display(to_html(table, caption=caption, row_header="Measure", count_columns=[]))


def show_funnels(view: NationalView) -> None:
    """Each indicator x measure: limits in words, the funnel plot and the positions table."""
    published = published_national()
    reference = {(int(n), str(m)): float(rl) for n, m, rl in
                 zip(published["indicator"], published["measure"],
                     published["relative_likelihood"], strict=True)}
    for (number, measure, _year), rows in view.national.groupby(_KEYS, sort=False):
        number = int(number)
        indicator = get_indicator(number)
        heading = f"Indicator {number}: {indicator.title}"
        if len(indicator.measures) > 1:
            heading += f" ({measure.replace('_', ' ')})"
        parts = [f"<h3>{html.escape(heading)}</h3>"]
        drawn = rows[rows["relative_likelihood"].notna() & rows["se"].notna()]
        parts.append(f"<p>{html.escape(_pooled_sentence(rows, number, str(measure), reference))}"
                     "</p>")
        if len(drawn) >= 1:
            parts.append(f"<p>{html.escape(limits_sentence(rows))}</p>")
            curve, unadjusted = _curves(drawn, view.levels)
            fig, alt = funnel_plot(rows, curve, reference_rl=reference.get((number, measure)),
                                   unadjusted=unadjusted)
            parts.append(figure_to_html(fig, alt))
        table = positions_table(rows, view.confidence_level)
        caption = f"Position of each authority on the funnel: {heading.lower()}, {view.year}"
        parts.append(to_html(table, caption=caption, row_header="Authority", count_columns=[]))
        _display("".join(parts))


def _curves(drawn: pd.DataFrame, levels: Sequence[float]) -> tuple[pd.DataFrame, Any]:
    se = drawn["se"].astype(float)
    span = (float(se.min()) / 1.25, float(se.max()) * 1.25)
    first = drawn.iloc[0]
    national, tau2 = float(first["national_rl"]), float(first["tau2"])
    curve = funnel_curve(national, span, tau2=tau2, levels=levels)
    unadjusted = funnel_curve(national, span, levels=levels) if tau2 > 0 else None
    return curve, unadjusted


def _pooled_sentence(rows: pd.DataFrame, number: int, measure: str,
                     reference: Mapping[tuple[int, str], float]) -> str:
    first = rows.iloc[0]
    rl, low, high = (float(first[c]) for c in
                     ("national_rl", "national_rl_lower", "national_rl_upper"))
    n = rows["authority"].nunique()
    level = format_confidence(rows["confidence_level"].dropna().iloc[0]
                              if rows["confidence_level"].notna().any() else 0.95)
    text = (f"Pooled over {n} authorities, minority ethnic staff were {format_ratio(rl)} times "
            f"as likely as white staff to {measure_label(number, measure)} "
            f"({level} CI {format_ratio(low)} to {format_ratio(high)}).")
    if (number, measure) in reference:
        text += f" The published national figure for 2023 was {reference[(number, measure)]:g}."
    excluded = rows[rows["position"].isin([NOT_ASSESSED, WITHHELD])]
    if not excluded.empty:
        named = [f"{r['authority']} ({_text(r['note']) or r['position']})"
                 for r in excluded.to_dict("records")]
        text += f" Not on the funnel: {_listing(named)}."
    return text


def show_regions(view: NationalView) -> None:
    """Pooled RL per region and indicator, where the authorities' regions are known."""
    if not view.regions:
        _display("<p>Regions are not known (no <code>regions</code> given and no params "
                 "files with a region), so there is no regional breakdown.</p>")
        return
    breakdown = region_breakdown(view.results, view.regions, ci_method=view.ci_method,
                                 confidence_level=view.confidence_level,
                                 min_count=view.min_count)
    table = region_table(breakdown, withhold=view.profile == "publication")
    level = format_confidence(view.confidence_level)
    caption = (f"Relative likelihood pooled over each region's authorities, {view.year} "
               f"({level} CI); columns are indicator numbers")
    unknown = sorted(set(view.national["authority"]) - set(view.regions))
    note = (f"<p>Without a region: {html.escape(', '.join(unknown))}.</p>" if unknown else "")
    _display(to_html(table, caption=caption, row_header="Region", count_columns=[]) + note)


def save_national(view: NationalView, output_dir: str | Path) -> Path:
    """Write ``national.csv`` for the authority summaries and say where it went."""
    path = write_national_csv(view.national, output_dir)
    _display(f"<p>{len(view.national)} rows written to <code>{html.escape(path.name)}</code> "
             "for the authority summaries.</p>")
    return path


__all__ = [
    "NATIONAL_INDICATORS",
    "NationalView",
    "authority_comparison",
    "build_national_view",
    "comparison_sentences",
    "funnel_plot",
    "limits_sentence",
    "national_benchmark",
    "national_table",
    "positions_table",
    "published_national",
    "read_regions",
    "region_breakdown",
    "region_table",
    "resolve_paths",
    "save_national",
    "show_funnels",
    "show_national",
    "show_overview",
    "show_regions",
    "write_national_csv",
]
