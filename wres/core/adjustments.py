"""The names of the multiple-comparison adjustments, checked without the numerical stack.

``none`` leaves each p-value as it is; ``holm`` (Holm's step-down method, which
controls the chance of any false positive) and ``fdr_bh`` (Benjamini–Hochberg,
which controls the expected share of false positives among the results flagged)
are the `statsmodels.stats.multitest.multipletests` methods of the same names.
Kept apart from `wres.stats` so that a params file can be checked when it is
loaded, as `wres.core.methods` is.
"""

from __future__ import annotations

#: Adjustments accepted by ``wres results --adjust`` and the params key ``adjust``.
ADJUST_METHODS: tuple[str, ...] = ("none", "holm", "fdr_bh")


def normalise_adjust(name: str | None) -> str:
    """Canonical name of an adjustment (``None`` means ``none``; case and ``-`` ignored).

    Raises
    ------
    ValueError
        If ``name`` is not one of `ADJUST_METHODS`; the message lists them.
    """
    key = "none" if name is None else str(name).strip().lower().replace("-", "_")
    if key not in ADJUST_METHODS:
        raise ValueError(f"unknown adjustment {name!r}: expected one of "
                         f"{', '.join(ADJUST_METHODS)}")
    return key
