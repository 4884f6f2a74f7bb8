"""Names shared by every layer, each defined once.

The count columns of the results format, the marker and threshold of
disclosure control, the two page profiles and the notebooks the batch treats
specially. Importing this module costs nothing: it holds constants only.
"""

from __future__ import annotations

#: The four counts behind every comparison in a results row: the group's events
#: and staff, and the reference group's (white staff's) events and staff.
COMPARISON_COUNTS: tuple[str, ...] = (
    "numerator", "denominator", "reference_numerator", "reference_denominator",
)
#: Events and staff of unknown ethnicity, reported beside the comparison.
UNKNOWN_COUNTS: tuple[str, ...] = ("unknown_numerator", "unknown_denominator")
#: Every count column of a results row (what disclosure control checks).
RESULT_COUNTS: tuple[str, ...] = (*COMPARISON_COUNTS, *UNKNOWN_COUNTS)

#: The columns that identify one row of the results: one comparison of one
#: group with white staff, for one authority, year, measure and service.
RESULT_KEY: tuple[str, ...] = ("authority", "year", "indicator", "measure", "service", "group")

#: Marker left by disclosure control in place of a withheld figure (ONS convention).
MARKER = "[c]"

#: Default smallest count that may be published (counts 1 to 4 are withheld).
MIN_COUNT = 5

#: Every notebook is executed once per profile: the analyst's (everything shown)
#: and the publication's (disclosure control applied, no code).
ANALYST = "analyst"
PUBLICATION = "publication"
PROFILES: tuple[str, ...] = (ANALYST, PUBLICATION)

#: Notebooks run once per authority-year besides the indicators, and once per year.
SUMMARY = "00-summary"
BENCHMARK = "10-benchmark"

#: The folder of the national view among the authorities' folders of a year.
NATIONAL_SLUG = "national"
