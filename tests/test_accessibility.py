"""Every page type passes axe-core at WCAG 2.2 A and AA, is built to be read, and is light.

The pages are those of the shared `report_run` (tests/conftest.py): one analyst page, one
publication indicator page, the summary and the national view in both profiles, and the
index. axe-core runs in Debian's Chromium through Playwright (`chromium.axe_violations`);
a failure prints each violation's rule, element and help text.
"""

from __future__ import annotations

import base64
import io
import re
import statistics
from html.parser import HTMLParser
from pathlib import Path

import pytest
from chromium import axe_violations, describe, needs_chromium, opened
from chromium import chromium_browser as chromium_browser  # the `browser` fixture
from PIL import Image

from wres.batch.render import stylesheet
from wres.present.figures.common import PNG_COLOURS, figure_to_html

YEAR = "2024"
#: One page of each type, by what a reader calls it.
PAGES = {
    "analyst indicator page": f"{YEAR}/ashbourne-vale/03-disciplinary.html",
    "publication indicator page": f"{YEAR}/ashbourne-vale/03-disciplinary.publication.html",
    "analyst summary": f"{YEAR}/ashbourne-vale/00-summary.html",
    "publication summary": f"{YEAR}/ashbourne-vale/00-summary.publication.html",
    "analyst national view": f"{YEAR}/national/10-benchmark.html",
    "publication national view": f"{YEAR}/national/10-benchmark.publication.html",
    "index": "index.html",
}
#: The issue's target for a page without its figures.
PAGE_BUDGET = 40_000
_IMAGE = re.compile(r'<img\b[^>]*\bsrc="data:image/png;base64,([^"]+)"[^>]*>')


@needs_chromium
@pytest.mark.parametrize("kind", list(PAGES))
def test_no_axe_violations_at_wcag_22_aa(report_run: Path, browser, kind: str) -> None:
    with opened(browser, report_run / PAGES[kind]) as (page, errors, failed):
        violations = axe_violations(page)
        assert violations == [], f"{kind}: {PAGES[kind]}\n{describe(violations)}"
        assert errors == [] and failed == []


class _Outline(HTMLParser):
    """The things a reader (or a screen reader) finds a page by."""

    def __init__(self) -> None:
        super().__init__()
        self.lang: str | None = None
        self.title = ""
        self.headings: list[int] = []
        self.mains = 0
        self.tables = 0
        self.captions = 0
        self.images: list[str | None] = []
        self.unscoped_headers = 0
        self._in_title = False

    def handle_starttag(self, tag: str, attrs: list) -> None:
        found = dict(attrs)
        if tag == "html":
            self.lang = found.get("lang")
        elif tag == "title":
            self._in_title = True
        elif re.fullmatch(r"h[1-6]", tag):
            self.headings.append(int(tag[1]))
        elif tag == "main":
            self.mains += 1
        elif tag == "table":
            self.tables += 1
        elif tag == "caption":
            self.captions += 1
        elif tag == "img":
            self.images.append(found.get("alt"))
        elif tag == "th" and "scope" not in found:
            self.unscoped_headers += 1

    def handle_endtag(self, tag: str) -> None:
        if tag == "title":
            self._in_title = False

    def handle_data(self, data: str) -> None:
        if self._in_title:
            self.title += data


def outline(path: Path) -> _Outline:
    parser = _Outline()
    parser.feed(path.read_text(encoding="utf-8"))
    return parser


@pytest.mark.parametrize("kind", list(PAGES))
def test_each_page_has_a_language_title_one_h1_a_main_and_headings_in_order(
        report_run: Path, kind: str) -> None:
    page = outline(report_run / PAGES[kind])
    assert page.lang == "en-GB"
    assert page.title.strip()
    assert page.headings.count(1) == 1 and page.headings[0] == 1
    assert page.mains == 1
    steps = [(before, after) for before, after in zip(page.headings, page.headings[1:],
                                                      strict=False) if after > before + 1]
    assert steps == [], f"{kind}: a heading level is skipped going down: {steps}"
    assert all(alt and len(alt) > 20 for alt in page.images), "an image without alt text"


@pytest.mark.parametrize("kind", [kind for kind in PAGES if "publication" in kind])
def test_publication_tables_have_captions_and_scoped_headers(report_run: Path,
                                                             kind: str) -> None:
    page = outline(report_run / PAGES[kind])
    assert page.tables >= 1
    assert page.captions == page.tables
    assert page.unscoped_headers == 0


# --- light and self-contained ------------------------------------------------------------------


def _without_figures(text: str) -> str:
    return re.sub(r"<img\b[^>]*>", "", text)


def test_publication_pages_without_figures_weigh_under_40_kb(report_run: Path) -> None:
    pages = sorted(report_run.rglob("*.publication.html"))
    assert len(pages) >= 10
    sizes = {page.name: len(_without_figures(page.read_text(encoding="utf-8")).encode())
             for page in pages}
    assert statistics.median(sizes.values()) < PAGE_BUDGET, sizes


def test_pages_carry_our_stylesheet_and_nothing_of_jupyterlab(report_run: Path) -> None:
    css = stylesheet()
    assert 3_000 < len(css) < 12_000  # our own few rules, not lab's 263 KB
    for kind, name in PAGES.items():
        text = (report_run / name).read_text(encoding="utf-8")
        head = text[:text.index("</head>")]
        assert css.strip() in head, kind
        assert "--jp-" not in text and "jp-theme" not in text, kind
        assert not re.search(r"<link\b[^>]*stylesheet|<script\b[^>]*\bsrc=", text), kind
        if kind != "index":
            assert "<script" not in text, kind


def test_figures_are_embedded_as_palette_pngs(report_run: Path) -> None:
    text = (report_run / PAGES["publication indicator page"]).read_text(encoding="utf-8")
    images = _IMAGE.findall(text)
    assert images
    for data in images:
        with Image.open(io.BytesIO(base64.b64decode(data))) as image:
            assert image.format == "PNG" and image.mode == "P"
            assert len(image.getcolors() or []) <= PNG_COLOURS


def test_a_palette_figure_looks_like_the_full_colour_one_at_a_third_of_the_size() -> None:
    import matplotlib
    import numpy as np
    import pandas as pd

    from wres.present.figures import forest_plot
    from wres.present.figures.common import TEXT_RENDERING

    rows = pd.DataFrame({
        "authority": "A", "year": 2024, "indicator": 3, "measure": "disciplinary",
        "group": "minority", "reference_group": "white", "confidence_level": 0.95,
        "service": ["all", "adults", "children"], "relative_likelihood": [2.6, 2.4, 3.1],
        "rl_lower": [1.4, 1.1, 0.9], "rl_upper": [4.9, 5.2, 10.4],
        "flag": "above", "status": "ok"})
    fig, alt = forest_plot(rows)
    full = io.BytesIO()
    with matplotlib.rc_context(TEXT_RENDERING):  # the text as figure_to_html draws it
        fig.savefig(full, format="png", dpi=fig.dpi)
    data = base64.b64decode(_IMAGE.search(figure_to_html(fig, alt)).group(1))
    assert len(data) < len(full.getvalue()) / 2.5
    with Image.open(full) as original, Image.open(io.BytesIO(data)) as palette:
        assert palette.size == original.size
        before = np.asarray(original.convert("RGB"), dtype=float)
        after = np.asarray(palette.convert("RGB"), dtype=float)
    assert np.abs(before - after).mean() < 1.5  # out of 255: the same picture to the eye
