"""The ``outputs/index.html`` page: one self-contained page linking every report.

The page is built from ``manifest.json`` (which reports ran, failed or were
unchanged, which PDF data packs were printed) and the published results (the
headline relative likelihood of each indicator for minority ethnic staff, all
services pooled, after disclosure control). It loads nothing from outside, so
it opens from a file system, a zip or an intranet share alike; its one small
inline script adds a filter by region and authority, and without it the whole
table shows.
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

from wres.batch.render import stylesheet
from wres.core.atomic import write_text_atomic
from wres.core.indicators import ALL_SERVICES, INDICATORS, MINORITY, Indicator
from wres.core.names import BENCHMARK, MARKER, NATIONAL_SLUG, SUMMARY
from wres.present.tables import FLAG_TEXT, NOT_COMPUTABLE, format_flag, format_likelihood

_FAILED = "failed"
#: The downloads offered, when present: the published results and the run's record.
DOWNLOADS = ("results.publication.csv", "manifest.json")
#: Where the manifest records the PDF data packs (`wres.batch.pdf`), by "<year>/<slug>".
DATA_PACKS = "data_packs"
#: A flag's shape when the interval excludes 1 (filled) and when it does not (open).
SHAPES = {"above": ("▲", "△"), "below": ("▼", "▽"), "within": ("●", "○")}


@dataclass(frozen=True)
class Headline:
    """One relative likelihood shown in a cell.

    ``likelihood`` "1.42", ``interval`` "(1.10–1.83)", ``flag`` "▲ above" and
    ``significance`` "significant" (an open shape, "△ above", when not); a
    withheld figure is ``likelihood`` "[c]" alone, one that cannot be computed
    says so once, with its ``reason``.
    """

    label: str
    likelihood: str
    interval: str
    flag: str
    flag_class: str
    significance: str
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
    """One authority in one year's table, with its PDF data pack if one was printed."""

    authority: str
    region: str
    summary: Cell
    cells: tuple[Cell, ...]
    pack: str | None = None
    pack_pages: int | None = None


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
        The batch manifest (``generated``, ``wres_version``, ``git_commit``, ``runs``
        and, after ``wres run --pdf``, ``data_packs``); output paths in it are relative
        to ``output_dir``.
    results : DataFrame or None
        The published results rows (the index is public: `results.publication.csv`);
        the headline is service ``all``, group ``minority``. ``None`` or missing rows
        leave cells with links only.
    output_dir : Path
        Folder the page is written to, atomically.
    """
    output_dir = Path(output_dir)
    runs = [dict(run) for run in manifest.get("runs", [])]
    headlines = _headline_rows(results)
    failures = [_failure(run) for run in runs if run.get("status") == _FAILED]
    years = sorted({int(run["year"]) for run in runs}, reverse=True)
    packs = _packs(manifest.get(DATA_PACKS), output_dir)
    tables = [_year_table(year, runs, headlines, packs) for year in years]
    rows = [row for table in tables for row in table.rows]
    page = _environment().get_template("index.html.j2").render(
        stylesheet=stylesheet(),
        generated=manifest.get("generated") or "unknown",
        wres_version=manifest.get("wres_version") or "unknown",
        git_commit=manifest.get("git_commit") or "unknown",
        counts=_counts(runs),
        failures=failures,
        indicators=list(INDICATORS.values()),
        years=tables,
        regions=sorted({row.region for row in rows if row.region}),
        authorities=sorted({row.authority for row in rows}),
        downloads=[name for name in DOWNLOADS if (output_dir / name).is_file()],
    )
    return write_text_atomic(output_dir / "index.html", page)


def _packs(records: Any, output_dir: Path) -> dict[str, tuple[str, int | None]]:
    """``{"2024/ashbourne-vale": (href, pages)}`` for the data packs whose file is there."""
    packs: dict[str, tuple[str, int | None]] = {}
    for pack_id, record in (records or {}).items():
        path = str((record or {}).get("path") or "")
        href = _href(path)
        if href and (output_dir / path).is_file():
            pages = record.get("pages")
            packs[str(pack_id)] = (href, int(pages) if isinstance(pages, int) else None)
    return packs


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
    year: int, runs: list[dict], headlines: dict[tuple[str, int, int], pd.DataFrame],
    packs: Mapping[str, tuple[str, int | None]],
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
        pack, pages = packs.get(f"{year}/{slug}", (None, None))
        rows.append(Row(
            authority=name,
            region=str(first.get("region") or ""),
            summary=_cell(by_notebook.get((slug, SUMMARY))),
            cells=cells,
            pack=pack,
            pack_pages=pages,
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
    """One results row as shown in a cell: each of value, interval, flag, reason at most once."""
    label = measure.replace("_", " ").capitalize() if labelled else ""
    text = format_likelihood(row)
    status = str(row.get("status") or "ok")
    if text.startswith(NOT_COMPUTABLE):  # "not computable" or "not computable; at least 1.48"
        reason = status.split(":", 1)[1].strip() if status.startswith("not_computable:") else ""
        bound = text[len(NOT_COMPUTABLE):].strip("; ")
        return Headline(label, NOT_COMPUTABLE, bound, "", "none", "", reason)
    if text == MARKER or not text:
        return Headline(label, text or "no figure", "", "", "none", "", "")
    likelihood, _, interval = text.partition(" ")  # "2.55", "(1.08–6.01)"
    flag = format_flag(row)
    raw_flag = str(row.get("flag") or "").strip()
    if flag not in FLAG_TEXT.values():
        return Headline(label, likelihood, interval, "", "none", "", "")
    significant = _significant(row.get("significant"))
    if significant is None:  # no shape: filled or open would claim a significance
        flag, significance = raw_flag, ""
    else:
        significance = "significant" if significant else "not significant"
        flag = f"{SHAPES[raw_flag][0 if significant else 1]} {raw_flag}"
    if raw_flag == "within":
        flag_class = "within"
    else:
        flag_class = "adverse" if raw_flag == indicator.adverse else "favourable"
    return Headline(label, likelihood, interval, flag, flag_class, significance, "")


def _significant(value: Any) -> bool | None:
    """``significant`` as read back from a CSV (True, "True", "false" ...); None if unknown."""
    text = str(value).strip().lower()
    if text in ("true", "1", "1.0", "yes"):
        return True
    if text in ("false", "0", "0.0", "no"):
        return False
    return None
