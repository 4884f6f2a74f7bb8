"""PDF data packs (`wres run --pdf`): one per authority and year, read back as a reviewer would.

The packs of the shared `report_run` (tests/conftest.py runs it with ``--pdf``) are read
with poppler's ``pdfinfo`` and ``pdftotext``: the cover and contents, the summary first,
each indicator from a new page, the authority and year in the running header of every
page, "Page n of N" in the footer. The bookkeeping (which pages make a pack, when it is
current, when it must not be written) is checked on manifest records without a browser.
"""

from __future__ import annotations

import hashlib
import html
import json
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from tests.conftest import REPORT_AUTHORITIES, REPORT_YEAR
from wres.batch import pdf
from wres.batch.pack import count_pages, pack_groups, pack_html, pack_key, pack_pages
from wres.core.indicators import INDICATORS

needs_poppler = pytest.mark.skipif(not (shutil.which("pdftotext") and shutil.which("pdfinfo")),
                                   reason="poppler-utils is not installed (make browser)")


def _manifest(output: Path) -> dict:
    return json.loads((output / "manifest.json").read_text(encoding="utf-8"))


def _pdf_pages(path: Path) -> list[str]:
    """The text of each page, as pdftotext lays it out."""
    text = subprocess.run(["pdftotext", "-layout", str(path), "-"], capture_output=True,
                          text=True, check=True).stdout
    return text.split("\f")[:-1]


def _page_count(path: Path) -> int:
    info = subprocess.run(["pdfinfo", str(path)], capture_output=True, text=True,
                          check=True).stdout
    return int(re.search(r"^Pages:\s+(\d+)", info, re.M).group(1))


def _words(text: str) -> str:
    return " ".join(text.split())


def _heading(page: Path) -> str:
    """The first ``<h1>`` of a publication page, as a reader sees it."""
    h1 = re.search(r"<h1\b[^>]*>(.*?)</h1>", page.read_text(encoding="utf-8"), re.S).group(1)
    return _words(html.unescape(re.sub(r"<[^>]+>", "", h1)).replace("¶", ""))


# --- the packs of the report run ------------------------------------------------------------


@needs_poppler
@pytest.mark.parametrize("slug", REPORT_AUTHORITIES)
def test_each_authority_year_has_a_pack_of_its_pages_summary_first(report_run, slug):
    record = _manifest(report_run)[pdf.MANIFEST_KEY][f"{REPORT_YEAR}/{slug}"]
    path = report_run / str(REPORT_YEAR) / slug / pdf.PACK_NAME
    assert record["path"] == f"{REPORT_YEAR}/{slug}/{pdf.PACK_NAME}"
    assert path.read_bytes().startswith(b"%PDF")
    assert record["bytes"] == path.stat().st_size
    assert record["sha256"] == hashlib.sha256(path.read_bytes()).hexdigest()

    sections = record["made_from"]
    assert sections[0] == f"{REPORT_YEAR}/{slug}/00-summary"
    indicators = [int(Path(run).name[:2]) for run in sections[1:]]
    params = yaml.safe_load((report_run.parent / "params" / f"{slug}.yaml").read_text())
    assert indicators == sorted(params.get("indicators") or INDICATORS)  # those submitted
    headings = [_heading(report_run / f"{run}.publication.html") for run in sections]
    assert [h.split(":")[0] for h in headings[1:]] == [f"Indicator {n}" for n in indicators]
    # a cover, then every section from a new page, then what it was made from; no section
    # runs to more than eight pages
    pages = _page_count(path)
    assert record["pages"] == pages == count_pages(path.read_bytes())
    assert len(sections) + 2 <= pages <= 8 * len(sections) + 2

    text = _pdf_pages(path)
    assert len(text) == pages
    authority = record["authority"]
    assert authority in _words(text[0]) and "Contents" in text[0]
    contents = _words(text[0])
    assert contents.index(f"1. {headings[0]}") < contents.index(f"2. {headings[1]}")
    for number, page in enumerate(text, start=1):
        header = _words(page.strip().splitlines()[0])
        assert header.startswith(f"{authority}, {REPORT_YEAR}"), (number, header)
        assert f"Page {number} of {pages}" in _words(page), number
    # each section starts a page (after the running header), the summary first
    tops = [" ".join([_words(line) for line in page.splitlines() if line.strip()][1:4])
            for page in text]
    starts = [next((i for i, top in enumerate(tops) if top.startswith(heading)), None)
              for heading in headings]
    assert None not in starts, list(zip(headings, starts, strict=True))
    assert starts == sorted(starts) and starts[0] == 1
    assert "What this data pack was made from" in _words(text[-1])


def test_the_index_links_each_pack_with_its_page_count(report_run):
    index = (report_run / "index.html").read_text(encoding="utf-8")
    for slug in REPORT_AUTHORITIES:
        record = _manifest(report_run)[pdf.MANIFEST_KEY][f"{REPORT_YEAR}/{slug}"]
        assert re.search(rf'href="{re.escape(record["path"])}"[^>]*>PDF \({record["pages"]} '
                         r"pages\)", index)


def test_a_rerun_with_nothing_changed_does_not_print_again(report_run):
    packs = [report_run / str(REPORT_YEAR) / slug / pdf.PACK_NAME for slug in REPORT_AUTHORITIES]
    before = [path.stat().st_mtime_ns for path in packs]
    wres = Path(sys.executable).parent / "wres"
    done = subprocess.run([str(wres), "run", "--params", str(report_run.parent / "params"),
                           "--output", str(report_run), "--year", str(REPORT_YEAR), "--quiet",
                           "--pdf"], capture_output=True, text=True, timeout=600)
    assert done.returncode == 0, done.stderr
    assert done.stdout.startswith("0 run, "), done.stdout
    assert [path.stat().st_mtime_ns for path in packs] == before


# --- which pages, when current, when refused --------------------------------------------------


def _run(slug: str, notebook: str, *, key: str = "k", sha: str = "s", status: str = "ok",
         year: int = 2024) -> dict:
    indicator = int(notebook[:2]) or None
    return {"id": f"{year}/{slug}/{notebook}", "authority": slug.title(), "slug": slug,
            "region": "North", "year": year, "notebook": notebook, "indicator": indicator,
            "key": key, "status": status, "min_count": 5,
            "outputs": {"publication_html": f"{year}/{slug}/{notebook}.publication.html"},
            "files": {"publication_html": {"sha256": sha}}}


def test_a_pack_is_the_summary_then_the_indicators_in_order_without_the_national_view():
    runs = [_run("a", "03-disciplinary"), _run("a", "00-summary"), _run("a", "01-pay-bands"),
            {**_run("national", "10-benchmark"), "indicator": None}, _run("b", "00-summary")]
    groups = pack_groups(runs)
    assert sorted(groups) == ["2024/a", "2024/b"]
    pages = pack_pages(groups["2024/a"])
    assert [p.notebook for p in pages] == ["00-summary", "01-pay-bands", "03-disciplinary"]
    assert [p.heading for p in pages] == ["Summary", "Indicator 1: Staff in each pay band",
                                          "Indicator 3: Formal disciplinary process"]


def test_a_pack_whose_page_changed_is_removed_and_one_with_a_failed_run_is_not_made(tmp_path):
    runs = [_run("a", "00-summary"), _run("a", "03-disciplinary")]
    key = pack_key(pack_pages(runs))
    (tmp_path / "2024" / "a").mkdir(parents=True)
    pack = tmp_path / "2024" / "a" / pdf.PACK_NAME
    pack.write_bytes(b"%PDF-1.4 old")
    record = {"path": "2024/a/" + pdf.PACK_NAME, "key": key, "bytes": pack.stat().st_size}
    assert pdf.current_packs({"2024/a": record}, runs, tmp_path) == {"2024/a": record}
    assert pdf.stale_packs({"2024/a": record}, runs, {"2024/a"}, tmp_path) == []

    changed = [runs[0], _run("a", "03-disciplinary", sha="another page")]
    assert pdf.stale_packs({"2024/a": record}, changed, {"2024/a"}, tmp_path) == ["2024/a"]
    assert pdf.current_packs({"2024/a": record}, changed, tmp_path) == {}
    assert not pack.exists()

    failed = [runs[0], _run("a", "03-disciplinary", status="failed")]
    assert pdf.stale_packs({}, failed, {"2024/a"}, tmp_path) == []
    made, problems = pdf.make_packs(tmp_path, failed, {}, {"2024/a"})
    assert made == {} and problems == ["data pack 2024/a not made: 03-disciplinary failed"]


def test_links_between_pages_stay_in_the_pack_and_links_elsewhere_become_text():
    page = pack_pages([_run("a", "00-summary"), _run("a", "03-disciplinary")])
    summary = ('<html><head><style>p{}</style></head><body><main><h1>Summary</h1>'
               '<p><a href="03-disciplinary.publication.html">indicator 3</a>, '
               '<a href="../national/10-benchmark.publication.html">national view</a>, '
               '<a href="https://www.gov.uk/">GOV.UK</a>, <a href="#Findings">below</a></p>'
               '</main><footer>Run 2024/a/00-summary</footer></body></html>')
    indicator = ('<html><head><style>p{}</style></head><body><main><h1>Indicator 3</h1>'
                 '<script>alert(1)</script></main></body></html>')
    document = pack_html([(page[0], summary), (page[1], indicator)], authority="A & B",
                         year=2024)
    assert '<a href="#pack-03-disciplinary">indicator 3</a>' in document
    assert "<a>national view</a>" in document
    assert '<a href="https://www.gov.uk/">GOV.UK</a>' in document
    assert '<a href="#Findings">below</a>' in document
    assert document.count("<style>p{}</style>") == 1  # the pages' stylesheets once each
    assert "<script" not in document and "Run 2024/a/00-summary" not in document
    assert document.index('id="pack-00-summary"') < document.index('id="pack-03-disciplinary"')
    assert "<title>SC-WRES data pack: A &amp; B, 2024</title>" in document


def test_a_small_count_planted_in_a_page_stops_its_pack_before_anything_is_printed(
        report_run, tmp_path):
    slug = REPORT_AUTHORITIES[0]
    shutil.copytree(report_run / str(REPORT_YEAR) / slug, tmp_path / str(REPORT_YEAR) / slug,
                    ignore=shutil.ignore_patterns("*.pdf", "*.ipynb"))
    runs = _manifest(report_run)["runs"]
    page = tmp_path / str(REPORT_YEAR) / slug / "03-disciplinary.publication.html"
    text = page.read_text(encoding="utf-8")
    planted = re.sub(r'(<td\b[^>]*\bdata-count=")[^"]*("[^>]*>)[^<]*(</td>)',
                     r"\g<1>3\g<2>3\g<3>", text, count=1)
    assert planted != text
    page.write_text(planted, encoding="utf-8")

    made, problems = pdf.make_packs(tmp_path, runs, {}, {f"{REPORT_YEAR}/{slug}"})
    assert made == {}
    assert len(problems) == 1 and "small count" in problems[0] and ": 3" in problems[0]
    assert not (tmp_path / str(REPORT_YEAR) / slug / pdf.PACK_NAME).exists()
    assert not list((tmp_path / str(REPORT_YEAR) / slug).glob(".*.tmp"))


def test_without_chromium_wres_run_pdf_says_how_to_install_it_and_runs_nothing(
        tmp_path, monkeypatch, capsys):
    from wres.cli import main

    monkeypatch.setattr(pdf.shutil, "which", lambda name: None)
    status = main(["run", "--pdf", "--params", str(tmp_path / "params"),
                   "--output", str(tmp_path / "outputs")])
    assert status == 2
    error = capsys.readouterr().err
    assert "Chromium is not installed" in error and "make browser" in error
    assert "apt-get install chromium" in error
    assert not (tmp_path / "outputs").exists()
