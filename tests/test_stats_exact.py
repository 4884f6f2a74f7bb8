"""Fisher's exact test for every row, and p-values adjusted for many comparisons.

Checked against scipy's `fisher_exact` (one table at a time) and statsmodels'
`multipletests` (one family at a time), on random tables with zero cells.
"""

from __future__ import annotations

import gc
import warnings

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy.stats import fisher_exact, norm
from statsmodels.stats.multitest import multipletests
from statsmodels.stats.proportion import confint_proportions_2indep

from wres import stats
from wres.stats.ratio_intervals import score_statistic

PROPERTY = settings(max_examples=80, deadline=None)


def _scipy(x1, n1, x0, n0) -> np.ndarray:
    return np.array([fisher_exact([[a, b - a], [c, d - c]]).pvalue
                     for a, b, c, d in zip(x1, n1, x0, n0, strict=True)])


@st.composite
def tables(draw, max_n: int = 300) -> np.ndarray:
    """Rows of (x1, n1, x0, n0), with empty groups, no events and all events."""
    rows = []
    for _ in range(draw(st.integers(1, 15))):
        n1, n0 = (draw(st.one_of(st.integers(0, 3), st.integers(1, max_n))) for _ in range(2))
        x1 = draw(st.one_of(st.sampled_from([0, n1]), st.integers(0, n1)))
        x0 = draw(st.one_of(st.sampled_from([0, n0]), st.integers(0, n0)))
        rows.append((x1, n1, x0, n0))
    return np.array(rows, dtype=np.int64).T


# --- Fisher's exact test --------------------------------------------------------------------


def test_the_issues_example_no_white_staff_referred_gives_p_0_015():
    # Marrowfield 2022, fitness to practise, all services: 9 of 536 against 0 of 336
    row = stats.exact_test(9, 536, 0, 336).iloc[0]
    assert row["p_value"] == pytest.approx(0.014955, abs=5e-7)
    assert row["p_value"] == fisher_exact([[9, 527], [0, 336]]).pvalue
    assert row["test_method"] == "fisher-exact"


@PROPERTY
@given(tables())
def test_every_p_value_is_scipys_fisher_exact(table):
    got = stats.fisher_exact_p_value(*table)
    np.testing.assert_allclose(got, _scipy(*table), rtol=1e-12, atol=1e-300)


@PROPERTY
@given(st.integers(1, 400), st.data())
def test_mirror_tables_of_equal_groups_tie_as_scipy_says(size, data):
    # equal groups: the table and its mirror are exactly as probable, the case where
    # "as probable or less" needs scipy's relative tolerance to count both tails
    events = data.draw(st.integers(0, 2 * size))
    x1 = data.draw(st.integers(max(0, events - size), min(events, size)))
    table = np.array([[x1], [size], [events - x1], [size]])
    assert stats.fisher_exact_p_value(*table)[0] == _scipy(*table)[0]


def test_large_counts_agree_with_scipy_to_the_last_digit():
    rng = np.random.default_rng(11)
    n1, n0 = rng.integers(100, 20_000, 300), rng.integers(100, 20_000, 300)
    x1, x0 = rng.binomial(n1, 0.05), rng.binomial(n0, 0.04)
    np.testing.assert_array_equal(stats.fisher_exact_p_value(x1, n1, x0, n0),
                                  _scipy(x1, n1, x0, n0))


def test_empty_rows_and_columns_give_1_as_in_scipy():
    table = ([0, 0, 5, 4], [10, 0, 5, 9], [0, 3, 7, 0], [20, 10, 7, 0])
    assert stats.fisher_exact_p_value(*table).tolist() == [1.0, 1.0, 1.0, 1.0]
    assert _scipy(*table).tolist() == [1.0, 1.0, 1.0, 1.0]


def test_exact_test_is_a_tidy_frame_indexed_like_its_input():
    counts = pd.DataFrame({"x1": [20, 9], "n1": [310, 536], "x0": [15, 0], "n0": [610, 336]},
                          index=["disciplinary", "fitness"])
    frame = stats.exact_test(counts["x1"], counts["n1"], counts["x0"], counts["n0"])
    assert list(frame.index) == ["disciplinary", "fitness"]
    assert list(frame.columns) == ["p_value", "test_method"]
    assert frame.loc["disciplinary", "p_value"] == fisher_exact([[20, 290], [15, 595]]).pvalue
    with pytest.raises(ValueError, match="exceeds denominator"):
        stats.exact_test(5, 4, 1, 10)
    with pytest.raises(ValueError, match="whole-number counts"):
        stats.exact_test(2.5, 10, 1, 10)


# --- the lower limit where white staff have no events -----------------------------------------


@PROPERTY
@given(st.integers(1, 60), st.integers(1, 800), st.integers(1, 800),
       st.sampled_from([0.90, 0.95, 0.99]))
def test_no_reference_events_lower_limit_is_statsmodels_score_interval(x1, n1, n0, level):
    x1 = min(x1, n1)
    z = norm.isf((1 - level) / 2)
    for method, correction in (("miettinen-nurminen", True), ("koopman-score", False)):
        row = stats.relative_likelihood(x1, n1, 0, n0, method=method,
                                        confidence_level=level).iloc[0]
        assert np.isnan(row["rl_upper"]) and row["rl_lower"] > 0
        # the limit is where the score statistic crosses the critical value
        n = n1 + n0
        statistic = score_statistic(np.log([row["rl_lower"]]), np.array([x1]), np.array([n1]),
                                    np.array([0]), np.array([n0]),
                                    np.array([n / (n - 1) if correction else 1.0]))
        assert statistic[0] == pytest.approx(z, abs=1e-8)
        if n1 - x1 <= 3:
            # statsmodels' closed form picks the wrong root when (nearly) every one of the
            # group had the event (e.g. 1 of 1: 2.0, where the statistic is 0.71, not z);
            # see test_stats_properties._STATSMODELS_NEAR_ALL
            continue
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            low, upp = confint_proportions_2indep(x1, n1, 0, n0, compare="ratio",
                                                  method="score", correction=correction,
                                                  alpha=1 - level)
        assert np.isinf(upp)
        assert row["rl_lower"] == pytest.approx(low, rel=1e-6)


# --- many comparisons -------------------------------------------------------------------------


def test_expected_by_chance_is_the_number_of_comparisons_times_the_error_rate():
    assert stats.expected_by_chance(118, 0.95) == pytest.approx(5.9)
    assert stats.expected_by_chance(15, 0.99) == pytest.approx(0.15)
    with pytest.raises(ValueError, match="confidence_level"):
        stats.expected_by_chance(10, 95)


@PROPERTY
@given(st.lists(st.tuples(st.integers(0, 3),
                          st.one_of(st.just(np.nan), st.floats(0, 1))), min_size=1, max_size=40),
       st.sampled_from(["holm", "fdr_bh"]), st.sampled_from([0.90, 0.95, 0.99]))
def test_each_family_is_adjusted_as_statsmodels_multipletests_says(rows, method, level):
    families = np.array([f for f, _ in rows])
    p = np.array([v for _, v in rows], dtype=float)
    got = stats.adjust_p_values(p, families, method=method, confidence_level=level)
    assert (got["adjust"] == method).all()
    tested = ~np.isnan(p)
    assert got.loc[~tested, "significant"].isna().all()
    assert got.loc[~tested, "p_adjusted"].isna().all()
    for family in np.unique(families):
        rows_of = np.flatnonzero((families == family) & tested)
        if rows_of.size == 0:
            continue
        gc.freeze()  # statsmodels' Holm collects garbage on every call (wres.stats.multiple)
        try:
            reject, corrected, _, _ = multipletests(p[rows_of], alpha=1 - level, method=method)
        finally:
            gc.unfreeze()
        np.testing.assert_allclose(got["p_adjusted"].to_numpy()[rows_of], corrected)
        assert got["significant"].to_numpy()[rows_of].tolist() == reject.tolist()


def test_without_an_adjustment_significance_is_p_at_most_alpha():
    got = stats.adjust_p_values(pd.Series([0.01, 0.05, 0.2, np.nan], index=list("abcd")))
    assert list(got.index) == list("abcd")
    assert got["significant"].tolist() == [True, True, False, pd.NA]
    assert got["p_adjusted"].isna().all() and (got["adjust"] == "none").all()
    with pytest.raises(ValueError, match="expected one of none, holm, fdr_bh"):
        stats.adjust_p_values([0.01], method="bonferroni")


def test_holm_in_one_family_of_four():
    got = stats.adjust_p_values([0.01, 0.04, 0.03, 0.5], method="Holm")
    assert got["p_adjusted"].tolist() == pytest.approx([0.04, 0.09, 0.09, 0.5])
    assert got["significant"].tolist() == [True, False, False, False]
