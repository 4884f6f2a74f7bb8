"""Names beside the authorities a funnel plot labels, placed so that no two overlap.

With 150 authorities those outside the limits often sit close together (several
just above the 99.8% limit where it is flat). Each name is put at the first of a
few places around its point (right, left, above, below, then further up or down
with a thin line to its point) that overlaps no name already placed and stays in
the axes, preferring places that cover fewest points. Sizes are measured from the
font (`matplotlib.textpath`), positions from the axes as laid out when the names
are placed, with a margin for the small change the final layout makes.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np
from matplotlib.font_manager import FontProperties
from matplotlib.textpath import TextToPath
from numpy.typing import ArrayLike

#: Space between a point and its name, and kept around each name (points).
GAP = 3.0
#: Half the width of a point's marker (points): ``s=45`` is about 6.7 points across.
MARKER = 3.5
_TEXT = TextToPath()


def _size(text: str, fontsize: float) -> tuple[float, float]:
    """Width and height of ``text`` in points."""
    width, height, _ = _TEXT.get_text_width_height_descent(
        text, FontProperties(size=fontsize), ismath=False)
    return float(width), float(height) * 1.25


def _candidates(width: float, height: float) -> list[tuple[float, float, bool]]:
    """Lower-left corners of the places tried, relative to the point (points), each with
    whether a line must join the name to its point."""
    right, left = GAP + MARKER, -(GAP + MARKER) - width
    up, down = GAP / 2, -GAP / 2 - height
    places = [(right, up, False), (right, down, False), (left, up, False),
              (left, down, False), (-width / 2, MARKER + GAP, False),
              (-width / 2, -(MARKER + GAP) - height, False)]
    for step in (1, 2, 3, 4):
        shift = step * (height + GAP)
        places += [(right, up + shift, True), (right, down - shift, True),
                   (left, up + shift, True), (left, down - shift, True)]
    return places


def _overlap(box: np.ndarray, boxes: np.ndarray) -> np.ndarray:
    """Area each of ``boxes`` (rows x0, y0, x1, y1) shares with ``box``."""
    if not len(boxes):
        return np.zeros(0)
    width = np.minimum(box[2], boxes[:, 2]) - np.maximum(box[0], boxes[:, 0])
    height = np.minimum(box[3], boxes[:, 3]) - np.maximum(box[1], boxes[:, 1])
    return np.clip(width, 0, None) * np.clip(height, 0, None)


def place_labels(ax: Any, x: ArrayLike, y: ArrayLike, names: Sequence[str] | np.ndarray,
                 points: tuple[ArrayLike, ArrayLike] | None = None, *,
                 fontsize: float = 8.0) -> list[Any]:
    """Annotate each point (``x``, ``y``, data coordinates) with its name, no two names
    overlapping where the axes leave room; the annotations, in order.

    ``points`` are every point drawn (data coordinates), which names avoid
    covering where they can. Call once the axes' scales and limits are set.
    """
    ax.get_xlim(), ax.get_ylim()  # limits settled (autoscaled) before measuring
    scale = ax.figure.dpi / 72.0  # display pixels per point
    to_points = ax.transData.transform
    x, y = np.asarray(x, dtype=float), np.asarray(y, dtype=float)
    drawn = np.column_stack([x, y] if points is None else
                            [np.asarray(p, dtype=float) for p in points]).reshape(-1, 2)
    where = to_points(drawn) / scale if len(drawn) else drawn
    markers = np.column_stack([where - MARKER, where + MARKER]) if len(where) else np.zeros((0, 4))
    frame = np.asarray(ax.bbox.extents) / scale  # the axes, in points
    placed = np.zeros((0, 4))
    annotations = []
    for name, px, py in zip(names, x, y, strict=True):
        anchor = to_points(np.array([[float(px), float(py)]]))[0] / scale
        width, height = _size(str(name), fontsize)
        best: tuple[float, tuple[float, float, bool]] | None = None
        for rank, (dx, dy, joined) in enumerate(_candidates(width, height)):
            box = np.array([anchor[0] + dx - GAP / 2, anchor[1] + dy - GAP / 2,
                            anchor[0] + dx + width + GAP / 2, anchor[1] + dy + height + GAP / 2])
            outside = (max(frame[0] - box[0], 0) + max(box[2] - frame[2], 0)
                       + max(frame[1] - box[1], 0) + max(box[3] - frame[3], 0))
            cost = (1000.0 * float(_overlap(box, placed).sum()) + 100.0 * outside
                    + float(np.count_nonzero(_overlap(box, markers))) * 20.0 + rank)
            if best is None or cost < best[0]:
                best = (cost, (dx, dy, joined))
        assert best is not None
        dx, dy, joined = best[1]
        annotations.append(ax.annotate(
            str(name), (px, py), textcoords="offset points", xytext=(dx, dy),
            ha="left", va="bottom", fontsize=fontsize, zorder=5,
            arrowprops=dict(arrowstyle="-", lw=0.5, color="0.4", shrinkA=0, shrinkB=3)
            if joined else None))
        placed = np.vstack([placed, [anchor[0] + dx, anchor[1] + dy, anchor[0] + dx + width,
                                     anchor[1] + dy + height]])
    return annotations
