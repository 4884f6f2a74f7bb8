"""Time relative likelihood + interval over a million rows against a scipy per-row loop.

Run: ``python bench/bench_stats.py [rows]``. Prints a markdown table.
"""

from __future__ import annotations

import sys
import time

import numpy as np
from scipy.stats.contingency import relative_risk

from wres.stats import RATIO_METHODS, proportion_interval, relative_likelihood

LOOP_SAMPLE = 2_000


def _tables(rows: int, seed: int = 2024) -> tuple[np.ndarray, ...]:
    """Counts like SC-WRES returns: 50-1,000 staff per group, rates around 2-10%."""
    rng = np.random.default_rng(seed)
    n1, n0 = rng.integers(50, 1_001, rows), rng.integers(50, 1_001, rows)
    rate = rng.uniform(0.02, 0.10, rows)
    return rng.binomial(n1, rate * rng.uniform(0.6, 1.6, rows)), n1, rng.binomial(n0, rate), n0


def _best_of(repeats: int, job) -> float:
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        job()
        times.append(time.perf_counter() - start)
    return min(times)


def main(rows: int = 1_000_000) -> None:
    x1, n1, x0, n0 = _tables(rows)
    sample = slice(0, LOOP_SAMPLE)
    ok = np.flatnonzero(x0[sample] > 0)

    def loop() -> None:
        for i in ok:
            relative_risk(int(x1[i]), int(n1[i]), int(x0[i]), int(n0[i])).confidence_interval(0.95)

    per_row_loop = _best_of(3, loop) / ok.size
    print(f"rows: {rows:,}; scipy loop sample: {ok.size:,} rows")
    print(f"scipy relative_risk loop: {per_row_loop * 1e6:.1f} us/row, "
          f"extrapolated {per_row_loop * rows:.1f} s for {rows:,} rows\n")
    print("| computation | seconds for all rows | us/row | speed-up vs scipy loop |")
    print("|---|---|---|---|")
    for method in RATIO_METHODS:
        seconds = _best_of(3 if method == "katz-log" else 1, lambda m=method: relative_likelihood(
            x1, n1, x0, n0, method=m))
        print(f"| relative_likelihood {method} | {seconds:.2f} | {seconds / rows * 1e6:.2f} "
              f"| {per_row_loop * rows / seconds:,.0f}x |")
    for method in ("wilson", "clopper-pearson", "jeffreys"):
        seconds = _best_of(3, lambda m=method: proportion_interval(x1, n1, method=m))
        print(f"| proportion_interval {method} | {seconds:.2f} | {seconds / rows * 1e6:.2f} | |")


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 1_000_000)
