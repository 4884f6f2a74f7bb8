"""`notebooks/methods.ipynb`, the analysts' bench: stored clean, and run through papermill."""

from __future__ import annotations

import ast
from pathlib import Path

import nbformat
import pandas as pd
import papermill
import pytest
from bs4 import BeautifulSoup

from wres.analysis.results import compute_results, filter_counts
from wres.core.methods import RATIO_METHODS
from wres.inputs.counts import read_counts
from wres.present.sensitivity import COMPARISON, unknown_sensitivity
from wres.present.tables import format_likelihood

ROOT = Path(__file__).parents[1]
NOTEBOOK = ROOT / "notebooks" / "methods.ipynb"
SAMPLE = ROOT / "data" / "sample"
SECTIONS = ["Counts", "Every method side by side", "Verdicts that change", "Unknown ethnicity",
            "Other thresholds"]
RUNS = [("Marrowfield", 2022, "marrowfield.csv"), ("Fernleigh Downs", 2024, "fernleigh-downs.csv")]


def _stored() -> nbformat.NotebookNode:
    return nbformat.read(NOTEBOOK, as_version=4)


def _cell(notebook: nbformat.NotebookNode, text: str) -> nbformat.NotebookNode:
    """The one code cell whose source contains ``text``."""
    found = [c for c in notebook.cells if c.cell_type == "code" and text in c.source]
    assert len(found) == 1, f"expected one code cell containing {text!r}, found {len(found)}"
    return found[0]


def _table(cell: nbformat.NotebookNode) -> pd.DataFrame:
    """The DataFrame a cell displayed, read back from its HTML as text."""
    html = next(o["data"]["text/html"] for o in cell.outputs if "text/html" in o.get("data", {}))
    table = BeautifulSoup(html, "html.parser").find("table")
    header = [th.get_text() for th in table.thead.find_all("tr")[-1].find_all("th")]
    rows = [[c.get_text() for c in tr.find_all(["th", "td"])] for tr in table.tbody.find_all("tr")]
    return pd.DataFrame(rows, columns=header).iloc[:, 1:]  # drop the index


# --- the stored notebook ------------------------------------------------------------------------


def test_stored_notebook_runs_on_python3():
    assert _stored().metadata.kernelspec.name == "python3"


def test_stored_notebook_opens_with_a_heading_then_the_parameters():
    notebook = _stored()
    first = notebook.cells[0]
    assert first.cell_type == "markdown" and first.source.startswith("# ")
    parameters = [c for c in notebook.cells if "parameters" in c.metadata.get("tags", [])]
    assert len(parameters) == 1 and parameters[0].cell_type == "code"
    values = {
        node.targets[0].id: ast.literal_eval(node.value)
        for node in ast.parse(parameters[0].source).body
        if isinstance(node, ast.Assign)
    }
    assert values == {
        "authority": "Marrowfield",
        "year": 2024,
        "data": "../data/sample/marrowfield.csv",
        "indicators": [1, 2, 3, 4, 5, 6, 7, 8, 9],
        "methods": ["katz-log", "koopman-score", "miettinen-nurminen"],
        "confidence_levels": [0.95, 0.99],
        "thresholds": [0.80, 1.25],
        "other_thresholds": [[0.90, 1.11], [0.67, 1.50]],
        "rate_method": "wilson",
        "pay_bands": None,
    }


def test_stored_notebook_has_a_second_level_heading_per_section_in_order():
    headings = [line.removeprefix("## ") for cell in _stored().cells
                if cell.cell_type == "markdown"
                for line in cell.source.splitlines() if line.startswith("## ")]
    assert headings == SECTIONS


# --- run for real -------------------------------------------------------------------------------


@pytest.fixture(scope="module", params=RUNS, ids=lambda run: f"{run[0]}-{run[1]}")
def run(request, tmp_path_factory) -> tuple[str, int, Path, nbformat.NotebookNode]:
    authority, year, file = request.param
    out = tmp_path_factory.mktemp("methods") / "methods.ipynb"
    papermill.execute_notebook(
        str(NOTEBOOK), str(out), kernel_name="python3", cwd=str(NOTEBOOK.parent),
        parameters={"authority": authority, "year": year, "data": f"../data/sample/{file}"},
        progress_bar=False,
    )
    return authority, year, SAMPLE / file, nbformat.read(out, as_version=4)


def test_executed_notebook_has_no_errors(run):
    *_, executed = run
    errors = [o for c in executed.cells if c.cell_type == "code" for o in c.outputs
              if o.output_type == "error"]
    assert errors == []


def test_side_by_side_shows_every_method_at_both_levels_for_the_authority_and_year(run):
    authority, year, _, executed = run
    wide = _table(_cell(executed, "side_by_side(results)"))
    for method in RATIO_METHODS:
        for level in ("95%", "99%"):
            assert f"{method} {level}" in wide.columns
            assert f"{method} {level} verdict" in wide.columns
    assert set(wide["authority"]) == {authority} and set(wide["year"]) == {str(year)}


def test_every_katz_log_figure_shown_is_what_compute_results_gives(run):
    authority, year, path, executed = run
    counts = filter_counts(read_counts([path]), authority, year)
    expected = compute_results(counts, ci_method="katz-log", confidence_level=0.95)
    shown = _table(_cell(executed, "side_by_side(results)"))
    assert len(shown) == len(expected) >= 45  # Fernleigh Downs: 15 cells x 3 services
    assert shown[COMPARISON].to_numpy().tolist() == expected[COMPARISON].astype(str).to_numpy(
    ).tolist()
    assert shown["katz-log 95%"].tolist() == [format_likelihood(r)
                                              for r in expected.to_dict("records")]
    assert shown["katz-log 95% verdict"].tolist() == expected["verdict"].tolist()


def test_unknown_ethnicity_count_is_what_unknown_sensitivity_gives(run):
    authority, year, path, executed = run
    counts = filter_counts(read_counts([path]), authority, year)
    unknown = unknown_sensitivity(compute_results(counts))
    printed = "".join(o.text for o in _cell(executed, "unknown_sensitivity(").outputs
                      if o.output_type == "stream")
    assert printed == (f"{int(unknown['flag_changes'].sum())} of {len(unknown)} comparisons "
                       "with unknown ethnicity could change flag\n")
