"""Secondary suppression: hide further counts until every hidden count keeps a protection interval.

The counts of a results table are cells; the relations an attacker knows link
them: the ``all`` service is the sum of the services, ``minority`` the sum of
the broad groups, indicator 1's pay bands add up to staff in post, one
denominator is shared by the indicators counting the same people, and every
numerator has a complement (denominator minus numerator: the staff without
the event), itself a count of people. A small count (1 to k-1), or a small
complement, is hidden, and the attacker is assumed to know it lies in 1..k-1.
Further counts are hidden until, in every table that agrees with what is
published, each hidden count can take at least `PROTECTION_INTERVAL` values
(`wres.analysis.disclosure.protection`).
"""

from __future__ import annotations

import heapq
from collections import defaultdict
from collections.abc import Callable, Hashable, Iterable, Mapping
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from wres.analysis.disclosure.columns import BOUNDS, RATES, RATIOS, REASONS, ROLES, Cell
from wres.analysis.disclosure.protection import (
    PROTECTION_INTERVAL,
    Constraints,
    feasible_ranges,
    narrow_cells,
    propagate,
    whole_numbers,
    wide_enough,
)
from wres.core.frames import records
from wres.core.indicators import ALL_SERVICES, BROAD_GROUPS, INDICATORS, MINORITY, UNKNOWN, WHITE
from wres.core.names import RESULT_COUNTS

#: First element of a complement cell's key: ("m", authority, year, indicator, measure, ...).
COMPLEMENT = "m"


@dataclass
class Structure:
    """The cells of a results table and the relations between them.

    ``cells`` holds the true counts (complements included), ``row_cells`` each
    row's (numerator, denominator) cells per role, ``equations`` the relations
    as ``sum(coefficient * cell) == 0`` and ``complements`` each complement's
    (numerator, denominator).
    """

    cells: dict[Cell, int]
    row_cells: list[dict[str, tuple[Cell, Cell]]]
    equations: list[list[tuple[Cell, int]]]
    complements: dict[Cell, tuple[Cell, Cell]] = field(default_factory=dict)


def cell_structure(results: pd.DataFrame) -> Structure:
    """Distinct counts (cells), each row's cells, the sums linking them and the complements."""
    cells: dict[Cell, int] = {}
    row_cells: list[dict[str, tuple[Cell, Cell]]] = []
    for row in records(results):
        found: dict[str, tuple[Cell, Cell]] = {}
        for role, (num_col, den_col) in ROLES.items():
            if num_col not in row or den_col not in row or pd.isna(row[num_col]):
                continue
            group = {"group": row.get("group"), "reference": WHITE, "unknown": UNKNOWN}[role]
            n, d = int(row[num_col]), int(row[den_col])
            population = INDICATORS[int(row["indicator"])].denominator
            num: Cell = ("n", row["authority"], row["year"], int(row["indicator"]),
                         row["measure"], row["service"], group)
            den: Cell = ("d", row["authority"], row["year"], population, row["service"], group,
                         d)
            cells[num], cells[den] = n, d
            found[role] = (num, den)
        row_cells.append(found)
    pairs = sorted({pair for found in row_cells for pair in found.values()}, key=repr)
    complements = {(COMPLEMENT, *num[1:]): (num, den) for num, den in pairs}
    for m, (num, den) in complements.items():
        cells[m] = cells[den] - cells[num]
    equations = _equations(cells, pairs)
    equations += [[(m, 1), (num, 1), (den, -1)] for m, (num, den) in complements.items()]
    return Structure(cells, row_cells, equations, complements)


def _equations(
    cells: dict[Cell, int], pairs: list[tuple[Cell, Cell]]
) -> list[list[tuple[Cell, int]]]:
    """The relations that hold among the true counts."""
    return relations(pairs, lambda total, parts: cells[total] == sum(cells[c] for c in parts))


def relations(
    pairs: Iterable[tuple[Cell, Cell]], holds: Callable[[Cell, list[Cell]], bool]
) -> list[list[tuple[Cell, int]]]:
    """Published sums: ``all`` = services, minority = broad groups, pay bands = staff in post.

    ``pairs`` are (numerator, denominator) cells keyed as in :func:`cell_structure`;
    a sum is kept when ``holds(total, parts)``. Each is ``total - sum(parts) == 0``.
    """
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
        if parts and holds(total, parts):
            equations.append([(total, 1), *((c, -1) for c in parts)])
    unique = {tuple(sorted(eq, key=repr)): eq for eq in equations}
    return sorted(unique.values(), key=repr)


class Links:
    """Which equations each cell belongs to, so lookups are local."""

    def __init__(self, equations: list[list[tuple[Cell, int]]]) -> None:
        self.equations = equations
        self.members = [[c for c, _ in equation] for equation in equations]
        self.equations_of: dict[Cell, list[int]] = defaultdict(list)
        for i, members in enumerate(self.members):
            for c in members:
                self.equations_of[c].append(i)

    def linked(self, cell: Cell) -> set[Cell]:
        """Every cell sharing an equation with ``cell`` (itself included)."""
        return {c for i in self.equations_of.get(cell, ()) for c in self.members[i]}


def is_complement(cell: Cell) -> bool:
    """Whether ``cell`` is a complement (never shown itself, so never chosen to hide)."""
    return cell[0] == COMPLEMENT


def small_cells(structure: Structure, min_count: int) -> set[Cell]:
    """Counts and complements from 1 to ``min_count - 1``: what primary suppression protects."""
    return {c for c, v in structure.cells.items() if 1 <= v < min_count}


def secondary_suppression(
    structure: Structure,
    primary: set[Cell],
    *,
    min_count: int,
    protection: int = PROTECTION_INTERVAL,
) -> set[Cell]:
    """Hide more cells until every hidden cell keeps its protection interval.

    Parameters
    ----------
    structure : Structure
        From :func:`cell_structure`.
    primary : set
        Cells hidden for being small (complements included), known to lie in 1..k-1.
    min_count : int
        k.
    protection : int
        Whole numbers each hidden cell's feasible range must hold.

    Returns
    -------
    set
        Every hidden cell: the primary ones, those hidden beside them and the
        complements they leave unknown.
    """
    cells, links = structure.cells, Links(structure.equations)
    complements_of: dict[Cell, list[Cell]] = defaultdict(list)
    for m, pair in structure.complements.items():
        for c in pair:
            complements_of[c].append(m)
    hidden: set[Cell] = set()

    def hide(cell: Cell) -> list[Cell]:
        new = [c for c in (cell, *complements_of.get(cell, ())) if c not in hidden]
        hidden.update(new)
        return new

    for cell in sorted(primary, key=repr):
        hide(cell)
    small = dict.fromkeys(primary, float(min_count - 1))
    # Hiding more only widens ranges, so a cell once wide enough (or as wide as it
    # can ever be) is settled and never checked again.
    settled: set[Cell] = set()
    while True:
        _close_single_unknowns(cells, links, hidden, hide)
        constraints = attacker_view(structure, hidden, primary, min_count)
        needed = {c: required(c, primary, min_count, protection) for c in hidden
                  if c not in settled and (not is_complement(c) or c in primary)}
        narrow = narrow_cells(constraints, needed, point=cells, exact=False)
        settled.update(c for c in needed if c not in narrow)
        forgiven = excused(constraints, narrow, needed, links, small, LEVELS[:1], point=cells)
        settled |= forgiven
        added = False
        for cell in sorted(set(narrow) - forgiven, key=repr):
            partner = _partner(cells, links, cell, hidden)
            if partner is None:
                settled.add(cell)  # every count linked to it is hidden: nothing more to do
            else:
                hide(partner)
                added = True
        if not added:
            return hidden


def _partner(cells: dict[Cell, int], links: Links, cell: Cell, hidden: set[Cell]) -> Cell | None:
    """The published cell to hide for a narrow one: the next-smallest in its nearest relations.

    Relations of ``cell`` first; when all their cells are hidden already, the
    relations of those hidden cells, and so on outwards.
    """
    frontier, seen = {cell}, {cell}
    while frontier:
        around = set().union(*(links.linked(c) for c in frontier))
        choice = _pick(cells, (c for c in around - hidden if not is_complement(c)))
        if choice is not None:
            return choice
        frontier = (around & hidden) - seen
        seen |= frontier
    return None


def required(cell: Cell, primary: set[Cell], min_count: int, protection: int) -> float:
    """Whole numbers a hidden cell's range must hold: the interval, or all of 1..k-1."""
    return min(protection, min_count - 1) if cell in primary else protection


def attacker_view(
    structure: Structure, hidden: set[Cell], primary: set[Cell], min_count: int
) -> Constraints:
    """The hidden cells as unknowns, with the equations an attacker can write."""
    view: Constraints[Cell] = Constraints()
    for cell in hidden:
        view.bounds[cell] = (1.0, float(min_count - 1)) if cell in primary else (0.0, np.inf)
    for equation in structure.equations:
        unknown = tuple((c, float(k)) for c, k in equation if c in hidden)
        if unknown:
            known = -float(sum(k * structure.cells[c] for c, k in equation if c not in hidden))
            view.rows.append((unknown, known, known))
    return view


def baseline_numbers(
    links: Links, targets: Iterable[Cell], small: Mapping[Cell, float], *,
    exact: bool = True, depth: int | None = 2, point: Mapping[Cell, float] | None = None,
    enough: Mapping[Cell, float] | None = None,
) -> dict[Cell, float]:
    """Whole numbers in each target's range were every count near it hidden.

    Cells within ``depth`` relations of the target (None: every cell linked
    to it) become unknowns, those in ``small`` from 1 to the upper bound given
    there; relations reaching further are dropped, which can only widen the
    range. No suppression can make the target wider than the answer for
    ``depth=None``. All targets are solved at once, each in its own copy of its
    neighbourhood, by linear programmes (``exact``) or by bound propagation
    (quicker, never narrower). A target that tables found from ``point`` (the
    true counts) show to hold ``enough[target]`` values is answered with that.
    """
    view: Constraints[tuple[Cell, Cell]] = Constraints()
    targets = list(targets)
    for target in targets:
        near, frontier, step = {target}, {target}, 0
        while frontier and (depth is None or step < depth):
            frontier = set().union(*(links.linked(c) for c in frontier)) - near
            near |= frontier
            step += 1
            if depth is not None:  # a denominator is shared by dozens of relations: not past it
                frontier = {c for c in frontier if c[0] != "d"}
        for cell in near:
            view.bounds[(target, cell)] = (1.0, small[cell]) if cell in small else (0.0, np.inf)
        for i in sorted({i for c in near for i in links.equations_of.get(c, ())}):
            if all(c in near for c in links.members[i]):
                view.rows.append((tuple(((target, c), float(k)) for c, k in links.equations[i]),
                                  0.0, 0.0))
    found: dict[Cell, float] = {}
    if point is not None and enough is not None:
        shown = wide_enough(view, {(t, t): enough[t] for t in targets},
                            {key: point[key[1]] for key in view.bounds})
        found = {t: enough[t] for t, _ in shown}
    keys = [(t, t) for t in targets if t not in found]
    ranges = feasible_ranges(view, keys) if exact else propagate(view)
    found.update((key[0], whole_numbers(*ranges[key])) for key in keys)
    return found


#: How far to look for what hiding everything would give: two relations around, then all.
LEVELS: tuple[tuple[bool, int | None], ...] = ((True, 2), (True, None))


def excused(
    constraints: Constraints, narrow: dict[Cell, tuple[float, float]],
    needed: Mapping[Cell, float], links: Links, small: Mapping[Cell, float],
    levels: tuple[tuple[bool, int | None], ...] = LEVELS,
    point: Mapping[Cell, float] | None = None,
) -> set[Cell]:
    """Narrow cells that are as wide as they could ever be, whatever else were hidden.

    A cell is excused when its exact range holds at least
    ``min(needed, baseline)`` whole numbers, the baseline being what hiding
    every count linked to it would leave (:func:`baseline_numbers`): three
    counts each known to be 1 to 4 cannot sum to less than 3. Baselines are
    tried from near (never narrower than the truth, so an excuse is sound)
    to exact; ``narrow`` may hold ranges wider than the true ones: a cell about
    to be excused is checked with feasible tables from ``point`` (the true
    counts), then with its exact range.
    """
    pending, solved, done = dict(narrow), set(), set()
    for exact, depth in levels:
        if not pending:
            break
        base = baseline_numbers(links, list(pending), small, exact=exact, depth=depth)
        maybe = [c for c in pending if whole_numbers(*pending[c]) >= min(needed[c], base[c])]
        if point is not None:
            shown = wide_enough(constraints, {c: min(needed[c], base[c]) for c in maybe}, point)
            done.update(shown)
            for cell in shown:
                del pending[cell]
            maybe = [c for c in maybe if c not in shown]
        pending.update(feasible_ranges(constraints, [c for c in maybe if c not in solved]))
        solved.update(maybe)
        for cell in maybe:
            if whole_numbers(*pending[cell]) >= min(needed[cell], base[cell]):
                done.add(cell)
                del pending[cell]
    return done


def _pick(cells: dict[Cell, int], candidates: Iterable[Cell]) -> Cell | None:
    """The next-smallest count, non-zero counts first, totals last."""
    ranked = sorted(candidates, key=lambda c: (cells[c] == 0, cells[c], _is_total(c), repr(c)))
    return ranked[0] if ranked else None


def _is_total(cell: Cell) -> bool:
    return ALL_SERVICES in cell or MINORITY in cell


def _close_single_unknowns(cells: dict[Cell, int], links: Links, hidden: set[Cell],
                           hide: Callable[[Cell], list[Cell]]) -> None:
    """Wherever a relation has exactly one hidden cell, hide the next-smallest cell beside it."""
    count = [sum(c in hidden for c in members) for members in links.members]
    queue = [i for i, n in enumerate(count) if n == 1]
    heapq.heapify(queue)
    while queue:
        i = heapq.heappop(queue)
        if count[i] != 1:
            continue
        choice = _pick(cells, (c for c in links.members[i]
                               if c not in hidden and not is_complement(c)))
        if choice is None:
            continue
        for new in hide(choice):
            for j in links.equations_of.get(new, ()):
                count[j] += 1
                if count[j] == 1:
                    heapq.heappush(queue, j)


def mark_dependent(
    out: pd.DataFrame, row_cells: list[dict[str, tuple[Cell, Cell]]], hidden: set[Cell],
    marker: str,
) -> pd.DataFrame:
    """Write ``marker`` into every hidden count and every figure or word computed from one."""
    derived = [c for cols in RATES.values() for c in cols] + [*RATIOS, *REASONS, *BOUNDS]
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
        for column in (*RATIOS, *REASONS):
            masks[column].append(suppressed["group"] or suppressed["reference"])
        for column in BOUNDS:
            masks[column].append(any(suppressed.values()))
    for column, mask in masks.items():
        if column in out:
            out.loc[np.array(mask, dtype=bool), column] = marker
    return out
