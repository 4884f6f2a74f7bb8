"""Open generated pages in Debian's Chromium through Playwright, offline, as a reader would.

:func:`check_page` loads a local HTML file with every request other than ``file:``
and ``data:`` refused, and returns the console errors, failed requests, links and
page width it saw, with a screenshot if asked. :func:`axe_violations` runs axe-core
(from ``axe-playwright-python``) at WCAG 2.2 A and AA. :func:`check_links` says
which links of a page do not lead to a local file; it needs no browser.
"""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import unquote, urlsplit

import pytest

#: Width of the window pages are checked at: a common laptop screen.
WIDTH = 1280
#: Arguments Chromium needs in a container (no sandbox, no GPU).
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu"]
#: The axe-core rule tags of WCAG 2.2 level A and AA.
WCAG_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"]

_LINKS_JS = "Array.from(document.querySelectorAll('a[href]'), a => a.getAttribute('href'))"


class BrowserError(RuntimeError):
    """Chromium is missing or could not be started."""


@dataclass(frozen=True)
class PageCheck:
    """What loading a page produced.

    Attributes
    ----------
    console_errors : list of str
        Console errors and uncaught exceptions.
    failed_requests : list of str
        ``"<url> (<error>)"`` for every request that failed or was refused.
    links : list of str
        The ``href`` of every link, as written in the page.
    scroll_width : int
        ``document.documentElement.scrollWidth``: wider than the window means the
        page scrolls sideways.
    screenshot : Path or None
        The PNG written, if one was asked for.
    """

    console_errors: list[str]
    failed_requests: list[str]
    links: list[str]
    scroll_width: int
    screenshot: Path | None


def find_chromium() -> Path:
    """Path of Debian's Chromium (``chromium`` or ``chromium-browser`` on the PATH).

    Raises
    ------
    BrowserError
        If neither is installed.
    """
    for name in ("chromium", "chromium-browser"):
        found = shutil.which(name)
        if found:
            return Path(found)
    raise BrowserError("Chromium is not installed: install it with "
                       "'sudo apt-get install chromium' (or run 'make browser')")


def _installed() -> bool:
    try:
        find_chromium()
    except BrowserError:
        return False
    return True


#: Skip a test where Chromium is missing (``make test`` installs it first).
needs_chromium = pytest.mark.skipif(
    not _installed(), reason="Chromium is not installed ('make browser' installs it)")


@contextmanager
def launched() -> Iterator[Any]:
    """A headless Chromium (a Playwright ``Browser``), closed on exit."""
    executable = find_chromium()
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(executable),
                                             args=CHROMIUM_ARGS, headless=True)
        try:
            yield browser
        finally:
            browser.close()


@pytest.fixture(scope="module", name="browser")
def chromium_browser() -> Iterator[Any]:
    """``browser``: one Chromium for the tests of a module that imports this fixture.

    Per module, not per session: Playwright's synchronous API runs one event loop per
    thread, so a browser left open would stop any later test (or `wres run --pdf` in the
    test process) from starting Playwright again.
    """
    if not _installed():
        pytest.skip("Chromium is not installed ('make browser' installs it)")
    with launched() as running:
        yield running


@contextmanager
def opened(browser: Any, html_path: Path, *, width: int = WIDTH,
           timeout: float = 30) -> Iterator[tuple[Any, list[str], list[str]]]:
    """``(page, console_errors, failed_requests)`` for a local page loaded offline.

    Raises
    ------
    FileNotFoundError
        If ``html_path`` does not exist.
    """
    html_path = Path(html_path).resolve()
    if not html_path.is_file():
        raise FileNotFoundError(f"no page to check at {html_path}")
    context = browser.new_context(viewport={"width": width, "height": 900})
    context.set_default_timeout(timeout * 1000)
    errors: list[str] = []
    failed: list[str] = []

    def offline(route: Any) -> None:
        if route.request.url.startswith(("file:", "data:")):
            route.continue_()
        else:
            route.abort("internetdisconnected")

    context.route("**/*", offline)
    page = context.new_page()
    page.on("console", lambda message: errors.append(message.text)
            if message.type in ("error", "assert") else None)
    page.on("pageerror", lambda error: errors.append(str(error)))
    page.on("requestfailed", lambda request: failed.append(
        f"{request.url} ({request.failure or 'failed'})"))
    try:
        page.goto(html_path.as_uri(), wait_until="load")
        yield page, errors, failed
    finally:
        context.close()


def check_page(html_path: Path, screenshot: Path | None = None, *, browser: Any = None,
               width: int = WIDTH, timeout: float = 30) -> PageCheck:
    """Load ``html_path`` offline at ``width`` pixels and report what a reader's browser saw.

    Starts a Chromium of its own unless ``browser`` is given; ``screenshot`` is
    a full-page PNG.

    Raises
    ------
    FileNotFoundError
        If ``html_path`` does not exist.
    BrowserError
        If Chromium is not installed.
    """
    if not Path(html_path).is_file():
        raise FileNotFoundError(f"no page to check at {Path(html_path).resolve()}")
    if browser is None:
        with launched() as own:
            return check_page(html_path, screenshot, browser=own, width=width, timeout=timeout)
    with opened(browser, html_path, width=width, timeout=timeout) as (page, errors, failed):
        page.wait_for_timeout(100)  # late console messages and failed loads
        links = [str(link) for link in page.evaluate(_LINKS_JS)]
        scroll_width = int(page.evaluate("document.documentElement.scrollWidth"))
        if screenshot is not None:
            page.screenshot(path=str(screenshot), full_page=True)
        return PageCheck(console_errors=list(errors), failed_requests=list(failed),
                         links=links, scroll_width=scroll_width,
                         screenshot=Path(screenshot) if screenshot is not None else None)


def axe_violations(page: Any) -> list[dict[str, Any]]:
    """axe-core's violations of WCAG 2.2 A and AA on an open page."""
    from axe_playwright_python.sync_playwright import Axe

    options = {"runOnly": {"type": "tag", "values": WCAG_TAGS}, "resultTypes": ["violations"]}
    return list(Axe().run(page, options=options).response["violations"])


def describe(violations: list[dict[str, Any]]) -> str:
    """One line per failing element: rule id, CSS target and the rule's help text."""
    lines = []
    for violation in violations:
        for node in violation["nodes"]:
            lines.append(f"{violation['id']} ({violation['impact']}): {node['target']} - "
                         f"{violation['help']}: {node.get('failureSummary', '')}".strip())
    return "\n".join(lines)


def check_links(html_path: Path, links: list[str]) -> list[str]:
    """Links that do not lead to an existing local file.

    Relative links are resolved against the page's folder; fragments and
    ``mailto:`` links are ignored; any other scheme (``http``, ``https`` ...)
    counts as external and is reported.
    """
    folder = Path(html_path).resolve().parent
    broken = []
    for link in links:
        parts = urlsplit(link.strip())
        if parts.scheme == "mailto" or (not parts.scheme and not parts.netloc and not parts.path):
            continue
        if parts.scheme == "file" and not parts.netloc:
            target = Path(unquote(parts.path))
        elif parts.scheme or parts.netloc:
            broken.append(link)
            continue
        else:
            target = folder / unquote(parts.path)
        if not target.is_file():
            broken.append(link)
    return broken
