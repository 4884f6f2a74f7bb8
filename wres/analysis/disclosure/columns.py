"""Which columns of a results row hold counts, and which figures are computed from them."""

from __future__ import annotations

from collections.abc import Hashable

from wres.core.names import COMPARISON_COUNTS, UNKNOWN_COUNTS

#: Numerator and denominator columns of each group in a results row.
ROLES: dict[str, tuple[str, str]] = {
    "group": (COMPARISON_COUNTS[0], COMPARISON_COUNTS[1]),
    "reference": (COMPARISON_COUNTS[2], COMPARISON_COUNTS[3]),
    "unknown": (UNKNOWN_COUNTS[0], UNKNOWN_COUNTS[1]),
}
#: Figures computed from one group's counts.
RATES = {
    "group": ("rate", "rate_lower", "rate_upper"),
    "reference": ("reference_rate", "reference_rate_lower", "reference_rate_upper"),
    "unknown": ("unknown_rate",),
}
#: Figures computed from the group's and the reference group's counts (a p-value beside a
#: hidden count could reveal it).
RATIOS = ("relative_likelihood", "rl_lower", "rl_upper", "flag", "significant", "verdict",
          "p_value", "p_adjusted")
#: Words computed from the same counts as the ratio: ``status`` says why there is none
#: ("no events in either group" would reveal a hidden zero), so it is hidden with it.
REASONS = ("status",)
#: Figures computed from the group's, reference group's and unknown counts.
BOUNDS = ("rl_if_unknown_white", "rl_if_unknown_minority", "rl_range_lower", "rl_range_upper")

Cell = tuple[Hashable, ...]
