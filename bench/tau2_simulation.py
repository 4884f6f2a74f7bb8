"""How well the Winsorised overdispersion estimate behaves, over many seeds.

Simulates 150 fictitious authorities per seed (``tests/simulation.py``:
200-800 staff, 10-40% minority ethnic, white rate 10-20%, national RL 1.2) with and
without between-authority variation, and reports:

- how often tau2 is 0 when there is no overdispersion (default rule, and Spiegelhalter's
  plain rule ``I*phi > I-1``);
- the mean estimated tau2 relative to the truth, and how often one estimate is within 20%,
  with and without the Winsorisation consistency correction;
- how many authorities fall outside the 95% and 99.8% limits in use.

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
from wres.stats.funnel import winsorised_overdispersion  # noqa: E402


def _one_seed(seed: int, tau: float) -> dict[str, float]:
    results = simulate_authorities(150, tau=tau, seed=seed)
    bench = benchmark_relative_likelihoods(results)
    assessed = bench[bench["position"] != "not assessed"]
    y, se = assessed["log_rl"].to_numpy(), assessed["se"].to_numpy()
    target = float(np.log(bench["national_rl"].iloc[0]))
    plain = winsorised_overdispersion(y, se, target, alpha=1.0)
    uncorrected = winsorised_overdispersion(y, se, target, alpha=1.0, consistency=False)
    return {
        "tau2": float(bench["tau2"].iloc[0]),
        "tau2_plain_rule": plain.tau2,
        "tau2_uncorrected": uncorrected.tau2,
        "outside_95": float((assessed["position"] != "within limits").mean()),
        "outside_998": float(assessed["position"].str.contains("99.8").mean()),
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
        for key in ("tau2", "tau2_plain_rule", "tau2_uncorrected"):
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
            f"  authorities outside the limits in use: 95% {col['outside_95'].mean():.2%},"
            f" 99.8% {col['outside_998'].mean():.2%}"
        )
    print(f"\n{time.perf_counter() - start:.1f} s")


if __name__ == "__main__":
    main()
