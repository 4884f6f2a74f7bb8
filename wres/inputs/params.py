"""Authority params files: one YAML file per authority, checked when loaded.

A params file names the authority, the years to report and its counts file(s)
(paths or glob patterns relative to the params file), with optional ``slug``,
``region``, ``indicators``, ``pay_bands``, ``services`` and method options
(``ci_method``, ``rate_method``, ``confidence_level``, ``thresholds``,
``min_count`` and ``adjust``, the multiple-comparisons adjustment).
Everything that can be checked before a notebook starts is checked here, once
per file, and reported as one `ParamsError` naming the file and the key.
"""

from __future__ import annotations

import csv
import re
from collections.abc import Iterable, Iterator
from pathlib import Path

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from wres.core.adjustments import normalise_adjust
from wres.core.methods import normalise_method
from wres.core.paths import resolve_paths

INDICATOR_NUMBERS = tuple(range(1, 10))


class ParamsError(ValueError):
    """A params file that cannot be used, naming the file and the key at fault."""

    def __init__(self, path: Path | str, key: str | None, message: str) -> None:
        self.path, self.key, self.message = Path(path), key, message
        where = f"key '{key}': " if key else ""
        super().__init__(f"{path}: {where}{message}")


class AuthorityParams(BaseModel):
    """One authority's params file."""

    model_config = ConfigDict(extra="forbid")

    authority: str = Field(min_length=1)
    years: list[int] = Field(min_length=1)
    data: list[Path]
    slug: str | None = None
    region: str | None = None
    indicators: list[int] | None = None
    pay_bands: list[str] | None = None
    services: list[str] | None = None
    ci_method: str = "katz-log"
    rate_method: str = "wilson"
    confidence_level: float = Field(0.95, gt=0, lt=1)
    thresholds: tuple[float, float] = (0.80, 1.25)
    min_count: int = Field(5, ge=1)
    adjust: str = "none"
    source: Path | None = Field(default=None, exclude=True)

    @field_validator("data", mode="before")
    @classmethod
    def _as_list(cls, value: object) -> object:
        return [value] if isinstance(value, str | Path) else value

    @field_validator("ci_method")
    @classmethod
    def _ratio_method(cls, value: str) -> str:
        return normalise_method(value, "ratio")

    @field_validator("rate_method")
    @classmethod
    def _proportion_method(cls, value: str) -> str:
        return normalise_method(value, "proportion")

    @field_validator("adjust")
    @classmethod
    def _adjustment(cls, value: str) -> str:
        return normalise_adjust(value)

    @field_validator("indicators")
    @classmethod
    def _known_indicators(cls, value: list[int] | None) -> list[int] | None:
        wrong = [n for n in value or [] if n not in INDICATOR_NUMBERS]
        if wrong:
            raise ValueError(f"indicator {wrong[0]} is not one of 1-9")
        return value

    @property
    def safe_slug(self) -> str:
        """The output folder name: the given slug or the authority, made safe."""
        return safe_slug(self.slug or self.authority)

    def method_options(self) -> dict[str, object]:
        """Notebook parameters for the methods."""
        return {
            "ci_method": self.ci_method,
            "rate_method": self.rate_method,
            "confidence_level": self.confidence_level,
            "thresholds": list(self.thresholds),
            "min_count": self.min_count,
            "pay_bands": self.pay_bands,
            "adjust": self.adjust,
        }


def safe_slug(text: str) -> str:
    """A file-name-safe slug: lower-case letters, digits and single hyphens.

    ``../../etc`` becomes ``etc`` and ``Brighton & Hove "City"`` becomes
    ``brighton-hove-city``, so no authority name can point outside the output folder.
    """
    slug = re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")
    return slug[:80].strip("-") or "authority"


def load_params(path: Path) -> AuthorityParams:
    """Read and check a params file; data patterns become absolute file paths.

    Raises
    ------
    ParamsError
        Naming the file and each key that is wrong: not YAML, an unknown key,
        an unknown ``ci_method`` or ``rate_method``, an indicator outside 1-9,
        or a ``data`` entry that matches no file.
    """
    path = Path(path)
    try:
        raw = yaml.safe_load(path.read_text(encoding="utf-8"))
    except (OSError, yaml.YAMLError) as error:
        raise ParamsError(path, None, f"cannot be read as YAML ({error})") from None
    if not isinstance(raw, dict):
        raise ParamsError(path, None, "expected a mapping of keys such as authority, years, data")
    try:
        params = AuthorityParams.model_validate(raw)
    except ValidationError as error:
        first = error.errors()[0]
        key = ".".join(str(p) for p in first["loc"]) or None
        problems = "; ".join(
            f"key '{'.'.join(str(p) for p in e['loc'])}': {_message(e['msg'])}"
            for e in error.errors()
        )
        raise ParamsError(path, key, problems.removeprefix(f"key '{key}': ")) from None
    params.data = _resolve_data(path, params.data)
    params.source = path.resolve()
    return params


def _message(text: str) -> str:
    return text.removeprefix("Value error, ")


def _resolve_data(path: Path, patterns: Iterable[Path]) -> list[Path]:
    """Each data entry, relative to the params file, expanded as a glob pattern."""
    found: list[Path] = []
    for pattern in patterns:
        try:
            found.extend(p.resolve() for p in resolve_paths([pattern], base=path.parent))
        except FileNotFoundError:
            raise ParamsError(path, "data", f"{pattern} matches no file (looked for "
                              f"{(path.parent / pattern).resolve()})") from None
    return found


def check_against_data(params: AuthorityParams) -> None:
    """Check that the data files hold the authority and every year it asks for.

    Raises
    ------
    ParamsError
        Naming the params file and the key (``authority`` or ``years``).
    """
    source = params.source or Path("params")
    years: set[int] = set()
    authorities: set[str] = set()
    for path in params.data:
        for authority, year in _authority_years(path):
            authorities.add(authority)
            if authority == params.authority:
                years.add(year)
    files = ", ".join(p.name for p in params.data)
    if params.authority not in authorities:
        raise ParamsError(source, "authority", f"{params.authority!r} is not in the "
                          f"authority column of {files}")
    missing = [y for y in params.years if y not in years]
    if missing:
        have = ", ".join(str(y) for y in sorted(years))
        raise ParamsError(source, "years", f"{missing[0]} is not in {files} for "
                          f"{params.authority} (it has {have})")


def _authority_years(path: Path) -> set[tuple[str, int]]:
    """The (authority, year) pairs of a counts file, read without pandas."""
    rows = _rows(path)
    header = [str(h or "").strip().lower() for h in next(rows, [])]
    if "authority" not in header or "year" not in header:
        return set()  # validation names the missing column when the notebook reads it
    a, y = header.index("authority"), header.index("year")
    pairs = set()
    for row in rows:
        if len(row) > max(a, y):
            try:
                pairs.add((str(row[a]).strip(), int(float(str(row[y]).strip()))))
            except ValueError:
                continue
    return pairs


def _rows(path: Path) -> Iterator[list[object]]:
    if path.suffix.lower() in {".xlsx", ".xlsm"}:
        from openpyxl import load_workbook

        book = load_workbook(path, read_only=True, data_only=True)
        sheet = book["counts"] if "counts" in book.sheetnames else book.worksheets[0]
        yield from ([c for c in row] for row in sheet.iter_rows(values_only=True))
        book.close()
        return
    with open(path, newline="", encoding="utf-8-sig") as handle:
        yield from csv.reader(handle)


def find_params(target: Path | None) -> list[Path]:
    """Params files named by ``target``: a file, or every ``*.yaml`` in a folder."""
    target = Path(target) if target is not None else Path("params")
    if target.is_dir():
        return sorted(p for p in target.glob("*.y*ml") if p.suffix in {".yaml", ".yml"})
    if not target.exists():
        raise FileNotFoundError(f"params file or folder {target} does not exist")
    return [target]


def read_regions(target: Path | str | None) -> dict[str, str]:
    """Authority name -> region, from the params files named by ``target``.

    The same reader as `wres run` (:func:`load_params`), so the national view
    and the batch agree on what a params file says. A missing folder gives an
    empty mapping; a file that fails its checks, or has no ``region``, is left
    out here (`wres run` reports the failure).
    """
    try:
        paths = find_params(Path(target) if target is not None else None)
    except FileNotFoundError:
        return {}
    regions: dict[str, str] = {}
    for path in paths:
        try:
            params = load_params(path)
        except ParamsError:
            continue
        if params.region:
            regions[params.authority] = params.region
    return regions
