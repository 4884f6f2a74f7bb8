"""`records`: a frame's rows as dicts, exactly as ``DataFrame.to_dict("records")`` gives them."""

from __future__ import annotations

import math
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pytest
from hypothesis import given
from hypothesis import strategies as st

from wres.analysis.results import compute_results, write_results
from wres.core.frames import records
from wres.inputs.counts import read_counts

SAMPLE = Path(__file__).resolve().parents[1] / "data" / "sample"


def _same(value: Any, expected: Any) -> bool:
    """Equal and of the same type; NaN equals NaN, and NA and NaT only themselves."""
    if type(value) is not type(expected):
        return False
    if value is pd.NA or value is pd.NaT:
        return value is expected
    if isinstance(value, float) and math.isnan(expected):
        return math.isnan(value)
    return bool(value == expected)


def assert_as_pandas_gives(frame: pd.DataFrame) -> None:
    expected = frame.to_dict("records")
    got = records(frame)
    assert len(got) == len(expected)
    for row, want in zip(got, expected, strict=True):
        assert list(row) == list(want)
        for column, value in want.items():
            assert _same(row[column], value), (column, row[column], value)


EVERY_KIND = pd.DataFrame({
    "int": [1, 2, 3],
    "float": [1.5, np.nan, 2.0],
    "bool": [True, False, True],
    "str": pd.Series(["a", "b", None], dtype="str"),  # pandas 3's default strings: NaN
    "string": pd.array(["a", None, "c"], dtype="string"),  # pd.NA, which pandas gives as None
    "object": [np.int64(3), "x", None],  # a NumPy scalar in an object column: a Python int
    "Int64": pd.array([1, None, 3], dtype="Int64"),
    "Float64": pd.array([1.0, None, 3.0], dtype="Float64"),
    "boolean": pd.array([True, None, False], dtype="boolean"),
    "category": pd.Categorical(["x", "y", "x"]),
    "date": pd.to_datetime(["2024-01-01", None, "2024-02-01"]),
    "utc": pd.to_datetime(["2024-01-01", None, "2024-02-01"]).tz_localize("UTC"),
    "duration": pd.to_timedelta([1, 2, None], unit="s"),
    "uint8": np.array([1, 2, 3], dtype=np.uint8),
    "float32": np.array([1, 2, 3], dtype=np.float32),
})


def test_rows_of_every_kind_of_column_are_the_values_pandas_gives():
    assert_as_pandas_gives(EVERY_KIND)
    row = records(EVERY_KIND)[1]
    assert row["string"] is None and row["Int64"] is None and row["boolean"] is None
    assert type(records(EVERY_KIND)[0]["object"]) is int
    assert type(row["int"]) is int and type(row["float"]) is float


def test_a_frame_without_rows_or_without_columns_gives_what_pandas_gives():
    assert records(EVERY_KIND.iloc[:0]) == []
    assert records(pd.DataFrame(index=[1, 2])) == [{}, {}]


@pytest.mark.filterwarnings("ignore:DataFrame columns are not unique")
def test_repeated_column_names_are_left_to_pandas():
    frame = pd.DataFrame([[1, 2], [3, 4]], columns=["a", "a"])
    assert records(frame) == frame.to_dict("records")


def test_a_results_frame_and_its_csv_read_back_give_the_rows_pandas_gives(tmp_path):
    results = compute_results(read_counts([SAMPLE / "cindermoor.csv"]))
    assert_as_pandas_gives(results)
    written = write_results(results, tmp_path, "results")
    assert_as_pandas_gives(pd.read_csv(written))


@given(st.lists(st.tuples(st.integers(-10**6, 10**6), st.one_of(st.none(), st.floats()),
                          st.one_of(st.none(), st.text(max_size=5)), st.booleans(),
                          st.one_of(st.none(), st.integers(-100, 100))), max_size=8))
def test_any_frame_of_numbers_text_and_nullable_columns_gives_what_pandas_gives(rows):
    frame = pd.DataFrame(rows, columns=["int", "float", "text", "flag", "maybe"])
    frame["maybe"] = frame["maybe"].astype("Int64")
    frame["text"] = frame["text"].astype("str")
    assert_as_pandas_gives(frame)
