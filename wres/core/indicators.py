"""The nine SC-WRES indicators, defined once for notebooks, CLI and tests.

Each indicator says which measures it has, what its denominator is, how its
ratio is oriented and which direction of the relative likelihood (RL) is
adverse for minority ethnic staff. Everything else in ``wres`` reads these
definitions rather than repeating them.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

Adverse = Literal["below", "above", "none"]

#: Ethnic groups accepted in the counts format.
WHITE = "white"
MINORITY = "minority"
UNKNOWN = "unknown"
BROAD_GROUPS: tuple[str, ...] = ("asian", "black", "mixed", "other")
ETHNIC_GROUPS: tuple[str, ...] = (WHITE, MINORITY, UNKNOWN, *BROAD_GROUPS)

#: Services named in the SC-WRES returns; others are allowed. ``all`` is computed.
SERVICES: tuple[str, ...] = ("adults", "children")
ALL_SERVICES = "all"

#: Default relative-likelihood thresholds outside which a result is flagged.
DEFAULT_THRESHOLDS: tuple[float, float] = (0.80, 1.25)


@dataclass(frozen=True)
class Indicator:
    """One SC-WRES indicator.

    Attributes
    ----------
    number : int
        Indicator number, 1 to 9.
    slug : str
        Short name used in notebook and file names (``03-disciplinary``).
    title : str
        Title for reports.
    measures : tuple of str
        Allowed ``measure`` values; empty for indicator 1, whose measures are pay bands.
    measure_labels : dict
        Plain-words phrase for each measure ("enter the formal disciplinary process").
    denominator : str
        Who is counted in the denominator.
    adverse : {"below", "above", "none"}
        Which side of 1 is adverse for minority ethnic staff; ``none`` for
        descriptive indicators (pay-band shares).
    shared_denominator : bool
        Whether all measures of the indicator share one denominator per
        group and service (pay bands, senior managers: staff in post;
        harassment from colleagues and managers: respondents).
    """

    number: int
    slug: str
    title: str
    measures: tuple[str, ...]
    measure_labels: dict[str, str]
    denominator: str
    adverse: Adverse
    shared_denominator: bool = False

    @property
    def notebook(self) -> str:
        """File stem of the indicator's notebook, e.g. ``03-disciplinary``."""
        return f"{self.number:02d}-{self.slug}"

    def label(self, measure: str) -> str:
        """Plain-words phrase for a measure, falling back to the measure itself."""
        return self.measure_labels.get(measure, f"be in pay band {measure}")


INDICATORS: dict[int, Indicator] = {
    1: Indicator(
        1,
        "pay-bands",
        "Staff in each pay band",
        (),
        {},
        "staff in post",
        "none",
        shared_denominator=True,
    ),
    2: Indicator(
        2,
        "shortlisting",
        "Appointment from shortlisting",
        ("appointed",),
        {"appointed": "be appointed from shortlisting"},
        "shortlisted applicants",
        "below",
    ),
    3: Indicator(
        3,
        "disciplinary",
        "Formal disciplinary process",
        ("disciplinary",),
        {"disciplinary": "enter the formal disciplinary process"},
        "staff in post",
        "above",
    ),
    4: Indicator(
        4,
        "fitness-to-practise",
        "Fitness to practise",
        ("fitness_to_practise",),
        {"fitness_to_practise": "enter fitness to practise proceedings"},
        "regulated professionals",
        "above",
    ),
    5: Indicator(
        5,
        "cpd",
        "Funded non-mandatory CPD",
        ("cpd",),
        {"cpd": "access funded non-mandatory continuing professional development"},
        "staff in post",
        "below",
    ),
    6: Indicator(
        6,
        "harassment-public",
        "Harassment from people using services, relatives or the public",
        ("public",),
        {
            "public": (
                "report harassment, bullying or abuse from people using services, "
                "their relatives or the public"
            )
        },
        "survey respondents",
        "above",
    ),
    7: Indicator(
        7,
        "harassment-staff",
        "Harassment from colleagues and managers",
        ("colleagues", "managers"),
        {
            "colleagues": "report harassment, bullying or abuse from colleagues",
            "managers": "report harassment, bullying or abuse from managers",
        },
        "survey respondents",
        "above",
        shared_denominator=True,
    ),
    8: Indicator(
        8,
        "leavers",
        "Leaving the organisation",
        ("leavers",),
        {"leavers": "leave the organisation"},
        "staff in post",
        "above",
    ),
    9: Indicator(
        9,
        "senior-management",
        "Senior management",
        ("senior_managers",),
        {"senior_managers": "be senior managers"},
        "staff in post",
        "below",
    ),
}


def get_indicator(number: int) -> Indicator:
    """Return the definition of indicator ``number``.

    Raises
    ------
    KeyError
        If ``number`` is not 1 to 9, with the valid numbers in the message.
    """
    try:
        return INDICATORS[int(number)]
    except (KeyError, ValueError, TypeError):
        raise KeyError(f"unknown indicator {number!r}: expected one of 1-9") from None
