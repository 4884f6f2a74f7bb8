"""Disclosure control for publication: small counts hidden, and kept hidden.

`suppression` hides counts of 1 to ``min_count - 1`` and what is computed from
them; `secondary` hides further counts until every hidden count keeps a
protection interval (`protection`); `withheld` says which comparisons and
changes a page must not show; `leaks` scans finished tables and HTML for counts
that escaped; `attack` tries to work hidden counts out of everything published
(`knowledge`, `readback`, `pages`, `national_view`), `national_check` makes the
national view fail closed, and `audit` runs the attack over an output folder
(``wres audit``). `decisions` keeps each authority-year's decision in a batch's
cache.
"""

from wres.analysis.disclosure.attack import DisclosureError, attack, check_publication
from wres.analysis.disclosure.columns import ROLES
from wres.analysis.disclosure.leaks import find_small_counts
from wres.analysis.disclosure.protection import PROTECTION_INTERVAL
from wres.analysis.disclosure.suppression import apply_disclosure, suppress_small_counts
from wres.analysis.disclosure.withheld import (
    publish_results,
    publishable_changes,
    published_headlines,
    withheld_changes,
    withheld_comparisons,
)
from wres.core.names import MARKER, MIN_COUNT

__all__ = [
    "MARKER",
    "MIN_COUNT",
    "PROTECTION_INTERVAL",
    "ROLES",
    "DisclosureError",
    "apply_disclosure",
    "attack",
    "check_publication",
    "find_small_counts",
    "publish_results",
    "publishable_changes",
    "published_headlines",
    "suppress_small_counts",
    "withheld_changes",
    "withheld_comparisons",
]
