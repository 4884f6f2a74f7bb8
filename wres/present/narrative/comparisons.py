"""How many comparisons a report makes, and what chance alone would flag among them.

Every report tests its headline comparison (minority ethnic against white staff in
all services) and many more: each service, each broad ethnic group, each pay band.
With no real difference anywhere, about one test in twenty at the 95% level is still
significant, so the words say how many comparisons there are, how many chance alone
would flag, which are primary and which exploratory, and whether significance was
adjusted for multiple comparisons.
"""

from __future__ import annotations

import pandas as pd

from wres.core.adjustments import normalise_adjust
from wres.core.indicators import ALL_SERVICES, MINORITY
from wres.present.narrative.words import (
    as_bool,
    as_number,
    format_confidence,
    is_suppressed,
    join_words,
)
from wres.stats import NO_EVENTS_REFERENCE, OK, expected_by_chance

#: What the intervals describe, said once on every publication page and in the methods.
INTERVAL_MEANING = (
    "The counts are of the whole workforce (or of everyone who answered the survey), not "
    "a sample, so an interval does not describe sampling error: it describes how much a "
    "figure could vary by chance in the process behind the count, such as who is "
    "referred, appointed or leaves in a given year."
)

_ADJUSTMENTS = {
    "holm": ("Holm's method", "the chance of any false finding among them"),
    "fdr_bh": ("the Benjamini–Hochberg method",
               "the expected share of false findings among those flagged"),
}


def _tested(rows: pd.DataFrame) -> pd.DataFrame:
    """Rows with a test of their own: a ratio, or the exact test where white staff had no events."""
    return rows[rows["status"].astype(str).isin([OK, NO_EVENTS_REFERENCE])]


def _level(rows: pd.DataFrame, confidence_level: float | None) -> float:
    if confidence_level is not None:
        return float(confidence_level)
    if "confidence_level" in rows and len(rows):
        level = as_number(rows["confidence_level"].iloc[0])
        if level is not None:
            return level / 100 if level > 1 else level
    return 0.95


def _significant(rows: pd.DataFrame) -> int:
    """Rows shown as significant (a withheld significance is not counted)."""
    return sum(as_bool(v) is True for v in rows.get("significant", pd.Series(dtype=object)))


def _about(count: float) -> str:
    """An expected count to two figures at most: 0.05, 0.45, 5.9, 214."""
    if count >= 10:
        return f"{count:.0f}"
    return f"{count:.1f}" if count >= 1 else f"{count:.2g}"


def _kinds(exploratory: pd.DataFrame) -> str:
    """What the exploratory comparisons are: "each service and broad ethnic group"."""
    service, group = exploratory["service"].astype(str), exploratory["group"].astype(str)
    kinds = [name for name, present in (
        ("service", (service != ALL_SERVICES).any()),
        ("broad ethnic group", (group != MINORITY).any()),
        ("pay band", ((service == ALL_SERVICES) & (group == MINORITY)).any()),
    ) if present]
    return "each " + join_words(kinds).replace(" and ", " or ") if kinds else "the rest"


def _verb(count: int) -> str:
    return "is" if count == 1 else "are"


def _number(count: int, noun: str) -> str:
    return f"{count} {noun}{'' if count == 1 else 's'}"


def adjustment_sentence(adjust: str | None, confidence_level: float = 0.95) -> str:
    """Whether and how significance is adjusted for multiple comparisons, in one sentence."""
    method = normalise_adjust(adjust)
    if method == "none":
        return ("Significance is not adjusted for multiple comparisons, so read exploratory "
                "results as pointers for a closer look rather than as findings.")
    name, keeps = _ADJUSTMENTS[method]
    return (f"Significance is adjusted for multiple comparisons by {name}, within each "
            f"indicator (all its measures, services and groups for the year), which keeps "
            f"{keeps} to {format_confidence(1 - confidence_level)}.")


def comparisons_sentences(
    rows: pd.DataFrame,
    *,
    adjust: str | None = "none",
    confidence_level: float | None = None,
    scope: str = "This page",
) -> list[str]:
    """How many comparisons ``rows`` make, primary and exploratory, and what chance would flag.

    Parameters
    ----------
    rows : DataFrame
        The results rows a page reports (one authority and year): those with a
        test count as comparisons. In publication rows whose ``status`` is
        withheld (``[c]``) are counted apart, as withheld, so the count reveals
        nothing about them.
    adjust : {"none", "holm", "fdr_bh"}
        The adjustment used for ``significant``.
    confidence_level : float, optional
        By default the rows' own.
    scope : str
        The subject of the first sentence: "This page", "This year's report".

    Returns
    -------
    list of str
        Nothing for no rows (an indicator not submitted); else e.g. ["This page makes
        15 comparisons with white staff: 1 primary (minority ethnic against white staff
        in all services) and 14 exploratory (each service or broad ethnic group).", "If
        there were no real differences, about 0.75 of the 15 would still be significantly
        different from 1 by chance alone at the 95% level; 3 are.", "For the primary
        comparison alone the chance of that is 5%; it is significant.", "Significance is
        not adjusted ..."]
    """
    if rows.empty:
        return []
    tested = _tested(rows)
    level = _level(rows, confidence_level)
    total = len(tested)
    withheld = int(rows["status"].map(is_suppressed).sum()) if len(rows) else 0
    more = (f" ({withheld} more {'is' if withheld == 1 else 'are'} withheld to protect small "
            "numbers of staff)") if withheld else ""
    if total == 0:
        if withheld:
            return [f"{scope} makes {_number(withheld, 'comparison')} with white staff; "
                    f"{'its figures are' if withheld == 1 else 'all their figures are'} "
                    "withheld to protect small numbers of staff."]
        return [f"{scope} makes no comparison that can be tested."]
    kinds = tested["comparison"].astype(str) if "comparison" in tested else pd.Series(
        "exploratory", index=tested.index)
    primary = int((kinds == "primary").sum())
    exploratory = total - primary
    parts = []
    if primary:
        parts.append(f"{primary} primary (minority ethnic against white staff in all services)")
    if exploratory:
        parts.append(f"{exploratory} exploratory "
                     f"({_kinds(tested[(kinds != 'primary').to_numpy()])})")
    if primary:
        first = (f"{scope} makes {_number(total, 'comparison')} with white staff{more}: "
                 + " and ".join(parts) + ".")
    else:
        first = (f"{scope} makes {_number(total, 'comparison')} with white staff{more}, "
                 f"all exploratory ({_kinds(tested)}).")
    chance = expected_by_chance(total, level)
    significant = _significant(tested)
    second = (f"If there were no real differences, about {_about(chance)} of the {total} "
              "would still be significantly different from 1 by chance alone at the "
              f"{format_confidence(level)} level; {significant} {_verb(significant)}.")
    lines = [first, second]
    if primary and exploratory:
        shown = _significant(tested[(kinds == "primary").to_numpy()])
        if primary == 1:
            lines.append(f"For the primary comparison alone the chance of that is "
                         f"{format_confidence(1 - level)}; it is "
                         f"{'' if shown else 'not '}significant.")
        else:
            lines.append(f"Of the {primary} primary comparisons, about "
                         f"{_about(expected_by_chance(primary, level))} would be by chance "
                         f"alone; {shown} {_verb(shown)}.")
    return [*lines, adjustment_sentence(adjust, level)]


def results_note(results: pd.DataFrame, adjust: str | None, confidence_level: float) -> str:
    """The note ``wres results`` prints under the file it wrote: comparisons, chance, adjustment."""
    tested = _tested(results)
    significant = _significant(tested)
    chance = expected_by_chance(len(tested), confidence_level)
    text = (f"{len(tested)} comparisons tested, {significant} significant; at the "
            f"{format_confidence(confidence_level)} level about {_about(chance)} would be "
            "significant by chance alone if there were no real differences. ")
    if normalise_adjust(adjust) == "none":
        return text + ("Significance is not adjusted for multiple comparisons: read the "
                       "exploratory rows with care (--adjust holm or fdr_bh adjusts it).")
    return text + adjustment_sentence(adjust, confidence_level)
