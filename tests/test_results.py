"""`compute_results` and `wres results`: every indicator's relative likelihoods in one table."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from scipy.stats.contingency import relative_risk
from statsmodels.stats.proportion import proportion_confint

from wres import stats
from wres.analysis.results import (
    EXTRA_COLUMNS,
    RESULT_COLUMNS,
    compute_results,
    filter_counts,
    pooled_services,
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
        "adverse to minority ethnic staff and statistically significant"
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
        assert np.isnan([r["relative_likelihood"], r["rl_lower"], r["rl_upper"]]).all()
        assert r["flag"] == "" and pd.isna(r["significant"])
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
