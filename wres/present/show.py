"""What the notebooks display: one HTML fragment per section of a report page.

A notebook computes (through `wres.results`, `wres.disclosure`, `wres.change`)
and words (through `wres.narrative`) what it shows; these functions only put
it on the page, the same way in every notebook: paragraphs, action-plan tables
with captions, figures with alternative text. None of them computes a
statistic or knows which indicator it is showing.

Which outputs reach a publication page is decided by the notebook's cell tags
(`wres.render`), not here.
"""

from __future__ import annotations

import html
from collections.abc import Iterable, Sequence

import pandas as pd
from matplotlib.figure import Figure

from wres.core.indicators import ALL_SERVICES, MINORITY, get_indicator
from wres.present import figures, narrative, tables


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


def action_plan(rows: pd.DataFrame, *, authority: str, year: int) -> None:
    """The Total / Adults / Children table of published action plans, one per group."""
    if rows.empty:
        return
    title = get_indicator(int(rows["indicator"].iloc[0])).title
    out = []
    for group in dict.fromkeys(rows["group"]):
        table = tables.action_plan_table(rows, group=group)
        caption = (f"{title}, {authority} {year}: {narrative.group_label(group)} compared "
                   "with white staff")
        out.append(tables.to_html(table, caption=caption))
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
) -> None:
    """The summary page's table: every indicator's relative likelihoods in one place."""
    low, high = thresholds
    intro = (
        "<p>Each cell shows the relative likelihood for minority ethnic staff compared with "
        f"white staff, its {narrative.format_confidence(confidence_level)} interval and its "
        f"flag (outside {low:.2f}–{high:.2f}). {html.escape(narrative.INTERVAL_MEANING)}</p>")
    table = tables.summary_table(rows, changes=changes if len(changes) else None)
    fragment(intro + tables.to_html(table, caption=f"Headline results, {authority} {year}"))


def headline_rows(rows: pd.DataFrame) -> pd.DataFrame:
    """The all-services, minority ethnic rows: what a board reads first."""
    return rows[(rows["service"] == ALL_SERVICES) & (rows["group"] == MINORITY)]
