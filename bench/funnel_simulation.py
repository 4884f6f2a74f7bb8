"""How often authorities fall beyond the funnel limits when nothing is going on.

Simulates 150 fictitious authorities per seed (``tests/simulation.py``: 200-800 staff,
10-40% minority ethnic, national RL 1.2, no overdispersion) with white event rates of
1-3% and of 10-20%, places them on the funnel with the default method
(`wres.analysis.benchmark.benchmark_relative_likelihoods`: z-scores under the national
value, the published overdispersion rule) and counts the authorities beyond each limit.
With no real differences, 2.5% should fall beyond each 95% limit and 0.1% beyond each
99.8% limit. For comparison it also counts them with the previous method: z-scores from
the Katz standard error of each authority's own counts, authorities with no events in
either group left out.

Prints a Markdown table for README (mean over seeds, with the Monte Carlo standard
error), then the same shares by the number of minority ethnic events expected, and the
run time.

Usage: ``python bench/funnel_simulation.py [--seeds 500] [--authorities 150]``
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

import numpy as np
import pandas as pd

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests"))
from simulation import simulate_authorities  # noqa: E402  (a test helper, not shipped)

from wres.analysis.benchmark import benchmark_relative_likelihoods  # noqa: E402

SCENARIOS = {"white rate 1-3%": (0.01, 0.03), "white rate 10-20%": (0.10, 0.20)}
Z95, Z998 = 1.959964, 3.090232
BANDS = [0, 2, 5, 10, np.inf]


def _previous(results: pd.DataFrame) -> np.ndarray:
    """Z-scores of the previous method: Katz SE of the log RL from the authority's counts."""
    x1, n1, x0, n0 = (results[c].to_numpy(dtype=float) for c in
                      ("numerator", "denominator", "reference_numerator",
                       "reference_denominator"))
    national = (x1.sum() / n1.sum()) / (x0.sum() / n0.sum())
    with np.errstate(divide="ignore", invalid="ignore"):
        z = (np.log((x1 / n1) / (x0 / n0)) - np.log(national)) / np.sqrt(
            1 / x1 - 1 / n1 + 1 / x0 - 1 / n0)
    return np.where((x1 > 0) & (x0 > 0), z, np.nan)


def _markdown(frame: pd.DataFrame) -> str:
    """A Markdown table (pandas' ``to_markdown`` needs tabulate, not a dependency)."""
    lines = ["| " + " | ".join(frame.columns) + " |", "|" + "---|" * len(frame.columns)]
    lines += ["| " + " | ".join(str(v) for v in row) + " |" for row in frame.to_numpy()]
    return "\n".join(lines)


def _shares(z: np.ndarray) -> dict[str, float]:
    assessed = ~np.isnan(z)
    return {"below 95%": float(np.mean(z < -Z95)), "above 95%": float(np.mean(z > Z95)),
            "below 99.8%": float(np.mean(z < -Z998)), "above 99.8%": float(np.mean(z > Z998)),
            "not assessed": float(np.mean(~assessed))}


def _one_seed(seed: int, white_rate: tuple[float, float], n: int) -> tuple[dict, dict,
                                                                           pd.DataFrame]:
    results = simulate_authorities(n, tau=0.0, seed=seed, white_rate=white_rate)
    bench = benchmark_relative_likelihoods(results)
    z = bench["z_adjusted"].to_numpy(dtype=float)
    by_band = pd.DataFrame({"expected": bench["expected"], "z": z})
    return _shares(z), _shares(_previous(results)), by_band


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seeds", type=int, default=500)
    parser.add_argument("--authorities", type=int, default=150)
    args = parser.parse_args()
    start = time.perf_counter()
    rows, bands, timings = [], [], {}
    for name, white_rate in SCENARIOS.items():
        began = time.perf_counter()
        runs = [_one_seed(seed, white_rate, args.authorities) for seed in range(args.seeds)]
        timings[name] = time.perf_counter() - began
        for label, index in (("z under the national value (default)", 0),
                             ("previous: Katz SE of own counts", 1)):
            frame = pd.DataFrame([run[index] for run in runs])
            cells = {col: f"{100 * frame[col].mean():.2f} ± "
                          f"{100 * frame[col].std(ddof=1) / np.sqrt(len(frame)):.2f}"
                     for col in frame}
            rows.append({"scenario": name, "method": label, **cells})
        pooled = pd.concat([run[2] for run in runs], ignore_index=True)
        pooled["band"] = pd.cut(pooled["expected"], BANDS, right=False)
        for band, part in pooled.groupby("band", observed=True):
            shares = _shares(part["z"].to_numpy())
            bands.append({"scenario": name, "expected minority events": str(band),
                          "authorities": f"{len(part) / len(pooled):.1%}",
                          "below 95%": f"{100 * shares['below 95%']:.2f}",
                          "above 95%": f"{100 * shares['above 95%']:.2f}"})
    print(f"{args.seeds} seeds x {args.authorities} authorities, no overdispersion, RL 1.2; "
          "% of authorities (mean over seeds ± Monte Carlo SE)\n")
    print(_markdown(pd.DataFrame(rows)))
    print("\nDefault method by minority ethnic events expected under the national value "
          "(% of authorities)\n")
    print(_markdown(pd.DataFrame(bands)))
    print("\n" + "; ".join(f"{name}: {seconds:.1f} s" for name, seconds in timings.items())
          + f"; total {time.perf_counter() - start:.1f} s")


if __name__ == "__main__":
    main()
