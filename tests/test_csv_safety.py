"""No CSV wres writes can run a spreadsheet formula, and wres reads its labels back unchanged.

A text cell starting with =, +, -, @, a tab or a carriage return gets a leading single
quote (OWASP's advice against CSV injection); numbers, and text that reads as a number,
are left alone. Reading our own files back takes the quote off again.
"""

from __future__ import annotations

import csv
import math
from pathlib import Path

import pandas as pd
import pytest
from hypothesis import given
from hypothesis import strategies as st

from wres.analysis.results import compute_results, write_results
from wres.cli import main
from wres.core.atomic import write_csv_atomic
from wres.core.csv_safety import (
    FORMULA_STARTS,
    neutralise_formulas,
    neutralise_text,
    read_csv,
    restore_text,
)
from wres.inputs.counts import read_counts

SAMPLE = Path(__file__).resolve().parents[1] / "data" / "sample" / "ashbourne-vale.csv"
EVIL_AUTHORITY = '=HYPERLINK("http://x")'
EVIL_BAND = "@SUM(A1)"


@pytest.mark.parametrize("text", ["=1+1", EVIL_AUTHORITY, "+44 20 7946 0000", "-2+3",
                                  EVIL_BAND, "\t=1", "\r=1", "-", "'=1+1"])
def test_text_a_spreadsheet_would_run_gets_a_leading_quote(text):
    assert neutralise_text(text) == "'" + text
    assert restore_text(neutralise_text(text)) == text


@pytest.mark.parametrize("value", ["Band 1", "Ashbourne Vale", "[c]", "not_computable: x",
                                   "-0.5", "+3", "-1e-3", "", -0.5, 3, None, math.nan])
def test_numbers_and_ordinary_text_are_left_alone(value):
    assert neutralise_text(value) is value
    assert restore_text(value) is value


@given(st.text(alphabet=st.sampled_from(["=", "+", "-", "@", "\t", "'", "1", ".", "a", " "]),
               max_size=6))
def test_any_text_round_trips_and_is_never_left_runnable(text):
    written = neutralise_text(text)
    assert restore_text(written) == text
    if written.startswith(FORMULA_STARTS):
        float(written)  # only a number may start with a formula character


def test_only_text_columns_change_and_the_frame_given_is_untouched():
    frame = pd.DataFrame({"authority": [EVIL_AUTHORITY, "Cindermoor"], "rl": [-0.5, 1.2],
                          "count": [-3, 4], "mixed": ["[c]", -0.25]})
    safe = neutralise_formulas(frame)
    assert safe["authority"].tolist() == ["'" + EVIL_AUTHORITY, "Cindermoor"]
    assert safe["rl"].tolist() == [-0.5, 1.2] and safe["count"].tolist() == [-3, 4]
    assert safe["mixed"].tolist() == ["[c]", -0.25]
    assert frame["authority"].iloc[0] == EVIL_AUTHORITY
    plain = frame.drop(columns="authority")
    assert neutralise_formulas(plain) is plain  # nothing to do, nothing copied


def _evil_counts(tmp_path: Path) -> Path:
    """Ashbourne Vale's 2024 pay bands and disciplinary counts under hostile names."""
    counts = pd.read_csv(SAMPLE, dtype=str)
    counts = counts[(counts["year"] == "2024") & counts["indicator"].isin(["1", "3"])]
    counts = counts.assign(authority=EVIL_AUTHORITY,
                           measure=counts["measure"].replace({"Band 1": EVIL_BAND}))
    path = tmp_path / "evil.csv"
    counts.to_csv(path, index=False)  # as a user's own file would be: not neutralised
    return path


def _cells(path: Path, column: str) -> set[str]:
    with path.open(newline="", encoding="utf-8") as handle:
        return {row[column] for row in csv.DictReader(handle)}


def _numbers_match(written: pd.DataFrame, expected: pd.DataFrame) -> None:
    for column in ("numerator", "denominator", "relative_likelihood", "rl_lower", "p_value"):
        assert pd.to_numeric(written[column]).tolist() == pytest.approx(
            pd.to_numeric(expected[column]).tolist(), nan_ok=True), column


@pytest.mark.parametrize("publication", [False, True])
def test_wres_results_writes_hostile_labels_as_text_and_numbers_as_numbers(
        tmp_path, capsys, publication):
    counts = _evil_counts(tmp_path)
    output = tmp_path / "results.csv"
    assert main(["results", str(counts), "--output", str(output),
                 *(["--publication"] if publication else [])]) == 0
    assert _cells(output, "authority") == {"'" + EVIL_AUTHORITY}
    assert "'" + EVIL_BAND in _cells(output, "measure")
    assert not any(cell.startswith(FORMULA_STARTS) and not _is_number(cell)
                   for column in ("authority", "measure", "status", "flag", "verdict")
                   for cell in _cells(output, column))
    back = read_csv(output)
    assert set(back["authority"]) == {EVIL_AUTHORITY} and EVIL_BAND in set(back["measure"])
    if not publication:
        _numbers_match(back, compute_results(read_counts([counts])))


def _is_number(text: str) -> bool:
    try:
        float(text)
    except ValueError:
        return False
    return True


def test_the_notebooks_results_file_is_safe_and_reads_back_unchanged(tmp_path):
    results = compute_results(read_counts([_evil_counts(tmp_path)]))
    path = write_results(results, tmp_path, "01-pay-bands")
    assert _cells(path, "authority") == {"'" + EVIL_AUTHORITY}
    assert "'" + EVIL_BAND in _cells(path, "measure")
    back = read_csv(path)
    assert back["authority"].tolist() == results["authority"].tolist()
    assert back["measure"].tolist() == results["measure"].tolist()
    _numbers_match(back, results)
    # read and written again, as `wres run` gathers results.csv: the same bytes, no quote added
    again = write_csv_atomic(back, tmp_path / "results.csv")
    assert again.read_bytes() == path.read_bytes()


def test_a_counts_file_from_wres_aggregate_reads_back_with_its_labels(tmp_path):
    columns = ["authority", "year", "service", "indicator", "measure", "ethnic_group",
               "denominator", "numerator"]
    counts = read_counts([_evil_counts(tmp_path)])[columns]
    written = write_csv_atomic(counts, tmp_path / "aggregated.csv")  # as wres aggregate does
    assert _cells(written, "authority") == {"'" + EVIL_AUTHORITY}
    again = read_counts([written])
    assert again[columns].astype(str).equals(counts.astype(str))
