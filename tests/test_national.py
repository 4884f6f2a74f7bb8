"""The national view: every sample authority on a funnel, and the words quoted from it."""

from __future__ import annotations

import dataclasses
import math
import re
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from wres.analysis.benchmark_rates import RATE, SENIOR_SHARE, proportion_funnel
from wres.analysis.disclosure import DisclosureError, apply_disclosure
from wres.analysis.disclosure.pages import read_tables
from wres.analysis.national import (
    NOT_SUBMITTED,
    PUBLICATION_LEFT_OUT,
    WITHHELD,
    NationalView,
    build_national_view,
    region_breakdown,
    write_national_csv,
)
from wres.core.paths import resolve_paths
from wres.inputs.params import read_regions
from wres.inputs.published import PUBLISHED_FILE, published_national
from wres.present.figures.funnel import drawn_rows, funnel_plot, named_mask
from wres.present.figures.funnel_proportion import proportion_funnel_plot
from wres.present.national import (
    _curves,
    authority_comparison,
    check_disclosure,
    comparison_sentences,
    limits_sentence,
    national_table,
    positions_table,
    region_table,
    regions_html,
    totals_sentence,
)
from wres.present.national_rates import rates_sentence, rates_table, shown_rates
from wres.present.national_tables import by_region_html
from wres.stats.funnel import ADJUSTED, NOT_ASSESSED

Z998 = 3.090232
ROOT = Path(__file__).resolve().parents[1]
SAMPLE = ROOT / "data" / "sample"
PARAMS = ROOT / "params"
NOTEBOOK = ROOT / "notebooks" / "10-benchmark.ipynb"
SHARED_REFERENCE = ROOT.parent / "shared" / "reference" / "national_sc_wres_2023.csv"
MEASURES = [(2, "appointed"), (3, "disciplinary"), (4, "fitness_to_practise"), (5, "cpd"),
            (6, "public"), (7, "colleagues"), (7, "managers"), (8, "leavers")]


@pytest.fixture(scope="module")
def view() -> NationalView:
    return build_national_view(2024, [str(SAMPLE / "*.csv")], params_dir=PARAMS)


@pytest.fixture(scope="module")
def public() -> NationalView:
    """The same year in the publication profile, as `wres run` publishes it."""
    return build_national_view(2024, [str(SAMPLE / "*.csv")], params_dir=PARAMS,
                               profile="publication")


def _rows(frame: pd.DataFrame, indicator: int, measure: str) -> pd.DataFrame:
    return frame[(frame["indicator"] == indicator) & (frame["measure"] == measure)]


def _pooled_rl(indicator: int, authorities: list[str] | None = None,
               measure: str | None = None) -> float:
    """RL from counts summed by hand over the authorities' raw files (broad groups = minority)."""
    raw = pd.concat(pd.read_csv(p) for p in sorted(SAMPLE.glob("*.csv")))
    raw = raw[(raw["year"] == 2024) & (raw["indicator"] == indicator)]
    if measure is not None:
        raw = raw[raw["measure"] == measure]
    if authorities is not None:
        raw = raw[raw["authority"].isin(authorities)]
    minority = raw[~raw["ethnic_group"].isin(["white", "unknown"])]
    white = raw[raw["ethnic_group"] == "white"]
    return float((minority["numerator"].sum() / minority["denominator"].sum())
                 / (white["numerator"].sum() / white["denominator"].sum()))


# --- inputs -------------------------------------------------------------------------------------


def test_glob_patterns_find_every_sample_authority_relative_to_a_base() -> None:
    paths = resolve_paths(["sample/*.csv", "sample/brightwater.csv"], base=ROOT / "data")
    assert len(paths) == 12
    assert paths[0].name == "ashbourne-vale.csv"


def test_a_pattern_matching_nothing_is_named_in_the_error(tmp_path: Path) -> None:
    with pytest.raises(FileNotFoundError, match="nowhere/\\*.csv"):
        resolve_paths(["nowhere/*.csv"], base=tmp_path)


def test_regions_are_read_from_the_params_files(tmp_path: Path) -> None:
    regions = read_regions(PARAMS)
    assert len(regions) == 12
    assert regions["Brightwater"] == "London"
    assert regions["Marrowfield"] == "London"
    assert read_regions(tmp_path / "missing") == {}


def test_published_2023_figures_carry_measure_codes() -> None:
    published = published_national()
    by_measure = dict(zip(zip(published["indicator"], published["measure"], strict=True),
                          published["relative_likelihood"], strict=True))
    assert by_measure[(7, "colleagues")] == 1.3
    assert by_measure[(7, "managers")] == 1.9
    assert by_measure[(4, "fitness_to_practise")] == 2.1
    assert len(published) == 7


@pytest.mark.skipif(not SHARED_REFERENCE.is_file(), reason="shared reference folder not present")
def test_packaged_2023_figures_are_a_copy_of_the_reference_file() -> None:
    packaged = ROOT / "wres" / "data" / PUBLISHED_FILE
    assert packaged.read_bytes() == SHARED_REFERENCE.read_bytes()


# --- the benchmark ------------------------------------------------------------------------------


def test_every_authority_has_a_row_for_every_measure_of_indicators_2_to_8(view) -> None:
    rows = view.national
    assert len(rows) == 12 * len(MEASURES)
    for indicator, measure in MEASURES:
        assert _rows(rows, indicator, measure)["authority"].nunique() == 12


def test_an_indicator_not_submitted_is_kept_and_said_so(view) -> None:
    row = _rows(view.national, 6, "public").set_index("authority").loc["Eastmarsh"]
    assert row["position"] == NOT_ASSESSED
    assert row["note"] == NOT_SUBMITTED
    assert np.isnan(row["relative_likelihood"])
    assert row["national_rl"] == pytest.approx(_rows(view.national, 6, "public")
                                               ["national_rl"].iloc[0])


def test_national_rl_comes_from_counts_pooled_over_all_authorities(view) -> None:
    rows = _rows(view.national, 3, "disciplinary")
    assert rows["national_rl"].iloc[0] == pytest.approx(_pooled_rl(3), rel=1e-12)
    assert rows["national_rl"].iloc[0] == pytest.approx(1.5636, abs=1e-4)


def test_kestrel_bay_reports_more_harassment_from_the_public_than_the_funnel_allows(view) -> None:
    row = _rows(view.national, 6, "public").set_index("authority").loc["Kestrel Bay"]
    assert row["relative_likelihood"] == pytest.approx((57 / 113) / (157 / 534))
    # 57 of its 214 events were among minority ethnic staff, 43.2 expected at the national RL
    assert row["observed"] == 57 and row["expected"] == pytest.approx(43.217, abs=1e-3)
    assert row["z"] == pytest.approx(2.918, abs=1e-3)
    assert row["position"] == "above 95% limit"
    assert row["relative_likelihood"] > row["upper_95"]
    assert row["rl_lower"] < row["relative_likelihood"] < row["rl_upper"]
    assert row["region"] == "South"


def test_authorities_with_no_minority_events_are_on_the_funnel_and_flagged_small(view) -> None:
    rows = _rows(view.national, 4, "fitness_to_practise").set_index("authority")
    none = rows[rows["observed"] == 0]
    assert sorted(none.index) == ["Cindermoor", "Fernleigh Downs", "Hollowmere", "Juniper Coast"]
    assert (none["relative_likelihood"] == 0).all() and none["z"].notna().all()
    assert (none["position"] == "within limits").all() and (none["note"] == "").all()
    assert rows.loc["Cindermoor", "withheld"]
    assert (rows["position"] == NOT_ASSESSED).sum() == 0
    assert (rows["n_authorities"] == 12).all()


def test_publication_profile_withholds_rls_whose_counts_are_hidden(public) -> None:
    rows = _rows(public.national, 4, "fitness_to_practise")
    hidden = rows[rows["withheld"]]
    assert len(hidden) >= 1
    assert (hidden["position"] == WITHHELD).all()
    assert hidden[["relative_likelihood", "rl_lower", "upper_95", "z", "expected",
                   "precision_null"]].isna().all().all()
    table = positions_table(rows)
    assert set(table.loc[table["Position"] == "withheld", "Relative likelihood (95% CI)"]) == {
        "[c]"}


def test_withheld_is_decided_as_the_results_file_decides_it_secondary_suppression_included(
        public) -> None:
    # Juniper Coast 2024, leavers: 7 of 100 minority ethnic and 114 of 927 white staff left,
    # no count below 5, but disclosure control hides it to protect a small count beside it
    truth = public.truth
    juniper = truth[(truth["authority"] == "Juniper Coast")]
    leavers = _rows(juniper, 8, "leavers")
    headline = leavers[(leavers["service"] == "all") & (leavers["group"] == "minority")]
    assert headline[["numerator", "denominator", "reference_numerator",
                     "reference_denominator"]].values.tolist() == [[7, 100, 114, 927]]
    published = apply_disclosure(juniper.reset_index(drop=True))
    shown = published[(published["indicator"] == 8) & (published["service"] == "all")
                      & (published["group"] == "minority")]
    assert shown["numerator"].tolist() == ["[c]"]
    row = _rows(public.national, 8, "leavers").set_index("authority").loc["Juniper Coast"]
    assert row["withheld"] and row["position"] == WITHHELD
    assert ("Juniper Coast", 2024, 8, "leavers") not in public.shown
    assert ("Kestrel Bay", 2024, 6, "public") in public.shown


@pytest.mark.parametrize(("indicator", "measure"), MEASURES)
def test_publication_totals_are_of_the_authorities_whose_figures_are_published(
        public, view, indicator: int, measure: str) -> None:
    rows = _rows(public.national, indicator, measure)
    pooled = rows[~rows["withheld"] & (rows["note"] != NOT_SUBMITTED)]["authority"].tolist()
    assert set(pooled) == {a for a, y, i, m in public.shown if (i, m) == (indicator, measure)}
    first = rows.iloc[0]
    assert first["national_rl"] == pytest.approx(_pooled_rl(indicator, pooled, measure),
                                                 rel=1e-12)
    assert (first["in_total"], first["left_out"]) == (len(pooled), rows["withheld"].sum())
    assert first["n_authorities"] <= len(pooled)
    # the analyst's view pools every authority
    everyone = _rows(view.national, indicator, measure).iloc[0]
    assert everyone["national_rl"] == pytest.approx(_pooled_rl(indicator, measure=measure),
                                                    rel=1e-12)
    assert everyone["left_out"] == 0


def test_the_page_says_how_many_authorities_the_totals_are_of(public) -> None:
    rows = _rows(public.national, 3, "disciplinary")
    assert totals_sentence(rows) == ("Totals are of the 6 authorities whose figures are "
                                     "published; 6 are left out to protect small counts.")
    assert totals_sentence(_rows(public.national, 6, "public")) == (
        "Totals are of the 10 authorities whose figures are published; 1 is left out to "
        "protect small counts.")
    assert totals_sentence(_rows(public.national, 5, "cpd")) == ""
    table = national_table(public.national).set_index("Measure")
    row = table.loc["Enter the formal disciplinary process"]
    assert (row["Authorities in the total"], row["Left out to protect small counts"]) == (
        "6", "6")


def test_publication_national_csv_has_only_figures_the_pages_show_at_their_precision(
        public, tmp_path: Path) -> None:
    path = write_national_csv(public.national, tmp_path, profile="publication")
    written = pd.read_csv(path, dtype=str, keep_default_na=False)
    assert not set(PUBLICATION_LEFT_OUT) & set(written.columns)
    assert {"log_rl", "se", "precision", "z", "expected"} <= set(PUBLICATION_LEFT_OUT)
    two_decimals = re.compile(r"^(\d+\.\d\d)?$")
    for column in ("relative_likelihood", "rl_lower", "rl_upper", "national_rl",
                   "national_rl_lower", "national_rl_upper", "lower_95", "upper_998", "phi"):
        assert written[column].map(two_decimals.match).notna().all(), column
    hidden = written[written["withheld"] == "True"]
    assert len(hidden) and (hidden[["relative_likelihood", "rl_lower", "lower_95"]] == "").all(
        ).all()
    disciplinary = written[(written["indicator"] == "3")]
    assert set(disciplinary["national_rl"]) == {
        f"{_rows(public.national, 3, 'disciplinary')['national_rl'].iloc[0]:.2f}"}
    analyst = pd.read_csv(write_national_csv(public.national, tmp_path / "analyst"))
    assert set(PUBLICATION_LEFT_OUT) <= set(analyst.columns)
    # the authority summaries read it as before
    sentences = comparison_sentences(authority_comparison(pd.read_csv(path), "Juniper Coast"))
    assert sentences[-1] == ("Compared with other authorities, the likelihood of leaving the "
                             "organisation is withheld to protect small counts.")
    assert sentences[4].startswith("Compared with other authorities, the likelihood of "
                                   "reporting harassment, bullying or abuse from people using "
                                   "services, their relatives or the public (")


def test_the_fail_closed_check_passes_the_page_and_stops_a_leak(public) -> None:
    check_disclosure(public)  # the sample's national view publishes nothing to work out
    leaky = public.national.copy()
    # a withheld ratio shown after all: Juniper Coast's leavers
    row = leaky.index[(leaky["authority"] == "Juniper Coast") & (leaky["indicator"] == 8)]
    truth = _rows(public.truth, 8, "leavers")
    truth = truth[(truth["authority"] == "Juniper Coast") & (truth["service"] == "all")
                  & (truth["group"] == "minority")].iloc[0]
    leaky.loc[row, ["relative_likelihood", "rl_lower", "rl_upper"]] = truth[
        ["relative_likelihood", "rl_lower", "rl_upper"]].to_numpy(dtype=float)
    leaky.loc[row, "position"] = "within limits"
    with pytest.raises(DisclosureError, match="Juniper Coast 2024, indicator 8 leavers"):
        check_disclosure(dataclasses.replace(public, national=leaky))


def test_unknown_profile_and_empty_region_are_refused() -> None:
    with pytest.raises(ValueError, match="profile"):
        build_national_view(2024, str(SAMPLE / "*.csv"), profile="public")
    with pytest.raises(ValueError, match="Atlantis"):
        build_national_view(2024, str(SAMPLE / "*.csv"), params_dir=PARAMS,
                                     region="Atlantis")


def test_a_region_view_pools_only_that_regions_authorities() -> None:
    view = build_national_view(2024, str(SAMPLE / "*.csv"), params_dir=PARAMS,
                                        region="London", indicators=[3])
    assert set(view.national["authority"]) == {"Brightwater", "Marrowfield"}
    expected = _pooled_rl(3, ["Brightwater", "Marrowfield"])
    assert view.national["national_rl"].iloc[0] == pytest.approx(expected, rel=1e-12)


# --- words ----------------------------------------------------------------------------------------


def test_limits_sentence_states_the_overdispersion_test_and_the_limits(view) -> None:
    widened = limits_sentence(_rows(view.national, 7, "managers"))
    assert widened == (
        "Authorities are spread more widely than chance alone would give (φ = 2.12, above "
        "(I − 1)/I = 0.92; χ² test p = 0.0078), so the limits are widened by the "
        "between-authority variance τ² = 0.0716 (random-effects adjustment)."
    )
    plain = limits_sentence(_rows(view.national, 3, "disciplinary"))
    assert plain == ("Authorities are spread no more widely than chance alone would give "
                     "(φ = 0.49, χ² test p = 0.88), so the limits are not widened "
                     "(no random-effects adjustment).")


def test_the_corrected_method_widens_only_after_a_significant_test() -> None:
    view = build_national_view(2024, str(SAMPLE / "*.csv"), params_dir=PARAMS,
                               indicators=[2, 7], overdispersion="corrected")
    appointed, managers = _rows(view.national, 2, "appointed"), _rows(view.national, 7, "managers")
    assert (appointed["overdispersion"] == "corrected").all()
    assert limits_sentence(appointed) == (
        "Authorities are spread a little more widely than chance alone would give, but not "
        "significantly (φ = 1.23, χ² test p = 0.19), so the limits are not widened "
        "(no random-effects adjustment).")
    assert limits_sentence(managers).startswith("Authorities differ more than chance alone "
                                                "would explain (φ = 3.13, χ² test p < 0.001)")


def test_limits_sentence_with_too_few_authorities_says_no_test_was_made() -> None:
    view = build_national_view(2024, str(SAMPLE / "*.csv"), params_dir=PARAMS,
                                        region="London", indicators=[3])
    assert limits_sentence(view.national).startswith(
        "Only 2 authorities can be placed on the funnel, too few to test")


def test_authority_comparison_keeps_one_authority_in_indicator_order(view) -> None:
    rows = authority_comparison(view.national, "Kestrel Bay")
    assert list(rows.columns[:6]) == ["indicator", "measure", "relative_likelihood", "position",
                                      "limits", "national_rl"]
    assert list(zip(rows["indicator"], rows["measure"], strict=True)) == MEASURES
    with pytest.raises(ValueError, match="Kestrel Bay"):
        authority_comparison(view.national, "Atlantis")


def test_comparison_sentences_from_national_csv(view, tmp_path: Path) -> None:
    path = write_national_csv(view.national, tmp_path)
    read_back = pd.read_csv(path)
    sentences = comparison_sentences(
        authority_comparison(read_back, "Kestrel Bay"))
    assert sentences[1] == (
        "Compared with other authorities, the likelihood of entering the formal disciplinary "
        "process (1.2) is within the 95% limits around the national figure of 1.6."
    )
    assert sentences[4] == (
        "Compared with other authorities, the likelihood of reporting harassment, bullying or "
        "abuse from people using services, their relatives or the public (1.7) is above the "
        "95% limit around the national figure of 1.2; a higher likelihood is adverse for "
        "minority ethnic staff."
    )
    assert sentences[3].endswith("(limits widened for the spread between authorities).")
    cindermoor = comparison_sentences(authority_comparison(read_back, "Cindermoor"))
    assert cindermoor[2] == (
        "Compared with other authorities, the likelihood of entering fitness to practise "
        "proceedings (0: no minority ethnic staff had the outcome) is within the 95% limits "
        "around the national figure of 1.7.")
    eastmarsh = comparison_sentences(
        authority_comparison(read_back, "Eastmarsh"))
    assert eastmarsh[4].endswith("is not compared with the national figure of 1.2: "
                                 "it was not submitted.")


# --- tables and figures ---------------------------------------------------------------------------


def test_national_table_puts_the_published_figure_beside_the_pooled_one(view) -> None:
    table = national_table(view.national).set_index("Measure")
    row = table.loc["Enter the formal disciplinary process"]
    assert row["National relative likelihood (95% CI)"] == "1.56 (1.28–1.91)"
    assert row["Published national figure, 2023"] == "1.4"
    assert table.loc["Leave the organisation", "Published national figure, 2023"] == (
        "not published")
    managers = table.loc["Report harassment, bullying or abuse from managers"]
    assert managers["Limits"] == "widened (random effects)"
    # the pooled interval allows for overdispersion: Katz interval widened by sqrt(phi = 2.12)
    assert managers["National relative likelihood (95% CI)"] == "1.83 (1.55–2.16)"


def test_region_breakdown_pools_counts_of_each_regions_authorities(view) -> None:
    breakdown = region_breakdown(view.results, view.regions)
    london = breakdown[(breakdown["region"] == "London") & (breakdown["indicator"] == 3)]
    assert london["authorities"].item() == 2
    expected = _pooled_rl(3, ["Brightwater", "Marrowfield"])
    assert london["relative_likelihood"].item() == pytest.approx(expected, rel=1e-12)
    table = region_table(breakdown).set_index("Region")
    assert table.loc["London", "3"].startswith(f"{expected:.2f} (")
    assert list(table.columns[1:4]) == ["2", "3", "4"]
    assert "7 managers" in table.columns


def test_region_totals_in_publication_are_of_the_regions_published_figures(public) -> None:
    # the North 2024, indicator 2: Ashbourne Vale + Cindermoor (4 appointed) gave
    # Cindermoor's 4 back; now North is Ashbourne Vale's own published figure
    breakdown = region_breakdown(public.results, public.regions, shown=public.shown)
    north = breakdown[(breakdown["region"] == "North") & (breakdown["indicator"] == 2)].iloc[0]
    assert (north["authorities"], north["left_out"]) == (1, 1)
    ashbourne = _rows(public.national, 2, "appointed").set_index("authority").loc[
        "Ashbourne Vale"]
    assert north["relative_likelihood"] == pytest.approx(ashbourne["relative_likelihood"])
    table = region_table(breakdown, withhold=True).set_index("Region")
    assert table.loc["North", "Authorities"] == "2"
    assert table.loc["South West", "2"] == "[c]"  # Fernleigh Downs, its only authority, withheld
    html = regions_html(public)
    assert "North: Ashbourne Vale (4) and Cindermoor (2, 3, 4, 7 colleagues, 7 managers)" in html


def _authorities(n: int) -> pd.DataFrame:
    regions = ["North", "South", ""]
    return pd.DataFrame({
        "Authority": [f"Authority {i:03d}" for i in range(n)],
        "Region": [regions[i % 3] for i in range(n)],
        "Relative likelihood (95% CI)": ["[c]" if i % 7 == 0 else "1.10 (0.90–1.34)"
                                         for i in range(n)],
        "Position": ["withheld" if i % 7 == 0 else "above 95% limit" if i % 5 == 0
                     else "within limits" for i in range(n)]}, dtype=object)


def test_authority_tables_fold_by_region_with_each_regions_summary_always_shown() -> None:
    html = by_region_html(_authorities(153), caption="Position of each authority on the "
                          "funnel: indicator 3: disciplinary, 2024", collapse=True)
    assert html.count("<details") == 3 and " open" not in html
    summaries = re.findall(r"<summary>([^<]*)</summary>", html)
    assert summaries[0] == ("North: 51 authorities: 34 within the limits, 9 above the limits, "
                            "8 withheld")
    assert summaries[-1].startswith("No region: 51 authorities")  # the unknown region last
    tables = read_tables(html)
    assert [t.caption.rsplit(", ", 1)[1] for t in tables] == ["North", "South", "No region"]
    assert sum(len(t.rows) for t in tables) == 153
    assert all(t.header == ["Authority", "Relative likelihood (95% CI)", "Position"]
               for t in tables)
    small = by_region_html(_authorities(12), caption="c, 2024", collapse=False)
    assert small.count("<details class=\"region\" open>") == 3


def test_a_crowded_funnel_names_at_most_ten_the_furthest_outside_the_widest_limits() -> None:
    outside = np.array([0] * 100 + [1] * 30 + [2] * 4)
    assert named_mask(outside[:110], np.zeros(110)).sum() == 10  # ten outside: all named
    assert list(np.flatnonzero(named_mask(outside, np.zeros(134)))) == [130, 131, 132, 133]
    widest = np.array([0] * 100 + [2] * 30)
    strength = np.r_[np.zeros(100), np.arange(30) - 14.5]  # furthest: both ends
    chosen = np.flatnonzero(named_mask(widest, strength))
    assert list(chosen) == [100, 101, 102, 103, 104, 125, 126, 127, 128, 129]
    # 150 authorities whose rates differ far more than chance: ten names on the plot
    rng = np.random.default_rng(14)
    sizes = rng.integers(50, 3000, 150)
    rates = rng.beta(2, 18, 150)
    frame = pd.DataFrame({"authority": [f"A{i}" for i in range(150)], "year": 2024,
                          "indicator": 3, "measure": "disciplinary",
                          "numerator": rng.binomial(sizes, rates), "denominator": sizes})
    placed = proportion_funnel(frame, "numerator", "denominator")
    assert (placed["position"] != "within limits").sum() > 10
    fig, alt = proportion_funnel_plot(placed, what="staff", denominator_label="staff",
                                      title="Crowded")
    assert len(fig.axes[0].texts) == 10
    assert "Named: 10 furthest" in fig.axes[0].get_legend_handles_labels()[1]
    assert alt.count("limit)") == (placed["position"] != "within limits").sum()


def test_funnel_plot_labels_authorities_outside_the_limits(view) -> None:
    rows = _rows(view.national, 6, "public")
    curve, unadjusted = _curves(drawn_rows(rows), view.levels)
    fig, alt = funnel_plot(rows, curve, reference_rl=1.2, unadjusted=unadjusted)
    ax = fig.axes[0]
    assert ax.get_yscale() == "log" and ax.get_xscale() == "log"
    assert "Relative likelihood" in ax.get_ylabel() and "Precision" in ax.get_xlabel()
    assert [t.get_text() for t in ax.texts] == ["Kestrel Bay"]
    assert "Kestrel Bay 1.7 (above 95% limit)" in alt
    assert "for 11 authorities" in alt
    assert "Eastmarsh (not submitted)" in alt
    assert "published national figure, 2023, 1.2" in alt


def test_funnel_plot_draws_widened_and_plain_limits_when_overdispersed(view) -> None:
    rows = _rows(view.national, 7, "managers")
    assert (rows["limits"] == ADJUSTED).all()
    curve, unadjusted = _curves(rows, view.levels)
    assert unadjusted is not None
    fig, alt = funnel_plot(rows, curve, unadjusted=unadjusted)
    labels = fig.axes[0].get_legend_handles_labels()[1]
    assert "95% limits, not widened" in labels and "99.8% limits" in labels
    assert "widened for overdispersion" in alt


def test_funnels_are_laid_out_as_matplotlibs_tight_layout_in_one_pass(view) -> None:
    from wres.present.figures.common import drawn_image

    rows = _rows(view.national, 7, "managers")
    curve, unadjusted = _curves(rows, view.levels)
    ours, theirs = (funnel_plot(rows, curve, unadjusted=unadjusted)[0] for _ in range(2))
    theirs.set_layout_engine("tight")
    assert np.array_equal(np.asarray(drawn_image(ours)), np.asarray(drawn_image(theirs)))
    frame = pd.DataFrame({"authority": [f"A{i}" for i in range(30)], "year": 2024,
                          "indicator": 3, "measure": "disciplinary",
                          "numerator": np.arange(30) + 3, "denominator": np.arange(30) * 20 + 90})
    placed = proportion_funnel(frame, "numerator", "denominator")
    ours, theirs = (proportion_funnel_plot(placed, what="staff", denominator_label="staff",
                                           title="Thirty")[0] for _ in range(2))
    theirs.set_layout_engine("tight")
    assert np.array_equal(np.asarray(drawn_image(ours)), np.asarray(drawn_image(theirs)))


def _drawn_extents(fig) -> tuple[list, list, object]:
    """The names' and the legend's boxes on the drawn figure (display pixels), and the figure's."""
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.text import Text

    canvas = FigureCanvasAgg(fig)
    canvas.draw()
    renderer = canvas.get_renderer()
    ax = fig.axes[0]
    names = [Text.get_window_extent(t, renderer) for t in ax.texts]  # the words, not a line
    return names, [ax.get_legend().get_window_extent(renderer)], fig.bbox


def test_names_on_a_crowded_funnel_never_overlap_and_stay_in_the_figure() -> None:
    # ten authorities far above the limits, bunched at about the same size and rate
    rng = np.random.default_rng(3)
    sizes = np.r_[rng.integers(80, 2000, 140), np.full(10, 400) + np.arange(10) * 6]
    rates = np.r_[np.full(140, 0.05), np.full(10, 0.30) + np.arange(10) * 0.002]
    frame = pd.DataFrame({"authority": [f"Authority number {i}" for i in range(150)],
                          "year": 2024, "indicator": 3, "measure": "disciplinary",
                          "numerator": np.round(sizes * rates).astype(int), "denominator": sizes})
    placed = proportion_funnel(frame, "numerator", "denominator")
    fig, _ = proportion_funnel_plot(placed, what="staff", denominator_label="staff",
                                    title="Crowded")
    names, legend, whole = _drawn_extents(fig)
    assert len(names) == 10
    for i, one in enumerate(names):
        assert whole.x0 <= one.x0 and one.x1 <= whole.x1 and whole.y0 <= one.y0
        for other in names[i + 1:]:
            assert not one.overlaps(other), (one, other)
    assert all(whole.x0 <= box.x0 and box.x1 <= whole.x1 for box in legend)


def test_a_funnel_plots_legend_fits_the_figure_with_every_kind_of_point(view) -> None:
    rows = _rows(view.national, 4, "fitness_to_practise")  # four authorities drawn at RL 0
    curve, unadjusted = _curves(drawn_rows(rows), view.levels)
    fig, _ = funnel_plot(rows, curve, reference_rl=1.2, unadjusted=unadjusted)
    labels = fig.axes[0].get_legend_handles_labels()[1]
    assert "RL 0: no minority ethnic staff\nhad the outcome" in labels
    _, legend, whole = _drawn_extents(fig)
    assert all(whole.x0 <= box.x0 and box.x1 <= whole.x1 for box in legend)


# --- proportion funnels ---------------------------------------------------------------------------


def _pooled_share_of_senior_managers() -> float:
    raw = pd.concat(pd.read_csv(p) for p in sorted(SAMPLE.glob("*.csv")))
    raw = raw[(raw["year"] == 2024) & (raw["indicator"] == 9)]
    minority = raw[~raw["ethnic_group"].isin(["white", "unknown"])]["numerator"].sum()
    white = raw[raw["ethnic_group"] == "white"]["numerator"].sum()
    return float(minority / (minority + white))


def test_senior_managers_share_is_placed_on_a_proportion_funnel_with_phe_limits(view) -> None:
    share = view.rates[view.rates["kind"] == SENIOR_SHARE].set_index("authority")
    assert len(share) == 12 and (share["indicator"] == 9).all()
    assert share["national_proportion"].iloc[0] == pytest.approx(
        _pooled_share_of_senior_managers(), rel=1e-12)
    assert share["national_proportion"].iloc[0] == pytest.approx(0.155975, abs=1e-6)
    # Brightwater: 29 of its 91 senior managers of known ethnicity are minority ethnic
    row = share.loc["Brightwater"]
    assert (row["numerator"], row["denominator"]) == (29, 91)
    p0 = share["national_proportion"].iloc[0]
    assert row["upper_998"] == pytest.approx(p0 + Z998 * math.sqrt(p0 * (1 - p0) / 91))
    assert row["position"] == "above 99.8% limit"
    assert share.loc["Ashbourne Vale", "position"] == "below 95% limit"


def test_minority_ethnic_rates_of_every_measure_are_on_proportion_funnels(view) -> None:
    rates = view.rates[view.rates["kind"] == RATE]
    assert sorted(set(zip(rates["indicator"], rates["measure"], strict=True))) == MEASURES
    disciplinary = rates[rates["indicator"] == 3]
    assert disciplinary["national_proportion"].iloc[0] == pytest.approx(
        disciplinary["numerator"].sum() / disciplinary["denominator"].sum())
    assert rates_sentence(disciplinary, "minority ethnic staff in post with this outcome") == (
        "Pooled over 12 authorities, the proportion of minority ethnic staff in post with this "
        "outcome was 2.9%. "
        "The limits are PHE's, not widened for overdispersion: 0 of 12 authorities are outside "
        "the 99.8% limits, where about 0.2% would be by chance alone, so a position there may "
        "reflect local circumstances as much as practice.")
    public = rates[rates["indicator"] == 6]
    assert public.set_index("authority").loc["Eastmarsh", "position"] == NOT_ASSESSED


def test_publication_profile_withholds_proportions_from_hidden_counts(public) -> None:
    shown = shown_rates(public)
    hidden = shown[shown["withheld"]]
    assert len(hidden) >= 1 and (hidden["position"] == WITHHELD).all()
    assert hidden[["numerator", "denominator", "proportion"]].isna().all().all()
    table = rates_table(shown[shown["kind"] == SENIOR_SHARE]).set_index("Authority")
    assert table.loc["Cindermoor", "Proportion"] == "[c]"
    assert table.loc["Brightwater", "Proportion"] == "31.9%"
    # the pooled proportion is of the published authorities only
    disciplinary = shown[(shown["kind"] == RATE) & (shown["indicator"] == 3)]
    kept = disciplinary[~disciplinary["withheld"]]
    assert disciplinary["national_proportion"].iloc[0] == pytest.approx(
        kept["numerator"].sum() / kept["denominator"].sum(), rel=1e-12)
    assert rates_sentence(disciplinary, "minority ethnic staff in post with this outcome",
                          withhold=True).startswith(
        "Pooled over 6 authorities, the proportion of minority ethnic staff in post with this "
        "outcome was ")
    assert "Totals are of the 6 authorities whose figures are published; 6 are left out" in (
        rates_sentence(disciplinary, "staff", withhold=True))


def test_proportion_funnel_plot_labels_only_authorities_outside_the_limits(view) -> None:
    share = view.rates[view.rates["kind"] == SENIOR_SHARE].reset_index(drop=True)
    fig, alt = proportion_funnel_plot(share, what="senior managers who are minority ethnic",
                                      denominator_label="senior managers", title="Share")
    labels = sorted(t.get_text() for t in fig.axes[0].texts)
    outside = sorted(share.loc[share["position"] != "within limits", "authority"])
    assert labels == outside and "Dovecote Fields" not in labels
    assert "Brightwater 31.9% (above 99.8% limit)" in alt


# --- the notebook -------------------------------------------------------------------------------


def test_wres_run_gives_the_national_view_each_authoritys_k_and_published_indicators(
        tmp_path: Path) -> None:
    from wres.batch.plan import plan_runs
    from wres.inputs.params import AuthorityParams

    members = [AuthorityParams(authority="Ashbourne Vale", years=[2024],
                               data=[SAMPLE / "ashbourne-vale.csv"]),
               AuthorityParams(authority="Cindermoor", years=[2024], min_count=10,
                               indicators=[2, 3, 9], data=[SAMPLE / "cindermoor.csv"])]

    def given(indicators: list[int] | None = None) -> dict:
        runs = plan_runs(members, tmp_path, indicators=indicators)
        return next(r.parameters for r in runs if r.notebook == "10-benchmark")

    everything = given()
    assert everything["min_counts"] == {"Ashbourne Vale": 5, "Cindermoor": 10}
    assert everything["published_indicators"] == {"Ashbourne Vale": list(range(1, 10)),
                                                  "Cindermoor": [2, 3, 9]}
    assert given([3, 10])["published_indicators"] == {"Ashbourne Vale": [3], "Cindermoor": [3]}
    assert given([10]) == everything  # only the national view: what the reports publish
    view = build_national_view(2024, [str(SAMPLE / "ashbourne-vale.csv"),
                                      str(SAMPLE / "cindermoor.csv")],
                               profile="publication", min_count=5,
                               min_counts=everything["min_counts"],
                               published_indicators=everything["published_indicators"])
    decided = view.published.groupby("authority")["indicator"].unique()
    assert sorted(decided["Cindermoor"]) == [2, 3, 9]
    cindermoor = view.national[view.national["authority"] == "Cindermoor"]
    assert cindermoor.loc[~cindermoor["indicator"].isin([2, 3]), "withheld"].all()


def test_notebook_runs_and_writes_national_csv(tmp_path: Path) -> None:
    import nbformat
    import papermill

    out = tmp_path / "10-benchmark.ipynb"
    papermill.execute_notebook(
        str(NOTEBOOK), str(out), kernel_name="python3", cwd=str(NOTEBOOK.parent),
        parameters={"data": [str(SAMPLE / "*.csv")], "params_dir": str(PARAMS),
                    "output_dir": str(tmp_path)},
        progress_bar=False,
    )
    frame = pd.read_csv(tmp_path / "national.csv")
    for column in ["authority", "year", "indicator", "measure", "relative_likelihood",
                   "national_rl", "lower_95", "upper_998", "limits", "position", "region"]:
        assert column in frame.columns
    assert set(frame["year"]) == {2024}
    for indicator, measure in MEASURES:
        assert _rows(frame, indicator, measure)["authority"].nunique() == 12
    html = "".join(
        str(output.get("data", {}).get("text/html", ""))
        for cell in nbformat.read(out, as_version=4).cells if cell.cell_type == "code"
        for output in cell.outputs
    )
    images = re.findall(r'<img src="data:image/png;base64,[^"]+" alt="([^"]*)"', html)
    ratios = [alt for alt in images if alt.startswith("Funnel plot of the relative likelihood")]
    shares = [alt for alt in images if alt.startswith("Funnel plot: Indicator")]
    assert len(ratios) == len(MEASURES)
    assert len(shares) == len(MEASURES) + 1  # each measure's rate and the senior managers
    assert len(images) == len(ratios) + len(shares)

