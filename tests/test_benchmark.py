"""Funnel limits, overdispersion and positions: specification by worked examples."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest
from scipy import integrate, stats
from simulation import simulate_authorities

from wres.analysis.benchmark import benchmark_relative_likelihoods
from wres.stats.funnel import (
    ADJUSTED,
    UNADJUSTED,
    dersimonian_laird_tau2,
    funnel_curve,
    funnel_limits,
    funnel_positions,
    winsorised_normal_second_moment,
    winsorised_overdispersion,
)

Z95, Z998 = 1.959964, 3.090232


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


def test_winsorised_overdispersion_by_hand():
    # z = -3, -1, -0.5, 0, 0.5, 1, 1.5, 2, 2.5, 6 (se = 1, target = 0)
    # 10th percentile: -3 + 0.9 * 2 = -1.2; 90th: 2.5 + 0.1 * 3.5 = 2.85
    # squares 1.44 + 1 + 0.25 + 0 + 0.25 + 1 + 2.25 + 4 + 6.25 + 8.1225 = 24.5625; phi = 2.45625
    # tau2 = (24.5625 - 9) / (10 - 10/10) = 1.7291667
    z = np.array([-3, -1, -0.5, 0, 0.5, 1, 1.5, 2, 2.5, 6])
    result = winsorised_overdispersion(z, np.ones(10), 0.0, consistency=False)
    assert result.phi == pytest.approx(2.45625)
    assert result.chi2 == pytest.approx(24.5625)
    assert result.df == 9
    assert result.p_value == pytest.approx(stats.chi2.sf(24.5625, 9))
    assert result.overdispersed
    assert result.tau2 == pytest.approx(1.7291667, abs=1e-6)
    corrected = winsorised_overdispersion(z, np.ones(10), 0.0)
    assert corrected.phi == pytest.approx(2.45625 / winsorised_normal_second_moment(0.10))


def test_no_random_effects_when_dispersion_is_as_expected():
    z = np.array([-1.5, -1, -0.5, -0.2, 0, 0.2, 0.5, 1, 1.5, 0.1])
    result = winsorised_overdispersion(z, np.ones(10), 0.0)
    assert not result.overdispersed
    assert result.tau2 == 0.0


def test_winsorised_overdispersion_rejects_bad_input():
    with pytest.raises(ValueError, match="differ in length"):
        winsorised_overdispersion([0.1, 0.2], [0.1], 0.0)
    with pytest.raises(ValueError, match="positive"):
        winsorised_overdispersion([0.1, 0.2], [0.1, 0.0], 0.0)


def _tau2(seed: int, tau: float) -> float:
    frame = benchmark_relative_likelihoods(simulate_authorities(150, tau=tau, seed=seed))
    return float(frame["tau2"].iloc[0])


def test_tau2_recovers_known_between_authority_variance_on_150_authorities():
    # true tau = 0.3 on the log RL scale, so tau2 = 0.09
    estimates = [_tau2(seed, 0.3) for seed in range(20)]
    assert np.mean(estimates) == pytest.approx(0.09, rel=0.20)
    assert _tau2(2024, 0.3) == pytest.approx(0.09, rel=0.20)


def test_tau2_is_zero_without_overdispersion_in_most_seeds():
    zero = [_tau2(seed, 0.0) == 0.0 for seed in range(50)]
    assert np.mean(zero) > 0.5


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


def test_national_value_comes_from_pooled_counts_and_exclusions_are_counted():
    results = _results(
        [
            ("A", 10, 100, 20, 400, "ok"),
            ("B", 30, 200, 40, 800, "ok"),
            ("C", 0, 50, 10, 300, "ok"),
            ("D", 5, 20, 0, 80, "not_computable: no events in the reference group"),
        ]
    )
    out = benchmark_relative_likelihoods(results).set_index("authority")
    # pooled: minority 45 / 370, white 70 / 1580 -> RL = 0.121622 / 0.044304 = 2.745174
    national = (45 / 370) / (70 / 1580)
    se = math.sqrt(1 / 45 - 1 / 370 + 1 / 70 - 1 / 1580)
    assert out["national_rl"].iloc[0] == pytest.approx(national)
    assert out["national_rl"].iloc[0] == pytest.approx(2.745174, abs=1e-6)
    assert out["national_rl_lower"].iloc[0] == pytest.approx(national * math.exp(-Z95 * se))
    assert out["national_rl_upper"].iloc[0] == pytest.approx(national * math.exp(Z95 * se))
    # A: RL = 0.1 / 0.05 = 2, se = sqrt(1/10 - 1/100 + 1/20 - 1/400) = 0.3708099
    assert out.loc["A", "relative_likelihood"] == pytest.approx(2.0)
    assert out.loc["A", "se"] == pytest.approx(0.3708099, abs=1e-6)
    assert out.loc["A", "upper_95"] == pytest.approx(national * math.exp(Z95 * 0.3708099))
    assert (out["n_authorities"] == 2).all() and (out["n_excluded"] == 2).all()
    assert out.loc["C", "position"] == "not assessed"
    assert out.loc["C", "note"] == "no events in the group"
    assert out.loc["D", "note"].startswith("not_computable")
    # too few authorities to test overdispersion: unadjusted limits
    assert out["limits"].eq(UNADJUSTED).all() and out["tau2"].eq(0).all()


def test_overdispersed_authorities_get_widened_limits_and_fewer_alarms():
    out = benchmark_relative_likelihoods(simulate_authorities(150, tau=0.3, seed=7))
    assert out["overdispersed"].all() and out["limits"].eq(ADJUSTED).all()
    assert (out["upper_95"] > out["upper_95_unadjusted"]).all()
    assert (out["lower_998"] < out["lower_998_unadjusted"]).all()
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
