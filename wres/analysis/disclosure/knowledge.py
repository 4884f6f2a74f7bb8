"""What the attacker knows: the published cells, the relations between them and read-back figures.

Builds the attacker's model from published results rows (and, for the audit,
the true counts and figures read back from other outputs): which counts are
shown and which hidden, the relations an attacker can write down (``all`` =
the services, ``minority`` = the broad groups, pay bands = staff in post, one
denominator for the indicators counting the same people, each count's
complement), what each status says, and the findings that need no solving: a
small count or small complement published, a figure published beside a count
it was computed from that is hidden, a hidden count published elsewhere.
"""

from __future__ import annotations

import math
from collections import defaultdict
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

import pandas as pd

from wres.analysis.disclosure import readback
from wres.analysis.disclosure.columns import BOUNDS, RATES, RATIOS, REASONS, ROLES, Cell
from wres.analysis.disclosure.protection import Constraints
from wres.analysis.disclosure.secondary import Links, relations
from wres.core.frames import records
from wres.core.indicators import INDICATORS, UNKNOWN, WHITE
from wres.core.names import MARKER, RESULT_KEY
from wres.stats import NO_EVENTS_EITHER, NO_EVENTS_REFERENCE, NO_ONE_GROUP, NO_ONE_REFERENCE, OK

SMALL_COUNT = "small count"
SMALL_COMPLEMENT = "small complement"
BESIDE_HIDDEN = "figure beside a hidden count"
SHOWN_ELSEWHERE = "hidden count shown elsewhere"
RECOVERED = "recovered"
NARROWED = "narrowed"
#: Published figures that no table of counts can give: edited or inconsistent outputs.
CONTRADICTION = "contradiction"
FINDING_COLUMNS = ["kind", "file", "where", *RESULT_KEY, "column", "low", "high", "value",
                   "detail"]
_ROLE_GROUP = {"reference": WHITE, "unknown": UNKNOWN}
#: What each status says about the counts (n, d of the group and of white staff): bounds.
_STATUS_BOUNDS: dict[str, dict[str, tuple[float, float]]] = {
    OK: {"group_d": (1, math.inf), "reference_n": (1, math.inf), "reference_d": (1, math.inf)},
    NO_ONE_GROUP: {"group_d": (0, 0)},
    NO_ONE_REFERENCE: {"group_d": (1, math.inf), "reference_d": (0, 0)},
    NO_EVENTS_EITHER: {"group_n": (0, 0), "reference_n": (0, 0), "group_d": (1, math.inf),
                       "reference_d": (1, math.inf)},
    NO_EVENTS_REFERENCE: {"group_n": (1, math.inf), "reference_n": (0, 0),
                          "group_d": (1, math.inf), "reference_d": (1, math.inf)},
}
#: Columns computed from each role's counts (the disclosure registry in `columns`).
_DERIVED: dict[str, tuple[str, ...]] = {
    **{c: (role,) for role, cols in RATES.items() for c in cols},
    **{c: ("group", "reference") for c in (*RATIOS, *REASONS)},
    **{c: tuple(ROLES) for c in BOUNDS},
}


@dataclass
class Observation:
    """A read-back figure: its counts (linear in the cells), what it is, and how it was shown."""

    slots: dict[str, tuple[tuple[tuple[Cell, float], ...], float]]
    quantity: str
    shown: readback.Shown
    params: dict[str, Any]
    source: str


@dataclass
class Model:
    """The attacker's unknowns, relations and read-back figures."""

    known: dict[Cell, int] = field(default_factory=dict)
    truth: dict[Cell, int] = field(default_factory=dict)
    where: dict[Cell, dict[str, Any]] = field(default_factory=dict)
    limit: dict[Cell, int] = field(default_factory=dict)
    pairs: set[tuple[Cell, Cell]] = field(default_factory=set)
    slots: dict[tuple[Any, ...], dict[str, Cell]] = field(default_factory=dict)
    findings: list[dict[str, Any]] = field(default_factory=list)
    observations: list[Observation] = field(default_factory=list)
    status_rows: list[tuple[Cell, tuple[float, float], str]] = field(default_factory=list)
    revealed: dict[Cell, str] = field(default_factory=dict)
    source: str = "results.publication.csv"


def count(value: Any) -> int | str | None:
    """A published count: int, the marker, or None when absent."""
    if isinstance(value, str):
        text = value.strip()
        if text == MARKER:
            return MARKER
        try:
            value = float(text.replace(",", ""))
        except ValueError:
            return None
    try:
        number = float(value)
    except (TypeError, ValueError):
        return None
    return None if math.isnan(number) else int(round(number))


def read_results(published: pd.DataFrame, truth: pd.DataFrame | None,
                  limits: Mapping[str, int], source: str) -> Model:
    """The cells of the published rows, what each shows, and the per-row findings."""
    model = Model(source=source)
    true_rows = {} if truth is None else {
        tuple(r[k] for k in RESULT_KEY): r for r in records(truth)}
    rows = records(published)
    den_values: dict[Cell, set[Any]] = defaultdict(set)
    raw: list[tuple[int, dict[str, Any], dict[str, tuple[Cell, Cell]]]] = []
    for i, row in enumerate(rows):
        key = tuple(row[k] for k in RESULT_KEY)
        authority, year, indicator, measure, service, group = key
        found: dict[str, tuple[Cell, Cell]] = {}
        for role, (n_col, d_col) in ROLES.items():
            if n_col not in row or count(row[n_col]) is None:
                continue
            who = _ROLE_GROUP.get(role, group)
            num: Cell = ("n", authority, year, int(indicator), measure, service, who)
            base: Cell = ("d", authority, year, INDICATORS[int(indicator)].denominator, service,
                          who)
            found[role] = (num, base)
            true_row = true_rows.get(key)
            den_values[base].add(true_row[d_col] if true_row is not None else count(row[d_col]))
        raw.append((i, row, found))
    for i, row, found in raw:
        key = tuple(row[k] for k in RESULT_KEY)
        true_row = true_rows.get(key)
        k = int(limits[str(row["authority"])])
        cells: dict[str, Cell] = {}
        for role, (num, base) in found.items():
            n_col, d_col = ROLES[role]
            shown_d = {v for v in den_values[base] if v != MARKER}
            tag = (true_row[d_col] if true_row is not None
                   else (None if len(shown_d) <= 1 else ("indicator", num[3])))
            den: Cell = (*base, tag)
            for column, cell in ((n_col, num), (d_col, den)):
                cells[column] = cell
                model.limit[cell] = k
                model.where.setdefault(cell, {"row": i, "column": column, "key": key})
                value = count(row[column])
                if true_row is not None:
                    model.truth[cell] = int(true_row[column])
                if isinstance(value, int):
                    if 1 <= value < k:
                        model.findings.append(finding(SMALL_COUNT, source, i, key, column,
                                                       value, value, value, "published"))
                    model.known[cell] = int(value)
            model.pairs.add((num, den))
        model.slots[(i, *key)] = cells
        _row_figures(model, i, row, key, cells, source)
    for i_key, cells in model.slots.items():
        for column, cell in cells.items():
            if count(rows[i_key[0]][column]) == MARKER and cell in model.known:
                model.findings.append(finding(
                    SHOWN_ELSEWHERE, source, i_key[0], i_key[1:], column, model.known[cell],
                    model.known[cell], model.truth.get(cell), "the same count is published "
                    f"in row {model.where[cell]['row'] + 2}"))
    return model


def finding(kind: str, file: str, row: int | None, key: tuple[Any, ...], column: str,
             low: float, high: float, value: float | None, detail: str) -> dict[str, Any]:
    where = f"line {row + 2}, {column}" if row is not None else column
    return {"kind": kind, "file": file, "where": where, **dict(zip(RESULT_KEY, key, strict=True)),
            "column": column, "low": low, "high": high, "value": value, "detail": detail}


def _row_figures(model: Model, i: int, row: dict[str, Any], key: tuple[Any, ...],
                 cells: dict[str, Cell], source: str) -> None:
    """Figures and status of one published row: beside a hidden count, or read back."""
    hidden = {c for c in cells if count(row[c]) == MARKER}
    params = {p: row.get(p) for p in ("ci_method", "rate_method", "confidence_level")}
    for column, roles in _DERIVED.items():
        value = row.get(column)
        if column not in row or _blank(value):
            continue
        uses = {ROLES[r][j] for r in roles for j in (0, 1)} & set(cells)
        if hidden & uses:
            model.findings.append(finding(BESIDE_HIDDEN, str(source), i, key, column,
                                           math.nan, math.nan, None, f"shows {value!s}"))
        number = _number(value)
        if (column in readback.INPUTS and number is not None and hidden & uses
                and all(ROLES[r][0] in cells for r in readback.INPUTS[column])):
            slots: dict[str, tuple[tuple[tuple[Cell, float], ...], float]] = {
                f"{r}_{x}": (((cells[ROLES[r][j]], 1.0),), 0.0)
                for r in readback.INPUTS[column] for j, x in enumerate("nd")}
            model.observations.append(Observation(slots, column, readback.shown(number),
                                                   params, f"{source} line {i + 2}"))
    status = str(row.get("status", "")).strip()
    for slot, bounds in _STATUS_BOUNDS.get(status, {}).items():
        role, x = slot.rsplit("_", 1)
        column = ROLES[role][0 if x == "n" else 1]
        if column in cells:
            model.status_rows.append((cells[column], bounds, f"{source} line {i + 2} status"))


def _number(value: Any) -> float | None:
    """A published figure as a finite float, or None (words, the marker, missing)."""
    try:
        number = float(value)
    except (TypeError, ValueError):
        return None
    return number if math.isfinite(number) else None


def _blank(value: Any) -> bool:
    return value is None or (isinstance(value, float) and math.isnan(value)) or (
        isinstance(value, str) and value.strip() in ("", MARKER))


def read_figures(model: Model, figures: pd.DataFrame) -> None:
    """Figures read back from pages and national files, as counts or observations."""
    index: dict[tuple[Any, ...], dict[str, Cell]] = {}
    for (_, *key), cells in model.slots.items():
        index.setdefault(tuple(key), cells)
    for figure in records(figures):
        found = [index.get((a, *(figure[k] for k in RESULT_KEY[1:])))
                 for a in figure["authorities"]]
        members = [m for m in found if m is not None]
        if not members:
            continue
        quantity = str(figure["quantity"])
        if quantity.startswith("count:"):
            cell = members[0].get(quantity.removeprefix("count:"))
            if cell is not None and cell not in model.known:
                value = int(round(float(figure["value"])))
                model.findings.append(finding(
                    SHOWN_ELSEWHERE, str(figure["file"]), None,
                    tuple(model.where[cell]["key"]), str(figure["where"]), value, value,
                    model.truth.get(cell), f"hidden in the results file, shown here as {value}"))
                model.known[cell] = value
                model.revealed[cell] = f"{figure['file']} ({figure['where']})"
            continue
        roles = readback.INPUTS.get(quantity, ("group", "reference"))
        slots: dict[str, tuple[tuple[tuple[Cell, float], ...], float]] = {}
        for role in roles:
            for j, x in enumerate("nd"):
                column = ROLES[role][j]
                terms = tuple((m[column], 1.0) for m in members if column in m)
                slots[f"{role}_{x}"] = (terms, 0.0)
        hidden = [c for terms, _ in slots.values() for c, _ in terms if c not in model.known]
        if hidden and not figure.get("pooled", False):
            model.findings.append(finding(BESIDE_HIDDEN, str(figure["file"]), None,
                                          tuple(model.where[hidden[0]]["key"]),
                                          str(figure["where"]), math.nan, math.nan, None,
                                          f"shows {quantity} {figure['value']:.6g}, computed "
                                          "from a count hidden in the results file"))
        shown = readback.Shown(float(figure["value"]), float(figure["low"]),
                               float(figure["high"]))
        params = {p: figure.get(p) for p in ("ci_method", "rate_method", "confidence_level")}
        model.observations.append(Observation(slots, quantity, shown, params,
                                               f"{figure['file']} ({figure['where']})"))


def constraints(model: Model, with_truth: bool) -> tuple[Constraints, dict[str, Any]]:
    """Unknowns with their prior ranges, the relations and the status bounds."""
    view: Constraints[Cell] = Constraints()
    cells = {c for pair in model.pairs for c in pair}
    values = model.truth if with_truth else model.known

    def holds(total: Cell, parts: list[Cell]) -> bool:
        """A sum the attacker writes down: true in the data, or not contradicted."""
        if not all(c in values for c in (total, *parts)):
            return True
        return values[total] == sum(values[c] for c in parts)

    sums = relations(sorted(model.pairs, key=repr), holds)
    complements = {("m", *num[1:]): (num, den) for num, den in model.pairs}
    for m, (num, den) in complements.items():
        model.limit[m] = model.limit[num]
        model.where[m] = model.where[num]
        if num in model.truth and den in model.truth:
            model.truth[m] = model.truth[den] - model.truth[num]
        if num in model.known and den in model.known:
            value = model.known[den] - model.known[num]
            model.known[m] = value
            if 1 <= value < model.limit[m]:
                info = model.where[num]
                model.findings.append(finding(
                    SMALL_COMPLEMENT, model.source, info["row"], info["key"],
                    f"{info['column']} of its denominator", value, value, value,
                    f"the denominator minus the numerator is {value}"))
    small = {}
    for cell in sorted((cells | set(complements)) - set(model.known), key=repr):
        k = model.limit[cell]
        if with_truth and 1 <= model.truth.get(cell, 0) < k:
            small[cell] = float(k - 1)
        view.bounds[cell] = (1.0, float(k - 1)) if cell in small else (0.0, math.inf)
    equations = sums + [[(m, 1), (n, 1), (d, -1)] for m, (n, d) in complements.items()]
    sources: dict[int, str] = {}
    for equation in equations:
        unknown = tuple((c, float(k)) for c, k in equation if c in view.bounds)
        if unknown:
            rest = -float(sum(k * model.known[c] for c, k in equation if c not in view.bounds))
            if len(unknown) < len(equation):  # a published count takes part: where from
                sources[len(view.rows)] = next((model.revealed[c] for c, _ in equation
                                                if c in model.revealed), "")
            view.rows.append((unknown, rest, rest))
    for cell, (low, high), where in model.status_rows:
        if cell in view.bounds:
            sources[len(view.rows)] = where
            view.rows.append((((cell, 1.0),), low, high))
    return view, {"links": Links(equations), "small": small, "sources": sources,
                  "complements": set(complements)}


