"""``wres audit``: the disclosure attack over everything a run publishes.

What a run publishes (the publication pages, ``index.html``,
``results.publication.csv``, the national view's page and each year's
``national.csv``) is read back into figures (`pages`, `national_view`) and
attacked together (`attack`), with the analyst's ``results.csv`` beside them
as the truth when it is there (it says which hidden counts are small). Every
page is also scanned for small counts (`leaks.find_small_counts`). Analyst
files (``*.html`` without ``.publication``, notebooks, ``*.results.csv``)
are not published and not read.
"""

from __future__ import annotations

import json
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pandas as pd

from wres.analysis.disclosure.attack import attack, describe
from wres.analysis.disclosure.knowledge import FINDING_COLUMNS, SMALL_COUNT
from wres.analysis.disclosure.leaks import find_small_counts
from wres.analysis.disclosure.national_view import (
    figures_from_benchmark,
    figures_from_national_csv,
)
from wres.analysis.disclosure.pages import (
    FIGURE_COLUMNS,
    figures_from_index,
    figures_from_report,
    figures_from_summary,
)
from wres.analysis.disclosure.protection import PROTECTION_INTERVAL
from wres.core.csv_safety import read_csv
from wres.core.frames import records
from wres.core.names import BENCHMARK, MIN_COUNT, NATIONAL_SLUG, SUMMARY
from wres.inputs.params import safe_slug

PUBLISHED_RESULTS = "results.publication.csv"
ANALYST_RESULTS = "results.csv"
_PAGE = ".publication.html"


@dataclass
class Audit:
    """What the attack found in an output folder, and what it read."""

    findings: pd.DataFrame
    files: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    figures: int = 0

    @property
    def clean(self) -> bool:
        return self.findings.empty

    def lines(self) -> list[str]:
        """One line per finding: file, where, the cell in words, what was found."""
        return [f"{row['file']}: {row['where']} ({describe(row)}): {row['kind']}; "
                f"{row['detail']}" for row in records(self.findings)]


def audit_output(output_dir: str | Path, *, protection: int = PROTECTION_INTERVAL) -> Audit:
    """Attack everything published under ``output_dir`` (a ``wres run --output`` folder).

    Raises
    ------
    FileNotFoundError
        If the folder has no ``results.publication.csv``.
    """
    folder = Path(output_dir)
    path = folder / PUBLISHED_RESULTS
    if not path.is_file():
        raise FileNotFoundError(f"{path} not found: is {folder} the output folder of wres run?")
    published = read_csv(path)  # labels as they were: quotes for spreadsheets taken off
    truth_path = folder / ANALYST_RESULTS
    truth = read_csv(truth_path) if truth_path.is_file() else None
    runs = _runs(folder)
    limits = {str(r["authority"]): int(r.get("min_count") or MIN_COUNT) for r in runs}
    audit = Audit(pd.DataFrame(columns=FINDING_COLUMNS), [PUBLISHED_RESULTS])
    figures = _read_outputs(folder, published, runs, audit, limits, truth)
    audit.figures = len(figures)
    found = attack(published, truth=truth, figures=figures, protection=protection,
                   min_count={**{a: MIN_COUNT for a in published["authority"].astype(str)},
                              **limits}, source=PUBLISHED_RESULTS)
    audit.findings = pd.concat([audit.findings, found], ignore_index=True) if len(
        audit.findings) else found
    audit.notes = [f"{note} ({count} times)" if count > 1 else note
                   for note, count in Counter(audit.notes).items()]
    if truth is None:
        audit.notes.append(f"{ANALYST_RESULTS} not found: the attack did not know which hidden "
                           "counts are small (a weaker attacker)")
    return audit


def _runs(folder: Path) -> list[dict[str, Any]]:
    """The manifest's successful runs, or runs guessed from the page files without one."""
    manifest = folder / "manifest.json"
    if manifest.is_file():
        runs = json.loads(manifest.read_text(encoding="utf-8")).get("runs", [])
        return [r for r in runs if r.get("status") == "ok" and r.get("outputs")]
    runs = []
    for page in sorted(folder.glob(f"*/*/*{_PAGE}")):
        year, slug, notebook = page.parent.parent.name, page.parent.name, page.name[:-len(_PAGE)]
        if year.isdigit():
            runs.append({"year": int(year), "slug": slug, "notebook": notebook, "authority": None,
                         "outputs": {"publication_html": str(page.relative_to(folder))}})
    return runs


def _read_outputs(folder: Path, published: pd.DataFrame, runs: list[dict[str, Any]],
                  audit: Audit, limits: dict[str, int],
                  truth: pd.DataFrame | None = None) -> pd.DataFrame:
    """Figures from every published page and national file; small counts on the pages."""
    names = {safe_slug(a): a for a in published["authority"].astype(str).unique()}
    nationals = {}
    for path in sorted(folder.glob(f"*/{NATIONAL_SLUG}/national.csv")):
        nationals[path] = read_csv(path, dtype=str, keep_default_na=False)  # as written
    regions = {str(a): str(r) for frame in nationals.values()
               for a, r in zip(frame["authority"], frame["region"], strict=False)
               if isinstance(r, str) and r}
    regions = regions or {str(r["authority"]): str(r["region"]) for r in runs
                          if r.get("region") and r.get("authority")}
    figures: list[dict[str, Any]] = []
    for run in runs:
        relative = (run.get("outputs") or {}).get("publication_html")
        if not relative or not (folder / relative).is_file():
            continue
        page = (folder / relative).read_text(encoding="utf-8")
        audit.files.append(relative)
        _scan(audit, relative, page, int(run.get("min_count") or MIN_COUNT))
        year, notebook = int(run["year"]), str(run["notebook"])
        authority = run.get("authority") or names.get(str(run.get("slug")))
        mine = published[(published["authority"] == authority)
                         & (published["year"].astype(int) == year)]
        if notebook == BENCHMARK:
            figures += figures_from_benchmark(relative, page, published, regions, audit.notes)
        elif notebook == SUMMARY:
            figures += figures_from_summary(relative, page, mine, audit.notes)
        elif notebook[:2].isdigit():
            rows = mine[mine["indicator"].astype(int) == int(notebook[:2])]
            figures += figures_from_report(relative, page, rows, audit.notes, truth)
    index = folder / "index.html"
    if index.is_file():
        page = index.read_text(encoding="utf-8")
        audit.files.append("index.html")
        _scan(audit, "index.html", page, min(limits.values(), default=MIN_COUNT))
        figures += figures_from_index("index.html", page, published, audit.notes)
    for path, frame in nationals.items():
        relative = str(path.relative_to(folder))
        audit.files.append(relative)
        figures += figures_from_national_csv(relative, frame, published, audit.notes)
    return pd.DataFrame(figures, columns=FIGURE_COLUMNS)


def _scan(audit: Audit, file: str, page: str, min_count: int) -> None:
    """Small counts shown on a page (the scan every publication page passes)."""
    found = [{"kind": SMALL_COUNT, "file": file, "where": where, "detail": "published"}
             for where in find_small_counts(page, min_count=min_count)]
    if found:
        audit.findings = pd.concat([audit.findings, pd.DataFrame(found)], ignore_index=True)
