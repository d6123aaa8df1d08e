"""Recolouring a drawn diagram in place, for a network whose weights and biases have moved.

While a network trains, its diagram keeps its neurons where they were; only the colours and
widths of the lines, the fills of the circles and the colour bars' scales change (and which
connections are the strongest). Recolouring the artists ``draw_network`` made costs a few
milliseconds, where drawing anew lays out, measures and fits the whole diagram again.
"""
from __future__ import annotations

import numpy as np

from .diagram import (_circle_scale, _circles_and_pictures, _connection_ends,
                      _connection_style, _faces, network_layout)

__all__ = ["recolour_by_bias"]


def _by_gid(ax, gid: str):
    found = [c for c in ax.collections if c.get_gid() == gid]
    return found[0] if found else None


def recolour_by_bias(ax, network, *, max_neurons: int, max_connections: int,
                     cmap: str = "coolwarm", neuron_cmap: str = "viridis") -> bool:
    """Make the diagram on ``ax`` (drawn by ``draw_network(network, ax=ax,
    color_by="bias", ...)`` with the same ``max_neurons``, ``max_connections`` and colour
    maps, and no values or connection values) show ``network``'s weights and biases now.

    The drawn connections are again the strongest, coloured and sized as ``draw_network``
    would; the circles are filled by the biases, rings mark the biases at the clamp, and
    the first two colour bars (weights, biases) take the new scales. Nothing is moved.

    Returns
    -------
    bool
        False, with nothing changed, when the diagram cannot be recoloured so: a layout
        with feature maps, arcs or receptive fields, neurons that would be drawn elsewhere,
        another number of connections, or rings at the clamp appearing or all going (the
        legend would change). Draw it anew then.
    """
    layout = network_layout(network, max_neurons=max_neurons, max_connections=max_connections)
    lines = _by_gid(ax, "connections")
    if (layout.equal_aspect or layout.receptive_fields or any(c is not None for c in layout.curves)
            or lines is None or len(lines.get_segments()) != len(layout.connections)):
        return False
    grids = [image for image in ax.images if image.get_gid() == "input-grid"]
    for place in layout.layers:  # the input image as drawn (made square on the figure)
        if place.grid is not None:
            if not grids:
                return False
            place.grid_extent = tuple(float(v) for v in grids[0].get_extent())
    neurons, _ = _circles_and_pictures(network, layout, "bias", None)
    circles, squares, rings = (_by_gid(ax, gid) for gid in ("neurons", "static-neurons",
                                                            "clamped"))
    drawn = [c.get_offsets() for c in (circles, squares) if c is not None]
    where = np.column_stack([neurons.xs, neurons.ys]) if len(neurons.xs) else np.zeros((0, 2))
    expected = [where[~neurons.static], where[neurons.static]]
    expected = [e for e in expected if len(e)]
    if len(drawn) != len(expected) or any(d.shape != e.shape or not np.allclose(d, e)
                                          for d, e in zip(drawn, expected)):
        return False
    if (rings is not None) != bool(neurons.clamped.any()):
        return False
    bars = [child._colorbar for child in ax.child_axes if getattr(child, "_colorbar", None)]
    weight_norm, colors, widths = _connection_style(layout, cmap, None)
    lines.set_segments(_connection_ends(layout))
    lines.set_color(colors)
    lines.set_linewidth(widths)
    lines.set_linestyle(["--" if c.output_neuron.static else "-" for c in layout.connections])
    neurons.norm, neurons.cmap = _circle_scale(neurons.values, True, cmap, neuron_cmap)
    faces = _faces(neurons)
    for collection, which in ((circles, ~neurons.static), (squares, neurons.static)):
        if collection is not None:
            collection.set_facecolor(faces[which])
    if rings is not None:
        rings.set_offsets(where[neurons.clamped])
    for bar, norm in zip(bars, (weight_norm, neurons.norm)):
        bar.mappable.set_norm(norm)
    return True
