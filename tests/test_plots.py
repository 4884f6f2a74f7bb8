"""Figures: what each one draws and says in its alt text (images are not compared)."""

import base64

import numpy as np
import pandas as pd
import pytest
from matplotlib.figure import Figure
from matplotlib.patches import Rectangle
from statsmodels.stats.proportion import proportion_confint

from wres.plots import figure_to_html, forest_plot, pay_band_plot, senior_management_plot


def row(service, n1, d1, n0, d0, **overrides):
    values = {
        "authority": "Northshire", "year": 2024, "indicator": 3, "measure": "disciplinary",
        "service": service, "group": "minority", "reference_group": "white",
        "numerator": n1, "denominator": d1, "reference_numerator": n0,
        "reference_denominator": d0, "relative_likelihood": (n1 / d1) / (n0 / d0) if n0 else
        np.nan, "rl_lower": 1.1, "rl_upper": 5.1, "confidence_level": 0.95, "flag": "above",
        "significant": True, "status": "ok",
    }
    values.update(overrides)
    return values


@pytest.fixture
def disciplinary():
    return pd.DataFrame(
        [
            row("all", 29, 420, 15, 800, rl_lower=1.9, rl_upper=6.4),
            row("adults", 20, 310, 15, 610, rl_lower=1.3624, rl_upper=5.0527),
            row("children", 9, 110, 0, 190, rl_lower=np.nan, rl_upper=np.nan, flag="",
                status="not_computable: no events in the reference group"),
        ]
    )


def band_patches(ax):
    return [
        p for p in ax.patches
        if isinstance(p, Rectangle) and np.allclose(
            [p.get_x(), p.get_x() + p.get_width()], [0.80, 1.25]
        )
    ]


def test_forest_plot_log_axis_band_and_labels(disciplinary):
    fig, alt = forest_plot(disciplinary)
    ax = fig.axes[0]
    assert isinstance(fig, Figure)
    assert ax.get_xscale() == "log"
    assert len(band_patches(ax)) == 1
    assert "Relative likelihood" in ax.get_xlabel() and ax.get_ylabel() == "Service"
    assert [t.get_text() for t in ax.get_yticklabels()] == ["Total", "Adults", "Children"]
    assert "not computable" in [t.get_text() for t in ax.texts]
    assert ax.get_title() == "Relative likelihood to enter the formal disciplinary process"
    for service in ("all services 3.7 (1.9 to 6.4)", "adults' services 2.6 (1.4 to 5.1)",
                    "children's services not computable"):
        assert service in alt
    assert "in 2024" in alt and "0.80 to 1.25" in alt


def test_forest_plot_custom_thresholds_and_title(disciplinary):
    fig, _ = forest_plot(disciplinary, thresholds=(0.5, 2.0), title="Discipline")
    ax = fig.axes[0]
    assert any(np.allclose([p.get_x(), p.get_x() + p.get_width()], [0.5, 2.0])
               for p in ax.patches)
    assert ax.get_title() == "Discipline"


def test_forest_plot_dodges_years_by_marker_and_colour(disciplinary):
    earlier = disciplinary.assign(year=2023, relative_likelihood=1.5, rl_lower=1.0,
                                  rl_upper=2.2, status="ok")
    earlier = earlier.astype({"numerator": object, "relative_likelihood": object})
    earlier.loc[2, "numerator"] = "[c]"
    earlier.loc[2, "relative_likelihood"] = "[c]"
    fig, alt = forest_plot(pd.concat([disciplinary, earlier], ignore_index=True))
    ax = fig.axes[0]
    bars = ax.containers
    markers = {c.lines[0].get_marker() for c in bars}
    colours = {c.lines[0].get_color() for c in bars}
    assert len(markers) == 2 and len(colours) == 2
    assert {t.get_text() for t in ax.get_legend().get_texts()} >= {"2023", "2024"}
    assert "in 2023 and 2024" in alt
    assert "2023: all services 1.5 (1.0 to 2.2)" in alt
    assert "children's services withheld" in alt


def test_forest_plot_rejects_several_authorities(disciplinary):
    other = disciplinary.assign(authority="Southvale")
    with pytest.raises(ValueError, match="one authority"):
        forest_plot(pd.concat([disciplinary, other]))


def pay_bands():
    rows = []
    for service in ("all", "adults"):
        for band, n1, n0 in (("Band A", 90, 190), ("Band B", 55, 150), ("Band C", 15, 80)):
            rows.append(row(service, n1, 160, n0, 420, indicator=1, measure=band))
        rows.append(row(service, 30, 60, 190, 420, indicator=1, measure="Band A",
                        group="asian"))
    return pd.DataFrame(rows)


def test_pay_band_plot_two_panels_with_shares():
    fig, alt = pay_band_plot(pay_bands())
    left, right = fig.axes
    assert left.get_xlabel() == "Pay band" and "Share" in left.get_ylabel()
    assert "share" in right.get_ylabel()
    heights = sorted(round(p.get_height(), 1) for p in left.patches if p.get_height() > 0)
    assert 56.2 in heights and 45.2 in heights and 50.0 in heights
    low, high = proportion_confint(90, 280, method="wilson")
    assert f"band A 32% ({100 * low:.0f} to {100 * high:.0f})" in alt
    assert "minority ethnic staff 56.2%, white staff 45.2%, Asian staff 50.0%" in alt
    assert "all services, 2024" in alt


def test_pay_band_plot_unknown_service_is_an_error():
    with pytest.raises(ValueError, match="children"):
        pay_band_plot(pay_bands(), service="children")


def test_senior_management_plot_shares_per_service():
    frame = pd.DataFrame(
        [
            row("all", 6, 150, 44, 450, indicator=9, measure="senior_managers"),
            row("adults", 4, 100, 26, 300, indicator=9, measure="senior_managers"),
            row("children", 3, 50, 18, 150, indicator=9, measure="senior_managers",
                numerator="[c]", relative_likelihood="[c]"),
        ]
    )
    fig, alt = senior_management_plot(frame)
    ax = fig.axes[0]
    assert [t.get_text() for t in ax.get_yticklabels()] == ["Total", "Adults", "Children"]
    assert "%" in ax.get_xlabel() and ax.get_ylabel() == "Service"
    low, high = proportion_confint(6, 50, method="wilson")
    assert f"all services: senior managers 12.0% ({100 * low:.1f} to {100 * high:.1f})" in alt
    assert "whole workforce 25.0%" in alt
    assert "children's services: senior managers withheld" in alt


def test_figure_to_html_embeds_a_png_with_alt_text(disciplinary):
    fig, alt = forest_plot(disciplinary)
    html = figure_to_html(fig, alt + ' "quoted"')
    prefix = '<img src="data:image/png;base64,'
    assert html.startswith(prefix)
    data = html[len(prefix):html.index('"', len(prefix))]
    assert base64.b64decode(data).startswith(b"\x89PNG")
    assert "&quot;quoted&quot;" in html and "children&#x27;s services" in html
