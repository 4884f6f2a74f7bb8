"""Disclosure control for publication: small counts hidden, and kept hidden.

In a publication output a count from 1 to ``min_count - 1`` is replaced by
the marker ``[c]``, and so is every figure computed from it (rates, relative
likelihoods, their intervals, flags and the unknown-ethnicity bounds).
Secondary suppression then hides further counts so that no hidden count can
be worked out from what is published beside it: the pooled ``all`` service
(the sum of the services), ``minority`` (the sum of the broad groups), the
pay bands of indicator 1 (which add up to staff in post) and a denominator
shared by several indicators. The analyst's view shows everything: apply
this only when asked.

HTML convention for `find_small_counts`: mark every table cell that shows a
count with the class ``count`` (``<td class="count">12</td>``) or a
``data-count`` attribute (``<td data-count="12">12</td>``; the attribute's
value, when given, is what is checked). Columns of tables whose header is a
count column name (``numerator``, ``reference_denominator``, ...) are
checked too, so ``DataFrame.to_html`` output needs no marking.
"""

from __future__ import annotations

import heapq
from collections import defaultdict
from collections.abc import Hashable, Iterable, Sequence
from html.parser import HTMLParser
from pathlib import Path

import numpy as np
import pandas as pd
from scipy.optimize import linprog

from wres.indicators import ALL_SERVICES, BROAD_GROUPS, INDICATORS, MINORITY, UNKNOWN, WHITE

#: Default smallest count that may be published.
MIN_COUNT = 5
#: ONS marker for a confidential (suppressed) cell.
MARKER = "[c]"
#: Numerator and denominator columns of each group in a results row.
ROLES: dict[str, tuple[str, str]] = {
    "group": ("numerator", "denominator"),
    "reference": ("reference_numerator", "reference_denominator"),
    "unknown": ("unknown_numerator", "unknown_denominator"),
}
COUNT_COLUMNS: tuple[str, ...] = tuple(c for pair in ROLES.values() for c in pair)
#: Figures computed from one group's counts.
_RATES = {
    "group": ("rate", "rate_lower", "rate_upper"),
    "reference": ("reference_rate", "reference_rate_lower", "reference_rate_upper"),
    "unknown": ("unknown_rate",),
}
#: Figures computed from the group's and the reference group's counts.
_RATIOS = ("relative_likelihood", "rl_lower", "rl_upper", "flag", "significant", "verdict")
#: Figures computed from the group's, reference group's and unknown counts.
_BOUNDS = ("rl_if_unknown_white", "rl_if_unknown_minority")

Cell = tuple[Hashable, ...]


def suppress_small_counts(
    table: pd.DataFrame,
    min_count: int = MIN_COUNT,
    marker: str = MARKER,
    columns: Sequence[str] | None = None,
) -> pd.DataFrame:
    """Replace counts from 1 to ``min_count - 1`` by ``marker`` (primary suppression only).

    Parameters
    ----------
    table : DataFrame
        Any table of counts (the counts format, a results table).
    columns : sequence of str, optional
        Count columns to check; by default those of `COUNT_COLUMNS` present.
    """
    columns = [c for c in (columns or COUNT_COLUMNS) if c in table.columns]
    out = table.copy()
    for column in columns:
        values = pd.to_numeric(out[column], errors="coerce")
        small = ((values >= 1) & (values < min_count)).fillna(False).to_numpy(dtype=bool)
        out[column] = out[column].astype("object")
        out.loc[small, column] = marker
    return out


def apply_disclosure(
    results: pd.DataFrame, min_count: int = MIN_COUNT, marker: str = MARKER
) -> pd.DataFrame:
    """Results fit for publication: small counts and what they reveal are ``marker``.

    Parameters
    ----------
    results : DataFrame
        Results columns (see docs/CONTRACT.md), including the ``all`` service.
    min_count : int
        Smallest count that may be shown (k); counts 1 to k-1 are suppressed.
    marker : str
        What a suppressed cell shows.

    Returns
    -------
    DataFrame
        A copy; count and derived columns become text-or-number (object) columns.
    """
    out = results.reset_index(drop=True).copy()
    cells, row_cells, equations, pairs = _cell_structure(out)
    hidden = {c for c, v in cells.items() if 1 <= v < min_count}
    hidden = _secondary(cells, equations, pairs, hidden)
    return _mark(out, row_cells, hidden, marker)


def _cell_structure(
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
    equations = []
    for key, members in sums.items():
        total_name = {"service": ALL_SERVICES, "group": MINORITY, "band": None}[key[0]]
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


def _secondary(
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
    for component in sorted(components, key=lambda m: repr(min(m, key=repr))):
        if component not in checked:
            checked[component] = _determined_in(cells, links, component)
        fixed += checked[component]
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
    bounds = [[0.0, None] for _ in order]
    for p in sorted({i for c in order for i in links.pairs_of.get(c, ())}):
        num, den = links.pairs[p]
        if num in hidden and den in hidden:
            row = np.zeros(len(order))
            row[index[num]], row[index[den]] = 1, -1
            upper_rows.append(row)
            upper_rhs.append(0.0)
        elif num in hidden:
            current = bounds[index[num]][1]
            bounds[index[num]][1] = cells[den] if current is None else min(current, cells[den])
        elif den in hidden:
            bounds[index[den]][0] = max(bounds[index[den]][0], cells[num])
    if not rows and all(b[1] is None or b[1] > b[0] for b in bounds):
        return []
    problem = {
        "A_eq": np.array(rows) if rows else None,
        "b_eq": np.array(rhs) if rows else None,
        "A_ub": np.array(upper_rows) if upper_rows else None,
        "b_ub": np.array(upper_rhs) if upper_rows else None,
        "bounds": [tuple(b) for b in bounds],
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


def _constrained(order: list[Cell], rows: list[np.ndarray], bounds: list[list],
                 index: dict[Cell, int]) -> list[Cell]:
    """Hidden cells in some published sum, or with an upper bound (the others are free)."""
    in_sum = np.any(np.abs(np.array(rows)) > 0, axis=0) if rows else np.zeros(len(order), bool)
    return [c for c in order if in_sum[index[c]] or bounds[index[c]][1] is not None]


def _mark(
    out: pd.DataFrame, row_cells: list[dict[str, tuple[Cell, Cell]]], hidden: set[Cell],
    marker: str,
) -> pd.DataFrame:
    """Write ``marker`` into every hidden count and every figure computed from one."""
    derived = [c for cols in _RATES.values() for c in cols] + list(_RATIOS) + list(_BOUNDS)
    for column in [*COUNT_COLUMNS, *derived]:
        if column in out:
            out[column] = out[column].astype("object")
    masks: dict[str, list[bool]] = defaultdict(list)
    for found in row_cells:
        suppressed = {role: any(c in hidden for c in found.get(role, ())) for role in ROLES}
        for role, (num_col, den_col) in ROLES.items():
            num, den = found.get(role, (None, None))
            masks[num_col].append(num in hidden)
            masks[den_col].append(den in hidden)
            for column in _RATES[role]:
                masks[column].append(suppressed[role])
        for column in _RATIOS:
            masks[column].append(suppressed["group"] or suppressed["reference"])
        for column in _BOUNDS:
            masks[column].append(any(suppressed.values()))
    for column, mask in masks.items():
        if column in out:
            out.loc[np.array(mask, dtype=bool), column] = marker
    return out


def find_small_counts(
    table_or_html: pd.DataFrame | str | Path, min_count: int = MIN_COUNT
) -> list[str]:
    """Small counts (1 to ``min_count - 1``) that escaped suppression, one message each.

    Parameters
    ----------
    table_or_html : DataFrame, HTML text or path to an HTML file
        A results table (its count columns are checked) or a rendered page
        (cells with class ``count`` or a ``data-count`` attribute, and columns
        headed by a count column name, are checked).
    min_count : int

    Returns
    -------
    list of str
        Empty when nothing small is shown.
    """
    if isinstance(table_or_html, pd.DataFrame):
        return _small_in_table(table_or_html, min_count)
    text = str(table_or_html)
    if isinstance(table_or_html, Path) or (len(text) < 4096 and "<" not in text):
        text = Path(text).read_text(encoding="utf-8")
    parser = _CountCells()
    parser.feed(text)
    parser.close()
    return [f"{where}: {value}" for where, value in parser.found
            if _is_small(value, min_count)]


def _small_in_table(table: pd.DataFrame, min_count: int) -> list[str]:
    context = [c for c in ("authority", "year", "indicator", "measure", "service", "group")
               if c in table.columns]
    messages = []
    for column in (c for c in COUNT_COLUMNS if c in table.columns):
        values = pd.to_numeric(table[column], errors="coerce")
        small = ((values >= 1) & (values < min_count)).fillna(False).to_numpy(dtype=bool)
        for position in np.flatnonzero(small):
            where = ", ".join(str(table[c].iloc[position]) for c in context)
            messages.append(f"row {position}, {column} = {values.iloc[position]:g}"
                            + (f" ({where})" if where else ""))
    return messages


def _is_small(text: str, min_count: int) -> bool:
    cleaned = text.strip().replace(",", "")
    try:
        value = float(cleaned)
    except ValueError:
        return False
    return 1 <= value < min_count


class _CountCells(HTMLParser):
    """Collects the text of count cells: marked ones and those under a count header."""

    def __init__(self) -> None:
        super().__init__()
        self.found: list[tuple[str, str]] = []
        self._headers: list[dict[int, str]] = []
        self._column = -1
        self._cell: dict[str, object] | None = None
        self._row_headers: dict[int, str] = {}
        self._row = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        attributes = dict(attrs)
        if tag == "table":
            self._headers.append({})
            self._row = 0
        elif tag == "tr":
            self._column = -1
            self._row += 1
            self._row_headers = {}
        elif tag in ("td", "th"):
            self._column += 1
            classes = (attributes.get("class") or "").split()
            marked = "count" in classes or "data-count" in attributes
            self._cell = {"tag": tag, "marked": marked, "text": "",
                          "value": attributes.get("data-count")}

    def handle_data(self, data: str) -> None:
        if self._cell is not None:
            self._cell["text"] = str(self._cell["text"]) + data

    def handle_endtag(self, tag: str) -> None:
        if tag == "table" and self._headers:
            self._headers.pop()
        elif tag == "tr" and self._headers and self._row_headers:
            self._headers[-1].update(self._row_headers)
        elif tag in ("td", "th") and self._cell is not None:
            cell, self._cell = self._cell, None
            text = str(cell["text"]).strip()
            heading = text.lower().replace(" ", "_")
            if tag == "th" and heading in COUNT_COLUMNS:
                self._row_headers[self._column] = heading
            headers = self._headers[-1] if self._headers else {}
            under = headers.get(self._column) if tag == "td" else None
            if cell["marked"] or under:
                value = cell["value"] if cell["value"] not in (None, "") else text
                label = f"table {len(self._headers)}, row {self._row}, column {self._column + 1}"
                self.found.append((label + (f" ({under})" if under else ""), str(value)))


def withheld_comparisons(
    published: pd.DataFrame, years: Iterable[int] | None = None, marker: str = MARKER
) -> set[tuple]:
    """Comparisons whose relative likelihood is withheld in any of ``years``.

    Parameters
    ----------
    published : DataFrame
        Results rows after :func:`apply_disclosure`.
    years : iterable of int, optional
        Years to look at; all by default.

    Returns
    -------
    set of (indicator, measure, service, group)
        Nothing derived from these (a change between years, a position
        against other authorities) may be published.
    """
    rows = published if years is None else published[published["year"].isin(list(years))]
    hidden = rows["relative_likelihood"].astype(str) == marker
    keys = rows.loc[hidden, ["indicator", "measure", "service", "group"]]
    return {(int(i), m, s, g) for i, m, s, g in keys.itertuples(index=False)}


def withheld_changes(changes: pd.DataFrame, published: pd.DataFrame) -> set[tuple]:
    """Changes between years that may not be published.

    A change is withheld when its relative likelihood is withheld in either of
    the two years compared, since the change (and the two ratios quoted with
    it) would reveal it.

    Parameters
    ----------
    changes : DataFrame
        From `wres.change.year_on_year` (columns ``year`` and ``previous_year``).
    published : DataFrame
        The same authority's results rows as published (after :func:`apply_disclosure`;
        unsuppressed rows withhold nothing).

    Returns
    -------
    set of (indicator, measure, service, group)
    """
    if changes.empty or published.empty:
        return set()
    hidden = set()
    for year in set(changes["year"]) | set(changes["previous_year"]):
        hidden |= {(int(year), *key) for key in withheld_comparisons(published, [int(year)])}
    return {
        (int(i), m, s, g)
        for i, m, s, g, now, before in changes[
            ["indicator", "measure", "service", "group", "year", "previous_year"]
        ].itertuples(index=False)
        if (int(now), int(i), m, s, g) in hidden or (int(before), int(i), m, s, g) in hidden
    }


def publishable_changes(changes: pd.DataFrame, published: pd.DataFrame) -> pd.DataFrame:
    """The rows of ``changes`` that may be published (see :func:`withheld_changes`)."""
    if changes.empty:
        return changes
    hidden = withheld_changes(changes, published)
    keys = changes[["indicator", "measure", "service", "group"]].itertuples(index=False)
    return changes[[(int(i), m, s, g) not in hidden for i, m, s, g in keys]]
