"""`check_page` and `check_links`: what a reader's browser sees of a generated page."""

from __future__ import annotations

import shutil
import struct

import browser
import pytest
from browser import BrowserError, check_links, check_page
from test_site import make_site

needs_chromium = pytest.mark.skipif(
    not (shutil.which("chromium") or shutil.which("chromium-browser")),
    reason="Chromium is not installed ('make test' installs it with apt-get)",
)

BAD_PAGE = """<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><title>broken</title></head>
<body><p>A page that goes wrong.</p>
<img src="https://example.invalid/x.png" alt="missing picture">
<script>console.error("deliberate console error");</script>
</body></html>
"""


def png_size(data: bytes) -> tuple[int, int]:
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    assert data[12:16] == b"IHDR"
    return struct.unpack(">II", data[16:24])


@needs_chromium
def test_generated_index_loads_cleanly_with_every_link_resolving(tmp_path):
    index = make_site(tmp_path)
    shot = tmp_path / "index.png"
    check = check_page(index, screenshot=shot, timeout=30)
    assert check.console_errors == []
    assert check.failed_requests == []
    assert "2024/national/10-benchmark.publication.html" in check.links
    assert "#failure-2024-ashbourne-vale-03-disciplinary" in check.links
    assert len(check.links) > 20
    assert check_links(index, check.links) == []
    assert check.screenshot == shot
    width, height = png_size(shot.read_bytes())
    assert width >= 1000 and height >= 600
    assert shot.stat().st_size > 20_000


@needs_chromium
def test_console_errors_and_failed_requests_are_reported(tmp_path):
    page = tmp_path / "broken.html"
    page.write_text(BAD_PAGE, encoding="utf-8")
    check = check_page(page, timeout=30)
    assert any("deliberate console error" in error for error in check.console_errors)
    assert any(request.startswith("https://example.invalid/x.png")
               for request in check.failed_requests)
    assert check.links == []
    assert check.screenshot is None


@needs_chromium
def test_uncaught_exceptions_are_console_errors(tmp_path):
    page = tmp_path / "throws.html"
    page.write_text('<!DOCTYPE html><title>t</title><a href="gone.html">gone</a>'
                    "<script>notDefinedAnywhere();</script>", encoding="utf-8")
    check = check_page(page, timeout=30)
    assert any("notDefinedAnywhere is not defined" in error for error in check.console_errors)
    assert check.links == ["gone.html"]
    assert check_links(page, check.links) == ["gone.html"]


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
    monkeypatch.setattr(browser.shutil, "which", lambda name: None)
    with pytest.raises(BrowserError, match="Chromium is not installed.*apt-get install chromium"):
        check_page(page)
