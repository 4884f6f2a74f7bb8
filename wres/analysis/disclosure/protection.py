"""Protection intervals: how far each hidden count can move, given what is published.

The attacker's view, shared by secondary suppression and the disclosure attack:
every published count is known; every hidden count is an unknown with a prior
range (a count suppressed for being small lies in 1..k-1, any other hidden count
is 0 or more); published sums, complements and figures read back from the
outputs are linear constraints on the unknowns. The feasible range of an
unknown is its minimum and maximum over every table that agrees with all of
that (linear programmes, `scipy.optimize.linprog` with HiGHS).

A hidden count is protected when its feasible range holds at least
`PROTECTION_INTERVAL` whole numbers (the tau-ARGUS notion of a protection
interval): with k = 5, a count known to be 1 to 4 must keep three of those
four values open.

Shortcuts never change the answer: bound propagation shows many counts narrow,
tables found from the true counts many wide; programmes settle the rest.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Hashable, Iterable, Mapping
from typing import TypeVar

import numpy as np

from wres.analysis.disclosure.programmes import (
    Constraints,
    components,
    exact_ranges,
    problems_for,
    prove_wide,
    whole_numbers,
)

#: Whole numbers a hidden count's feasible range must hold (e.g. 2, 3 or 4).
PROTECTION_INTERVAL = 3

K = TypeVar("K", bound=Hashable)

__all__ = ["PROTECTION_INTERVAL", "Constraints", "components", "feasible_ranges",
           "local_ranges", "narrow_cells", "propagate", "whole_numbers", "wide_enough"]


def propagate(constraints: Constraints[K], rounds: int = 30) -> dict[K, tuple[float, float]]:
    """Ranges holding each unknown's feasible range, by tightening bounds row by row.

    Each row bounds each of its unknowns given the bounds of the others, over
    and over until nothing changes. Never narrower than the linear programme's
    answer, so an unknown narrow here is narrow.
    """
    order = list(constraints.bounds)
    index = {c: i for i, c in enumerate(order)}
    low = np.array([constraints.bounds[c][0] for c in order], dtype=float)
    high = np.array([constraints.bounds[c][1] for c in order], dtype=float)
    if constraints.rows:
        row_of = np.repeat(np.arange(len(constraints.rows)),
                           [len(t) for t, _, _ in constraints.rows])
        var = np.array([index[c] for t, _, _ in constraints.rows for c, _ in t])
        coef = np.array([v for t, _, _ in constraints.rows for _, v in t], dtype=float)
        row_low = np.array([lo for _, lo, _ in constraints.rows], dtype=float)[row_of]
        row_high = np.array([hi for _, _, hi in constraints.rows], dtype=float)[row_of]
        up = coef > 0
        for _ in range(rounds):
            with np.errstate(invalid="ignore"):
                smallest = np.where(up, coef * low[var], coef * high[var])
                largest = np.where(up, coef * high[var], coef * low[var])
                # low <= term + others <= high bounds the term by the others' extremes
                term_low = row_low - _others(largest, row_of)
                term_high = row_high - _others(smallest, row_of)
                new_low = np.where(up, term_low / coef, term_high / coef)
                new_high = np.where(up, term_high / coef, term_low / coef)
            tight_low, tight_high = low.copy(), high.copy()
            np.maximum.at(tight_low, var, np.where(np.isnan(new_low), -np.inf, new_low))
            np.minimum.at(tight_high, var, np.where(np.isnan(new_high), np.inf, new_high))
            moved = bool(np.any((tight_low > low + 1e-9) | (tight_high < high - 1e-9)))
            low, high = tight_low, tight_high
            if not moved:
                break
    return {c: (float(low[i]), float(high[i])) for i, c in enumerate(order)}


def _others(values: np.ndarray, row_of: np.ndarray) -> np.ndarray:
    """For each term, the sum of the other terms of its row (infinite when one of them is)."""
    size = int(row_of.max()) + 1
    finite = np.isfinite(values)
    total = np.bincount(row_of, weights=np.where(finite, values, 0.0), minlength=size)
    up = np.bincount(row_of, weights=(values == np.inf), minlength=size)
    down = np.bincount(row_of, weights=(values == -np.inf), minlength=size)
    rest = total[row_of] - np.where(finite, values, 0.0)
    rest_up = up[row_of] - (values == np.inf)
    rest_down = down[row_of] - (values == -np.inf)
    return np.where(rest_up > 0, np.inf, np.where(rest_down > 0, -np.inf, rest))


def feasible_ranges(constraints: Constraints[K],
                    targets: Iterable[K]) -> dict[K, tuple[float, float]]:
    """Minimum and maximum of each target over every table that meets the constraints.

    Returns ``(low, high)`` per target (``high`` is ``inf`` when unbounded,
    both are ``nan`` when the constraints contradict each other).
    """
    return exact_ranges(problems_for(constraints, targets))


def narrow_cells(
    constraints: Constraints[K],
    needed: Mapping[K, float],
    *,
    point: Mapping[K, float] | None = None,
    exact: bool = True,
) -> dict[K, tuple[float, float]]:
    """Unknowns whose feasible range holds fewer whole numbers than ``needed``, with that range.

    Parameters
    ----------
    constraints : Constraints
    needed : mapping
        Whole numbers each unknown's range must hold.
    point : mapping, optional
        A table meeting every constraint (the true counts): tables found by
        moving from it show many unknowns wide without an exact programme.
    exact : bool
        With False, an unknown that bound propagation, or a programme over the
        rows near it alone, already shows narrow is answered with that range,
        which may be wider than its true one: it is narrow all the same.
    """
    targets = [c for c, n in needed.items() if n > 1 and c in constraints.bounds]
    found: dict[K, tuple[float, float]] = {}
    if not exact:
        outer = propagate(constraints)
        found = {c: outer[c] for c in targets if whole_numbers(*outer[c]) < needed[c]}
        targets = [c for c in targets if c not in found]
    problems = problems_for(constraints, targets)
    if point is not None:
        prove_wide(problems, point, needed)
    if not exact:
        left = [c for problem in problems for c in problem.targets]
        local = local_ranges(constraints, left)
        found.update((c, r) for c, r in local.items() if whole_numbers(*r) < needed[c])
        for problem in problems:
            problem.targets = [c for c in problem.targets if c not in found]
    ranges = exact_ranges(problems)
    found.update((c, r) for c, r in ranges.items() if whole_numbers(*r) < needed[c])
    return found


def wide_enough(constraints: Constraints[K], needed: Mapping[K, float],
                point: Mapping[K, float]) -> set[K]:
    """Unknowns that feasible tables found from ``point`` show to hold ``needed`` values."""
    problems = problems_for(constraints, needed)
    prove_wide(problems, point, needed)
    left = {c for problem in problems for c in problem.targets}
    return {c for c in needed if c in constraints.bounds and c not in left}


def local_ranges(constraints: Constraints[K], targets: Iterable[K],
                 depth: int = 2) -> dict[K, tuple[float, float]]:
    """Each target's range under the rows near it alone: never narrower than its true range.

    The unknowns within ``depth`` rows of a target, and the rows among them
    only, make a small problem; all targets are solved together, each in its
    own copy.
    """
    rows_of: dict[K, list[int]] = defaultdict(list)
    for i, (terms, _, _) in enumerate(constraints.rows):
        for cell, _ in terms:
            rows_of[cell].append(i)
    view: Constraints[tuple[K, K]] = Constraints()
    targets = list(targets)
    for target in targets:
        near = {target}
        for _ in range(depth):
            near |= {c for cell in near for i in rows_of[cell] for c, _ in constraints.rows[i][0]}
        for cell in near:
            view.bounds[(target, cell)] = constraints.bounds[cell]
        for i in sorted({i for cell in near for i in rows_of[cell]}):
            terms, low, high = constraints.rows[i]
            if all(c in near for c, _ in terms):
                view.rows.append((tuple(((target, c), v) for c, v in terms), low, high))
    ranges = feasible_ranges(view, [(t, t) for t in targets])
    return {t: ranges[(t, t)] for t in targets}


