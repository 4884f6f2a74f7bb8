"""Ethnicity as recorded by HR, mapped to the groups SC-WRES compares.

HR systems record ethnicity as ONS 2021 Census categories, as ONS output
codes 1-19, as NHS letter codes or as local variants ("White - British",
"Asian/Asian British: Indian"). A table, ``wres/data/ethnicity_map.csv``, maps
each label to a broad group (white, asian, black, mixed, other, unknown) and
to the SC-WRES group (white, minority, unknown). White minorities (Irish,
Gypsy or Irish Traveller, Roma, Other White) count as white: SC-WRES compares
minority ethnic (non-white) staff with white staff. Matching ignores case,
spacing and punctuation, and understands "Section: category" and
"category (Section)" forms. A label the table does not know is an error.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from wres.core.indicators import BROAD_GROUPS, MINORITY, UNKNOWN, WHITE
from wres.core.paths import ETHNICITY_MAP
from wres.inputs.validation import Problem, ValidationError

#: The ethnicity map shipped with the workbook.
DEFAULT_MAP_PATH = ETHNICITY_MAP

_GROUPS = (WHITE, MINORITY, UNKNOWN)
_BROAD = (WHITE, *BROAD_GROUPS, UNKNOWN)
_FILLER = {"any", "background", "or"}
_SECTIONS = {WHITE, *BROAD_GROUPS}
_SEPARATOR = re.compile(r"\s*(?::|\s[-\u2013\u2014]\s)\s*")
_BRACKETED = re.compile(r"^(.*?)\s*\((.*)\)\s*$")
_BLANKS = {"", "nan", "none", "null", "n/a", "na"}


@dataclass(frozen=True)
class EthnicityMap:
    """Normalised label -> (broad group, SC-WRES group).

    Attributes
    ----------
    labels : dict
        Normalised label to ``(broad_group, group)``; ``broad_group`` is empty
        when the map gives none.
    has_broad_groups : bool
        True when every minority label has a broad group, so counts can be
        given for asian, black, mixed and other rather than minority.
    source : str
        Where the map came from, for error messages.
    """

    labels: dict[str, tuple[str, str]]
    has_broad_groups: bool
    source: str


def normalise_label(label: object) -> str:
    """Lower-case words of ``label`` without punctuation or filler ("any", "background", "or")."""
    text = "" if label is None or pd.isna(label) else str(label).strip()
    if re.fullmatch(r"\d+\.0*", text):
        text = text.split(".")[0]
    text = text.lower().replace("&", " and ")
    words = re.sub(r"[^0-9a-z]+", " ", text).split()
    return " ".join(w for w in words if w not in _FILLER)


def load_ethnicity_map(path: Path | str | None = None) -> EthnicityMap:
    """Read an ethnicity map CSV (``label,broad_group,group``; ``#`` starts a comment line).

    Raises
    ------
    ValidationError
        For unknown groups, white/unknown mismatches between the two columns,
        or a label given twice with different groups.
    """
    path = Path(path) if path is not None else DEFAULT_MAP_PATH
    table = pd.read_csv(path, dtype=str, keep_default_na=False, comment="#")
    table.columns = [str(c).strip().lower() for c in table.columns]
    file = str(path)
    problems = [
        Problem(file, 1, name, None, f"a column named '{name}' — it is missing")
        for name in ("label", "group")
        if name not in table.columns
    ]
    if problems:
        raise ValidationError(problems)
    if "broad_group" not in table.columns:
        table["broad_group"] = ""
    labels: dict[str, tuple[str, str]] = {}
    first_row: dict[str, int] = {}
    for position, row in enumerate(table.itertuples(index=False)):
        line = position + 2
        key = normalise_label(row.label)
        group = row.group.strip().lower()
        broad = row.broad_group.strip().lower()
        if group not in _GROUPS:
            problems.append(Problem(file, line, "group", row.group, "one of " + ", ".join(_GROUPS)))
            continue
        if broad and (broad not in _BROAD or _inconsistent(broad, group)):
            problems.append(
                Problem(file, line, "broad_group", row.broad_group,
                        "one of " + ", ".join(_BROAD) + " agreeing with the group "
                        f"'{group}' (white with white, unknown with unknown)")
            )
            continue
        mapped = (broad or (group if group != MINORITY else ""), group)
        if key in labels and labels[key] != mapped:
            problems.append(
                Problem(file, line, "label", row.label,
                        f"each label once — it matches row {first_row[key]} with other groups")
            )
            continue
        labels[key] = mapped
        first_row.setdefault(key, line)
    if problems:
        raise ValidationError(problems)
    has_broad = all(b for b, g in labels.values() if g == MINORITY)
    return EthnicityMap(labels, has_broad, file)


def _inconsistent(broad: str, group: str) -> bool:
    if group in (WHITE, UNKNOWN):
        return broad != group
    return broad not in BROAD_GROUPS


def classify(label: object, ethnicity_map: EthnicityMap) -> tuple[str, str] | None:
    """``(broad_group, group)`` for one recorded label, or None if the map does not know it.

    Blank labels are ``unknown``.
    """
    raw = "" if label is None or pd.isna(label) else str(label).strip()
    if raw.lower() in _BLANKS:
        return (UNKNOWN, UNKNOWN)
    labels = ethnicity_map.labels
    key = normalise_label(raw)
    if key in labels:
        return labels[key]
    split = _section_and_category(raw)
    if split is None:
        return None
    section, category = split
    for candidate in (f"{section} {category}", f"{category} {section}"):
        if candidate in labels:
            return labels[candidate]
    found = labels.get(category)
    if found is not None and found[0] == section:
        return found
    return None


def _section_and_category(raw: str) -> tuple[str, str] | None:
    """("asian", "indian") from "Asian/Asian British: Indian" or "Indian (Asian British)"."""
    bracketed = _BRACKETED.match(raw)
    if bracketed:
        category, prefix = bracketed.group(1), bracketed.group(2)
    else:
        parts = _SEPARATOR.split(raw)
        if len(parts) < 2:
            return None
        prefix, category = " ".join(parts[:-1]), parts[-1]
    words = normalise_label(prefix).split()
    if not words or words[0] not in _SECTIONS:
        return None
    return words[0], normalise_label(category)


def map_ethnicity(
    labels: pd.Series,
    ethnicity_map: EthnicityMap,
    *,
    file: str,
    column: str = "ethnicity",
    rows: Sequence[int] | None = None,
) -> pd.DataFrame:
    """Broad group and SC-WRES group for every label in ``labels``.

    Parameters
    ----------
    labels : Series
        Recorded ethnicity, one per person.
    ethnicity_map : EthnicityMap
    file, column : str
        Where the labels came from, for error messages.
    rows : sequence of int, optional
        Spreadsheet row of each label; by default position + 2 (header on row 1).

    Returns
    -------
    DataFrame
        Columns ``broad_group`` and ``group``, aligned with ``labels``.

    Raises
    ------
    ValidationError
        Listing every label the map does not know, each with all its rows.
    """
    rows = list(range(2, len(labels) + 2)) if rows is None else list(rows)
    cache: dict[str, tuple[str, str] | None] = {}
    broad, group = [], []
    unmapped: dict[str, list[int]] = {}
    for value, row in zip(labels.tolist(), rows, strict=True):
        text = "" if value is None or pd.isna(value) else str(value)
        if text not in cache:
            cache[text] = classify(text, ethnicity_map)
        found = cache[text]
        if found is None:
            unmapped.setdefault(text.strip(), []).append(row)
            found = ("", "")
        broad.append(found[0])
        group.append(found[1])
    if unmapped:
        raise ValidationError([
            Problem(file, where[0], column, label,
                    f"an ethnicity listed in {Path(ethnicity_map.source).name} (an ONS 2021 "
                    "category, code or known variant) — this label is on row"
                    f"{'s' if len(where) > 1 else ''} {', '.join(map(str, where))}; "
                    "add it to the map")
            for label, where in unmapped.items()
        ])
    return pd.DataFrame({"broad_group": broad, "group": group}, index=labels.index)
