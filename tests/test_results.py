"""`compute_results` and `wres results`: every indicator's relative likelihoods in one table."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from scipy.stats import fisher_exact
from scipy.stats.contingency import relative_risk
from statsmodels.stats.multitest import multipletests
from statsmodels.stats.proportion import proportion_confint

from wres import stats
from wres.analysis.disclosure import apply_disclosure
from wres.analysis.results import (
    EXTRA_COLUMNS,
    RESULT_COLUMNS,
    compute_results,
    filter_counts,
    pooled_services,
    withhold_adjusted_p_values,
)
from wres.cli import main
from wres.inputs.counts import read_counts
from wres.inputs.validation import COUNT_COLUMNS

DATA = Path(__file__).parent / "data"
CONTRACT = Path(__file__).parents[1] / "docs" / "CONTRACT.md"
WRES = Path(sys.executable).with_name("wres")


@pytest.fixture(scope="module")
def counts() -> pd.DataFrame:
    return read_counts([DATA / "counts_small.csv"])


@pytest.fixture(scope="module")
def results(counts) -> pd.DataFrame:
    return compute_results(counts)


def row(results: pd.DataFrame, indicator: int, measure: str, service: str,
        group: str = "minority", authority: str = "Northshire") -> pd.Series:
    hit = results[
        (results["authority"] == authority) & (results["indicator"] == indicator)
        & (results["measure"] == measure) & (results["service"] == service)
        & (results["group"] == group)
    ]
    assert len(hit) == 1
    return hit.iloc[0]


def frame(rows: list[tuple]) -> pd.DataFrame:
    counts = pd.DataFrame(rows, columns=list(COUNT_COLUMNS))
    return counts.assign(derived=False)


def test_columns_are_the_contract_then_the_extras(results):
    required = re.search(r"Required columns.*?\n`([^`]+)`", CONTRACT.read_text(), re.S)
    assert RESULT_COLUMNS == required.group(1).split(",")
    assert list(results.columns) == RESULT_COLUMNS + EXTRA_COLUMNS


def test_relative_likelihood_of_a_service(results):
    disciplinary = row(results, 3, "disciplinary", "adults")
    assert disciplinary["relative_likelihood"] == pytest.approx((20 / 310) / (15 / 610))
    assert disciplinary["relative_likelihood"] == pytest.approx(2.6236559, rel=1e-7)
    katz = relative_risk(20, 310, 15, 610).confidence_interval(confidence_level=0.95)
    assert (disciplinary["rl_lower"], disciplinary["rl_upper"]) == pytest.approx(
        (katz.low, katz.high)
    )
    assert (disciplinary["rate_lower"], disciplinary["rate_upper"]) == pytest.approx(
        proportion_confint(20, 310, alpha=0.05, method="wilson")
    )
    assert disciplinary["rate"] == 20 / 310 and disciplinary["reference_rate"] == 15 / 610
    assert disciplinary[["flag", "significant", "status", "ci_method", "rate_method"]].tolist() \
        == ["above", True, "ok", "katz-log", "wilson"]
    assert disciplinary["verdict"] == (
        "adverse to minority ethnic staff and significantly different from 1"
    )


def test_every_row_matches_wres_stats_called_directly(results):
    direct = stats.relative_likelihood(
        results["numerator"], results["denominator"],
        results["reference_numerator"], results["reference_denominator"],
    )
    pd.testing.assert_series_equal(
        results["relative_likelihood"], direct["relative_likelihood"], check_names=False
    )
    pd.testing.assert_series_equal(results["rl_upper"], direct["rl_upper"], check_names=False)
    assert results["status"].tolist() == direct["status"].tolist()


def test_all_services_pools_counts_rather_than_averaging_ratios(results):
    pooled = row(results, 3, "disciplinary", "all")
    assert (pooled["numerator"], pooled["denominator"]) == (20 + 9, 310 + 110)
    assert (pooled["reference_numerator"], pooled["reference_denominator"]) == (15 + 5, 610 + 190)
    assert pooled["relative_likelihood"] == pytest.approx((29 / 420) / (20 / 800))
    averaged = np.mean([(20 / 310) / (15 / 610), (9 / 110) / (5 / 190)])
    assert abs(pooled["relative_likelihood"] - averaged) > 0.1


def test_pay_bands_share_the_staff_in_post(results):
    band = row(results, 1, "Band C", "all")
    assert (band["numerator"], band["denominator"]) == (10 + 5, 100 + 60)
    assert band["relative_likelihood"] == pytest.approx((15 / 160) / (80 / 420))
    assert band["flag"] == "below"


def test_not_computable_rows_are_empty_with_a_reason(results):
    reference_none = row(results, 4, "fitness_to_practise", "adults")
    neither = row(results, 4, "fitness_to_practise", "children")
    assert reference_none["status"] == "not_computable: no events in the reference group"
    assert neither["status"] == "not_computable: no events in either group"
    for r in (reference_none, neither):
        assert np.isnan([r["relative_likelihood"], r["rl_upper"]]).all()
        assert r["flag"] == ""
    # no events in either group: nothing to test, nothing to say
    assert np.isnan(neither["rl_lower"]) and np.isnan(neither["p_value"])
    assert pd.isna(neither["significant"])
    assert neither["verdict"] == "not computable: no events in either group"
    # no events among white staff only: no ratio, but a lower limit and an exact test
    assert reference_none["rl_lower"] > 0
    assert reference_none["p_value"] == pytest.approx(
        fisher_exact([[2, 18], [0, reference_none["reference_denominator"]]]).pvalue)
    assert reference_none["significant"] == (reference_none["p_value"] <= 0.05)
    assert reference_none["rate"] == pytest.approx(2 / 20)


def test_broad_groups_each_compared_with_white(results):
    adults = results[(results["indicator"] == 2) & (results["service"] == "adults")]
    assert adults["group"].tolist() == ["minority", "asian", "black", "mixed", "other"]
    assert adults["numerator"].tolist() == [20, 10, 5, 3, 2]
    black = adults[adults["group"] == "black"].iloc[0]
    assert black["relative_likelihood"] == pytest.approx((5 / 60) / (40 / 200))
    pooled_asian = row(results, 2, "appointed", "all", group="asian")
    assert (pooled_asian["numerator"], pooled_asian["denominator"]) == (13, 110)


def test_unknown_ethnicity_rate_and_bounds(results):
    adults = row(results, 3, "disciplinary", "adults")
    assert (adults["unknown_numerator"], adults["unknown_denominator"]) == (2, 40)
    assert adults["unknown_rate"] == pytest.approx(0.05)
    assert adults["rl_if_unknown_white"] == pytest.approx((20 / 310) / (17 / 650))
    assert adults["rl_if_unknown_minority"] == pytest.approx((22 / 350) / (15 / 610))
    pooled = row(results, 3, "disciplinary", "all")
    assert (pooled["unknown_numerator"], pooled["unknown_denominator"]) == (3, 60)


def test_unknown_columns_are_empty_when_unknown_is_not_given(results):
    # indicator 2 gives unknown for adults only, so 'all' has no pooled unknown
    pooled = row(results, 2, "appointed", "all")
    assert pd.isna(pooled["unknown_numerator"]) and np.isnan(pooled["unknown_rate"])
    assert np.isnan(pooled["rl_if_unknown_white"])


def test_rows_are_sorted_deterministically(results, counts):
    northshire = results[(results["authority"] == "Northshire") & (results["indicator"] == 1)]
    assert northshire["measure"].tolist()[::3] == ["Band A", "Band B", "Band C"]
    assert northshire["service"].tolist()[:3] == ["adults", "children", "all"]
    assert results["authority"].tolist()[-1] == "Southvale"
    shuffled = counts.sample(frac=1, random_state=3)
    again = compute_results(shuffled, pay_bands=["Band A", "Band B", "Band C"])
    pd.testing.assert_frame_equal(again, results)


def test_other_services_sort_between_children_and_all():
    counts = frame([
        ("A", 2023, "business_support", 8, "leavers", "white", 50, 5),
        ("A", 2023, "business_support", 8, "leavers", "minority", 20, 4),
        ("A", 2023, "children", 8, "leavers", "white", 90, 9),
        ("A", 2023, "children", 8, "leavers", "minority", 30, 6),
    ])
    results = compute_results(counts)
    assert results["service"].tolist() == ["children", "business_support", "all"]
    assert results["relative_likelihood"].iloc[-1] == pytest.approx((10 / 50) / (14 / 140))


def test_methods_and_level_are_passed_through(counts):
    results = compute_results(
        counts, ci_method="koopman", rate_method="exact", confidence_level=0.9,
        thresholds=(0.5, 2.0),
    )
    disciplinary = row(results, 3, "disciplinary", "adults")
    direct = stats.relative_likelihood(20, 310, 15, 610, method="koopman-score",
                                       confidence_level=0.9).iloc[0]
    assert (disciplinary["rl_lower"], disciplinary["rl_upper"]) == pytest.approx(
        (direct["rl_lower"], direct["rl_upper"])
    )
    assert (disciplinary["ci_method"], disciplinary["rate_method"]) == (
        "koopman-score", "clopper-pearson"
    )
    assert disciplinary["confidence_level"] == 0.9
    assert disciplinary["flag"] == "above"
    assert row(results, 7, "colleagues", "adults")["flag"] == "within"


def test_one_call_of_relative_likelihood_for_every_row(counts, monkeypatch):
    calls = []
    original = stats.relative_likelihood

    def counting(*args, **kwargs):
        calls.append(len(args[0]))
        return original(*args, **kwargs)

    monkeypatch.setattr(stats, "relative_likelihood", counting)
    results = compute_results(counts)
    assert calls == [len(results)]


def test_missing_white_row_is_not_computable():
    results = compute_results(frame([("A", 2023, "adults", 5, "cpd", "minority", 40, 10)]))
    assert results["status"].tolist() == ["not_computable: no one in the reference group"] * 2


def test_empty_counts_give_an_empty_table():
    results = compute_results(frame([]).astype({"year": "int64", "indicator": "int64",
                                                 "numerator": "int64",
                                                 "denominator": "int64"}))
    assert results.empty and list(results.columns) == RESULT_COLUMNS + EXTRA_COLUMNS


def test_pooled_services_only_pools_groups_given_in_every_service(counts):
    pooled = pooled_services(counts)
    all_rows = pooled[(pooled["service"] == "all") & (pooled["indicator"] == 2)]
    assert sorted(all_rows["ethnic_group"]) == sorted(
        ["white", "asian", "black", "mixed", "other", "minority"]
    )
    derived = all_rows.set_index("ethnic_group").loc["minority"]
    assert (derived["numerator"], derived["denominator"], derived["derived"]) == (31, 260, True)
    with pytest.raises(ValueError, match="'all'"):
        pooled_services(pooled)


def test_filter_counts(counts):
    southvale = filter_counts(counts, authority="Southvale")
    assert set(southvale["authority"]) == {"Southvale"} and len(southvale) == 2
    picked = filter_counts(counts, year=2023, indicator=[3, 4])
    assert set(picked["indicator"]) == {3, 4} and len(picked) == 6 + 4 + 2
    assert len(filter_counts(counts, year=2022)) == 0


def test_cli_results_writes_the_table(tmp_path, results):
    output = tmp_path / "out" / "results.csv"
    assert main(["results", str(DATA / "counts_small.csv"), "--output", str(output)]) == 0
    written = pd.read_csv(output, keep_default_na=False, na_values=[""])
    assert list(written.columns) == RESULT_COLUMNS + EXTRA_COLUMNS
    assert len(written) == len(results)
    assert written["relative_likelihood"].iloc[24] == pytest.approx(
        results["relative_likelihood"].iloc[24]
    )


def test_cli_results_methods(tmp_path):
    output = tmp_path / "results.csv"
    status = main(["results", str(DATA / "counts_small.csv"), "--output", str(output),
                   "--ci-method", "mn", "--confidence-level", "0.99"])
    assert status == 0
    written = pd.read_csv(output)
    assert set(written["ci_method"]) == {"miettinen-nurminen"}
    assert set(written["confidence_level"]) == {0.99}


def test_cli_results_writes_nothing_when_validation_fails(tmp_path, capsys):
    output = tmp_path / "results.csv"
    status = main(["results", str(DATA / "counts_small.csv"), str(DATA / "bad_blank.csv"),
                   "--output", str(output)])
    assert status != 0
    assert not output.exists() and list(tmp_path.iterdir()) == []
    assert "bad_blank.csv, row 3, column 'authority'" in capsys.readouterr().err


def test_cli_results_publication_applies_disclosure(tmp_path):
    output = tmp_path / "results.csv"
    status = main(["results", str(DATA / "counts_small.csv"), "--output", str(output),
                   "--publication", "--min-count", "5"])
    assert status == 0
    written = pd.read_csv(output, dtype=str, keep_default_na=False)
    assert (written == "[c]").any().any()


def test_installed_wres_results_command(tmp_path):
    output = tmp_path / "results.csv"
    done = subprocess.run(
        [str(WRES), "results", str(DATA / "counts_small.csv"), "--output", str(output)],
        capture_output=True, text=True, check=False,
    )
    assert done.returncode == 0, done.stderr
    assert f"wrote 38 rows to {output}" in done.stdout


def test_wres_results_on_the_sample_data_matches_wres_stats(tmp_path):
    sample = sorted((Path(__file__).resolve().parents[1] / "data" / "sample").glob("*.csv"))
    out = tmp_path / "results.csv"
    assert main(["results", *map(str, sample), "--output", str(out)]) == 0
    written = pd.read_csv(out)
    assert set(written["authority"]) >= {"Ashbourne Vale", "Fernleigh Downs", "Marrowfield"}
    direct = stats.relative_likelihood(
        written["numerator"], written["denominator"],
        written["reference_numerator"], written["reference_denominator"],
    )
    np.testing.assert_allclose(written["relative_likelihood"], direct["relative_likelihood"],
                               rtol=1e-12, equal_nan=True)
    np.testing.assert_allclose(written["rl_lower"], direct["rl_lower"], rtol=1e-12,
                               equal_nan=True)
    np.testing.assert_allclose(written["rl_upper"], direct["rl_upper"], rtol=1e-12,
                               equal_nan=True)
    assert (written["status"] == direct["status"].astype(str)).all()
    rates = stats.proportion_interval(written["numerator"], written["denominator"])
    np.testing.assert_allclose(written["rate_lower"], rates["rate_lower"], rtol=1e-12,
                               equal_nan=True)
    assert (written["status"] != "ok").any() and (written["status"] == "ok").sum() > 1000


# --- exact tests, many comparisons, the range if ethnicity were known ---------------------------


@pytest.fixture(scope="module")
def sample_results() -> pd.DataFrame:
    sample = sorted((Path(__file__).resolve().parents[1] / "data" / "sample").glob("*.csv"))
    return compute_results(read_counts(sample))


def test_no_white_staff_referred_gives_a_lower_limit_and_a_significant_exact_test(
        sample_results):
    # the example: Marrowfield 2022, fitness to practise, all services
    ftp = row(sample_results[sample_results["year"] == 2022], 4, "fitness_to_practise", "all",
              authority="Marrowfield")
    assert (ftp["numerator"], ftp["denominator"], ftp["reference_numerator"],
            ftp["reference_denominator"]) == (9, 536, 0, 336)
    assert ftp["status"] == "not_computable: no events in the reference group"
    assert np.isnan(ftp["relative_likelihood"]) and np.isnan(ftp["rl_upper"])
    assert ftp["rl_lower"] == pytest.approx(1.48, abs=0.005)
    assert ftp["p_value"] == pytest.approx(0.015, abs=0.0005)
    assert ftp["p_value"] == fisher_exact([[9, 527], [0, 336]]).pvalue
    assert ftp["significant"] is not pd.NA and bool(ftp["significant"])
    assert ftp["flag"] == "" and ftp["comparison"] == "primary"
    assert ftp["verdict"] == ("adverse to minority ethnic staff and significant by the exact "
                              "test; no ratio: no events in the reference group")


def test_every_comparison_has_fishers_p_value_and_significance_is_unchanged_elsewhere(
        sample_results):
    tested = sample_results["status"].isin(["ok", stats.NO_EVENTS_REFERENCE])
    assert sample_results.loc[tested, "p_value"].notna().all()
    assert sample_results.loc[~tested, "p_value"].isna().all()
    some = sample_results[tested].iloc[::97]
    for r in some.itertuples():
        table = [[r.numerator, r.denominator - r.numerator],
                 [r.reference_numerator, r.reference_denominator - r.reference_numerator]]
        assert r.p_value == fisher_exact(table).pvalue
    assert set(sample_results["test_method"]) == {"fisher-exact"}
    # where there is a ratio, significance is still whether its interval excludes 1
    ok = sample_results["status"] == "ok"
    expected = stats.is_significant(sample_results.loc[ok, "rl_lower"],
                                    sample_results.loc[ok, "rl_upper"])
    assert sample_results.loc[ok, "significant"].tolist() == expected.tolist()
    assert sample_results["p_adjusted"].isna().all() and set(sample_results["adjust"]) == {
        "none"}


@pytest.mark.parametrize("method", ["holm", "fdr_bh"])
def test_adjust_bases_significance_on_multipletests_within_each_authority_year_indicator(
        counts, method):
    adjusted = compute_results(counts, adjust=method)
    plain = compute_results(counts)
    for column in ("relative_likelihood", "rl_lower", "rl_upper", "p_value"):
        pd.testing.assert_series_equal(adjusted[column], plain[column])
    assert set(adjusted["adjust"]) == {method}
    tested = adjusted["p_value"].notna()
    assert adjusted.loc[~tested, "significant"].isna().all()
    for _, family in adjusted[tested].groupby(["authority", "year", "indicator"]):
        reject, corrected, _, _ = multipletests(family["p_value"], alpha=0.05, method=method)
        np.testing.assert_allclose(family["p_adjusted"], corrected)
        assert family["significant"].tolist() == reject.tolist()
    changed = (adjusted["significant"] != plain["significant"]).fillna(False)
    assert changed.any()  # the adjustment matters on these counts
    with pytest.raises(ValueError, match="unknown adjustment 'bonferroni'"):
        compute_results(counts, adjust="bonferroni")


def test_the_primary_comparison_is_minority_ethnic_in_all_services(sample_results):
    primary = sample_results[sample_results["comparison"] == "primary"]
    assert set(primary["group"]) == {"minority"} and set(primary["service"]) == {"all"}
    assert 1 not in set(primary["indicator"])  # each pay band is one of several looks at pay
    per_report = primary.groupby(["authority", "year"]).size()
    assert per_report.max() == 9  # indicators 2-9, with 7's two sources
    assert set(sample_results["comparison"]) == {"primary", "exploratory"}


def test_the_range_if_ethnicity_were_known_holds_both_scenarios(results):
    adults = row(results, 3, "disciplinary", "adults")  # 20/310, 15/610, 2 of 40 unknown
    assert adults["rl_range_lower"] == pytest.approx((20 / 348) / (17 / 612))
    assert adults["rl_range_upper"] == pytest.approx((22 / 312) / (15 / 648))
    assert adults["rl_range_lower"] < adults["rl_if_unknown_white"]
    assert adults["rl_if_unknown_minority"] < adults["rl_range_upper"]
    pooled = row(results, 2, "appointed", "all")  # unknown not given for every service
    assert np.isnan(pooled["rl_range_lower"]) and np.isnan(pooled["rl_range_upper"])


def test_cli_results_adjust_and_the_note_on_multiple_comparisons(tmp_path, capsys):
    output = tmp_path / "results.csv"
    assert main(["results", str(DATA / "counts_small.csv"), "--output", str(output)]) == 0
    note = capsys.readouterr().out
    assert "comparisons tested" in note and "by chance alone" in note
    assert "not adjusted for multiple comparisons" in note
    assert main(["results", str(DATA / "counts_small.csv"), "--output", str(output),
                 "--adjust", "holm"]) == 0
    assert "adjusted for multiple comparisons by Holm's method" in capsys.readouterr().out
    written = pd.read_csv(output)
    assert set(written["adjust"]) == {"holm"} and written["p_adjusted"].notna().any()
    with pytest.raises(SystemExit):
        main(["results", str(DATA / "counts_small.csv"), "--output", str(output),
              "--adjust", "sidak"])


def test_publication_withholds_p_values_and_ranges_with_the_counts(tmp_path):
    output = tmp_path / "results.csv"
    assert main(["results", str(DATA / "counts_small.csv"), "--output", str(output),
                 "--publication", "--adjust", "holm"]) == 0
    written = pd.read_csv(output, dtype=str, keep_default_na=False)
    hidden = written["relative_likelihood"] == "[c]"
    assert hidden.any()
    for column in ("p_value", "p_adjusted"):
        assert (written.loc[hidden, column] == "[c]").all()
    bounds_hidden = written["rl_if_unknown_white"] == "[c]"
    for column in ("rl_range_lower", "rl_range_upper"):
        assert (written.loc[bounds_hidden, column] == "[c]").all()


def test_an_adjusted_p_value_is_withheld_with_any_p_value_of_its_family(counts):
    # Holm's adjusted values are running maxima over the family's sorted p-values, so a
    # published one could be a multiple of a withheld one
    published = withhold_adjusted_p_values(apply_disclosure(compute_results(counts,
                                                                            adjust="holm")))
    families = published.groupby(["authority", "year", "indicator"])
    for _, family in families:
        if (family["p_value"].astype(str) == "[c]").any():
            adjusted = family.loc[family["p_adjusted"].notna(), "p_adjusted"]
            assert (adjusted.astype(str) == "[c]").all()
    untouched = compute_results(counts)  # no adjustment: nothing more to withhold
    pd.testing.assert_frame_equal(withhold_adjusted_p_values(apply_disclosure(untouched)),
                                  apply_disclosure(untouched))
