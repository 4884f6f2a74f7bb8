"""Words and displays of the national view, and its fail-closed disclosure check.

The tables are in `wres.present.national_tables`, the proportion funnels
(minority ethnic rates, senior managers' share) in `wres.present.national_rates`.
In the publication profile every total is of the authorities whose figures are
published (`wres.analysis.national`), and :func:`check_disclosure` attacks the
page's tables and ``national.csv`` before anything is shown or written.
"""

from __future__ import annotations

import html
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from wres.analysis.benchmark import MIN_AUTHORITIES_FOR_OVERDISPERSION
from wres.analysis.disclosure.national_check import check_national_view
from wres.analysis.national import (
    MEASURE_KEYS,
    NOT_SUBMITTED,
    WITHHELD,
    NationalView,
    publication_frame,
    region_breakdown,
    write_national_csv,
)
from wres.core.frames import records
from wres.core.indicators import get_indicator
from wres.inputs.published import PUBLISHED_SOURCE, published_national
from wres.present import national_rates
from wres.present.figures.common import figure_to_html
from wres.present.figures.funnel import NO_MINORITY, NO_WHITE, drawn_rows, funnel_plot
from wres.present.narrative.words import (
    format_confidence,
    format_p_value,
    format_ratio,
    join_words,
    level_text,
    measure_label,
    text_or_blank,
)
from wres.present.national_tables import (
    COLLAPSE_ABOVE,
    by_region_html,
    left_out_sentence,
    national_interval,
    national_table,
    positions_table,
    region_table,
)
from wres.present.tables import to_html
from wres.stats.funnel import ADJUSTED, NOT_ASSESSED, level_suffixes
from wres.stats.funnel_ratios import reference_limits

__all__ = ["authority_comparison", "check_disclosure", "comparison_sentences",
           "limits_sentence", "national_table", "positions_table", "region_table",
           "save_national", "show_funnels", "show_national", "show_overview", "show_regions"]

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
    for row in records(frame):
        number = int(row["indicator"])
        what = f"the likelihood of {_gerund(measure_label(number, str(row['measure'])))}"
        start = f"Compared with other authorities, {what}"
        position, note = text_or_blank(row.get("position")), text_or_blank(row.get("note"))
        national = f"the national figure of {format_ratio(float(row['national_rl']))}"
        if position == WITHHELD:
            sentences.append(f"{start} is withheld to protect small counts.")
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



# --- what the notebook shows --------------------------------------------------------------------


def _display(markup: str) -> None:
    from IPython.display import HTML, display

    display(HTML(markup))


def totals_sentence(rows: pd.DataFrame) -> str:
    """"Totals are of the 10 authorities whose figures are published; 2 are left out to
    protect small counts." for one measure's benchmark rows, or "" when none is left out."""
    first = rows.iloc[0]
    left = int(first.get("left_out", 0) or 0)
    if left == 0:
        return ""
    total = int(first["in_total"])
    noun = "authority" if total == 1 else "authorities"
    verb = "is" if left == 1 else "are"
    return (f"Totals are of the {total} {noun} whose figures are published; {left} {verb} "
            "left out to protect small counts.")


def show_overview(view: NationalView) -> None:
    """Say what is compared: the year, authorities, region and how precision is measured."""
    authorities = sorted(view.national["authority"].unique())
    scope = f"in {view.region}" if view.region else "in the data"
    levels = join_words([format_confidence(lv) for lv in view.levels])
    if view.excluded:
        _display("<p class=\"not-submitted\">Left out because their counts files failed "
                 f"validation: {html.escape(', '.join(view.excluded))}.</p>")
    named = (", ".join(authorities) if len(authorities) <= COLLAPSE_ABOVE
             else "listed by region under each funnel plot")
    totals = ("<p>Regional and national figures are totals of the authorities whose figures "
              "for that measure are published: an authority whose figure is withheld to protect "
              "small counts is left out of every total, of the funnels' national values and "
              "limits, and of the test for overdispersion, so that no total gives a hidden "
              "count away. Each section says how many are left out.</p>"
              if view.withholds else "")
    _display(
        f"<p>{len(authorities)} authorities {html.escape(scope)}, {view.year}: "
        f"{html.escape(named)}.</p>"
        "<p>Each funnel plot shows every authority's relative likelihood (minority ethnic ÷ "
        "white, all services pooled) against its precision: 1 / SE² of the log relative "
        "likelihood if the authority matched the national figure, which grows with the number "
        "of its staff who had the outcome. The solid line is the relative likelihood from "
        f"counts pooled over all these authorities; the {levels} control limits show how far "
        "an authority of that precision can sit from it by chance alone. Each authority is "
        "tested by comparing its minority ethnic staff with the outcome with the number "
        "expected at the national figure, so an authority where none had the outcome is "
        "tested too (drawn at the foot of the plot). The dashed line is the published national "
        f"figure for 2023 ({html.escape(PUBLISHED_SOURCE)}).</p>" + totals
    )


def national_html(view: NationalView) -> str:
    """The table of national relative likelihoods."""
    table = national_table(view.national)
    caption = (f"Relative likelihoods pooled over {view.national['authority'].nunique()} "
               f"authorities, {view.year}, with the published national figures for 2023")
    return to_html(table, caption=caption, row_header="Measure", count_columns=[])


def show_national(view: NationalView) -> None:
    """The pooled national RL of each indicator x measure beside the published 2023 figure."""
    _display(national_html(view))


def _heading(number: int, measure: str) -> str:
    indicator = get_indicator(number)
    heading = f"Indicator {number}: {indicator.title}"
    if len(indicator.measures) > 1:
        heading += f" ({measure.replace('_', ' ')})"
    return heading


def positions_html(view: NationalView, rows: pd.DataFrame) -> str:
    """One measure's positions table, folded by region when there are many authorities."""
    first = rows.iloc[0]
    heading = _heading(int(first["indicator"]), str(first["measure"]))
    caption = f"Position of each authority on the funnel: {heading.lower()}, {view.year}"
    return by_region_html(positions_table(rows, view.confidence_level), caption=caption,
                          collapse=rows["authority"].nunique() > COLLAPSE_ABOVE)


def show_funnels(view: NationalView) -> None:
    """Each indicator x measure: limits in words, the funnel plot and the positions table."""
    published = published_national()
    reference = {(int(n), str(m)): float(rl) for n, m, rl in
                 zip(published["indicator"], published["measure"],
                     published["relative_likelihood"], strict=True)}
    for (number, measure, _year), rows in view.national.groupby(MEASURE_KEYS, sort=False):
        number = int(number)
        parts = [f"<h3>{html.escape(_heading(number, str(measure)))}</h3>"]
        drawn = drawn_rows(rows)
        parts.append(f"<p>{html.escape(_pooled_sentence(rows, number, str(measure), reference))}"
                     "</p>")
        if len(drawn) >= 1:
            parts.append(f"<p>{html.escape(limits_sentence(rows))}</p>")
            curve, unadjusted = _curves(drawn, view.levels)
            fig, alt = funnel_plot(rows, curve, reference_rl=reference.get((number, measure)),
                                   unadjusted=unadjusted)
            parts.append(figure_to_html(fig, alt))
        parts.append(positions_html(view, rows))
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
    totals = totals_sentence(rows)
    if int(first.get("in_total", 1) or 0) == 0 or text_or_blank(first["national_rl"]) == "":
        text = (f"No national figure can be given for this measure: {totals.lower()}"
                if totals else "No national figure can be given for this measure.")
        return text
    rl = float(first["national_rl"])
    low, high = (float(v) for v in national_interval(first))
    n = int(first["in_total"]) if "in_total" in first else rows["authority"].nunique()
    level = format_confidence(rows["confidence_level"].dropna().iloc[0]
                              if rows["confidence_level"].notna().any() else 0.95)
    widened = ("national_rl_lower_widened" in first and text_or_blank(first.get("phi")) != ""
               and float(first["phi"]) > 1)
    text = (f"Pooled over {n} {'authority' if n == 1 else 'authorities'}, minority ethnic "
            f"staff were {format_ratio(rl)} times "
            f"as likely as white staff to {measure_label(number, measure)} "
            f"({level} CI {format_ratio(low)} to {format_ratio(high)}"
            f"{', widened by √φ for overdispersion' if widened else ''}).")
    if totals:
        text += f" {totals}"
    if (number, measure) in reference:
        text += f" The published national figure for 2023 was {reference[(number, measure)]:g}."
    excluded = rows[rows["position"].isin([NOT_ASSESSED, WITHHELD])]
    if not excluded.empty and len(excluded) <= COLLAPSE_ABOVE:
        named = [f"{r['authority']} ({text_or_blank(r['note']) or r['position']})"
                 for r in records(excluded)]
        text += f" Not on the funnel: {join_words(named)}."
    elif not excluded.empty:
        text += (f" Not on the funnel: {len(excluded)} authorities (named in the table "
                 "below).")
    return text


def regions_html(view: NationalView) -> str:
    """Pooled RL per region and measure: of the published figures in the publication profile."""
    if not view.regions:
        return ("<p>Regions are not known (no <code>regions</code> given and no params "
                "files with a region), so there is no regional breakdown.</p>")
    breakdown = region_breakdown(view.results, view.regions, ci_method=view.ci_method,
                                 confidence_level=view.confidence_level,
                                 min_count=view.min_count,
                                 shown=view.shown if view.withholds else None)
    table = region_table(breakdown, withhold=view.withholds)
    level = format_confidence(view.confidence_level)
    caption = (f"Relative likelihood pooled over each region's authorities, {view.year} "
               f"({level} CI); columns are indicator numbers")
    unknown = sorted(set(view.national["authority"]) - set(view.regions))
    note = (f"<p>Without a region: {html.escape(', '.join(unknown))}.</p>" if unknown else "")
    left = left_out_sentence(breakdown, view.national) if view.withholds else ""
    note += f"<p>{html.escape(left)}</p>" if left else ""
    return to_html(table, caption=caption, row_header="Region", count_columns=[]) + note


def show_regions(view: NationalView) -> None:
    """Pooled RL per region and indicator, where the authorities' regions are known."""
    _display(regions_html(view))


def check_disclosure(view: NationalView) -> None:
    """Fail closed: in the publication profile, attack every table of the page and the
    rows of ``national.csv`` before any is shown or written.

    Raises
    ------
    wres.analysis.disclosure.DisclosureError
        If a small count is shown or a hidden count can be worked out; nothing
        of the national view is then published and the run says why.
    """
    if not view.withholds:
        return
    tables = [national_html(view), regions_html(view),
              *(positions_html(view, rows)
                for _, rows in view.national.groupby(MEASURE_KEYS, sort=False)),
              national_rates.rates_tables_html(view)]
    check_national_view("".join(tables), publication_frame(view.national), view.published,
                        view.truth, regions=view.regions, min_count=view.min_count,
                        min_counts=view.min_counts)


def save_national(view: NationalView, output_dir: str | Path) -> Path:
    """Write ``national.csv`` for the authority summaries and say where it went."""
    path = write_national_csv(view.national, output_dir, profile=view.profile)
    _display(f"<p>{len(view.national)} rows written to <code>{html.escape(path.name)}</code> "
             "for the authority summaries.</p>")
    return path
