"""Secondary suppression: hide further counts so that no hidden count can be worked out.
"""

from __future__ import annotations

import heapq
from collections import defaultdict
from collections.abc import Hashable, Iterable

import numpy as np
import pandas as pd
from scipy.optimize import linprog

from wres.analysis.disclosure.columns import BOUNDS, RATES, RATIOS, ROLES, Cell
from wres.core.indicators import ALL_SERVICES, BROAD_GROUPS, INDICATORS, MINORITY, UNKNOWN, WHITE
from wres.core.names import RESULT_COUNTS


def cell_structure(
    results: pd.DataFrame,
) -> tuple[dict[Cell, int], list[dict[str, tuple[Cell, Cell]]], list[list[tuple[Cell, int]]],
           list[tuple[Cell, Cell]]]:
    """Distinct counts (cells), each row's cells, the sums linking them, and n <= d pairs."""
    cells: dict[Cell, int] = {}
    row_cells: list[dict[str, tuple[Cell, Cell]]] = []
    for row in results.to_dict("records"):
        found: dict[str, tuple[Cell, Cell]] = {}
        for role, (num_col, den_col) in ROLES.items():
            if num_col not in row or den_col not in row or pd.isna(row[num_col]):
                continue
            group = {"group": row.get("group"), "reference": WHITE, "unknown": UNKNOWN}[role]
            n, d = int(row[num_col]), int(row[den_col])
            population = INDICATORS[int(row["indicator"])].denominator
            num = ("n", row["authority"], row["year"], int(row["indicator"]), row["measure"],
                   row["service"], group)
            den = ("d", row["authority"], row["year"], population, row["service"], group, d)
            cells[num], cells[den] = n, d
            found[role] = (num, den)
        row_cells.append(found)
    pairs = sorted({pair for found in row_cells for pair in found.values()}, key=repr)
    return cells, row_cells, _equations(cells, pairs), pairs


def _equations(
    cells: dict[Cell, int], pairs: list[tuple[Cell, Cell]]
) -> list[list[tuple[Cell, int]]]:
    """Published sums: ``all`` = services, minority = broad groups, pay bands = staff in post."""
    sums: dict[tuple[Hashable, ...], dict[Hashable, Cell]] = defaultdict(dict)
    for num, den in pairs:
        _, authority, year, indicator, measure, service, group = num
        for kind, cell in (("n", num), ("d", den)):
            sums[("service", kind, authority, year, indicator, measure, group)][service] = cell
            if group == MINORITY or group in BROAD_GROUPS:
                sums[("group", kind, authority, year, indicator, measure, service)][group] = cell
        if indicator == 1:
            sums[("band", authority, year, service, group)][measure] = num
            sums[("band", authority, year, service, group)][None] = den
    total_names: dict[Hashable, Hashable] = {"service": ALL_SERVICES, "group": MINORITY,
                                             "band": None}
    equations = []
    for key, members in sums.items():
        total_name = total_names[key[0]]
        if total_name not in members or len(members) < 2:
            continue
        total = members[total_name]
        parts = sorted({c for name, c in members.items() if name != total_name} - {total},
                       key=repr)
        if parts and cells[total] == sum(cells[c] for c in parts):
            equations.append([(total, 1), *((c, -1) for c in parts)])
    unique = {tuple(sorted(eq, key=repr)): eq for eq in equations}
    return sorted(unique.values(), key=repr)


class _Links:
    """Which equations and n <= d pairs each cell belongs to, so lookups are local."""

    def __init__(self, equations: list[list[tuple[Cell, int]]],
                 pairs: list[tuple[Cell, Cell]]) -> None:
        self.equations, self.pairs = equations, pairs
        self.members = [[c for c, _ in equation] for equation in equations]
        self.equations_of: dict[Cell, list[int]] = defaultdict(list)
        self.pairs_of: dict[Cell, list[int]] = defaultdict(list)
        for i, members in enumerate(self.members):
            for c in members:
                self.equations_of[c].append(i)
        for i, pair in enumerate(pairs):
            for c in set(pair):
                self.pairs_of[c].append(i)

    def linked(self, cell: Cell) -> set[Cell]:
        """Every cell sharing an equation or an n <= d pair with ``cell`` (itself included)."""
        found = {c for i in self.equations_of.get(cell, ()) for c in self.members[i]}
        found.update(c for i in self.pairs_of.get(cell, ()) for c in self.pairs[i])
        return found


def secondary_suppression(
    cells: dict[Cell, int],
    equations: list[list[tuple[Cell, int]]],
    pairs: list[tuple[Cell, Cell]],
    hidden: set[Cell],
) -> set[Cell]:
    """Hide more cells until no hidden cell is determined by the published ones."""
    hidden = set(hidden)
    links = _Links(equations, pairs)
    checked: dict[frozenset[Cell], list[Cell]] = {}  # a component's answer never changes
    while True:
        _close_single_unknowns(cells, links, hidden)
        determined = _determined(cells, links, hidden, checked)
        if not determined:
            return hidden
        added = False
        for cell in determined:
            partner = _pick(cells, links.linked(cell) - hidden - {cell})
            if partner is not None:
                hidden.add(partner)
                added = True
        if not added:
            return hidden


def _pick(cells: dict[Cell, int], candidates: Iterable[Cell]) -> Cell | None:
    """The next-smallest count, non-zero counts first, totals last."""
    ranked = sorted(candidates, key=lambda c: (cells[c] == 0, cells[c], _is_total(c), repr(c)))
    return ranked[0] if ranked else None


def _is_total(cell: Cell) -> bool:
    return ALL_SERVICES in cell or MINORITY in cell


def _close_single_unknowns(cells: dict[Cell, int], links: _Links, hidden: set[Cell]) -> None:
    """Wherever a sum has exactly one hidden cell, hide the next-smallest cell beside it.

    Equivalent to sweeping the equations in order until a sweep changes nothing,
    but only equations that just gained their first hidden cell are revisited.
    """
    count = [sum(c in hidden for c in members) for members in links.members]
    this_sweep = [i for i, n in enumerate(count) if n == 1]
    next_sweep: list[int] = []
    position = -1
    while this_sweep or next_sweep:
        if not this_sweep:
            this_sweep, next_sweep, position = next_sweep, [], -1
            heapq.heapify(this_sweep)
        i = heapq.heappop(this_sweep)
        if count[i] != 1:
            continue
        position = i
        choice = _pick(cells, (c for c in links.members[i] if c not in hidden))
        if choice is None:
            continue
        hidden.add(choice)
        for j in links.equations_of.get(choice, ()):
            count[j] += 1
            if count[j] == 1:
                heapq.heappush(this_sweep if j > position else next_sweep, j)


def _determined(
    cells: dict[Cell, int],
    links: _Links,
    hidden: set[Cell],
    checked: dict[frozenset[Cell], list[Cell]],
) -> list[Cell]:
    """Hidden cells whose value the published cells fix, found component by component.

    Hidden cells sharing a sum or an n <= d pair form a component; only a
    component's own constraints can pin its cells, so each is checked alone
    (and once: ``checked`` remembers the answer for a component already seen).
    """
    seen: set[Cell] = set()
    components = []
    for start in hidden:
        if start in seen:
            continue
        seen.add(start)
        component, stack = [start], [start]
        while stack:
            for other in links.linked(stack.pop()):
                if other in hidden and other not in seen:
                    seen.add(other)
                    component.append(other)
                    stack.append(other)
        components.append(frozenset(component))
    fixed: list[Cell] = []
    for members in sorted(components, key=lambda m: repr(min(m, key=repr))):
        if members not in checked:
            checked[members] = _determined_in(cells, links, members)
        fixed += checked[members]
    return fixed


def _determined_in(cells: dict[Cell, int], links: _Links, hidden: frozenset[Cell]) -> list[Cell]:
    """Hidden cells of one component that a linear programme pins to a single value."""
    order = sorted(hidden, key=repr)
    index = {c: i for i, c in enumerate(order)}
    rows, rhs = [], []
    for e in sorted({i for c in order for i in links.equations_of.get(c, ())}):
        row = np.zeros(len(order))
        constant = 0.0
        for c, coefficient in links.equations[e]:
            if c in hidden:
                row[index[c]] += coefficient
            else:
                constant -= coefficient * cells[c]
        rows.append(row)
        rhs.append(constant)
    upper_rows, upper_rhs = [], []
    lowest: list[float] = [0.0 for _ in order]
    highest: list[float | None] = [None for _ in order]
    for p in sorted({i for c in order for i in links.pairs_of.get(c, ())}):
        num, den = links.pairs[p]
        if num in hidden and den in hidden:
            row = np.zeros(len(order))
            row[index[num]], row[index[den]] = 1, -1
            upper_rows.append(row)
            upper_rhs.append(0.0)
        elif num in hidden:
            current = highest[index[num]]
            highest[index[num]] = cells[den] if current is None else min(current, cells[den])
        elif den in hidden:
            lowest[index[den]] = max(lowest[index[den]], cells[num])
    bounds = list(zip(lowest, highest, strict=True))
    if not rows and all(high is None or high > low for low, high in bounds):
        return []
    problem = {
        "A_eq": np.array(rows) if rows else None,
        "b_eq": np.array(rhs) if rows else None,
        "A_ub": np.array(upper_rows) if upper_rows else None,
        "b_ub": np.array(upper_rhs) if upper_rows else None,
        "bounds": bounds,
        "method": "highs",
    }
    values = np.array([cells[c] for c in order], dtype=float)
    surely_free = _wide_ranges(values, problem) > 0.5 + 1e-6
    fixed = []
    for cell in _constrained(order, rows, bounds, index):
        if surely_free[index[cell]]:
            continue  # two published-consistent tables differ here by more than 0.5
        objective = np.zeros(len(order))
        objective[index[cell]] = 1
        low = linprog(objective, **problem)
        high = linprog(-objective, **problem)
        if low.status == 0 and high.status == 0 and -high.fun - low.fun < 0.5:
            fixed.append(cell)
    return fixed


def _wide_ranges(values: np.ndarray, problem: dict) -> np.ndarray:
    """A lower bound on how far each hidden count can move, without a linear programme.

    The true counts ``values`` satisfy every constraint. For each cell, move
    them along the projection of that cell's unit vector onto the null space
    of the published sums (so the sums still hold) as far as the bounds and
    n <= d rows allow both ways; the cell's change between the two end points
    is a range the linear programme can only widen. Cells whose range is
    large here need no linear programme; the rest get one.
    """
    size = values.size
    if problem["A_eq"] is not None:
        _, singular, vt = np.linalg.svd(problem["A_eq"])
        rank = int(np.sum(singular > 1e-9 * max(singular.max(initial=0.0), 1.0)))
        null = vt[rank:].T
    else:
        null = np.eye(size)
    directions = null @ null.T  # column j: cell j's unit vector projected on the null space
    limits, room = [-np.eye(size)], [-np.array([b[0] for b in problem["bounds"]])]
    capped = [j for j, b in enumerate(problem["bounds"]) if b[1] is not None]
    if capped:
        limits.append(np.eye(size)[capped])
        room.append(np.array([problem["bounds"][j][1] for j in capped], dtype=float))
    if problem["A_ub"] is not None:
        limits.append(problem["A_ub"])
        room.append(problem["b_ub"])
    g = np.vstack(limits)
    slack = np.maximum(np.concatenate(room) - g @ values, 0.0)[:, None]
    rate = g @ directions
    with np.errstate(divide="ignore", invalid="ignore"):
        step = slack / rate
    forward = np.where(rate > 1e-12, step, np.inf).min(axis=0)
    backward = np.where(rate < -1e-12, step, -np.inf).max(axis=0)
    reach = np.diag(directions)  # 0 where the published sums fix the cell outright
    moves = reach > 1e-9
    return np.where(moves, (forward - backward) * np.where(moves, reach, 1.0), 0.0)


def _constrained(order: list[Cell], rows: list[np.ndarray],
                 bounds: list[tuple[float, float | None]], index: dict[Cell, int]) -> list[Cell]:
    """Hidden cells in some published sum, or with an upper bound (the others are free)."""
    in_sum = np.any(np.abs(np.array(rows)) > 0, axis=0) if rows else np.zeros(len(order), bool)
    return [c for c in order if in_sum[index[c]] or bounds[index[c]][1] is not None]


def mark_dependent(
    out: pd.DataFrame, row_cells: list[dict[str, tuple[Cell, Cell]]], hidden: set[Cell],
    marker: str,
) -> pd.DataFrame:
    """Write ``marker`` into every hidden count and every figure computed from one."""
    derived = [c for cols in RATES.values() for c in cols] + list(RATIOS) + list(BOUNDS)
    for column in [*RESULT_COUNTS, *derived]:
        if column in out:
            out[column] = out[column].astype("object")
    masks: dict[str, list[bool]] = defaultdict(list)
    for found in row_cells:
        suppressed = {role: any(c in hidden for c in found.get(role, ())) for role in ROLES}
        for role, (num_col, den_col) in ROLES.items():
            num, den = found.get(role, (None, None))
            masks[num_col].append(num in hidden)
            masks[den_col].append(den in hidden)
            for column in RATES[role]:
                masks[column].append(suppressed[role])
        for column in RATIOS:
            masks[column].append(suppressed["group"] or suppressed["reference"])
        for column in BOUNDS:
            masks[column].append(any(suppressed.values()))
    for column, mask in masks.items():
        if column in out:
            out.loc[np.array(mask, dtype=bool), column] = marker
    return out
