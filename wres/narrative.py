"""Plain-words findings for the reports, one sentence or short paragraph per result row.

Every function reads rows in the results format (``docs/CONTRACT.md``) and returns
text a reader without statistics can follow: who, where, how many times as likely,
the interval, the counts behind it, and whether the result is flagged, significant
and adverse. Rows from the publication profile may carry the marker ``[c]`` in
place of small counts; the text then says the figures are withheld rather than
quoting them.
"""

from __future__ import annotations

import math
import re
from collections.abc import Collection, Mapping, Sequence
from typing import Any

import pandas as pd

from wres.indicators import ALL_SERVICES, MINORITY, WHITE, get_indicator

#: Marker left by disclosure control in place of a small count (ONS convention).
SUPPRESSED = "[c]"

#: Noun phrase for each ethnic group, used as a sentence subject.
GROUP_NOUNS: dict[str, str] = {
    MINORITY: "minority ethnic staff",
    WHITE: "white staff",
    "asian": "Asian staff",
    "black": "Black staff",
    "mixed": "staff of mixed ethnicity",
    "other": "staff from other ethnic groups",
    "unknown": "staff whose ethnicity is not known",
}

#: Adjective for groups that have one ("20 of 310 minority ethnic and 15 of 610 white staff").
GROUP_ADJECTIVES: dict[str, str] = {
    MINORITY: "minority ethnic",
    WHITE: "white",
    "asian": "Asian",
    "black": "Black",
}

#: What one event is called for each indicator: (singular, plural).
EVENT_NOUNS: dict[int, tuple[str, str]] = {
    1: ("member of staff", "staff"),
    2: ("appointment", "appointments"),
    3: ("case", "cases"),
    4: ("case", "cases"),
    5: ("funded place", "funded places"),
    6: ("report", "reports"),
    7: ("report", "reports"),
    8: ("leaver", "leavers"),
    9: ("senior manager", "senior managers"),
}

_PAST_TENSE = {
    "be": "were",
    "enter": "entered",
    "report": "reported",
    "access": "accessed",
    "leave": "left",
}

_SERVICE_ORDER = (ALL_SERVICES, "adults", "children")


# --- reading values that may be suppressed or missing -------------------------------------


def is_suppressed(value: Any) -> bool:
    """Whether ``value`` is the disclosure marker ``[c]``."""
    return isinstance(value, str) and value.strip() == SUPPRESSED


def as_number(value: Any) -> float | None:
    """Return ``value`` as a finite float, or None if missing, suppressed or infinite."""
    if value is None or is_suppressed(value):
        return None
    if isinstance(value, str) and not value.strip():
        return None
    try:
        number = float(value)
    except (TypeError, ValueError):
        return None
    return number if math.isfinite(number) else None


def as_bool(value: Any) -> bool | None:
    """Read a ``significant`` cell (bool, 0/1 or "True"/"False"); None when empty."""
    if isinstance(value, str):
        text = value.strip().lower()
        if text in {"true", "yes", "1"}:
            return True
        if text in {"false", "no", "0"}:
            return False
        return None
    if value is None or value is pd.NA:
        return None
    if isinstance(value, float) and math.isnan(value):
        return None
    return bool(value)


def _count(value: Any) -> int | None:
    number = as_number(value)
    return None if number is None else int(round(number))


# --- names -----------------------------------------------------------------------------------


def service_name(service: str) -> str:
    """Service as written in a sentence: "adults' services", "all services"."""
    names = {
        ALL_SERVICES: "all services",
        "adults": "adults' services",
        "children": "children's services",
    }
    return names.get(service, f"{service} services")


def service_label(service: str) -> str:
    """Service as a table or axis label: "Total", "Adults", "Children"."""
    labels = {ALL_SERVICES: "Total", "adults": "Adults", "children": "Children"}
    return labels.get(service, str(service).replace("_", " ").capitalize())


def group_name(group: str) -> str:
    """Group as the subject of a sentence: "minority ethnic staff", "Asian staff"."""
    return GROUP_NOUNS.get(group, f"{group} staff")


def group_label(group: str) -> str:
    """Group as a column or legend label: "Minority ethnic", "Asian", "Mixed"."""
    labels = {"mixed": "Mixed", "other": "Other ethnic groups", "unknown": "Not known"}
    if group in labels:
        return labels[group]
    adjective = GROUP_ADJECTIVES.get(group, str(group))
    return adjective[0].upper() + adjective[1:]


def band_name(measure: str) -> str:
    """Pay band without a leading "band": "Band A" -> "A", "band_3" -> "3"."""
    name = re.sub(r"^(pay\s*)?band[\s_-]*", "", str(measure), flags=re.IGNORECASE).strip()
    return name or str(measure)


def measure_label(indicator: int, measure: str) -> str:
    """Plain-words phrase for a measure: "enter the formal disciplinary process",
    "be in pay band A"."""
    definition = get_indicator(indicator)
    if definition.measures:
        return definition.label(str(measure))
    return f"be in pay band {band_name(measure)}"


def check_one_report(frame: pd.DataFrame, *, years: bool = True) -> None:
    """Raise ValueError if ``frame`` mixes authorities (or, with ``years``, years)."""
    keys = ["authority", "year"] if years else ["authority"]
    for key in keys:
        if key in frame and frame[key].nunique() > 1:
            found = ", ".join(str(v) for v in frame[key].unique())
            raise ValueError(f"expected results for one {key}, found several: {found}")


def service_rank(service: str) -> int:
    """Sort key putting all services first, then adults, children, then the rest."""
    return _SERVICE_ORDER.index(service) if service in _SERVICE_ORDER else len(_SERVICE_ORDER)


def _capitalise(text: str) -> str:
    return text[:1].upper() + text[1:]


def _past(label: str) -> str:
    verb, _, rest = label.partition(" ")
    past = _PAST_TENSE.get(verb, verb + ("d" if verb.endswith("e") else "ed"))
    return f"{past} {rest}".strip()


def _event_noun(indicator: int, count: int) -> str:
    singular, plural = EVENT_NOUNS.get(indicator, ("event", "events"))
    return f"{count} {singular if count == 1 else plural}"


# --- formatting numbers ----------------------------------------------------------------------


def format_ratio(value: float) -> str:
    """Relative likelihood to about two significant figures: 2.6, 0.62, 54."""
    if value >= 100:
        return f"{value:.0f}"
    if value >= 1:
        return f"{value:.1f}"
    if value >= 0.01:
        return f"{value:.2f}"
    return f"{value:.2g}"


def format_percent(value: float, decimals: int = 1) -> str:
    """A proportion (0.073) as a percentage ("7.3%")."""
    return f"{100 * value:.{decimals}f}%"


def format_confidence(level: Any) -> str:
    """Confidence level as a percentage label: 0.95 -> "95%", 0.998 -> "99.8%"."""
    number = as_number(level)
    if number is None:
        number = 0.95
    if number <= 1:
        number *= 100
    return f"{round(number, 1):g}%"


def format_p_value(p: float) -> str:
    """p-value as reported: "p = 0.23", "p = 0.004", "p < 0.001"."""
    if p < 0.001:
        return "p < 0.001"
    if p < 0.01:
        return f"p = {p:.3f}"
    return f"p = {p:.2f}"


# --- the finding for one row ----------------------------------------------------------------


def _counts_clause(group: str, reference: str, counts: tuple[int, int, int, int]) -> str:
    n1, d1, n0, d0 = counts
    adjective, ref_adjective = GROUP_ADJECTIVES.get(group), GROUP_ADJECTIVES.get(reference)
    if adjective and ref_adjective:
        return f"{n1} of {d1} {adjective} and {n0} of {d0} {ref_adjective} staff"
    return f"{n1} of {d1} {group_name(group)} and {n0} of {d0} {group_name(reference)}"


def _flag_from(rl: float, thresholds: tuple[float, float]) -> str:
    lower, upper = thresholds
    return "below" if rl < lower else "above" if rl > upper else "within"


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
        sentence = f"{where} {'and' if flagged else 'but'} statistically significant"
    else:
        sentence = f"{where} {'but' if flagged else 'and'} not statistically significant"
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


def _not_computable(row: Mapping, reason: str, label: str, where: str, denominator: str) -> str:
    group = str(row.get("group", MINORITY))
    reference = str(row.get("reference_group", WHITE))
    counts = tuple(_count(row.get(k)) for k in _COUNT_KEYS)
    tail = "so the likelihood cannot be compared"
    if None not in counts:
        tail += f" ({_counts_clause(group, reference, counts)})"  # type: ignore[arg-type]
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


_COUNT_KEYS = ("numerator", "denominator", "reference_numerator", "reference_denominator")


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
        statistically significant; a higher likelihood is adverse for minority ethnic staff."
    """
    indicator = get_indicator(int(row["indicator"]))
    label = measure_label(indicator.number, str(row["measure"]))
    where = service_name(str(row["service"]))
    group = str(row.get("group", MINORITY))
    reference = str(row.get("reference_group", WHITE))
    status = str(row.get("status") or "ok").strip()

    if status.startswith("not_computable"):
        reason = status.partition(":")[2].strip()
        return _not_computable(row, reason, label, where, indicator.denominator)

    counts = tuple(_count(row.get(k)) for k in _COUNT_KEYS)
    rl = as_number(row.get("relative_likelihood"))
    low, high = as_number(row.get("rl_lower")), as_number(row.get("rl_upper"))
    if None in counts or rl is None or status.startswith("suppressed"):
        return _withheld(row, label, where, min_count)

    subject = f"{_capitalise(group_name(group))} in {where}"
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
    details = [_counts_clause(group, reference, counts)]  # type: ignore[arg-type]
    if low is not None and high is not None:
        ci = f"{format_confidence(row.get('confidence_level'))} CI"
        details.insert(0, f"{ci} {format_ratio(low)} to {format_ratio(high)}")
    text = f"{lead} ({'; '.join(details)})."

    flag = str(row.get("flag") or "").strip() or _flag_from(rl, thresholds)
    significant = as_bool(row.get("significant"))
    text += " " + _assessment(rl, flag, significant, thresholds, indicator.adverse, group)

    n1, _, n0, _ = counts
    if min(n1, n0) < small_events:  # type: ignore[type-var]
        text += (
            f" This is based on {_event_noun(indicator.number, n1 + n0)}; "  # type: ignore[operator]
            "the interval is wide."
        )
    return text


def findings(frame: pd.DataFrame, **options: Any) -> list[str]:
    """Findings for every row of ``frame``: all services first, then adults, children, others.

    Keyword options are passed to :func:`finding`.
    """
    rows = frame.to_dict("records")
    rows.sort(key=lambda row: service_rank(str(row["service"])))
    return [finding(row, **options) for row in rows]


# --- other sentences -------------------------------------------------------------------------


def unknown_sentence(row: Mapping, *, min_count: int = 5) -> str:
    """How many people's ethnicity was not known, and the ratio if they were all one group.

    ``row`` must be a ``minority`` row: its ``denominator + reference_denominator +
    unknown_denominator`` is then everyone counted.

    Raises
    ------
    ValueError
        For a broad-group row, whose counts do not add up to everyone counted.
    """
    group = str(row.get("group", MINORITY))
    if group != MINORITY:
        raise ValueError(f"unknown_sentence needs a 'minority' row, got group {group!r}")
    indicator = get_indicator(int(row["indicator"]))
    who = indicator.denominator
    where = service_name(str(row["service"]))
    parts = [_count(row.get(k)) for k in ("denominator", "reference_denominator")]
    unknown = _count(row.get("unknown_denominator"))
    if unknown is None or None in parts:
        if is_suppressed(row.get("unknown_denominator")) or any(
            is_suppressed(row.get(k)) for k in ("denominator", "reference_denominator")
        ):
            return (
                f"In {where}, the number of {who} whose ethnicity was not known is withheld "
                f"because fewer than {min_count} staff are involved."
            )
        return f"In {where}, the number of {who} whose ethnicity was not known was not given."
    if unknown == 0:
        return f"In {where}, ethnicity was known for all {who}."
    total = unknown + sum(parts)  # type: ignore[arg-type]
    text = (
        f"In {where}, ethnicity was not known for {format_percent(unknown / total)} of {who} "
        f"({unknown} of {total})"
    )
    if_white = as_number(row.get("rl_if_unknown_white"))
    if_minority = as_number(row.get("rl_if_unknown_minority"))
    if if_white is not None and if_minority is not None:
        text += (
            f"; if all of them were white the ratio would be {format_ratio(if_white)}, "
            f"if all were minority ethnic {format_ratio(if_minority)}"
        )
    return text + "."


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


def not_submitted_message(indicator: int, year: int, authority: str) -> str:
    """Say that an indicator was not submitted, e.g. "Indicator 4 (fitness to practise) ..."."""
    definition = get_indicator(indicator)
    title = definition.title[:1].lower() + definition.title[1:]
    return (
        f"Indicator {definition.number} ({title}) was not submitted for {year} by {authority}."
    )


def _share_difference(first: float, second: float) -> str:
    points = 100 * (first - second)
    if abs(points) < 0.05:
        return "the same share"
    word = "higher" if points > 0 else "lower"
    return f"{abs(points):.1f} percentage points {word}"


def pay_band_sentence(row: Mapping, *, min_count: int = 5) -> str:
    """Headline for one indicator 1 row: each group's share of staff in the pay band.

    e.g. "In adults' services, 12.5% of minority ethnic staff (5 of 40) and 20.0% of white
    staff (30 of 150) were in pay band 3: 7.5 percentage points lower."
    """
    group = str(row.get("group", MINORITY))
    reference = str(row.get("reference_group", WHITE))
    where = service_name(str(row["service"]))
    band = band_name(str(row["measure"]))
    n1, d1, n0, d0 = (_count(row.get(k)) for k in _COUNT_KEYS)
    if None in (n1, d1, n0, d0) or not d1 or not d0:
        return (
            f"In {where}, the shares of {group_name(group)} and {group_name(reference)} in "
            f"pay band {band} are withheld because fewer than {min_count} staff are involved."
        )
    share, reference_share = n1 / d1, n0 / d0  # type: ignore[operator]
    return (
        f"In {where}, {format_percent(share)} of {group_name(group)} ({n1} of {d1}) and "
        f"{format_percent(reference_share)} of {group_name(reference)} ({n0} of {d0}) were "
        f"in pay band {band}: {_share_difference(share, reference_share)}."
    )


def senior_share_sentence(row: Mapping, *, min_count: int = 5) -> str:
    """Headline for indicator 9: minority share of senior managers against the rest of staff.

    ``row`` is the ``minority`` row; white and minority ethnic staff together are everyone
    whose ethnicity is known. Senior managers are compared with the staff who are not
    senior managers, so the two shares come from separate people. e.g. "In all services,
    minority ethnic staff were 12.0% of senior managers (6 of 50) and 26.2% of the rest of
    the workforce (144 of 550), of those whose ethnicity is known: 14.2 percentage points
    lower."
    """
    where = service_name(str(row["service"]))
    n1, d1, n0, d0 = (_count(row.get(k)) for k in _COUNT_KEYS)
    if None in (n1, d1, n0, d0):
        return (
            f"In {where}, the share of senior managers who are minority ethnic is withheld "
            f"because fewer than {min_count} staff are involved."
        )
    seniors = n1 + n0  # type: ignore[operator]
    rest_minority = d1 - n1  # type: ignore[operator]
    rest = rest_minority + d0 - n0  # type: ignore[operator]
    if seniors == 0 or rest == 0:
        return f"In {where}, no senior managers of known ethnicity were recorded."
    senior_share, rest_share = n1 / seniors, rest_minority / rest  # type: ignore[operator]
    return (
        f"In {where}, minority ethnic staff were {format_percent(senior_share)} of senior "
        f"managers ({n1} of {seniors}) and {format_percent(rest_share)} of the rest of the "
        f"workforce ({rest_minority} of {rest}), of those whose ethnicity is known: "
        f"{_share_difference(senior_share, rest_share)}."
    )


# --- sentences for a whole section ----------------------------------------------------------


def _minority_rows(rows: pd.DataFrame, services: Sequence[str] | None) -> list[dict]:
    chosen = rows[rows["group"] == MINORITY]
    if services is not None:
        chosen = chosen[chosen["service"].isin(list(services))]
    records = chosen.to_dict("records")
    records.sort(key=lambda row: service_rank(str(row["service"])))
    return records


def unknown_sentences(
    rows: pd.DataFrame, *, min_count: int = 5, services: Sequence[str] | None = None
) -> list[str]:
    """:func:`unknown_sentence` for each minority ethnic row with unknown counts.

    Says so in one sentence when no counts of staff of unknown ethnicity were given.
    """
    given = rows[rows["unknown_denominator"].notna()] if len(rows) else rows
    lines = [unknown_sentence(row, min_count=min_count)
             for row in _minority_rows(given, services)]
    return lines or ["No counts of staff with unknown ethnicity were given for this indicator."]


def pay_band_sentences(
    rows: pd.DataFrame, *, min_count: int = 5, services: Sequence[str] = (ALL_SERVICES,)
) -> list[str]:
    """:func:`pay_band_sentence` for each pay band of the minority ethnic rows, in band order."""
    return [pay_band_sentence(row, min_count=min_count)
            for row in _minority_rows(rows, services)]


def senior_share_sentences(rows: pd.DataFrame, *, min_count: int = 5) -> list[str]:
    """:func:`senior_share_sentence` for each service: all services first."""
    return [senior_share_sentence(row, min_count=min_count)
            for row in _minority_rows(rows, None)]


def change_sentences(
    changes: pd.DataFrame, *, withheld: Collection[tuple] = frozenset()
) -> list[str]:
    """One sentence per minority ethnic comparison on the change since the previous year.

    Parameters
    ----------
    changes : DataFrame
        From `wres.change.year_on_year`; empty when there is no earlier year.
    withheld : collection of (indicator, measure, service, group)
        Comparisons whose ratio is withheld in either year (publication); for
        these the sentence says the change is not shown, and why.
    """
    if changes.empty:
        return ["No earlier year was submitted, so there is no change to report."]
    lines = []
    for row in _minority_rows(changes, None):
        where = service_label(str(row["service"]))
        label = measure_label(int(row["indicator"]), str(row["measure"]))
        key = (int(row["indicator"]), row["measure"], row["service"], row["group"])
        if key in withheld:
            sentence = (f"The change since {int(row['previous_year'])} is not shown, because "
                        "a figure in one of the two years is withheld to protect small "
                        "numbers of staff.")
        else:
            sentence = change_sentence(row, previous_year=int(row["previous_year"]),
                                       previous_rl=row["previous_rl"],
                                       current_rl=row["current_rl"])
        lines.append(f"{where}, {label}: {sentence}")
    return lines
