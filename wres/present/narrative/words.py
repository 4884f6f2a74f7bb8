"""Words and numbers for the reports: reading values that may be withheld, names, formats.
"""

from __future__ import annotations

import math
import re
from collections.abc import Sequence
from typing import Any

import pandas as pd

from wres.core.indicators import ALL_SERVICES, MINORITY, WHITE, get_indicator
from wres.core.names import MARKER

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
    return isinstance(value, str) and value.strip() == MARKER


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


def capitalise(text: str) -> str:
    """``text`` with its first letter in capitals (the rest unchanged)."""
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
    """p-value as reported: "p = 0.23", "p = 0.015", "p = 0.004", "p < 0.001".

    Two decimal places from 0.1 up, two significant figures below (so 0.015 is
    not rounded to 0.01 or 0.02 beside a 0.05 line), "p < 0.001" below that.
    """
    if p < 0.001:
        return "p < 0.001"
    if p < 0.1:
        return f"p = {p:.2g}"
    return f"p = {p:.2f}"


def join_words(items: Sequence[str]) -> str:
    """``a``, ``a and b``, ``a, b and c``: items listed as in a sentence."""
    items = list(items)
    if len(items) <= 1:
        return "".join(items)
    return ", ".join(items[:-1]) + " and " + items[-1]


def text_or_blank(value: Any) -> str:
    """``value`` as text, or an empty string when it is missing (None or NaN)."""
    return "" if value is None or (isinstance(value, float) and math.isnan(value)) else str(value)


def level_text(suffix: str) -> str:
    """``95`` -> ``95%``, ``998`` -> ``99.8%``: a funnel level from its column suffix."""
    return f"{suffix[:2]}.{suffix[2:]}%" if len(suffix) > 2 else f"{suffix}%"
