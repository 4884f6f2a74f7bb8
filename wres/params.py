"""Authority params files: one YAML file per authority, validated on load.

A params file names the authority, the years to report and its counts file
(a path relative to the params file), with optional ``slug``, ``region``,
``pay_bands``, ``services`` and method options.
"""

from __future__ import annotations

import re
from pathlib import Path

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator


class AuthorityParams(BaseModel):
    """One authority's params file."""

    model_config = ConfigDict(extra="forbid")

    authority: str = Field(min_length=1)
    years: list[int] = Field(min_length=1)
    data: list[Path]
    slug: str | None = None
    region: str | None = None
    pay_bands: list[str] | None = None
    services: list[str] | None = None
    ci_method: str = "katz-log"
    rate_method: str = "wilson"
    confidence_level: float = Field(0.95, gt=0, lt=1)
    thresholds: tuple[float, float] = (0.80, 1.25)
    min_count: int = Field(5, ge=1)
    source: Path | None = Field(default=None, exclude=True)

    @field_validator("data", mode="before")
    @classmethod
    def _as_list(cls, value: object) -> object:
        return [value] if isinstance(value, str | Path) else value

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
        }


def safe_slug(text: str) -> str:
    """A file-name-safe slug: lower-case letters, digits and single hyphens.

    ``../../etc`` becomes ``etc`` and ``Brighton & Hove "City"`` becomes
    ``brighton-hove-city``, so no authority name can point outside the output folder.
    """
    slug = re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")
    return slug[:80].strip("-") or "authority"


def load_params(path: Path) -> AuthorityParams:
    """Read and validate a params file; data paths become absolute.

    Raises
    ------
    ValueError
        Naming the file and each field that is wrong.
    """
    path = Path(path)
    try:
        raw = yaml.safe_load(path.read_text(encoding="utf-8"))
    except yaml.YAMLError as error:
        raise ValueError(f"{path}: not valid YAML ({error})") from None
    if not isinstance(raw, dict):
        raise ValueError(f"{path}: expected a mapping of keys such as authority, years, data")
    try:
        params = AuthorityParams.model_validate(raw)
    except ValidationError as error:
        problems = "; ".join(
            f"key '{'.'.join(str(p) for p in e['loc'])}': {e['msg']}" for e in error.errors()
        )
        raise ValueError(f"{path}: {problems}") from None
    params.data = [(path.parent / p).resolve() for p in params.data]
    params.source = path.resolve()
    return params


def find_params(target: Path | None) -> list[Path]:
    """Params files named by ``target``: a file, or every ``*.yaml`` in a folder."""
    target = Path(target) if target is not None else Path("params")
    if target.is_dir():
        return sorted(p for p in target.glob("*.y*ml") if p.suffix in {".yaml", ".yml"})
    if not target.exists():
        raise FileNotFoundError(f"params file or folder {target} does not exist")
    return [target]
