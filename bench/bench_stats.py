"""Time relative likelihood + interval over a million rows against a scipy per-row loop.

Run: ``python bench/bench_stats.py [rows]``. Prints the headline ratio for the
default method (Katz), then a markdown table for every method. The headline
alternates a scipy loop over a 5,000-row sample with a vectorised run over all
rows, 9 rounds, and reports medians, so one run of the script gives a stable
figure even while other work shares the machine.
"""

from __future__ import annotations

import statistics
import sys
import time
from collections.abc import Callable

import numpy as np
from scipy.stats.contingency import relative_risk

from wres.core.methods import PROPORTION_METHODS, RATIO_METHODS
from wres.stats.proportions import proportion_interval
from wres.stats.ratios import relative_likelihood

LOOP_SAMPLE = 5_000
#: Rounds of the headline comparison (one scipy loop and one vectorised run each).
HEADLINE_ROUNDS = 9
#: Runs per other timing: more for the fast computation, whose times are noisiest.
FAST_REPEATS = 9
SLOW_REPEATS = 3


def _tables(rows: int, seed: int = 2024) -> tuple[np.ndarray, ...]:
    """Counts like SC-WRES returns: 50-1,000 staff per group, rates around 2-10%."""
    rng = np.random.default_rng(seed)
    n1, n0 = rng.integers(50, 1_001, rows), rng.integers(50, 1_001, rows)
    rate = rng.uniform(0.02, 0.10, rows)
    return rng.binomial(n1, rate * rng.uniform(0.6, 1.6, rows)), n1, rng.binomial(n0, rate), n0


def _seconds(job: Callable[[], object]) -> float:
    """Wall time of one run of ``job``."""
    start = time.perf_counter()
    job()
    return time.perf_counter() - start


def _median_seconds(repeats: int, job: Callable[[], object]) -> float:
    """Median wall time of ``repeats`` runs of ``job``, after one untimed warm-up run."""
    job()
    return statistics.median(_seconds(job) for _ in range(repeats))


def _scipy_loop(x1, n1, x0, n0, sample: int = LOOP_SAMPLE) -> tuple[Callable[[], None], int]:
    """A loop of ``relative_risk(...).confidence_interval()`` over the first rows.

    Rows whose reference group has no events are left out (scipy returns NaN and
    infinity there rather than computing). Returns the loop and its row count.
    """
    ok = np.flatnonzero(x0[:sample] > 0)
    tables = [(int(x1[i]), int(n1[i]), int(x0[i]), int(n0[i])) for i in ok]

    def loop() -> None:
        for a1, m1, a0, m0 in tables:
            relative_risk(a1, m1, a0, m0).confidence_interval(0.95)

    return loop, len(tables)


def katz_against_scipy(x1, n1, x0, n0, rounds: int = HEADLINE_ROUNDS) -> dict[str, float]:
    """Katz over every row and the scipy loop, timed in alternation.

    Each round times one scipy loop and one vectorised run back to back, so both
    see the same load on a shared machine; the speed-up is the median of the
    rounds' ratios and the times are the medians of their rounds.
    """
    loop, looped = _scipy_loop(x1, n1, x0, n0)

    def vectorised() -> None:
        relative_likelihood(x1, n1, x0, n0)

    loop(), vectorised()  # warm up
    per_row, seconds = [], []
    for _ in range(rounds):
        per_row.append(_seconds(loop) / looped)
        seconds.append(_seconds(vectorised))
    ratios = [p * x1.size / s for p, s in zip(per_row, seconds, strict=True)]
    return {"seconds": statistics.median(seconds), "per_row": statistics.median(per_row),
            "ratio": statistics.median(ratios), "looped": looped}


def main(rows: int = 1_000_000) -> None:
    x1, n1, x0, n0 = _tables(rows)
    headline = katz_against_scipy(x1, n1, x0, n0)
    per_row = headline["per_row"]
    print(f"relative likelihood (katz-log), {rows:,} rows: {headline['seconds']:.3f} s "
          f"vectorised vs {per_row * 1e6:.1f} µs/row scipy loop -> {headline['ratio']:,.0f}x")
    print(f"(median of {HEADLINE_ROUNDS} rounds, each a scipy loop over {headline['looped']:,} "
          f"rows then one vectorised run; scipy extrapolated: {per_row * rows:.1f} s "
          f"for {rows:,} rows)\n")
    ratio_seconds = {"katz-log": headline["seconds"]}
    for method in RATIO_METHODS[1:]:
        ratio_seconds[method] = _median_seconds(
            SLOW_REPEATS, lambda m=method: relative_likelihood(x1, n1, x0, n0, method=m)
        )
    print(f"Other rows: median of {SLOW_REPEATS} runs ({FAST_REPEATS} for wilson).\n")
    print("| computation | seconds for all rows | µs/row | speed-up vs scipy loop |")
    print("|---|---|---|---|")
    for method, seconds in ratio_seconds.items():
        speed_up = headline["ratio"] if method == "katz-log" else per_row * rows / seconds
        print(f"| relative_likelihood {method} | {seconds:.3f} | {seconds / rows * 1e6:.3f} "
              f"| {speed_up:,.0f}x |")
    for method in PROPORTION_METHODS:
        seconds = _median_seconds(
            FAST_REPEATS if method == "wilson" else SLOW_REPEATS,
            lambda m=method: proportion_interval(x1, n1, method=m),
        )
        print(f"| proportion_interval {method} | {seconds:.3f} | {seconds / rows * 1e6:.3f} | |")


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 1_000_000)
