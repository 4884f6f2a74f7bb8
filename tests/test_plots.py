"""Figures: what each one draws and says in its alt text (images are not compared)."""

import base64
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from matplotlib.figure import Figure
from matplotlib.patches import Rectangle
from scipy.stats.contingency import relative_risk
from statsmodels.stats.proportion import proportion_confint

from wres.analysis.disclosure.suppression import apply_disclosure
from wres.analysis.results import compute_results
from wres.inputs.counts import read_counts
from wres.present.figures.common import figure_to_html
from wres.present.figures.forest import forest_plot
from wres.present.figures.harassment import harassment_sources_plot
from wres.present.figures.pay_bands import pay_band_plot
from wres.present.figures.senior import senior_management_plot

SAMPLE = Path(__file__).resolve().parents[1] / "data" / "sample"


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


def drawn_tick_labels(fig, ax):
    """The x-axis tick labels as drawn: (text, left, right) in pixels, left to right."""
    from wres.present.figures.common import drawn_image

    drawn_image(fig)
    renderer = fig.canvas.get_renderer()
    boxes = [(t.get_text(), t.get_window_extent(renderer)) for t in ax.get_xticklabels()
             if t.get_visible() and t.get_text()]
    return sorted(((text, box.x0, box.x1) for text, box in boxes), key=lambda b: b[1])


def test_a_wide_log_axis_labels_only_values_whose_labels_do_not_touch():
    # Intervals from 0.06 to 40: 0.2 and 0.25 (and 0.8, 1, 1.25) are a few pixels apart
    # on a 700-pixel figure; every label that is drawn keeps its neighbours 4 px away.
    frame = pd.DataFrame([
        row("all", 29, 420, 15, 800, rl_lower=0.06, rl_upper=40.0),
        row("adults", 20, 310, 15, 610, rl_lower=0.3, rl_upper=6.0),
        row("children", 9, 110, 5, 190, rl_lower=0.9, rl_upper=1.3),
    ])
    fig, _ = forest_plot(frame)
    labels = drawn_tick_labels(fig, fig.axes[0])
    texts = [text for text, _, _ in labels]
    assert "1" in texts and {"0.1", "0.5", "2", "10"} <= set(texts)
    assert not {"0.2", "0.25"} <= set(texts)
    for (_, _, right), (_, left, _) in zip(labels, labels[1:], strict=False):
        assert left - right >= 3.5
    assert list(fig.axes[0].get_xticks()) == sorted(float(t) for t in texts)


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


def sample_results(authority, indicator, *, published=False):
    results = compute_results(read_counts([SAMPLE / f"{authority}.csv"]))
    if published:
        results = apply_disclosure(results)
    return results[results["indicator"] == indicator]


def tick_labels(ax):
    return [t.get_text() for t in ax.get_yticklabels()]


def test_forest_plot_adds_each_broad_group_present():
    fig, alt = forest_plot(sample_results("brightwater", 3))
    ax = fig.axes[0]
    labels = tick_labels(ax)
    assert len(labels) == 15  # 3 services x (minority ethnic and 4 broad groups)
    assert labels[:5] == [
        "All services: Minority ethnic", "All services: Asian", "All services: Black",
        "All services: Mixed", "All services: Other ethnic groups",
    ]
    assert labels[-1] == "Children's services: Other ethnic groups"
    assert ax.get_ylabel() == "Service and ethnic group"
    assert "each group ÷ white" in ax.get_xlabel()
    black = relative_risk(17, 607, 24, 1298)  # Black and white staff, all services, 2024
    ci = black.confidence_interval(0.95)  # Katz log, as compute_results by default
    assert (f"Black staff in all services {black.relative_risk:.1f} "
            f"({ci.low:.2f} to {ci.high:.1f})") in alt
    assert "of minority ethnic staff, Asian staff, Black staff, staff of mixed ethnicity and "\
        "staff from other ethnic groups, each compared with white staff" in alt


def test_forest_plot_minority_only_gives_the_plot_of_before():
    frame = sample_results("brightwater", 3)
    chosen = forest_plot(frame, groups=["minority"])
    by_group = forest_plot(frame, group="minority")
    no_broad_groups = forest_plot(frame[frame["group"] == "minority"])
    for fig, _ in (chosen, by_group, no_broad_groups):
        assert tick_labels(fig.axes[0]) == ["Total", "Adults", "Children"]
        assert fig.axes[0].get_ylabel() == "Service"
        points = [len(c.lines[0].get_xdata()) for c in fig.axes[0].containers]
        assert points == [3, 3, 3]  # 3 services in each of 3 years, a series a year
    assert chosen[1] == by_group[1] == no_broad_groups[1]
    assert "Black" not in chosen[1]
    assert "2024: all services 1.7 (1.0 to 2.7)" in chosen[1]  # 44/1428 against 24/1298


def test_forest_plot_one_broad_group_by_name():
    fig, alt = forest_plot(sample_results("brightwater", 3), groups=["black"])
    assert tick_labels(fig.axes[0]) == ["Total", "Adults", "Children"]
    assert "black ÷ white" in fig.axes[0].get_xlabel()
    assert alt.startswith("Forest plot of the relative likelihood of Black staff compared "
                          "with white staff")


def _withheld_years(frame):
    """{(measure, service, group): years whose ratio is withheld}, latest first."""
    hidden = frame[frame["relative_likelihood"] == "[c]"]
    years = {}
    for r in hidden.sort_values("year", ascending=False).itertuples():
        years.setdefault((r.measure, r.service, r.group), []).append(int(r.year))
    return years


def test_forest_plot_says_withheld_once_per_row():
    frame = sample_results("brightwater", 3, published=True)
    fig, alt = forest_plot(frame)
    hidden = _withheld_years(frame)
    every_year = sorted(set(frame["year"]), reverse=True)
    expected = sorted("withheld" if years == every_year
                      else f"{', '.join(map(str, years))}: withheld" for years in hidden.values())
    texts = [t for t in fig.axes[0].texts if "withheld" in t.get_text()]
    assert sorted(t.get_text() for t in texts) == expected
    rows = [round(t.get_position()[1]) for t in texts]
    assert len(rows) == len(set(rows)) == len(hidden)  # one text per row, never per year
    # (the row's withheld years are next to each other here: see the test below)
    withheld = (frame["relative_likelihood"] == "[c]").sum()
    assert withheld > len(hidden)  # the rows do have several withheld years
    assert alt.count(" withheld") == withheld  # the alt text still goes year by year
    assert "staff of mixed ethnicity in all services withheld" in alt


def test_forest_plot_names_the_withheld_years_beside_plotted_ones(disciplinary):
    earlier = disciplinary.assign(year=2023).astype({"relative_likelihood": object})
    earlier.loc[earlier["service"] == "all", "relative_likelihood"] = "[c]"
    fig, _ = forest_plot(pd.concat([disciplinary, earlier]))
    ax = fig.axes[0]
    assert sorted(t.get_text() for t in ax.texts) == ["2023: withheld", "not computable"]
    total = next(t for t in ax.texts if t.get_text() == "2023: withheld")
    assert 0 < total.get_position()[1] < 0.5  # beside the Total row's 2023 point, not 2024's


def test_forest_plot_group_and_groups_together_is_an_error(disciplinary):
    with pytest.raises(ValueError, match="not both"):
        forest_plot(disciplinary, group="minority", groups=["minority"])


def test_forest_plot_missing_group_is_an_error(disciplinary):
    with pytest.raises(ValueError, match="'black'"):
        forest_plot(disciplinary, groups=["minority", "black"])


def harassment_rows():
    rows = []
    for year, shift in ((2024, 0), (2023, 2)):
        for measure, n1 in (("colleagues", 30), ("managers", 24)):
            n0 = 40 if measure == "colleagues" else 16
            for service in ("all", "adults", "children"):
                rows.append(row(service, n1 + shift, 200, n0, 400, year=year, indicator=7,
                                measure=measure, rl_lower=1.2, rl_upper=2.4))
    frame = pd.DataFrame(rows).astype({"numerator": object, "relative_likelihood": object})
    managers_children = (frame["measure"] == "managers") & (frame["service"] == "children")
    frame.loc[managers_children & (frame["year"] == 2024),
              ["numerator", "relative_likelihood"]] = "[c]"
    return frame


def test_harassment_sources_plot_two_panels_sharing_a_log_axis():
    fig, alt = harassment_sources_plot(harassment_rows())
    left, right = fig.axes
    assert left.get_title() == "From colleagues" and right.get_title() == "From managers"
    assert left.get_shared_x_axes().joined(left, right)
    assert left.get_xlim() == right.get_xlim()
    for ax in (left, right):
        assert ax.get_xscale() == "log"
        assert len(band_patches(ax)) == 1
        assert any(list(line.get_xdata()) == [1, 1] for line in ax.lines)
        assert tick_labels(ax) == ["Total", "Adults", "Children"]
        assert len({c.lines[0].get_marker() for c in ax.containers}) == 2  # one per year
    assert [t.get_text() for t in right.texts] == ["2024: withheld"]  # 2023 is plotted


def test_harassment_sources_plot_alt_text_covers_both_sources():
    _, alt = harassment_sources_plot(harassment_rows())
    # colleagues: 30/200 against 40/400 is 1.5; managers: 24/200 against 16/400 is 3.0
    assert "From colleagues: 2024: all services 1.5 (1.2 to 2.4)" in alt
    assert "From managers: 2024: all services 3.0 (1.2 to 2.4)" in alt
    assert "children's services withheld. 2023:" in alt
    assert alt.index("From colleagues") < alt.index("From managers")
    assert "in 2023 and 2024" in alt and "0.80 to 1.25" in alt


def test_harassment_sources_plot_uses_minority_rows_of_published_sample():
    fig, alt = harassment_sources_plot(sample_results("brightwater", 7, published=True))
    assert [tick_labels(ax) for ax in fig.axes] == [["Total", "Adults", "Children"]] * 2
    assert "Black" not in alt and "Asian" not in alt


def test_harassment_sources_plot_rejects_other_indicators(disciplinary):
    with pytest.raises(ValueError, match="indicator 7"):
        harassment_sources_plot(disciplinary)


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
    assert not left.lines  # one share a bar: no (bootstrapped, zero-length) error bars
    low, high = proportion_confint(90, 280, method="wilson")
    assert f"band A 32% ({100 * low:.0f} to {100 * high:.0f})" in alt
    assert "minority ethnic staff 56.2%, white staff 45.2%, Asian staff 50.0%" in alt
    assert "all services, 2024" in alt


def test_pay_band_plot_says_withheld_once_per_band_in_each_panel():
    frame = pay_bands().astype({"numerator": object})
    frame.loc[(frame["measure"] == "Band C") & (frame["group"] == "minority"), "numerator"] = "[c]"
    fig, alt = pay_band_plot(frame)
    left, right = fig.axes
    for ax in (left, right):
        assert [t.get_text() for t in ax.texts] == ["withheld"]
    # over the missing minority ethnic bar of band C (the third band), left of the white one
    assert 1.5 < left.texts[0].get_position()[0] < 2.0
    assert right.texts[0].get_position()[0] == 2
    assert "band C withheld" in alt


def test_pay_band_plot_unknown_service_is_an_error():
    with pytest.raises(ValueError, match="children"):
        pay_band_plot(pay_bands(), service="children")


def test_a_rows_words_for_years_either_side_of_a_plotted_year_are_written_beside_each():
    # 2024 and 2022 have no ratio, 2023 has one: a single box in the middle of 2024 and
    # 2022 would sit on 2023's point.
    missing = {"relative_likelihood": np.nan, "rl_lower": np.nan, "rl_upper": np.nan,
               "flag": "", "status": "not_computable: no events in the reference group"}
    frame = pd.DataFrame([row("all", 9, 110, 0, 190, year=2024, **missing),
                          row("all", 29, 420, 15, 800, year=2023, rl_lower=1.9, rl_upper=6.4),
                          row("all", 9, 110, 0, 190, year=2022, **missing)])
    fig, _ = forest_plot(frame)
    ax = fig.axes[0]
    (points,) = ax.containers  # 2023's errorbar
    (y_2023,) = points.lines[0].get_ydata()
    said = {t.get_text(): t.get_position()[1] for t in ax.texts}
    assert set(said) == {"2024: not computable", "2022: not computable"}
    assert said["2024: not computable"] < y_2023 < said["2022: not computable"]


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
    assert "rest of the workforce 26.2%" in alt  # 144 of 144 + 406 staff who are not managers
    assert "whole workforce" not in alt
    assert "children's services: withheld." in alt
    assert [t.get_text() for t in ax.texts] == ["withheld"]  # once for the row, at its middle
    assert ax.texts[0].get_position()[1] == 2


def test_senior_management_plot_with_every_share_withheld_has_no_empty_legend():
    frame = pd.DataFrame([row(s, 3, 50, 18, 150, indicator=9, measure="senior_managers",
                              numerator="[c]", relative_likelihood="[c]")
                          for s in ("all", "adults")])
    fig, alt = senior_management_plot(frame)
    ax = fig.axes[0]
    assert [t.get_text() for t in ax.texts] == ["withheld", "withheld"]
    assert ax.get_legend() is None
    assert "all services: withheld; adults' services: withheld." in alt


def test_senior_management_plot_compares_with_the_rest_of_the_workforce():
    frame = pd.DataFrame(
        [
            # 3 of 10 senior managers are minority ethnic; of the 390 other staff, 97
            row("all", 3, 100, 7, 300, indicator=9, measure="senior_managers"),
            row("adults", 2, 60, 5, 180, indicator=9, measure="senior_managers",
                reference_denominator="[c]"),
        ]
    )
    fig, alt = senior_management_plot(frame)
    ax = fig.axes[0]
    senior = proportion_confint(3, 10, method="wilson")
    rest = proportion_confint(97, 390, method="wilson")
    assert (
        f"all services: senior managers 30.0% ({100 * senior[0]:.1f} to {100 * senior[1]:.1f}), "
        f"rest of the workforce 24.9% ({100 * rest[0]:.1f} to {100 * rest[1]:.1f})"
    ) in alt
    assert "adults' services: senior managers 28.6%" in alt
    assert "rest of the workforce withheld" in alt
    assert "rest of the workforce" in ax.get_title()
    assert [t.get_text() for t in ax.get_legend().get_texts()] == [
        "Senior managers", "Rest of the workforce"
    ]
    points = [c.lines[0].get_xdata()[0] for c in ax.containers]
    assert points == pytest.approx([30.0, 100 * 97 / 390, 100 * 2 / 7])
    whiskers = ax.containers[1].lines[2][0].get_segments()[0][:, 0]
    assert whiskers == pytest.approx([100 * rest[0], 100 * rest[1]])
    assert {c.lines[0].get_marker() for c in ax.containers} == {"o", "s"}


def test_figure_to_html_embeds_a_png_with_alt_text(disciplinary):
    fig, alt = forest_plot(disciplinary)
    html = figure_to_html(fig, alt + ' "quoted"')
    prefix = '<img src="data:image/png;base64,'
    assert html.startswith(prefix)
    data = html[len(prefix):html.index('"', len(prefix))]
    assert base64.b64decode(data).startswith(b"\x89PNG")
    assert "&quot;quoted&quot;" in html and "children&#x27;s services" in html


def _pixels(png: bytes) -> np.ndarray:
    import io

    from PIL import Image

    with Image.open(io.BytesIO(png)) as image:
        return np.asarray(image.convert("RGB"))


@pytest.mark.parametrize("kind", ["forest", "pyplot"])
def test_a_figure_is_drawn_with_the_pixels_savefig_would_give(disciplinary, kind):
    """Drawn once on the canvas, a figure is savefig's picture; a pyplot one is released."""
    import io

    import matplotlib.pyplot as plt
    from PIL import Image

    from wres.present.figures.common import TEXT_RENDERING, drawn_image

    def build() -> Figure:
        if kind == "forest":
            return forest_plot(disciplinary)[0]
        fig, ax = plt.subplots(figsize=(3, 2), layout="tight")
        ax.bar(["white", "minority"], [12.5, 31.0])
        ax.set_ylabel("per cent")
        return fig

    saved = io.BytesIO()
    with plt.rc_context(TEXT_RENDERING):
        build().savefig(saved, format="png", dpi=100)
    with Image.open(saved) as image:
        expected = np.asarray(image.convert("RGB"))
    assert np.array_equal(np.asarray(drawn_image(build())), expected)
    assert not np.array_equal(np.asarray(_hinted(build())), expected)  # the setting is used
    fig = build()
    figure_to_html(fig, "alt")
    if kind == "pyplot":
        assert not plt.fignum_exists(fig.number)  # embedded, then released
    plt.close("all")


def _hinted(fig: Figure):
    """``fig`` drawn with matplotlib's default (hinted) text."""
    from matplotlib.backends.backend_agg import FigureCanvasAgg

    canvas = FigureCanvasAgg(fig)
    canvas.draw()
    return np.asarray(canvas.buffer_rgba())[..., :3]


def _same_pixels_as_matplotlibs_tight_layout(build) -> None:
    """``build()``'s figure is drawn as it would be with ``layout="tight"``, pixel for pixel."""
    from wres.present.figures.common import drawn_image

    ours, theirs = build(), build()
    assert ours.get_layout_engine().get()["rect"] is None  # one pass
    theirs.set_layout_engine("tight")
    assert np.array_equal(np.asarray(drawn_image(ours)), np.asarray(drawn_image(theirs)))


@pytest.mark.parametrize("kind", ["forest", "harassment", "pay bands", "senior"])
@pytest.mark.parametrize("published", [False, True])
def test_figures_are_laid_out_as_matplotlibs_tight_layout_in_one_pass(kind, published):
    """The one-pass tight layout (`tight_layout`) gives every figure the same pixels."""
    number, plot = {"forest": (3, forest_plot), "harassment": (7, harassment_sources_plot),
                    "pay bands": (1, pay_band_plot),
                    "senior": (9, senior_management_plot)}[kind]
    for authority in ("brightwater", "ashbourne-vale"):
        rows = sample_results(authority, number, published=published)
        if kind in ("pay bands", "senior"):
            rows = rows[rows["year"] == rows["year"].max()]
        _same_pixels_as_matplotlibs_tight_layout(lambda rows=rows: plot(rows)[0])


def test_the_palette_is_pillows_median_cut_with_white_kept_white(disciplinary):
    from PIL import Image

    from wres.present.figures.common import PNG_COLOURS, drawn_image, palette_image

    image = drawn_image(forest_plot(disciplinary)[0])
    full = np.asarray(image, dtype=float)
    ours = palette_image(image)
    pillows = image.quantize(colors=PNG_COLOURS, method=Image.Quantize.MEDIANCUT,
                             dither=Image.Dither.NONE)
    assert ours.mode == "P" and len(ours.getcolors()) <= PNG_COLOURS
    ours_rgb = np.asarray(ours.convert("RGB"))
    error = np.abs(ours_rgb - full).mean()
    assert error < np.abs(np.asarray(pillows.convert("RGB")) - full).mean() + 0.01
    assert error < 0.2  # out of 255
    white = (full == 255).all(axis=2)
    assert white.mean() > 0.5 and (ours_rgb[white] == 255).all()


def test_a_title_placed_at_the_top_is_where_matplotlib_would_place_it(disciplinary,
                                                                       monkeypatch):
    from wres.present.figures import forest
    from wres.present.figures.common import drawn_image

    placed = forest_plot(disciplinary)[0]
    monkeypatch.setattr(forest, "set_title",  # no height given: matplotlib decides
                        lambda ax, text: ax.set_title(text, fontsize=10))
    automatic = forest_plot(disciplinary)[0]
    assert placed.axes[0]._autotitlepos is False and automatic.axes[0]._autotitlepos
    assert np.array_equal(np.asarray(drawn_image(placed)), np.asarray(drawn_image(automatic)))
