"""Disclosure decisions kept in a batch's cache: each authority-year is decided once.

Every notebook of an authority decides disclosure over the authority's whole
year (`apply_disclosure(..., within=...)`), and the national view does so for
every authority: the same secondary suppression, and the same attack that
checks its result, ten times or more per authority-year. In a ``wres run``
batch (`wres.core.cache`) the cells hidden for a table of counts, and that a
published table passed the attack, are kept under a hash of everything they
are computed from (the counts and their relations, k, the protection interval,
the published and true rows, and the ``wres`` code); a call with other inputs
cannot find them. Outside a batch, or on any cache error, they are computed.
A failed check is never kept: it fails again, the same way, every time.
"""

from __future__ import annotations

from collections.abc import Callable

import pandas as pd

from wres.analysis.disclosure.attack import check_publication
from wres.analysis.disclosure.columns import Cell
from wres.analysis.disclosure.protection import PROTECTION_INTERVAL
from wres.analysis.disclosure.secondary import Structure, secondary_suppression
from wres.core import cache

_LAYERS = ("core", "stats", "analysis")


def _key(options: list[object], contents: list[bytes]) -> str | None:
    if cache.cache_dir() is None:
        return None
    return cache.content_key(cache.code_identity(*_LAYERS), options, contents)


Decide = Callable[..., set[Cell]]


def hidden_cells(structure: Structure, primary: set[Cell], min_count: int,
                 decide: Decide = secondary_suppression) -> set[Cell]:
    """``decide(structure, primary, min_count=...)`` (`secondary_suppression`) of one
    authority-year, computed once per batch."""
    def compute() -> set[Cell]:
        return decide(structure, primary, min_count=min_count)

    contents = [repr(sorted(structure.cells.items(), key=repr)).encode(),
                repr(structure.equations).encode(),
                repr(sorted(structure.complements.items(), key=repr)).encode(),
                repr(sorted(primary, key=repr)).encode()]
    name = f"{getattr(decide, '__module__', '')}.{getattr(decide, '__qualname__', decide)}"
    key = _key([name, int(min_count), PROTECTION_INTERVAL], contents)
    return cache.cached("disclosure-hidden", key, compute)


def checked(published: pd.DataFrame, truth: pd.DataFrame, *, min_count: int, what: str,
            check: Callable[..., None] = check_publication) -> None:
    """``check(published, truth, ...)`` (`check_publication`) of one authority-year, run once
    per batch for the same tables."""
    contents = [published.to_csv(index=False).encode(), truth.to_csv(index=False).encode()]
    key = _key(["check_publication", int(min_count)], contents)

    def compute() -> bool:
        check(published, truth, min_count=min_count, what=what)
        return True  # raised otherwise: a failure is not kept

    cache.cached("disclosure-checked", key, compute)
