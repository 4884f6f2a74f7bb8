"""Linear programmes over groups of linked unknowns, many solved in one call.

`Constraints` holds unknown counts with their prior ranges and the linear rows
linking them; `components` splits them into groups that share no row, which
can be solved apart. Minimum and maximum of many unknowns are found with one
`scipy.optimize.linprog` (HiGHS) call: each question is a block of its own,
and one programme over the blocks side by side minimises every block's
objective at once. `prove_wide` finds feasible tables (starting from the true
counts) that show unknowns wide without an exact programme.
"""

from __future__ import annotations

import copy
import math
from collections import defaultdict
from collections.abc import Hashable, Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any, Generic, TypeVar

import numpy as np
import scipy.sparse as sp
from scipy.optimize import linprog

_TOLERANCE = 1e-6
#: Rounds of two programmes that widen the known ranges before exact ones.
_ROUNDS = 3
#: Counts are far below this: a range reaching it is unbounded.
_BIG = 1e7
#: Largest combined programme solved in one call (variables).
_CHUNK = 40_000

#: An unknown's key: any hashable (a count's cell, a sum of cells, a copy of one).
K = TypeVar("K", bound=Hashable)


@dataclass
class Constraints(Generic[K]):
    """Linear constraints on unknown counts: ``low <= sum(coefficient * cell) <= high``.

    ``bounds`` holds each unknown's prior range (``math.inf`` for no upper
    bound); ``rows`` the published relations, with known counts already
    moved into ``low`` and ``high``. A cell appears at most once in a row.
    """

    bounds: dict[K, tuple[float, float]] = field(default_factory=dict)
    rows: list[tuple[tuple[tuple[K, float], ...], float, float]] = field(default_factory=list)
    #: Components and their matrices, kept while no row or unknown is added.
    cache: dict[str, Any] = field(default_factory=dict, repr=False, compare=False)

    def add(self, terms: Iterable[tuple[K, float]], low: float, high: float) -> None:
        """Add ``low <= sum(terms) <= high``, merging repeated cells."""
        merged: dict[K, float] = defaultdict(float)
        for cell, coefficient in terms:
            merged[cell] += coefficient
        kept = tuple((c, v) for c, v in merged.items() if v)
        if kept:
            self.rows.append((kept, float(low), float(high)))


def whole_numbers(low: float, high: float) -> float:
    """How many whole numbers lie in ``[low, high]`` (``inf`` when unbounded, 0 if empty)."""
    if math.isnan(low) or math.isnan(high) or not math.isfinite(high):
        return 0 if math.isnan(low) or math.isnan(high) else math.inf
    return max(0, math.floor(high + _TOLERANCE) - math.ceil(low - _TOLERANCE) + 1)


def components(constraints: Constraints[K]) -> list[tuple[list[K], list[int]]]:
    """Groups of unknowns linked by a row, each with its rows; only those can narrow it."""
    stamp = (len(constraints.rows), len(constraints.bounds))
    if constraints.cache.get("stamp") != stamp:
        constraints.cache.clear()
        constraints.cache.update(stamp=stamp, parts=_components(constraints))
    parts: list[tuple[list[K], list[int]]] = constraints.cache["parts"]
    return parts


def _components(constraints: Constraints[K]) -> list[tuple[list[K], list[int]]]:
    parent: dict[K, K] = {c: c for c in constraints.bounds}

    def root(cell: K) -> K:
        while parent[cell] != cell:
            parent[cell] = parent[parent[cell]]
            cell = parent[cell]
        return cell

    for terms, _, _ in constraints.rows:
        first = root(terms[0][0])
        for cell, _ in terms[1:]:
            other = root(cell)
            if other != first:
                parent[other] = first
    groups: dict[K, list[K]] = defaultdict(list)
    for cell in constraints.bounds:
        groups[root(cell)].append(cell)
    rows: dict[K, list[int]] = defaultdict(list)
    for i, (terms, _, _) in enumerate(constraints.rows):
        rows[root(terms[0][0])].append(i)
    return [(members, rows[key]) for key, members in groups.items()]


class Problem(Generic[K]):
    """One component's linear programme (sparse), its targets and the ranges known so far."""

    def __init__(self, constraints: Constraints[K], members: list[K], rows: list[int],
                 targets: list[K]) -> None:
        self.order = members
        self.index = {c: i for i, c in enumerate(members)}
        self.targets = targets
        self.known: tuple[np.ndarray, np.ndarray] | None = None
        eq: tuple[list[int], list[int], list[float]] = ([], [], [])
        ub: tuple[list[int], list[int], list[float]] = ([], [], [])
        self.b_eq: list[float] = []
        self.b_ub: list[float] = []
        for terms, low, high in (constraints.rows[i] for i in rows):
            sides = ([(1.0, low)] if high - low <= 1e-12 else
                     [(s, b) for s, b in ((1.0, high), (-1.0, -low)) if math.isfinite(b)])
            into, rhs = (eq, self.b_eq) if high - low <= 1e-12 else (ub, self.b_ub)
            for sign, bound in sides:
                for cell, coefficient in terms:
                    into[0].append(len(rhs))
                    into[1].append(self.index[cell])
                    into[2].append(sign * coefficient)
                rhs.append(bound)
        self.eq, self.ub = eq, ub
        self.lower = np.array([constraints.bounds[c][0] for c in members], dtype=float)
        self.upper = np.minimum([constraints.bounds[c][1] for c in members], _BIG)

    def copy(self, targets: list[K]) -> Problem[K]:
        """The same programme for other targets, nothing known yet (matrices shared)."""
        twin = copy.copy(self)
        twin.targets, twin.known = list(targets), None
        return twin

    def matrix(self, which: str) -> sp.csr_matrix:
        rows, columns, values = self.eq if which == "eq" else self.ub
        height = len(self.b_eq if which == "eq" else self.b_ub)
        return sp.csr_matrix((values, (rows, columns)), shape=(height, len(self.order)))

    def start(self, point: Mapping[K, float], needed: Mapping[K, float]) -> None:
        """Begin from ``point`` if it meets every constraint of the component."""
        values = np.array([point[c] for c in self.order], dtype=float)
        ok = bool(np.all(values >= self.lower - 1e-7) and np.all(values <= self.upper + 1e-7))
        if ok and self.b_eq:
            ok = bool(np.all(np.abs(self.matrix("eq") @ values - self.b_eq) <= 1e-7))
        if ok and self.b_ub:
            ok = bool(np.all(self.matrix("ub") @ values <= np.array(self.b_ub) + 1e-7))
        if ok:
            self.known = (values, values)

    def widen(self, table: np.ndarray, needed: Mapping[K, float]) -> None:
        """Take in one more feasible table; drop the targets now shown wide enough."""
        assert self.known is not None
        low, high = np.minimum(self.known[0], table), np.maximum(self.known[1], table)
        self.known = (low, high)
        self.targets = [c for c in self.targets
                        if whole_numbers(low[self.index[c]], high[self.index[c]])
                        < needed.get(c, 0)]


def problems_for(constraints: Constraints[K], targets: Iterable[K]) -> list[Problem[K]]:
    """One problem per component holding a target (matrices built once per component)."""
    parts = components(constraints)
    if "part_of" not in constraints.cache:
        constraints.cache["part_of"] = {c: i for i, (members, _) in enumerate(parts)
                                        for c in members}
        constraints.cache["blocks"] = {}
    part_of, blocks = constraints.cache["part_of"], constraints.cache["blocks"]
    chosen: dict[int, list[K]] = defaultdict(list)
    for cell in dict.fromkeys(targets):
        if cell in part_of:
            chosen[part_of[cell]].append(cell)
    problems = []
    for i in sorted(chosen):
        if i not in blocks:
            blocks[i] = Problem(constraints, *parts[i], [])
        problems.append(blocks[i].copy(chosen[i]))
    return problems


def prove_wide(problems: list[Problem[K]], point: Mapping[K, float],
                needed: Mapping[K, float]) -> None:
    """Drop the targets that feasible tables show to be wide enough.

    The first table is ``point``; then each round solves two programmes per
    component, with random positive weights on the targets left, pushing them
    all down and then all up. Every table found is feasible, so a range the
    tables span is one the target can really take.
    """
    for problem in problems:
        problem.start(point, needed)
        if problem.known is not None:
            problem.widen(problem.known[0], needed)
    for round_ in range(_ROUNDS):
        busy = [p for p in problems if p.known is not None and p.targets]
        if not busy:
            return
        rng = np.random.default_rng(round_)
        blocks = []
        for problem in busy:
            weights = np.zeros(len(problem.order))
            chosen = [problem.index[c] for c in problem.targets]
            weights[chosen] = rng.uniform(0.5, 1.5, len(chosen))
            blocks += [(problem, weights), (problem, -weights)]
        for (problem, _), answer in zip(blocks, _solve(blocks), strict=True):
            if answer is not None:
                problem.widen(answer, needed)


def exact_ranges(problems: list[Problem[K]]) -> dict[K, tuple[float, float]]:
    """The exact range of every target left: its minimum and its maximum, one block each."""
    blocks = []
    for problem in problems:
        for cell in problem.targets:
            unit = np.zeros(len(problem.order))
            unit[problem.index[cell]] = 1.0
            blocks += [(problem, unit), (problem, -unit)]
    answers = _solve(blocks)
    found: dict[K, tuple[float, float]] = {}
    for i in range(0, len(blocks), 2):
        problem, unit = blocks[i]
        j = int(np.argmax(unit))
        low, high = answers[i], answers[i + 1]
        if low is None or high is None:
            found[problem.order[j]] = (math.nan, math.nan)
            continue
        top = float(high[j])
        found[problem.order[j]] = (float(low[j]), math.inf if top >= _BIG / 2 else top)
    return found


def _solve(blocks: list[tuple[Problem[K], np.ndarray]]) -> list[np.ndarray | None]:
    """Minimise each block's objective over its own problem, many blocks per programme.

    The blocks share no unknowns, so one programme with their objectives summed
    minimises each of them; when a programme has no solution its blocks are
    retried one by one, and a block with none is answered with None.
    """
    answers: list[np.ndarray | None] = []
    start = 0
    while start < len(blocks):
        stop, size = start + 1, len(blocks[start][0].order)
        while stop < len(blocks) and size + len(blocks[stop][0].order) <= _CHUNK:
            size += len(blocks[stop][0].order)
            stop += 1
        chunk = blocks[start:stop]
        result = _combined(chunk)
        if result is not None:
            answers += result
        else:
            for block in chunk:
                alone = _combined([block]) if len(chunk) > 1 else None
                answers.append(None if alone is None else alone[0])
        start = stop
    return answers


def _combined(blocks: list[tuple[Problem[K], np.ndarray]]) -> list[np.ndarray] | None:
    """One programme for ``blocks``: each block's optimal table, or None if infeasible."""
    columns = np.cumsum([0, *(len(p.order) for p, _ in blocks)])
    matrices = {}
    for which in ("eq", "ub"):
        rows, cols, values, rhs = [], [], [], []
        height = 0
        for (problem, _), offset in zip(blocks, columns[:-1], strict=False):
            r, c, v = problem.eq if which == "eq" else problem.ub
            rows.append(np.asarray(r, dtype=np.int64) + height)
            cols.append(np.asarray(c, dtype=np.int64) + offset)
            values.append(np.asarray(v, dtype=float))
            b = problem.b_eq if which == "eq" else problem.b_ub
            rhs.append(np.asarray(b, dtype=float))
            height += len(b)
        if height:
            matrix = sp.csr_matrix((np.concatenate(values),
                                    (np.concatenate(rows), np.concatenate(cols))),
                                   shape=(height, int(columns[-1])))
            matrices[which] = (matrix, np.concatenate(rhs))
    answer = linprog(
        np.concatenate([c for _, c in blocks]),
        A_eq=matrices["eq"][0] if "eq" in matrices else None,
        b_eq=matrices["eq"][1] if "eq" in matrices else None,
        A_ub=matrices["ub"][0] if "ub" in matrices else None,
        b_ub=matrices["ub"][1] if "ub" in matrices else None,
        bounds=np.column_stack([np.concatenate([p.lower for p, _ in blocks]),
                                np.concatenate([p.upper for p, _ in blocks])]),
        method="highs",
        options={"presolve": False},  # small blocks, already tight: presolve costs more
    )
    if answer.status != 0:
        return None
    return [answer.x[a:b] for a, b in zip(columns[:-1], columns[1:], strict=True)]
