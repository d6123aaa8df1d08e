"""Geometric checks on a drawn matplotlib figure, with the Agg renderer.

A picture is tested by where its pieces land, not by whether a file was written:

- ``outside_figure(fig)``: every visible artist whose drawn extent (after clipping) runs past
  the figure's edge, the way a plain ``savefig`` or ``plt.show()`` would cut it.
- ``overlapping_texts(fig)``: pairs of visible, non-empty texts whose boxes overlap.
- ``overlapping_markers(collection, ax)``: pairs of markers of one scatter collection that touch.

Each returns what is wrong (an empty list when nothing is), so a failing assertion says which
artist it was. Nothing here is drawn with ``bbox_inches="tight"``: that would hide the fault.
"""
from __future__ import annotations

import itertools

import numpy as np
from matplotlib.axis import Axis
from matplotlib.collections import PathCollection
from matplotlib.text import Text

TOLERANCE = 1.0  # pixels: anti-aliasing and rounding, nothing more


def renderer_of(fig):
    """Draw ``fig`` once on its canvas (Agg) and return the renderer the extents are taken with."""
    if not hasattr(fig.canvas, "get_renderer"):  # a Figure made without pyplot
        from matplotlib.backends.backend_agg import FigureCanvasAgg

        FigureCanvasAgg(fig)
    fig.canvas.draw()
    return fig.canvas.get_renderer()


def _name(artist) -> str:
    label = artist.get_gid() or artist.get_label() or ""
    if isinstance(artist, Text):
        label = repr(artist.get_text())
    return f"{type(artist).__name__}({label})"


def _hidden(fig) -> set:
    """ids of the artists not drawn: invisible ones and everything inside them, and the ticks
    an axis keeps but does not draw (outside its view, or left from a layout with more)."""
    hidden = set()
    for artist in fig.findobj(lambda a: not a.get_visible()):
        hidden.update(id(inner) for inner in artist.findobj())
    for axis in fig.findobj(Axis):
        drawn = {id(tick) for tick in axis._update_ticks()}
        for tick in axis.majorTicks + axis.minorTicks:
            if id(tick) not in drawn:
                hidden.update(id(inner) for inner in tick.findobj())
    return hidden


def _drawn(artist, hidden: set) -> bool:
    if id(artist) in hidden:
        return False
    return not (isinstance(artist, Text) and not artist.get_text().strip())


def _extent(artist, renderer):
    try:
        box = artist.get_tightbbox(renderer)
    except (TypeError, AttributeError, NotImplementedError):
        return None
    if box is None or not np.all(np.isfinite(box.extents)) or box.width <= 0 and box.height <= 0:
        return None
    return box


def outside_figure(fig) -> list[str]:
    """Every drawn artist that reaches past the figure, with how far (in pixels)."""
    renderer = renderer_of(fig)
    edge = fig.bbox
    hidden = _hidden(fig)
    problems = []
    for artist in fig.findobj(lambda a: a is not fig and a is not fig.patch):
        if not _drawn(artist, hidden):
            continue
        box = _extent(artist, renderer)
        if box is None:
            continue
        past = max(edge.x0 - box.x0, edge.y0 - box.y0, box.x1 - edge.x1, box.y1 - edge.y1)
        if past > TOLERANCE:
            problems.append(f"{_name(artist)} runs {past:.0f} px past the figure")
    return problems


def drawn_texts(fig) -> list:
    """The visible, non-empty texts of ``fig`` (titles, labels, ticks, notes, annotations)."""
    hidden = _hidden(fig)
    return [t for t in fig.findobj(Text) if _drawn(t, hidden)]


def overlapping_texts(fig, texts=None) -> list[str]:
    """Pairs of drawn texts whose boxes overlap by more than the tolerance."""
    renderer = renderer_of(fig)
    texts = drawn_texts(fig) if texts is None else texts
    boxes = [(t, t.get_window_extent(renderer)) for t in texts]
    problems = []
    for (a, box_a), (b, box_b) in itertools.combinations(boxes, 2):
        dx = min(box_a.x1, box_b.x1) - max(box_a.x0, box_b.x0)
        dy = min(box_a.y1, box_b.y1) - max(box_a.y0, box_b.y0)
        if dx > TOLERANCE and dy > TOLERANCE:
            problems.append(f"{_name(a)} overlaps {_name(b)}")
    return problems


def overlapping_markers(collection: PathCollection, ax) -> list[str]:
    """Pairs of a scatter's markers whose discs touch, measured in pixels on the drawn figure."""
    renderer_of(ax.figure)
    centres = ax.transData.transform(np.asarray(collection.get_offsets(), dtype=float))
    sizes = np.broadcast_to(np.asarray(collection.get_sizes(), dtype=float), (len(centres),))
    radii = np.sqrt(sizes) / 2 * ax.figure.dpi / 72  # points^2 of the marker box -> pixels
    problems = []
    for i, j in itertools.combinations(range(len(centres)), 2):
        gap = np.hypot(*(centres[i] - centres[j])) - radii[i] - radii[j]
        if gap < -TOLERANCE:
            problems.append(f"markers {i} and {j} overlap by {-gap:.1f} px")
    return problems
