"""Rates, relative likelihoods and their confidence intervals for SC-WRES.

Every function is vectorised over numpy arrays or pandas Series (scalars
broadcast) and returns a tidy DataFrame or Series, indexed like the first Series
argument. Each result row carries the method and the confidence level that made
it. Zero and empty cells never raise: they give a ``not_computable: <reason>``
status and NaN figures. The word columns (``status``, ``ci_method``,
``rate_method``) are pandas Categoricals: they compare and ``.str``-match like
text and cost one byte a row.

Modules: `proportions` (rates), `ratios` and `ratio_intervals` (relative
likelihood), `exact` (Fisher's exact test), `multiple` (many comparisons:
adjusted p-values, what chance alone gives), `shares` (share differences,
unknown ethnicity), `verdicts` (flags, significance, verdicts, change between
years) and `funnel` (funnel limits and overdispersion). This package imports
only `wres.core`.
"""

from wres.core.methods import PROPORTION_METHODS, RATIO_METHODS, normalise_method
from wres.stats._common import (
    NO_EVENTS_EITHER,
    NO_EVENTS_REFERENCE,
    NO_ONE_GROUP,
    NO_ONE_REFERENCE,
    OK,
)
from wres.stats.exact import exact_test, fisher_exact_p_value
from wres.stats.multiple import ADJUST_METHODS, adjust_p_values, expected_by_chance
from wres.stats.proportions import (
    clopper_pearson_interval,
    jeffreys_interval,
    proportion_interval,
    wilson_interval,
)
from wres.stats.ratios import invert_relative_likelihood, relative_likelihood
from wres.stats.shares import nested_share_difference, share_difference, unknown_bounds
from wres.stats.verdicts import (
    change_between_years,
    flag_relative_likelihood,
    is_significant,
    verdict,
)

__all__ = [
    "ADJUST_METHODS",
    "NO_EVENTS_EITHER",
    "NO_EVENTS_REFERENCE",
    "NO_ONE_GROUP",
    "NO_ONE_REFERENCE",
    "OK",
    "PROPORTION_METHODS",
    "RATIO_METHODS",
    "adjust_p_values",
    "change_between_years",
    "clopper_pearson_interval",
    "exact_test",
    "expected_by_chance",
    "fisher_exact_p_value",
    "flag_relative_likelihood",
    "invert_relative_likelihood",
    "is_significant",
    "jeffreys_interval",
    "nested_share_difference",
    "normalise_method",
    "proportion_interval",
    "relative_likelihood",
    "share_difference",
    "unknown_bounds",
    "verdict",
    "wilson_interval",
]
