"""Figures for the reports, each returned with a plain-words alternative text.

Every plotting function returns ``(fig, alt_text)``; :func:`figure_to_html`
embeds a figure with its alt text. One module per kind of figure: `forest`
(relative likelihoods), `pay_bands` (indicator 1), `harassment` (indicator 7),
`senior` (indicator 9) and `funnel` (the national view); `common` holds the
shared style.
"""

from wres.present.figures.common import figure_to_html, log_axis
from wres.present.figures.forest import forest_plot
from wres.present.figures.funnel import funnel_plot
from wres.present.figures.harassment import harassment_sources_plot
from wres.present.figures.pay_bands import pay_band_plot
from wres.present.figures.senior import senior_management_plot

__all__ = [
    "figure_to_html",
    "forest_plot",
    "funnel_plot",
    "harassment_sources_plot",
    "log_axis",
    "pay_band_plot",
    "senior_management_plot",
]
