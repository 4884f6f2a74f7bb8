"""The fictitious sample authorities: seeded, valid, and with the cases real data has."""

from pathlib import Path

import pandas as pd
import pytest
import yaml

from wres.analysis.disclosure import apply_disclosure
from wres.analysis.results import compute_results
from wres.cli import main
from wres.inputs.counts import read_counts
from wres.inputs.extracts import aggregate_extracts
from wres.inputs.fictitious import REGION_WEIGHTS
from wres.inputs.sample import (
    AUTHORITIES,
    TEST_AUTHORITY,
    YEARS,
    generate_sample,
    sample_authorities,
)

ROOT = Path(__file__).resolve().parents[1]
SAMPLE = ROOT / "data" / "sample"
PARAMS = ROOT / "params"
SMALL = ["fernleigh-downs", "cindermoor"]


def _bytes(folder: Path) -> dict[str, bytes]:
    return {str(p.relative_to(folder)): p.read_bytes() for p in sorted(folder.rglob("*"))
            if p.is_file()}


def test_the_same_seed_gives_byte_identical_files(tmp_path):
    first = generate_sample(data_dir=tmp_path / "a" / "data", params_dir=tmp_path / "a" / "p",
                            only=SMALL)
    generate_sample(data_dir=tmp_path / "b" / "data", params_dir=tmp_path / "b" / "p",
                    only=SMALL)
    assert len(first) == 3 * 3 + 2 * 2  # one authority's extracts, 2 counts, 2 params
    assert _bytes(tmp_path / "a") == _bytes(tmp_path / "b")
    other = generate_sample(data_dir=tmp_path / "c" / "data", params_dir=tmp_path / "c" / "p",
                            only=SMALL, seed=7)
    assert other[-2].read_bytes() != first[-2].read_bytes()


def test_the_shipped_sample_is_what_the_generator_writes(tmp_path):
    generate_sample(data_dir=tmp_path / "data", params_dir=tmp_path / "params",
                    only=[TEST_AUTHORITY])
    shipped = (SAMPLE / f"{TEST_AUTHORITY}.csv").read_bytes()
    assert (tmp_path / "data" / f"{TEST_AUTHORITY}.csv").read_bytes() == shipped


def test_twelve_authorities_with_params_pointing_at_valid_counts():
    assert len(AUTHORITIES) >= 12
    for authority in AUTHORITIES:
        params = yaml.safe_load((PARAMS / f"{authority.slug}.yaml").read_text())
        assert params["authority"] == authority.name and params["slug"] == authority.slug
        assert params["years"] == list(YEARS) and params["services"] == ["adults", "children"]
        data = (PARAMS / params["data"]).resolve()
        assert data == (SAMPLE / f"{authority.slug}.csv").resolve()
    counts = read_counts(sorted(SAMPLE.glob("*.csv")))
    assert counts["authority"].nunique() == len(AUTHORITIES)
    staff = counts[(counts["indicator"] == 3) & ~counts["derived"]]
    sizes = staff.groupby(["authority", "year"])["denominator"].sum()
    assert sizes.min() >= 300 and sizes.max() <= 3300


def test_the_sample_stays_small():
    total = sum(p.stat().st_size for p in SAMPLE.rglob("*") if p.is_file())
    assert total < 2_000_000


@pytest.mark.parametrize("slug", [a.slug for a in AUTHORITIES if a.extracts])
def test_counts_of_extract_authorities_agree_with_their_extracts(slug):
    authority = next(a for a in AUTHORITIES if a.slug == slug)
    counts = read_counts([SAMPLE / f"{slug}.csv"])
    counts = counts[~counts["derived"]].drop(columns="derived")
    for year in YEARS:
        folder = SAMPLE / "extracts" / slug / str(year)
        made = aggregate_extracts(authority=authority.name, year=year,
                                  broad_groups=authority.broad_groups,
                                  **{n: folder / f"{n}.csv" for n in
                                     ("staff", "recruitment", "experience")})
        given = counts[counts["year"] == year].reset_index(drop=True)
        pd.testing.assert_frame_equal(given, made, check_dtype=False)


def test_the_special_cases_are_in_the_sample():
    counts = read_counts(sorted(SAMPLE.glob("*.csv")))
    given = counts.groupby(["authority", "year"])["indicator"].unique()
    assert 4 not in given[("Dovecote Fields", 2023)] and 4 in given[("Dovecote Fields", 2022)]
    assert all(6 not in given[("Eastmarsh", y)] for y in YEARS)
    broad = set(counts.loc[counts["ethnic_group"] == "asian", "authority"])
    assert broad == {a.name for a in AUTHORITIES if a.broad_groups}
    staff = counts[(counts["indicator"] == 3)]
    share = staff.pivot_table(index="authority", columns="ethnic_group", values="denominator",
                              aggfunc="sum")
    total = share["white"] + share["minority"] + share["unknown"]
    assert share.loc["Cindermoor", "minority"] / total["Cindermoor"] < 0.05
    assert (share["unknown"] / total).between(0.02, 0.15).all()
    results = compute_results(counts[counts["authority"] == "Hollowmere"])
    ftp = results[(results["year"] == 2023) & (results["indicator"] == 4)
                  & (results["service"] == "children") & (results["group"] == "minority")]
    assert ftp["status"].tolist() == ["not_computable: no events in the reference group"]


# --- any number of authorities (`wres sample --authorities N --years ...`) -------------------


def test_more_authorities_keep_the_twelve_and_add_invented_ones_spread_as_councils_are(tmp_path):
    authorities = sample_authorities(153)
    assert authorities[:12] == AUTHORITIES
    assert len({a.slug for a in authorities}) == len({a.name for a in authorities}) == 153
    added = authorities[12:]
    assert {a.region for a in added} == set(REGION_WEIGHTS)
    london = [a.minority_share for a in added if a.region == "London"]
    elsewhere = [a.minority_share for a in added if a.region != "London"]
    assert sum(london) / len(london) > 2 * sum(elsewhere) / len(elsewhere)
    sizes = sorted(a.staff for a in added)
    assert sizes[0] < 400 and sizes[-1] > 4000  # small ones where suppression matters
    assert sample_authorities(5) == AUTHORITIES[:5]
    with pytest.raises(ValueError, match="at least 1"):
        sample_authorities(0)


def test_sample_command_writes_n_authorities_for_the_years_asked(tmp_path):
    status = main(["sample", "--authorities", "15", "--years", "2024",
                   "--data-dir", str(tmp_path / "data"), "--params-dir", str(tmp_path / "p")])
    assert status == 0
    params = [yaml.safe_load(p.read_text()) for p in sorted((tmp_path / "p").glob("*.yaml"))]
    assert len(params) == 15 and all(p["years"] == [2024] for p in params)
    counts = read_counts(sorted((tmp_path / "data").glob("*.csv")))
    assert counts["authority"].nunique() == 15 and set(counts["year"]) == {2024}
    published = apply_disclosure(compute_results(counts))
    assert (published["numerator"].astype(str) == "[c]").any()  # suppression matters
