"""The notebooks are the analysis: each written for its indicator, published from an allow-list.

Checks the stored notebooks (parameters, tags, headings, no outputs, no code cell shared
between indicators), then executes a copy of one with an extra untagged cell to show that
only cells tagged ``publish`` reach a publication page, and that a page which would show
a small count is refused.
"""

from __future__ import annotations

import itertools
import re
from pathlib import Path

import nbformat
import papermill
import pytest
from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook

from wres.batch import render
from wres.core.indicators import INDICATORS

ROOT = Path(__file__).resolve().parents[1]
NOTEBOOKS = ROOT / "notebooks"
INDICATOR_NOTEBOOKS = {n: NOTEBOOKS / f"{d.notebook}.ipynb" for n, d in INDICATORS.items()}
SHARED_PARAMETERS = {"authority", "year", "data", "output_dir", "confidence_level", "ci_method",
                     "rate_method", "thresholds", "min_count", "profile", "pay_bands", "adjust"}
SECTIONS = ["Counts", "Findings", "Figure", "Unknown ethnicity", "Change since last year"]
CODE_CELL = r'class="[^"]*jp-InputArea-editor'


def _read(path: Path) -> nbformat.NotebookNode:
    return nbformat.read(path, as_version=4)


def _parameter_names(cell: nbformat.NotebookNode) -> set[str]:
    return set(re.findall(r"^(\w+)\s*=", cell.source, flags=re.MULTILINE))


def _headings(nb: nbformat.NotebookNode, level: str = "##") -> list[str]:
    return [line[len(level) + 1:].strip() for cell in nb.cells if cell.cell_type == "markdown"
            for line in cell.source.splitlines() if line.startswith(level + " ")]


@pytest.mark.parametrize("number", sorted(INDICATORS))
def test_each_indicator_notebook_reads_as_an_analysis_of_its_indicator(number):
    nb = _read(INDICATOR_NOTEBOOKS[number])
    first = nb.cells[0]
    assert first.cell_type == "markdown"
    assert first.source.startswith(f"# Indicator {number}: ")
    for words in ("What is counted", "Which direction is adverse", "Method"):
        assert words in first.source
    parameters = [c for c in nb.cells if "parameters" in render.tags_of(c)]
    assert len(parameters) == 1 and _parameter_names(parameters[0]) == SHARED_PARAMETERS
    headings = _headings(nb)
    assert all(section in headings for section in SECTIONS), headings
    assert "Relative likelihood" in headings or number == 1 and "Pay bands" in headings
    code = "\n".join(c.source for c in nb.cells if c.cell_type == "code")
    for call in ("read_counts(", "compute_results(", "disclosure.apply_disclosure(",
                 "tables.counts_pivot(", "show.figure(", "write_results("):
        assert call in code, call
    analyst_only = [c.source for c in nb.cells
                    if c.cell_type == "code" and "analyst-only" in render.tags_of(c)]
    assert any("counts_pivot" in s for s in analyst_only)  # the counts behind every sentence
    assert any('"relative_likelihood"' in s and '"status"' in s for s in analyst_only)


@pytest.mark.parametrize("number", sorted(INDICATORS))
def test_each_page_counts_its_comparisons_and_says_how_it_tests_change(number):
    nb = _read(INDICATOR_NOTEBOOKS[number])
    published = [c.source for c in nb.cells if render.PUBLISH in render.tags_of(c)]
    assert any("narrative.comparisons_sentences(" in s and "adjust=adjust" in s
               for s in published)
    assert any("compute_results(" in c.source and "adjust=adjust" in c.source
               for c in nb.cells if c.cell_type == "code")
    change = next(s for s in published if s.startswith("## Change since last year"))
    assert "treats the two years as independent samples" in change
    # stock measures count largely the same staff in both years: the test is conservative
    assert ("conservative" in change) == (number in (1, 9))
    unknown = next(s for s in published if s.startswith("## Unknown ethnicity"))
    assert "range if ethnicity were known" in unknown


def _published_code(nb: nbformat.NotebookNode) -> list[str]:
    return [c.source for c in nb.cells
            if c.cell_type == "code" and render.PUBLISH in render.tags_of(c)]


@pytest.mark.parametrize("number", sorted(INDICATORS))
def test_each_indicator_page_opens_with_the_councils_table(number):
    nb = _read(INDICATOR_NOTEBOOKS[number])
    published = _published_code(nb)
    assert published[0].startswith(f"show.about({number},")
    opening = "show.pay_band_table(" if number == 1 else "show.council_table("
    assert opening in published[1] and "show.action_plan(" in published[2]
    markdown = [c.source for c in nb.cells if c.cell_type == "markdown"]
    assert any(m.startswith("### Intervals, flags and counts") for m in markdown)


@pytest.mark.parametrize("number", sorted(INDICATORS))
def test_every_section_says_why_it_is_empty_when_the_indicator_was_not_submitted(number):
    published = _published_code(_read(INDICATOR_NOTEBOOKS[number]))
    guarded = [s for s in published if s.startswith("if submitted")]
    assert all('\nelse:\n    show.not_submitted("' in s for s in guarded)
    said = re.findall(r'show\.not_submitted\("(\w+)"', "\n".join(published))
    assert said == ["results", "findings", "figure", "unknown", "change"]


def test_the_summary_opens_with_the_councils_table_and_never_leaves_a_section_empty():
    published = _published_code(_read(NOTEBOOKS / "00-summary.ipynb"))
    table = next(s for s in published if "show.council_summary(" in s)
    assert table.index("show.council_summary(") < table.index("show.headline_table(")
    assert "else:" in table
    assert any("Every indicator was submitted" in s for s in published)
    assert not any(s.startswith("if submitted:") for s in published)


def test_the_summary_counts_the_comparisons_of_the_whole_report():
    nb = _read(NOTEBOOKS / "00-summary.ipynb")
    parameters = next(c for c in nb.cells if "parameters" in render.tags_of(c))
    assert _parameter_names(parameters) == SHARED_PARAMETERS | {"national"}
    published = "\n".join(c.source for c in nb.cells if render.PUBLISH in render.tags_of(c))
    assert "comparisons_sentences(" in published and "This year's report" in published
    assert "independent samples" in published and "conservative" in published


@pytest.mark.parametrize("path", sorted(NOTEBOOKS.glob("*.ipynb")), ids=lambda p: p.stem)
def test_stored_notebooks_carry_only_documented_tags(path):
    nb = _read(path)
    nbformat.validate(nb)
    assert nb.metadata["kernelspec"]["name"] == "python3"
    for cell in nb.cells:
        assert set(render.tags_of(cell)) <= set(render.TAGS), (path.name, cell.source[:60])
        assert not {render.PUBLISH, render.ANALYST_ONLY} <= set(render.tags_of(cell))


def test_no_two_indicator_notebooks_share_a_code_cell():
    cells = {n: {c.source.strip() for c in _read(p).cells if c.cell_type == "code"}
             for n, p in INDICATOR_NOTEBOOKS.items()}
    for a, b in itertools.combinations(sorted(cells), 2):
        assert not cells[a] & cells[b], (a, b, sorted(cells[a] & cells[b])[:1])


def test_the_notebooks_are_the_only_place_indicators_are_told_apart():
    shared = [ROOT / "wres" / "present" / "show.py", ROOT / "wres" / "present" / "tables.py",
              ROOT / "wres" / "present" / "council.py", ROOT / "wres" / "present" / "markup.py",
              ROOT / "wres" / "batch" / "render.py",
              *(ROOT / "wres" / "present" / "narrative").glob("*.py")]
    for module in shared:
        text = module.read_text()
        assert not re.search(r"(number|indicator)\S*\s*==\s*\d", text), module.name
    assert not (ROOT / "tools" / "make_notebooks.py").exists()
    assert not (ROOT / "wres" / "report.py").exists()


# --- publication pages from an allow-list ---------------------------------------------------


def _with_extra_cells(tmp_path: Path) -> Path:
    """03-disciplinary with untagged, analyst-only, stderr and warning cells added."""
    nb = _read(INDICATOR_NOTEBOOKS[3])
    position = next(i for i, c in enumerate(nb.cells) if "read_counts(" in c.source) + 1
    extra = [
        new_code_cell("disciplinary_counts  # an analyst's quick look at the raw counts"),
        new_code_cell("from IPython.display import display\n"
                      "display(disciplinary_counts.assign(marker='RAW-COUNTS-TABLE'))"),
        new_code_cell("import sys, warnings\nprint('STDERR-LINE', file=sys.stderr)\n"
                      "warnings.warn('WARNING-LINE')\nprint('STDOUT-LINE')",
                      metadata={"tags": ["publish"]}),
        new_markdown_cell("UNTAGGED-MARKDOWN: notes to self"),
    ]
    nb.cells[position:position] = extra
    path = tmp_path / "03-disciplinary.ipynb"
    nbformat.write(nb, path)
    return path


@pytest.fixture(scope="module")
def executed(tmp_path_factory):
    folder = tmp_path_factory.mktemp("allow-list")
    path = _with_extra_cells(folder)
    runs = {}
    for profile in ("analyst", "publication"):
        runs[profile] = papermill.execute_notebook(
            str(path), None, cwd=str(NOTEBOOKS), kernel_name="python3", progress_bar=False,
            parameters={"authority": "Cindermoor", "year": 2024, "profile": profile,
                        "data": str(ROOT / "data" / "sample" / "cindermoor.csv"),
                        "output_dir": str(folder)})
    return runs


def test_untagged_cells_showing_raw_counts_never_reach_a_publication_page(executed):
    analyst = render.render_html(executed["analyst"], "analyst", title="t")
    assert "RAW-COUNTS-TABLE" in analyst and "STDERR-LINE" in analyst  # they ran and show
    page = render.render_html(executed["publication"], "publication", title="t")
    for leak in ("RAW-COUNTS-TABLE", "STDERR-LINE", "WARNING-LINE", "STDOUT-LINE",
                 "UNTAGGED-MARKDOWN", "disciplinary_counts", "read_counts"):
        assert leak not in page, leak
    assert not re.search(CODE_CELL, page)
    assert "<h2" in page and "Findings" in page and "[c]" in page


def test_a_page_states_its_comparisons_and_what_its_intervals_describe(executed):
    analyst = render.render_html(executed["analyst"], "analyst", title="t")
    assert re.search(r"This page makes \d+ comparisons with white staff: 1 primary", analyst)
    assert "by chance alone at the 95% level" in analyst
    # Cindermoor has few minority ethnic staff: every figure is withheld, and so is any test
    page = render.render_html(executed["publication"], "publication", title="t")
    assert re.search(r"This page makes \d+ comparisons with white staff; all their figures "
                     "are withheld to protect small numbers of staff", page)
    for html in (analyst, page):
        assert "not a sample, so an interval does not describe sampling error" in html


def test_a_publication_page_holds_no_code_cell_and_only_displayed_outputs(executed):
    selected = render.select_publication(executed["publication"])
    for cell in selected.cells:
        assert cell.cell_type == "markdown" or cell.source == ""
        if cell.cell_type == "code":
            assert {o.output_type for o in cell.outputs} == {"display_data"}
    assert all(render.PUBLISH in render.tags_of(c) for c in selected.cells)


def test_an_executed_notebook_holds_each_section_once(executed):
    nb = executed["analyst"]
    outputs = [o for c in nb.cells if c.cell_type == "code" for o in c.outputs
               if o.output_type == "display_data"]
    html = [o.data.get("text/html", "") for o in outputs]
    assert len(html) == len(set(html))  # nothing displayed twice (once per profile)
    assert sum("Findings" == h for h in _headings(nb)) == 1
    assert not any("wres" in o.get("metadata", {}) for o in outputs)


def _page_with(markup: str) -> nbformat.NotebookNode:
    cell = new_code_cell("show()", metadata={"tags": ["publish"]})
    cell.outputs = [nbformat.v4.new_output("display_data", data={"text/html": markup})]
    return new_notebook(cells=[new_markdown_cell("# Title", metadata={"tags": ["publish"]}),
                               cell])


def test_a_publication_page_that_would_show_a_small_count_is_refused():
    safe = '<table><tr><th>x</th></tr><tr><td class="count" data-count="12">12</td></tr></table>'
    assert "12" in render.render_html(_page_with(safe), "publication", title="t")
    small = safe.replace("12", "3")
    with pytest.raises(render.UnsafePage, match="small count"):
        render.render_html(_page_with(small), "publication", title="t")
    assert render.render_html(_page_with(small), "analyst", title="t")  # analysts see all


def test_a_heading_with_nothing_under_it_is_not_published():
    nb = new_notebook(cells=[
        new_markdown_cell("# Report", metadata={"tags": ["publish"]}),
        new_markdown_cell("## Figure", metadata={"tags": ["publish"]}),
        new_code_cell("pass", metadata={"tags": ["publish"]}),  # displayed nothing
        new_markdown_cell("## Findings", metadata={"tags": ["publish"]}),
        new_markdown_cell("Words under the heading.", metadata={"tags": ["publish"]}),
        new_markdown_cell("## Not submitted", metadata={"tags": ["publish"]}),
        new_markdown_cell("## Compared\n\nA section whose words share its heading's cell.",
                          metadata={"tags": ["publish"]}),
    ])
    kept = [c.source for c in render.select_publication(nb).cells]
    assert kept == ["# Report", "## Findings", "Words under the heading.",
                    "## Compared\n\nA section whose words share its heading's cell."]
