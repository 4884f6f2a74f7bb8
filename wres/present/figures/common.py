"""Figures for the reports, each returned with a plain-words alternative text.

Every function returns ``(fig, alt_text)``. Figures are built on
``matplotlib.figure.Figure`` directly (no pyplot state, safe on the Agg backend and in
parallel runs), with the seaborn "colorblind" palette, and groups or years told apart by
marker shape as well as colour. :func:`figure_to_html` embeds a figure as a
self-contained, palette-compressed PNG ``<img>`` with its alt text.
"""

from __future__ import annotations

import base64
import html
import io
from collections.abc import Sequence
from functools import lru_cache
from typing import Any

import matplotlib as mpl
import numpy as np
import pandas as pd
import seaborn as sns
from matplotlib.axes import Axes
from matplotlib.axis import Axis, XAxis
from matplotlib.figure import Figure
from matplotlib.layout_engine import TightLayoutEngine
from matplotlib.ticker import FuncFormatter, Locator, NullLocator
from PIL import Image

from wres.present.narrative.words import (
    as_number,
    check_one_report,
)
from wres.stats.proportions import wilson_interval

_MARKERS = ("o", "s", "D", "^", "v", "P")
_HATCHES = ("", "//", "..", "xx", "\\\\", "--")
_FONT = 9
_NICE_TICKS = (0.05, 0.1, 0.2, 0.25, 0.5, 0.8, 1.0, 1.25, 2.0, 4.0, 5.0, 10.0, 20.0, 50.0, 100.0)


def _palette(n: int) -> list:
    return sns.color_palette("colorblind", max(n, 1))


def tight_layout() -> TightLayoutEngine:
    """matplotlib's tight layout (``layout="tight"``), worked out in one pass instead of two.

    With its default ``rect`` of the whole figure, the engine measures every label of
    every axes twice, the second time to fit the axes into a rectangle that is the
    first pass's answer, which gives the first pass's answer again (every figure here
    is drawn pixel for pixel the same: `tests/test_plots.py`). Without a ``rect`` it
    measures once: a fifth less drawing time. (The engine keeps a ``rect`` of None, as
    its ``__init__`` allows for; matplotlib's annotation wants a tuple.)
    """
    return TightLayoutEngine(rect=None)  # type: ignore[arg-type]


def _new_figure(width: float, height: float, ncols: int = 1) -> tuple[Figure, list]:
    with sns.axes_style("whitegrid"):
        fig = Figure(figsize=(width, height), dpi=100, layout=tight_layout())
        axes = [fig.add_subplot(1, ncols, i + 1) for i in range(ncols)]
    for ax in axes:
        ax.tick_params(labelsize=_FONT)
    return fig, axes


def set_title(ax: Axes, text: str) -> None:
    """``text`` as the title of ``ax``, at the top of the axes.

    Without a height, matplotlib works out at every draw whether tick labels above the
    axes push the title up, measuring every tick label of the x axis to find out
    (seaborn's whitegrid style hides tick marks, so it cannot tell where they are). Ours
    are all below the axes: placed at the top directly, the title is where it would be,
    pixel for pixel, for a tenth less drawing time.
    """
    ax.set_title(text, fontsize=_FONT + 1, y=1.0)


def _one_group(frame: pd.DataFrame, group: str) -> pd.DataFrame:
    check_one_report(frame, years=False)
    rows = frame[frame["group"].astype(str) == group]
    if rows.empty:
        raise ValueError(f"no results rows for group {group!r}")
    return rows


def _latest_year(frame: pd.DataFrame, year: int | None) -> tuple[pd.DataFrame, int]:
    years = sorted({int(y) for y in frame["year"]})
    chosen = years[-1] if year is None else int(year)
    if chosen not in years:
        raise ValueError(f"no results rows for year {chosen}; years present: {years}")
    return frame[frame["year"].astype(int) == chosen], chosen


def _share_with_interval(
    count: float, total: float, confidence: float
) -> tuple[float, float, float]:
    """``count / total`` with its Wilson interval, as (share, lower, upper)."""
    lower, upper = wilson_interval(count, total, confidence)
    return count / total, float(lower[0]), float(upper[0])


def _confidence(row: dict) -> float:
    level = as_number(row.get("confidence_level")) or 0.95
    return level / 100 if level > 1 else level





def log_axis(ax, low: float, high: float, *, axis: str = "x",
             ticks: Sequence[float] = _NICE_TICKS) -> None:
    """A log-scale axis from ``low`` to ``high`` labelled at round values such as 0.8 and 1.25,
    as many as fit without their labels touching (`SpacedTicks`)."""
    getattr(ax, f"set_{axis}scale")("log")
    getattr(ax, f"set_{axis}lim")(low, high)
    target = getattr(ax, f"{axis}axis")
    target.set_major_locator(SpacedTicks(ticks))
    target.set_major_formatter(round_labels())
    target.set_minor_locator(NullLocator())


def round_labels() -> FuncFormatter:
    """Tick labels as plain numbers ("0.25", "1", "20"), not a log axis's powers of ten."""
    return FuncFormatter(lambda value, _: f"{value:g}")


class SpacedTicks(Locator):
    """Round values on a log axis whose labels leave at least ``gap`` pixels between them.

    The values are chosen when the axis is drawn, when its length in pixels is known
    (after the layout has placed it): 1 first, then the others nearest to 1 (0.8 and
    1.25 before 0.5 and 2), each kept only if its label fits beside those already kept.
    On a short axis spanning 0.05 to 20, 0.2 and 0.25 are 10 pixels apart and their
    labels would overlap; one of them is left unlabelled instead.
    """

    def __init__(self, ticks: Sequence[float], *, fontsize: float = _FONT, gap: float = 4.0):
        self.ticks = tuple(float(t) for t in ticks)
        self.fontsize = fontsize
        self.gap = gap

    def tick_values(self, vmin: float, vmax: float) -> list[float]:
        """Every round value from ``vmin`` to ``vmax`` (before spacing)."""
        low, high = sorted((vmin, vmax))
        return [t for t in self.ticks if low <= t <= high]

    def __call__(self) -> list[float]:
        """The values labelled on the axis as it is now laid out."""
        axis = self.axis
        if axis is None:
            return list(self.ticks)
        low, high = sorted(axis.get_view_interval())
        candidates = self.tick_values(low, high)
        if len(candidates) < 2 or low <= 0 or not isinstance(axis, Axis):
            return candidates
        across = isinstance(axis, XAxis)
        length = axis.axes.bbox.width if across else axis.axes.bbox.height
        scale = float(getattr(axis.axes.figure, "dpi", 72)) / 72
        span = np.log(high) - np.log(low)
        kept: list[tuple[float, float, float]] = []  # (value, start, end) in pixels
        for value in sorted(candidates, key=lambda t: (abs(np.log(t)), t)):
            middle = length * (np.log(value) - np.log(low)) / span
            half = (_label_width(f"{value:g}", self.fontsize) if across
                    else self.fontsize) * scale / 2 + self.gap / 2
            if all(middle + half <= start or middle - half >= end for _, start, end in kept):
                kept.append((value, middle - half, middle + half))
        return sorted(value for value, _, _ in kept)


@lru_cache(maxsize=256)
def _label_width(text: str, fontsize: float) -> float:
    """Width in points of a tick label in the figures' font at ``fontsize``."""
    from matplotlib.font_manager import FontProperties
    from matplotlib.textpath import text_to_path

    width, _, _ = text_to_path.get_text_width_height_descent(
        text, FontProperties(size=fontsize), ismath=False)
    return float(width)



# --- embedding -------------------------------------------------------------------------------


#: Colours kept in an embedded figure: line art in a few palette colours and their edges.
PNG_COLOURS = 64
#: zlib's own default level: a forest plot's PNG in 2 ms rather than 11 ms at level 9
#: (``optimize``), for 10.6 KB rather than 8.8 KB.
_PNG_LEVEL = 6


def figure_to_html(fig: Figure, alt_text: str) -> str:
    """Embed ``fig`` as a self-contained PNG ``<img>`` with ``alt_text``; closes the figure.

    The PNG is reduced to a palette of :data:`PNG_COLOURS` colours (`palette_image`):
    two fifths of the size of matplotlib's full-colour PNG for our line-art figures,
    smaller than an SVG of a forest plot, and unlike an SVG its size does not grow
    with the points of a funnel plot. Width and height are given so the page does
    not move as it loads.
    """
    pyplot_figure = getattr(fig.canvas, "manager", None) is not None
    image = drawn_image(fig)
    if pyplot_figure:  # a pyplot figure: release it
        import matplotlib.pyplot as plt

        plt.close(fig)
    width, height = image.size
    small = io.BytesIO()
    palette_image(image).save(small, format="PNG", compress_level=_PNG_LEVEL)
    data = base64.b64encode(small.getvalue()).decode("ascii")
    return (f'<img src="data:image/png;base64,{data}" alt="{html.escape(alt_text, quote=True)}"'
            f' width="{width}" height="{height}">')


#: How our figures' text is rasterised: FreeType's outlines as they are, not hinted
#: (snapped to the pixel grid). Hinting took half the time spent on text, itself the
#: largest part of drawing a figure: 55 against 30 ms of FreeType calls a forest plot of
#: 15 rows, 270 against 225 ms for the whole plot (both under cProfile). Unhinted
#: glyphs differ from hinted ones by a fraction of a pixel at 100 dpi.
TEXT_RENDERING: dict[Any, Any] = {"text.hinting": "no_hinting"}


def drawn_image(fig: Figure) -> Image.Image:
    """``fig`` drawn once on an Agg canvas (text as :data:`TEXT_RENDERING` says), as RGB.

    ``savefig`` would lay the figure out in a dry run first, then draw it again and
    compress a PNG that would only be read back: the same pixels in about 40% more time.
    """
    from matplotlib.backends.backend_agg import FigureCanvasAgg

    canvas = fig.canvas if isinstance(fig.canvas, FigureCanvasAgg) else FigureCanvasAgg(fig)
    with mpl.rc_context(TEXT_RENDERING):
        canvas.draw()
    size = canvas.get_width_height(physical=True)
    with Image.frombuffer("RGBA", size, canvas.buffer_rgba(), "raw", "RGBA", 0, 1) as rgba:
        return rgba.convert("RGB")


#: Pixels of the colour histogram that Pillow's median cut chooses a palette from.
_HISTOGRAM_PIXELS = 1 << 14


def palette_image(image: Image.Image) -> Image.Image:
    """``image`` (RGB) in at most :data:`PNG_COLOURS` colours: Pillow's median cut, no dither.

    A figure has a few hundred distinct colours (its palette and their anti-aliased
    edges) over some 400,000 pixels. The median cut runs on the colour histogram
    (every colour kept, in proportion to its pixels) rather than on every pixel, and
    each colour is then mapped to its nearest palette colour: Pillow's
    ``quantize(method=MEDIANCUT)`` picture, with white kept white, in under half the time.
    """
    colours_found = image.getcolors(image.width * image.height) or []
    counts = np.array([count for count, _ in colours_found], dtype=np.int64)
    colours = np.array([colour for _, colour in colours_found], dtype=np.uint8).reshape(-1, 3)
    palette = colours.astype(np.int64)
    if len(colours) > PNG_COLOURS:
        weights = np.ceil(counts * (_HISTOGRAM_PIXELS / counts.sum())).astype(np.int64)
        strip = Image.fromarray(np.repeat(colours, weights, axis=0)[np.newaxis], "RGB")
        reduced = strip.quantize(colors=PNG_COLOURS, method=Image.Quantize.MEDIANCUT,
                                 dither=Image.Dither.NONE)
        used = np.unique(np.asarray(reduced))  # the palette entries the cut chose
        palette = np.array(reduced.getpalette() or [], dtype=np.int64).reshape(-1, 3)[used]
    nearest = ((colours[:, np.newaxis, :] - palette[np.newaxis]) ** 2).sum(axis=2).argmin(axis=1)
    # Each pixel's palette entry, looked up by its colour (0xRRGGBB): a table of every
    # colour, of which only the pages holding the figure's few hundred are ever touched.
    entry = np.zeros(1 << 24, dtype=np.uint8)
    entry[_colour_keys(colours)] = nearest
    result = Image.fromarray(entry[_colour_keys(np.asarray(image))], "P")
    result.putpalette(palette.astype(np.uint8).ravel().tolist())
    return result


def _colour_keys(rgb: np.ndarray) -> np.ndarray:
    """One integer per colour (``0xRRGGBB``) of an array whose last axis is RGB."""
    rgb = rgb.astype(np.uint32)
    return (rgb[..., 0] << 16) | (rgb[..., 1] << 8) | rgb[..., 2]
