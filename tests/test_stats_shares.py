"""Unknown ethnicity over every allocation, and indicator 9's share difference done exactly.

The range if ethnicity were known is checked against exhaustive enumeration of
every way the unknown staff could be allocated; the senior managers' difference
from the whole workforce against a direct computation, statsmodels' Newcombe
interval, exhaustive coverage and a parametric bootstrap.
"""

from __future__ import annotations

import itertools
import warnings

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy.stats import binom
from statsmodels.stats.proportion import confint_proportions_2indep

from wres import stats

PROPERTY = settings(max_examples=60, deadline=None)


def _ratio(a1: int, m1: int, a0: int, m0: int) -> float:
    """The RL, inf where only the reference group has no events, NaN where it has no meaning."""
    if not m1 or not m0 or (a1 == 0 and a0 == 0):
        return np.nan
    return np.inf if a0 == 0 else (a1 / m1) / (a0 / m0)


def _every_allocation(x1, n1, x0, n0, xu, nu, *, third_group: bool) -> np.ndarray:
    """The RL for every allocation of the unknown events and non-events, by enumeration.

    With ``third_group`` an unknown member may also belong to neither group compared
    (another broad ethnic group), as for an Asian-against-white row.
    """
    values = []
    events, others = xu, nu - xu
    for a_group, a_white in itertools.product(range(events + 1), repeat=2):
        if a_group + a_white > events or (not third_group and a_group + a_white < events):
            continue
        for b_group, b_white in itertools.product(range(others + 1), repeat=2):
            if b_group + b_white > others or (not third_group and b_group + b_white < others):
                continue
            values.append(_ratio(x1 + a_group, n1 + a_group + b_group,
                                 x0 + a_white, n0 + a_white + b_white))
    return np.array(values)


# --- the range if ethnicity were known ----------------------------------------------------------


def test_the_issues_example_range_is_wider_than_the_two_scenarios():
    row = stats.unknown_bounds(20, 310, 15, 610, 5, 40).iloc[0]
    assert (row["rl_if_unknown_white"], row["rl_if_unknown_minority"]) == pytest.approx(
        (2.10, 2.90), abs=0.01)
    assert (row["rl_range_lower"], row["rl_range_upper"]) == pytest.approx((1.78, 3.41),
                                                                           abs=0.005)
    # the extremes: events and non-events of the unknown staff on opposite sides
    assert row["rl_range_lower"] == (20 / 345) / (20 / 615)
    assert row["rl_range_upper"] == (25 / 315) / (15 / 645)


@st.composite
def small_tables(draw) -> tuple[int, ...]:
    n1, n0, nu = draw(st.integers(0, 6)), draw(st.integers(0, 6)), draw(st.integers(0, 5))
    return (draw(st.integers(0, n1)), n1, draw(st.integers(0, n0)), n0,
            draw(st.integers(0, nu)), nu)


@PROPERTY
@given(small_tables(), st.booleans())
def test_the_range_is_the_minimum_and_maximum_over_every_allocation(table, third_group):
    x1, n1, x0, n0, xu, nu = table
    row = stats.unknown_bounds(*table).iloc[0]
    low, high = row["rl_range_lower"], row["rl_range_upper"]
    values = _every_allocation(*table, third_group=third_group)
    values = values[~np.isnan(values)]
    if n1 == 0 or n0 == 0 or values.size == 0 or np.isinf(values.min()):
        # no comparison, or white staff have no events whatever the allocation
        assert np.isnan(low) and np.isnan(high)
        return
    assert low == pytest.approx(values.min(), rel=1e-12)
    if np.isinf(values.max()):  # some allocation leaves white staff with no events
        assert np.isnan(high) and x0 == 0
    else:
        assert high == pytest.approx(values.max(), rel=1e-12)
    for scenario in ("rl_if_unknown_white", "rl_if_unknown_minority"):  # within the range
        if not np.isnan(row[scenario]):
            assert low * (1 - 1e-12) <= row[scenario]
            assert np.isnan(high) or row[scenario] <= high * (1 + 1e-12)


# --- indicator 9: senior managers within the whole workforce --------------------------------


def test_the_nested_difference_equals_the_difference_of_the_two_shares():
    # 6 of 50 senior managers and 150 of 600 staff of known ethnicity are minority ethnic
    row = stats.nested_share_difference(6, 50, 150, 600).iloc[0]
    assert row["share"] == 6 / 50 and row["whole_share"] == 150 / 600
    assert row["rest_share"] == 144 / 550
    assert row["difference"] == pytest.approx(6 / 50 - 150 / 600, abs=1e-15)
    assert row["difference"] == pytest.approx((1 - 50 / 600) * (6 / 50 - 144 / 550),
                                              abs=1e-15)
    assert (row["ci_method"], row["status"]) == ("newcombe-rest", "ok")


@PROPERTY
@given(st.integers(1, 300), st.integers(1, 3000), st.data(),
       st.sampled_from([0.90, 0.95, 0.99]))
def test_the_interval_is_statsmodels_newcombe_for_the_rest_scaled(part, rest, data, level):
    xs = data.draw(st.integers(0, part))
    xr = data.draw(st.integers(0, rest))
    row = stats.nested_share_difference(xs, part, xs + xr, part + rest,
                                        confidence_level=level).iloc[0]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        low, upp = confint_proportions_2indep(xs, part, xr, rest, compare="diff",
                                              method="newcomb", alpha=1 - level)
    factor = rest / (part + rest)
    assert row["difference_lower"] == pytest.approx(factor * low, abs=1e-12)
    assert row["difference_upper"] == pytest.approx(factor * upp, abs=1e-12)
    assert row["difference_lower"] <= row["difference"] <= row["difference_upper"]


def _coverage(part: int, rest: int, p_part: float, p_rest: float, nested: bool) -> float:
    """Exact coverage, summing the probability of every outcome whose interval holds the truth."""
    xs, xr = (a.ravel() for a in np.meshgrid(np.arange(part + 1), np.arange(rest + 1),
                                              indexing="ij"))
    whole = part + rest
    truth = p_part - (part * p_part + rest * p_rest) / whole
    if nested:
        frame = stats.nested_share_difference(xs, part, xs + xr, whole)
    else:  # the old way: senior managers and the whole workforce as independent samples
        frame = stats.share_difference(xs, part, xs + xr, whole)
    covers = ((frame["difference_lower"].to_numpy() <= truth)
              & (truth <= frame["difference_upper"].to_numpy()))
    return float((binom.pmf(xs, part, p_part) * binom.pmf(xr, rest, p_rest) * covers).sum())


@pytest.mark.parametrize(("part", "rest"), [(20, 30), (10, 40), (30, 30), (5, 60)])
@pytest.mark.parametrize(("p_part", "p_rest"), [(0.1, 0.3), (0.3, 0.3), (0.5, 0.2)])
def test_brute_force_coverage_is_near_95_and_the_old_interval_was_too_wide(part, rest, p_part,
                                                                            p_rest):
    nested = _coverage(part, rest, p_part, p_rest, nested=True)
    independent = _coverage(part, rest, p_part, p_rest, nested=False)
    assert 0.94 <= nested <= 0.975
    assert independent > nested  # treating a part and its whole as independent over-covers
    if part / (part + rest) >= 0.4:  # the larger the part, the more the old way over-covered
        assert independent > 0.99


def test_a_parametric_bootstrap_of_the_two_shares_gives_the_same_interval():
    part, rest, xs, xr = 400, 1600, 60, 480  # senior share 15%, rest 30%
    row = stats.nested_share_difference(xs, part, xs + xr, part + rest).iloc[0]
    rng = np.random.default_rng(2024)
    boot_s = rng.binomial(part, xs / part, 40_000)
    boot_r = rng.binomial(rest, xr / rest, 40_000)
    # computed from the shares of senior managers and of the whole workforce directly
    differences = boot_s / part - (boot_s + boot_r) / (part + rest)
    low, high = np.quantile(differences, [0.025, 0.975])
    assert row["difference_lower"] == pytest.approx(low, abs=0.002)
    assert row["difference_upper"] == pytest.approx(high, abs=0.002)


def test_empty_parts_are_not_computable_and_impossible_counts_are_refused():
    frame = stats.nested_share_difference([0, 5], [0, 20], [10, 5], [40, 20])
    assert frame["status"].tolist() == ["not_computable: no one in the group",
                                        "not_computable: no one in the rest"]
    assert frame[["difference", "difference_lower", "difference_upper"]].isna().all().all()
    assert stats.nested_share_difference(5, 10, 6, 30)["status"].iloc[0] == "ok"
    with pytest.raises(ValueError, match="rest"):
        stats.nested_share_difference(2, 10, 25, 30)  # 23 of the other 20
    with pytest.raises(ValueError, match="within the whole"):
        stats.nested_share_difference(5, 10, 4, 30)  # more minority seniors than minority staff
