"""Fictitious sample authorities: seeded HR records, counts files and params files.

Twelve invented authorities, three years each, adults' and children's
services. Every authority's staff, applicants and survey respondents are
simulated person by person and counted with `wres.aggregate.aggregate_extracts`,
so the three authorities that ship HR extracts have counts that agree with
them exactly. Rates are centred on the national SC-WRES 2023 relative
likelihoods with authority-level variation, and the cases real returns have
are built in: zero events in a group, an indicator not submitted, a very
small minority workforce, unknown ethnicity and broad ethnic groups.
The same seed gives byte-identical files.
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd
import yaml

from wres.core.atomic import write_csv_atomic, write_text_atomic
from wres.core.indicators import SERVICES
from wres.inputs.ethnicity import load_ethnicity_map
from wres.inputs.extracts import aggregate_extracts
from wres.inputs.fictitious import fictitious_authorities
from wres.inputs.params import safe_slug

YEARS: tuple[int, ...] = (2022, 2023, 2024)
PAY_BANDS: tuple[str, ...] = tuple(f"Band {n}" for n in range(1, 7))

#: White base rate and national minority/white relative likelihood for each outcome.
OUTCOMES: dict[str, tuple[float, float]] = {
    "appointed": (0.20, 0.5),
    "formal_disciplinary": (0.02, 1.4),
    "fitness_to_practise": (0.01, 2.1),
    "funded_cpd": (0.30, 1.0),
    "harassment_public": (0.30, 1.2),
    "harassment_colleague": (0.15, 1.3),
    "harassment_manager": (0.10, 1.9),
    "left_in_period": (0.12, 1.1),
}
#: Share of white and of minority staff in each pay band (minority staff sit lower).
BAND_SHARES = {
    "white": (0.18, 0.24, 0.22, 0.17, 0.12, 0.07),
    "minority": (0.30, 0.30, 0.19, 0.11, 0.065, 0.035),
}
SENIOR_IN_TOP_BAND = 0.75
REGULATED_SHARE = 0.35

_WHITE_LABELS = (
    ("White: English, Welsh, Scottish, Northern Irish or British", "White British", "13", 0.86),
    ("White: Irish", "White - Irish", "14", 0.03),
    ("White: Gypsy or Irish Traveller", "White - Gypsy/Irish Traveller", "15", 0.005),
    ("White: Roma", "White - Roma", "16", 0.005),
    ("White: Other White", "White - Any other White background", "17", 0.10),
)
_MINORITY_LABELS = (
    ("Asian or Asian British: Bangladeshi", "Asian/Asian British: Bangladeshi", "1", 0.04),
    ("Asian or Asian British: Chinese", "Asian/Asian British: Chinese", "2", 0.03),
    ("Asian or Asian British: Indian", "Asian/Asian British: Indian", "3", 0.12),
    ("Asian or Asian British: Pakistani", "Asian/Asian British: Pakistani", "4", 0.08),
    ("Asian or Asian British: Other Asian", "Asian/Asian British: Other Asian", "5", 0.06),
    ("Black, Black British, Caribbean or African: African", "Black/Black British: African",
     "6", 0.27),
    ("Black, Black British, Caribbean or African: Caribbean",
     "Black/Black British: Caribbean", "7", 0.12),
    ("Black, Black British, Caribbean or African: Other Black",
     "Black/Black British: Other Black", "8", 0.03),
    ("Mixed or Multiple ethnic groups: White and Asian", "Mixed - White and Asian", "9", 0.04),
    ("Mixed or Multiple ethnic groups: White and Black African",
     "Mixed - White and Black African", "10", 0.03),
    ("Mixed or Multiple ethnic groups: White and Black Caribbean",
     "Mixed - White and Black Caribbean", "11", 0.06),
    ("Mixed or Multiple ethnic groups: Other Mixed or Multiple ethnic groups",
     "Mixed - Any other Mixed background", "12", 0.03),
    ("Other ethnic group: Arab", "Other ethnic group - Arab", "18", 0.02),
    ("Other ethnic group: Any other ethnic group", "Any other ethnic group", "19", 0.03),
)
_UNKNOWN_LABELS = (
    ("Not stated", "Prefer not to say", "", 0.7),
    ("Not known", "not stated", "Z", 0.3),
)
_SERVICE_LABELS = {"adults": "Adult Social Care", "children": "Children's Services"}
_STYLES = {"ons": 0, "variant": 1, "code": 2}


@dataclass(frozen=True)
class SampleAuthority:
    """One fictitious authority and what is special about it."""

    name: str
    slug: str
    region: str
    staff: int
    minority_share: float
    unknown_share: float
    broad_groups: bool = False
    extracts: str | None = None
    omit: dict[int, tuple[int, ...]] = field(default_factory=dict)
    no_white_ftp: tuple[tuple[int, str], ...] = ()


#: The twelve sample authorities. ``fernleigh-downs`` is the smallest: tests use it.
AUTHORITIES: tuple[SampleAuthority, ...] = (
    SampleAuthority("Ashbourne Vale", "ashbourne-vale", "North", 2100, 0.12, 0.05),
    SampleAuthority("Brightwater", "brightwater", "London", 2900, 0.46, 0.08, broad_groups=True),
    SampleAuthority("Cindermoor", "cindermoor", "North", 1400, 0.03, 0.04),
    SampleAuthority("Dovecote Fields", "dovecote-fields", "Midlands", 1800, 0.22, 0.10,
                    omit={2023: (4,)}),
    SampleAuthority("Eastmarsh", "eastmarsh", "East", 1200, 0.09, 0.13,
                    omit={y: (6,) for y in YEARS}),
    SampleAuthority("Fernleigh Downs", "fernleigh-downs", "South West", 320, 0.10, 0.03,
                    extracts="code"),
    SampleAuthority("Greystone Heath", "greystone-heath", "Midlands", 2500, 0.31, 0.06,
                    broad_groups=True),
    SampleAuthority("Hollowmere", "hollowmere", "North West", 460, 0.18, 0.07,
                    extracts="variant", no_white_ftp=((2023, "children"),)),
    SampleAuthority("Juniper Coast", "juniper-coast", "South", 950, 0.07, 0.02),
    SampleAuthority("Kestrel Bay", "kestrel-bay", "South", 1600, 0.15, 0.12, broad_groups=True),
    SampleAuthority("Larkspur Vale", "larkspur-vale", "East", 580, 0.26, 0.09,
                    broad_groups=True, extracts="ons"),
    SampleAuthority("Marrowfield", "marrowfield", "London", 2700, 0.52, 0.11, broad_groups=True),
)
#: Slug of the smallest sample authority, the one the tests use.
TEST_AUTHORITY = "fernleigh-downs"


def sample_authorities(count: int = len(AUTHORITIES), *, seed: int = 2023
                       ) -> tuple[SampleAuthority, ...]:
    """The first ``count`` sample authorities: the twelve above, then invented ones.

    Beyond twelve, authorities come from `wres.inputs.fictitious` (regions,
    sizes and ethnicity mixes spread as councils' are); they ship no HR extracts.
    """
    if count < 1:
        raise ValueError(f"the number of authorities must be at least 1, got {count}")
    if count <= len(AUTHORITIES):
        return AUTHORITIES[:count]
    extra = fictitious_authorities(count - len(AUTHORITIES), seed=seed,
                                   taken={a.name for a in AUTHORITIES})
    return AUTHORITIES + tuple(
        SampleAuthority(a.name, safe_slug(a.name), a.region, a.staff, a.minority_share,
                        a.unknown_share, broad_groups=a.broad_groups)
        for a in extra
    )


def generate_sample(
    *, data_dir: Path, params_dir: Path, seed: int = 2023, only: Sequence[str] | None = None,
    authorities: int = len(AUTHORITIES), years: Sequence[int] = YEARS,
) -> list[Path]:
    """Write counts files, HR extracts and params files for the sample authorities.

    Parameters
    ----------
    data_dir : Path
        Receives ``<slug>.csv`` counts files and ``extracts/<slug>/<year>/*.csv``.
    params_dir : Path
        Receives ``<slug>.yaml``, whose ``data`` path is relative to the params file.
    seed : int
        Same seed, same bytes. Each authority draws from its own stream, so
        its files do not depend on which other authorities are generated.
    only : sequence of str, optional
        Slugs of the authorities to generate; all of them by default.
    authorities : int
        How many authorities (see :func:`sample_authorities`); 12, the shipped
        sample, by default.
    years : sequence of int
        Reporting years; 2022-2024 by default. The default arguments write
        exactly the shipped sample.

    Returns
    -------
    list of Path
        Every file written, in order.
    """
    data_dir, params_dir = Path(data_dir), Path(params_dir)
    ethnicity_map = load_ethnicity_map()
    written: list[Path] = []
    years = tuple(sorted({int(y) for y in years}))
    if not years:
        raise ValueError("at least one year is needed")
    for index, authority in enumerate(sample_authorities(authorities, seed=seed)):
        if only is not None and authority.slug not in only:
            continue
        rng = np.random.default_rng([seed, index])
        effects = _authority_effects(rng)
        parts = []
        for year in years:
            extracts = _simulate_year(rng, authority, year, effects)
            if authority.extracts is not None:
                folder = data_dir / "extracts" / authority.slug / str(year)
                for name, frame in extracts.items():
                    written.append(write_csv_atomic(frame, folder / f"{name}.csv"))
            counts = aggregate_extracts(
                authority=authority.name, year=year, ethnicity_map=ethnicity_map,
                broad_groups=authority.broad_groups, **extracts,
            )
            omitted = authority.omit.get(year, ())
            parts.append(counts[~counts["indicator"].isin(omitted)])
        counts_path = data_dir / f"{authority.slug}.csv"
        counts = pd.concat(parts, ignore_index=True)
        written.append(write_csv_atomic(counts, counts_path))
        written.append(_write_params(authority, counts_path, params_dir, years))
    return written


def _authority_effects(rng: np.random.Generator) -> dict[str, tuple[float, float]]:
    """Authority-level multipliers of the white rate and of the relative likelihood."""
    return {
        outcome: (float(np.exp(rng.normal(0, 0.25))), float(np.exp(rng.normal(0, 0.2))))
        for outcome in OUTCOMES
    }


def _rates(effects: dict[str, tuple[float, float]], rng: np.random.Generator
           ) -> dict[str, dict[str, float]]:
    """This year's probability of each outcome for white, minority and unknown staff."""
    rates: dict[str, dict[str, float]] = {}
    for outcome, (white, ratio) in OUTCOMES.items():
        base, rl = effects[outcome]
        year = float(np.exp(rng.normal(0, 0.08)))
        p_white = min(white * base * year, 0.9)
        p_minority = min(p_white * ratio * rl, 0.95)
        rates[outcome] = {"white": p_white, "minority": p_minority,
                          "unknown": min((p_white + p_minority) / 2, 0.95)}
    return rates


def _simulate_year(
    rng: np.random.Generator, authority: SampleAuthority, year: int,
    effects: dict[str, tuple[float, float]],
) -> dict[str, pd.DataFrame]:
    """Staff, recruitment and experience extracts for one authority and year."""
    rates = _rates(effects, rng)
    staff, applicants, respondents = [], [], []
    growth = 1 + 0.03 * (year - YEARS[0])
    for service, share in zip(SERVICES, (0.55, 0.45), strict=True):
        n = int(round(authority.staff * share * growth * float(rng.uniform(0.95, 1.05))))
        people = _people(rng, n, authority.minority_share, authority.unknown_share)
        people["service"] = (_SERVICE_LABELS[service] if authority.extracts == "variant"
                             else service)
        staff.append(_staff_outcomes(rng, people, rates,
                                     (year, service) in authority.no_white_ftp))
        shortlisted = _people(rng, int(n * 0.6), min(authority.minority_share * 1.4, 0.8),
                              authority.unknown_share)
        shortlisted["service"] = people["service"].iloc[0]
        shortlisted["appointed"] = _draw(rng, shortlisted["group"], rates["appointed"])
        applicants.append(shortlisted)
        surveyed = people.sample(frac=float(rng.uniform(0.35, 0.55)), random_state=rng)
        surveyed = surveyed.loc[:, ["label", "group", "service"]].sort_index()
        for outcome in ("harassment_public", "harassment_colleague", "harassment_manager"):
            surveyed[outcome] = _draw(rng, surveyed["group"], rates[outcome])
        respondents.append(surveyed)
    staff_frame = pd.concat(staff, ignore_index=True)
    staff_frame.insert(0, "id", [f"E{year % 100:02d}{i:05d}"
                                 for i in range(1, len(staff_frame) + 1)])
    style = _STYLES.get(authority.extracts or "ons", 0)
    return {
        "staff": _extract(staff_frame, style, ["id", "ethnicity", "service", "pay_band",
                                               "senior_manager", "regulated_professional",
                                               "left_in_period", "formal_disciplinary",
                                               "fitness_to_practise", "funded_cpd"]),
        "recruitment": _extract(pd.concat(applicants, ignore_index=True), style,
                                ["ethnicity", "service", "appointed"]),
        "experience": _extract(pd.concat(respondents, ignore_index=True), style,
                               ["ethnicity", "service", "harassment_public",
                                "harassment_colleague", "harassment_manager"]),
    }


def _people(rng: np.random.Generator, n: int, minority: float, unknown: float) -> pd.DataFrame:
    """``n`` people with an ethnicity label (index into the label tables) and group."""
    share = minority * float(rng.uniform(0.9, 1.1))
    group = rng.choice(["white", "minority", "unknown"], size=n,
                       p=[1 - share - unknown, share, unknown])
    label = np.zeros(n, dtype=int)
    offset = 0
    for name, table in (("white", _WHITE_LABELS), ("minority", _MINORITY_LABELS),
                        ("unknown", _UNKNOWN_LABELS)):
        chosen = group == name
        weights = np.array([row[3] for row in table])
        label[chosen] = offset + rng.choice(len(table), size=int(chosen.sum()),
                                            p=weights / weights.sum())
        offset += len(table)
    return pd.DataFrame({"label": label, "group": group})


def _draw(rng: np.random.Generator, groups: pd.Series, rates: dict[str, float]) -> np.ndarray:
    p = groups.map(rates).to_numpy(dtype=float)
    return rng.random(len(p)) < p


def _staff_outcomes(
    rng: np.random.Generator, people: pd.DataFrame, rates: dict[str, dict[str, float]],
    no_white_ftp: bool,
) -> pd.DataFrame:
    n = len(people)
    band_group = people["group"].where(people["group"] == "white", "minority")
    band = np.empty(n, dtype=object)
    for name, shares in BAND_SHARES.items():
        chosen = (band_group == name).to_numpy()
        band[chosen] = rng.choice(PAY_BANDS, size=int(chosen.sum()), p=shares)
    people = people.assign(pay_band=band)
    people["senior_manager"] = (band == PAY_BANDS[-1]) & (rng.random(n) < SENIOR_IN_TOP_BAND)
    people["regulated_professional"] = rng.random(n) < REGULATED_SHARE
    for outcome in ("left_in_period", "formal_disciplinary", "fitness_to_practise", "funded_cpd"):
        people[outcome] = _draw(rng, people["group"], rates[outcome])
    people["fitness_to_practise"] &= people["regulated_professional"]
    if no_white_ftp:
        people.loc[people["group"] == "white", "fitness_to_practise"] = False
        regulated_minority = people.index[(people["group"] == "minority")
                                          & people["regulated_professional"]]
        people.loc[regulated_minority[:1], "fitness_to_practise"] = True
    return people


def _extract(people: pd.DataFrame, style: int, columns: list[str]) -> pd.DataFrame:
    """People as an HR system would export them: labels in the authority's style, yes/no."""
    labels = (*_WHITE_LABELS, *_MINORITY_LABELS, *_UNKNOWN_LABELS)
    out = people.assign(ethnicity=[labels[i][style] for i in people["label"]])
    out = out.loc[:, columns].copy()
    for column in columns:
        if out[column].dtype == bool:
            out[column] = np.where(out[column], "yes", "no")
    if "fitness_to_practise" in out:
        out.loc[~people["regulated_professional"], "fitness_to_practise"] = ""
    return out


def _write_params(authority: SampleAuthority, counts_path: Path, params_dir: Path,
                  years: Sequence[int]) -> Path:
    data = Path(os.path.relpath(counts_path.resolve(), params_dir.resolve())).as_posix()
    params = {
        "authority": authority.name,
        "slug": authority.slug,
        "region": authority.region,
        "years": list(years),
        "data": data,
        "pay_bands": list(PAY_BANDS),
        "services": list(SERVICES),
    }
    text = yaml.safe_dump(params, sort_keys=False, allow_unicode=True)
    return write_text_atomic(params_dir / f"{authority.slug}.yaml", text)
