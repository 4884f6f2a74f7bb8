"""One PDF data pack per authority and year: its publication pages, printed by Chromium.

``wres run --pdf`` makes, for each authority and year of the batch, one A4 PDF
(``<year>/<slug>/data-pack.pdf``) of that authority-year's publication pages:
a cover with the contents, the summary, then indicators 1 to 9 (those run),
each from a new page, and a last page saying which pages it was made from; the
authority and year are in a running header, "Page n of N" in the footer. The
pages' ``<main>`` contents are put into one HTML document (`wres.batch.pack`),
styled for paper by ``templates/print.css``, and printed once by headless
Chromium (Playwright driving Debian's ``chromium``, one browser per batch): no
PDF merging.

A pack fails closed: the document to be printed is scanned as publication pages
are (`wres.batch.render.publication_problems`), and a pack that fails is not
written. The manifest records each pack with the key of the pages it was made
from, so an unchanged authority-year is not printed again, and a pack whose
pages changed is removed rather than left disagreeing with them.
"""

from __future__ import annotations

import hashlib
import html
import importlib.util
import shutil
import time
from collections.abc import Iterable, Mapping, Sequence
from datetime import UTC, datetime
from pathlib import Path
from typing import Any
from urllib.parse import unquote, urlsplit

from wres.batch.pack import PackNotReady, count_pages, pack_groups, pack_html, pack_key, pack_pages
from wres.batch.plan import log
from wres.core.names import MIN_COUNT

#: File name of an authority-year's data pack, beside its pages.
PACK_NAME = "data-pack.pdf"
#: Where manifest.json records the packs: ``{"2024/ashbourne-vale": {...}}``.
MANIFEST_KEY = "data_packs"
#: Chromium's flags: as root in a container, no GPU.
CHROMIUM_ARGS = ("--no-sandbox", "--disable-gpu")
#: The address the pack document is served at; every request is answered locally.
_BASE = "https://wres-pack.invalid/"
_MARGIN = {"top": "18mm", "bottom": "16mm", "left": "14mm", "right": "14mm"}
#: Longest wait for one pack to load or print (a busy machine is slow, not broken).
_TIMEOUT_MS = 180_000
#: Width of A4 less the side margins, in CSS pixels (182 mm at 96 per inch): the print layout.
_PRINT_WIDTH = 688
#: Tables wider than their column on paper are shrunk to fit (CSS ``zoom``), never cut off.
_FIT_TABLES = """() => {
  let fitted = 0;
  for (const table of document.querySelectorAll("table")) {
    const room = table.parentElement ? table.parentElement.clientWidth : 0;
    const wide = table.scrollWidth;
    if (room > 0 && wide > room + 1) { table.style.zoom = String(room / wide); fitted += 1; }
  }
  return fitted;
}"""
_FOOTER = ('<div style="font-size:8pt;width:100%;text-align:center;color:#333;">'
           'Page <span class="pageNumber"></span> of <span class="totalPages"></span></div>')


class BrowserMissing(RuntimeError):
    """Chromium or Playwright is not installed: ``wres run --pdf`` cannot print."""


class UnsafePack(RuntimeError):
    """A pack whose document failed the publication checks: it is not written."""


def find_chromium() -> str | None:
    """Path of Debian's ``chromium`` (or ``chromium-browser``), or None."""
    for name in ("chromium", "chromium-browser"):
        found = shutil.which(name)
        if found:
            return found
    return None


def require_browser() -> str:
    """The Chromium to print with; raises `BrowserMissing` saying how to install it."""
    chromium = find_chromium()
    missing = []
    if chromium is None:
        missing.append("Chromium is not installed: run 'make browser' "
                       "(or 'sudo apt-get install chromium')")
    if importlib.util.find_spec("playwright") is None:
        missing.append("Playwright for Python is not installed: run 'make install'")
    if missing or chromium is None:
        raise BrowserMissing("--pdf prints the data packs with headless Chromium. "
                             + "; ".join(missing))
    return chromium


def _current_key(group: Sequence[Mapping[str, Any]]) -> str | None:
    try:
        return pack_key(pack_pages(group))
    except PackNotReady:
        return None


def _in_place(output_dir: Path, record: Mapping[str, Any]) -> bool:
    try:
        return (output_dir / str(record["path"])).stat().st_size == record.get("bytes")
    except (KeyError, OSError):
        return False


def current_packs(packs: Mapping[str, Any] | None, runs: Iterable[Mapping[str, Any]],
                  output_dir: Path) -> dict[str, dict[str, Any]]:
    """The recorded packs still true to their pages; the files of the others are removed.

    A pack is current when its key matches the pages the manifest now records
    for its authority-year and its file is there at its recorded size.
    """
    groups = pack_groups(runs)
    output_dir = Path(output_dir).resolve()
    kept: dict[str, dict[str, Any]] = {}
    for pack_id, record in (packs or {}).items():
        key = _current_key(groups.get(pack_id, []))
        if key is not None and key == record.get("key") and _in_place(output_dir, record):
            kept[pack_id] = dict(record)
            continue
        path = (output_dir / str(record.get("path") or "")).resolve()
        if path.name == PACK_NAME and path.is_relative_to(output_dir) and path.is_file():
            path.unlink()
            log.info("removed the data pack %s: it no longer matches its pages", path)
    return kept


def stale_packs(packs: Mapping[str, Any] | None, runs: Iterable[Mapping[str, Any]],
                wanted: Iterable[str], output_dir: Path) -> list[str]:
    """The ``wanted`` authority-years whose pack can be made and is missing or out of date."""
    groups = pack_groups(runs)
    packs = packs or {}
    stale = []
    for pack_id in sorted(set(wanted)):
        key = _current_key(groups.get(pack_id, []))
        record = packs.get(pack_id) or {}
        if key is not None and (record.get("key") != key or not _in_place(output_dir, record)):
            stale.append(pack_id)
    return stale


def pack_problems(document: str, *, min_count: int) -> list[str]:
    """Why a pack's document must not be printed (the publication pages' checks); empty if safe."""
    from wres.batch.render import publication_problems

    return publication_problems(document, min_count=min_count)


# --- printing ----------------------------------------------------------------------------


class _Printer:
    """One headless Chromium for a batch's packs, started for the first pack printed.

    It reads nothing but the output folder: the pack document is served at an
    address of its own, files under the output folder beside it, every other
    request is refused (no network).
    """

    def __init__(self, output_dir: Path) -> None:
        self.output_dir = Path(output_dir).resolve()
        self.document = ""
        self.address = ""
        self.playwright: Any = None
        self.page: Any = None

    def __enter__(self) -> _Printer:
        return self

    def __exit__(self, *exc: object) -> None:
        if self.playwright is not None:
            self.playwright.stop()  # closes the browser
            self.playwright = None

    def _start(self) -> None:
        from playwright.sync_api import sync_playwright

        chromium = require_browser()
        self.playwright = sync_playwright().start()
        browser = self.playwright.chromium.launch(executable_path=chromium,
                                                  args=list(CHROMIUM_ARGS))
        self.page = browser.new_page(viewport={"width": _PRINT_WIDTH, "height": 1000})
        self.page.set_default_timeout(_TIMEOUT_MS)
        self.page.emulate_media(media="print")
        self.page.route("**/*", self._answer)

    def _answer(self, route: Any) -> None:
        url = route.request.url
        if url == self.address:
            route.fulfill(status=200, content_type="text/html; charset=utf-8",
                          body=self.document)
            return
        if url.startswith(_BASE):
            target = (self.output_dir / unquote(urlsplit(url).path).lstrip("/")).resolve()
            if target.is_relative_to(self.output_dir) and target.is_file():
                route.fulfill(path=target)
                return
        route.abort()

    def print_pack(self, document: str, pack_id: str, header: str) -> bytes:
        """The PDF of ``document``, as if it stood in the pack's folder."""
        if self.playwright is None:
            self._start()
        self.document = document
        self.address = f"{_BASE}{pack_id}/data-pack.html"
        self.page.goto(self.address, wait_until="load")
        self.page.evaluate(_FIT_TABLES)
        pdf: bytes = self.page.pdf(
            format="A4", print_background=True, display_header_footer=True,
            header_template=header, footer_template=_FOOTER, margin=_MARGIN,
            outline=True, tagged=True)
        return pdf


def _header(authority: str, year: int) -> str:
    return ('<div style="font-size:8pt;width:100%;margin:0 14mm;color:#333;display:flex;'
            f'justify-content:space-between;"><span>{html.escape(authority)}, {year}</span>'
            "<span>Social Care WRES data pack</span></div>")


def make_packs(output_dir: Path, runs: Iterable[Mapping[str, Any]],
               packs: Mapping[str, Any], wanted: Iterable[str]
               ) -> tuple[dict[str, dict[str, Any]], list[str]]:
    """Print the ``wanted`` packs that are not current in ``packs``.

    Each pack's document is checked before Chromium is started for it: a batch
    whose packs all fail their checks never opens a browser.

    Returns
    -------
    made : dict
        Manifest records of the packs written, by ``"<year>/<slug>"``.
    problems : list of str
        One line per pack not written, saying why (a failed run, a check it failed).
    """
    output_dir = Path(output_dir).resolve()
    runs = list(runs)
    groups = pack_groups(runs)
    wanted = set(wanted)
    problems = [f"data pack {pack_id} not made: no report of it is recorded"
                for pack_id in sorted(wanted - set(groups))]
    for pack_id in sorted(wanted & set(groups)):
        try:
            pack_pages(groups[pack_id])
        except PackNotReady as why:
            problems.append(f"data pack {pack_id} not made: {why}")
    made: dict[str, dict[str, Any]] = {}
    started = time.perf_counter()
    with _Printer(output_dir) as printer:
        for pack_id in stale_packs(packs, runs, wanted, output_dir):
            try:
                made[pack_id] = make_pack(printer, output_dir, groups[pack_id])
            except Exception as error:  # noqa: BLE001 - one pack fails, the others are made
                problems.append(f"data pack {pack_id} not written: {error}")
    if made:
        log.info("printed %d data pack(s) in %.1f s", len(made), time.perf_counter() - started)
    return made, problems


def make_pack(printer: _Printer, output_dir: Path,
              group: Sequence[Mapping[str, Any]]) -> dict[str, Any]:
    """Build, check, print and write one authority-year's pack; its manifest record.

    Raises
    ------
    UnsafePack
        If the document fails the publication checks; nothing is printed or written.
    """
    from wres import __version__
    from wres.core.atomic import write_bytes_atomic  # pandas: only when printing

    started = time.perf_counter()
    pages = pack_pages(group)
    first = group[0]
    authority, year = str(first["authority"]), int(first["year"])
    pack_id = f"{year}/{first['slug']}"
    printed = datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC")
    texts = [(page, (output_dir / page.path).read_text(encoding="utf-8")) for page in pages]
    document = pack_html(texts, authority=authority, year=year, region=first.get("region"),
                         printed=f"Printed {printed} by wres {__version__}.")
    min_count = max(int(run.get("min_count") or MIN_COUNT) for run in group)
    problems = pack_problems(document, min_count=min_count)
    if problems:
        raise UnsafePack("; ".join(problems[:5]))
    pdf = printer.print_pack(document, pack_id, _header(authority, year))
    if not pdf.startswith(b"%PDF"):
        raise RuntimeError("Chromium did not return a PDF")
    path = f"{pack_id}/{PACK_NAME}"
    write_bytes_atomic(output_dir / path, pdf)
    log.info("data pack %s: %d pages", path, count_pages(pdf))
    return {"path": path, "key": pack_key(pages), "authority": authority, "year": year,
            "pages": count_pages(pdf), "bytes": len(pdf),
            "sha256": hashlib.sha256(pdf).hexdigest(), "made_from": [p.run_id for p in pages],
            "printed": printed, "seconds": round(time.perf_counter() - started, 3)}
