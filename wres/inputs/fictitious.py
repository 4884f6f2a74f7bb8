"""Names, regions and sizes for fictitious authorities beyond the twelve of the sample.

A national team runs the workbook over every participating authority (153 in
England); testing that needs realistic sets of any size. These authorities are
spread over regions in proportion to England's councils, with workforce sizes
spread as councils' are (a long tail: a few very large, many around a thousand
staff, some small enough that suppression matters) and minority ethnic shares
that are high in London and lower elsewhere. Deterministic for a given seed.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

#: Regions of the sample, weighted by the number of councils with social services in
#: each (North: North East and Yorkshire; Midlands: East and West; South: South East).
REGION_WEIGHTS: dict[str, int] = {
    "North": 27, "North West": 24, "Midlands": 24, "East": 11, "London": 33, "South": 19,
    "South West": 15,
}
_FIRST = (
    "Amber", "Ash", "Barrow", "Black", "Bram", "Brook", "Calder", "Cold", "Dun", "Elder",
    "Fair", "Fox", "Glen", "Gold", "Hart", "Hazel", "Holly", "Iron", "Kings", "Lang",
    "Lark", "Marsh", "Mill", "Moss", "Nether", "Oak", "Pen", "Raven", "Red", "Rose",
    "Salt", "Silver", "Stone", "Thorn", "Wel", "West", "Whit", "Willow", "Wood", "Yar",
)
_SECOND = (
    "bridge", "brook", "bury", "combe", "dale", "field", "ford", "gate", "ham", "haven",
    "hurst", "ley", "mead", "mere", "moor", "port", "stead", "ton", "wick", "worth",
)
#: Most names are one word; some carry a second word, as "Ashbourne Vale" does.
_THIRD = ("", "", "", "", " Vale", " Heath", " Downs", " Fields", " Coast", " Bay")


@dataclass(frozen=True)
class FictitiousAuthority:
    """Name, region, workforce and ethnicity mix of one invented authority."""

    name: str
    region: str
    staff: int
    minority_share: float
    unknown_share: float
    broad_groups: bool


def fictitious_authorities(
    count: int, *, seed: int, taken: set[str] | frozenset[str] = frozenset()
) -> list[FictitiousAuthority]:
    """``count`` invented authorities, none named as one in ``taken``.

    Raises
    ------
    ValueError
        If more names are asked for than the name lists can make.
    """
    rng = np.random.default_rng([seed, 153])
    names = [f"{a}{b}{c}" for a in _FIRST for b in _SECOND for c in _THIRD]
    order = rng.permutation(len(names))
    chosen: list[str] = []
    used = {name.lower() for name in taken}
    for index in order:
        stem = names[index].split(" ")[0].lower()
        if names[index].lower() in used or stem in used:
            continue
        chosen.append(names[index])
        used.update({names[index].lower(), stem})
        if len(chosen) == count:
            break
    if len(chosen) < count:
        raise ValueError(f"can make at most {len(chosen)} more authority names, not {count}")
    regions = list(REGION_WEIGHTS)
    weights = np.array([REGION_WEIGHTS[r] for r in regions], dtype=float)
    region = rng.choice(regions, size=count, p=weights / weights.sum())
    staff = np.clip(np.exp(rng.normal(np.log(1300), 0.75, size=count)), 150, 8000)
    london = region == "London"
    minority = np.where(london, rng.beta(4.5, 5.5, size=count), rng.beta(1.6, 9.0, size=count))
    unknown = rng.uniform(0.02, 0.14, size=count)
    broad = rng.random(count) < 0.5
    return [
        FictitiousAuthority(name, str(r), int(round(s, -1)), float(np.clip(m, 0.02, 0.7)),
                            float(u), bool(b))
        for name, r, s, m, u, b in zip(chosen, region, staff, minority, unknown, broad,
                                       strict=True)
    ]
