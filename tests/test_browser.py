"""What a reader's browser sees of the index page: Playwright driving Debian's Chromium.

Pages are opened from ``file://`` with every other request refused (`chromium.check_page`),
as a reviewer opens them from a shared folder: no console error, no request that fails,
every link leading to a local file, no sideways scrolling at 1280 pixels, and a filter
by region and authority that works without a server.
"""

from __future__ import annotations

import struct

import chromium
import pytest
from chromium import BrowserError, check_links, check_page, needs_chromium, opened
from chromium import chromium_browser as chromium_browser  # the `browser` fixture
from test_site import make_site

BAD_PAGE = """<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><title>broken</title></head>
<body><p>A page that goes wrong.</p>
<img src="https://example.invalid/x.png" alt="missing picture">
<script>console.error("deliberate console error");</script>
</body></html>
"""

VISIBLE_ROWS = ("Array.from(document.querySelectorAll('tr[data-authority]'))"
                ".filter(row => row.offsetParent !== null)"
                ".map(row => row.dataset.authority)")


def png_size(data: bytes) -> tuple[int, int]:
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    assert data[12:16] == b"IHDR"
    return struct.unpack(">II", data[16:24])


@needs_chromium
def test_generated_index_loads_cleanly_with_every_link_resolving(tmp_path, browser):
    index = make_site(tmp_path)
    shot = tmp_path / "index.png"
    check = check_page(index, screenshot=shot, browser=browser)
    assert check.console_errors == []
    assert check.failed_requests == []
    assert "2024/national/10-benchmark.publication.html" in check.links
    assert "#failure-2024-ashbourne-vale-03-disciplinary" in check.links
    assert len(check.links) > 20
    assert check_links(index, check.links) == []
    assert check.screenshot == shot
    width, height = png_size(shot.read_bytes())
    assert width == 1280 and height >= 600
    assert shot.stat().st_size > 20_000


@needs_chromium
def test_console_errors_and_failed_requests_are_reported(tmp_path, browser):
    page = tmp_path / "broken.html"
    page.write_text(BAD_PAGE, encoding="utf-8")
    check = check_page(page, browser=browser)
    assert any("deliberate console error" in error for error in check.console_errors)
    assert any(request.startswith("https://example.invalid/x.png")
               for request in check.failed_requests)
    assert check.links == []
    assert check.screenshot is None


@needs_chromium
def test_uncaught_exceptions_are_console_errors(tmp_path, browser):
    page = tmp_path / "throws.html"
    page.write_text('<!DOCTYPE html><title>t</title><a href="gone.html">gone</a>'
                    "<script>notDefinedAnywhere();</script>", encoding="utf-8")
    check = check_page(page, browser=browser)
    assert any("notDefinedAnywhere is not defined" in error for error in check.console_errors)
    assert check.links == ["gone.html"]
    assert check_links(page, check.links) == ["gone.html"]


@needs_chromium
def test_a_page_wider_than_the_window_is_measured(tmp_path, browser):
    page = tmp_path / "wide.html"
    page.write_text('<!DOCTYPE html><title>w</title><div style="width:2000px">x</div>')
    assert check_page(page, browser=browser).scroll_width >= 2000


@needs_chromium
def test_the_index_of_a_report_run_has_no_sideways_scroll_at_1280_pixels(report_run,
                                                                        browser):
    index = report_run / "index.html"
    check = check_page(index, browser=browser)
    assert check.console_errors == [] and check.failed_requests == []
    assert check.scroll_width <= 1280
    with opened(browser, index) as (page, _, _):
        # The tables fit too: not even their own box scrolls at this width.
        overflow = page.evaluate("Array.from(document.querySelectorAll('.table-wrapper'),"
                                 " box => box.scrollWidth - box.clientWidth)")
        assert overflow and max(overflow) <= 0
    assert len(check.links) > 20
    assert check_links(index, check.links) == []


@needs_chromium
def test_the_filter_keeps_only_the_chosen_region_and_authority(tmp_path, browser):
    index = make_site(tmp_path)
    with opened(browser, index) as (page, errors, _):
        assert page.is_visible("#filter")
        assert page.evaluate(VISIBLE_ROWS) == ["Ashbourne Vale", "Brightwater"]
        assert page.inner_text("#filter-status") == "Showing 2 of 2 authorities."
        page.select_option("#filter-region", label="South")
        assert page.evaluate(VISIBLE_ROWS) == ["Brightwater"]
        assert page.inner_text("#filter-status") == "Showing 1 of 2 authorities."
        page.select_option("#filter-region", value="")
        page.get_by_label("Authority").fill("ashb")
        assert page.evaluate(VISIBLE_ROWS) == ["Ashbourne Vale"]
        page.select_option("#filter-region", label="South")
        assert page.evaluate(VISIBLE_ROWS) == []
        assert page.inner_text("#filter-status") == "Showing 0 of 2 authorities."
        page.get_by_label("Authority").press("Enter")  # submitting does not leave the page
        assert page.url == index.resolve().as_uri()
        assert errors == []


@needs_chromium
def test_without_javascript_every_row_shows_and_the_filter_stays_hidden(tmp_path,
                                                                        browser):
    index = make_site(tmp_path)
    context = browser.new_context(java_script_enabled=False, viewport={"width": 1280,
                                                                         "height": 900})
    try:
        page = context.new_page()
        page.goto(index.resolve().as_uri())
        assert not page.is_visible("#filter")
        assert [row.get_attribute("data-authority")
                for row in page.query_selector_all("tr[data-authority]")
                if row.is_visible()] == ["Ashbourne Vale", "Brightwater"]
    finally:
        context.close()


def test_check_links_reports_missing_files_and_external_links(tmp_path):
    (tmp_path / "2024").mkdir()
    (tmp_path / "2024" / "report one.html").write_text("r")
    page = tmp_path / "index.html"
    page.write_text("i")
    links = ["2024/report%20one.html", "2024/report%20one.html#findings", "#top", "",
             "mailto:wres@example.org", page.as_uri(), "2024/missing.html",
             "https://example.org/x", "http://localhost/y", "//cdn.example.org/z.css"]
    assert check_links(page, links) == [
        "2024/missing.html", "https://example.org/x", "http://localhost/y",
        "//cdn.example.org/z.css",
    ]


def test_missing_page_is_an_error(tmp_path):
    with pytest.raises(FileNotFoundError, match="no page to check"):
        check_page(tmp_path / "absent.html")


def test_missing_chromium_is_a_clear_error(tmp_path, monkeypatch):
    page = tmp_path / "index.html"
    page.write_text("<p>x</p>")
    monkeypatch.setattr(chromium.shutil, "which", lambda name: None)
    with pytest.raises(BrowserError, match="Chromium is not installed.*apt-get install chromium"):
        check_page(page)
