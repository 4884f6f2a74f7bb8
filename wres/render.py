"""Turn an executed notebook into the analyst and publication HTML pages.

Both renderings come from the same executed notebook, in the calling process,
with exporters created once and reused (a fresh ``jupyter nbconvert`` process
costs over a second of imports per page). Outputs that `wres.report` tagged
with a profile are kept only in that profile's page. Pages are
self-contained: figures are embedded and no script is loaded from a CDN.
"""

from __future__ import annotations

import copy
from importlib.resources import files
from typing import Any

import nbformat
from nbconvert import HTMLExporter

PROFILES = ("analyst", "publication")
_TEMPLATE = "wres-report"


def _exporter(profile: str) -> HTMLExporter:
    publication = profile == "publication"
    return HTMLExporter(
        template_name=_TEMPLATE,
        extra_template_basedirs=[str(files("wres") / "templates")],
        exclude_input=publication,
        exclude_input_prompt=publication,
        exclude_output_prompt=publication,
        embed_images=True,
    )


_EXPORTERS: dict[str, HTMLExporter] = {}


def select_profile(nb: nbformat.NotebookNode, profile: str) -> nbformat.NotebookNode:
    """A copy of ``nb`` with only the outputs meant for ``profile``.

    Outputs tagged for another profile are dropped. The publication page also
    drops code, stream output (warnings, logs) and the cell papermill injects.
    """
    nb = copy.deepcopy(nb)
    kept = []
    for cell in nb.cells:
        tags = cell.get("metadata", {}).get("tags", [])
        if profile == "publication" and "analyst-only" in tags:
            continue
        if profile == "publication" and cell.cell_type == "code":
            if "injected-parameters" in tags or "parameters" in tags:
                continue
        if cell.cell_type == "code":
            cell.outputs = [
                out for out in cell.get("outputs", [])
                if _output_profile(out) in (None, profile)
                and not (profile == "publication" and out.get("output_type") == "stream")
            ]
            if profile == "publication" and not cell.outputs:
                continue
        kept.append(cell)
    nb.cells = kept
    return nb


def _output_profile(output: dict[str, Any]) -> str | None:
    return output.get("metadata", {}).get("wres", {}).get("profile")


def render_html(
    nb: nbformat.NotebookNode,
    profile: str,
    *,
    title: str,
    provenance: dict[str, Any] | None = None,
) -> str:
    """HTML for ``profile`` (``analyst`` shows code, ``publication`` does not).

    Parameters
    ----------
    nb : NotebookNode
        The executed notebook.
    title : str
        Page title.
    provenance : dict, optional
        ``{"summary": str, "items": [(label, value), ...]}`` shown in the footer.
    """
    if profile not in PROFILES:
        raise ValueError(f"profile must be one of {PROFILES}, not {profile!r}")
    exporter = _EXPORTERS.get(profile)
    if exporter is None:
        exporter = _EXPORTERS[profile] = _exporter(profile)
    selected = select_profile(nb, profile)
    selected.metadata["title"] = title
    resources = {"provenance": provenance, "metadata": {"name": title}}
    body, _ = exporter.from_notebook_node(selected, resources=resources)
    return body
