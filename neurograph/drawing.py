"""The network diagram: layers left to right, neurons as circles, connections as lines.

:func:`network_layout` decides what is shown and where (numpy only); :func:`draw_network` draws
it with matplotlib. Big networks stay readable: a layer larger than ``max_neurons`` is summarised
(an image-shaped input layer as one grid of its pixels, any other layer as its first and last
neurons and a marker saying how many are hidden), and only the ``max_connections`` strongest
connections of each pair of layers are drawn. The figure says what it left out.
"""
from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Optional

import numpy as np

__all__ = ["NetworkLayout", "network_layout", "draw_network"]

COLOR_BY = ("activation", "bias")
_MARKER_SLOTS = 3  # the room the "... n more" marker of a summarised layer takes


@dataclass
class LayerLayout:
    """Where one layer is drawn.

    ``shown`` are the indices of the neurons drawn as circles (all of them unless the layer is
    summarised) at heights ``y``; ``hidden`` counts the neurons left out; ``grid`` is the image
    shape ``(rows, columns)`` when the layer is drawn as one grid of its neurons instead.
    """

    x: float
    shown: np.ndarray
    y: np.ndarray
    hidden: int = 0
    grid: Optional[tuple[int, int]] = None
    grid_extent: Optional[tuple[float, float, float, float]] = None  # left, right, bottom, top
    gap_y: Optional[float] = None  # where the "... n more" marker goes

    def position(self, index: int) -> tuple[float, float]:
        """The point a connection to or from neuron ``index`` starts or ends at."""
        if self.grid is not None:
            rows, columns = self.grid
            left, right, bottom, top = self.grid_extent
            r, c = divmod(index, columns)
            return (left + (c + 0.5) * (right - left) / columns,
                    top - (r + 0.5) * (top - bottom) / rows)
        return self.x, float(self.y[np.searchsorted(self.shown, index)])


@dataclass
class NetworkLayout:
    """What :func:`draw_network` draws, worked out without matplotlib.

    Attributes
    ----------
    layers : list of LayerLayout
        One per layer of the network.
    connections : list of Connection
        The connections drawn: for each pair of layers, the strongest by ``|weight|`` among
        those whose ends are shown, at most ``max_connections`` of them.
    total_connections : int
        How many connections the network has.
    notes : list of str
        What was left out, in words (the figure prints them).
    """

    layers: list
    connections: list
    total_connections: int
    notes: list = field(default_factory=list)


def _square_side(n: int) -> Optional[int]:
    side = math.isqrt(n)
    return side if side * side == n and side > 1 else None


def network_layout(network, *, max_neurons: int = 40, max_connections: int = 300,
                   image_shape: Optional[tuple[int, int]] = None) -> NetworkLayout:
    """Decide what the diagram of ``network`` shows and where.

    Parameters
    ----------
    network : Network
    max_neurons : int
        A layer with more neurons is summarised: an input layer whose size is a square (or
        ``image_shape``) becomes one grid of its pixels; any other keeps its first and last
        ``max_neurons // 2`` neurons.
    max_connections : int
        At most this many connections are drawn between each pair of layers, the strongest by
        ``|weight|`` among those whose ends are shown.
    image_shape : (int, int), optional
        The input layer's image shape, when it is not square.

    Examples
    --------
    >>> from neurograph import Network
    >>> layout = network_layout(Network.layered([784, 100, 10], seed=0))
    >>> layout.layers[0].grid, layout.layers[1].hidden, len(layout.connections)
    ((28, 28), 60, 600)
    """
    from .network import Network

    if not isinstance(network, Network):
        raise TypeError(f"`network` must be a Network, got {type(network).__name__}")
    for name, value in (("max_neurons", max_neurons), ("max_connections", max_connections)):
        if isinstance(value, bool) or not isinstance(value, (int, np.integer)) or value < 1:
            raise ValueError(f"`{name}` must be a positive integer, got {value!r}")
    if image_shape is not None:
        rows, columns = (int(v) for v in image_shape)
        if rows * columns != network.input_layer.size:
            raise ValueError(f"`image_shape` must hold the {network.input_layer.size} inputs, "
                             f"got {image_shape!r}")
    slots = []
    for layer in network.layers:
        n = layer.size
        if n <= max_neurons:
            slots.append(n)
        elif layer is network.input_layer and (image_shape or _square_side(n)):
            slots.append(max_neurons)  # the grid takes the room of a full column
        else:
            slots.append(2 * (max_neurons // 2) + _MARKER_SLOTS)  # first, marker, last
    height = max(slots)

    layouts = []
    notes = []
    for k, layer in enumerate(network.layers):
        n = layer.size
        x = float(k)
        if n <= max_neurons:
            shown = np.arange(n)
            layouts.append(LayerLayout(x, shown, _heights(n)))
            continue
        side = _square_side(n)
        if layer is network.input_layer and (image_shape or side):
            grid = tuple(int(v) for v in image_shape) if image_shape else (side, side)
            half = 0.45 * (height - 1) / 2 + 0.5
            aspect = grid[1] / grid[0]
            extent = (x - 0.35 * aspect, x + 0.35 * aspect, -half, half)
            layouts.append(LayerLayout(x, np.arange(n), np.zeros(0), grid=grid,
                                       grid_extent=extent))
            notes.append(f"layer {k}: {n} inputs drawn as a {grid[0]} x {grid[1]} grid")
            continue
        keep = max_neurons // 2
        shown = np.concatenate([np.arange(keep), np.arange(n - keep, n)])
        ys = _heights(2 * keep + _MARKER_SLOTS)
        layouts.append(LayerLayout(x, shown,
                                   np.concatenate([ys[:keep], ys[keep + _MARKER_SLOTS:]]),
                                   hidden=n - 2 * keep,
                                   gap_y=float(ys[keep + _MARKER_SLOTS // 2])))
        notes.append(f"layer {k}: {n - 2 * keep} of {n} neurons not drawn")

    connections = []
    total = 0
    for k, layer in enumerate(network.receiving_layers, start=1):
        total += int(layer.mask.sum())
        senders, receivers = layouts[k - 1], layouts[k]
        eligible = np.zeros_like(layer.mask)
        eligible[np.ix_(receivers.shown, senders.shown)] = True
        eligible &= layer.mask
        strength = np.where(eligible, np.abs(layer.weights), -1.0)
        n_eligible = int(eligible.sum())
        take = min(max_connections, n_eligible)
        flat = np.argpartition(strength.ravel(), strength.size - take)[strength.size - take:]
        by_receiver: dict = {}
        for j, i in zip(*np.unravel_index(np.sort(flat), strength.shape)):
            by_receiver.setdefault(int(j), []).append(int(i))
        for j, inputs in by_receiver.items():
            lookup = {c.input_neuron.index: c for c in layer.neurons[j].inputs}
            connections.extend(lookup[i] for i in inputs)
        if take < int(layer.mask.sum()):
            notes.append(f"layers {k - 1}-{k}: the {take:,} strongest of "
                         f"{int(layer.mask.sum()):,} connections drawn")
    return NetworkLayout(layouts, connections, total, notes)


def _heights(n: int) -> np.ndarray:
    """``n`` heights one apart, top to bottom, centred on 0."""
    return np.arange(n)[::-1] - (n - 1) / 2.0


def draw_network(network, *, ax=None, color_by: str = "activation", labels: bool = False,
                 max_neurons: int = 40, max_connections: int = 300,
                 image_shape: Optional[tuple[int, int]] = None, cmap: str = "coolwarm",
                 neuron_cmap: str = "viridis", colorbar: bool = True, neuron_values=None,
                 neuron_label: Optional[str] = None, connection_values=None,
                 connection_label: str = "weight"):
    """Draw ``network`` as a diagram and return the Axes.

    Layers run left to right, inputs first. Neurons are circles filled by their current
    activation (the sample last propagated) or their bias (``color_by="bias"``); connections
    are lines coloured by weight on a diverging colour map (blue negative, red positive), wider
    and more opaque the larger ``|weight|``. Static neurons are squares and the connections into
    them dashed; a neuron whose bias sits at the network's clamp gets a red ring. Big layers and
    dense layer pairs are summarised (see :func:`network_layout`), and a note under the diagram
    says what was left out.

    Parameters
    ----------
    network : Network
    ax : matplotlib.axes.Axes, optional
        Where to draw; a new figure when None.
    color_by : {"activation", "bias"}
        What fills the neurons (input neurons have no bias and are then grey).
    labels : bool
        Write each drawn neuron's value in it.
    max_neurons, max_connections, image_shape
        See :func:`network_layout`.
    cmap : str
        The diverging colour map of the weights.
    neuron_cmap : str
        The colour map of the neurons.
    colorbar : bool
        Add colour bars saying what the colours mean.
    neuron_values : list of numpy.ndarray, optional
        Instead of activations or biases, one value per neuron, one array per layer (NaN:
        nothing to show, drawn grey), named ``neuron_label``; signed values use the diverging
        map. :func:`neurograph.trace.draw_step` draws a step of a trace so.
    connection_values : list of numpy.ndarray, optional
        Instead of the weights, one ``(n_out, n_in)`` array per receiving layer (NaN: drawn as
        a thin grey line), named ``connection_label``.

    Returns
    -------
    matplotlib.axes.Axes
    """
    import matplotlib.pyplot as plt
    from matplotlib.collections import LineCollection
    from matplotlib.colors import Normalize
    from matplotlib.lines import Line2D

    if color_by not in COLOR_BY:
        raise ValueError(f"`color_by` must be one of {', '.join(COLOR_BY)}, got {color_by!r}")
    layout = network_layout(network, max_neurons=max_neurons, max_connections=max_connections,
                            image_shape=image_shape)
    if ax is None:
        width = max(4.0, 1.8 * len(network.layers) + 1.5)
        _, ax = plt.subplots(figsize=(width, 5.0))

    # Connections: one LineCollection, coloured and sized by weight (or the values given).
    if connection_values is None:
        weights = np.array([c.weight for c in layout.connections])
    else:
        weights = np.array([connection_values[c.output_neuron.layer.index - 1][
            c.output_neuron.index, c.input_neuron.index] for c in layout.connections], dtype=float)
    known = np.isfinite(weights)
    biggest = float(np.max(np.abs(weights[known]))) if known.any() else 1.0
    biggest = biggest or 1.0
    weight_norm = Normalize(-biggest, biggest)
    segments = [(layout.layers[c.input_neuron.layer.index].position(c.input_neuron.index),
                 layout.layers[c.output_neuron.layer.index].position(c.output_neuron.index))
                for c in layout.connections]
    strength = np.where(known, np.abs(np.nan_to_num(weights)) / biggest, 0.0)
    colors = plt.get_cmap(cmap)(weight_norm(np.nan_to_num(weights)))
    if weights.size:
        colors[:, 3] = 0.25 + 0.75 * strength
        colors[~known] = (0.8, 0.8, 0.8, 0.5)
    lines = LineCollection(segments, colors=colors, linewidths=0.3 + 2.2 * strength,
                           linestyles=["--" if c.output_neuron.static else "-"
                                       for c in layout.connections],
                           zorder=1, gid="connections")
    ax.add_collection(lines)

    # Neurons: one scatter of circles, one of squares (static), rings for clamped biases.
    values, xs, ys, static, clamped = [], [], [], [], []
    clamp = network.bias_clamp
    for layer, place in zip(network.layers, layout.layers):
        if place.grid is not None:
            image = np.array([n.activation for n in layer.neurons]).reshape(place.grid)
            ax.imshow(image, extent=place.grid_extent, cmap=neuron_cmap, zorder=2,
                      interpolation="nearest", aspect="auto", gid="input-grid")
            ax.text(place.x, place.grid_extent[2] - 0.3, f"{layer.size} inputs\n"
                    f"({place.grid[0]} x {place.grid[1]})", ha="center", va="top", fontsize=8)
            continue
        for index, y in zip(place.shown, place.y):
            neuron = layer.neurons[int(index)]
            has_bias = hasattr(neuron, "inputs")
            if neuron_values is not None:
                values.append(neuron_values[layer.index][int(index)])
            elif color_by == "bias":
                values.append(neuron.bias if has_bias else np.nan)
            else:
                values.append(neuron.activation)
            xs.append(place.x)
            ys.append(float(y))
            static.append(bool(getattr(neuron, "static", False)))
            clamped.append(has_bias and clamp is not None and not neuron.static
                           and neuron.bias in clamp)
        if place.hidden:
            ax.text(place.x, place.gap_y, f"\u22ee {place.hidden} more \u22ee", ha="center",
                    va="center", fontsize=8, zorder=6, gid="hidden-marker",
                    bbox=dict(boxstyle="round", facecolor="white", edgecolor="grey"))
    values = np.array(values, dtype=float)
    xs, ys, static, clamped = map(np.array, (xs, ys, static, clamped))
    finite = values[np.isfinite(values)]
    signed = color_by == "bias" if neuron_values is None else bool((finite < 0).any())
    if signed:
        top = float(np.max(np.abs(finite))) if finite.size else 1.0
        neuron_norm = Normalize(-(top or 1.0), top or 1.0)
        neuron_map = cmap
    else:
        low = min(0.0, float(finite.min())) if finite.size else 0.0
        high = max(1.0, float(finite.max())) if finite.size else 1.0
        neuron_norm = Normalize(low, high)
        neuron_map = neuron_cmap
    size = float(np.clip(2400.0 / max(len(p.y) for p in layout.layers if p.grid is None), 30, 500))
    faces = plt.get_cmap(neuron_map)(neuron_norm(np.nan_to_num(values)))
    faces[~np.isfinite(values)] = (0.85, 0.85, 0.85, 1.0)
    for marker, which in (("o", ~static), ("s", static)):
        if which.any():
            ax.scatter(xs[which], ys[which], s=size, c=faces[which], marker=marker,
                       edgecolors="black", linewidths=0.8, zorder=3,
                       gid="static-neurons" if marker == "s" else "neurons")
    if clamped.any():
        ax.scatter(xs[clamped], ys[clamped], s=size * 1.9, facecolors="none",
                   edgecolors="red", linewidths=1.5, zorder=4, gid="clamped")
    if labels:
        for x, y, v in zip(xs, ys, values):
            if np.isfinite(v):
                ax.text(x, y, f"{v:.2f}", ha="center", va="center", fontsize=6, zorder=5)

    # Frame, legend, colour bars, and what was left out.
    ax.autoscale_view()
    ax.margins(0.08)
    ax.set_xticks(range(len(network.layers)))
    ax.set_xticklabels([f"{type(l).__name__.replace('Layer', '').lower()}\n{l.size}"
                        for l in network.layers], fontsize=8)
    ax.set_yticks([])
    for side in ("top", "right", "left"):
        ax.spines[side].set_visible(False)
    legend = [Line2D([], [], color=plt.get_cmap(cmap)(0.95), lw=2,
                     label=f"positive {connection_label}"),
              Line2D([], [], color=plt.get_cmap(cmap)(0.05), lw=2,
                     label=f"negative {connection_label}")]
    if static.any():
        legend.append(Line2D([], [], marker="s", ls="--", color="grey", mfc="white",
                             label="static neuron (fixed)"))
    if clamped.any():
        legend.append(Line2D([], [], marker="o", ls="", mfc="none", mec="red",
                             label="bias at the clamp"))
    ax.legend(handles=legend, loc="lower center", bbox_to_anchor=(0.5, 1.0), ncol=len(legend),
              fontsize=7, frameon=False)
    if colorbar:
        from matplotlib.cm import ScalarMappable

        neuron_name = color_by if neuron_values is None else (neuron_label or "value")
        for offset, (norm, colors_, label) in enumerate(
                ((weight_norm, cmap, connection_label), (neuron_norm, neuron_map, neuron_name))):
            bar = ax.inset_axes([1.02 + 0.22 * offset, 0.05, 0.025, 0.9])
            ax.figure.colorbar(ScalarMappable(norm, colors_), cax=bar, label=label)
    drawn = len(layout.connections)
    note = [f"{drawn:,} of {layout.total_connections:,} connections drawn"] + layout.notes
    ax.text(0.5, -0.16, "; ".join(note), transform=ax.transAxes, ha="center", va="top",
            fontsize=7, wrap=True, gid="left-out")
    return ax
