"""`wres.sensitivity`: the same counts under other methods, levels, thresholds and unknowns.

Every case is indicator 3 (formal disciplinary process, where a higher likelihood is
adverse) for one authority and year; each service holds one comparison of minority
ethnic with white staff, and ``all`` pools the services.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest
from scipy.stats.contingency import relative_risk

from wres import stats
from wres.analysis.results import compute_results
from wres.inputs.counts import read_counts
from wres.present.sensitivity import (
    COMPARISON,
    across_methods,
    across_thresholds,
    changed_flags,
    changed_verdicts,
    count_changes,
    count_flags,
    method_label,
    side_by_side,
    unknown_sensitivity,
)

ADVERSE_SIGNIFICANT = "adverse to minority ethnic staff and significantly different from 1"
ADVERSE_NOT_SIGNIFICANT = ("adverse to minority ethnic staff but not significantly different "
                           "from 1")
LABELS = ["katz-log 95%", "katz-log 99%", "koopman-score 95%", "koopman-score 99%",
          "miettinen-nurminen 95%", "miettinen-nurminen 99%"]

#: (minority numerator, minority staff, white numerator, white staff)
RL_3 = (30, 200, 20, 400)  # 3.0, significant under every method and level
RL_6 = (60, 200, 20, 400)  # 6.0, far from 1 everywhere
RL_1_5 = (45, 300, 40, 400)  # 1.5, lower limit 1.007 at 95% but 0.888 at 99%
RL_1_2_LARGE = (240, 2000, 400, 4000)  # 1.2, within; lower limit 1.03 at 95%, 0.98 at 99%
RL_1_2 = (24, 200, 40, 400)  # 1.2, not significant
RL_1_86 = (15, 45, 100, 559)  # 1.86; at 99% Katz's lower limit is 1.03, the score limits 0.99


def counts_of(tmp_path: Path, **services: tuple[int, ...]) -> pd.DataFrame:
    """Validated counts: per service (minority, white[, unknown]) numerators and staff."""
    lines = ["authority,year,service,indicator,measure,ethnic_group,denominator,numerator"]
    for service, cells in services.items():
        pairs = list(zip(cells[::2], cells[1::2], strict=True))
        for group, (numerator, staff) in zip(("minority", "white", "unknown"), pairs,
                                             strict=False):
            lines.append(f"Testshire,2024,{service},3,disciplinary,{group},{staff},{numerator}")
    path = tmp_path / "counts.csv"
    path.write_text("\n".join(lines) + "\n")
    return read_counts([path])


def one(frame: pd.DataFrame, **where: object) -> pd.DataFrame:
    """Rows of ``frame`` matching every ``column=value``."""
    keep = pd.Series(True, index=frame.index)
    for column, value in where.items():
        keep &= frame[column] == value
    return frame[keep]


# --- every method and level ---------------------------------------------------------------------


def test_across_methods_gives_each_method_and_level_its_own_rows_with_its_interval(tmp_path):
    frame = across_methods(counts_of(tmp_path, adults=RL_3))
    rows = one(frame, service="adults").set_index(["ci_method", "confidence_level"])
    assert len(frame) == 6 * 2  # adults and all, under 3 methods x 2 levels
    assert list(rows.index) == [(m, level) for m in stats.RATIO_METHODS for level in (0.95, 0.99)]
    assert rows["relative_likelihood"].tolist() == pytest.approx([3.0] * 6)
    expected = {
        ("katz-log", 0.95): (1.7487, 5.1466),
        ("katz-log", 0.99): (1.4759, 6.0979),
        ("koopman-score", 0.95): (1.7585, 5.1122),
        ("koopman-score", 0.99): (1.4948, 6.0094),
        ("miettinen-nurminen", 0.95): (1.7577, 5.1144),
        ("miettinen-nurminen", 0.99): (1.4940, 6.0127),
    }
    for key, (lower, upper) in expected.items():
        assert rows.loc[key, "rl_lower"] == pytest.approx(lower, abs=1e-4), key
        assert rows.loc[key, "rl_upper"] == pytest.approx(upper, abs=1e-4), key
    at_95 = rows.xs(0.95, level="confidence_level")
    assert at_95["rl_lower"].nunique() == 3 and at_95["rl_upper"].nunique() == 3


def test_katz_log_rows_are_a_direct_relative_likelihood_call_and_scipys_relative_risk(tmp_path):
    frame = across_methods(counts_of(tmp_path, adults=RL_3), confidence_levels=[0.99])
    katz = one(frame, ci_method="katz-log", service="adults").iloc[0]
    direct = stats.relative_likelihood(*RL_3, method="katz-log", confidence_level=0.99).iloc[0]
    for column in ("relative_likelihood", "rl_lower", "rl_upper"):
        assert katz[column] == direct[column]
    scipy = relative_risk(*RL_3).confidence_interval(confidence_level=0.99)
    assert (katz["rl_lower"], katz["rl_upper"]) == pytest.approx((scipy.low, scipy.high))


def test_across_methods_equals_compute_results_for_each_choice(tmp_path):
    counts = counts_of(tmp_path, adults=RL_1_5, children=RL_6)
    frame = across_methods(counts, methods=["koopman-score"], confidence_levels=[0.99],
                           thresholds=(0.9, 1.11))
    expected = compute_results(counts, ci_method="koopman-score", confidence_level=0.99,
                               thresholds=(0.9, 1.11))
    pd.testing.assert_frame_equal(frame, expected)


def test_method_aliases_are_named_canonically_and_repeats_are_dropped(tmp_path):
    frame = across_methods(counts_of(tmp_path, adults=RL_3),
                           methods=["katz", "katz-log", "mn"], confidence_levels=[0.95, 0.95])
    assert list(frame["ci_method"].unique()) == ["katz-log", "miettinen-nurminen"]
    assert list(frame["confidence_level"].unique()) == [0.95]


def test_across_methods_needs_a_method_and_a_level(tmp_path):
    counts = counts_of(tmp_path, adults=RL_3)
    with pytest.raises(ValueError, match="at least one method"):
        across_methods(counts, methods=[])
    with pytest.raises(ValueError, match="unknown ratio interval method 'wald'"):
        across_methods(counts, methods=["wald"])


def test_method_label_names_the_method_and_the_level_as_a_percentage():
    assert method_label("katz-log", 0.95) == "katz-log 95%"
    assert method_label("koopman-score", 0.998) == "koopman-score 99.8%"


# --- side by side -------------------------------------------------------------------------------


def test_side_by_side_shows_every_method_and_level_as_text_in_one_row(tmp_path):
    wide = side_by_side(across_methods(counts_of(tmp_path, adults=RL_3)))
    assert list(wide.columns) == [*COMPARISON, *LABELS, *(f"{label} verdict" for label in LABELS)]
    assert list(wide["service"]) == ["adults", "all"]
    adults = wide.iloc[0]
    assert adults["katz-log 95%"] == "3.00 (1.75–5.15)"
    assert adults["koopman-score 95%"] == "3.00 (1.76–5.11)"
    assert adults["miettinen-nurminen 99%"] == "3.00 (1.49–6.01)"
    assert all(adults[f"{label} verdict"] == ADVERSE_SIGNIFICANT for label in LABELS)


def test_side_by_side_says_not_computable_with_the_reason(tmp_path):
    wide = side_by_side(across_methods(counts_of(tmp_path, adults=(5, 50, 0, 60))))
    adults = wide.iloc[0]
    # no ratio, but the lower limit (Miettinen-Nurminen under katz-log) and the exact test
    assert adults["katz-log 95%"] == "not computable; at least 1.61"
    assert adults["koopman-score 95%"].startswith("not computable; at least ")
    assert adults["katz-log 95% verdict"] == (
        "adverse to minority ethnic staff and significant by the exact test; no ratio: no "
        "events in the reference group")  # Fisher's p = 0.017
    neither = side_by_side(across_methods(counts_of(tmp_path, adults=(0, 50, 0, 60)))).iloc[0]
    assert neither["katz-log 95%"] == "not computable"
    assert neither["katz-log 95% verdict"] == "not computable: no events in either group"


def test_side_by_side_refuses_two_rows_for_one_comparison_under_one_method(tmp_path):
    results = compute_results(counts_of(tmp_path, adults=RL_3))
    with pytest.raises(ValueError, match="katz-log 95%: more than one row for .*'adults'"):
        side_by_side(pd.concat([results, results]))


# --- verdicts that change -----------------------------------------------------------------------


def test_a_verdict_significant_at_95_but_not_at_99_is_listed(tmp_path):
    frame = across_methods(counts_of(tmp_path, adults=RL_1_5, children=RL_6))
    changed = changed_verdicts(frame)
    assert list(changed["service"]) == ["adults"]  # children and the pooled 2.8 hold everywhere
    row = changed.iloc[0]
    assert row["changes"] == "verdict and significance"
    assert row["katz-log 95%"] == "1.50 (1.01–2.23)"
    assert row["katz-log 99%"] == "1.50 (0.89–2.53)"
    for method in stats.RATIO_METHODS:
        assert row[f"{method} 95% verdict"] == ADVERSE_SIGNIFICANT
        assert row[f"{method} 99% verdict"] == ADVERSE_NOT_SIGNIFICANT


def test_significance_changing_within_the_thresholds_is_listed_as_significance(tmp_path):
    changed = changed_verdicts(across_methods(counts_of(tmp_path, adults=RL_1_2_LARGE)))
    assert list(changed["service"]) == ["adults", "all"]
    assert set(changed["changes"]) == {"significance"}
    assert set(changed["katz-log 95% verdict"]) == {"within the 0.80–1.25 range"}
    assert changed.iloc[0]["katz-log 95%"] == "1.20 (1.03–1.40)"
    assert changed.iloc[0]["katz-log 99%"] == "1.20 (0.98–1.46)"


def test_nothing_changes_gives_an_empty_frame_with_the_same_columns(tmp_path):
    frame = across_methods(counts_of(tmp_path, adults=RL_6))
    changed = changed_verdicts(frame)
    assert changed.empty
    assert list(changed.columns) == [*COMPARISON, "changes",
                                     *side_by_side(frame).columns[len(COMPARISON):]]


def test_katz_alone_significant_at_99_is_a_change_between_methods(tmp_path):
    changed = changed_verdicts(across_methods(counts_of(tmp_path, adults=RL_1_86)))
    row = changed.iloc[0]
    assert [row[label] for label in LABELS] == [
        "1.86 (1.19–2.92)", "1.86 (1.03–3.37)", "1.86 (1.16–2.81)",
        "1.86 (0.99–3.14)", "1.86 (1.16–2.81)", "1.86 (0.99–3.14)"]
    assert row["katz-log 99% verdict"] == ADVERSE_SIGNIFICANT
    assert row["koopman-score 99% verdict"] == ADVERSE_NOT_SIGNIFICANT


def test_count_changes_counts_between_methods_at_each_level_and_between_levels(tmp_path):
    table = count_changes(across_methods(counts_of(tmp_path, adults=RL_1_86)))
    # one service, so adults and the pooled all are the same comparison twice
    assert table.to_dict("records") == [
        {"between": "interval methods", "held": "95%", "comparisons": 2, "changed": 0},
        {"between": "interval methods", "held": "99%", "comparisons": 2, "changed": 2},
        {"between": "confidence levels", "held": "katz-log", "comparisons": 2, "changed": 0},
        {"between": "confidence levels", "held": "koopman-score", "comparisons": 2, "changed": 2},
        {"between": "confidence levels", "held": "miettinen-nurminen", "comparisons": 2,
         "changed": 2},
        {"between": "methods and levels", "held": "nothing", "comparisons": 2, "changed": 2},
    ]


# --- other thresholds ---------------------------------------------------------------------------


def test_1_2_is_within_at_the_usual_thresholds_and_above_at_the_narrower_pair(tmp_path):
    results = compute_results(counts_of(tmp_path, adults=RL_1_2))
    frame = across_thresholds(results)
    assert len(frame) == 3 * len(results)
    adults = one(frame, service="adults").set_index("thresholds")
    assert list(adults.index) == ["0.80–1.25", "0.90–1.11", "0.67–1.50"]
    assert adults["relative_likelihood"].tolist() == pytest.approx([1.2] * 3)
    assert adults["flag"].tolist() == ["within", "above", "within"]
    assert adults.loc["0.90–1.11", "verdict"] == ADVERSE_NOT_SIGNIFICANT
    assert adults.loc["0.80–1.25", "verdict"] == "within the 0.80–1.25 range"
    assert adults.loc["0.90–1.11", ["threshold_low", "threshold_high"]].tolist() == [0.9, 1.11]
    assert set(adults["ci_method"]) == {"katz-log"} and set(adults["confidence_level"]) == {0.95}


def test_count_flags_counts_each_flag_per_thresholds_pair_in_the_order_given(tmp_path):
    # adults 1.2; children has no white staff disciplined; all pools them to 1.33
    counts = counts_of(tmp_path, adults=RL_1_2, children=(5, 50, 0, 60))
    table = count_flags(across_thresholds(compute_results(counts)))
    assert table.to_dict("records") == [
        {"ci_method": "katz-log", "confidence_level": 0.95, "thresholds": "0.80–1.25",
         "below": 0, "within": 1, "above": 1, "not computable": 1},
        {"ci_method": "katz-log", "confidence_level": 0.95, "thresholds": "0.90–1.11",
         "below": 0, "within": 0, "above": 2, "not computable": 1},
        {"ci_method": "katz-log", "confidence_level": 0.95, "thresholds": "0.67–1.50",
         "below": 0, "within": 2, "above": 0, "not computable": 1},
    ]


def test_changed_flags_lists_the_rows_whose_flag_depends_on_the_thresholds(tmp_path):
    counts = counts_of(tmp_path, adults=RL_1_2, children=RL_6)
    changed = changed_flags(across_thresholds(compute_results(counts)))
    assert list(changed["service"]) == ["adults"]  # children's 6.0 and the pooled 2.8 stay above
    adults = changed.iloc[0]
    assert adults["relative_likelihood"] == pytest.approx(1.2)
    assert [adults[f"{pair} flag"] for pair in ("0.80–1.25", "0.90–1.11", "0.67–1.50")] == [
        "within", "above", "within"]


# --- unknown ethnicity --------------------------------------------------------------------------


def test_unknown_sensitivity_shows_when_a_flag_depends_on_the_unknown_staff(tmp_path):
    # adults: 1.30; all 100 unknown staff white gives 1.95, all minority 0.87 (within)
    counts = counts_of(tmp_path, adults=(26, 200, 20, 200, 0, 100),
                       children=(60, 200, 20, 400, 10, 100), residential=RL_3)
    frame = unknown_sensitivity(compute_results(counts))
    # residential gave no unknown row, so neither it nor the pooled service is listed
    assert list(frame["service"]) == ["adults", "children"]
    adults, children = frame.iloc[0], frame.iloc[1]
    assert adults[["relative_likelihood", "rl_if_unknown_white",
                   "rl_if_unknown_minority"]].tolist() == pytest.approx([1.3, 1.95, 26 / 300 / 0.1])
    assert adults[["flag", "flag_if_unknown_white", "flag_if_unknown_minority"]].tolist() == [
        "above", "above", "within"]
    assert bool(adults["flag_changes"]) is True
    assert children[["relative_likelihood", "rl_if_unknown_white", "rl_if_unknown_minority"]
                    ].tolist() == pytest.approx([6.0, 5.0, 70 / 300 / 0.05])
    assert bool(children["flag_changes"]) is False
    assert set(frame["thresholds"]) == {"0.80–1.25"}


def test_unknown_sensitivity_flags_with_the_thresholds_given(tmp_path):
    counts = counts_of(tmp_path, adults=(26, 200, 20, 200, 0, 100))
    adults = unknown_sensitivity(compute_results(counts), thresholds=(0.67, 1.5)).iloc[0]
    assert adults[["flag", "flag_if_unknown_white", "flag_if_unknown_minority"]].tolist() == [
        "within", "above", "within"]


def test_unknown_sensitivity_gives_one_row_per_comparison_from_every_method(tmp_path):
    counts = counts_of(tmp_path, adults=(26, 200, 20, 200, 0, 100))
    pd.testing.assert_frame_equal(unknown_sensitivity(across_methods(counts)),
                                  unknown_sensitivity(compute_results(counts)))
