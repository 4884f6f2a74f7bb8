"""The ``outputs/index.html`` page: one self-contained page linking every report.

The page is built from ``manifest.json`` (which reports ran, failed or were
unchanged) and the consolidated results (the headline relative likelihood of
each indicator for minority ethnic staff, all services pooled). It has no
scripts and no external resources, so it opens from a file system, a zip or an
intranet share alike.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import quote

import jinja2
import pandas as pd

from wres.core.atomic import write_text_atomic
from wres.core.indicators import ALL_SERVICES, INDICATORS, MINORITY, Indicator
from wres.core.names import BENCHMARK, NATIONAL_SLUG, SUMMARY
from wres.present.tables import FLAG_TEXT, NOT_COMPUTABLE, format_flag, format_likelihood

_FAILED = "failed"


@dataclass(frozen=True)
class Headline:
    """One relative likelihood shown in a cell: "1.42 (1.10–1.83)" and "▲ above"."""

    label: str
    likelihood: str
    flag: str
    flag_class: str
    reason: str


@dataclass(frozen=True)
class Cell:
    """One report in the table: its links, or the anchor of its failure."""

    status: str
    report: str | None = None
    analyst: str | None = None
    failure: str | None = None
    headlines: tuple[Headline, ...] = ()


@dataclass(frozen=True)
class Row:
    """One authority in one year's table."""

    authority: str
    region: str
    summary: Cell
    cells: tuple[Cell, ...]


@dataclass(frozen=True)
class YearTable:
    """One year's table and its national benchmark report."""

    year: int
    rows: tuple[Row, ...]
    national: Cell


@dataclass(frozen=True)
class Failure:
    """A failed run as listed at the top of the page."""

    anchor: str
    authority: str
    year: int
    notebook: str
    error: str


def build_index(
    manifest: Mapping[str, Any], results: pd.DataFrame | None, output_dir: Path
) -> Path:
    """Write ``output_dir/index.html`` for a batch run and return its path.

    Parameters
    ----------
    manifest : mapping
        The batch manifest (``generated``, ``wres_version``, ``git_commit`` and
        ``runs``); output paths in it are relative to ``output_dir``.
    results : DataFrame or None
        Consolidated results rows; the headline is service ``all``, group
        ``minority``. ``None`` or missing rows leave cells with links only.
    output_dir : Path
        Folder the page is written to, atomically.
    """
    output_dir = Path(output_dir)
    runs = [dict(run) for run in manifest.get("runs", [])]
    headlines = _headline_rows(results)
    failures = [_failure(run) for run in runs if run.get("status") == _FAILED]
    years = sorted({int(run["year"]) for run in runs}, reverse=True)
    page = _environment().get_template("index.html.j2").render(
        generated=manifest.get("generated") or "unknown",
        wres_version=manifest.get("wres_version") or "unknown",
        git_commit=manifest.get("git_commit") or "unknown",
        counts=_counts(runs),
        failures=failures,
        indicators=list(INDICATORS.values()),
        years=[_year_table(year, runs, headlines) for year in years],
        downloads=[name for name in ("results.csv", "manifest.json")
                   if (output_dir / name).is_file()],
    )
    return write_text_atomic(output_dir / "index.html", page)


def _environment() -> jinja2.Environment:
    return jinja2.Environment(
        loader=jinja2.PackageLoader("wres", "templates"),
        autoescape=True,
        trim_blocks=True,
        lstrip_blocks=True,
        undefined=jinja2.StrictUndefined,
    )


def _counts(runs: list[dict]) -> dict[str, int]:
    statuses = [run.get("status") for run in runs]
    return {
        "reports": len(runs),
        "failed": statuses.count(_FAILED),
        "skipped": statuses.count("skipped"),
    }


def failure_anchor(run_id: str) -> str:
    """HTML id of a failed run's entry: ``failure-2024-ashbourne-vale-03-disciplinary``."""
    return "failure-" + re.sub(r"[^a-z0-9]+", "-", str(run_id).lower()).strip("-")


def _failure(run: Mapping[str, Any]) -> Failure:
    return Failure(
        anchor=failure_anchor(run["id"]),
        authority=str(run.get("authority", "")),
        year=int(run["year"]),
        notebook=str(run.get("notebook", "")),
        error=str(run.get("error") or "no error message recorded"),
    )


def _href(path: str | None) -> str | None:
    return quote(str(path).replace("\\", "/"), safe="/") if path else None


def _cell(run: Mapping[str, Any] | None, headlines: tuple[Headline, ...] = ()) -> Cell:
    if run is None:
        return Cell(status="missing", headlines=headlines)
    if run.get("status") == _FAILED:
        return Cell(status=_FAILED, failure=failure_anchor(run["id"]))
    outputs = run.get("outputs") or {}
    return Cell(
        status=str(run.get("status") or "ok"),
        report=_href(outputs.get("publication_html") or outputs.get("html")),
        analyst=_href(outputs.get("html")),
        headlines=headlines,
    )


def _year_table(
    year: int, runs: list[dict], headlines: dict[tuple[str, int, int], pd.DataFrame]
) -> YearTable:
    this_year = [run for run in runs if int(run["year"]) == year]
    by_notebook = {(run.get("slug"), run.get("notebook")): run for run in this_year}
    authorities = {run.get("slug"): run for run in this_year if run.get("slug") != NATIONAL_SLUG}
    rows = []
    for slug, first in sorted(authorities.items(), key=lambda item: str(item[1]["authority"])):
        name = str(first["authority"])
        cells = tuple(
            _cell(
                by_notebook.get((slug, indicator.notebook)),
                _headlines(indicator, headlines.get((name, year, indicator.number))),
            )
            for indicator in INDICATORS.values()
        )
        rows.append(Row(
            authority=name,
            region=str(first.get("region") or ""),
            summary=_cell(by_notebook.get((slug, SUMMARY))),
            cells=cells,
        ))
    national = _cell(by_notebook.get((NATIONAL_SLUG, BENCHMARK)))
    return YearTable(year=year, rows=tuple(rows), national=national)


def _headline_rows(results: pd.DataFrame | None) -> dict[tuple[str, int, int], pd.DataFrame]:
    """Results for service ``all`` and group ``minority``, by (authority, year, indicator)."""
    if results is None or results.empty:
        return {}
    chosen = results[
        (results["service"].astype(str) == ALL_SERVICES)
        & (results["group"].astype(str) == MINORITY)
    ]
    return {
        (str(authority), int(year), int(indicator)): rows
        for (authority, year, indicator), rows in chosen.groupby(
            ["authority", "year", "indicator"], sort=False
        )
    }


def _headlines(indicator: Indicator, rows: pd.DataFrame | None) -> tuple[Headline, ...]:
    """The first measure's result (both for indicator 7); none for pay bands."""
    if rows is None or not indicator.measures:
        return ()
    measures = indicator.measures if indicator.number == 7 else indicator.measures[:1]
    shown = []
    for measure in measures:
        match = rows[rows["measure"].astype(str) == measure]
        if match.empty:
            continue
        row = match.iloc[0].to_dict()
        shown.append(_headline(indicator, measure, row, labelled=len(measures) > 1))
    return tuple(shown)


def _headline(indicator: Indicator, measure: str, row: dict, *, labelled: bool) -> Headline:
    likelihood = format_likelihood(row)
    flag = format_flag(row)
    status = str(row.get("status") or "ok")
    reason = status.split(":", 1)[1].strip() if status.startswith("not_computable:") else ""
    raw_flag = str(row.get("flag") or "").strip()
    if likelihood == NOT_COMPUTABLE:
        flag = ""
    if flag not in FLAG_TEXT.values():
        flag_class = "none"
    elif raw_flag == "within":
        flag_class = "within"
    else:
        flag_class = "adverse" if raw_flag == indicator.adverse else "favourable"
    return Headline(
        label=measure.replace("_", " ").capitalize() if labelled else "",
        likelihood=likelihood,
        flag=flag,
        flag_class=flag_class,
        reason=reason,
    )
