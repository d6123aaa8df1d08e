"""Fitting a drawing into its figure: nothing the Axes owns may run past the figure's edge.

A drawing measures what its Axes holds with the renderer (its tight box: tick labels, colour
bars, legend, notes, title) and either sizes its own figure around an Axes of fixed size in
inches (the margins are what runs past the Axes, plus a pad) or, in a figure it was given,
scales the Axes, keeping its shape, until the tight box fits in the room there is.
"""
from __future__ import annotations

__all__ = ["fit_figure_to_axes", "fit_axes_in_figure"]

PAD = 0.08  # inches round the drawing
_ROUNDS = 5  # margins that scale with the Axes (fit_axes_in_figure) settle in a few


def _renderer(fig):
    """The figure's renderer, on any canvas (a bare Figure's too)."""
    canvas = fig.canvas
    return canvas.get_renderer() if hasattr(canvas, "get_renderer") else fig._get_renderer()


def _tight(ax):
    return ax.get_tightbbox(_renderer(ax.figure))


def fit_figure_to_axes(ax) -> None:
    """Resize ``ax``'s figure so that everything ``ax`` draws is inside it, ``ax`` keeping
    its size in inches.

    One measurement is enough: what ``ax`` draws is placed relative to it (in its own
    fractions, in points, or in inset Axes), so its margins in inches do not change when only
    the figure round it does (a second measurement found them the same to the pixel).
    """
    fig = ax.figure
    width, height = fig.get_size_inches()
    box = ax.get_position()
    ax_w, ax_h = box.width * width, box.height * height
    tight = _tight(ax)
    dpi = fig.dpi
    left = max(0.0, box.x0 * width - tight.x0 / dpi)
    right = max(0.0, tight.x1 / dpi - box.x1 * width)
    bottom = max(0.0, box.y0 * height - tight.y0 / dpi)
    top = max(0.0, tight.y1 / dpi - box.y1 * height)
    new_w, new_h = left + ax_w + right + 2 * PAD, bottom + ax_h + top + 2 * PAD
    if abs(new_w - width) * dpi < 0.5 and abs(new_h - height) * dpi < 0.5:
        return
    fig.set_size_inches(new_w, new_h)
    ax.set_position([(left + PAD) / new_w, (bottom + PAD) / new_h, ax_w / new_w, ax_h / new_h])


def _room(ax):
    """The figure's box (pixels) ``ax`` may use: the whole figure (under its suptitle) when
    it holds no other Axes, else ``ax``'s own box."""
    from matplotlib.transforms import Bbox

    fig = ax.figure
    pad = PAD * fig.dpi
    others = [a for a in fig.axes if a is not ax and a not in ax.child_axes
              and getattr(a, "_colorbar", None) is None]
    if others:
        return ax.get_position().transformed(fig.transFigure)
    x0, y0, x1, y1 = fig.bbox.extents
    title = getattr(fig, "_suptitle", None)
    if title is not None and title.get_visible() and title.get_text().strip():
        y1 = min(y1, title.get_window_extent(_renderer(fig)).y0)
    return Bbox([[x0 + pad, y0 + pad], [x1 - pad, y1 - pad]])


def fit_axes_in_figure(ax, room=None):
    """Scale ``ax`` (keeping its shape) and centre it so that everything it draws fits in
    ``room`` (a Bbox in pixels), by default the room its figure has for it (see ``_room``);
    returns the room, to fit the same drawing again after adding to it (the room being
    ``ax``'s own box in a figure of several Axes, measuring it again after a fit would
    shrink the drawing at every fit)."""
    fig = ax.figure
    room = _room(ax) if room is None else room
    for _ in range(_ROUNDS):
        box = ax.get_position().transformed(fig.transFigure)
        tight = _tight(ax)
        left, right = max(0.0, box.x0 - tight.x0), max(0.0, tight.x1 - box.x1)
        bottom, top = max(0.0, box.y0 - tight.y0), max(0.0, tight.y1 - box.y1)
        scale = min((room.width - left - right) / box.width,
                    (room.height - bottom - top) / box.height)
        scale = max(scale, 0.2)  # a figure too small for any drawing: do what can be done
        w, h = scale * box.width, scale * box.height
        x0 = room.x0 + left + (room.width - left - right - w) / 2
        y0 = room.y0 + bottom + (room.height - bottom - top - h) / 2
        if abs(scale - 1) * max(box.width, box.height) < 0.5 and abs(x0 - box.x0) < 0.5 \
                and abs(y0 - box.y0) < 0.5:
            break
        fig_w, fig_h = fig.bbox.width, fig.bbox.height
        ax.set_position([x0 / fig_w, y0 / fig_h, w / fig_w, h / fig_h])
    return room
