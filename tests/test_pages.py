"""Every section of every page says something: no heading stands alone.

A reader who meets a heading with nothing under it cannot tell whether the section is
empty, broken or withheld. Where a section cannot be shown (the indicator not submitted,
last year's figure withheld, no earlier year), one sentence says why. These tests read
the pages of the shared `report_run` (tests/conftest.py) with an HTML parser.
"""

from __future__ import annotations

import functools
import json
import re
from html import unescape
from html.parser import HTMLParser
from pathlib import Path

import pytest

#: Elements that give a section something to read or look at.
CONTENT = {"p", "table", "ul", "ol", "dl", "figure", "img", "svg"}
#: Elements whose text is never read as the page's content.
SKIPPED = {"style", "script", "head", "title", "template"}
HEADING = re.compile(r"^h([1-4])$")


class _Sections(HTMLParser):
    """Headings h1-h4 in page order, each with whether content follows it in its section."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.headings: list[tuple[int, str, bool]] = []
        self._open: list[int] = []  # indexes into headings whose section is still open
        self._in_heading: int | None = None
        self._content_depth = 0
        self._skipped_depth = 0

    def _close(self, level: int) -> None:
        self._open = [i for i in self._open if self.headings[i][0] < level]

    def _satisfy(self) -> None:
        for i in self._open:
            level, text, _ = self.headings[i]
            self.headings[i] = (level, text, True)

    def handle_starttag(self, tag: str, attrs: list) -> None:
        if tag in SKIPPED:
            self._skipped_depth += 1
            return
        match = HEADING.match(tag)
        if match:
            level = int(match.group(1))
            self._close(level)
            self.headings.append((level, "", False))
            self._in_heading = len(self.headings) - 1
            return
        if tag in {"img", "svg"} and self._in_heading is None:
            self._satisfy()
        if tag in CONTENT:
            self._content_depth += 1

    def handle_startendtag(self, tag: str, attrs: list) -> None:
        if tag in {"img", "svg"} and self._in_heading is None and not self._skipped_depth:
            self._satisfy()

    def handle_endtag(self, tag: str) -> None:
        if tag in SKIPPED:
            self._skipped_depth = max(0, self._skipped_depth - 1)
        elif HEADING.match(tag) and self._in_heading is not None:
            self._open.append(self._in_heading)
            self._in_heading = None
        elif tag in CONTENT:
            self._content_depth = max(0, self._content_depth - 1)

    def handle_data(self, data: str) -> None:
        if self._skipped_depth or not data.strip():
            return
        if self._in_heading is not None:
            level, text, done = self.headings[self._in_heading]
            self.headings[self._in_heading] = (level, (text + data).replace("¶", "").strip(),
                                               done)
        elif self._content_depth:
            self._satisfy()


def empty_sections(page: str) -> list[str]:
    """The headings of ``page`` with no paragraph, table, figure or list in their section."""
    parser = _Sections()
    parser.feed(page)
    parser.close()
    return [f"h{level} {text!r}" for level, text, done in parser.headings if not done]


def test_the_scanner_finds_a_heading_with_nothing_under_it():
    page = ("<h1>Report</h1><p>Intro.</p><h2>Findings</h2><div><p> </p></div>"
            "<h2>Figure</h2><img alt='x' src='x.png'><h2>Change</h2><h3>Total</h3>"
            "<ul><li>Up.</li></ul><h2>Unknown</h2><style>p {}</style>")
    assert empty_sections(page) == ["h2 'Findings'", "h2 'Unknown'"]


def test_a_section_whose_only_content_is_under_a_subheading_is_not_empty():
    assert empty_sections("<h2>Change</h2><h3>Total</h3><p>Rose.</p>") == []


def _pages(report: Path) -> list[Path]:
    return sorted(report.rglob("*.html"))


def test_no_page_of_the_report_has_an_empty_section(report_run):
    pages = _pages(report_run)
    assert any(p.name.endswith(".publication.html") for p in pages)
    problems = {str(p.relative_to(report_run)): empty_sections(p.read_text(encoding="utf-8"))
                for p in pages}
    problems = {page: headings for page, headings in problems.items() if headings}
    assert problems == {}, "headings with nothing under them:\n" + "\n".join(
        f"{page}: {', '.join(headings)}" for page, headings in problems.items())


def _section_text(page: str, heading: str) -> str:
    """Plain text, as a reader sees it, from ``heading`` (an h2) to the next h2 or the end."""
    start = page.index(heading)
    end = page.find("<h2", start + len(heading))
    text = re.sub(r"<[^>]+>", " ", page[start:] if end < 0 else page[start:end])
    return re.sub(r"\s+", " ", unescape(text))  # &#x27; is the apostrophe the reader sees


@pytest.mark.parametrize("suffix", [".publication.html", ".html"])
def test_ashbourne_vale_disciplinary_says_why_there_is_no_change(report_run, suffix):
    """Its 2023 all-services ratio is withheld (few cases), so the change cannot be given."""
    page = (report_run / "2024" / "ashbourne-vale" / f"03-disciplinary{suffix}").read_text(
        encoding="utf-8")
    text = _section_text(page, "Change since last year")
    if suffix == ".publication.html":
        assert ("Last year's figure was withheld to protect small counts, so no change can "
                "be given.") in text
    else:
        assert "Since 2023 the relative likelihood" in text


# --- the fix, not the safety net: every section the notebook publishes is on the page ---------

ROOT = Path(__file__).resolve().parents[1]


@functools.cache
def _published_headings(notebook: Path) -> list[str]:
    """The headings of a notebook's markdown cells tagged ``publish``, in order."""
    cells = json.loads(notebook.read_text(encoding="utf-8"))["cells"]
    return [line.lstrip("#").strip() for cell in cells
            if cell["cell_type"] == "markdown" and "publish" in cell["metadata"].get("tags", [])
            for line in "".join(cell["source"]).splitlines() if re.match(r"#{1,4} ", line)]


def _page_headings(page: str) -> list[str]:
    parser = _Sections()
    parser.feed(page)
    return [text for _, text, _ in parser.headings]


def test_no_section_is_dropped_from_a_publication_page(report_run):
    """The renderer drops a heading left with nothing under it (a safety net): here none is."""
    checked = 0
    for page in sorted(report_run.rglob("*.publication.html")):
        notebook = ROOT / "notebooks" / page.name.replace(".publication.html", ".ipynb")
        if not notebook.is_file():
            continue
        headings = _page_headings(page.read_text(encoding="utf-8"))
        missing = [h for h in _published_headings(notebook) if h not in headings]
        assert missing == [], f"{page.relative_to(report_run)} lost {missing}"
        checked += 1
    assert checked >= 20  # two authorities' summary and nine indicators, and the national view


def test_an_indicator_not_submitted_says_so_in_every_section(tmp_path):
    """Eastmarsh did not submit indicator 6 for 2024: each section says why it is empty."""
    import papermill

    from wres.batch.render import render_html

    executed = papermill.execute_notebook(
        str(ROOT / "notebooks" / "06-harassment-public.ipynb"), None,
        cwd=str(ROOT / "notebooks"), kernel_name="python3", progress_bar=False,
        parameters={"authority": "Eastmarsh", "year": 2024, "profile": "publication",
                    "data": str(ROOT / "data" / "sample" / "eastmarsh.csv"),
                    "output_dir": str(tmp_path)})
    page = render_html(executed, "publication", title="t")
    assert empty_sections(page) == []
    assert _published_headings(ROOT / "notebooks" / "06-harassment-public.ipynb") == [
        h for h in _page_headings(page) if h != "t"]
    text = re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", page))
    for sentence in ("so there are no results to show", "so there are no findings",
                     "so there is no figure", "so there are no counts of staff whose ethnicity "
                     "is not known", "so no change since last year can be given"):
        assert f"Not submitted for 2024, {sentence}." in text
