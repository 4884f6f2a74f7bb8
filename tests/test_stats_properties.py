"""Property tests: wres.stats against scipy and statsmodels on random tables with zero cells."""

from __future__ import annotations

import warnings

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy.stats.contingency import relative_risk
from statsmodels.stats.proportion import confint_proportions_2indep, proportion_confint

from wres import stats

PROPERTY = settings(max_examples=60, deadline=None)
LEVELS = st.sampled_from([0.80, 0.90, 0.95, 0.99])


@st.composite
def group(draw, max_n: int = 400) -> tuple[int, int]:
    """(events, people) with plenty of zeros and all-event groups."""
    n = draw(st.one_of(st.integers(0, 3), st.integers(1, max_n)))
    x = draw(st.one_of(st.sampled_from([0, n]), st.integers(0, n)))
    return x, n


@st.composite
def tables(draw, size: int = 12) -> np.ndarray:
    """Rows of (x1, n1, x0, n0) as a (4, size) integer array."""
    rows = [(*draw(group()), *draw(group())) for _ in range(size)]
    return np.array(rows, dtype=np.int64).T


def _sm_ratio(x1, n1, x0, n0, level, correction):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return confint_proportions_2indep(
            x1, n1, x0, n0, compare="ratio", method="score", correction=correction,
            alpha=1 - level,
        )


@PROPERTY
@given(tables(), LEVELS, st.sampled_from(stats.RATIO_METHODS))
def test_every_row_has_a_status_and_no_infinity(table, level, method):
    frame = stats.relative_likelihood(*table, method=method, confidence_level=level)
    figures = frame[["relative_likelihood", "rl_lower", "rl_upper"]].to_numpy()
    ok = (frame["status"] == "ok").to_numpy()
    assert not np.isinf(figures).any()
    assert np.isfinite(figures[ok]).all()
    assert np.isnan(figures[~ok]).all()
    assert frame.loc[~ok, "status"].str.startswith("not_computable: ").all()
    x1, n1, x0, n0 = table
    assert (ok == ((n1 > 0) & (n0 > 0) & (x0 > 0))).all()


@PROPERTY
@given(tables(), LEVELS, st.sampled_from(stats.RATIO_METHODS))
def test_interval_contains_the_estimate(table, level, method):
    frame = stats.relative_likelihood(*table, method=method, confidence_level=level)
    ok = frame[frame["status"] == "ok"]
    tolerance = 1e-9 * ok["relative_likelihood"]
    assert (ok["rl_lower"] <= ok["relative_likelihood"] + tolerance).all()
    assert (ok["relative_likelihood"] <= ok["rl_upper"] + tolerance).all()
    assert (ok["rl_lower"] >= 0).all()


@PROPERTY
@given(tables(), LEVELS)
def test_katz_equals_scipy_relative_risk(table, level):
    frame = stats.relative_likelihood(*table, confidence_level=level)
    for (x1, n1, x0, n0), row in zip(table.T, frame.itertuples(), strict=True):
        if min(x1, x0, n1, n0) == 0:
            continue
        expected = relative_risk(x1, n1, x0, n0)
        ci = expected.confidence_interval(level)
        assert row.relative_likelihood == pytest.approx(expected.relative_risk, rel=1e-12)
        assert (row.rl_lower, row.rl_upper) == pytest.approx((ci.low, ci.high), rel=1e-10)


@PROPERTY
@given(tables(), LEVELS, st.sampled_from(["koopman-score", "miettinen-nurminen"]))
def test_score_methods_equal_statsmodels(table, level, method):
    frame = stats.relative_likelihood(*table, method=method, confidence_level=level)
    for (x1, n1, x0, n0), row in zip(table.T, frame.itertuples(), strict=True):
        # statsmodels' cubic can pick the wrong root when everyone in a group had the
        # event; those tables are checked against a direct oracle in test_stats.py.
        # statsmodels itself is only good to about 1e-7 when a group has one member.
        if row.status != "ok" or x0 == n0 or x1 == n1:
            continue
        low, upp = _sm_ratio(x1, n1, x0, n0, level, method == "miettinen-nurminen")
        assert row.rl_upper == pytest.approx(float(np.real(upp)), rel=1e-6)
        if x1 > 0:
            assert row.rl_lower == pytest.approx(float(np.real(low)), rel=1e-6)
        else:
            assert row.rl_lower == 0.0 and float(np.real(low)) == pytest.approx(0.0, abs=1e-6)


@PROPERTY
@given(tables(), LEVELS, st.sampled_from(stats.RATIO_METHODS))
def test_swapping_the_groups_inverts_the_interval_exactly(table, level, method):
    x1, n1, x0, n0 = table
    frame = stats.relative_likelihood(x1, n1, x0, n0, method=method, confidence_level=level)
    swapped = stats.relative_likelihood(x0, n0, x1, n1, method=method, confidence_level=level)
    both = ((frame["status"] == "ok") & (x1 > 0)).to_numpy()
    assert swapped["relative_likelihood"][both].to_numpy() == pytest.approx(
        1 / frame["relative_likelihood"][both].to_numpy(), rel=1e-12)
    assert swapped["rl_lower"][both].to_numpy() == pytest.approx(
        1 / frame["rl_upper"][both].to_numpy(), rel=1e-8)
    assert swapped["rl_upper"][both].to_numpy() == pytest.approx(
        1 / frame["rl_lower"][both].to_numpy(), rel=1e-8)
    inverted = stats.invert_relative_likelihood(frame)
    assert inverted["status"].tolist() == swapped["status"].tolist()
    np.testing.assert_allclose(inverted["rl_upper"], swapped["rl_upper"], rtol=1e-12)


@PROPERTY
@given(st.lists(group(max_n=2000), min_size=1, max_size=15), LEVELS,
       st.sampled_from(stats.PROPORTION_METHODS))
def test_proportions_equal_statsmodels_and_stay_in_range(groups, level, method):
    x, n = np.array(groups, dtype=np.int64).T
    frame = stats.proportion_interval(x, n, method=method, confidence_level=level)
    full = n > 0
    assert frame.loc[~full, ["rate", "rate_lower", "rate_upper"]].isna().all(axis=None)
    got = frame[full]
    assert ((got["rate_lower"] >= 0) & (got["rate_upper"] <= 1)).all()
    assert ((got["rate_lower"] <= got["rate"]) & (got["rate"] <= got["rate_upper"])).all()
    sm_method = {"clopper-pearson": "beta"}.get(method, method)
    low, upp = proportion_confint(x[full], n[full], alpha=1 - level, method=sm_method)
    # Jeffreys: 0 and 1 at the boundaries (Brown, Cai, DasGupta); statsmodels does not.
    inside = (x[full] > 0) & (x[full] < n[full]) if method == "jeffreys" else slice(None)
    np.testing.assert_allclose(got["rate_lower"].to_numpy()[inside], np.asarray(low)[inside],
                               rtol=1e-9, atol=1e-12)
    np.testing.assert_allclose(got["rate_upper"].to_numpy()[inside], np.asarray(upp)[inside],
                               rtol=1e-9, atol=1e-12)


@PROPERTY
@given(st.lists(st.tuples(group(), group()), min_size=1, max_size=10), LEVELS)
def test_share_difference_equals_statsmodels_newcombe(pairs, level):
    x1, n1, x2, n2 = np.array([(*a, *b) for a, b in pairs], dtype=np.int64).T
    frame = stats.share_difference(x1, n1, x2, n2, confidence_level=level)
    full = (n1 > 0) & (n2 > 0)
    assert (frame.loc[~full, "status"] != "ok").all()
    if full.any():
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            low, upp = confint_proportions_2indep(x1[full], n1[full], x2[full], n2[full],
                                                  compare="diff", method="newcomb",
                                                  alpha=1 - level)
        np.testing.assert_allclose(frame.loc[full, "difference_lower"], low, atol=1e-12)
        np.testing.assert_allclose(frame.loc[full, "difference_upper"], upp, atol=1e-12)
