"""``wres run``: every authority x year x notebook, parallel, incremental and resilient.

A run is one notebook for one authority and year (or, for the national
benchmark, one year). Each run has a key: the hash of everything it depends
on — the notebook, its parameters, the bytes of its input data, the ``wres``
package source and the locked dependency versions. A run whose key matches the
manifest and whose outputs exist is skipped. Each notebook executes through
papermill in a fresh kernel forked from a warm parent (`wres.batch.kernels`).
"""

from __future__ import annotations

import hashlib
import json
import logging
from collections.abc import Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any

from wres.core.indicators import INDICATORS
from wres.core.names import BENCHMARK, NATIONAL_SLUG, SUMMARY
from wres.core.paths import NOTEBOOKS, PACKAGE_DIR
from wres.inputs.params import (
    AuthorityParams,
)

log = logging.getLogger("wres.run")

MANIFEST = "manifest.json"
#: Packages whose versions every run records.
RECORDED_PACKAGES = ("wres", "papermill", "nbconvert", "nbclient", "ipykernel", "pandas",
                     "numpy", "scipy", "statsmodels", "matplotlib", "seaborn", "pandera")


@dataclass
class RunSpec:
    """One notebook to run: everything a worker needs, as plain data."""

    id: str
    notebook: str
    notebook_path: str
    authority: str
    slug: str
    region: str | None
    year: int
    indicator: int | None
    parameters: dict[str, Any]
    data: list[str]
    output_dir: str
    final_dir: str
    key: str = ""
    inputs: dict[str, Any] = field(default_factory=dict)
    timeout: float = 600.0


def package_versions() -> dict[str, str]:
    from importlib.metadata import PackageNotFoundError, version

    found = {}
    for name in RECORDED_PACKAGES:
        try:
            found[name] = version(name)
        except PackageNotFoundError:
            continue
    return found



# --- planning ------------------------------------------------------------------------------


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def package_hash() -> str:
    """Hash of the ``wres`` package source (Python files and templates)."""
    digest = hashlib.sha256()
    for path in sorted(PACKAGE_DIR.rglob("*")):
        if path.is_relative_to(NOTEBOOKS):
            continue  # each run hashes its own notebook
        if path.is_file() and path.suffix in {".py", ".j2", ".json", ".csv", ".css"}:
            digest.update(str(path.relative_to(PACKAGE_DIR)).encode())
            digest.update(path.read_bytes())
    return digest.hexdigest()


def notebooks(indicators: Sequence[int] | None = None) -> list[Path]:
    """The report notebooks, optionally narrowed to some indicators (00 is always kept)."""
    found = sorted(NOTEBOOKS.glob("[0-9][0-9]-*.ipynb"))
    if indicators:
        keep = {f"{n:02d}" for n in indicators} | {SUMMARY[:2]}
        found = [p for p in found if p.name[:2] in keep]
    return found


def _indicator_of(stem: str) -> int | None:
    number = int(stem[:2])
    return number if number in INDICATORS else None


def plan_runs(
    params_list: Sequence[AuthorityParams],
    output_dir: Path,
    *,
    years: Sequence[int] | None = None,
    indicators: Sequence[int] | None = None,
    timeout: float = 600.0,
) -> list[RunSpec]:
    """Every run of the matrix, with its dependency key."""
    output_dir = Path(output_dir).resolve()
    shared = {"package": package_hash(), "versions": package_versions()}
    data_hashes: dict[Path, str] = {}
    nb_hashes: dict[Path, str] = {}
    runs: list[RunSpec] = []
    by_year: dict[int, list[AuthorityParams]] = {}
    report_notebooks = [nb for nb in notebooks(indicators) if nb.stem != BENCHMARK]
    for params in params_list:
        for path in params.data:
            if path not in data_hashes:
                data_hashes[path] = _sha256(path) if path.exists() else "missing"
        for year in params.years:
            if years and year not in years:
                continue
            by_year.setdefault(year, []).append(params)
            for nb in report_notebooks:
                number = _indicator_of(nb.stem)
                if params.indicators and number is not None and number not in params.indicators:
                    continue
                nb_hashes.setdefault(nb, _sha256(nb))
                final = output_dir / str(year) / params.safe_slug
                parameters = {
                    "authority": params.authority,
                    "year": year,
                    "data": [str(p) for p in params.data],
                    **params.method_options(),
                }
                if nb.stem == SUMMARY:
                    parameters["national"] = str(
                        output_dir / str(year) / NATIONAL_SLUG / "national.csv")
                runs.append(RunSpec(
                    id=f"{year}/{params.safe_slug}/{nb.stem}", notebook=nb.stem,
                    notebook_path=str(nb), authority=params.authority, slug=params.safe_slug,
                    region=params.region, year=year, indicator=number,
                    parameters=parameters, data=[str(p) for p in params.data],
                    output_dir=str(output_dir), final_dir=str(final), timeout=timeout,
                    inputs={"notebook": nb_hashes[nb],
                            "data": {str(p): data_hashes[p] for p in params.data}, **shared},
                ))
    bench = NOTEBOOKS / f"{BENCHMARK}.ipynb"
    if bench.exists() and (not indicators or 10 in indicators):
        for year, members in sorted(by_year.items()):
            data = sorted({str(p) for m in members for p in m.data})
            parameters = {
                "year": year, "data": data,
                "regions": {m.authority: m.region for m in members if m.region},
                "confidence_level": members[0].confidence_level,
                "ci_method": members[0].ci_method, "min_count": members[0].min_count,
                "profile": "publication",  # a public page: ratios from small counts withheld
                **published_by(members, indicators),
            }
            runs.append(RunSpec(
                id=f"{year}/{NATIONAL_SLUG}/{BENCHMARK}", notebook=BENCHMARK,
                notebook_path=str(bench), authority="National", slug=NATIONAL_SLUG, region=None,
                year=year, indicator=None, parameters=parameters, data=data,
                output_dir=str(output_dir),
                final_dir=str(output_dir / str(year) / NATIONAL_SLUG), timeout=timeout,
                inputs={"notebook": _sha256(bench),
                        "data": {p: _year_hash(Path(p), year) for p in data}, **shared},
            ))
    for run in runs:
        run.inputs["params"] = hashlib.sha256(
            json.dumps(run.parameters, sort_keys=True, default=str).encode()).hexdigest()
        run.key = run_key(run.inputs)
    return runs


def interleaved(runs: Sequence[RunSpec], width: int) -> list[RunSpec]:
    """``runs`` reordered so that runs sent together are of ``width`` different authority-years.

    The first of an authority-year's notebooks to run stores its validated counts,
    results and disclosure decisions in the batch cache (`wres.core.cache`) for the
    others. In the plan's order (one authority's notebooks after another's) a batch of
    ``width`` workers started an authority's first ``width`` notebooks at once, and each
    did that work itself. Here the authority-years are taken ``width`` at a time and
    their runs dealt out in turn (A1, B1, A2, B2, ... for two): the next notebook of an
    authority-year starts about a run later than the one before it, by which time that
    one has stored its work. Within an authority-year the order is kept.
    """
    groups: dict[tuple[int, str], list[RunSpec]] = {}
    for run in runs:
        groups.setdefault((run.year, run.slug), []).append(run)
    chunks, step = list(groups.values()), max(width, 1)
    ordered: list[RunSpec] = []
    for start in range(0, len(chunks), step):
        dealt = chunks[start:start + step]
        for turn in range(max(len(group) for group in dealt)):
            ordered.extend(group[turn] for group in dealt if turn < len(group))
    return ordered


def published_by(members: Sequence[AuthorityParams],
                 indicators: Sequence[int] | None = None) -> dict[str, Any]:
    """The national view's ``min_counts`` and ``published_indicators``: each authority's k
    and the indicators its reports publish, so that it decides disclosure as they do.

    An authority publishes the indicators of its params file (all by default) that the
    batch runs (``indicators``, as ``--indicator``); a batch naming only the national
    view (10) runs no indicator notebook and narrows nothing.
    """
    chosen = [n for n in indicators or () if n in INDICATORS]
    return {
        "min_counts": {m.authority: m.min_count for m in members},
        "published_indicators": {
            m.authority: [n for n in INDICATORS if (not chosen or n in chosen)
                          and (not m.indicators or n in m.indicators)]
            for m in members},
    }


def _year_hash(path: Path, year: int) -> str:
    """Hash of one year's rows of a CSV counts file (the whole file for other formats).

    The national view of a year depends only on that year's counts, so editing
    another year of an authority's data does not re-run it.
    """
    if not path.exists():
        return "missing"
    if path.suffix.lower() != ".csv":
        return _sha256(path)
    import csv

    digest = hashlib.sha256()
    with open(path, newline="", encoding="utf-8-sig") as handle:
        reader = csv.reader(handle)
        header = next(reader, [])
        digest.update(repr(header).encode())
        names = [h.strip().lower() for h in header]
        if "year" not in names:
            return _sha256(path)
        column = names.index("year")
        for row in reader:
            if len(row) > column and row[column].strip() in {str(year), f"{year}.0"}:
                digest.update(repr(row).encode())
    return digest.hexdigest()


def run_key(inputs: dict[str, Any]) -> str:
    return hashlib.sha256(json.dumps(inputs, sort_keys=True).encode()).hexdigest()


#: The columns of national.csv a summary quotes (`wres.present.national.authority_comparison`),
#: besides the limits (``lower_*``, ``upper_*``).
QUOTED_COLUMNS = ("authority", "year", "indicator", "measure", "relative_likelihood",
                  "position", "limits", "national_rl", "note", "withheld")


def national_inputs(run: RunSpec) -> str:
    """What a summary quotes from national.csv: its authority's figures, exactly as written.

    A summary shows where its authority sits against the national figure and the
    limits, so it depends on those columns of its own rows and nothing else: not
    on other authorities' rows, nor on the columns it does not quote
    (overdispersion, p-values, counts of authorities). The national figure and
    the limits move with any authority's counts, so a summary re-runs whenever
    they change.
    """
    path = Path(run.parameters.get("national") or "")
    try:
        facts = path.stat()
    except OSError:
        return "absent"
    quoted = _quoted_rows(str(path), facts.st_mtime_ns, facts.st_size)
    return quoted.get(run.authority) or quoted[""]


@lru_cache(maxsize=8)
def _quoted_rows(path: str, mtime_ns: int, size: int) -> dict[str, str]:
    """Hash of each authority's quoted figures in national.csv ("" : an authority with none).

    Read once per version of the file (its modification time and size), not once per
    summary.
    """
    import csv

    with open(path, newline="", encoding="utf-8") as handle:
        reader = csv.reader(handle)
        header = next(reader, [])
        keep = [i for i, name in enumerate(header) if name in QUOTED_COLUMNS
                or (name.startswith(("lower_", "upper_")) and not name.endswith("_unadjusted"))]
        where = header.index("authority") if "authority" in header else -1
        rows: dict[str, list[str]] = {}
        for row in reader:
            if where >= 0 and len(row) > where:
                rows.setdefault(row[where], []).append(
                    repr([row[i] if i < len(row) else "" for i in keep]))
    columns = repr([header[i] for i in keep])
    digests = {authority: hashlib.sha256("\n".join([columns, *lines]).encode()).hexdigest()
               for authority, lines in rows.items()}
    digests[""] = hashlib.sha256(columns.encode()).hexdigest()
    return digests
