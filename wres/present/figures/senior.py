"""Indicator 9: senior managers against the rest of the workforce.
"""

from __future__ import annotations

from collections.abc import Sequence

import pandas as pd
from matplotlib.figure import Figure

from wres.core.frames import records
from wres.core.indicators import MINORITY
from wres.core.names import COMPARISON_COUNTS
from wres.present.figures.common import (
    _FONT,
    _confidence,
    _latest_year,
    _new_figure,
    _one_group,
    _palette,
    _share_with_interval,
    set_title,
)
from wres.present.narrative.words import (
    as_number,
    format_confidence,
    is_suppressed,
    service_label,
    service_name,
    service_rank,
)

# --- indicator 9: senior managers against the rest of the workforce --------------------------

_SENIOR = "Senior managers"
_REST = "Rest of the workforce"
_SENIOR_STYLES = {_SENIOR: ("o", -0.12), _REST: ("s", 0.12)}


def _not_shown(row: dict, columns: Sequence[str]) -> str:
    return "withheld" if any(is_suppressed(row.get(c)) for c in columns) else "not available"


def _senior_and_rest(row: dict) -> dict[str, tuple[float, float] | str]:
    """(minority ethnic, all of known ethnicity) among senior managers and among the rest.

    Senior managers are part of the workforce, so they are compared with the staff who are
    not senior managers, and the two groups do not overlap. Where a count needed is withheld
    or missing, the words "withheld" or "not available" stand instead.
    """
    n1, d1, n0, d0 = (as_number(row.get(c)) for c in COMPARISON_COUNTS)
    senior_columns = ("numerator", "reference_numerator")
    return {
        _SENIOR: _not_shown(row, senior_columns) if n1 is None or n0 is None
        else (n1, n1 + n0),
        _REST: _not_shown(row, COMPARISON_COUNTS)
        if n1 is None or d1 is None or n0 is None or d0 is None
        else (d1 - n1, (d1 - n1) + (d0 - n0)),
    }


def _draw_share(ax, y: float, counts: tuple[float, float] | str, confidence: float,
                series: str, colour) -> str:
    """Draw one minority ethnic share with its Wilson interval at ``y``; return it in words."""
    if isinstance(counts, str) or counts[1] <= 0:
        words = counts if isinstance(counts, str) else "none"
        ax.text(1, y, words, va="center", fontsize=_FONT - 1, style="italic", color="0.3")
        return words
    share, low, high = (100 * v for v in _share_with_interval(*counts, confidence))
    marker, _ = _SENIOR_STYLES[series]
    ax.errorbar(share, y, xerr=[[max(share - low, 0.0)], [max(high - share, 0.0)]],
                fmt=marker, color=colour, capsize=3, markersize=6, label=series)
    return f"{share:.1f}% ({low:.1f} to {high:.1f})"


def _legend_once(ax, order: Sequence[str]) -> None:
    """A legend with one entry per label, in ``order``."""
    handles = dict(zip(*reversed(ax.get_legend_handles_labels()), strict=True))
    shown = [label for label in order if label in handles]
    if shown:  # no empty legend box when every share is withheld
        ax.legend([handles[label] for label in shown], shown, fontsize=_FONT - 1)


def senior_management_plot(frame: pd.DataFrame, *, year: int | None = None) -> tuple[Figure, str]:
    """Indicator 9: minority share of senior managers against that of the rest of the workforce.

    One row per service, two points each with Wilson intervals: the minority ethnic share
    among senior managers, and among the staff who are not senior managers (of those whose
    ethnicity is known). Senior managers are part of the whole workforce, so comparing them
    with it would set a group beside a total that contains it; the rest of the workforce does
    not overlap with them. Withheld shares are written in words instead of a point.

    Parameters
    ----------
    frame : DataFrame
        Indicator 9 results rows (the ``minority`` rows are used).
    year : int, optional
        Year shown; the latest by default.

    Returns
    -------
    (Figure, str)
        The figure and its alternative text.
    """
    rows, year = _latest_year(_one_group(frame, MINORITY), year)
    entries = sorted(records(rows), key=lambda r: service_rank(str(r["service"])))
    fig, (ax,) = _new_figure(7, max(3.0, 0.6 * len(entries) + 1.5))
    colours = dict(zip(_SENIOR_STYLES, _palette(2), strict=True))
    alt_parts = []
    for position, row in enumerate(entries):
        shares = _senior_and_rest(row)
        said = set(shares.values())
        if len(said) == 1 and isinstance(words := next(iter(said)), str):
            # both shares withheld (or missing) for the same reason: say so once for the row
            ax.text(1, position, words, va="center", fontsize=_FONT - 1, style="italic",
                    color="0.3")
            alt_parts.append(f"{service_name(str(row['service']))}: {words}")
            continue
        described = [
            f"{series.lower()} "
            + _draw_share(ax, position + _SENIOR_STYLES[series][1], counts, _confidence(row),
                          series, colours[series])
            for series, counts in shares.items()
        ]
        alt_parts.append(f"{service_name(str(row['service']))}: " + ", ".join(described))
    ax.set_yticks(range(len(entries)))
    ax.set_yticklabels([service_label(str(r["service"])) for r in entries])
    ax.set_ylim(len(entries) - 0.5, -0.5)
    ax.set_xlim(0, 100)
    ax.set_xlabel("Minority ethnic share of staff whose ethnicity is known (%)", fontsize=_FONT)
    ax.set_ylabel("Service", fontsize=_FONT)
    set_title(ax, "Minority ethnic staff among senior managers and the rest of the workforce, "
                  f"{year}")
    _legend_once(ax, list(_SENIOR_STYLES))
    confidence = format_confidence(entries[0].get("confidence_level"))
    alt = (
        "Dot plot of the minority ethnic share among senior managers and among the rest of "
        f"the workforce (staff who are not senior managers) in {year}, with {confidence} "
        "confidence intervals. " + "; ".join(alt_parts) + ". Shares are of staff whose "
        "ethnicity is known."
    )
    return fig, alt
