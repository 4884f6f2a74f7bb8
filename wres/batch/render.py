"""Turn an executed notebook into an analyst page or a publication page.

The analyst page shows the whole notebook: code, tables, figures, logs. The
publication page is built from an allow-list: only markdown cells tagged
`PUBLISH` and the displayed outputs (``display_data``) of code cells tagged
`PUBLISH` reach it; code, stdout and stderr, warnings, errors, results of a
cell's last expression, untagged and ``analyst-only`` cells never do. A
heading left with nothing under it is dropped. Before a publication page is
returned it is checked (:func:`publication_problems`); a page that fails is
never written.

Exporters are created once and reused (a fresh ``jupyter nbconvert`` process
costs over a second of imports per page). Pages are self-contained and slim: one
small stylesheet of our own (``templates/wres-report/wres.css``, shared
with the index page) is inlined, figures are embedded, no script is loaded and no
JupyterLab theme CSS is carried.
"""

from __future__ import annotations

import copy
import re
from collections.abc import Iterable
from functools import lru_cache
from importlib.resources import files
from pathlib import Path
from typing import Any

import nbformat
from nbconvert import HTMLExporter
from nbconvert.filters.strings import clean_html as bleach_clean_html
from pygments import highlight  # type: ignore[import-untyped]
from pygments.filter import simplefilter  # type: ignore[import-untyped]
from pygments.formatters import HtmlFormatter  # type: ignore[import-untyped]
from pygments.lexers import get_lexer_by_name  # type: ignore[import-untyped]
from pygments.token import Token  # type: ignore[import-untyped]
from pygments.util import ClassNotFound  # type: ignore[import-untyped]

from wres.core.names import PROFILES

#: The tag that lets a cell's markdown or displayed output reach a publication page.
PUBLISH = "publish"
#: The tag of cells that show data to analysts only (documentation: never published).
ANALYST_ONLY = "analyst-only"
#: The tag of the cell papermill fills with each run's parameters.
PARAMETERS = "parameters"
TAGS = (PARAMETERS, PUBLISH, ANALYST_ONLY)
_TEMPLATE = "wres-report"
_STYLESHEET = ("templates", _TEMPLATE, "wres.css")
_HEADING = re.compile(r"^\s*(#{1,6})\s+\S[^\n]*\s*$")


class UnsafePage(RuntimeError):
    """A publication page that failed its checks and must not be written."""


#: ``<img`` tags without an ``alt`` attribute.
_NO_ALT = re.compile(r"<img(?![^>]*\balt=)")
_MISSING_ALT = "No description has been provided for this image"


class PageExporter(HTMLExporter):
    """nbconvert's HTML exporter without its re-parse of every page it makes.

    `HTMLExporter.from_notebook_node` parses the finished page with BeautifulSoup
    (Python's own HTML parser) only to give images without alternative text a
    default one and to make cells and outputs inside a ``.jp-Notebook`` element
    focusable, then prints the parse tree again: over half the time of rendering
    a page, twice per notebook. Our template has no ``.jp-Notebook`` element (it
    marks scrollable tables focusable itself), so only the first change applies,
    and it is made here on the page's text.
    """

    def from_notebook_node(  # type: ignore[override]
        self, nb: nbformat.NotebookNode, resources: dict[str, Any] | None = None, **kw: Any
    ) -> tuple[str, dict[str, Any]]:
        """The page for ``nb``: what `HTMLExporter.from_notebook_node` makes, in less time."""
        from nbconvert.exporters.templateexporter import TemplateExporter
        from nbconvert.filters.widgetsdatatypefilter import WidgetsDataTypeFilter

        resources = self._init_resources(resources)
        self.register_filter("filter_data_type", WidgetsDataTypeFilter(
            notebook_metadata=self._nb_metadata, parent=self, resources=resources))
        page, resources = TemplateExporter.from_notebook_node(self, nb, resources, **kw)
        return _NO_ALT.sub(f'<img alt="{_MISSING_ALT}"', page), resources


def _exporter(profile: str, kind: type[HTMLExporter] = PageExporter) -> HTMLExporter:
    publication = profile == "publication"
    return kind(
        template_name=_TEMPLATE,
        extra_template_basedirs=[str(files("wres") / "templates")],
        exclude_input=publication,
        exclude_input_prompt=publication,
        exclude_output_prompt=publication,
        embed_images=True,
        filters={"highlight_code": highlight_code, "clean_html": clean_html},
        optimistic_validation=True,  # validate the notebook once, not after each preprocessor
    )


#: Tokens shown in colour on analyst pages; names, operators and punctuation stay plain text.
_COLOURED = (Token.Keyword, Token.Name.Builtin, Token.Operator.Word, Token.Literal, Token.Comment)


@simplefilter
def _plain_text(self: Any, lexer: Any, stream: Any, options: Any) -> Any:
    """Pygments filter: every token that is not coloured becomes plain text."""
    for ttype, value in stream:
        yield (ttype if any(ttype in kind for kind in _COLOURED) else Token.Text), value


def highlight_code(source: str, language: str = "ipython3", metadata: Any = None) -> str:
    """A code cell as HTML with only keywords, literals and comments marked up.

    Pygments wraps every token in a ``<span>`` (over 600 in one notebook); colouring
    a few kinds and merging the rest into plain text keeps analyst pages light and
    quick to check, and leaves the ``highlight hl-`` class `publication_problems` looks for.
    Every authority's notebook has the same code cells: each is highlighted once per process.
    """
    return _highlighted(source, language)


@lru_cache(maxsize=2048)
def _highlighted(source: str, language: str) -> str:
    try:
        lexer = get_lexer_by_name(language or "ipython3")
    except ClassNotFound:
        lexer = get_lexer_by_name("python")
    lexer.add_filter(_plain_text())
    lexer.add_filter("tokenmerge")
    return highlight(source, lexer, HtmlFormatter(cssclass=f"highlight hl-{language}"))


@lru_cache(maxsize=4096)
def clean_html(element: str | bytes) -> str:
    """nbconvert's ``clean_html`` filter (bleach), once per distinct fragment in a process.

    The template cleans every highlighted code cell (and, where sanitising is asked
    for, markdown and HTML outputs): the same fragments for every authority, and about
    7% of a driver's work each time (py-spy). The filter is a function of its text alone.
    """
    return str(bleach_clean_html(element))


def warm_code_cells(notebooks: Iterable[Path]) -> None:
    """Highlight and clean every code cell of ``notebooks`` (paths), filling the caches.

    The batch host does this once before it forks its drivers: each driver then
    starts with every cell of our notebooks already highlighted and cleaned.
    """
    for path in notebooks:
        for cell in nbformat.read(path, as_version=4).cells:
            if cell.cell_type == "code":
                clean_html(highlight_code(cell.source))


_EXPORTERS: dict[str, HTMLExporter] = {}


def stylesheet() -> str:
    """The CSS every page inlines: report pages through the template, the index page too."""
    return files("wres").joinpath(*_STYLESHEET).read_text(encoding="utf-8")


def tags_of(cell: dict[str, Any]) -> list[str]:
    """The tags of a notebook cell."""
    return list(cell.get("metadata", {}).get("tags", []))


def select_publication(nb: nbformat.NotebookNode) -> nbformat.NotebookNode:
    """A copy of ``nb`` holding only what may be published (the allow-list)."""
    nb = copy.deepcopy(nb)
    kept = []
    for cell in nb.cells:
        tags = tags_of(cell)
        if PUBLISH not in tags or ANALYST_ONLY in tags:
            continue
        if cell.cell_type == "markdown":
            kept.append(cell)
        elif cell.cell_type == "code":
            cell.outputs = [out for out in cell.get("outputs", [])
                            if out.get("output_type") == "display_data"]
            if cell.outputs:
                cell.source = ""
                kept.append(cell)
    nb.cells = _without_empty_sections(kept)
    return nb


def _heading_level(cell: Any, *, alone: bool) -> int | None:
    """Level of the heading a markdown cell starts with (``alone``: the cell is only that)."""
    if cell.cell_type != "markdown":
        return None
    source = cell.source.strip()
    match = _HEADING.match(source if alone else source.split("\n", 1)[0])
    return len(match.group(1)) if match else None


def _without_empty_sections(cells: list[Any]) -> list[Any]:
    """Drop heading-only markdown cells with nothing under them before the next section.

    The next section starts at a markdown cell beginning with a heading of the same or a
    higher level, whatever follows that heading in its cell.
    """
    kept: list[Any] = []
    for position, cell in enumerate(cells):
        level = _heading_level(cell, alone=True)
        if level is not None:
            following = cells[position + 1] if position + 1 < len(cells) else None
            next_level = (_heading_level(following, alone=False)
                          if following is not None else 0)
            if following is None or (next_level is not None and next_level <= level):
                continue
        kept.append(cell)
    return kept


def publication_problems(page: str, *, min_count: int) -> list[str]:
    """Reasons a rendered publication page must not be written; empty when it is safe.

    Checks that no code was rendered and that no count from 1 to ``min_count - 1``
    is shown in a table (`wres.disclosure.find_small_counts`).
    """
    from wres.analysis.disclosure.leaks import find_small_counts

    problems = [f"shows a small count at {where}"
                for where in find_small_counts(page, min_count=min_count)]
    if re.search(r'class="[^"]*\b(jp-InputArea-editor|jp-CodeMirrorEditor|highlight hl-)', page):
        problems.append("shows code")
    if re.search(r'class="[^"]*\bjp-RenderedText\b[^"]*"[^>]*data-mime-type="application/'
                 r'vnd\.jupyter\.(stderr|error)', page):
        problems.append("shows stderr or an error")
    return problems


def render_html(
    nb: nbformat.NotebookNode,
    profile: str,
    *,
    title: str,
    provenance: dict[str, Any] | None = None,
    min_count: int = 5,
) -> str:
    """HTML for ``profile``: ``analyst`` shows the whole notebook, ``publication`` the allow-list.

    Parameters
    ----------
    nb : NotebookNode
        The executed notebook.
    title : str
        Page title.
    provenance : dict, optional
        ``{"summary": str, "items": [(label, value), ...]}`` shown in the footer.
    min_count : int
        Smallest count a publication page may show.

    Raises
    ------
    UnsafePage
        If the publication page fails :func:`publication_problems`.
    """
    if profile not in PROFILES:
        raise ValueError(f"profile must be one of {PROFILES}, not {profile!r}")
    exporter = _EXPORTERS.get(profile)
    if exporter is None:
        exporter = _EXPORTERS[profile] = _exporter(profile)
    selected = select_publication(nb) if profile == "publication" else copy.deepcopy(nb)
    selected.metadata["title"] = title
    resources = {"provenance": provenance, "metadata": {"name": title}}
    body, _ = exporter.from_notebook_node(selected, resources=resources)
    if profile == "publication":
        problems = publication_problems(body, min_count=min_count)
        if problems:
            raise UnsafePage(f"publication page of {title!r} not written: "
                             + "; ".join(problems[:5]))
    return body
