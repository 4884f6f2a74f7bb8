"""Simulated coverage of each relative-likelihood interval method at SC-WRES sizes.

For each scenario (staff per group, expected events in the reference group,
true RL) draw binomial counts for both groups many times, compute every method's
95% interval with :func:`wres.stats.relative_likelihood` (vectorised over the
replications) and count how often it contains the true RL. Coverage is among the
computable tables; the share not computable (no reference events) is shown too.

Run: ``python bench/coverage_rl.py [replications]``. Prints a markdown table.
"""

from __future__ import annotations

import sys
import time

import numpy as np

from wres.core.methods import RATIO_METHODS
from wres.stats.ratios import relative_likelihood

#: (staff per group, expected events in the reference group, true RL)
SCENARIOS = [
    (50, 1, 1.0), (50, 5, 1.0), (50, 5, 2.0), (200, 2, 1.5), (200, 10, 1.0),
    (200, 10, 2.0), (1000, 5, 1.0), (1000, 30, 1.0), (1000, 30, 1.5), (1000, 3, 3.0),
]


def coverage(staff: int, expected: float, true_rl: float, replications: int, seed: int) -> dict:
    """Coverage per method, and the share not computable, for one scenario."""
    rng = np.random.default_rng(seed)
    p0 = expected / staff
    x0 = rng.binomial(staff, p0, replications)
    x1 = rng.binomial(staff, min(p0 * true_rl, 1.0), replications)
    result = {}
    for method in RATIO_METHODS:
        frame = relative_likelihood(x1, staff, x0, staff, method=method)
        ok = (frame["status"] == "ok").to_numpy()
        lower, upper = frame["rl_lower"].to_numpy()[ok], frame["rl_upper"].to_numpy()[ok]
        result[method] = (np.mean((lower <= true_rl) & (true_rl <= upper)),)
        result["not_computable"] = 1 - ok.mean()
    return result


def main(replications: int = 20_000) -> None:
    start = time.perf_counter()
    header = " | ".join(f"{m} coverage" for m in RATIO_METHODS)
    print(f"Coverage of nominal 95% intervals, {replications:,} replications per scenario\n")
    print(f"| staff per group | expected reference events | true RL | not computable | {header} |")
    print("|---" * (4 + len(RATIO_METHODS)) + "|")
    for i, (staff, expected, true_rl) in enumerate(SCENARIOS):
        row = coverage(staff, expected, true_rl, replications, seed=1000 + i)
        cells = " | ".join(f"{row[m][0]:.3f}" for m in RATIO_METHODS)
        print(f"| {staff} | {expected} | {true_rl} | {row['not_computable']:.1%} | {cells} |")
    print(f"\n{time.perf_counter() - start:.0f} s")


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 20_000)
