"""Plain-words findings: what a reader is told for each kind of result row."""

import numpy as np
import pandas as pd
import pytest
from scipy.stats.contingency import relative_risk
from statsmodels.stats.proportion import confint_proportions_2indep

from wres.present import narrative
from wres.present.narrative.changes import change_sentence, change_sentences
from wres.present.narrative.findings import finding, findings
from wres.present.narrative.sentences import (
    not_submitted_message,
    not_submitted_section,
    pay_band_sentence,
    senior_share_sentence,
    unknown_sentence,
)


def result_row(n1=20, d1=310, n0=15, d0=610, **overrides):
    """A results-format row whose ratio and Katz interval come from scipy."""
    rr = relative_risk(n1, d1, n0, d0)
    ci = rr.confidence_interval(0.95)
    row = {
        "authority": "Northshire",
        "year": 2024,
        "indicator": 3,
        "measure": "disciplinary",
        "service": "adults",
        "group": "minority",
        "reference_group": "white",
        "numerator": n1,
        "denominator": d1,
        "rate": n1 / d1,
        "reference_numerator": n0,
        "reference_denominator": d0,
        "reference_rate": n0 / d0,
        "relative_likelihood": rr.relative_risk,
        "rl_lower": ci.low,
        "rl_upper": ci.high,
        "ci_method": "katz-log",
        "confidence_level": 0.95,
        "flag": "above",
        "significant": True,
        "status": "ok",
    }
    row.update(overrides)
    return row


def test_issue_example_word_for_word():
    assert finding(result_row()) == (
        "Minority ethnic staff in adults' services were 2.6 times as likely as white staff "
        "to enter the formal disciplinary process (95% CI 1.4 to 5.1; 20 of 310 minority "
        "ethnic and 15 of 610 white staff). This is above the 1.25 threshold and "
        "significantly different from 1; a higher likelihood is adverse for minority ethnic "
        "staff."
    )


def test_confidence_level_comes_from_the_row():
    text = finding(result_row(confidence_level=0.90, rl_lower=1.5, rl_upper=4.6))
    assert "(90% CI 1.5 to 4.6;" in text


def test_below_is_adverse_for_appointment_and_less_likely_is_said_plainly():
    row = result_row(
        indicator=2, measure="appointed", service="children", relative_likelihood=0.62,
        rl_lower=0.45, rl_upper=0.85, flag="below", significant=True,
        n1=40, d1=200, n0=80, d0=250,
    )
    assert finding(row) == (
        "Minority ethnic staff in children's services were less likely than white staff to "
        "be appointed from shortlisting: 0.62 times as likely (95% CI 0.45 to 0.85; "
        "40 of 200 minority ethnic and 80 of 250 white staff). This is below the 0.80 "
        "threshold and significantly different from 1; a lower likelihood is adverse for "
        "minority ethnic staff."
    )


def test_above_threshold_is_not_adverse_where_below_is_adverse():
    row = result_row(indicator=5, measure="cpd", flag="above", significant=False)
    assert finding(row).endswith(
        "This is above the 1.25 threshold but not significantly different from 1; a higher "
        "likelihood is not adverse for minority ethnic staff."
    )


def test_within_range_and_not_significant_has_no_direction_words():
    row = result_row(relative_likelihood=1.1, rl_lower=0.9, rl_upper=1.3, flag="within",
                     significant=False)
    assert finding(row).endswith(
        "This is within the 0.80 to 1.25 range and not significantly different from 1."
    )


def test_flag_is_worked_out_from_thresholds_when_missing():
    row = result_row(flag="", relative_likelihood=1.3, rl_lower=1.1, rl_upper=1.6)
    assert "above the 1.40 threshold" not in finding(row, thresholds=(0.7, 1.4))
    assert "within the 0.70 to 1.40 range" in finding(row, thresholds=(0.7, 1.4))


def test_small_numbers_warn_that_the_interval_is_wide():
    row = result_row(n1=3, d1=40, n0=2, d0=300)
    assert finding(row).endswith("This is based on 5 cases; the interval is wide.")
    leavers = result_row(n1=3, d1=40, n0=8, d0=300, indicator=8, measure="leavers")
    assert finding(leavers).endswith("This is based on 11 leavers; the interval is wide.")
    assert "interval is wide" not in finding(result_row())


def test_no_events_in_the_group_is_a_likelihood_of_zero():
    row = result_row(n1=0, relative_likelihood=0.0, rl_lower=np.nan, rl_upper=np.nan,
                     flag="below", significant=None)
    assert finding(row) == (
        "No minority ethnic staff in adults' services entered the formal disciplinary "
        "process: a relative likelihood of 0 (0 of 310 minority ethnic and 15 of 610 white "
        "staff). This is below the 0.80 threshold; a lower likelihood is not adverse for "
        "minority ethnic staff. This is based on 15 cases; the interval is wide."
    )


def test_broad_groups_are_named_in_words():
    assert finding(result_row(group="asian")).startswith(
        "Asian staff in adults' services were 2.6 times as likely as white staff"
    )
    assert "20 of 310 Asian and 15 of 610 white staff" in finding(result_row(group="asian"))
    mixed = finding(result_row(group="mixed", service="all"))
    assert mixed.startswith("Staff of mixed ethnicity in all services were")
    assert "20 of 310 staff of mixed ethnicity and 15 of 610 white staff" in mixed
    other = finding(result_row(group="other", service="fostering"))
    assert other.startswith("Staff from other ethnic groups in fostering services were")


def test_no_events_in_the_reference_group():
    row = result_row(
        indicator=7, measure="colleagues", n0=0, relative_likelihood=np.nan,
        rl_lower=np.nan, rl_upper=np.nan, flag="", significant=None,
        status="not_computable: no events in the reference group",
    )
    assert finding(row) == (
        "No white staff in adults' services reported harassment, bullying or abuse from "
        "colleagues, so the likelihood cannot be compared (20 of 310 minority ethnic and "
        "0 of 610 white staff)."
    )


def test_no_events_among_white_staff_is_said_with_the_exact_test():
    # Marrowfield 2022, fitness to practise, all services (the issue's example)
    row = result_row(
        indicator=4, measure="fitness_to_practise", service="all", n1=9, d1=536, n0=0,
        d0=336, relative_likelihood=np.nan, rl_lower=1.4788, rl_upper=np.nan, flag="",
        significant=True, p_value=0.014955, status="not_computable: no events in the "
        "reference group",
    )
    assert finding(row) == (
        "Minority ethnic staff in all services were more likely than white staff to enter "
        "fitness to practise proceedings; no ratio can be given because no white staff had "
        "this outcome; p = 0.015 (9 of 536 minority ethnic and 0 of 336 white staff). This "
        "is significant by Fisher's exact test, and the relative likelihood is at least 1.5 "
        "(the lower limit of its 95% interval, which has no upper limit); a higher "
        "likelihood is adverse for minority ethnic staff. This is based on 9 cases."
    )
    not_significant = finding({**row, "n1": 2, "significant": False, "p_value": 0.31})
    assert "; p = 0.31 (" in not_significant
    assert "This is not significant by Fisher's exact test;" in not_significant
    adjusted = finding({**row, "p_adjusted": 0.13, "significant": False})
    assert "p = 0.015, or 0.13 after adjusting for multiple comparisons (" in adjusted
    assert "not significant by Fisher's exact test after adjusting" in adjusted
    # withheld figures: the plain sentence, quoting nothing withheld
    hidden = finding({**row, "numerator": "[c]", "p_value": "[c]", "significant": "[c]"})
    assert hidden.startswith("No white staff in all services entered fitness to practise")
    assert "p =" not in hidden


def test_no_events_in_either_group():
    row = result_row(
        indicator=4, measure="fitness_to_practise", n1=0, n0=0, relative_likelihood=np.nan,
        flag="", status="not_computable: no events in either group",
    )
    assert finding(row).startswith(
        "Neither minority ethnic staff nor white staff in adults' services entered fitness to "
        "practise proceedings, so the likelihood cannot be compared"
    )


@pytest.mark.parametrize(
    ("reason", "who"),
    [("no one in the group", "Black staff"), ("no one in the reference group", "white staff")],
)
def test_no_one_in_a_group(reason, who):
    row = result_row(indicator=2, measure="appointed", group="black",
                     status=f"not_computable: {reason}", relative_likelihood=np.nan)
    assert finding(row) == (
        f"No {who} were counted among the shortlisted applicants in adults' services, "
        "so the likelihood cannot be compared."
    )


def test_suppressed_counts_are_withheld_not_quoted():
    row = result_row(relative_likelihood="[c]", rl_lower="[c]", rl_upper="[c]")
    row["numerator"] = "[c]"
    text = finding(row)
    assert text == (
        "How likely minority ethnic staff in adults' services were, compared with white "
        "staff, to enter the formal disciplinary process is not shown: figures are withheld "
        "because fewer than 5 staff are involved."
    )
    assert "310" not in text


def test_findings_from_an_object_column_frame_are_ordered_all_adults_children():
    frame = pd.DataFrame(
        [
            {**result_row(service="children"), "numerator": "[c]"},
            result_row(service="adults"),
            result_row(service="all", n1=27, d1=420),
        ],
        dtype=object,
    )
    texts = findings(frame)
    assert [t.split(" were")[0].split(" in ")[1] for t in texts[:2]] == [
        "all services", "adults' services"
    ]
    assert "children's services" in texts[2] and "withheld" in texts[2]


def test_pay_band_label_drops_the_word_band():
    row = result_row(indicator=1, measure="Band C", flag="below", relative_likelihood=0.5,
                     rl_lower=0.3, rl_upper=0.8)
    assert "to be in pay band C:" in finding(row)
    assert "adverse" not in finding(row)


def test_unknown_sentence():
    row = result_row(d1=310, d0=261, unknown_denominator=45, rl_if_unknown_white=2.41,
                     rl_if_unknown_minority=2.93)
    assert unknown_sentence(row) == (
        "In adults' services, ethnicity was not known for 7.3% of staff in post (45 of 616); "
        "if all of them were white the ratio would be 2.4, if all were minority ethnic 2.9."
    )
    ranged = unknown_sentence({**row, "rl_range_lower": 1.7826, "rl_range_upper": 3.4127})
    assert ranged.endswith(
        "if all were minority ethnic 2.9. Over every way their ethnicity could fall (those "
        "with and without the outcome apart), the ratio would be between 1.8 and 3.4: the "
        "range if ethnicity were known."
    )
    unbounded = unknown_sentence({**row, "rl_range_lower": 1.2, "rl_range_upper": np.nan})
    assert "the ratio would be at least 1.2, with no upper limit" in unbounded
    assert unknown_sentence(result_row(unknown_denominator=0)) == (
        "In adults' services, ethnicity was known for all staff in post."
    )
    assert "withheld" in unknown_sentence(result_row(unknown_denominator="[c]"))
    with pytest.raises(ValueError, match="minority"):
        unknown_sentence(result_row(group="asian", unknown_denominator=3))


def test_change_sentence_no_significant_change():
    change = {"rl_ratio": 0.74, "rl_ratio_lower": 0.45, "rl_ratio_upper": 1.21,
              "p_value": 0.23, "change": "no significant change"}
    assert change_sentence(change, previous_year=2023, previous_rl=1.9, current_rl=1.4) == (
        "Since 2023 the relative likelihood fell from 1.9 to 1.4 (ratio 0.74, 95% CI 0.45 to "
        "1.21; p = 0.23): no significant change."
    )


def test_change_sentence_significant_rise_that_worsens():
    change = {"rl_ratio": 2.1, "rl_ratio_lower": 1.3, "rl_ratio_upper": 3.4,
              "p_value": 0.0004, "change": "worsened", "confidence_level": 0.9}
    assert change_sentence(change, previous_year=2022, previous_rl=1.2, current_rl=2.5) == (
        "Since 2022 the relative likelihood rose from 1.2 to 2.5 (ratio 2.10, 90% CI 1.30 to "
        "3.40; p < 0.001): a significant rise, a worsening."
    )


def test_change_sentence_not_computable():
    change = {"rl_ratio": np.nan, "change": "not computable: no relative likelihood last year"}
    assert change_sentence(change, previous_year=2023, previous_rl=np.nan, current_rl=1.4)\
        .endswith("the change cannot be tested (no relative likelihood last year).")


def test_not_submitted_message():
    assert not_submitted_message(4, 2024, "Northshire") == (
        "Indicator 4 (fitness to practise) was not submitted for 2024 by Northshire."
    )
    assert "(funded non-mandatory CPD)" in not_submitted_message(5, 2024, "Northshire")


def test_not_submitted_section_says_why_the_section_is_empty():
    assert not_submitted_section("figure", 2024) == "Not submitted for 2024, so there is no figure."
    assert not_submitted_section("change", 2023) == (
        "Not submitted for 2023, so no change since last year can be given.")
    with pytest.raises(KeyError, match="'table'"):
        not_submitted_section("table", 2024)


def _two_years(measures=("disciplinary",), indicator=3):
    """Two years of results (2023, 2024) for every service, from counts, and their changes."""
    from wres.analysis.change import year_on_year
    from wres.analysis.results import compute_results

    counts = pd.DataFrame(
        [{"authority": "Northshire", "year": year, "service": service, "indicator": indicator,
          "measure": measure, "ethnic_group": group, "denominator": d, "numerator": n}
         for year in (2023, 2024) for measure in measures
         for service, scale in (("adults", 1), ("children", 2))
         for group, d, n in (("white", 600, 15 * scale), ("minority", 300, 20 + year % 2))])
    results = compute_results(counts)
    return results, year_on_year(results, 2024)


def _withhold(results, **where):
    """``results`` with the ratio of the rows matching ``where`` shown as [c]."""
    shown = results.astype({"relative_likelihood": object})
    chosen = np.logical_and.reduce([shown[k] == v for k, v in where.items()])
    shown.loc[chosen, "relative_likelihood"] = "[c]"
    return shown


def _withheld_keys(shown, changes):
    from wres.analysis.disclosure import withheld_changes

    return withheld_changes(changes, shown)


def test_a_change_withheld_because_of_last_year_says_so():
    results, changes = _two_years()
    shown = _withhold(results, year=2023, service="all")
    lines = change_sentences(changes, withheld=_withheld_keys(shown, changes), shown=shown)
    assert lines[0] == ("Total: Last year's figure was withheld to protect small counts, so no "
                        "change can be given.")
    assert lines[1].startswith("Adults: Since 2023 the relative likelihood")
    assert len(lines) == 3


def test_services_withheld_for_the_same_reason_share_one_sentence():
    results, changes = _two_years()
    shown = _withhold(_withhold(results, year=2024, service="adults"), year=2024,
                      service="children")
    shown = _withhold(shown, year=2023, service="children")
    lines = change_sentences(changes, withheld=_withheld_keys(shown, changes), shown=shown)
    assert lines[1:] == [
        "Adults: This year's figure is withheld to protect small counts, so no change can be "
        "given.",
        "Children: This year's and last year's figures are withheld to protect small counts, "
        "so no change can be given."]
    shown = _withhold(results, year=2024)
    lines = change_sentences(changes, withheld=_withheld_keys(shown, changes), shown=shown)
    assert lines == ["Total, Adults and Children: This year's figures are withheld to protect "
                     "small counts, so no change can be given."]


def test_without_the_published_rows_a_withheld_change_is_still_explained():
    results, changes = _two_years()
    shown = _withhold(results, year=2023, service="all")
    lines = change_sentences(changes, withheld=_withheld_keys(shown, changes))
    assert lines[0] == ("Total: The change since 2023 is not shown, because a figure in one of "
                        "the two years is withheld to protect small numbers of staff.")


def test_change_sentences_name_the_measure_only_when_there_are_several():
    results, changes = _two_years(measures=("colleagues", "managers"), indicator=7)
    lines = change_sentences(changes)
    assert len(lines) == 6
    assert lines[0].startswith("Total, report harassment, bullying or abuse from colleagues: "
                               "Since 2023 the relative likelihood")
    assert change_sentences(changes.iloc[0:0]) == [
        "No earlier year was submitted, so there is no change to report."]


def test_senior_share_sentence():
    row = result_row(indicator=9, measure="senior_managers", service="all",
                     n1=6, d1=150, n0=44, d0=450)
    assert senior_share_sentence(row) == (
        "In all services, minority ethnic staff were 12.0% of senior managers (6 of 50) and "
        "26.2% of the rest of the workforce (144 of 550), of those whose ethnicity is known: "
        "14.2 percentage points lower. Against the whole workforce (25.0%, 150 of 600) the "
        "share among senior managers is 13.0 percentage points lower (95% CI 1.7 to 19.8 "
        "points lower); senior managers are part of the workforce, so this is worked out "
        "from the comparison with the rest."
    )
    # the interval is Newcombe's for senior managers against the rest, scaled by 550/600
    low, high = confint_proportions_2indep(6, 50, 144, 550, compare="diff", method="newcomb")
    assert (-100 * high * 550 / 600, -100 * low * 550 / 600) == pytest.approx((1.7, 19.8),
                                                                              abs=0.05)
    assert "withheld" in senior_share_sentence({**row, "numerator": "[c]"})


def test_pay_band_sentence():
    row = result_row(indicator=1, measure="band_3", n1=5, d1=40, n0=30, d0=150)
    assert pay_band_sentence(row) == (
        "In adults' services, 12.5% of minority ethnic staff (5 of 40) and 20.0% of white "
        "staff (30 of 150) were in pay band 3: 7.5 percentage points lower."
    )


def test_values_read_from_csv_strings():
    assert narrative.as_number("2.5") == 2.5
    assert narrative.as_number("[c]") is None
    assert narrative.as_number(np.inf) is None
    assert narrative.as_bool("False") is False
    assert narrative.as_bool(pd.NA) is None


def test_findings_with_compute_results():
    from wres.analysis import results as results_module
    counts = pd.DataFrame(
        {
            "authority": "Northshire",
            "year": 2024,
            "service": ["adults", "adults", "children", "children"],
            "indicator": 3,
            "measure": "disciplinary",
            "ethnic_group": ["white", "minority", "white", "minority"],
            "denominator": [610, 310, 190, 110],
            "numerator": [15, 20, 0, 9],
        }
    )
    results = results_module.compute_results(counts)
    texts = findings(results)
    assert texts[0].startswith("Minority ethnic staff in all services were")
    assert texts[1].startswith(
        "Minority ethnic staff in adults' services were 2.6 times as likely"
    )
    assert texts[2].startswith(
        "Minority ethnic staff in children's services were more likely than white staff to "
        "enter the formal disciplinary process; no ratio can be given because no white staff "
        "had this outcome; p < 0.001 (9 of 110 minority ethnic and 0 of 190 white staff). "
        "This is significant by Fisher's exact test")


# --- how many comparisons, and what chance alone would flag ---------------------------------


def _page(rows: list[dict]) -> pd.DataFrame:
    return pd.DataFrame(rows, dtype=object)


def test_a_page_says_how_many_comparisons_it_makes_and_what_chance_would_flag():
    rows = [result_row(service=s, group=g, significant=s == "all" and g == "minority",
                       comparison="primary" if (s, g) == ("all", "minority") else "exploratory")
            for s in ("adults", "children", "all") for g in ("minority", "asian", "black")]
    rows.append(result_row(service="all", group="mixed", status="not_computable: no events in "
                           "either group", significant=None, comparison="exploratory"))
    lines = narrative.comparisons_sentences(_page(rows))
    assert lines == [
        "This page makes 9 comparisons with white staff: 1 primary (minority ethnic against "
        "white staff in all services) and 8 exploratory (each service or broad ethnic group).",
        "If there were no real differences, about 0.45 of the 9 would still be significantly "
        "different from 1 by chance alone at the 95% level; 1 is.",
        "For the primary comparison alone the chance of that is 5%; it is significant.",
        "Significance is not adjusted for multiple comparisons, so read exploratory results "
        "as pointers for a closer look rather than as findings.",
    ]
    holm = narrative.comparisons_sentences(_page(rows), adjust="holm", confidence_level=0.99,
                                           scope="This year's report")
    assert holm[0].startswith("This year's report makes 9 comparisons")
    assert "about 0.09 of the 9" in holm[1] and "at the 99% level" in holm[1]
    assert holm[-1] == (
        "Significance is adjusted for multiple comparisons by Holm's method, within each "
        "indicator (all its measures, services and groups for the year), which keeps the "
        "chance of any false finding among them to 1%.")
    assert "expected share of false findings" in narrative.adjustment_sentence("fdr_bh")
    assert narrative.comparisons_sentences(_page(rows).iloc[:0]) == []


def test_withheld_comparisons_are_counted_apart_and_reveal_nothing():
    rows = [result_row(service="all", comparison="primary"),
            {**result_row(service="adults", comparison="exploratory"), "status": "[c]",
             "significant": "[c]"},
            {**result_row(service="children", comparison="exploratory"), "status": "[c]",
             "significant": "[c]"}]
    first = narrative.comparisons_sentences(_page(rows))[0]
    assert first == ("This page makes 1 comparison with white staff (2 more are withheld to "
                     "protect small numbers of staff): 1 primary (minority ethnic against "
                     "white staff in all services).")
    assert narrative.comparisons_sentences(_page(rows[1:])) == [
        "This page makes 2 comparisons with white staff; all their figures are withheld to "
        "protect small numbers of staff."]


def test_pay_bands_have_no_primary_comparison():
    rows = [result_row(indicator=1, measure=band, service="all", comparison="exploratory",
                       significant=False) for band in ("Band A", "Band B")]
    assert narrative.comparisons_sentences(_page(rows))[0] == (
        "This page makes 2 comparisons with white staff, all exploratory (each pay band).")


def test_the_results_note_names_the_number_of_tests_and_the_adjustment():
    rows = _page([result_row(significant=True), result_row(significant=False)])
    note = narrative.results_note(rows, "none", 0.95)
    assert note.startswith("2 comparisons tested, 1 significant; at the 95% level about 0.1 "
                           "would be significant by chance alone")
    assert "--adjust holm or fdr_bh" in note
    assert "Benjamini–Hochberg" in narrative.results_note(rows, "fdr_bh", 0.95)


def test_p_values_are_not_rounded_onto_the_5_percent_line():
    assert narrative.format_p_value(0.014955) == "p = 0.015"
    assert narrative.format_p_value(0.0505) == "p = 0.051"
    assert narrative.format_p_value(0.23) == "p = 0.23"
    assert narrative.format_p_value(0.0004) == "p < 0.001"


def test_an_adjusted_significance_says_so_beside_an_interval_that_excludes_1():
    text = finding(result_row(significant=False, p_value=0.03, p_adjusted=0.21))
    assert text.endswith(
        "This is above the 1.25 threshold but not significantly different from 1 after "
        "adjusting for multiple comparisons; a higher likelihood is adverse for minority "
        "ethnic staff.")
