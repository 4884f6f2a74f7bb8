"""Action-plan and summary tables, and their accessible HTML with marked count cells."""

import re

import numpy as np
import pandas as pd
import pytest

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
