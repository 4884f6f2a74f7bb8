"""What a PDF data pack holds: which publication pages, in what order, as one HTML document.

An authority-year's pack is its summary, then indicators 1 to 9 (those run),
each a publication page the manifest records as done (`pack_pages`); its key
is the hash of those pages' runs, run keys and sha256 (`pack_key`), so a pack
is printed again only when a page changed. `pack_html` puts the pages' main
contents into one document for `wres.batch.pdf` to print: a cover with the
contents, a section per page (each from a new page on paper), and a last page
naming the pages it was made from with their sha256.
"""

from __future__ import annotations

import hashlib
import html
import json
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any
from urllib.parse import unquote, urlsplit

from wres.core.indicators import INDICATORS
from wres.core.names import BENCHMARK, NATIONAL_SLUG, SUMMARY
from wres.core.paths import TEMPLATES


class PackNotReady(ValueError):
    """An authority-year whose pages cannot all be put in a pack (a run failed)."""


@dataclass(frozen=True)
class PackPage:
    """One publication page of a pack, as the manifest records its run."""

    run_id: str
    notebook: str
    heading: str
    path: str
    key: str
    sha256: str


def pack_groups(runs: Iterable[Mapping[str, Any]]) -> dict[str, list[Mapping[str, Any]]]:
    """Each authority-year's report runs, ``"2024/ashbourne-vale"`` -> summary, then 01..09."""
    groups: dict[str, list[Mapping[str, Any]]] = {}
    for run in runs:
        if run.get("slug") == NATIONAL_SLUG or run.get("notebook") == BENCHMARK:
            continue
        groups.setdefault(f"{run['year']}/{run['slug']}", []).append(run)
    for members in groups.values():
        members.sort(key=lambda run: str(run.get("notebook")))  # 00-summary sorts first
    return groups


def pack_pages(group: Sequence[Mapping[str, Any]]) -> list[PackPage]:
    """The publication pages of one authority-year, in pack order.

    Raises
    ------
    PackNotReady
        If the group is empty or one of its runs failed (its page is not current).
    """
    if not group:
        raise PackNotReady("no report of this authority and year is recorded")
    failed = [str(run.get("notebook")) for run in group if run.get("status") != "ok"]
    if failed:
        raise PackNotReady(f"{', '.join(failed)} failed")
    pages = []
    for run in group:
        path = (run.get("outputs") or {}).get("publication_html")
        if not path:
            raise PackNotReady(f"{run.get('notebook')} has no publication page")
        facts = (run.get("files") or {}).get("publication_html") or {}
        indicator = run.get("indicator")
        heading = (f"Indicator {indicator}: {INDICATORS[int(indicator)].title}"
                   if indicator else "Summary" if run.get("notebook") == SUMMARY
                   else str(run.get("title") or run.get("notebook")))
        pages.append(PackPage(run_id=str(run["id"]), notebook=str(run["notebook"]),
                              heading=heading, path=str(path), key=str(run.get("key")),
                              sha256=str(facts.get("sha256") or "")))
    return pages


def pack_key(pages: Sequence[PackPage]) -> str:
    """Hash of what a pack is made from: each page's run, run key and sha256."""
    made_from = [(page.run_id, page.key, page.sha256) for page in pages]
    return hashlib.sha256(json.dumps(made_from).encode()).hexdigest()


def pack_html(pages: Sequence[tuple[PackPage, str]], *, authority: str, year: int,
              region: str | None = None, printed: str = "") -> str:
    """One HTML document of the pages' main contents: cover, pages, then what it was made from.

    Each page becomes a ``section.pack-page`` (a page break before it); links
    between pages of the pack become links within the document, links to
    anything else become plain text; the pages' stylesheets are kept once each.
    """
    stems = {page.notebook for page, _ in pages}
    styles: dict[str, None] = {}
    sections, headings = [], []
    for page, text in pages:
        styles.update(dict.fromkeys(_styles(text)))
        body = _links(_main(text), stems)
        heading = _first_heading(body) or page.heading  # as the page itself is headed
        headings.append((page, heading))
        sections.append(f'<section class="pack-page" id="pack-{page.notebook}" '
                        f'aria-label="{html.escape(heading)}">\n{body}\n</section>')
    name = html.escape(authority)
    contents = "\n".join(f'<li><a href="#pack-{page.notebook}">{html.escape(heading)}</a></li>'
                         for page, heading in headings)
    place = f", {html.escape(region)}" if region else ""
    cover = (f'<section class="pack-cover" aria-label="Cover">\n'
             f'<p class="pack-kind">Social Care Workforce Race Equality Standard: data pack</p>\n'
             f'<h1 class="pack-title">{name}</h1>\n<p class="pack-year">{year}{place}</p>\n'
             f"<h2>Contents</h2>\n<ol>\n{contents}\n</ol>\n"
             f'<p class="pack-note">The publication pages of {name} for {year}, each from a new '
             f"page. Figures from small numbers of staff are withheld as on the pages. "
             f"{html.escape(printed)}</p>\n</section>")
    css = (TEMPLATES / "print.css").read_text(encoding="utf-8")
    return ("<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n"
            f"<title>SC-WRES data pack: {name}, {year}</title>\n" + "\n".join(styles)
            + f"\n<style>\n{css}</style>\n</head>\n<body>\n{cover}\n" + "\n".join(sections)
            + f"\n{_about(headings)}\n</body>\n</html>\n")


def _first_heading(body: str) -> str:
    """The text of the first ``<h1>`` of a page's body, without its anchor link."""
    found = re.search(r"<h1\b[^>]*>(.*?)</h1>", body, re.S | re.I)
    if not found:
        return ""
    text = re.sub(r'<a\b[^>]*class="anchor-link".*?</a>|<[^>]+>', "", found.group(1), flags=re.S)
    return " ".join(html.unescape(text).replace("¶", "").split())


def _styles(text: str) -> list[str]:
    """The page's ``<style>`` and stylesheet ``<link>`` elements of its head."""
    head = re.search(r"<head\b[^>]*>(.*?)</head>", text, re.S | re.I)
    return re.findall(r"<style\b[^>]*>.*?</style>|<link\b[^>]*\bstylesheet\b[^>]*>",
                      head.group(1) if head else "", re.S | re.I)


def _main(text: str) -> str:
    """What is inside the page's ``<main>`` (its ``<body>`` when it has none)."""
    for tag in ("main", "body"):
        found = re.search(rf"<{tag}\b[^>]*>(.*)</{tag}>", text, re.S | re.I)
        if found:
            return re.sub(r"<script\b.*?</script>", "", found.group(1), flags=re.S | re.I)
    return text


def _links(body: str, stems: set[str]) -> str:
    """Links to pages of the pack point within it; other relative links are dropped."""

    def relink(match: re.Match[str]) -> str:
        tag, href = match.group(1), html.unescape(match.group(2))
        if href.startswith(("#", "https://", "http://", "mailto:")):
            return match.group(0)
        name = unquote(urlsplit(href).path).rsplit("/", 1)[-1]
        stem = name.removesuffix(".html").removesuffix(".publication")
        if name.endswith(".publication.html") and stem in stems and "/" not in href:
            return f'{tag} href="#pack-{stem}"'
        return tag

    return re.sub(r'(<a\b[^>]*?)\s+href="([^"]*)"', relink, body, flags=re.I)


def _about(headings: Sequence[tuple[PackPage, str]]) -> str:
    rows = "\n".join(
        f"<tr><th scope=\"row\">{html.escape(heading)}</th>"
        f"<td><code>{html.escape(page.path)}</code></td><td><code>{page.sha256}</code></td></tr>"
        for page, heading in headings)
    return ('<section class="pack-about" aria-labelledby="pack-about">\n'
            '<h2 id="pack-about">What this data pack was made from</h2>\n'
            "<p>Each section is a publication page of this authority and year, printed "
            "unchanged. The sha256 of each page lets a reader check it against the published "
            "page.</p>\n<table>\n<caption>Publication pages in this pack</caption>\n"
            '<thead><tr><th scope="col">Section</th><th scope="col">Page</th>'
            f'<th scope="col">sha256</th></tr></thead>\n<tbody>\n{rows}\n</tbody>\n</table>\n'
            "</section>")


def count_pages(pdf: bytes) -> int:
    """Pages of a PDF as Chromium writes it (one ``/Type /Page`` object each)."""
    return len(re.findall(rb"/Type\s*/Page(?![A-Za-z])", pdf))
