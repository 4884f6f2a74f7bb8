"""What the notebooks display: one HTML fragment per section of a report page.

A notebook computes (through `wres.results`, `wres.disclosure`, `wres.change`)
and words (through `wres.narrative`) what it shows; these functions only put
it on the page, the same way in every notebook: paragraphs, the councils' table
(`wres.present.council`) over the detailed action-plan tables, all with captions,
figures with alternative text. None of them computes a
statistic or knows which indicator it is showing.

Which outputs reach a publication page is decided by the notebook's cell tags
(`wres.render`), not here.
"""

from __future__ import annotations

import html
from collections.abc import Collection, Iterable, Sequence

import pandas as pd
from matplotlib.figure import Figure

from wres.core.indicators import ALL_SERVICES, MINORITY, get_indicator
from wres.present import council, figures, narrative, tables


def fragment(markup: str) -> None:
    """Display an HTML fragment as the output of the current cell."""
    from IPython.display import HTML, display

    display(HTML(markup))


def paragraphs(lines: Iterable[str], css_class: str = "finding") -> None:
    """Display each line as a paragraph (nothing when there are no lines)."""
    markup = "".join(f'<p class="{css_class}">{html.escape(line)}</p>' for line in lines)
    if markup:
        fragment(markup)


def about(
    indicator: int,
    *,
    authority: str,
    year: int,
    submitted: bool,
    ci_method: str,
    confidence_level: float,
    thresholds: Sequence[float],
    min_count: int,
    profile: str,
) -> None:
    """Whose report this is, who is counted, and the method and thresholds in use.

    When the indicator was not submitted for ``year``, says so instead of
    describing the method.
    """
    definition = get_indicator(indicator)
    parts = [f"<p><strong>{html.escape(authority)}</strong>, {year}. "
             f"Counted among {html.escape(definition.denominator)}.</p>"]
    if not submitted:
        message = narrative.not_submitted_message(indicator, year, authority)
        parts.append(f'<p class="not-submitted"><strong>Not submitted for {year}.</strong> '
                     f"{html.escape(message)}</p>")
        fragment("".join(parts))
        return
    low, high = thresholds
    parts.append(
        f"<p>Intervals are {narrative.format_confidence(confidence_level)} confidence "
        f"intervals ({html.escape(ci_method)} method). Relative likelihoods outside "
        f"{low:.2f}–{high:.2f} are flagged for action. Significant means significantly "
        "different from 1 (no difference), not from a threshold. "
        f"{html.escape(narrative.INTERVAL_MEANING)}</p>")
    if profile == "publication":
        parts.append(f"<p>Counts from 1 to {min_count - 1} are shown as [c] to protect small "
                     "groups of staff, with any figure that would reveal them.</p>")
    fragment("".join(parts))


def not_submitted(section: str, *, year: int) -> None:
    """One sentence saying the section is empty because the indicator was not submitted."""
    paragraphs([narrative.not_submitted_section(section, year)], css_class="not-submitted")


def _caption(title: str, authority: str, year: int, what: str = "") -> str:
    return f"{title}, {authority} {year}" + (f": {what}" if what else "")


def council_table(rows: pd.DataFrame, *, authority: str, year: int) -> None:
    """The table councils publish, opening an indicator page: the rate among white staff,
    the rate among minority ethnic staff and the relative likelihood, in Total, Adults and
    Children; one table per measure (`wres.present.council.council_table`).
    """
    rows = rows[rows["group"].astype(str) == MINORITY]
    if rows.empty:
        return
    definition = get_indicator(int(rows["indicator"].iloc[0]))
    measures = list(dict.fromkeys(rows["measure"].astype(str)))
    out = []
    for measure in measures:
        what = narrative.measure_label(definition.number, measure) if len(measures) > 1 else ""
        caption = _caption(definition.title, authority, year, what)
        out.append(council.council_html(council.council_table(rows, measure=measure),
                                        caption=caption))
    out.append(f'<p class="table-note">Rates are percentages of '
               f"{html.escape(definition.denominator)}.</p>")
    fragment("".join(out))


def pay_band_table(rows: pd.DataFrame, *, authority: str, year: int) -> None:
    """The pay bands in the councils' layout: each band's share of white and of minority
    ethnic staff, and the relative likelihood, in Total, Adults and Children."""
    rows = rows[rows["group"].astype(str) == MINORITY]
    if rows.empty:
        return
    definition = get_indicator(int(rows["indicator"].iloc[0]))
    caption = _caption(definition.title, authority, year,
                       "share of each group's staff in each pay band")
    fragment(council.council_html(council.pay_band_table(rows), caption=caption))


def council_summary(
    rows: pd.DataFrame, *, authority: str, year: int, thresholds: Sequence[float]
) -> None:
    """The summary's opening table: every indicator's relative likelihood in Total, Adults
    and Children, with its flag and significance in words."""
    rows = rows[rows["group"].astype(str) == MINORITY]
    if rows.empty:
        return
    low, high = thresholds
    intro = ("<p>Minority ethnic compared with white staff: each indicator's relative "
             f"likelihood, whether it is outside {low:.2f}–{high:.2f} (▲ above, ▼ below, "
             "● within) and whether it is significantly different from 1.</p>")
    table = council.summary_council_table(rows)
    fragment(intro + council.council_html(
        table, caption=_caption("Relative likelihood by service", authority, year)))


def action_plan(rows: pd.DataFrame, *, authority: str, year: int) -> None:
    """The detailed table under the councils' one: counts, rates and the relative likelihood
    with their intervals, the flag and significance, per service; one table per group.

    The measure is named once: by the caption when there is one, else once per measure.
    """
    if rows.empty:
        return
    title = get_indicator(int(rows["indicator"].iloc[0])).title
    several = rows["measure"].nunique() > 1
    out = []
    for group in dict.fromkeys(rows["group"]):
        table = tables.action_plan_table(rows, group=group)
        caption = (f"{title}, {authority} {year}: {narrative.group_label(group)} compared "
                   "with white staff, with intervals, flags and counts")
        if several:
            out.append(tables.to_html(table, caption=caption, row_groups="Measure"))
        else:
            out.append(tables.to_html(table.drop(columns="Measure"), caption=caption))
    fragment("".join(out))


def figure(fig: Figure, alt_text: str) -> None:
    """Display a figure as an embedded image with its alternative text."""
    fragment(figures.figure_to_html(fig, alt_text))


def headline_table(
    rows: pd.DataFrame,
    changes: pd.DataFrame,
    *,
    authority: str,
    year: int,
    confidence_level: float,
    thresholds: Sequence[float],
    withheld: Collection[tuple] = (),
) -> None:
    """The summary page's table: every indicator's relative likelihoods in one place.

    ``withheld`` names the changes not published, as (indicator, measure, service, group):
    their cell says "withheld" rather than being left blank.
    """
    low, high = thresholds
    intro = (
        "<p>Each cell shows the relative likelihood for minority ethnic staff compared with "
        f"white staff, its {narrative.format_confidence(confidence_level)} interval and its "
        f"flag (outside {low:.2f}–{high:.2f}). {html.escape(narrative.INTERVAL_MEANING)}</p>")
    hidden = pd.DataFrame(sorted(withheld, key=str),
                          columns=["indicator", "measure", "service", "group"])
    changes = pd.concat([changes, hidden.assign(change="withheld")], ignore_index=True) if (
        len(hidden)) else changes
    table = tables.summary_table(rows, changes=changes if len(changes) else None)
    fragment(intro + tables.to_html(table, caption=f"Headline results, {authority} {year}"))


def headline_rows(rows: pd.DataFrame) -> pd.DataFrame:
    """The all-services, minority ethnic rows: what a board reads first."""
    return rows[(rows["service"] == ALL_SERVICES) & (rows["group"] == MINORITY)]
