"""National scale: what an authority's summary depends on in national.csv.

A summary quotes its authority's place against the national figure and limits, so
it is keyed on those figures of its own rows of national.csv, not on the whole
file: another authority's row, or a column it does not quote, must not make
every summary run again.
"""

from __future__ import annotations

import csv
from pathlib import Path

from wres.batch.plan import RunSpec, national_inputs

HEADER = ["authority", "year", "indicator", "measure", "relative_likelihood", "national_rl",
          "lower_95", "upper_95", "lower_95_unadjusted", "phi", "n_authorities", "limits",
          "position", "note", "withheld"]
ROWS = {
    "Ashbourne Vale": ["Ashbourne Vale", "2024", "3", "disciplinary", "1.52", "1.30",
                       "0.91", "1.80", "0.95", "1.33", "12", "random-effects adjusted",
                       "within limits", "", "False"],
    "Brightwater, City of": ["Brightwater, City of", "2024", "3", "disciplinary", "0.70",
                             "1.30", "0.88", "1.85", "0.93", "1.33", "12",
                             "random-effects adjusted", "below 95% limit", "", "False"],
}


def write_national(path: Path, rows: dict[str, list[str]], **changes: dict[str, str]) -> Path:
    """national.csv with ``changes`` (authority -> {column: value}) applied."""
    with open(path, "w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(HEADER)
        for authority, row in rows.items():
            row = list(row)
            for column, value in changes.get(authority, {}).items():
                row[HEADER.index(column)] = value
            writer.writerow(row)
    return path


def summary(authority: str, national: Path) -> RunSpec:
    return RunSpec(id="2024/x/00-summary", notebook="00-summary", notebook_path="",
                   authority=authority, slug="x", region=None, year=2024, indicator=None,
                   parameters={"national": str(national)}, data=[], output_dir="",
                   final_dir="")


def keys(tmp_path: Path, name: str, **changes: dict[str, str]) -> dict[str, str]:
    national = write_national(tmp_path / f"{name}.csv", ROWS, **changes)
    return {a: national_inputs(summary(a, national)) for a in ROWS}


def test_a_summary_follows_the_figures_it_quotes_of_its_own_rows(tmp_path):
    before = keys(tmp_path, "before")
    own = keys(tmp_path, "own", **{"Ashbourne Vale": {"relative_likelihood": "1.60"}})
    assert own["Ashbourne Vale"] != before["Ashbourne Vale"]
    assert own["Brightwater, City of"] == before["Brightwater, City of"]
    limit = keys(tmp_path, "limit", **{"Brightwater, City of": {"upper_95": "1.90"}})
    assert limit["Brightwater, City of"] != before["Brightwater, City of"]
    assert limit["Ashbourne Vale"] == before["Ashbourne Vale"]


def test_columns_a_summary_does_not_quote_do_not_rerun_it(tmp_path):
    before = keys(tmp_path, "before")
    unquoted = {"phi": "1.40", "n_authorities": "13", "lower_95_unadjusted": "0.90"}
    after = keys(tmp_path, "after", **{a: unquoted for a in ROWS})
    assert after == before


def test_a_new_national_figure_reruns_every_summary_that_quotes_it(tmp_path):
    before = keys(tmp_path, "before")
    moved = keys(tmp_path, "moved", **{a: {"national_rl": "1.31"} for a in ROWS})
    assert all(moved[a] != before[a] for a in ROWS)


def test_without_a_national_view_a_summary_says_so(tmp_path):
    assert national_inputs(summary("Ashbourne Vale", tmp_path / "none.csv")) == "absent"
    national = write_national(tmp_path / "other.csv", {"Brightwater, City of":
                                                       ROWS["Brightwater, City of"]})
    alone = national_inputs(summary("Ashbourne Vale", national))
    assert alone != "absent"
    assert alone == national_inputs(summary("Nowhere", national))  # no rows: the same key

