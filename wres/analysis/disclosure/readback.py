"""What a published figure says about the counts behind it.

Every figure a report publishes (a rate, a relative likelihood, an interval
bound, a standard error, a pooled regional or national ratio) is a known
function of a few counts. Read back at the precision it is shown, it says
those counts lie where the function lands inside the shown value's rounding
interval. :func:`evaluate` computes a figure for many candidate counts at
once, with the same `wres.stats` functions that produced it, so the attack
can keep the candidates a published figure allows.
"""

from __future__ import annotations

import math
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation

import numpy as np
from scipy.stats import norm

from wres import stats

#: The counts each figure is computed from, by role (see `columns.ROLES`).
GROUP, REFERENCE, UNKNOWN = "group", "reference", "unknown"
INPUTS: dict[str, tuple[str, ...]] = {
    **{q: (GROUP,) for q in ("rate", "rate_lower", "rate_upper")},
    **{q: (REFERENCE,) for q in ("reference_rate", "reference_rate_lower",
                                 "reference_rate_upper")},
    "unknown_rate": (UNKNOWN,),
    **{q: (GROUP, REFERENCE) for q in ("relative_likelihood", "rl_lower", "rl_upper",
                                       "log_rl", "se", "precision")},
    **{q: (GROUP, REFERENCE, UNKNOWN) for q in ("rl_if_unknown_white",
                                                "rl_if_unknown_minority")},
    **{q: (GROUP, REFERENCE) for q in ("national_rl", "national_rl_lower",
                                       "national_rl_upper")},
}
#: Relative tolerance of a figure written at full precision (a CSV float).
FULL_PRECISION = 1e-9
_NUMBER = re.compile(r"(?<![\d.])-?\d+(?:\.(\d+))?")


@dataclass(frozen=True)
class Shown:
    """A figure as published: its value and the interval it was rounded from."""

    value: float
    low: float
    high: float


def shown(value: float, decimals: int | None = None, scale: float = 1.0) -> Shown:
    """The interval a figure shown with ``decimals`` places came from (None: full precision).

    ``scale`` undoes a display unit: 100 for a percentage.
    """
    number = float(value) / scale
    if decimals is None:
        slack = FULL_PRECISION * max(abs(number), 1e-12)
    else:
        slack = 0.5 * 10.0 ** -decimals / scale * (1 + 1e-9)
    return Shown(number, number - slack, number + slack)


def shown_text(text: str) -> Shown | None:
    """A number as written in a file ("0.54", "0.0208", "1.2345678901"): its value and the
    interval it was rounded from (half a unit of its last place). None if not a number."""
    try:
        number = Decimal(text.strip())
    except InvalidOperation:
        return None
    if not number.is_finite():
        return None
    exponent = number.as_tuple().exponent
    value = float(number)
    slack = 0.5 * 10.0 ** int(exponent) * (1 + 1e-9)
    slack = max(slack, FULL_PRECISION * max(abs(value), 1e-12))
    return Shown(value, value - slack, value + slack)


def read_numbers(text: str, scale: float = 1.0) -> list[Shown]:
    """Every number in a display text with its rounding interval: "0.83 (0.61–1.13)"."""
    cleaned = text.replace(",", "").replace("−", "-")
    found = []
    for match in _NUMBER.finditer(cleaned):
        decimals = len(match.group(1) or "")
        found.append(shown(float(match.group(0)), decimals, scale))
    return found


def evaluate(quantity: str, counts: Mapping[str, np.ndarray],
             params: Mapping[str, object]) -> np.ndarray:
    """``quantity`` for candidate counts (arrays by role: ``group_n``, ``group_d``, ...).

    Candidates where a numerator exceeds its denominator give NaN. ``params``
    holds ``ci_method``, ``rate_method`` and ``confidence_level``.
    """
    size = next(iter(counts.values())).size
    out = np.full(size, np.nan)
    roles = INPUTS[quantity]
    valid = np.ones(size, dtype=bool)
    for role in roles:
        valid &= (counts[f"{role}_n"] <= counts[f"{role}_d"]) & (counts[f"{role}_n"] >= 0)
    if not valid.any():
        return out
    picked = {k: np.asarray(v, dtype=float)[valid] for k, v in counts.items()}
    level = float(params.get("confidence_level", 0.95))  # type: ignore[arg-type]
    if roles == (GROUP,) or roles == (REFERENCE,) or roles == (UNKNOWN,):
        role = roles[0]
        if quantity == "unknown_rate":
            with np.errstate(invalid="ignore", divide="ignore"):
                out[valid] = picked["unknown_n"] / picked["unknown_d"]
            return out
        table = stats.proportion_interval(picked[f"{role}_n"], picked[f"{role}_d"],
                                          method=str(params.get("rate_method", "wilson")),
                                          confidence_level=level)
        column = quantity.removeprefix("reference_")
        out[valid] = table[column].to_numpy(dtype=float)
        return out
    n1, d1, n0, d0 = (picked[k] for k in ("group_n", "group_d", "reference_n", "reference_d"))
    if quantity.startswith("national_"):
        out[valid] = national_interval(picked, level)[quantity]
        return out
    if quantity in ("log_rl", "se", "precision"):
        with np.errstate(invalid="ignore", divide="ignore"):
            log_rl = np.log(n1 / d1) - np.log(n0 / d0)
            se = np.sqrt(1 / n1 - 1 / d1 + 1 / n0 - 1 / d0)
        out[valid] = {"log_rl": log_rl, "se": se, "precision": 1 / se**2}[quantity]
        return out
    if UNKNOWN in roles:
        table = stats.unknown_bounds(n1, d1, n0, d0, picked["unknown_n"], picked["unknown_d"])
    else:
        table = stats.relative_likelihood(n1, d1, n0, d0,
                                          method=str(params.get("ci_method", "katz-log")),
                                          confidence_level=level)
    out[valid] = table[quantity].to_numpy(dtype=float)
    return out


def national_interval(sums: Mapping[str, np.ndarray], level: float) -> dict[str, np.ndarray]:
    """The pooled national ratio and its Katz interval, as the national view computes them."""
    n1, d1, n0, d0 = (np.asarray(sums[k], dtype=float)
                      for k in ("group_n", "group_d", "reference_n", "reference_d"))
    z = float(norm.isf((1.0 - level) / 2.0))
    with np.errstate(invalid="ignore", divide="ignore"):
        log_rl = np.log(n1 / d1) - np.log(n0 / d0)
        se = np.sqrt(1 / n1 - 1 / d1 + 1 / n0 - 1 / d0)
    return {"national_rl": np.exp(log_rl), "national_rl_lower": np.exp(log_rl - z * se),
            "national_rl_upper": np.exp(log_rl + z * se)}


def consistent(values: np.ndarray, figure: Shown) -> np.ndarray:
    """Which candidate values round to what was shown."""
    with np.errstate(invalid="ignore"):
        return (values >= figure.low) & (values <= figure.high)


def grid(ranges: Sequence[tuple[int, int]], budget: int) -> list[np.ndarray] | None:
    """Every combination of whole numbers in ``ranges``, or None beyond ``budget``."""
    sizes = [high - low + 1 for low, high in ranges]
    if any(s <= 0 for s in sizes):
        return [np.array([], dtype=np.int64) for _ in ranges]
    if math.prod(sizes) > budget:
        return None
    axes = [np.arange(low, high + 1) for low, high in ranges]
    return [a.ravel() for a in np.meshgrid(*axes, indexing="ij")]
