"""The disclosure attack: what can be worked out of each hidden count from what is published.

The attacker reads the published results (counts, rates, ratios, bounds,
status) and any figure read back from the other outputs (pages, the national
view's tables and ``national.csv``, see `wres.analysis.disclosure.audit`), and
knows how the counts relate: ``all`` is the sum of the services, ``minority``
of the broad groups, the pay bands of staff in post, a denominator is shared
by the indicators counting the same people, and each count has a complement
(denominator minus numerator). With the true counts (the analyst's results)
the attacker is also taken to know which hidden counts are small (1..k-1):
the strongest attacker, so the audit errs on the safe side.

Each hidden count's feasible range is then worked out: linear programmes over
the relations and read-back bounds, and, for figures that are not linear in
the counts (ratios, intervals, standard errors), every combination of the few
unknown counts behind the figure that rounds to what is shown. A count pinned
to one value, or left fewer than `PROTECTION_INTERVAL` values, is a finding;
so is a published small count, a small complement, and a figure published
beside a count it was computed from that is hidden.
"""

from __future__ import annotations

import math
from collections import defaultdict
from collections.abc import Mapping
from typing import Any

import numpy as np
import pandas as pd

from wres.analysis.disclosure import readback
from wres.analysis.disclosure.columns import Cell
from wres.analysis.disclosure.knowledge import (
    CONTRADICTION,
    FINDING_COLUMNS,
    NARROWED,
    RECOVERED,
    Model,
    Observation,
    constraints,
    finding,
    read_figures,
    read_results,
)
from wres.analysis.disclosure.protection import (
    PROTECTION_INTERVAL,
    Constraints,
    components,
    feasible_ranges,
    narrow_cells,
    whole_numbers,
)
from wres.analysis.disclosure.secondary import excused
from wres.core.frames import records
from wres.core.names import MIN_COUNT

#: Combinations of unknown counts tried for one read-back figure.
BUDGET = 2_000_000


def attack(
    published: pd.DataFrame,
    *,
    truth: pd.DataFrame | None = None,
    min_count: int | Mapping[str, int] = MIN_COUNT,
    figures: pd.DataFrame | None = None,
    protection: int = PROTECTION_INTERVAL,
    source: str = "results.publication.csv",
) -> pd.DataFrame:
    """Everything an attacker can work out of the hidden counts: one row per finding.

    Parameters
    ----------
    published : DataFrame
        Results rows as published (``[c]`` for what is hidden).
    truth : DataFrame, optional
        The same rows unsuppressed (the analyst's results): says which hidden
        counts are small, so they are known to lie in 1..k-1.
    min_count : int or mapping
        k, or k per authority.
    figures : DataFrame, optional
        Figures read back from other outputs (`wres.analysis.disclosure.audit`).
    protection : int
        Whole numbers each hidden count's range must keep.
    source : str
        Name of the published results file, for the findings.

    Returns
    -------
    DataFrame
        `FINDING_COLUMNS`; empty when nothing is recovered.
    """
    limits = min_count if isinstance(min_count, Mapping) else defaultdict(lambda: min_count)
    model = read_results(published, truth, limits, source)
    if figures is not None and not figures.empty:
        read_figures(model, figures)
    view, extra = constraints(model, truth is not None)
    _narrow_by_figures(model, view, extra)
    _solve(model, view, extra, protection, source, truth is not None)
    found = pd.DataFrame(model.findings, columns=FINDING_COLUMNS)
    return found.sort_values(["kind", "file", "where"], kind="stable").reset_index(drop=True)


def _expression(model: Model, view: Constraints[Cell], terms: tuple[tuple[Cell, float], ...],
                aux: dict[tuple[Any, ...], Cell]) -> tuple[Cell | None, float]:
    """An unknown standing for ``sum(terms)`` (None when all are known) and the known part."""
    known = sum(v * model.known[c] for c, v in terms if c not in view.bounds)
    unknown = tuple((c, v) for c, v in terms if c in view.bounds)
    if not unknown:
        return None, float(known)
    if len(unknown) == 1 and unknown[0][1] == 1.0:
        return unknown[0][0], float(known)
    key = tuple(sorted(unknown, key=repr))
    if key not in aux:
        cell = ("sum", len(aux))
        aux[key] = cell
        view.bounds[cell] = (0.0, math.inf)
        view.rows.append((((cell, 1.0), *((c, -v) for c, v in unknown)), 0.0, 0.0))
        if all(c in model.truth for c, _ in unknown):
            model.truth[cell] = int(sum(v * model.truth[c] for c, v in unknown))
    return aux[key], float(known)


def _narrow_by_figures(model: Model, view: Constraints[Cell], extra: dict[str, Any]) -> None:
    """Keep the combinations of unknown counts each read-back figure allows, until stable.

    Figures over the same counts are checked together. Each narrowing becomes a
    bound on the unknowns, so it spreads through the relations to the rest.
    """
    aux: dict[tuple[Any, ...], Cell] = {}
    groups: dict[tuple[Any, ...], list[Observation]] = defaultdict(list)
    plans = {}
    for obs in model.observations:
        plan = {slot: _expression(model, view, terms, aux) for slot, (terms, _) in
                obs.slots.items()}
        if all(cell is None for cell, _ in plan.values()):
            continue
        key = tuple(sorted((s, repr(p)) for s, p in plan.items()))
        groups[key].append(obs)
        plans[key] = plan
    for _ in range(6):
        unknown = sorted({c for plan in plans.values() for c, _ in plan.values()
                          if c is not None}, key=repr)
        ranges = feasible_ranges(view, unknown)
        moved = False
        for key, members in groups.items():
            plan = plans[key]
            unknowns = {s: c for s, (c, _) in plan.items() if c is not None}
            free = list(unknowns)
            spans = [ranges.get(c, (math.nan, math.nan)) for c in unknowns.values()]
            if any(not (math.isfinite(lo) and math.isfinite(hi)) for lo, hi in spans):
                continue
            axes = readback.grid([(math.ceil(lo - 1e-6), math.floor(hi + 1e-6))
                                  for lo, hi in spans], BUDGET)
            if axes is None:
                continue
            counts = {s: (axes[free.index(s)] + known if s in free else
                          np.full(axes[0].size if axes else 1, known))
                      for s, (_, known) in plan.items()}
            keep = np.ones(axes[0].size if axes else 1, dtype=bool)
            for obs in members:
                keep &= readback.consistent(readback.evaluate(obs.quantity, counts, obs.params),
                                            obs.shown)
            if not keep.any():
                continue
            for s, (lo, hi), values in zip(free, spans, axes, strict=True):
                new_lo, new_hi = float(values[keep].min()), float(values[keep].max())
                if new_lo > math.ceil(lo - 1e-6) or new_hi < math.floor(hi + 1e-6):
                    extra["sources"][len(view.rows)] = "; ".join(
                        sorted({o.source for o in members}))
                    view.rows.append((((unknowns[s], 1.0),), new_lo, new_hi))
                    moved = True
        if not moved:
            return


def _solve(model: Model, view: Constraints[Cell], extra: dict[str, Any], protection: int,
           source: str, with_truth: bool) -> None:
    """Findings for every hidden count (and small complement) left too narrow."""
    small = extra["small"]
    origin: dict[Cell, set[str]] = defaultdict(set)
    closed: set[Cell] = set()
    for members, rows in components(view):
        found = {extra["sources"][i] for i in rows if i in extra["sources"]}
        for cell in members:
            origin[cell] |= found - {""}
        if with_truth and not found:
            # no published count and no read-back figure reaches these unknowns:
            # their range is what hiding everything gives, so none can be narrowed
            closed.update(members)
    needed = {c: (min(protection, model.limit[c] - 1) if c in small else protection)
              for c in view.bounds if c in model.limit and c not in closed
              and (c not in extra["complements"] or c in small)}
    point = model.truth if with_truth and all(c in model.truth for c in view.bounds) else None
    narrow = narrow_cells(view, needed, point=point, exact=False)
    if with_truth and narrow:
        forgiven = excused(view, narrow, needed, extra["links"], small, point=point)
        narrow = {c: r for c, r in narrow.items() if c not in forgiven}
    exact = feasible_ranges(view, narrow)  # exact ranges for what is reported
    narrow = {c: r for c, r in exact.items() if whole_numbers(*r) < needed[c]}
    for cell, (low, high) in sorted(narrow.items(), key=lambda item: repr(item[0])):
        info = model.where[cell]
        column = info["column"] + (" of its denominator" if cell[0] == "m" else "")
        kind = RECOVERED if whole_numbers(low, high) == 1 else NARROWED
        files = sorted({s.split(" ")[0] for s in origin[cell]} - {source})
        detail = (f"the published figures allow only {_span(low, high)}" if low == low else
                  "the published figures contradict the relations between the counts")
        detail += "; with what is read back from these files" if files else ""
        kind = kind if low == low else CONTRADICTION
        result = finding(kind, ", ".join(files) if files else source, info["row"],
                         info["key"], column, low, high, model.truth.get(cell), detail)
        if files:
            result["where"] = f"{source} {result['where']}"
        model.findings.append(result)


def _span(low: float, high: float) -> str:
    lo, hi = math.ceil(low - 1e-6), math.floor(high + 1e-6)
    return str(lo) if lo == hi else f"{lo} to {hi}"


class DisclosureError(ValueError):
    """A publication output that the attack can work a hidden count out of: it is not written."""

    def __init__(self, what: str, findings: pd.DataFrame) -> None:
        self.findings = findings
        lines = [f"{row['file']}, {row['where']} ({describe(row)}): {row['kind']}, {row['detail']}"
                 for row in records(findings.head(5))]
        more = f" and {len(findings) - 5} more" if len(findings) > 5 else ""
        super().__init__(f"{what} not written, {len(findings)} disclosure finding(s): "
                         + "; ".join(lines) + more)


def describe(row: Mapping[str, Any]) -> str:
    """The cell of a finding in words: "Cindermoor 2024, indicator 2 appointed, all, minority"."""
    parts = [f"{row['authority']} {row['year']}", f"indicator {row['indicator']} {row['measure']}",
             str(row["service"]), str(row["group"])]
    return ", ".join(p for p in parts if p and "nan" not in p)


def check_publication(
    published: pd.DataFrame,
    truth: pd.DataFrame,
    *,
    min_count: int | Mapping[str, int] = MIN_COUNT,
    what: str = "results.publication.csv",
) -> None:
    """Fail closed: raise `DisclosureError` if anything can be worked out of ``published``.

    Runs the attack (which includes the small-count scan) with the true counts.
    """
    findings = attack(published, truth=truth, min_count=min_count, source=what)
    if not findings.empty:
        raise DisclosureError(what, findings)
