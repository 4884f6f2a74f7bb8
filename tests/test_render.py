"""Rendering pages: our exporter makes nbconvert's page, without re-parsing it."""

from __future__ import annotations

import base64
import io

import nbformat
import pytest
from bs4 import BeautifulSoup
from nbconvert import HTMLExporter
from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook, new_output
from PIL import Image

from wres.batch.render import _exporter, render_html

TABLE = "<table><tr><th>group</th><th>staff</th></tr><tr><td>white</td><td>610</td></tr></table>"


def _png() -> str:
    buffer = io.BytesIO()
    Image.new("RGB", (4, 3), "white").save(buffer, format="PNG")
    return base64.b64encode(buffer.getvalue()).decode("ascii")


def executed_notebook() -> nbformat.NotebookNode:
    """A small executed notebook: headings, code, a table, an image without alt text, a log."""
    shown = new_code_cell("show.table()", metadata={"tags": ["publish"]}, outputs=[
        new_output("display_data", data={"text/html": TABLE, "text/plain": "table"}),
        new_output("display_data", data={"image/png": _png(), "text/plain": "figure"}),
    ])
    logged = new_code_cell("print('done')", outputs=[
        new_output("stream", name="stdout", text="done\n"),
        new_output("execute_result", data={"text/plain": "42"}, execution_count=2),
    ])
    return new_notebook(cells=[
        new_markdown_cell("# Indicator 3\n\nWhat is counted.", metadata={"tags": ["publish"]}),
        new_markdown_cell("## Counts", metadata={"tags": ["publish"]}),
        shown,
        logged,
    ], metadata={"language_info": {"name": "python", "pygments_lexer": "ipython3"}})


@pytest.mark.parametrize("profile", ["analyst", "publication"])
def test_a_page_is_the_one_nbconvert_makes(profile):
    from wres.batch.render import select_publication

    nb = executed_notebook()
    chosen = select_publication(nb) if profile == "publication" else nb
    resources = {"provenance": None, "metadata": {"name": "T"}}
    ours, _ = _exporter(profile).from_notebook_node(chosen, resources=dict(resources))
    theirs, _ = _exporter(profile, HTMLExporter).from_notebook_node(
        chosen, resources=dict(resources))
    assert str(BeautifulSoup(ours, "html.parser")) == theirs


def test_an_image_without_alt_text_gets_nbconverts_default():
    page = render_html(executed_notebook(), "analyst", title="T")
    images = BeautifulSoup(page, "html.parser").find_all("img")
    assert [image["alt"] for image in images] == [
        "No description has been provided for this image"]
    assert "610" in page and "done" in page


def test_code_cells_are_cleaned_as_nbconvert_cleans_them_and_once_per_process(tmp_path):
    from nbconvert.filters.strings import clean_html as nbconverts

    from wres.batch.render import clean_html, highlight_code, warm_code_cells

    source = "counts = read_counts(resolve_data(data))  # validated <b>here</b>"
    fragment = highlight_code(source)
    assert clean_html(fragment) == nbconverts(fragment)
    assert clean_html("<script>alert(1)</script><b>x</b>") == nbconverts(
        "<script>alert(1)</script><b>x</b>")
    path = tmp_path / "one.ipynb"
    nbformat.write(new_notebook(cells=[new_markdown_cell("# T"), new_code_cell(source + "\n1")]),
                   path)
    warm_code_cells([path])  # what the batch host does before forking its drivers
    hits = clean_html.cache_info().hits
    page = render_html(nbformat.read(path, as_version=4), "analyst", title="T")
    assert clean_html.cache_info().hits > hits and "read_counts" in page
