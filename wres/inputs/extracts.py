"""HR extracts (one row per person) turned into the counts format.

Three extracts feed SC-WRES: the staff list (indicators 1, 3, 4, 5, 8, 9),
shortlisted applicants (2) and the staff experience survey (6, 7). Each
person's recorded ethnicity goes through the ethnicity map; identifiers are
checked for repeats and then dropped, so they never reach an output. Every
problem in every extract is collected and raised together.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path
from typing import TypeAlias

import numpy as np
import pandas as pd

from wres.core.csv_safety import read_csv
from wres.core.indicators import MINORITY, WHITE
from wres.inputs.ethnicity import EthnicityMap, load_ethnicity_map, map_ethnicity
from wres.inputs.validation import COUNT_COLUMNS, Problem, ValidationError

Extract: TypeAlias = Path | str | pd.DataFrame

_TRUE = {"yes", "y", "true", "t", "1"}
_FALSE = {"no", "n", "false", "f", "0"}
_BOOLEAN = "yes or no (also accepted: true/false, 1/0, Y/N)"
_GROUP_ORDER = (WHITE, MINORITY, "asian", "black", "mixed", "other", "unknown")


@dataclass(frozen=True)
class _Spec:
    """Columns of one extract: always required, and the optional yes/no outcome columns."""

    name: str
    required: tuple[str, ...]
    flags: tuple[str, ...]


STAFF = _Spec(
    "staff",
    ("id", "ethnicity", "service"),
    ("senior_manager", "regulated_professional", "left_in_period", "formal_disciplinary",
     "fitness_to_practise", "funded_cpd"),
)
RECRUITMENT = _Spec("recruitment", ("ethnicity", "service", "appointed"), ())
EXPERIENCE = _Spec(
    "experience",
    ("ethnicity", "service"),
    ("harassment_public", "harassment_colleague", "harassment_manager"),
)

#: (indicator, measure, outcome column) counted over all staff in post.
_STAFF_MEASURES = (
    (3, "disciplinary", "formal_disciplinary"),
    (5, "cpd", "funded_cpd"),
    (8, "leavers", "left_in_period"),
    (9, "senior_managers", "senior_manager"),
)
_EXPERIENCE_MEASURES = (
    (6, "public", "harassment_public"),
    (7, "colleagues", "harassment_colleague"),
    (7, "managers", "harassment_manager"),
)


def aggregate_extracts(
    *,
    authority: str,
    year: int,
    staff: Extract | None = None,
    recruitment: Extract | None = None,
    experience: Extract | None = None,
    ethnicity_map: Path | str | EthnicityMap | None = None,
    broad_groups: bool = True,
) -> pd.DataFrame:
    """Count HR extracts into the counts format for one authority and year.

    Parameters
    ----------
    authority : str
    year : int
    staff, recruitment, experience : path or DataFrame, optional
        One row per employee, shortlisted applicant and survey respondent.
        Outcome columns hold yes/no; staff outcome columns other than
        ``id, ethnicity, service`` are optional and an absent one leaves its
        indicator out.
    ethnicity_map : path or EthnicityMap, optional
        Defaults to ``params/ethnicity_map.csv``.
    broad_groups : bool
        Give asian, black, mixed and other rather than minority, when the map
        has a broad group for every minority label.

    Returns
    -------
    DataFrame
        Columns ``authority,year,service,indicator,measure,ethnic_group,denominator,numerator``,
        with a row (zero numerators included) for every group present in each service.

    Raises
    ------
    ValidationError
        Every problem found in every extract: missing columns, blank or
        invalid yes/no values, repeated ids, unmapped ethnicity labels.
    """
    if not isinstance(ethnicity_map, EthnicityMap):
        ethnicity_map = load_ethnicity_map(ethnicity_map)
    use_broad = broad_groups and ethnicity_map.has_broad_groups
    problems: list[Problem] = []
    people: dict[str, pd.DataFrame] = {}
    for spec, source in ((STAFF, staff), (RECRUITMENT, recruitment), (EXPERIENCE, experience)):
        if source is None:
            continue
        frame, found = _read_extract(source, spec, ethnicity_map, use_broad)
        problems += found
        if frame is not None:
            people[spec.name] = frame
    if problems:
        raise ValidationError(problems)
    parts = []
    if "staff" in people:
        parts += _staff_counts(people["staff"])
    if "recruitment" in people:
        parts.append(_counts(people["recruitment"], 2, "appointed", "appointed"))
    if "experience" in people:
        respondents = people["experience"]
        parts += [_counts(respondents, n, m, c) for n, m, c in _EXPERIENCE_MEASURES
                  if c in respondents]
    if not parts:
        return pd.DataFrame({c: pd.Series(dtype="int64" if c in ("year", "indicator",
                             "denominator", "numerator") else "str") for c in COUNT_COLUMNS})
    counts = pd.concat(parts, ignore_index=True)
    counts.insert(0, "authority", authority)
    counts.insert(1, "year", int(year))
    return _ordered(counts)


def _read_extract(
    source: Extract, spec: _Spec, ethnicity_map: EthnicityMap, use_broad: bool
) -> tuple[pd.DataFrame | None, list[Problem]]:
    """One extract as tidy people (service, group, outcomes) and its problems."""
    if isinstance(source, pd.DataFrame):
        file, raw = f"<{spec.name} extract>", source.astype("object")
    else:
        file, raw = str(source), _read_table(Path(source))
    text = pd.DataFrame({_column_name(c): raw[c].map(_text) for c in raw.columns})
    rows = list(range(2, len(text) + 2))
    missing = [c for c in spec.required if c not in text.columns]
    problems = [Problem(file, 1, c, None, f"a column named '{c}' — it is missing")
                for c in missing]
    if spec is STAFF and "fitness_to_practise" in text and "regulated_professional" not in text:
        problems.append(Problem(file, 1, "regulated_professional", None,
                                "a column named 'regulated_professional' — fitness to "
                                "practise is counted among regulated professionals"))
    if problems:
        return None, problems
    people = pd.DataFrame(index=text.index)
    people["service"], found = _services(text["service"], file)
    problems += found
    try:
        groups = map_ethnicity(text["ethnicity"], ethnicity_map, file=file, rows=rows)
    except ValidationError as error:
        problems += error.problems
    else:
        people["group"] = groups["broad_group" if use_broad else "group"]
    flags = [c for c in (*spec.required, *spec.flags)
             if c in text and c not in ("id", "ethnicity", "service")]
    for column in flags:
        blank_ok = None
        if column == "fitness_to_practise" and "regulated_professional" in people:
            blank_ok = ~people["regulated_professional"]
        people[column], found = _flags(text[column], file, column, blank_ok)
        problems += found
    if spec is STAFF:
        problems += _repeated_ids(text["id"], file)
        if "pay_band" in text:
            people["pay_band"] = text["pay_band"]
            blank = (text["pay_band"] == "").to_numpy()
            problems += [Problem(file, rows[i], "pay_band", None, "a pay band — it is blank")
                         for i in np.flatnonzero(blank)]
        if "fitness_to_practise" in people and "regulated_professional" in people:
            problems += _fitness_to_practise(people, text, file)
    return people, problems


def _read_table(path: Path) -> pd.DataFrame:
    if path.suffix.lower() in (".xlsx", ".xlsm", ".xls"):
        return pd.read_excel(path, dtype=str).fillna("").astype("object")
    return read_csv(path, dtype=str, keep_default_na=False).astype("object")  # unquoted


def _column_name(name: object) -> str:
    return re.sub(r"[^0-9a-z]+", "_", str(name).strip().lower()).strip("_")


def _text(value: object) -> str:
    if value is None or (isinstance(value, float) and value != value) or value is pd.NA:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value).strip()


def _services(values: pd.Series, file: str) -> tuple[pd.Series, list[Problem]]:
    """``adults``/``children`` from "Adult Social Care", "Children's Services" and the like."""
    words = values.str.lower().str.replace(r"[^0-9a-z]+", " ", regex=True).str.strip()
    service = words.str.replace(" ", "_")
    service = service.mask(words.str.startswith("adult"), "adults")
    service = service.mask(words.str.startswith("child"), "children")
    bad = (service == "") | (service == "all")
    problems = [
        Problem(file, int(i) + 2, "service", values.iloc[i] or None,
                "a service such as adults or children ('all' is computed, never entered)")
        for i in np.flatnonzero(bad.to_numpy())
    ]
    return service, problems


def _flags(
    values: pd.Series, file: str, column: str, blank_ok: pd.Series | None = None
) -> tuple[pd.Series, list[Problem]]:
    """Yes/no values as booleans; a blank counts as no where ``blank_ok`` says so."""
    lowered = values.str.lower().str.replace(r"\.0+$", "", regex=True)
    flags = lowered.isin(_TRUE)
    valid = flags | lowered.isin(_FALSE)
    if blank_ok is not None:
        valid = valid | ((lowered == "") & blank_ok)
    problems = [Problem(file, int(i) + 2, column, values.iloc[i] or None, _BOOLEAN)
                for i in np.flatnonzero(~valid.to_numpy())]
    return flags.astype(bool), problems


def _fitness_to_practise(
    people: pd.DataFrame, text: pd.DataFrame, file: str
) -> list[Problem]:
    """Only regulated professionals enter fitness to practise proceedings."""
    wrong = people["fitness_to_practise"] & ~people["regulated_professional"]
    return [
        Problem(file, int(i) + 2, "fitness_to_practise", text["fitness_to_practise"].iloc[i],
                "no or blank — only regulated professionals enter fitness to practise "
                "proceedings and regulated_professional is no on this row")
        for i in np.flatnonzero(wrong.to_numpy())
    ]


def _repeated_ids(ids: pd.Series, file: str) -> list[Problem]:
    first: dict[str, int] = {}
    problems = []
    for i, value in enumerate(ids.tolist()):
        if value == "":
            problems.append(Problem(file, i + 2, "id", None, "an employee id — it is blank"))
        elif value in first:
            problems.append(Problem(file, i + 2, "id", value, "each employee once — this id "
                                    f"is already on row {first[value]}"))
        else:
            first[value] = i + 2
    return problems


def _cells(people: pd.DataFrame) -> pd.MultiIndex:
    """Every (service, group) with people in it, plus white in every service."""
    present = set(people.groupby(["service", "group"]).size().index)
    present |= {(service, WHITE) for service in people["service"].unique()}
    return pd.MultiIndex.from_tuples(sorted(present), names=["service", "group"])


def _counts(
    people: pd.DataFrame, indicator: int, measure: str, column: str, base: str | None = None
) -> pd.DataFrame:
    """Numerator (``column`` is yes) over denominator (everyone, or those with ``base``)."""
    counted = people if base is None else people[people[base]]
    keys = [counted["service"], counted["group"]]
    cells = _cells(people)
    out = pd.DataFrame({
        "denominator": counted.groupby(keys).size().reindex(cells, fill_value=0),
        "numerator": counted[column].groupby(keys).sum().reindex(cells, fill_value=0),
    })
    out = out.reset_index().rename(columns={"group": "ethnic_group"})
    out.insert(1, "indicator", indicator)
    out.insert(2, "measure", measure)
    return out


def _staff_counts(staff: pd.DataFrame) -> list[pd.DataFrame]:
    parts = []
    if "pay_band" in staff:
        parts.append(_pay_band_counts(staff))
    parts += [_counts(staff, n, m, c) for n, m, c in _STAFF_MEASURES if c in staff]
    if "fitness_to_practise" in staff:
        parts.append(_counts(staff, 4, "fitness_to_practise", "fitness_to_practise",
                             base="regulated_professional"))
    return parts


def _pay_band_counts(staff: pd.DataFrame) -> pd.DataFrame:
    """Indicator 1: staff in each pay band over staff in post, every band for every group."""
    bands = sorted(staff["pay_band"].unique(), key=_natural_key)
    cells = _cells(staff)
    in_post = staff.groupby(["service", "group"]).size().reindex(cells, fill_value=0)
    in_band = staff.groupby(["service", "group", "pay_band"]).size()
    rows = [
        (service, 1, band, group, int(in_post[(service, group)]),
         int(in_band.get((service, group, band), 0)))
        for service, group in cells
        for band in bands
    ]
    return pd.DataFrame(rows, columns=["service", "indicator", "measure", "ethnic_group",
                                       "denominator", "numerator"])


def _natural_key(label: str) -> list[object]:
    return [int(p) if p.isdigit() else p.lower() for p in re.split(r"(\d+)", label)]


def _ordered(counts: pd.DataFrame) -> pd.DataFrame:
    counts = counts.loc[:, list(COUNT_COLUMNS)].copy()
    for name in ("year", "indicator", "denominator", "numerator"):
        counts[name] = counts[name].astype("int64")
    rank = {g: i for i, g in enumerate(_GROUP_ORDER)}
    band_order = {m: i for i, m in enumerate(counts["measure"].drop_duplicates())}
    counts = counts.sort_values(
        ["service", "indicator", "measure", "ethnic_group"],
        key=lambda s: s.map(rank) if s.name == "ethnic_group"
        else s.map(band_order) if s.name == "measure" else s,
        kind="stable",
    )
    return counts.reset_index(drop=True)
