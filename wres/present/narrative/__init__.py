"""Plain-words findings for the reports, one sentence or short paragraph per result row.

Every function reads rows in the results format (``docs/CONTRACT.md``) and returns
text a reader without statistics can follow: who, where, how many times as likely,
the interval, the counts behind it, and whether the result is flagged, significant
and adverse. Rows from the publication profile may carry the marker ``[c]`` in
place of small counts; the text then says the figures are withheld rather than
quoting them.

Modules: `words` (reading values, names, number formats), `findings` (the finding
for one row), `sentences` (unknown ethnicity, pay bands, senior managers, sections of
an indicator not submitted), `changes` (change since last year, or why none is given)
and `comparisons` (how many comparisons a report makes, and what chance alone would
flag).
"""

from wres.present.narrative.changes import change_sentence, change_sentences
from wres.present.narrative.comparisons import (
    INTERVAL_MEANING,
    adjustment_sentence,
    comparisons_sentences,
    results_note,
)
from wres.present.narrative.findings import finding, findings
from wres.present.narrative.sentences import (
    not_submitted_message,
    not_submitted_section,
    pay_band_sentence,
    pay_band_sentences,
    senior_share_sentence,
    senior_share_sentences,
    unknown_sentence,
    unknown_sentences,
)
from wres.present.narrative.words import (
    as_bool,
    as_number,
    band_name,
    format_confidence,
    format_p_value,
    format_percent,
    format_ratio,
    group_label,
    group_name,
    is_suppressed,
    measure_label,
    service_label,
    service_name,
)

__all__ = [
    "INTERVAL_MEANING",
    "adjustment_sentence",
    "as_bool",
    "as_number",
    "band_name",
    "change_sentence",
    "change_sentences",
    "comparisons_sentences",
    "finding",
    "findings",
    "format_confidence",
    "format_p_value",
    "format_percent",
    "format_ratio",
    "group_label",
    "group_name",
    "is_suppressed",
    "measure_label",
    "not_submitted_message",
    "not_submitted_section",
    "pay_band_sentence",
    "pay_band_sentences",
    "results_note",
    "senior_share_sentence",
    "senior_share_sentences",
    "service_label",
    "service_name",
    "unknown_sentence",
    "unknown_sentences",
]
