"""The ethnicity map: ONS 2021 categories, codes and variants to SC-WRES groups."""

import pandas as pd
import pytest

from wres.inputs.ethnicity import classify, load_ethnicity_map, map_ethnicity, normalise_label
from wres.inputs.validation import ValidationError

MAP = load_ethnicity_map()


@pytest.mark.parametrize(
    ("label", "expected"),
    [
        ("White: English, Welsh, Scottish, Northern Irish or British", ("white", "white")),
        ("White - British", ("white", "white")),
        ("white british", ("white", "white")),
        ("White: Irish", ("white", "white")),
        ("Gypsy/Irish Traveller", ("white", "white")),
        ("White: Roma", ("white", "white")),
        ("White - Any other White background", ("white", "white")),
        ("Asian/Asian British: Indian", ("asian", "minority")),
        ("Indian (Asian or Asian British)", ("asian", "minority")),
        ("Asian, Asian British or Asian Welsh: Chinese", ("asian", "minority")),
        ("Black or Black British - Caribbean", ("black", "minority")),
        ("Mixed - White & Black African", ("mixed", "minority")),
        ("Other ethnic group: Arab", ("other", "minority")),
        ("  ANY other ethnic group ", ("other", "minority")),
        ("3", ("asian", "minority")),
        ("13.0", ("white", "white")),
        ("6", ("black", "minority")),
        ("H", ("asian", "minority")),
        ("N", ("black", "minority")),
        ("C", ("white", "white")),
        ("", ("unknown", "unknown")),
        ("Not stated", ("unknown", "unknown")),
        ("prefer not to say", ("unknown", "unknown")),
        ("Not known", ("unknown", "unknown")),
        ("Z", ("unknown", "unknown")),
    ],
)
def test_labels_codes_and_variants_map_to_broad_group_and_group(label, expected):
    assert classify(label, MAP) == expected


def test_white_minorities_count_as_white_because_sc_wres_compares_non_white_with_white():
    for label in ("Irish", "Gypsy or Irish Traveller", "Roma", "Other White"):
        assert classify(label, MAP)[1] == "white"


def test_an_ambiguous_other_is_not_guessed():
    assert classify("Other", MAP) is None
    assert classify("Martian", MAP) is None


def test_the_nineteen_ons_codes_cover_every_broad_group():
    groups = [classify(str(code), MAP)[0] for code in range(1, 20)]
    assert groups == ["asian"] * 5 + ["black"] * 3 + ["mixed"] * 4 + ["white"] * 5 + ["other"] * 2


def test_normalising_ignores_case_punctuation_and_filler():
    assert normalise_label(" White - Any other White background ") == "white other white"
    assert normalise_label("Mixed: White & Asian") == "mixed white and asian"


def test_every_unmapped_label_is_reported_at_once_with_all_its_rows():
    labels = pd.Series(["White British", "Martian", "Indian", "Martian", "Venusian"])
    with pytest.raises(ValidationError) as caught:
        map_ethnicity(labels, MAP, file="staff.csv")
    problems = caught.value.problems
    assert [(p.value, p.row) for p in problems] == [("Martian", 3), ("Venusian", 6)]
    assert "rows 3, 5" in problems[0].expected


def test_a_map_without_broad_groups_gives_white_minority_unknown(tmp_path):
    path = tmp_path / "map.csv"
    path.write_text("label,group\nWhite British,white\nIndian,minority\nNot stated,unknown\n")
    plain = load_ethnicity_map(path)
    assert not plain.has_broad_groups
    mapped = map_ethnicity(pd.Series(["Indian", "White British", ""]), plain, file="x")
    assert mapped["group"].tolist() == ["minority", "white", "unknown"]


def test_a_map_with_a_white_label_in_a_minority_broad_group_is_refused(tmp_path):
    path = tmp_path / "map.csv"
    path.write_text("label,broad_group,group\nIrish,asian,white\n")
    with pytest.raises(ValidationError) as caught:
        load_ethnicity_map(path)
    assert caught.value.problems[0].row == 2
