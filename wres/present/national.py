"""Words, tables and displays of the national view.

The proportion funnels (minority ethnic rates, senior managers' share) are in
`wres.present.national_rates`.
"""

from __future__ import annotations

import html
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from wres.analysis.benchmark import MIN_AUTHORITIES_FOR_OVERDISPERSION
from wres.analysis.national import (
    MEASURE_KEYS,
    NOT_SUBMITTED,
    WITHHELD,
    NationalView,
    region_breakdown,
    write_national_csv,
)
from wres.core.indicators import get_indicator
from wres.core.names import MARKER, MIN_COUNT
from wres.inputs.published import PUBLISHED_SOURCE, published_national
from wres.present.figures.common import figure_to_html
from wres.present.figures.funnel import NO_MINORITY, NO_WHITE, drawn_rows, funnel_plot
from wres.present.narrative.words import (
    capitalise,
    format_confidence,
    format_p_value,
    format_ratio,
    join_words,
    level_text,
    measure_label,
    text_or_blank,
)
from wres.present.tables import to_html
from wres.stats.funnel import ADJUSTED, NOT_ASSESSED, level_suffixes
from wres.stats.funnel_ratios import reference_limits

# --- words --------------------------------------------------------------------------------------


def limits_sentence(rows: pd.DataFrame) -> str:
    """The overdispersion estimate and which limits are used, in plain words.

    ``rows`` are the benchmark rows of one indicator x measure x year. With the
    published method (``spiegelhalter``) the limits are widened whenever
    ``I*phi > I - 1``; with ``corrected`` only when the chi-squared test is significant.
    """
    first = rows.iloc[0]
    n = int(first["n_authorities"])
    if n < MIN_AUTHORITIES_FOR_OVERDISPERSION:
        return (f"Only {n} authorities can be placed on the funnel, too few to test whether they "
                "differ more than chance alone would explain, so the limits are not widened.")
    phi, p = float(first["phi"]), format_p_value(float(first["p_value"]))
    if str(first["limits"]) != ADJUSTED:
        spread = ("a little more widely than chance alone would give, but not significantly"
                  if phi * n > n - 1 else "no more widely than chance alone would give")
        return (f"Authorities are spread {spread} (φ = {phi:.2f}, χ² test {p}), so the limits "
                "are not widened (no random-effects adjustment).")
    if text_or_blank(first.get("overdispersion")) == "corrected":
        why = f"differ more than chance alone would explain (φ = {phi:.2f}, χ² test {p})"
    else:
        why = (f"are spread more widely than chance alone would give (φ = {phi:.2f}, above "
               f"(I − 1)/I = {(n - 1) / n:.2f}; χ² test {p})")
    return (f"Authorities {why}, so the limits are widened by the between-authority variance "
            f"τ² = {float(first['tau2']):.3g} (random-effects adjustment).")


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




def _rl_words(value: Any) -> str:
    """The RL as quoted in a sentence: "1.4", "0: no minority ethnic staff had the outcome"."""
    if text_or_blank(value) == "":
        return f"no ratio: {NO_WHITE}"
    number = float(value)
    return f"0: {NO_MINORITY}" if number <= 0 else format_ratio(number)


def comparison_sentences(frame: pd.DataFrame) -> list[str]:
    """One sentence per row of :func:`authority_comparison`, e.g.

    "Compared with other authorities, the likelihood of entering the formal
    disciplinary process (1.4) is within the 95% limits around the national figure of 1.3."
    """
    suffixes = level_suffixes(frame)
    narrowest = level_text(suffixes[0]) if suffixes else "95%"
    sentences = []
    for row in frame.to_dict("records"):
        number = int(row["indicator"])
        what = f"the likelihood of {_gerund(measure_label(number, str(row['measure'])))}"
        start = f"Compared with other authorities, {what}"
        position, note = text_or_blank(row.get("position")), text_or_blank(row.get("note"))
        national = f"the national figure of {format_ratio(float(row['national_rl']))}"
        if position == WITHHELD:
            sentences.append(f"{start} is withheld because fewer than {MIN_COUNT} staff are "
                             "involved.")
            continue
        if position == NOT_ASSESSED or position == "":
            reason = "it was not submitted" if note == NOT_SUBMITTED else (note or "not assessed")
            sentences.append(f"{start} is not compared with {national}: {reason}.")
            continue
        rl = _rl_words(row.get("relative_likelihood"))
        if position == "within limits":
            where = f"is within the {narrowest} limits around {national}"
        else:
            side, level, _ = position.split(" ")
            where = f"is {side} the {level} limit around {national}"
            adverse = get_indicator(number).adverse
            if adverse == side:
                higher = "higher" if side == "above" else "lower"
                where += f"; a {higher} likelihood is adverse for minority ethnic staff"
        if text_or_blank(row.get("limits")) == ADJUSTED:
            where += " (limits widened for the spread between authorities)"
        sentences.append(f"{start} ({rl}) {where}.")
    return sentences



# --- tables -------------------------------------------------------------------------------------


def _rl_text(rl: Any, low: Any, high: Any) -> str:
    if text_or_blank(rl) == "" and text_or_blank(low) != "":
        return f"not computable ({NO_WHITE}); lower limit {float(low):.2f}"
    if any(text_or_blank(v) == "" for v in (rl, low, high)):
        return "" if text_or_blank(rl) == "" else f"{float(rl):.2f}"
    return f"{float(rl):.2f} ({float(low):.2f}–{float(high):.2f})"


def _position_text(row: Mapping) -> str:
    position, note = text_or_blank(row.get("position")), text_or_blank(row.get("note"))
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
            "Region": text_or_blank(row.get("region")),
            f"Relative likelihood ({level} CI)": MARKER if hidden else _rl_text(
                row.get("relative_likelihood"), row.get("rl_lower"), row.get("rl_upper")),
            "Position": _position_text(row),
        }
        if adjusted:
            record["Position without widening"] = (
                WITHHELD if hidden else text_or_blank(row.get("position_unadjusted")))
        records.append(record)
    table = pd.DataFrame(records, dtype=object)
    if not table["Region"].astype(bool).any():
        table = table.drop(columns="Region")
    return table


def _national_interval(row: Mapping) -> tuple[Any, Any]:
    """The national RL's interval in use: widened for overdispersion where it was computed."""
    if "national_rl_lower_widened" in row:
        return row["national_rl_lower_widened"], row["national_rl_upper_widened"]
    return row["national_rl_lower"], row["national_rl_upper"]


def national_table(national: pd.DataFrame, published: pd.DataFrame | None = None) -> pd.DataFrame:
    """Pooled national RL per indicator x measure with its interval, beside the 2023 figure."""
    published = published_national() if published is None else published
    reference = {(int(n), str(m)): rl for n, m, rl in
                 zip(published["indicator"], published["measure"],
                     published["relative_likelihood"], strict=True)}
    level = format_confidence(national["confidence_level"].dropna().iloc[0]
                              if national["confidence_level"].notna().any() else 0.95)
    shared = national.groupby(MEASURE_KEYS, sort=False).first().reset_index()
    records = []
    for row in shared.to_dict("records"):
        number, measure = int(row["indicator"]), str(row["measure"])
        records.append({
            "Indicator": str(number),
            "Measure": capitalise(measure_label(number, measure)),
            f"National relative likelihood ({level} CI)": _rl_text(
                row["national_rl"], *_national_interval(row)),
            "Authorities on the funnel": str(int(row["n_authorities"])),
            "Limits": "widened (random effects)" if row["limits"] == ADJUSTED else "not widened",
            "Published national figure, 2023": text_or_blank(reference.get((number, measure)))
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




# --- what the notebook shows --------------------------------------------------------------------


def _display(markup: str) -> None:
    from IPython.display import HTML, display

    display(HTML(markup))


def show_overview(view: NationalView) -> None:
    """Say what is compared: the year, authorities, region and how precision is measured."""
    authorities = sorted(view.national["authority"].unique())
    scope = f"in {view.region}" if view.region else "in the data"
    levels = join_words([format_confidence(lv) for lv in view.levels])
    if view.excluded:
        _display("<p class=\"not-submitted\">Left out because their counts files failed "
                 f"validation: {html.escape(', '.join(view.excluded))}.</p>")
    _display(
        f"<p>{len(authorities)} authorities {html.escape(scope)}, {view.year}: "
        f"{html.escape(', '.join(authorities))}.</p>"
        "<p>Each funnel plot shows every authority's relative likelihood (minority ethnic ÷ "
        "white, all services pooled) against its precision: 1 / SE² of the log relative "
        "likelihood if the authority matched the national figure, which grows with the number "
        "of its staff who had the outcome. The solid line is the relative likelihood from "
        f"counts pooled over all these authorities; the {levels} control limits show how far "
        "an authority of that precision can sit from it by chance alone. Each authority is "
        "tested by comparing its minority ethnic staff with the outcome with the number "
        "expected at the national figure, so an authority where none had the outcome is "
        "tested too (drawn at the foot of the plot). The dashed line is the published national "
        f"figure for 2023 ({html.escape(PUBLISHED_SOURCE)}).</p>"
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
    for (number, measure, _year), rows in view.national.groupby(MEASURE_KEYS, sort=False):
        number = int(number)
        indicator = get_indicator(number)
        heading = f"Indicator {number}: {indicator.title}"
        if len(indicator.measures) > 1:
            heading += f" ({measure.replace('_', ' ')})"
        parts = [f"<h3>{html.escape(heading)}</h3>"]
        drawn = drawn_rows(rows)
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
    """Limits to draw over the precision of the authorities shown (reference_limits)."""
    precision = drawn["precision_null"].astype(float)
    grid = np.geomspace(float(precision.min()) / 1.25, float(precision.max()) * 1.25, 200)
    first = drawn.iloc[0]
    national, share, tau2 = (float(first[c]) for c in ("national_rl", "national_share", "tau2"))
    curve = reference_limits(grid, national, share, levels=levels, tau2=tau2)
    unadjusted = reference_limits(grid, national, share, levels=levels) if tau2 > 0 else None
    return curve, unadjusted


def _pooled_sentence(rows: pd.DataFrame, number: int, measure: str,
                     reference: Mapping[tuple[int, str], float]) -> str:
    first = rows.iloc[0]
    rl = float(first["national_rl"])
    low, high = (float(v) for v in _national_interval(first))
    n = rows["authority"].nunique()
    level = format_confidence(rows["confidence_level"].dropna().iloc[0]
                              if rows["confidence_level"].notna().any() else 0.95)
    widened = ("national_rl_lower_widened" in first and text_or_blank(first.get("phi")) != ""
               and float(first["phi"]) > 1)
    text = (f"Pooled over {n} authorities, minority ethnic staff were {format_ratio(rl)} times "
            f"as likely as white staff to {measure_label(number, measure)} "
            f"({level} CI {format_ratio(low)} to {format_ratio(high)}"
            f"{', widened by √φ for overdispersion' if widened else ''}).")
    if (number, measure) in reference:
        text += f" The published national figure for 2023 was {reference[(number, measure)]:g}."
    excluded = rows[rows["position"].isin([NOT_ASSESSED, WITHHELD])]
    if not excluded.empty:
        named = [f"{r['authority']} ({text_or_blank(r['note']) or r['position']})"
                 for r in excluded.to_dict("records")]
        text += f" Not on the funnel: {join_words(named)}."
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
    path = write_national_csv(view.national, output_dir, profile=view.profile)
    _display(f"<p>{len(view.national)} rows written to <code>{html.escape(path.name)}</code> "
             "for the authority summaries.</p>")
    return path


