"""Fictitious authorities for testing the funnel plots (test helper, not shipped)."""

from __future__ import annotations

import numpy as np
import pandas as pd

from wres.core.indicators import ALL_SERVICES, MINORITY


def simulate_authorities(
    n_authorities: int = 150,
    *,
    tau: float = 0.3,
    relative_likelihood: float = 1.2,
    seed: int = 0,
    white_rate: tuple[float, float] = (0.10, 0.20),
) -> pd.DataFrame:
    """Fictitious results rows for checking the method, with known between-authority SD.

    Each authority has 200-800 staff, 10-40% minority ethnic, a white rate drawn
    uniformly from ``white_rate`` (10-20%) and a true log RL of
    ``log(relative_likelihood) + N(0, tau**2)``.
    """
    rng = np.random.default_rng(seed)
    staff = rng.integers(200, 801, n_authorities)
    minority = np.round(staff * rng.uniform(0.10, 0.40, n_authorities)).astype(int)
    white = staff - minority
    p_white = rng.uniform(*white_rate, n_authorities)
    true_log_rl = np.log(relative_likelihood) + rng.normal(0.0, tau, n_authorities)
    p_minority = np.clip(p_white * np.exp(true_log_rl), 0.0, 0.95)
    x1, x0 = rng.binomial(minority, p_minority), rng.binomial(white, p_white)
    status = np.where(x0 == 0, "not_computable: no events in the reference group", "ok")
    with np.errstate(divide="ignore", invalid="ignore"):
        rl = np.where(x0 > 0, (x1 / minority) / (x0 / white), np.nan)
    return pd.DataFrame(
        {
            "authority": [f"LA{i:03d}" for i in range(n_authorities)],
            "year": 2024,
            "indicator": 8,
            "measure": "leavers",
            "service": ALL_SERVICES,
            "group": MINORITY,
            "numerator": x1,
            "denominator": minority,
            "reference_numerator": x0,
            "reference_denominator": white,
            "relative_likelihood": rl,
            "status": status,
        }
    )
