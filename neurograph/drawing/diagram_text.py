"""The words and numbers on the network diagram: values written in neurons, output labels, notes.

A value is written with three significant figures (``0.523``, ``-12.4``), in scientific notation
when it is small (``-2.95e-04``), never as ``-0.00``; its colour is chosen against the fill it
sits on (white on dark, black on light, by the fill's relative luminance
``L = 0.2126 R + 0.7152 G + 0.0722 B``). A column's values are written only when its neurons
are far enough apart for them not to overprint; otherwise a note says they were left out.
"""
from __future__ import annotations

import textwrap
from typing import Optional, Sequence

import numpy as np

__all__ = ["format_value", "text_colour", "VALUE_FONTSIZE"]

VALUE_FONTSIZE = 7.0  # points: the values on neurons, at least this at the default size
_LABEL_FONTSIZE = 9.0  # points: the output labels
_DARK = 0.5  # a fill with a luminance below this is dark: white text on it


def format_value(value: float) -> str:
    """``value`` with three significant figures, in scientific notation when ``|value|``
    is below 0.01 or at least 1000, and ``"0"`` for zero (never ``"-0.00"``).

    Examples
    --------
    >>> [format_value(v) for v in (0.5234, -0.000295, 1.0, 0.0, -0.0, 12.345, 2500.0)]
    ['0.523', '-2.95e-04', '1.00', '0', '0', '12.3', '2.50e+03']
    """
    value = float(value)
    if value == 0.0:
        return "0"
    if not np.isfinite(value):
        return str(value)
    if abs(value) < 0.01 or abs(value) >= 1000:
        return f"{value:.2e}"
    return f"{value:#.3g}".rstrip(".")


def luminance(rgba) -> float:
    """The relative luminance of a colour (its red, green and blue in 0..1)."""
    r, g, b = (float(v) for v in rgba[:3])
    return 0.2126 * r + 0.7152 * g + 0.0722 * b


def text_colour(fill) -> str:
    """``"white"`` on a dark ``fill``, ``"black"`` on a light one.

    Examples
    --------
    >>> text_colour((0.27, 0.0, 0.33, 1.0)), text_colour((0.99, 0.9, 0.14, 1.0))
    ('white', 'black')
    """
    return "white" if luminance(fill) < _DARK else "black"


def column_pitches(ax, xs: np.ndarray, ys: np.ndarray) -> dict:
    """For each column (an ``x``) of circles: the smallest distance, in points, between two
    of its neighbours on the drawn figure (infinite for a single circle)."""
    pitches = {}
    to_points = 72.0 / ax.figure.dpi
    for x in np.unique(xs):
        heights = np.sort(ax.transData.transform(
            np.column_stack([xs[xs == x], ys[xs == x]]))[:, 1])
        pitches[float(x)] = float(np.min(np.diff(heights))) * to_points \
            if len(heights) > 1 else np.inf
    return pitches


def write_values(ax, xs: np.ndarray, ys: np.ndarray, values: np.ndarray, faces: np.ndarray,
                 layer_of: np.ndarray) -> list:
    """Write each finite value in its circle, on a box of the circle's own fill, in the
    colour that reads on it; a column whose circles are closer than a line of text gets no
    values. Returns the indices of the layers left unlabelled."""
    pitches = column_pitches(ax, xs, ys)
    needed = 1.5 * VALUE_FONTSIZE  # a line of text and a little air, in points
    skipped = set()
    for x, y, v, face, k in zip(xs, ys, values, faces, layer_of):
        if not np.isfinite(v):
            continue
        if pitches[float(x)] < needed:
            skipped.add(int(k))
            continue
        ax.text(x, y, format_value(v), ha="center", va="center", fontsize=VALUE_FONTSIZE,
                color=text_colour(face), zorder=5, gid="value",
                bbox=dict(boxstyle="round,pad=0.15", facecolor=face, edgecolor="none"))
    return sorted(skipped)


def value_width(values: np.ndarray) -> float:
    """About half the width, in points, of the widest value written (0 when none is)."""
    finite = [format_value(v) for v in values if np.isfinite(v)]
    return 0.0 if not finite else 0.32 * VALUE_FONTSIZE * max(len(s) for s in finite) + 2.0


def write_output_labels(ax, xs: np.ndarray, ys: np.ndarray, labels: Sequence[str],
                        predicted: Optional[int], offset: float) -> None:
    """A label right of each output circle, ``offset`` points from its centre; the predicted
    one bold (its circle is ringed by the caller)."""
    for k, (x, y, label) in enumerate(zip(xs, ys, labels)):
        bold = predicted is not None and k == predicted
        ax.annotate(str(label), (x, y), xytext=(offset, 0), textcoords="offset points",
                    ha="left", va="center", fontsize=_LABEL_FONTSIZE,
                    fontweight="bold" if bold else "normal", zorder=6,
                    gid="predicted-label" if bold else "output-label")


def wrap_note(text: str, width_points: float, fontsize: float) -> str:
    """``text`` broken into lines no wider than about ``width_points``."""
    characters = max(20, int(width_points / (0.55 * fontsize)))
    return "\n".join(textwrap.wrap(text, characters, break_on_hyphens=False))


def output_names(network, output_labels) -> Optional[list]:
    """The labels of ``network``'s outputs, as strings: ``output_labels``, else the
    network's own ``output_labels``, else None; refused unless one per output neuron."""
    names = getattr(network, "output_labels", None) if output_labels is None else output_labels
    if names is None:
        return None
    if isinstance(names, (str, bytes)) or not hasattr(names, "__len__"):
        raise TypeError(f"`output_labels` must be a sequence of labels, one per output neuron, "
                        f"got {names!r}")
    size = network.output_layer.size
    if len(names) != size:
        raise ValueError(f"`output_labels` must have one label per output neuron ({size}), "
                         f"got {len(names)}")
    return [str(name) for name in names]


def predicted_output(network) -> Optional[int]:
    """The output neuron with the largest activation, or None when there is no single one
    (one output, all equal, or not finite)."""
    a = np.array([neuron.activation for neuron in network.output_layer.neurons], dtype=float)
    if a.size < 2 or not np.isfinite(a).all() or a.max() == a.min():
        return None
    return int(np.argmax(a))
