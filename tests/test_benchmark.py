"""Funnel limits, overdispersion and positions: specification by worked examples.

Peer checks: FunnelPlotR's overdispersion ratio and PHEindicatormethods' proportion
funnel limits, from copies of ``shared/reference/peers/`` kept in ``tests/data/reference/peers``
(a test checks the copies are current where ``shared/`` sits beside the checkout).
"""

from __future__ import annotations

import math
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy import integrate, stats
from simulation import simulate_authorities
from statsmodels.stats.proportion import proportion_confint, score_test_proportions_2indep

from wres.analysis.benchmark import benchmark_relative_likelihoods
from wres.stats.funnel import (
    ADJUSTED,
    UNADJUSTED,
    dersimonian_laird_tau2,
    funnel_curve,
    funnel_limits,
    funnel_positions,
    level_suffix,
    overdispersion,
    position_from_z,
    truncated,
    winsorised_normal_second_moment,
    winsorised_overdispersion,
)
from wres.stats.funnel_ratios import (
    conditional_moments,
    deviate_at,
    null_z,
    reference_limits,
    restricted_rates,
    rl_limits,
    skew_corrected_z,
    standardised_ratio_z,
)

Z95, Z998 = 1.959964, 3.090232
PEERS = Path(__file__).resolve().parent / "data" / "reference" / "peers"
SHARED_PEERS = Path(__file__).resolve().parents[2] / "shared" / "reference" / "peers"
PEER_FILES = ["README.md", "funnelplotr_phi_example.csv",
              "pheindicatormethods_funnel_prop_inputs.csv",
              "pheindicatormethods_funnel_prop_outputs.csv"]


# --- control limits ------------------------------------------------------------------


def test_proportion_limits_normal_approximation_by_hand():
    # p0 = 0.2, n = 100: se = sqrt(0.2 * 0.8 / 100) = 0.04
    # 95%:   0.2 -+ 1.959964 * 0.04 = 0.2 -+ 0.07839856 -> 0.12160144, 0.27839856
    # 99.8%: 0.2 -+ 3.090232 * 0.04 = 0.2 -+ 0.12360928 -> 0.07639072, 0.32360928
    # n = 400: se = 0.02, 95%: 0.2 -+ 0.03919928 -> 0.16080072, 0.23919928
    limits = funnel_limits([100, 400], 0.2, kind="proportion")
    assert limits["se"].tolist() == pytest.approx([0.04, 0.02])
    assert limits["precision"].tolist() == pytest.approx([625.0, 2500.0])
    assert limits["lower_95"].tolist() == pytest.approx([0.12160144, 0.16080072], abs=1e-6)
    assert limits["upper_95"].tolist() == pytest.approx([0.27839856, 0.23919928], abs=1e-6)
    assert limits.loc[0, "lower_998"] == pytest.approx(0.07639072, abs=1e-6)
    assert limits.loc[0, "upper_998"] == pytest.approx(0.32360928, abs=1e-6)


def test_proportion_limits_exact_binomial_interpolated_by_hand():
    # Binomial(100, 0.2): F(11) = 0.0125749, F(12) = 0.0253288, so the 2.5% quantile is r = 12
    # alpha = (0.0253288 - 0.025) / (0.0253288 - 0.0125749) = 0.025781; limit = (12 - alpha)/100
    # F(27) = 0.9658484, F(28) = 0.9799798, so the 97.5% quantile is r = 28
    # alpha = (0.9799798 - 0.975) / (0.9799798 - 0.9658484) = 0.352391; limit = (28 - alpha)/100
    limits = funnel_limits([100], 0.2, method="exact", levels=(0.95,))
    assert limits.loc[0, "lower_95"] == pytest.approx(0.11974219, abs=1e-6)
    assert limits.loc[0, "upper_95"] == pytest.approx(0.27647609, abs=1e-6)
    assert limits.loc[0, "method"] == "exact"


def test_exact_binomial_limits_approach_normal_ones_for_large_denominators():
    exact = funnel_limits([100_000], 0.2, method="exact")
    normal = funnel_limits([100_000], 0.2)
    for col in ("lower_95", "upper_95", "lower_998", "upper_998"):
        assert exact.loc[0, col] == pytest.approx(normal.loc[0, col], abs=2e-4)


def test_proportion_limits_widened_by_tau2_by_hand():
    # sqrt(0.04**2 + 0.0009) = sqrt(0.0025) = 0.05; 0.2 -+ 1.959964 * 0.05 = 0.2 -+ 0.0979982
    limits = funnel_limits([100], 0.2, tau2=0.0009)
    assert limits.loc[0, "lower_95"] == pytest.approx(0.1020018, abs=1e-6)
    assert limits.loc[0, "upper_95"] == pytest.approx(0.2979982, abs=1e-6)


def test_log_ratio_limits_by_hand_on_both_scales():
    # target RL 1.5: log 1.5 = 0.4054651; se = 0.25: 0.4054651 -+ 1.959964 * 0.25 = -+ 0.489991
    # -> log limits -0.0845259, 0.8954561 -> RL limits exp(.) = 0.9189482, 2.4484522
    limits = funnel_limits([0.25], 1.5, kind="log_ratio")
    assert limits.loc[0, "log_lower_95"] == pytest.approx(-0.0845259, abs=1e-6)
    assert limits.loc[0, "log_upper_95"] == pytest.approx(0.8954561, abs=1e-6)
    assert limits.loc[0, "lower_95"] == pytest.approx(math.exp(-0.0845259), abs=1e-6)
    assert limits.loc[0, "upper_95"] == pytest.approx(math.exp(0.8954561), abs=1e-6)
    assert limits.loc[0, "precision"] == pytest.approx(16.0)
    # 99.8%: 0.4054651 -+ 3.090232 * 0.25 = -+ 0.772558 -> exp(1.1780231) = 3.2479463
    assert limits.loc[0, "upper_998"] == pytest.approx(math.exp(1.1780231), abs=1e-6)


def test_log_ratio_limits_with_tau2_by_hand():
    # sqrt(0.25**2 + 0.0975) = sqrt(0.16) = 0.4; 0.4054651 -+ 1.959964 * 0.4 = -+ 0.7839856
    limits = funnel_limits([0.25], 1.5, kind="log_ratio", tau2=0.0975)
    assert limits.loc[0, "lower_95"] == pytest.approx(math.exp(0.4054651 - 0.7839856), abs=1e-6)
    assert limits.loc[0, "upper_95"] == pytest.approx(math.exp(0.4054651 + 0.7839856), abs=1e-6)


@pytest.mark.parametrize(
    ("args", "kwargs"),
    [
        (([100], 1.2), {}),
        (([100], 0.2), {"method": "exact", "tau2": 0.01}),
        (([0.2], -0.1), {"kind": "log_ratio"}),
        (([0.0], 1.2), {"kind": "log_ratio"}),
        (([100], 0.2), {"tau2": -0.1}),
        (([100], 0.2), {"kind": "odds"}),
    ],
)
def test_funnel_limits_refuses_impossible_inputs(args, kwargs):
    with pytest.raises(ValueError):
        funnel_limits(*args, **kwargs)


def test_funnel_curve_narrows_with_precision_and_matches_limits_at_the_ends():
    curve = funnel_curve(1.2, (0.05, 1.0), tau2=0.02, points=50)
    assert len(curve) == 50
    width = curve["upper_998"] - curve["lower_998"]
    assert np.all(np.diff(width) > 0)
    end = funnel_limits([1.0], 1.2, kind="log_ratio", tau2=0.02)
    assert curve["upper_95"].iloc[-1] == pytest.approx(end.loc[0, "upper_95"])


# --- peer checks ------------------------------------------------------------------------


@pytest.mark.skipif(not SHARED_PEERS.is_dir(), reason="shared/ is not beside this checkout")
@pytest.mark.parametrize("name", PEER_FILES)
def test_the_peer_copies_match_shared(name: str) -> None:
    assert (PEERS / name).read_bytes() == (SHARED_PEERS / name).read_bytes()


def test_funnelplotr_overdispersion_ratio_on_its_six_unit_example() -> None:
    # FunnelPlotR, indirectly standardised ratio, SHMI method: z = sqrt(E) log(O/E), 10%
    # truncation (nothing truncated at six units), phi = mean of the squared z-scores.
    units = pd.read_csv(PEERS / "funnelplotr_phi_example.csv")
    observed, expected = units["numerator"], units["denominator"]
    z, se = standardised_ratio_z(observed, expected, method="shmi")
    result = overdispersion(z, se, trimming="truncate")
    assert result.used == 6
    assert result.phi == pytest.approx(2.948033, abs=5e-7)
    # I*phi = 17.688 > I - 1 = 5: DerSimonian-Laird with w = E (sum 800, sum of squares 118858)
    assert result.overdispersed
    assert result.tau2 == pytest.approx((6 * result.phi - 5) / (800 - 118858 / 800))
    assert result.tau2 == pytest.approx(0.0194776, abs=1e-7)


def _phe() -> tuple[pd.DataFrame, pd.DataFrame, float]:
    inputs = pd.read_csv(PEERS / "pheindicatormethods_funnel_prop_inputs.csv")
    outputs = pd.read_csv(PEERS / "pheindicatormethods_funnel_prop_outputs.csv")
    return inputs, outputs, inputs["numerator"].sum() / inputs["denominator"].sum()


@pytest.mark.parametrize(("column", "level", "side"), [
    ("Lower2s0025limit", 0.95, "lower"), ("Upper2s0025limit", 0.95, "upper"),
    ("Lower3s0001limit", 0.998, "lower"), ("Upper3s0001limit", 0.998, "upper")])
def test_phe_proportion_funnel_limits_at_every_population(column, level, side) -> None:
    inputs, outputs, baseline = _phe()
    assert 100 * baseline == pytest.approx(outputs["Baseline"].iloc[0], abs=5e-7)
    limits = funnel_limits(outputs["Population"], baseline, levels=(level,))
    got = 100 * limits[f"{side}_{level_suffix(level)}"].to_numpy()
    assert got == pytest.approx(outputs[column].to_numpy(), abs=5e-7)
    assert len(got) == 100


def test_phe_limits_are_proportions_whose_wilson_interval_reaches_the_baseline() -> None:
    _, outputs, baseline = _phe()
    n = outputs["Population"].to_numpy(dtype=float)
    limits = funnel_limits(n, baseline, levels=(0.95,))
    upper = limits["upper_95"].to_numpy()
    inside = upper < 1
    lower, _ = proportion_confint(upper[inside] * n[inside], n[inside], alpha=0.05,
                                  method="wilson")
    assert inside.sum() > 80
    assert lower == pytest.approx(np.full(inside.sum(), baseline), abs=1e-12)


def test_phe_significance_of_every_area_is_reproduced() -> None:
    inputs, _, baseline = _phe()
    placed = funnel_positions(inputs.assign(p=inputs["numerator"] / inputs["denominator"]),
                              baseline, kind="proportion", estimate="p", size="denominator")
    words = {"within limits": "Not significant", "above 95% limit": "High (0.025)",
             "above 99.8% limit": "High (0.001)", "below 95% limit": "Low (0.025)",
             "below 99.8% limit": "Low (0.001)"}
    assert placed["position"].map(words).tolist() == inputs["significance"].tolist()


# --- overdispersion --------------------------------------------------------------------


def test_winsorised_normal_second_moment_matches_numerical_integration():
    c = stats.norm.ppf(0.9)
    inner, _ = integrate.quad(lambda z: z**2 * stats.norm.pdf(z), -c, c)
    expected = inner + 2 * 0.1 * c**2
    assert winsorised_normal_second_moment(0.10) == pytest.approx(expected, rel=1e-8)
    assert winsorised_normal_second_moment(0.10) == pytest.approx(0.6787, abs=1e-4)
    assert winsorised_normal_second_moment(0.0) == 1.0


def test_dersimonian_laird_tau2_by_hand():
    # se 0.5, 0.5, 1 -> w = 4, 4, 1; sum w = 9, sum w^2 = 33; 9 - 33/9 = 5.333333
    # phi = 2: (3 * 2 - 2) / 5.333333 = 0.75
    assert dersimonian_laird_tau2(2.0, [0.5, 0.5, 1.0]) == pytest.approx(0.75)
    # 3 * 0.5 = 1.5 < 2 = I - 1: no between-authority variance
    assert dersimonian_laird_tau2(0.5, [0.5, 0.5, 1.0]) == 0.0


def test_published_overdispersion_by_hand_and_the_corrected_variant():
    # z = -3, -1, -0.5, 0, 0.5, 1, 1.5, 2, 2.5, 6 (se = 1, target = 0)
    # 10th percentile: -3 + 0.9 * 2 = -1.2; 90th: 2.5 + 0.1 * 3.5 = 2.85
    # squares 1.44 + 1 + 0.25 + 0 + 0.25 + 1 + 2.25 + 4 + 6.25 + 8.1225 = 24.5625; phi = 2.45625
    # tau2 = (24.5625 - 9) / (10 - 10/10) = 1.7291667
    z = np.array([-3, -1, -0.5, 0, 0.5, 1, 1.5, 2, 2.5, 6])
    result = winsorised_overdispersion(z, np.ones(10), 0.0)
    assert result.method == "spiegelhalter"
    assert result.phi == pytest.approx(2.45625)
    assert result.chi2 == pytest.approx(24.5625)
    assert result.df == 9
    assert result.p_value == pytest.approx(stats.chi2.sf(24.5625, 9))
    assert result.overdispersed
    assert result.tau2 == pytest.approx(1.7291667, abs=1e-6)
    corrected = winsorised_overdispersion(z, np.ones(10), 0.0, consistency=True)
    assert corrected.phi == pytest.approx(2.45625 / winsorised_normal_second_moment(0.10))
    assert overdispersion(z, np.ones(10), method="corrected").phi == corrected.phi


def test_published_rule_widens_whenever_i_phi_exceeds_i_minus_1_the_corrected_one_needs_p():
    # phi = 1.02: 10 * 1.02 = 10.2 > 9, chi-squared p = 0.42
    z = np.array([-1.01] * 5 + [1.01] * 5)
    published = overdispersion(z, np.ones(10))
    assert published.phi == pytest.approx(1.0201)
    assert published.overdispersed and published.tau2 == pytest.approx((10.201 - 9) / 9)
    corrected = overdispersion(z, np.ones(10), method="corrected")
    assert corrected.p_value > 0.05 and not corrected.overdispersed and corrected.tau2 == 0


def test_truncation_drops_the_lowest_and_highest_tenth_as_shmi_does():
    # 20 z-scores 1..20: groups floor(rank * 10 / 21); ranks 1, 2 (group 0) and 19, 20
    # (group 9) are dropped; phi = (3^2 + ... + 18^2) / 16 = 2104 / 16 = 131.5
    z = np.arange(1.0, 21.0)
    assert truncated(z, 0.1).tolist() == list(range(3, 19))
    result = overdispersion(z, np.ones(20), trimming="truncate")
    assert result.phi == pytest.approx(131.5) and result.used == 16 and result.n == 20


def test_no_random_effects_when_dispersion_is_as_expected():
    z = np.array([-1.5, -1, -0.5, -0.2, 0, 0.2, 0.5, 1, 1.5, 0.1])
    for method in ("spiegelhalter", "corrected"):
        result = overdispersion(z, np.ones(10), method=method)
        assert not result.overdispersed
        assert result.tau2 == 0.0


def test_overdispersion_rejects_bad_input():
    with pytest.raises(ValueError, match="differ in length"):
        winsorised_overdispersion([0.1, 0.2], [0.1], 0.0)
    with pytest.raises(ValueError, match="positive"):
        winsorised_overdispersion([0.1, 0.2], [0.1, 0.0], 0.0)
    with pytest.raises(ValueError, match="method"):
        overdispersion([0.1, 0.2], [0.1, 0.1], method="cqc")


def _tau2(seed: int, tau: float, method: str) -> float:
    results = simulate_authorities(150, tau=tau, seed=seed)
    return float(benchmark_relative_likelihoods(results, overdispersion=method)["tau2"].iloc[0])


def test_corrected_tau2_recovers_known_between_authority_variance_on_150_authorities():
    # true tau = 0.3 on the log RL scale, so tau2 = 0.09
    estimates = [_tau2(seed, 0.3, "corrected") for seed in range(20)]
    assert np.mean(estimates) == pytest.approx(0.09, rel=0.20)
    assert _tau2(2024, 0.3, "corrected") == pytest.approx(0.09, rel=0.20)


def test_published_tau2_is_about_four_tenths_of_the_truth_as_spiegelhalter_notes():
    # Winsorised z-scores have a mean square of 0.679 under the null, so the uncorrected
    # phi and tau2 understate; measured 0.42 of the truth over 20 seeds.
    estimates = [_tau2(seed, 0.3, "spiegelhalter") for seed in range(20)]
    assert 0.35 < np.mean(estimates) / 0.09 < 0.50


def test_tau2_is_zero_without_overdispersion():
    published = [_tau2(seed, 0.0, "spiegelhalter") == 0.0 for seed in range(20)]
    corrected = [_tau2(seed, 0.0, "corrected") == 0.0 for seed in range(20)]
    assert all(published) and np.mean(corrected) > 0.5


# --- z-scores under the national value -------------------------------------------------------


@pytest.mark.parametrize("counts", [(9, 536, 0, 336), (0, 100, 10, 400), (20, 300, 60, 900),
                                    (5, 10, 10, 10)])
def test_restricted_rates_match_statsmodels_score_test(counts) -> None:
    result = score_test_proportions_2indep(*counts, value=1.5, compare="ratio",
                                           return_results=True)
    p1, p0 = restricted_rates(*counts, 1.5)
    assert p1 == pytest.approx(result.prop1_null, rel=1e-9)
    assert p0 == pytest.approx(result.prop2_null, rel=1e-9)


def test_conditional_moments_match_scipy() -> None:
    n1, n0, events, odds = [100, 536, 10, 300], [400, 336, 10, 900], [10, 9, 15, 80], [
        1.5, 1.2, 3.0, 0.7]
    mean, variance, skewness = conditional_moments(n1, n0, events, odds)
    m, v, s = stats.nchypergeom_fisher.stats(np.add(n1, n0), n1, events, odds, moments="mvs")
    assert mean == pytest.approx(m, rel=1e-9)
    assert variance == pytest.approx(v, rel=1e-8)
    assert skewness == pytest.approx(s, rel=1e-7)
    none, alone, _ = conditional_moments([5, 5], [5, 5], [0, 10], [1.2, 1.2])
    assert none.tolist() == [0.0, 5.0] and alone.tolist() == [0.0, 0.0]


def test_no_white_events_gives_a_z_score_from_the_null_distribution() -> None:
    # Marrowfield 2022, fitness to practise: 9 of 536 minority ethnic staff, 0 of 336 white.
    # Against a national RL of 1.5 the 9 events split under the null like Fisher's
    # noncentral hypergeometric with odds 1.5 (1 - p0) / (1 - 1.5 p0), p0 the restricted MLE.
    tested = null_z(9, 536, 0, 336, 1.5).iloc[0]
    p0 = score_test_proportions_2indep(9, 536, 0, 336, value=1.5, compare="ratio",
                                       return_results=True).prop2_null
    law = stats.nchypergeom_fisher(872, 536, 9, 1.5 * (1 - p0) / (1 - 1.5 * p0))
    mean, variance, skewness = law.stats(moments="mvs")
    assert tested["expected"] == pytest.approx(mean)
    deviate = (9 - mean) / math.sqrt(variance)
    assert tested["z"] + skewness * (tested["z"] ** 2 - 1) / 6 == pytest.approx(deviate)
    assert tested["z"] == pytest.approx(2.1195, abs=1e-4)
    # the one-sided mid-p value P(O > 9) + P(O = 9) / 2 agrees that this is beyond the 95%
    # limit; the exact P(O >= 9) = 0.043 could never pass it (9 is every event there was)
    assert law.sf(9) + law.pmf(9) / 2 == pytest.approx(0.0213, abs=1e-4)
    assert position_from_z([tested["z"]])[0] == "above 95% limit"


def test_no_minority_events_are_below_the_limit_only_when_many_were_expected() -> None:
    # 0 minority events where 2.73 were expected: P(O = 0) = 0.040 (mid-p 0.020), below the
    # 95% limit; 0 where 0.35 were expected (P(O = 0) = 0.69) is within the limits
    tested = null_z([0, 0], [100, 20], [10, 5], [400, 400], 1.5)
    assert tested["expected"].tolist() == pytest.approx([2.729027, 0.349213], abs=1e-6)
    assert position_from_z(tested["z"]).tolist() == ["below 95% limit", "within limits"]


@settings(max_examples=60, deadline=None)
@given(st.integers(0, 40), st.integers(41, 400), st.integers(0, 60), st.integers(61, 900),
       st.floats(0.3, 3.0))
def test_an_rl_is_beyond_its_own_limit_exactly_when_its_z_score_is(x1, n1, x0, n0, national):
    tested = null_z(x1, n1, x0, n0, national)
    if np.isnan(tested["z"].iloc[0]):
        assert x1 + x0 == 0
        return
    limits = rl_limits(tested, [n1], [n0], levels=(0.95, 0.998), tau2=0.04).iloc[0]
    with np.errstate(divide="ignore", invalid="ignore"):
        rl = (x1 / n1) / (x0 / n0) if x0 else math.inf
    z = tested["z"].iloc[0] / math.sqrt(1 + 0.04 / tested["se"].iloc[0] ** 2)
    for level, sfx in ((0.95, "95"), (0.998, "998")):
        bound = stats.norm.isf((1 - level) / 2)
        if abs(abs(z) - bound) > 1e-9:
            assert (rl > limits[f"upper_{sfx}"]) == (z > bound)
            assert (rl < limits[f"lower_{sfx}"]) == (z < -bound)


@settings(max_examples=100, deadline=None)
@given(st.floats(-4, 4), st.floats(-1.5, 1.5))
def test_skew_corrected_z_inverts_the_cornish_fisher_deviate(z, skewness):
    deviate = deviate_at(z, skewness)
    if np.isnan(deviate):
        assert 1 + skewness * z / 3 <= 0
    else:
        assert skew_corrected_z(deviate, skewness) == pytest.approx(z, abs=1e-9)


def _exact_shares(white_rate: tuple[float, float], seed: int) -> tuple[np.ndarray, ...]:
    """Each authority's exact chance, given its events, of being above and below the 95%
    limits when its true RL is the national 1.2; and its expected minority events."""
    rng = np.random.default_rng(seed)
    staff = rng.integers(200, 801, 150)
    n1 = np.round(staff * rng.uniform(0.10, 0.40, 150)).astype(int)
    n0, p0 = staff - n1, rng.uniform(*white_rate, 150)
    events = rng.binomial(n1, 1.2 * p0) + rng.binomial(n0, p0)
    row = np.repeat(np.arange(150), events + 1)  # every split k = 0..events of each authority
    k = np.concatenate([np.arange(t + 1) for t in events])
    odds = 1.2 * (1 - p0) / (1 - 1.2 * p0)
    pmf = stats.nchypergeom_fisher.pmf(k, staff[row], n1[row], events[row], odds[row])
    z = null_z(k, n1[row], events[row] - k, n0[row], 1.2)["z"].to_numpy()
    above = np.bincount(row, pmf * (z > Z95), minlength=150)
    below = np.bincount(row, pmf * (z < -Z95), minlength=150)
    expected = np.bincount(row, pmf * k, minlength=150)
    return above, below, expected


@pytest.mark.parametrize("white_rate", [(0.01, 0.03), (0.10, 0.20)])
def test_both_tails_keep_their_nominal_share_where_enough_events_are_expected(white_rate):
    # Where at least 5 minority ethnic events are expected, each 95% limit is passed by
    # chance 2.5% +/- 1 point of the time (exactly, given the events; bench/ has the rest).
    seeds = range(4) if white_rate[0] < 0.05 else range(1)
    above, below, expected = (np.concatenate(v) for v in
                              zip(*(_exact_shares(white_rate, seed) for seed in seeds),
                                  strict=True))
    enough = expected >= 5
    assert enough.sum() > 60
    assert 0.015 < above[enough].mean() < 0.035
    assert 0.015 < below[enough].mean() < 0.035


def test_reference_limits_follow_an_authority_with_the_national_share():
    # An authority with 40 minority and 60 white events among 1000 + 1000 staff, national RL
    # 1 (share 0.4): its own limits and the reference ones at its precision nearly agree.
    tested = null_z(40, 1000, 60, 1000, 1.0)
    own = rl_limits(tested, [1000], [1000], levels=(0.95,)).iloc[0]
    curve = reference_limits(tested["precision"], 1.0, 0.4, levels=(0.95,)).iloc[0]
    assert curve["lower_95"] == pytest.approx(own["lower_95"], rel=0.03)
    assert curve["upper_95"] == pytest.approx(own["upper_95"], rel=0.03)
    wide = reference_limits([0.5], 1.0, 0.4, levels=(0.95,)).iloc[0]
    assert wide["lower_95"] == 0.0 and wide["upper_95"] > 10


# --- positions and the national benchmark ----------------------------------------------


def test_position_words_name_the_widest_limit_crossed():
    frame = pd.DataFrame(
        {"relative_likelihood": [1.0, 1.0, 2.0, 4.0, 0.6, 0.3], "se": [0.25] * 6}
    )
    # limits around RL 1, se 0.25: 95% exp(-+0.489991) = 0.6126, 1.6323;
    # 99.8% exp(-+0.772558) = 0.4619, 2.1652
    placed = funnel_positions(frame, 1.0)
    assert placed["position"].tolist() == [
        "within limits",
        "within limits",
        "above 95% limit",
        "above 99.8% limit",
        "below 95% limit",
        "below 99.8% limit",
    ]
    assert position_from_z([0.0, 2.0, 3.5, -2.0, -3.5, np.nan]).tolist() == [
        "within limits", "above 95% limit", "above 99.8% limit", "below 95% limit",
        "below 99.8% limit", "not assessed"]


def test_proportion_positions_use_denominators():
    frame = pd.DataFrame({"rate": [0.30, 0.25], "n": [100, 100]})
    placed = funnel_positions(frame, 0.2, kind="proportion", estimate="rate", size="n")
    assert placed["position"].tolist() == ["above 95% limit", "within limits"]


def _results(rows: list[tuple]) -> pd.DataFrame:
    cols = ["authority", "numerator", "denominator", "reference_numerator"]
    cols += ["reference_denominator", "status"]
    frame = pd.DataFrame(rows, columns=cols)
    return frame.assign(
        year=2024, indicator=3, measure="formal disciplinary", service="all", group="minority"
    )


def test_every_authority_with_events_is_placed_and_the_national_value_is_pooled():
    results = _results(
        [
            ("A", 10, 100, 20, 400, "ok"),
            ("B", 30, 200, 40, 800, "ok"),
            ("C", 0, 50, 10, 300, "ok"),
            ("D", 5, 20, 0, 80, "not_computable: no events in the reference group"),
            ("E", 0, 30, 0, 60, "not_computable: no events in either group"),
        ]
    )
    out = benchmark_relative_likelihoods(results).set_index("authority")
    # pooled: minority 45 / 400, white 70 / 1640 -> RL = 0.1125 / 0.0426829 = 2.635714
    national = (45 / 400) / (70 / 1640)
    se = math.sqrt(1 / 45 - 1 / 400 + 1 / 70 - 1 / 1640)
    assert out["national_rl"].iloc[0] == pytest.approx(national)
    assert out["national_rl"].iloc[0] == pytest.approx(2.635714, abs=1e-6)
    assert out["national_share"].iloc[0] == pytest.approx(45 / 115)
    # too few authorities to estimate overdispersion: the Katz interval is not widened
    assert out["national_rl_lower"].iloc[0] == pytest.approx(national * math.exp(-Z95 * se))
    assert out["national_rl_upper"].iloc[0] == pytest.approx(national * math.exp(Z95 * se))
    assert out["national_rl_upper_widened"].iloc[0] == out["national_rl_upper"].iloc[0]
    tested = null_z([10, 30, 0, 5], [100, 200, 50, 20], [20, 40, 10, 0], [400, 800, 300, 80],
                    national)
    assert out.loc[["A", "B", "C", "D"], "z"].tolist() == pytest.approx(tested["z"].tolist())
    assert out["se_null"].tolist()[:4] == pytest.approx(tested["se"].tolist())
    # A: RL = 0.1 / 0.05 = 2; Katz se of its own counts sqrt(1/10 - 1/100 + 1/20 - 1/400)
    assert out.loc["A", "relative_likelihood"] == pytest.approx(2.0)
    assert out.loc["A", "se"] == pytest.approx(0.3708099, abs=1e-6)
    assert np.isnan(out.loc["C", "se"]) and np.isnan(out.loc["D", "se"])
    assert out.loc["C", "relative_likelihood"] == 0.0
    assert np.isnan(out.loc["D", "relative_likelihood"])
    assert out.loc["C", "position"] != "not assessed" and out.loc["D", "position"] != (
        "not assessed")
    assert out.loc["E", "position"] == "not assessed"
    assert out.loc["E", "note"] == "no events in either group"
    assert (out["n_authorities"] == 4).all() and (out["n_excluded"] == 1).all()
    assert out["limits"].eq(UNADJUSTED).all() and out["tau2"].eq(0).all()


def test_national_interval_is_widened_by_root_phi_when_authorities_are_overdispersed():
    results = simulate_authorities(150, tau=0.3, seed=7)
    out = benchmark_relative_likelihoods(results)
    counts = results[["numerator", "denominator", "reference_numerator",
                      "reference_denominator"]].sum()
    x1, n1, x0, n0 = counts.to_numpy(dtype=float)
    se = math.sqrt(1 / x1 - 1 / n1 + 1 / x0 - 1 / n0)
    phi = out["phi"].iloc[0]
    assert phi > 1
    assert out["national_rl_upper"].iloc[0] == pytest.approx(
        out["national_rl"].iloc[0] * math.exp(Z95 * se))
    assert out["national_rl_upper_widened"].iloc[0] == pytest.approx(
        out["national_rl"].iloc[0] * math.exp(Z95 * se * math.sqrt(phi)))
    assert out["national_rl_lower_widened"].iloc[0] == pytest.approx(
        out["national_rl"].iloc[0] * math.exp(-Z95 * se * math.sqrt(phi)))


def test_overdispersed_authorities_get_widened_limits_and_fewer_alarms():
    out = benchmark_relative_likelihoods(simulate_authorities(150, tau=0.3, seed=7))
    assert out["overdispersed"].all() and out["limits"].eq(ADJUSTED).all()
    assert out["overdispersion"].eq("spiegelhalter").all()
    assert (out["upper_95"] > out["upper_95_unadjusted"]).all()
    assert (out["lower_998"] <= out["lower_998_unadjusted"]).all()
    outside = ~out["position"].eq("within limits")
    outside_unadjusted = ~out["position_unadjusted"].eq("within limits")
    assert outside.sum() < outside_unadjusted.sum()


def test_only_the_chosen_service_and_group_are_benchmarked():
    results = simulate_authorities(20, seed=1)
    other = results.assign(service="adults")
    out = benchmark_relative_likelihoods(pd.concat([results, other]))
    assert len(out) == 20 and out["service"].eq("all").all()
    with pytest.raises(ValueError, match="no results rows"):
        benchmark_relative_likelihoods(results, group="black")
    with pytest.raises(KeyError, match="status"):
        benchmark_relative_likelihoods(results.drop(columns="status"))
    with pytest.raises(ValueError, match="overdispersion"):
        benchmark_relative_likelihoods(results, overdispersion="cqc")


def test_corrected_truncation_divides_by_the_truncated_normal_mean_square():
    # a standard normal cut at its 10th and 90th percentiles (c = 1.281552) has
    # E[Z^2] = 1 - 2 c pdf(c) / 0.8 = 0.4377; checked by numerical integration
    c = stats.norm.ppf(0.9)
    inner, _ = integrate.quad(lambda z: z**2 * stats.norm.pdf(z), -c, c)
    z = np.arange(1.0, 21.0)
    result = overdispersion(z, np.ones(20), trimming="truncate", method="corrected")
    assert result.phi == pytest.approx(131.5 / (inner / 0.8), rel=1e-9)
    assert inner / 0.8 == pytest.approx(0.4377, abs=1e-4)
