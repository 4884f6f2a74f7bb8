"""Change since last year in words: one sentence per comparison, and why one is not given.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping

import pandas as pd

from wres.present.narrative.sentences import _minority_rows
from wres.present.narrative.words import (
    as_number,
    format_confidence,
    format_p_value,
    format_ratio,
    is_suppressed,
    join_words,
    measure_label,
    service_label,
)


def change_sentence(
    change: Mapping,
    *,
    previous_year: int,
    previous_rl: float,
    current_rl: float,
    confidence_level: float | None = None,
) -> str:
    """Describe the change in relative likelihood since an earlier year.

    Parameters
    ----------
    change : Mapping
        A row from ``wres.stats.change_between_years``: ``rl_ratio``, ``rl_ratio_lower``,
        ``rl_ratio_upper``, ``p_value`` and ``change`` ("improved", "worsened",
        "increased", "decreased", "no significant change" or "not computable: ...").
    previous_year, previous_rl, current_rl
        The earlier year and the two relative likelihoods compared.
    confidence_level : float, optional
        Confidence level of the ratio's interval; by default the row's, else 0.95.

    Returns
    -------
    str
        e.g. "Since 2023 the relative likelihood fell from 1.9 to 1.4 (ratio 0.74, 95% CI
        0.45 to 1.21; p = 0.23): no significant change."
    """
    if as_number(previous_rl) is None or as_number(current_rl) is None:
        word = str(change.get("change") or "").strip()
        reason = word.partition(":")[2].strip() if word.startswith("not computable") else ""
        return (f"Since {previous_year} the change cannot be tested"
                + (f" ({reason})." if reason else " (one of the two years has no ratio)."))
    before, after = format_ratio(previous_rl), format_ratio(current_rl)
    if before == after:
        movement = f"stayed at {after}"
    else:
        movement = f"{'rose' if current_rl > previous_rl else 'fell'} from {before} to {after}"
    text = f"Since {previous_year} the relative likelihood {movement}"
    word = str(change.get("change") or "").strip()
    ratio = as_number(change.get("rl_ratio"))
    if ratio is None or word.startswith("not computable"):
        reason = word.partition(":")[2].strip()
        return text + "; the change cannot be tested" + (f" ({reason})." if reason else ".")
    level = confidence_level if confidence_level is not None else change.get("confidence_level")
    level_number = as_number(level) or 0.95
    level_number = level_number / 100 if level_number > 1 else level_number
    low, high = as_number(change.get("rl_ratio_lower")), as_number(change.get("rl_ratio_upper"))
    p_value = as_number(change.get("p_value"))
    details = f"ratio {ratio:.2f}"
    if low is not None and high is not None:
        details += f", {format_confidence(level_number)} CI {low:.2f} to {high:.2f}"
    if p_value is not None:
        details += f"; {format_p_value(p_value)}"
    if word:
        significant = word != "no significant change"
    elif p_value is not None:
        significant = p_value < 1 - level_number
    else:
        significant = low is not None and high is not None and not low <= 1 <= high
    if not significant:
        return f"{text} ({details}): no significant change."
    verdict = "a significant rise" if ratio > 1 else "a significant fall"
    if word in {"improved", "worsened"}:
        verdict += ", an improvement" if word == "improved" else ", a worsening"
    return f"{text} ({details}): {verdict}."


def _withheld_years(row: Mapping, shown: pd.DataFrame | None) -> tuple[bool, bool] | None:
    """Whether (last year's, this year's) ratio of a change's comparison is withheld in ``shown``.

    None when ``shown`` is not given (the reason is then said without naming the year).
    """
    if shown is None or shown.empty:
        return None
    same = shown[(shown["indicator"].astype(int) == int(row["indicator"]))
                 & (shown["measure"].astype(str) == str(row["measure"]))
                 & (shown["service"].astype(str) == str(row["service"]))
                 & (shown["group"].astype(str) == str(row["group"]))]

    def hidden(year: int) -> bool:
        values = same.loc[same["year"].astype(int) == year, "relative_likelihood"]
        return any(is_suppressed(v) for v in values)

    return hidden(int(row["previous_year"])), hidden(int(row["year"]))


def _withheld_change(row: Mapping, shown: pd.DataFrame | None) -> str:
    """Why a change is not given: which year's figure is withheld to protect small counts."""
    before = int(row["previous_year"])
    which = _withheld_years(row, shown)
    if which is None or not any(which):
        return (f"The change since {before} is not shown, because a figure in one of the two "
                "years is withheld to protect small numbers of staff.")
    last = "Last year's" if before == int(row["year"]) - 1 else f"The {before}"
    previous, current = which
    if previous and current:
        whose = f"This year's and {last[:1].lower()}{last[1:]} figures are"
    elif previous:
        whose = f"{last} figure was"
    else:
        whose = "This year's figure is"
    return f"{whose} withheld to protect small counts, so no change can be given."


def change_sentences(
    changes: pd.DataFrame,
    *,
    withheld: Collection[tuple] = frozenset(),
    shown: pd.DataFrame | None = None,
) -> list[str]:
    """One sentence per minority ethnic comparison on the change since the previous year.

    Each sentence starts with the service (and the measure, where the indicator has
    several). Services whose change is withheld for the same reason share one sentence,
    so a page says why once ("Adults and Children: This year's figures are withheld to
    protect small counts, so no change can be given.").

    Parameters
    ----------
    changes : DataFrame
        From `wres.change.year_on_year`; empty when there is no earlier year.
    withheld : collection of (indicator, measure, service, group)
        Comparisons whose ratio is withheld in either year (publication); for
        these the sentence says the change is not shown, and why.
    shown : DataFrame, optional
        The published rows of both years (after disclosure control): with them the
        sentence says whose figure is withheld, last year's or this year's.
    """
    if changes.empty:
        return ["No earlier year was submitted, so there is no change to report."]
    rows = _minority_rows(changes, None)
    if not rows:
        return ["No change since the earlier year can be given for minority ethnic staff."]
    lines: dict[tuple[str, str], list[str]] = {}
    for row in rows:
        label = measure_label(int(row["indicator"]), str(row["measure"]))
        key = (int(row["indicator"]), row["measure"], row["service"], row["group"])
        if key in withheld:
            sentence = _withheld_change(row, shown)
        else:
            sentence = change_sentence(row, previous_year=int(row["previous_year"]),
                                       previous_rl=row["previous_rl"],
                                       current_rl=row["current_rl"])
        lines.setdefault((label, sentence), []).append(service_label(str(row["service"])))
    several_measures = len({label for label, _ in lines}) > 1
    out = []
    for (label, sentence), services in lines.items():
        if len(services) > 1:
            sentence = (sentence.replace("figure is", "figures are")
                        .replace("figure was", "figures were"))
        where = f"{join_words(services)}, {label}" if several_measures else join_words(services)
        out.append(f"{where}: {sentence}")
    return out
