"""Action-plan and summary tables, and their accessible HTML with marked count cells."""

import re

import numpy as np
import pandas as pd
import pytest

from wres.present.council import (
    council_html,
    council_table,
    pay_band_table,
    summary_council_table,
)
from wres.present.tables import action_plan_table, summary_table, to_html


def row(service, n1, d1, n0, d0, **overrides):
    values = {
        "authority": "Northshire",
        "year": 2024,
        "indicator": 3,
        "measure": "disciplinary",
        "service": service,
        "group": "minority",
        "reference_group": "white",
        "numerator": n1,
        "denominator": d1,
        "rate": 0.0645,
        "rate_lower": 0.0421,
        "rate_upper": 0.0977,
        "reference_numerator": n0,
        "reference_denominator": d0,
        "reference_rate": 0.0246,
        "reference_rate_lower": 0.0149,
        "reference_rate_upper": 0.0402,
        "relative_likelihood": 2.6237,
        "rl_lower": 1.3624,
        "rl_upper": 5.0527,
        "confidence_level": 0.95,
        "flag": "above",
        "significant": True,
        "status": "ok",
    }
    values.update(overrides)
    return values


@pytest.fixture
def results():
    return pd.DataFrame(
        [
            row("adults", 20, 310, 15, 610),
            row("children", 9, 110, 0, 190, relative_likelihood=np.nan, rl_lower=np.nan,
                rl_upper=np.nan, flag="", significant=None,
                status="not_computable: no events in the reference group"),
            row("all", 29, 420, 15, 800, relative_likelihood=0.75, rl_lower=0.6,
                rl_upper=0.95, flag="below", significant=True),
            row("adults", 20, 310, 15, 610, group="asian"),
        ],
        dtype=object,
    )


def test_action_plan_rows_are_total_adults_children(results):
    table = action_plan_table(results)
    assert list(table["Service"]) == ["Total", "Adults", "Children"]
    assert list(table.columns) == [
        "Measure", "Service", "Minority ethnic n", "Minority ethnic N",
        "Minority ethnic rate (95% CI)", "White n", "White N", "White rate (95% CI)",
        "Relative likelihood (95% CI)", "Flag", "Significant",
    ]
    adults = table.iloc[1]
    assert adults["Measure"] == "Enter the formal disciplinary process"
    assert adults["Minority ethnic rate (95% CI)"] == "6.5% (4.2–9.8)"
    assert adults["White rate (95% CI)"] == "2.5% (1.5–4.0)"
    assert adults["Relative likelihood (95% CI)"] == "2.62 (1.36–5.05)"
    assert (adults["Minority ethnic n"], adults["White N"]) == (20, 610)
    assert list(table["Flag"]) == ["▼ below", "▲ above", "not computable"]
    assert list(table["Significant"]) == ["Yes", "Yes", ""]
    assert table.iloc[2]["Relative likelihood (95% CI)"] == "not computable"


def test_no_white_events_show_the_lower_limit_and_the_exact_test(results):
    children = {**results.iloc[1].to_dict(), "rl_lower": 4.1, "significant": True,
                "p_value": 0.0004}
    table = action_plan_table(pd.DataFrame([children], dtype=object))
    assert table.iloc[0]["Relative likelihood (95% CI)"] == "not computable; at least 4.10"
    assert table.iloc[0]["Flag"] == "not computable"
    assert table.iloc[0]["Significant"] == "Yes"  # from the exact test
    withheld = {**children, "numerator": "[c]", "rl_lower": "[c]", "significant": "[c]"}
    table = action_plan_table(pd.DataFrame([withheld], dtype=object))
    assert table.iloc[0]["Relative likelihood (95% CI)"] == "not computable"
    assert table.iloc[0]["Significant"] == "[c]"


def test_action_plan_for_a_broad_group_names_its_columns(results):
    table = action_plan_table(results, group="asian", decimals=1)
    assert "Asian rate (95% CI)" in table.columns
    assert table.iloc[0]["Relative likelihood (95% CI)"] == "2.6 (1.4–5.1)"
    with pytest.raises(ValueError, match="no results rows for group 'black'"):
        action_plan_table(results, group="black")


def test_action_plan_refuses_to_mix_years(results):
    later = results.assign(year=2025)
    with pytest.raises(ValueError, match="one year"):
        action_plan_table(pd.concat([results, later]))


def test_suppressed_counts_withhold_their_rate_ratio_and_flag(results):
    results.loc[0, "numerator"] = "[c]"
    table = action_plan_table(results)
    adults = table.iloc[1]
    assert adults["Minority ethnic n"] == "[c]"
    assert adults["Minority ethnic rate (95% CI)"] == "[c]"
    assert adults["Relative likelihood (95% CI)"] == "[c]"
    assert adults["Flag"] == "[c]"
    assert adults["White rate (95% CI)"] == "2.5% (1.5–4.0)"


def test_html_marks_every_count_cell(results):
    results.loc[0, "numerator"] = "[c]"
    html = to_html(action_plan_table(results), caption="Indicator 3: formal disciplinary")
    assert "<caption>Indicator 3: formal disciplinary</caption>" in html
    assert html.count('<th scope="col">') == 11
    assert html.count('<th scope="row">') == 3
    counts = re.findall(r'<td class="count" data-count="(\d+)">(\d+)</td>', html)
    assert all(attribute == shown for attribute, shown in counts)
    assert sorted(int(c) for c, _ in counts) == sorted(
        [29, 420, 15, 800, 310, 15, 610, 9, 110, 0, 190]
    )
    assert '<td class="count">[c]</td>' in html
    assert 'class="flag-below"' in html


def test_html_escapes_text_and_checks_named_columns():
    table = pd.DataFrame({"Group": ["<b>A & B</b>"], "Staff": [12]}, dtype=object)
    html = to_html(table, count_columns=["Staff"], include_style=False)
    assert html.startswith('<table class="wres-table">')
    assert "&lt;b&gt;A &amp; B&lt;/b&gt;" in html
    assert '<td class="count" data-count="12">12</td>' in html
    with pytest.raises(KeyError, match="Missing"):
        to_html(table, count_columns=["Missing"])


def test_summary_table_one_row_per_measure_with_change(results):
    seven = pd.DataFrame(
        [
            row("all", 35, 140, 38, 280, indicator=7, measure="colleagues",
                relative_likelihood=1.1, rl_lower=0.9, rl_upper=1.3, flag="within",
                significant=False),
        ],
        dtype=object,
    )
    both = pd.concat([results, seven], ignore_index=True)
    changes = pd.DataFrame(
        {"indicator": [3, 3], "measure": ["disciplinary"] * 2, "service": ["all", "adults"],
         "change": ["worsened", "improved"]}
    )
    table = summary_table(both, changes=changes)
    assert list(table.columns) == [
        "Indicator", "Measure", "Total", "Adults", "Children", "Change since last year"
    ]
    assert table.iloc[0].to_dict() == {
        "Indicator": "3",
        "Measure": "Enter the formal disciplinary process",
        "Total": "0.75 (0.60–0.95) ▼ below",
        "Adults": "2.62 (1.36–5.05) ▲ above",
        "Children": "not computable",
        "Change since last year": "worsened",
    }
    assert table.iloc[1]["Total"] == "1.10 (0.90–1.30) ● within"
    assert table.iloc[1]["Adults"] == ""
    assert table.iloc[1]["Change since last year"] == ""


def test_summary_table_takes_changes_indexed_like_the_results(results):
    changes = pd.DataFrame({"change": ["no significant change"]}, index=[2])
    table = summary_table(results, changes=changes)
    assert table.iloc[0]["Change since last year"] == "no significant change"


def test_published_table_html_passes_the_disclosure_checker():
    from wres.analysis import disclosure
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
            "numerator": [15, 20, 6, 3],
        }
    )
    published = disclosure.apply_disclosure(results_module.compute_results(counts))
    html = to_html(action_plan_table(published))
    assert '<td class="count">[c]</td>' in html
    assert disclosure.find_small_counts(html) == []
    unsafe = to_html(action_plan_table(results_module.compute_results(counts)))
    assert disclosure.find_small_counts(unsafe) != []


# --- the councils' layout -------------------------------------------------------------------


def test_council_table_rows_are_the_two_rates_and_the_likelihood(results):
    table = council_table(results)
    assert list(table.index) == ["Rate among white staff", "Rate among minority ethnic staff",
                                 "Relative likelihood"]
    assert list(table.columns) == ["Total", "Adults", "Children"]
    assert table["Adults"].tolist() == ["2.5%", "6.5%", "2.62"]  # 2.46% and 6.45%, RL 2.6237
    assert table["Total"].tolist() == ["2.5%", "6.5%", "0.75"]
    # no white staff in children's services had the outcome: no ratio, said once
    assert table.loc["Relative likelihood", "Children"] == "not computable"


def test_council_table_follows_the_rates_of_the_rows():
    rows = pd.DataFrame([row("all", 7, 268, 19, 1854, rate=7 / 268, reference_rate=19 / 1854,
                             relative_likelihood=(7 / 268) / (19 / 1854))], dtype=object)
    table = council_table(rows)
    assert table["Total"].tolist() == ["1.0%", "2.6%", "2.55"]


def test_council_table_shows_withheld_figures_as_the_marker(results):
    results.loc[0, ["numerator", "relative_likelihood"]] = "[c]"  # adults, minority ethnic
    table = council_table(results)
    assert table["Adults"].tolist() == ["2.5%", "[c]", "[c]"]  # white staff's rate stays


def test_council_table_for_one_measure_of_several(results):
    seven = pd.DataFrame([row(s, 30, 200, 40, 400, indicator=7, measure=m, rate=0.15,
                              reference_rate=0.1, relative_likelihood=1.5)
                          for m in ("colleagues", "managers") for s in ("all", "adults")],
                         dtype=object)
    with pytest.raises(ValueError, match="several measures"):
        council_table(seven)
    table = council_table(seven, measure="managers")
    assert list(table.columns) == ["Total", "Adults"]
    assert table["Total"].tolist() == ["10.0%", "15.0%", "1.50"]


def test_pay_band_table_puts_bands_in_rows_and_services_over_columns():
    rows = pd.DataFrame([row(s, n1, 160, n0, 420, indicator=1, measure=band, rate=n1 / 160,
                             reference_rate=n0 / 420, relative_likelihood=(n1 / 160) / (n0 / 420))
                         for band, n1, n0 in (("Band A", 90, 190), ("Band B", 55, 150))
                         for s in ("all", "adults")], dtype=object)
    table = pay_band_table(rows)
    assert list(table.index) == ["Band A", "Band B"] and table.index.name == "Pay band"
    assert list(dict.fromkeys(table.columns.get_level_values(0))) == ["Total", "Adults"]
    assert table.loc["Band A", "Total"].tolist() == ["45.2%", "56.2%", "1.24"]
    html = council_html(table, caption="Pay bands")
    assert html.count('<th scope="colgroup" colspan="3">') == 2
    assert '<th scope="col" rowspan="2">Pay band</th>' in html
    assert html.count('<th scope="col">') == 6  # three under each service
    assert html.count('<th scope="row">') == 2


def test_summary_council_table_words_the_flag_and_significance(results):
    table = summary_council_table(results)
    assert list(table.index) == ["3. Formal disciplinary process"]
    assert table.iloc[0].tolist() == ["0.75 ▼ below, significant", "2.62 ▲ above, significant",
                                      "not computable"]
    results.loc[2, "significant"] = False
    assert summary_council_table(results).iloc[0, 0] == "0.75 ▼ below, not significant"
    results.loc[2, ["relative_likelihood", "numerator"]] = "[c]"
    assert summary_council_table(results).iloc[0, 0] == "[c]"


def test_council_html_has_a_caption_and_scoped_headers_and_never_wraps_a_figure(results):
    html = council_html(council_table(results), caption="Disciplinary, <Northshire> 2024")
    assert "<caption>Disciplinary, &lt;Northshire&gt; 2024</caption>" in html
    assert re.findall(r'<th scope="col">([^<]*)</th>', html) == ["Total", "Adults", "Children"]
    assert re.findall(r'<th scope="row">([^<]*)</th>', html) == [
        "Rate among white staff", "Rate among minority ethnic staff", "Relative likelihood"]
    assert html.count('<td class="num">') == 9 and "white-space: nowrap" in html
    assert '<td class="num flag' not in html  # the three-row table carries numbers only


def test_html_keeps_an_interval_on_one_line_and_names_a_measure_once(results):
    seven = pd.DataFrame([row(s, 30, 200, 40, 400, indicator=7, measure=m,
                              relative_likelihood=1.5, rl_lower=1.1, rl_upper=2.0)
                          for m in ("colleagues", "managers") for s in ("all", "adults")],
                         dtype=object)
    html = to_html(action_plan_table(seven), row_groups="Measure", include_style=False)
    assert html.count('<td class="nowrap">1.50 (1.10–2.00)</td>') == 4
    groups = re.findall(r'<th scope="rowgroup" colspan="10">([^<]*)</th>', html)
    assert groups == ["Report harassment, bullying or abuse from colleagues",
                      "Report harassment, bullying or abuse from managers"]
    assert html.count("<tbody>") == 2 and "Measure" not in html
    assert re.findall(r'<th scope="row">([^<]*)</th>', html) == ["Total", "Adults"] * 2
