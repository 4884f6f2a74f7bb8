"""Rows of a DataFrame as plain dicts, for code that words, tabulates or draws them row by row.

``DataFrame.to_dict("records")`` walks the rows through ``itertuples``, which builds a
Series for every column first: on a results frame of some forty columns and a few
rows, that is nearly all of its time, and the report code asks for rows over a
thousand times in a batch of twelve authorities. :func:`records` gives the same dicts
from one conversion of the frame to Python objects.
"""

from __future__ import annotations

from typing import Any, cast

import numpy as np
import pandas as pd
from pandas.api.extensions import ExtensionDtype
from pandas.core.dtypes.cast import maybe_box_native  # what to_dict applies to such values


def records(frame: pd.DataFrame) -> list[dict[str, Any]]:
    """The rows of ``frame`` as dicts, column name to value: ``frame.to_dict("records")``.

    The values are what pandas gives: Python numbers, strings and booleans for NumPy
    columns, ``Timestamp`` for dates; in object and extension columns (strings,
    nullable numbers and booleans), NumPy scalars as Python ones and ``pd.NA`` as
    None, as pandas boxes them. A frame with repeated column names is left to pandas.
    """
    if not frame.columns.is_unique:
        return cast(list[dict[str, Any]], frame.to_dict("records"))
    columns = cast(list[str], list(frame.columns))
    rows = frame.to_numpy(dtype=object).tolist() if columns else [[] for _ in range(len(frame))]
    boxed = [i for i, dtype in enumerate(frame.dtypes)
             if dtype == np.dtype(object) or isinstance(dtype, ExtensionDtype)]
    for row in rows:
        for i in boxed:
            row[i] = maybe_box_native(row[i])
    return [dict(zip(columns, row, strict=True)) for row in rows]
