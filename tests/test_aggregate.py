"""HR extracts counted into the counts format, checked against counts made by hand."""

import io

import pandas as pd
import pytest

from wres.inputs.extracts import aggregate_extracts
from wres.inputs.validation import COUNT_COLUMNS, ValidationError, validate_counts

STAFF = """\
id,ethnicity,service,pay_band,senior_manager,regulated_professional,left_in_period,\
formal_disciplinary,fitness_to_practise,funded_cpd
S1,White British,adults,Band 1,no,yes,no,yes,no,yes
S2,White - Irish,Adults,Band 2,yes,no,yes,no,,no
S3,Indian,adults,Band 1,N,Y,0,1,true,TRUE
S4,Black African,adults,Band 1,no,yes,yes,no,no,no
S5,Not stated,adults,Band 2,no,no,no,no,,yes
S6,White British,Children's Services,Band 2,no,yes,no,no,no,no
S7,Caribbean,children,Band 1,no,no,no,no,,no
S8,White British,children,Band 1,no,no,no,no,,yes
"""
RECRUITMENT = """ethnicity,service,appointed
White British,adults,yes
White British,adults,no
Pakistani,adults,no
Pakistani,adults,Y
Chinese,children,no
"""
EXPERIENCE = """ethnicity,service,harassment_public,harassment_colleague,harassment_manager
White British,adults,yes,no,no
Indian,adults,yes,yes,no
Indian,adults,no,no,yes
,adults,no,no,no
White British,children,no,yes,no
"""

# Counted by hand from the extracts above: (service, indicator, measure, group, den, num).
EXPECTED_MINORITY = [
    ("adults", 1, "Band 1", "white", 2, 1), ("adults", 1, "Band 1", "minority", 2, 2),
    ("adults", 1, "Band 1", "unknown", 1, 0), ("adults", 1, "Band 2", "white", 2, 1),
    ("adults", 1, "Band 2", "minority", 2, 0), ("adults", 1, "Band 2", "unknown", 1, 1),
    ("adults", 2, "appointed", "white", 2, 1), ("adults", 2, "appointed", "minority", 2, 1),
    ("adults", 3, "disciplinary", "white", 2, 1), ("adults", 3, "disciplinary", "minority", 2, 1),
    ("adults", 3, "disciplinary", "unknown", 1, 0),
    ("adults", 4, "fitness_to_practise", "white", 1, 0),
    ("adults", 4, "fitness_to_practise", "minority", 2, 1),
    ("adults", 4, "fitness_to_practise", "unknown", 0, 0),
    ("adults", 5, "cpd", "white", 2, 1), ("adults", 5, "cpd", "minority", 2, 1),
    ("adults", 5, "cpd", "unknown", 1, 1),
    ("adults", 6, "public", "white", 1, 1), ("adults", 6, "public", "minority", 2, 1),
    ("adults", 6, "public", "unknown", 1, 0),
    ("adults", 7, "colleagues", "white", 1, 0), ("adults", 7, "colleagues", "minority", 2, 1),
    ("adults", 7, "colleagues", "unknown", 1, 0),
    ("adults", 7, "managers", "white", 1, 0), ("adults", 7, "managers", "minority", 2, 1),
    ("adults", 7, "managers", "unknown", 1, 0),
    ("adults", 8, "leavers", "white", 2, 1), ("adults", 8, "leavers", "minority", 2, 1),
    ("adults", 8, "leavers", "unknown", 1, 0),
    ("adults", 9, "senior_managers", "white", 2, 1),
    ("adults", 9, "senior_managers", "minority", 2, 0),
    ("adults", 9, "senior_managers", "unknown", 1, 0),
    ("children", 1, "Band 1", "white", 2, 1), ("children", 1, "Band 1", "minority", 1, 1),
    ("children", 1, "Band 2", "white", 2, 1), ("children", 1, "Band 2", "minority", 1, 0),
    ("children", 2, "appointed", "white", 0, 0), ("children", 2, "appointed", "minority", 1, 0),
    ("children", 3, "disciplinary", "white", 2, 0),
    ("children", 3, "disciplinary", "minority", 1, 0),
    ("children", 4, "fitness_to_practise", "white", 1, 0),
    ("children", 4, "fitness_to_practise", "minority", 0, 0),
    ("children", 5, "cpd", "white", 2, 1), ("children", 5, "cpd", "minority", 1, 0),
    ("children", 6, "public", "white", 1, 0),
    ("children", 7, "colleagues", "white", 1, 1), ("children", 7, "managers", "white", 1, 0),
    ("children", 8, "leavers", "white", 2, 0), ("children", 8, "leavers", "minority", 1, 0),
    ("children", 9, "senior_managers", "white", 2, 0),
    ("children", 9, "senior_managers", "minority", 1, 0),
]


def _frame(text: str) -> pd.DataFrame:
    return pd.read_csv(io.StringIO(text), dtype=str, keep_default_na=False)


def _cells(counts: pd.DataFrame) -> list[tuple]:
    columns = ["service", "indicator", "measure", "ethnic_group", "denominator", "numerator"]
    return sorted(tuple(row) for row in counts[columns].itertuples(index=False))


def test_counts_match_the_hand_count_of_every_indicator(tmp_path):
    paths = {}
    for name, text in (("staff", STAFF), ("recruitment", RECRUITMENT),
                       ("experience", EXPERIENCE)):
        paths[name] = tmp_path / f"{name}.csv"
        paths[name].write_text(text)
    counts = aggregate_extracts(authority="Testshire", year=2023, broad_groups=False, **paths)
    assert list(counts.columns) == list(COUNT_COLUMNS)
    assert set(counts["authority"]) == {"Testshire"} and set(counts["year"]) == {2023}
    assert _cells(counts) == sorted(EXPECTED_MINORITY)
    assert validate_counts(counts, "aggregated") == []


def test_broad_groups_split_minority_into_asian_black_mixed_other():
    counts = aggregate_extracts(authority="T", year=2023, staff=_frame(STAFF))
    cpd = counts[(counts["indicator"] == 5) & (counts["service"] == "adults")]
    assert _cells(cpd) == sorted([
        ("adults", 5, "cpd", "white", 2, 1), ("adults", 5, "cpd", "asian", 1, 1),
        ("adults", 5, "cpd", "black", 1, 0), ("adults", 5, "cpd", "unknown", 1, 1),
    ])
    assert "minority" not in set(counts["ethnic_group"])


def test_identifiers_never_reach_the_counts():
    counts = aggregate_extracts(authority="T", year=2023, staff=_frame(STAFF))
    text = counts.to_csv(index=False)
    assert not any(f"S{i}" in text for i in range(1, 9))


def test_a_missing_staff_outcome_column_leaves_its_indicator_out():
    staff = _frame(STAFF).drop(columns=["funded_cpd"])
    counts = aggregate_extracts(authority="T", year=2023, staff=staff)
    assert sorted(counts["indicator"].unique()) == [1, 3, 4, 8, 9]


def test_every_problem_in_every_extract_is_reported_with_file_row_and_column(tmp_path):
    staff = _frame(STAFF)
    staff.loc[1, "funded_cpd"] = "maybe"
    staff.loc[3, "id"] = "S1"
    staff.loc[4, "fitness_to_practise"] = "yes"
    staff.loc[6, "ethnicity"] = "Martian"
    recruitment = tmp_path / "recruitment.csv"
    recruitment.write_text(RECRUITMENT.replace("Chinese,children,no", "Chinese,children,"))
    with pytest.raises(ValidationError) as caught:
        aggregate_extracts(authority="T", year=2023, staff=staff, recruitment=recruitment)
    found = {(p.file, p.row, p.column, p.value) for p in caught.value.problems}
    assert found == {
        ("<staff extract>", 3, "funded_cpd", "maybe"),
        ("<staff extract>", 5, "id", "S1"),
        ("<staff extract>", 6, "fitness_to_practise", "yes"),
        ("<staff extract>", 8, "ethnicity", "Martian"),
        (str(recruitment), 6, "appointed", None),
    }


def test_a_missing_required_column_is_named():
    with pytest.raises(ValidationError) as caught:
        aggregate_extracts(authority="T", year=2023, experience=_frame(EXPERIENCE).drop(
            columns=["service"]))
    assert [(p.row, p.column) for p in caught.value.problems] == [(1, "service")]
