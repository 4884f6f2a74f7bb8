"""Warm a kernel parent: run a tiny report once so forked kernels start with caches full.

The kernel zygote (`wres.kernels`) calls :func:`warm_up` before it forks any
kernel, so every notebook's kernel starts with fonts, templates and the lazy
state of pandas, matplotlib and seaborn already loaded. Output is discarded.
"""

from __future__ import annotations

import tempfile
from pathlib import Path

import pandas as pd


def _counts() -> pd.DataFrame:
    rows = []
    for year in (2023, 2024):
        for service in ("adults", "children"):
            for number, measure in ((1, "Band 1"), (1, "Band 2"), (3, "disciplinary"),
                                    (7, "colleagues"), (7, "managers"), (9, "senior_managers")):
                for group, denominator, numerator in (("white", 400, 40), ("minority", 100, 3),
                                                      ("unknown", 20, 2)):
                    if number == 1:
                        numerator = denominator // 2
                    rows.append(("Warm Up", year, service, number, measure, group,
                                 denominator, numerator))
    return pd.DataFrame(rows, columns=["authority", "year", "service", "indicator", "measure",
                                       "ethnic_group", "denominator", "numerator"])


def warm_up() -> None:
    """Read, compute, protect, word, tabulate and draw a tiny report, showing nothing."""
    import IPython.display as ipd
    from matplotlib import pyplot as plt

    from wres.analysis import disclosure
    from wres.analysis.change import year_on_year
    from wres.analysis.results import compute_results, write_results
    from wres.inputs.counts import read_counts
    from wres.present import figures, narrative, show, tables

    shown_display = ipd.display
    ipd.display = lambda *args, **kwargs: None
    try:
        with tempfile.TemporaryDirectory() as folder:
            path = Path(folder) / "warm.csv"
            _counts().to_csv(path, index=False)
            counts = read_counts([path])
            tables.counts_pivot(counts)
            results = compute_results(counts)
            published = disclosure.apply_disclosure(results)
            now = published[published["year"] == 2024]
            changes = year_on_year(results, 2024)
            narrative.change_sentences(changes,
                                       withheld=disclosure.withheld_changes(changes, published))
            for number in (3, 7):
                rows = now[now["indicator"] == number]
                show.action_plan(rows, authority="Warm Up", year=2024)
                show.paragraphs(narrative.findings(rows) + narrative.unknown_sentences(rows))
            show.figure(*figures.forest_plot(published[published["indicator"] == 3]))
            show.figure(*figures.harassment_sources_plot(published[published["indicator"] == 7]))
            show.figure(*figures.pay_band_plot(now[now["indicator"] == 1]))
            show.figure(*figures.senior_management_plot(now[now["indicator"] == 9]))
            write_results(now, folder, "warm")
    finally:
        ipd.display = shown_display
        plt.close("all")
