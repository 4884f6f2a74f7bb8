"""The names of the interval methods, and their aliases.

Kept apart from `wres.stats` (which imports numpy, pandas and scipy) so that a
params file can be checked when it is loaded without importing the numerical
stack.
"""

from __future__ import annotations

PROPORTION_METHODS: tuple[str, ...] = ("wilson", "clopper-pearson", "jeffreys")
RATIO_METHODS: tuple[str, ...] = ("katz-log", "koopman-score", "miettinen-nurminen")
ALIASES: dict[str, str] = {
    "katz": "katz-log",
    "log": "katz-log",
    "koopman": "koopman-score",
    "score": "koopman-score",
    "mn": "miettinen-nurminen",
    "exact": "clopper-pearson",
    "beta": "clopper-pearson",
}


def normalise_method(name: str, kind: str) -> str:
    """Return the canonical name of an interval method.

    Parameters
    ----------
    name : str
        Canonical name or alias (``katz``, ``koopman``, ``score``, ``mn``,
        ``exact``, ``beta``); case, spaces and underscores are ignored.
    kind : {"proportion", "ratio"}
        Which family the method belongs to.

    Raises
    ------
    ValueError
        If ``kind`` or ``name`` is unknown; the message lists the valid names.
    """
    families = {"proportion": PROPORTION_METHODS, "ratio": RATIO_METHODS}
    if kind not in families:
        raise ValueError(f"unknown kind {kind!r}: expected 'proportion' or 'ratio'")
    key = str(name).strip().lower().replace("_", "-").replace(" ", "-")
    key = ALIASES.get(key, key)
    if key not in families[kind]:
        aliases = sorted(a for a, c in ALIASES.items() if c in families[kind])
        raise ValueError(
            f"unknown {kind} interval method {name!r}: expected one of "
            f"{', '.join(families[kind])} (aliases: {', '.join(aliases)})"
        )
    return key
