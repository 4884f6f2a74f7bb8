"""Shared pieces of the statistics: status words and array handling.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TypeAlias

import numpy as np
import pandas as pd
from scipy.stats import norm

OK = "ok"
NO_EVENTS_REFERENCE = "not_computable: no events in the reference group"
NO_EVENTS_EITHER = "not_computable: no events in either group"
NO_ONE_GROUP = "not_computable: no one in the group"
NO_ONE_REFERENCE = "not_computable: no one in the reference group"

ArrayLike: TypeAlias = float | int | Sequence[float] | np.ndarray | pd.Series


def z_value(confidence_level: float) -> float:
    """Two-sided standard normal quantile for ``confidence_level``."""
    level = float(confidence_level)
    if not 0.0 < level < 1.0:
        raise ValueError(f"confidence_level must be between 0 and 1, got {confidence_level!r}")
    return float(norm.isf((1.0 - level) / 2.0))


def _index(*values: ArrayLike) -> pd.Index | None:
    """Index of the first Series among ``values``, if any."""
    return next((v.index for v in values if isinstance(v, pd.Series)), None)


def _counts(**named: ArrayLike) -> dict[str, np.ndarray]:
    """Broadcast counts to 1-D arrays and check they are counts.

    ``int64`` counts stay ``int64`` (as a private copy, never the caller's
    array), so they can be both the arithmetic's input and the output's count
    column; anything else becomes float. The arithmetic gives the same bits
    either way: numpy converts each integer to float exactly as ``astype`` does.

    Raises
    ------
    ValueError
        Naming the argument and first position of a missing or negative value.
    """
    arrays = np.broadcast_arrays(*(np.atleast_1d(_as_numbers(v)) for v in named.values()))
    checked = {}
    for name, values in zip(named, arrays, strict=True):
        flat = values.ravel()
        if flat.size and not flat.min() >= 0:  # a NaN minimum fails too
            bad = np.flatnonzero(~(flat >= 0))
            raise ValueError(
                f"{name} must be non-negative counts; position {bad[0]} is "
                f"{flat[bad[0]].astype(float)!r}"
            )
        checked[name] = flat
    whole = [name for name, flat in checked.items() if flat.dtype == np.int64]
    if whole:  # copy into one block: one large allocation costs less than several
        block = np.empty((len(whole), arrays[0].size), dtype=np.int64)
        for row, name in zip(block, whole, strict=True):
            row[...] = checked[name]
            checked[name] = row
    return checked


def _as_numbers(values: ArrayLike) -> np.ndarray:
    """``int64`` arrays as they are (no conversion needed), anything else as float."""
    if getattr(values, "dtype", None) == np.int64:
        return np.asarray(values)
    return np.asarray(values, dtype=float)


def _count_column(given: ArrayLike, values: np.ndarray) -> np.ndarray:
    """The counts as given when they were integers, else the checked float array."""
    if values.dtype == np.int64:
        return values  # already a private copy (see `_counts`)
    original = np.asarray(given)
    if original.dtype.kind in "iu" and original.shape == values.shape:
        return original.copy()  # frames are built without copying; never share the caller's
    whole = np.all(values == np.floor(values)) and np.all(values < 2**53)
    return values.astype(np.int64) if whole else values.copy()


def _status_column(codes: np.ndarray, words: tuple[str, ...]) -> pd.Categorical:
    """Status words for integer codes, as a categorical column (fast for a million rows)."""
    return pd.Categorical.from_codes(codes, categories=words)


def _label_column(label: str, size: int) -> pd.Categorical:
    """One label (a method name) for every row, as a one-category categorical column."""
    return pd.Categorical.from_codes(np.zeros(size, dtype=np.int8), categories=[label])


def _check_within(numerator: np.ndarray, denominator: np.ndarray, name: str) -> None:
    """Raise if a numerator exceeds its denominator."""
    over = numerator > denominator
    if over.any():
        bad = np.flatnonzero(over)
        raise ValueError(
            f"{name}: numerator {numerator[bad[0]]:g} exceeds denominator "
            f"{denominator[bad[0]]:g} at position {bad[0]}"
        )


def two_groups(
    caller: str,
    numerator: ArrayLike,
    denominator: ArrayLike,
    reference_numerator: ArrayLike,
    reference_denominator: ArrayLike,
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """The group's and the reference group's counts as checked arrays ``x1, n1, x0, n0``.

    One place for what every comparison of two groups checks first: counts
    broadcast and valid (`_counts`), and no numerator above its denominator,
    with errors naming ``caller``.
    """
    c = _counts(
        numerator=numerator,
        denominator=denominator,
        reference_numerator=reference_numerator,
        reference_denominator=reference_denominator,
    )
    x1, n1 = c["numerator"], c["denominator"]
    x0, n0 = c["reference_numerator"], c["reference_denominator"]
    _check_within(x1, n1, f"{caller} (group)")
    _check_within(x0, n0, f"{caller} (reference group)")
    return x1, n1, x0, n0
