"""Plain-words findings for the reports, one sentence or short paragraph per result row.

Every function reads rows in the results format (``docs/CONTRACT.md``) and returns
text a reader without statistics can follow: who, where, how many times as likely,
the interval, the counts behind it, and whether the result is flagged, significant
and adverse. Rows from the publication profile may carry the marker ``[c]`` in
place of small counts; the text then says the figures are withheld rather than
quoting them.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import pandas as pd

from wres.core.frames import records
from wres.core.indicators import MINORITY, WHITE, get_indicator
from wres.core.names import COMPARISON_COUNTS
from wres.present.narrative.words import (
    GROUP_ADJECTIVES,
    _count,
    _event_noun,
    _past,
    as_bool,
    as_number,
    capitalise,
    format_confidence,
    format_p_value,
    format_ratio,
    group_name,
    measure_label,
    service_name,
    service_rank,
)
from wres.stats import NO_EVENTS_REFERENCE
from wres.stats.verdicts import flag_relative_likelihood

# --- the finding for one row ----------------------------------------------------------------


def _counts_clause(group: str, reference: str, counts: tuple[int, int, int, int]) -> str:
    n1, d1, n0, d0 = counts
    adjective, ref_adjective = GROUP_ADJECTIVES.get(group), GROUP_ADJECTIVES.get(reference)
    if adjective and ref_adjective:
        return f"{n1} of {d1} {adjective} and {n0} of {d0} {ref_adjective} staff"
    return f"{n1} of {d1} {group_name(group)} and {n0} of {d0} {group_name(reference)}"


def _assessment(
    rl: float, flag: str, significant: bool | None, thresholds: tuple[float, float],
    adverse: str, group: str,
) -> str:
    lower, upper = thresholds
    if flag == "above":
        where = f"This is above the {upper:.2f} threshold"
    elif flag == "below":
        where = f"This is below the {lower:.2f} threshold"
    else:
        where = f"This is within the {lower:.2f} to {upper:.2f} range"
    flagged = flag in {"above", "below"}
    if significant is None:
        sentence = where
    elif significant:
        sentence = f"{where} {'and' if flagged else 'but'} significantly different from 1"
    else:
        sentence = f"{where} {'but' if flagged else 'and'} not significantly different from 1"
    if adverse in {"above", "below"} and (flagged or significant) and rl != 1:
        side, word = ("above", "higher") if rl > 1 else ("below", "lower")
        verdict = "adverse" if side == adverse else "not adverse"
        sentence += f"; a {word} likelihood is {verdict} for {group_name(group)}"
    return sentence + "."


def _withheld(row: Mapping, label: str, where: str, min_count: int) -> str:
    group = str(row.get("group", MINORITY))
    reference = str(row.get("reference_group", WHITE))
    return (
        f"How likely {group_name(group)} in {where} were, compared with "
        f"{group_name(reference)}, to {label} is not shown: figures are withheld because "
        f"fewer than {min_count} staff are involved."
    )


def _exact_only(row: Mapping, label: str, where: str, adverse: str,
                small_events: int) -> str | None:
    """The finding where the reference group has no events: no ratio, but an exact test.

    None when the counts or the test are withheld (the plain "cannot be compared"
    sentence is used then).
    """
    group = str(row.get("group", MINORITY))
    reference = str(row.get("reference_group", WHITE))
    n1, d1, n0, d0 = (_count(row.get(k)) for k in COMPARISON_COUNTS)
    p_value, significant = as_number(row.get("p_value")), as_bool(row.get("significant"))
    if n1 is None or d1 is None or n0 is None or d0 is None or p_value is None \
            or significant is None:
        return None
    test = format_p_value(p_value)
    adjusted = as_number(row.get("p_adjusted"))
    after = ""
    if adjusted is not None:
        after = " after adjusting for multiple comparisons"
        test += f", or {format_p_value(adjusted).removeprefix('p = ')}{after}"
    text = (f"{capitalise(group_name(group))} in {where} were more likely than "
            f"{group_name(reference)} to {label}; no ratio can be given because no "
            f"{group_name(reference)} had this outcome; {test} "
            f"({_counts_clause(group, reference, (n1, d1, n0, d0))}).")
    low = as_number(row.get("rl_lower"))
    if significant:
        text += f" This is significant by Fisher's exact test{after}"
        if low is not None and low > 0:
            text += (f", and the relative likelihood is at least {format_ratio(low)} (the lower "
                     f"limit of its {format_confidence(row.get('confidence_level'))} interval, "
                     "which has no upper limit)")
    else:
        text += f" This is not significant by Fisher's exact test{after}"
    if adverse in {"above", "below"}:
        verdict = "adverse" if adverse == "above" else "not adverse"
        text += f"; a higher likelihood is {verdict} for {group_name(group)}"
    text += "."
    if n1 < small_events:
        text += f" This is based on {_event_noun(int(row['indicator']), n1)}."
    return text


def _not_computable(row: Mapping, reason: str, label: str, where: str, denominator: str) -> str:
    group = str(row.get("group", MINORITY))
    reference = str(row.get("reference_group", WHITE))
    n1, d1, n0, d0 = (_count(row.get(k)) for k in COMPARISON_COUNTS)
    tail = "so the likelihood cannot be compared"
    if n1 is not None and d1 is not None and n0 is not None and d0 is not None:
        tail += f" ({_counts_clause(group, reference, (n1, d1, n0, d0))})"
    if reason == "no events in the reference group":
        return f"No {group_name(reference)} in {where} {_past(label)}, {tail}."
    if reason == "no events in either group":
        return (
            f"Neither {group_name(group)} nor {group_name(reference)} in {where} "
            f"{_past(label)}, {tail}."
        )
    if reason in {"no one in the group", "no one in the reference group"}:
        who = group if reason == "no one in the group" else reference
        return (
            f"No {group_name(who)} were counted among the {denominator} in {where}, "
            "so the likelihood cannot be compared."
        )
    return (
        f"The likelihood of {group_name(group)} compared with {group_name(reference)} "
        f"in {where} to {label} cannot be compared: {reason or 'not computable'}."
    )




def finding(
    row: Mapping,
    *,
    thresholds: tuple[float, float] = (0.80, 1.25),
    small_events: int = 10,
    min_count: int = 5,
) -> str:
    """One plain-words finding for a results row (service x measure x group).

    Parameters
    ----------
    row : Mapping
        A row in the results format (a dict or a pandas Series).
    thresholds : tuple of float
        Relative likelihoods outside ``(lower, upper)`` are flagged; used for the wording
        and, when the row has no ``flag``, to work it out.
    small_events : int
        If either group has fewer events than this, the text warns that the interval is wide.
    min_count : int
        The disclosure threshold quoted when figures are withheld (``[c]``).

    Returns
    -------
    str
        For example "Minority ethnic staff in adults' services were 2.6 times as likely as
        white staff to enter the formal disciplinary process (95% CI 1.4 to 5.1; 20 of 310
        minority ethnic and 15 of 610 white staff). This is above the 1.25 threshold and
        significantly different from 1; a higher likelihood is adverse for minority ethnic
        staff." The test is against 1 (no difference), not against a threshold. Where
        white staff had no events, there is no ratio but an exact test: "... were more
        likely than white staff to ...; no ratio can be given because no white staff had
        this outcome; p = 0.015 (...)".
    """
    indicator = get_indicator(int(row["indicator"]))
    label = measure_label(indicator.number, str(row["measure"]))
    where = service_name(str(row["service"]))
    group = str(row.get("group", MINORITY))
    reference = str(row.get("reference_group", WHITE))
    status = str(row.get("status") or "ok").strip()

    if status == NO_EVENTS_REFERENCE:
        exact = _exact_only(row, label, where, indicator.adverse, small_events)
        if exact is not None:
            return exact
    if status.startswith("not_computable"):
        reason = status.partition(":")[2].strip()
        return _not_computable(row, reason, label, where, indicator.denominator)

    n1, d1, n0, d0 = (_count(row.get(k)) for k in COMPARISON_COUNTS)
    rl = as_number(row.get("relative_likelihood"))
    low, high = as_number(row.get("rl_lower")), as_number(row.get("rl_upper"))
    if (n1 is None or d1 is None or n0 is None or d0 is None or rl is None
            or status.startswith("suppressed")):
        return _withheld(row, label, where, min_count)

    subject = f"{capitalise(group_name(group))} in {where}"
    if rl == 0:
        lead = f"No {group_name(group)} in {where} {_past(label)}: a relative likelihood of 0"
    elif rl >= 1:
        lead = f"{subject} were {format_ratio(rl)} times as likely as {group_name(reference)}"
        lead += f" to {label}"
    else:
        lead = (
            f"{subject} were less likely than {group_name(reference)} to {label}: "
            f"{format_ratio(rl)} times as likely"
        )
    details = [_counts_clause(group, reference, (n1, d1, n0, d0))]
    if low is not None and high is not None:
        ci = f"{format_confidence(row.get('confidence_level'))} CI"
        details.insert(0, f"{ci} {format_ratio(low)} to {format_ratio(high)}")
    text = f"{lead} ({'; '.join(details)})."

    flag = (str(row.get("flag") or "").strip()
            or str(flag_relative_likelihood([rl], thresholds).iloc[0]))
    significant = as_bool(row.get("significant"))
    assessment = _assessment(rl, flag, significant, thresholds, indicator.adverse, group)
    if significant is not None and as_number(row.get("p_adjusted")) is not None:
        assessment = assessment.replace(" from 1", " from 1 after adjusting for multiple "
                                        "comparisons", 1)
    text += " " + assessment

    if min(n1, n0) < small_events:
        text += (
            f" This is based on {_event_noun(indicator.number, n1 + n0)}; "
            "the interval is wide."
        )
    return text


def findings(frame: pd.DataFrame, **options: Any) -> list[str]:
    """Findings for every row of ``frame``: all services first, then adults, children, others.

    Keyword options are passed to :func:`finding`.
    """
    rows = records(frame)
    rows.sort(key=lambda row: service_rank(str(row["service"])))
    return [finding(row, **options) for row in rows]
