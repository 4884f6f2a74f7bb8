"""Write notebooks/00-summary.ipynb and 01-...09-....ipynb from the indicator definitions.

The notebooks are thin and share one shape, so they are generated rather than
edited by hand: change this script (or `wres.report`) and re-run it with
``.venv/bin/python tools/make_notebooks.py``. Notebooks are written without outputs.
"""

from __future__ import annotations

from pathlib import Path

import nbformat
from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook

from wres.indicators import INDICATORS

ROOT = Path(__file__).resolve().parents[1]

PARAMETERS = '''# Parameters: papermill replaces this cell's values for each run.
authority = "Fernleigh Downs"
year = 2024
data = "../data/sample/fernleigh-downs.csv"  # counts file(s): a path, a glob or a list
output_dir = "../outputs/interactive"
confidence_level = 0.95
ci_method = "katz-log"  # or "koopman-score", "miettinen-nurminen"
rate_method = "wilson"  # or "clopper-pearson", "jeffreys"
thresholds = [0.80, 1.25]
min_count = 5  # smaller counts (1 to 4 by default) are suppressed in publication
profile = "analyst"  # or "publication"
pay_bands = None  # order of the pay bands of indicator 1, else first appearance
render_profiles = None  # set by `wres run` to render analyst and publication HTML at once
'''

LOAD = '''from wres import report

r = report.load(
    {indicators},
    authority=authority, year=year, data=data,
    ci_method=ci_method, rate_method=rate_method, confidence_level=confidence_level,
    thresholds=thresholds, min_count=min_count, profile=profile,
    pay_bands=pay_bands, render_profiles=render_profiles,
)'''


def _kernel(nb: nbformat.NotebookNode) -> nbformat.NotebookNode:
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3",
                                 "language": "python"}
    nb.metadata["language_info"] = {"name": "python"}
    return nb


def indicator_notebook(number: int) -> nbformat.NotebookNode:
    definition = INDICATORS[number]
    cells = [
        new_markdown_cell(
            f"**Analyst notebook for indicator {number}** ({definition.title.lower()}), one "
            "authority and year. Every figure is computed by the `wres` package; this notebook "
            "only shows it. Change the parameters below and re-run to compare methods.",
            metadata={"tags": ["analyst-only"]},
        ),
        new_code_cell(PARAMETERS, metadata={"tags": ["parameters"]}),
        new_code_cell(LOAD.format(indicators=number)),
        new_code_cell("report.show_header(r)"),
        new_code_cell("report.show_findings(r)"),
        new_code_cell("report.show_table(r)"),
        new_code_cell("report.show_figure(r)"),
        new_code_cell("report.show_unknown(r)"),
        new_code_cell("report.show_change(r)"),
        new_code_cell(
            f'results_file = report.write_results(r, output_dir, "{definition.notebook}")'
        ),
    ]
    return _kernel(new_notebook(cells=cells))


def summary_notebook() -> nbformat.NotebookNode:
    parameters = PARAMETERS + (
        "national = None  # national.csv from 10-benchmark for this year, if it has run\n"
    )
    cells = [
        new_markdown_cell(
            "**Analyst notebook for the authority summary**: every headline relative "
            "likelihood, interval, flag and change since last year, for one authority and year.",
            metadata={"tags": ["analyst-only"]},
        ),
        new_code_cell(parameters, metadata={"tags": ["parameters"]}),
        new_code_cell(LOAD.format(indicators="range(1, 10)")),
        new_code_cell("report.show_summary(r)"),
        new_code_cell("report.show_comparison(r, national)"),
    ]
    return _kernel(new_notebook(cells=cells))


def main() -> None:
    out = ROOT / "notebooks"
    out.mkdir(exist_ok=True)
    nbformat.write(summary_notebook(), out / "00-summary.ipynb")
    for number, definition in INDICATORS.items():
        nbformat.write(indicator_notebook(number), out / f"{definition.notebook}.ipynb")


if __name__ == "__main__":
    main()
