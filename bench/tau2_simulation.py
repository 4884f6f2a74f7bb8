"""How well the Winsorised overdispersion estimate behaves, over many seeds.

Simulates 150 fictitious authorities per seed (``tests/simulation.py``:
200-800 staff, 10-40% minority ethnic, white rate 10-20%, national RL 1.2) with and
without between-authority variation, places them on the funnel (z-scores under the
national value) and reports, for the published method (uncorrected phi, tau2 whenever
``I*phi > I-1``, the default) and the corrected one (phi / 0.679, tau2 only when the
chi-squared test has p < 0.05):

- how often tau2 is 0 when there is no overdispersion;
- the mean estimated tau2 relative to the truth, and how often one estimate is within 20%;
- how many authorities fall outside the 95% and 99.8% limits with each method.

Usage: ``python bench/tau2_simulation.py [--seeds 500] [--tau 0.3]``
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests"))
from simulation import simulate_authorities  # noqa: E402  (a test helper, not shipped)

from wres.analysis.benchmark import benchmark_relative_likelihoods  # noqa: E402
from wres.stats.funnel import overdispersion  # noqa: E402


def _one_seed(seed: int, tau: float) -> dict[str, float]:
    results = simulate_authorities(150, tau=tau, seed=seed)
    bench = benchmark_relative_likelihoods(results)
    assessed = bench[bench["position"] != "not assessed"]
    z, se = assessed["z"].to_numpy(), assessed["se_null"].to_numpy()
    corrected = overdispersion(z, se, method="corrected").tau2
    z_corrected = np.abs(z) / np.sqrt(1 + corrected / se**2)
    return {
        "tau2_published": float(bench["tau2"].iloc[0]),
        "tau2_corrected": corrected,
        "outside_95": float((assessed["position"] != "within limits").mean()),
        "outside_998": float(assessed["position"].str.contains("99.8").mean()),
        "outside_95_corrected": float(np.mean(z_corrected > 1.959964)),
        "outside_998_corrected": float(np.mean(z_corrected > 3.090232)),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seeds", type=int, default=500)
    parser.add_argument("--tau", type=float, default=0.3)
    args = parser.parse_args()
    start = time.perf_counter()
    for tau in (0.0, args.tau):
        runs = [_one_seed(seed, tau) for seed in range(args.seeds)]
        col = {key: np.array([run[key] for run in runs]) for key in runs[0]}
        print(f"\ntrue tau = {tau} (tau2 = {tau**2:.4f}), {args.seeds} seeds x 150 authorities")
        for key in ("tau2_published", "tau2_corrected"):
            line = f"  {key:17s} zero in {np.mean(col[key] == 0):6.1%} of seeds"
            if tau > 0:
                ratio = col[key] / tau**2
                line += (
                    f"; mean estimate / truth {ratio.mean():.3f}"
                    f" (median {np.median(ratio):.3f}, 5th-95th percentile"
                    f" {np.percentile(ratio, 5):.2f}-{np.percentile(ratio, 95):.2f});"
                    f" within 20% in {np.mean(np.abs(ratio - 1) < 0.2):.1%} of seeds"
                )
            print(line)
        print(
            f"  authorities outside the limits, published method (default): 95%"
            f" {col['outside_95'].mean():.2%}, 99.8% {col['outside_998'].mean():.2%};"
            f" corrected: 95% {col['outside_95_corrected'].mean():.2%},"
            f" 99.8% {col['outside_998_corrected'].mean():.2%}"
        )
    print(f"\n{time.perf_counter() - start:.1f} s")


if __name__ == "__main__":
    main()
