"""Specification of wres.stats: rates, relative likelihoods, intervals and verdicts."""

from __future__ import annotations

import csv
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from scipy.optimize import minimize_scalar
from scipy.stats import norm
from scipy.stats.contingency import relative_risk
from statsmodels.stats.proportion import confint_proportions_2indep

from wres import stats
from wres.core.indicators import get_indicator

#: A copy of shared/reference/ci_reference.csv kept in the repository, so a fresh clone
#: tests against it; where shared/ sits beside the clone, a test checks the copy is current.
REFERENCE = Path(__file__).resolve().parent / "data" / "reference" / "ci_reference.csv"
SHARED = Path(__file__).resolve().parents[2] / "shared" / "reference" / "ci_reference.csv"


@pytest.mark.skipif(not SHARED.is_file(), reason="shared/ is not beside this checkout")
def test_the_reference_copy_matches_shared() -> None:
    assert REFERENCE.read_bytes() == SHARED.read_bytes()


def _reference_rows() -> list[dict[str, str]]:
    with REFERENCE.open(newline="") as handle:
        return list(csv.DictReader(handle))


def _decimals(text: str) -> int:
    return len(text.split(".")[1]) if "." in text else 0


@pytest.mark.parametrize(
    "row", _reference_rows(), ids=lambda r: f"{r['method']}-{r['x1']}/{r['n1']}-{r['x0']}/{r['n0']}"
)
def test_every_reference_interval_is_reproduced_to_its_source_precision(row):
    level = float(row["confidence"])
    if row["kind"] == "ratio":
        got = stats.relative_likelihood(
            int(row["x1"]), int(row["n1"]), int(row["x0"]), int(row["n0"]),
            method=row["method"], confidence_level=level,
        ).iloc[0]
        estimate, lower, upper = got["relative_likelihood"], got["rl_lower"], got["rl_upper"]
        assert got["ci_method"] == row["method"] and got["status"] == "ok"
    else:
        got = stats.proportion_interval(
            int(row["x1"]), int(row["n1"]), method=row["method"], confidence_level=level
        ).iloc[0]
        estimate, lower, upper = got["rate"], got["rate_lower"], got["rate_upper"]
        assert got["rate_method"] == row["method"]
    for value, text in ((estimate, row["estimate"]), (lower, row["lower"]), (upper, row["upper"])):
        places = min(_decimals(text), 9)
        assert value == pytest.approx(float(text), abs=0.5 * 10.0**-places + 1e-12)


def test_katz_worked_example_from_scipy():
    frame = stats.relative_likelihood(27, 122, 44, 487)
    assert list(frame.columns) == [
        "numerator", "denominator", "reference_numerator", "reference_denominator",
        "relative_likelihood", "rl_lower", "rl_upper", "ci_method", "confidence_level", "status",
    ]
    row = frame.iloc[0]
    assert row["relative_likelihood"] == pytest.approx(2.4495156482861398)
    assert (row["rl_lower"], row["rl_upper"]) == pytest.approx(
        (1.5836990926700116, 3.7886786315466354))
    assert (row["ci_method"], row["confidence_level"], row["status"]) == ("katz-log", 0.95, "ok")


def test_any_confidence_level_matches_scipy():
    frame = stats.relative_likelihood(27, 122, 44, 487, confidence_level=0.90)
    expected = relative_risk(27, 122, 44, 487).confidence_interval(0.90)
    assert frame.loc[0, "rl_lower"] == pytest.approx(expected.low)
    assert frame.loc[0, "rl_upper"] == pytest.approx(expected.high)
    assert frame.loc[0, "confidence_level"] == 0.90


def test_series_input_keeps_its_index():
    index = pd.Index(["adults", "children"], name="service")
    frame = stats.relative_likelihood(
        pd.Series([10, 4], index=index), pd.Series([100, 50], index=index), [20, 8], [400, 200]
    )
    assert frame.index.equals(index)
    assert frame["relative_likelihood"].tolist() == pytest.approx([2.0, 2.0])


@pytest.mark.parametrize(
    ("counts", "status"),
    [
        ((5, 10, 0, 10), "not_computable: no events in the reference group"),
        ((0, 10, 0, 10), "not_computable: no events in either group"),
        ((0, 0, 3, 10), "not_computable: no one in the group"),
        ((0, 10, 0, 0), "not_computable: no one in the reference group"),
        ((0, 0, 0, 0), "not_computable: no one in the group"),
    ],
)
@pytest.mark.parametrize("method", stats.RATIO_METHODS)
def test_empty_and_zero_cells_give_a_status_not_an_error(counts, status, method):
    row = stats.relative_likelihood(*counts, method=method).iloc[0]
    assert row["status"] == status
    assert np.isnan([row["relative_likelihood"], row["rl_upper"]]).all()
    # only a group with events against a reference group without any has a lower limit
    has_lower = status == "not_computable: no events in the reference group"
    assert np.isfinite(row["rl_lower"]) == has_lower


@pytest.mark.parametrize(("method", "lower"), [
    ("katz-log", 1.4788), ("miettinen-nurminen", 1.4788), ("koopman-score", 1.4805)])
def test_no_reference_events_give_the_score_lower_limit_and_no_ratio(method, lower):
    # Marrowfield 2022, fitness to practise, all services: 9 of 536 against 0 of 336
    row = stats.relative_likelihood(9, 536, 0, 336, method=method).iloc[0]
    assert row["status"] == "not_computable: no events in the reference group"
    assert np.isnan(row["relative_likelihood"]) and np.isnan(row["rl_upper"])
    assert row["rl_lower"] == pytest.approx(lower, abs=5e-5)
    assert row["ci_method"] == method


@pytest.mark.parametrize("method", stats.RATIO_METHODS)
def test_no_events_in_the_group_gives_zero_with_a_finite_upper_limit(method):
    row = stats.relative_likelihood(0, 50, 5, 60, method=method).iloc[0]
    assert row["status"] == "ok"
    assert (row["relative_likelihood"], row["rl_lower"]) == (0.0, 0.0)
    assert 0 < row["rl_upper"] < np.inf


def test_katz_upper_limit_with_no_events_is_statsmodels_log_adjusted():
    row = stats.relative_likelihood(0, 50, 5, 60).iloc[0]
    _, upper = confint_proportions_2indep(0, 50, 5, 60, compare="ratio", method="log-adjusted")
    assert row["rl_upper"] == pytest.approx(upper)


def test_score_limits_with_no_events_match_statsmodels():
    row = stats.relative_likelihood(0, 50, 5, 60, method="koopman").iloc[0]
    assert row["rl_upper"] == pytest.approx(0.8827758048605949, rel=1e-9)


def test_score_interval_where_every_reference_member_had_the_event():
    # statsmodels' cubic fails here (returns a degenerate interval); the swapped
    # table is well behaved there, and score intervals invert exactly.
    row = stats.relative_likelihood(5, 50, 60, 60, method="koopman-score").iloc[0]
    low, upp = confint_proportions_2indep(60, 60, 5, 50, compare="ratio", method="score",
                                          correction=False)
    assert (row["rl_lower"], row["rl_upper"]) == pytest.approx((1 / upp, 1 / low), rel=1e-8)


def _score_oracle(theta, x1, n1, x0, n0):
    """Score statistic with the constrained MLE found numerically (no closed form)."""

    def minus_loglik(p0):
        p1 = theta * p0
        return -(x1 * np.log(p1) + (n1 - x1) * np.log1p(-p1)
                 + x0 * np.log(p0) + (n0 - x0) * np.log1p(-p0))

    p0 = minimize_scalar(minus_loglik, bounds=(1e-12, min(1, 1 / theta) - 1e-12),
                         method="bounded", options={"xatol": 1e-14}).x
    p1 = theta * p0
    return (x1 / n1 - theta * x0 / n0) / np.sqrt(p1 * (1 - p1) / n1 + theta**2 * p0 * (1 - p0) / n0)


@pytest.mark.parametrize("table", [(1, 1, 1, 2), (5, 50, 60, 60), (50, 50, 60, 60), (3, 3, 9, 9)])
@pytest.mark.parametrize("method", ["koopman-score", "miettinen-nurminen"])
def test_score_limits_solve_the_score_equation_where_everyone_had_the_event(table, method):
    # Tables where statsmodels' closed form fails: the limits must be where the
    # score statistic equals -/+ z (variance scaled by N/(N-1) for M-N).
    row = stats.relative_likelihood(*table, method=method, confidence_level=0.9).iloc[0]
    n = table[1] + table[3]
    scale = np.sqrt(n / (n - 1)) if method == "miettinen-nurminen" else 1.0
    z = norm.isf(0.05)
    assert row["rl_lower"] < row["relative_likelihood"] < row["rl_upper"]
    assert _score_oracle(row["rl_lower"], *table) / scale == pytest.approx(z, rel=1e-6)
    assert _score_oracle(row["rl_upper"], *table) / scale == pytest.approx(-z, rel=1e-6)


def test_counts_that_are_not_counts_raise_with_the_position():
    with pytest.raises(ValueError, match="position 1"):
        stats.relative_likelihood([1, -1], 10, 1, 10)
    with pytest.raises(ValueError, match="exceeds denominator"):
        stats.relative_likelihood(11, 10, 1, 10)
    with pytest.raises(ValueError, match="reference_numerator"):
        stats.relative_likelihood(1, 10, np.nan, 10)
    with pytest.raises(ValueError, match="between 0 and 1"):
        stats.relative_likelihood(1, 10, 1, 10, confidence_level=95)


@pytest.mark.parametrize(
    ("alias", "kind", "canonical"),
    [
        ("katz", "ratio", "katz-log"), ("Koopman", "ratio", "koopman-score"),
        ("score", "ratio", "koopman-score"), ("MN", "ratio", "miettinen-nurminen"),
        ("miettinen_nurminen", "ratio", "miettinen-nurminen"),
        ("exact", "proportion", "clopper-pearson"), ("beta", "proportion", "clopper-pearson"),
        ("wilson", "proportion", "wilson"), ("jeffreys", "proportion", "jeffreys"),
    ],
)
def test_method_aliases_normalise_to_canonical_names(alias, kind, canonical):
    assert stats.normalise_method(alias, kind) == canonical


def test_unknown_method_lists_the_valid_names():
    with pytest.raises(ValueError, match="katz-log, koopman-score, miettinen-nurminen"):
        stats.normalise_method("wald", "ratio")
    with pytest.raises(ValueError, match="wilson"):
        stats.proportion_interval(1, 2, method="katz")


def test_proportion_interval_columns_and_empty_group():
    frame = stats.proportion_interval([81, 0], [263, 0])
    assert list(frame.columns) == [
        "numerator", "denominator", "rate", "rate_lower", "rate_upper", "rate_method",
        "confidence_level",
    ]
    assert frame.loc[0, "rate"] == pytest.approx(81 / 263)
    assert frame.loc[1, ["rate", "rate_lower", "rate_upper"]].isna().all()


@pytest.mark.parametrize("method", stats.PROPORTION_METHODS)
def test_all_or_nothing_proportions_reach_the_boundary(method):
    frame = stats.proportion_interval([0, 20], [20, 20], method=method)
    assert frame.loc[0, "rate_lower"] == 0.0 and frame.loc[1, "rate_upper"] == 1.0


def test_inversion_gives_the_nhs_orientation_with_exact_reciprocal_limits():
    for method in stats.RATIO_METHODS:
        frame = stats.relative_likelihood([27, 7, 36], [122, 34, 40], [44, 1, 16], [487, 34, 80],
                                          method=method)
        inverted = stats.invert_relative_likelihood(frame)
        assert inverted["numerator"].tolist() == [44, 1, 16]
        assert inverted["relative_likelihood"].to_numpy() == pytest.approx(
            1 / frame["relative_likelihood"].to_numpy())
        assert inverted["rl_lower"].to_numpy() == pytest.approx(
            1 / frame["rl_upper"].to_numpy(), rel=1e-8)
        assert inverted["rl_upper"].to_numpy() == pytest.approx(
            1 / frame["rl_lower"].to_numpy(), rel=1e-8)


def test_inversion_moves_zero_cells_to_the_right_status():
    frame = stats.relative_likelihood([0, 5], [50, 50], [5, 0], [60, 60])
    inverted = stats.invert_relative_likelihood(frame)
    assert inverted["status"].tolist() == ["not_computable: no events in the reference group", "ok"]
    assert inverted.loc[1, "relative_likelihood"] == 0.0


def test_flags_use_inclusive_thresholds_and_leave_not_computable_blank():
    flags = stats.flag_relative_likelihood([0.5, 0.08 / 0.1, 1.0, 1.25, 1.3, np.nan])
    assert flags.tolist() == ["below", "within", "within", "within", "above", ""]
    assert stats.flag_relative_likelihood([0.85], thresholds=(0.9, 1.1)).tolist() == ["below"]


def test_significance_is_a_nullable_boolean():
    result = stats.is_significant([1.2, 0.5, 0.2, np.nan], [2.0, 1.5, 0.9, np.nan])
    assert str(result.dtype) == "boolean"
    assert result.tolist() == [True, False, True, pd.NA]


def test_verdict_words_know_the_adverse_direction():
    disciplinary = get_indicator(3)  # above 1 is adverse
    appointment = get_indicator(2)  # below 1 is adverse
    rl = [2.0, 2.0, 0.5, 1.1, np.nan]
    lower = [1.5, 0.9, 0.3, 0.9, np.nan]
    upper = [2.6, 4.0, 0.8, 1.3, np.nan]
    status = ["ok"] * 4 + ["not_computable: no events in the reference group"]
    assert stats.verdict(rl, lower, upper, disciplinary, status).tolist() == [
        "adverse to minority ethnic staff and significantly different from 1",
        "adverse to minority ethnic staff but not significantly different from 1",
        "favours minority ethnic staff and significantly different from 1",
        "within the 0.80–1.25 range",
        "not computable: no events in the reference group",
    ]
    assert stats.verdict(rl, lower, upper, appointment.adverse, status)[0] == (
        "favours minority ethnic staff and significantly different from 1")
    assert stats.verdict([1.5], [1.2], [1.9], "none").tolist() == [
        "above the 0.80–1.25 range and significantly different from 1"]


def test_verdict_takes_significance_from_the_exact_test_where_there_is_no_ratio():
    status = ["not_computable: no events in the reference group"] * 3 + ["ok"]
    significant = pd.array([True, False, pd.NA, False], dtype="boolean")
    words = stats.verdict([np.nan] * 3 + [2.0], [1.48, 0.9, 1.1, 1.5], [np.nan] * 3 + [2.6],
                          get_indicator(4), status, significant=significant)
    assert words.tolist() == [
        "adverse to minority ethnic staff and significant by the exact test; no ratio: "
        "no events in the reference group",
        "adverse to minority ethnic staff but not significant by the exact test; no ratio: "
        "no events in the reference group",
        "not computable: no events in the reference group",  # no test given: as before
        "adverse to minority ethnic staff but not significantly different from 1",  # given wins
    ]
    below = stats.verdict([np.nan], [2.0], [np.nan], get_indicator(5), status[:1],
                          significant=[True])
    assert below[0].startswith("favours minority ethnic staff and significant by the exact")


def test_change_between_years_is_direction_aware():
    previous = stats.relative_likelihood([10, 10, 10, 0], [500, 500, 500, 500],
                                         [50, 50, 50, 50], [2500, 2500, 2500, 2500])
    current = stats.relative_likelihood([40, 11, 2, 10], [500, 500, 500, 500],
                                        [50, 50, 50, 50], [2500, 2500, 2500, 2500])
    change = stats.change_between_years(current, previous, adverse="above")
    assert change["rl_ratio"].iloc[:3].tolist() == pytest.approx([4.0, 1.1, 0.2])
    # Katz SE of each year's log RL from counts, combined as independent samples.
    se = np.sqrt((1 / 40 - 1 / 500 + 1 / 50 - 1 / 2500) + (1 / 10 - 1 / 500 + 1 / 50 - 1 / 2500))
    assert change.loc[0, "rl_ratio_lower"] == pytest.approx(4.0 * np.exp(-1.959963984540054 * se))
    assert change["change"].tolist() == [
        "worsened", "no significant change", "improved",
        "not computable: no relative likelihood last year",
    ]
    se_1 = np.sqrt((1 / 11 - 1 / 500 + 1 / 50 - 1 / 2500) + (1 / 10 - 1 / 500 + 1 / 50 - 1 / 2500))
    assert change.loc[1, "p_value"] == pytest.approx(2 * norm.sf(np.log(1.1) / se_1))
    assert change.loc[1, "p_value"] == pytest.approx(0.841, abs=1e-3)
    below = stats.change_between_years(current, previous, adverse="below")["change"]
    assert below.tolist()[:3] == ["improved", "no significant change", "worsened"]


def test_change_for_score_methods_uses_the_interval_width():
    previous = stats.relative_likelihood(10, 500, 50, 2500, method="mn")
    current = stats.relative_likelihood(40, 500, 50, 2500, method="mn")
    change = stats.change_between_years(current, previous).iloc[0]
    width = [(np.log(f.rl_upper) - np.log(f.rl_lower)).iloc[0] / (2 * 1.959963984540054)
             for f in (current, previous)]
    expected_upper = 4.0 * np.exp(1.959963984540054 * np.hypot(*width))
    assert change["rl_ratio_upper"] == pytest.approx(expected_upper)
    assert change["change"] == "worsened"


def test_share_difference_is_newcombe_and_matches_statsmodels():
    frame = stats.share_difference([56, 0], [70, 0], [48, 5], [80, 10])
    low, upp = confint_proportions_2indep(56, 70, 48, 80, compare="diff", method="newcomb")
    row = frame.iloc[0]
    assert row["difference"] == pytest.approx(56 / 70 - 48 / 80)
    assert (row["difference_lower"], row["difference_upper"]) == pytest.approx((low, upp))
    # Newcombe 1998 example 1 (56/70 vs 48/80): 0.0524 to 0.3339.
    assert (row["difference_lower"], row["difference_upper"]) == pytest.approx(
        (0.0524, 0.3339), abs=5e-5)
    assert row["ci_method"] == "newcombe"
    assert frame.loc[1, "status"] == "not_computable: no one in the group"
    assert np.isnan(frame.loc[1, "difference"])


def test_unknown_bounds_put_every_unknown_on_one_side():
    frame = stats.unknown_bounds(10, 100, 20, 400, 6, 50)
    row = frame.iloc[0]
    assert row["unknown_rate"] == pytest.approx(0.12)
    assert row["rl_if_unknown_white"] == pytest.approx(0.10 / (26 / 450))
    assert row["rl_if_unknown_minority"] == pytest.approx((16 / 150) / 0.05)
    empty = stats.unknown_bounds(10, 100, 0, 400, 0, 0).iloc[0]
    assert np.isnan(empty["unknown_rate"]) and np.isnan(empty["rl_if_unknown_white"])
