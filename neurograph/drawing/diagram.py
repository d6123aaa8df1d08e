"""The network diagram: layers left to right, neurons as circles, connections as lines.

:func:`network_layout` decides what is shown and where (numpy only); :func:`draw_network` draws
it with matplotlib. Big networks stay readable: a layer larger than ``max_neurons`` is summarised
(an image-shaped input layer as one grid of its pixels, any other layer as its first and last
neurons and a marker saying how many are hidden), and only the ``max_connections`` strongest
connections into each layer are drawn. The figure says what it left out.

Layers stand in columns by depth, the longest path from the input (a chain's layer k in column
k), so layers reading the same layers share a column, stacked. A connection that skips columns
is a quadratic Bezier arc whose control point, halfway across, lifts it clear above (or below)
everything in the columns between.

A convolution or pooling layer is drawn as its feature maps, one small image (tile) per map
showing its neurons' values, each convolution kernel as a tiny image beside its map; instead of
its tens of thousands of connections, one receptive field per map is drawn: a band from the
window of the layer before to the neuron that reads it. A hidden layer with an image shape is
drawn as that image, and when it reads an image through windows (the post's edge maps), as a
receptive field too.
"""
from __future__ import annotations

import math
import re
from dataclasses import dataclass, field
from typing import Optional

import numpy as np

from ..core.validation import check_positive_int
from .diagram_fit import fit_axes_in_figure, fit_figure_to_axes
from .diagram_text import (column_pitches, output_names, predicted_output, value_width,
                           wrap_note, write_output_labels, write_values)

__all__ = ["NetworkLayout", "LayerLayout", "ReceptiveField", "network_layout", "draw_network"]

COLOR_BY = ("activation", "bias")
_MARKER_SLOTS = 3  # the room the "... n more" marker of a summarised layer takes
# Feature maps (all in units of a neuron's slot; a layout with maps has equal aspect):
_MAX_TILE_ROWS = 12  # a layer with more maps wraps them into more columns of tiles
_TILE_PITCH = 4.6  # at least this much height per tile row, gap included
_TILE_GAP = 0.15  # between tiles, a share of a tile's side
_KERNEL_SIDE = 0.55  # a one-channel kernel's image, a share of its map's tile
_LAYER_GAP = 0.25  # between the boxes of neighbouring layers, a share of the diagram's height
_STACK_SLOTS = 1  # between layers stacked in one column (a layout without maps), in slots
_STACK_GAP = 0.06  # the same in a layout with maps, a share of the diagram's height
_MAX_SPREAD = 8.0  # slots between the circles of a short column beside a tall one
_ARC_CLEARANCE = 0.05  # how far an arc passes from what it skips, a share of the height


@dataclass
class LayerLayout:
    """Where one layer is drawn.

    ``shown`` are the indices of the neurons drawn as circles (all of them unless the layer is
    summarised) at heights ``y``; ``hidden`` counts the neurons left out; ``grid`` is the image
    shape ``(rows, columns)`` when the layer is drawn as one grid of its neurons instead.

    A layer of feature maps (convolution, pooling, or a layer they read with more than one
    channel) has ``tiles``, one ``(left, right, bottom, top)`` row per map, each an image of
    ``map_shape`` ``(rows, columns)`` pixels, neuron ``(m, y, x)`` the pixel at row ``y``,
    column ``x`` of tile ``m``. A convolution layer also has its ``kernels`` (a copy,
    ``(maps, channels, kh, kw)``), drawn at ``kernel_extents``, one row per map.
    """

    x: float
    shown: np.ndarray
    y: np.ndarray
    hidden: int = 0
    grid: Optional[tuple[int, int]] = None
    grid_extent: Optional[tuple[float, float, float, float]] = None  # left, right, bottom, top
    gap_y: Optional[float] = None  # where the "... n more" marker goes
    tiles: Optional[np.ndarray] = None  # (maps, 4): left, right, bottom, top
    map_shape: Optional[tuple[int, int]] = None
    kernels: Optional[np.ndarray] = None  # (maps, channels, kh, kw)
    kernel_extents: Optional[np.ndarray] = None  # (maps, 4)
    column: int = 0  # the layer's depth: the longest path from the input, in connections

    def box(self) -> tuple[float, float, float, float]:
        """``(left, right, bottom, top)`` of what the layer draws (circles by their centres
        and half a gap between neighbours above and below)."""
        boxes = []
        if len(self.y):
            pad = 0.5 * float(np.min(-np.diff(self.y))) if len(self.y) > 1 else 0.5
            boxes.append([self.x, self.x, float(self.y.min()) - pad, float(self.y.max()) + pad])
        if self.grid_extent is not None:
            boxes.append(list(self.grid_extent))
        for extents in (self.tiles, self.kernel_extents):
            if extents is not None:
                boxes.extend(np.asarray(extents).tolist())
        box = np.array(boxes, dtype=float).reshape(-1, 4)
        return box[:, 0].min(), box[:, 1].max(), box[:, 2].min(), box[:, 3].max()

    def shift(self, dx: float, dy: float) -> None:
        """Move everything the layer draws by ``(dx, dy)``."""
        self.x = float(self.x + dx)
        self.y = self.y + dy
        if self.gap_y is not None:
            self.gap_y = float(self.gap_y + dy)
        move = np.array([dx, dx, dy, dy])
        if self.grid_extent is not None:
            self.grid_extent = tuple(float(v) for v in np.array(self.grid_extent) + move)
        if self.tiles is not None:
            self.tiles = self.tiles + move
        if self.kernel_extents is not None:
            self.kernel_extents = self.kernel_extents + move

    def pixel(self, index: int) -> tuple[float, float, float, float]:
        """``(left, right, bottom, top)`` of neuron ``index``'s pixel in a grid or a tile."""
        if self.grid is not None:
            (rows, columns), extent, m = self.grid, self.grid_extent, 0
        elif self.tiles is not None:
            rows, columns = self.map_shape
            m = index // (rows * columns)
            extent = self.tiles[m]
        else:
            raise ValueError(f"neuron {index} is drawn as a circle, not as a pixel")
        r, c = divmod(index - m * rows * columns, columns)
        left, right, bottom, top = (float(v) for v in extent)
        dx, dy = (right - left) / columns, (top - bottom) / rows
        return left + c * dx, left + (c + 1) * dx, top - (r + 1) * dy, top - r * dy

    def position(self, index: int) -> tuple[float, float]:
        """The point a connection to or from neuron ``index`` starts or ends at."""
        if self.tiles is not None:
            left, right, bottom, top = self.pixel(index)
            return (left + right) / 2, (bottom + top) / 2
        if self.grid is not None:
            rows, columns = self.grid
            left, right, bottom, top = self.grid_extent
            r, c = divmod(index, columns)
            return (left + (c + 0.5) * (right - left) / columns,
                    top - (r + 0.5) * (top - bottom) / rows)
        return self.x, float(self.y[np.searchsorted(self.shown, index)])


@dataclass
class ReceptiveField:
    """One neuron of a convolution or pooling layer and the window it reads: what the diagram
    draws instead of the layer's connections, one per map.

    The neuron is the map's most active one (its centre when the map is uniform); the window
    is drawn in one channel of the layer before, the one whose kernel slice is the largest
    (by ``sum |K[m, c]|``; a pooling map reads its own channel).
    """

    layer: int  # the index of the receiving layer
    neuron: int  # the neuron's index in it
    map: int
    channel: int  # the channel of the layer before that the window is drawn in
    senders: np.ndarray  # the indices (in the layer before) of the window in that channel
    source: tuple  # the window's (left, right, bottom, top)
    target: tuple  # the neuron's pixel, (left, right, bottom, top)


@dataclass
class NetworkLayout:
    """What :func:`draw_network` draws, worked out without matplotlib.

    Attributes
    ----------
    layers : list of LayerLayout
        One per layer of the network.
    connections : list of Connection
        The connections drawn: for each receiving layer, the strongest by ``|weight|`` among
        those whose ends are shown, at most ``max_connections`` of them over all the layer's
        sources together (a note names each source whose block was thinned).
    total_connections : int
        How many connections the network has.
    notes : list of str
        What was left out, in words (the figure prints them).
    receptive_fields : list of ReceptiveField
        For convolution and pooling layers, drawn instead of their connections.
    equal_aspect : bool
        True when the layout has feature maps or image-shaped hidden layers: one unit is then
        as long across as up (the tiles are square), and the figure is drawn so.
    curves : list
        One entry per connection drawn: None for a straight line between neighbouring
        columns, or the control point ``(x, y)`` of the quadratic Bezier arc of a connection
        that skips columns, which passes above (or below) everything in the columns between.
    """

    layers: list
    connections: list
    total_connections: int
    notes: list = field(default_factory=list)
    receptive_fields: list = field(default_factory=list)
    equal_aspect: bool = False
    curves: list = field(default_factory=list)


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
        At most this many connections are drawn into each layer, the strongest by ``|weight|``
        among those whose ends are shown, chosen over all its sources together (in a chain:
        between each pair of neighbouring layers).
    image_shape : (int, int), optional
        The input layer's image shape, when it is not square. A layer read by a convolution or
        pooling layer is drawn in the shape that layer reads.

    Notes
    -----
    Layers are placed in columns by depth, the longest path from the input; the layers of a
    column are stacked top to bottom, each drawn by its own rules. Connections that skip
    columns get a control point in ``curves``.

    A network with convolution or pooling layers (or hidden layers with an image shape) is
    laid out with feature maps: each such
    layer is a column (or, past 12 maps, several columns) of square tiles, one per map, with
    each convolution kernel as a small image left of its map, and one
    :class:`ReceptiveField` per map instead of its connections. The layer before it is drawn
    as the image it reads (a grid, or tiles for several channels). Connections into a fully
    connected layer are chosen as above, from every pixel of the maps before. One unit is then
    as long across as up (``equal_aspect``).

    Examples
    --------
    >>> from neurograph import Network
    >>> layout = network_layout(Network.layered([784, 100, 10], seed=0))
    >>> layout.layers[0].grid, layout.layers[1].hidden, len(layout.connections)
    ((28, 28), 60, 600)

    >>> from neurograph.convolution import convolution, max_pooling
    >>> net = Network.convolutional((8, 8), [convolution(), max_pooling(2)], [10], seed=0)
    >>> layout = network_layout(net)
    >>> [len(place.tiles) for place in layout.layers[1:3]], layout.layers[1].kernels.shape
    ([12, 12], (12, 1, 3, 3))
    >>> len(layout.receptive_fields), len(layout.connections), layout.total_connections
    (24, 300, 5400)

    >>> layout = network_layout(Network.layered([3, 4, 3, 2], connect="all", seed=0))
    >>> [place.column for place in layout.layers], len(layout.connections)
    ([0, 1, 2, 3], 53)
    >>> sum(curve is not None for curve in layout.curves)  # 0-2, 0-3 and 1-3 skip columns
    23
    """
    _check_layout_arguments(network, max_neurons, max_connections, image_shape)
    if any(layer.diagram_image() is not None for layer in network.receiving_layers):
        layout = _layout_with_maps(network, max_neurons, max_connections, image_shape)
    else:
        layouts, notes = _columns(network, max_neurons, image_shape)
        connections, total, _ = _connections(network, layouts, max_connections, notes)
        layout = NetworkLayout(layouts, connections, total, notes)
    layout.curves = _curves(layout)
    layout.notes = _merge_notes(layout.notes, [place.column for place in layout.layers])
    return layout


def _merge_notes(notes: list, columns: list) -> list:
    """One note for the layers of a column that have the same one: "layer 1: ..." and
    "layer 2: ..." become "layers 1, 2: ..." ("layers 0-1, 0-2: ..." for pairs)."""
    merged: list = []
    where: dict = {}  # (column, what the note says) -> its place in merged
    for note in notes:
        found = re.match(r"layers? (\d+)(?:-(\d+))?: (.*)", note)
        if found is None:
            merged.append([None, note])
            continue
        layer = int(found.group(2) or found.group(1))
        key = (columns[layer], bool(found.group(2)), found.group(3))
        name = note[:note.index(":")].split(" ")[1]
        if key in where:
            merged[where[key]][0].append(name)
        else:
            where[key] = len(merged)
            merged.append([[name], found.group(3)])
    lines = []
    for names, rest in merged:
        one = names is not None and len(names) == 1 and "-" not in names[0]
        lines.append(rest if names is None else
                     f"{'layer' if one else 'layers'} {', '.join(names)}: {rest}")
    return lines


def _depths(network) -> list:
    """Each layer's column: the longest path from the input (a chain's layer k is in column
    k), so layers that read the same layers side by side share a column."""
    depths = []
    for layer in network.layers:
        sources = layer.sources if layer.receives else []
        if sources:
            depths.append(1 + max(depths[source.index] for source in sources))
        else:  # the input (or a layer not joined yet: after the one before)
            depths.append(depths[-1] + 1 if depths else 0)
    return depths


def _members(depths: list) -> list:
    """The indices of the layers in each column, in the network's order."""
    columns = [[] for _ in range(max(depths) + 1)]
    for k, depth in enumerate(depths):
        columns[depth].append(k)
    return [column for column in columns if column]


def _stack(places: list, gap: float) -> None:
    """Stack the layers of one column top to bottom, ``gap`` apart, centred on 0 both ways
    round the column's middle (one layer alone stays where it is)."""
    if len(places) < 2:
        return
    boxes = [place.box() for place in places]
    middle = (min(b[0] for b in boxes) + max(b[1] for b in boxes)) / 2
    top = (sum(b[3] - b[2] for b in boxes) + gap * (len(boxes) - 1)) / 2
    for place, (left, right, bottom, box_top) in zip(places, boxes):
        place.shift(middle - (left + right) / 2, top - box_top)
        top -= box_top - bottom + gap


def _connections(network, layouts: list, max_connections: int, notes: list,
                 fields: Optional[list] = None) -> tuple[list, int, list]:
    """The connections drawn (the strongest into each layer), how many there are, and (when
    ``fields`` is a list, in a layout with maps) the receptive fields drawn instead."""
    connections = []
    total = 0
    for layer in network.receiving_layers:
        k = layer.index
        total += layer.n_connections
        drawn_fields = None
        if fields is not None and len(layer.sources) == 1:
            source = layer.sources[0].index
            if layouts[source].grid is not None or layouts[source].tiles is not None:
                drawn_fields = _receptive_fields(layer, k, layouts[source], layouts[k])
        if drawn_fields is not None:
            fields.extend(drawn_fields)
            notes.append(f"layers {source}-{k}: {layer.n_connections:,} connections drawn as "
                         f"one receptive field per map")
        else:
            connections.extend(_strongest(layer, layouts, max_connections, notes))
    return connections, total, fields


def _curves(layout: NetworkLayout) -> list:
    """For each connection of ``layout``: None (a straight line) or, when it skips columns,
    the control point of an arc that stays clear of everything in them."""
    columns: dict = {}  # column -> (left, right, bottom, top) of what it draws
    for place in layout.layers:
        box = place.box()
        old = columns.get(place.column, box)
        columns[place.column] = (min(old[0], box[0]), max(old[1], box[1]),
                                 min(old[2], box[2]), max(old[3], box[3]))
    bottom = min(box[2] for box in columns.values())
    top = max(box[3] for box in columns.values())
    if layout.equal_aspect:  # a unit as long across as up
        clear_x = clear_y = _ARC_CLEARANCE * (top - bottom)
    else:  # columns one unit apart, neurons one slot apart
        clear_x, clear_y = 0.2, max(1.0, _ARC_CLEARANCE * (top - bottom))
    curves = []
    for c in layout.connections:
        sender = layout.layers[c.input_neuron.layer.index]
        receiver = layout.layers[c.output_neuron.layer.index]
        skipped = [columns[d] for d in range(sender.column + 1, receiver.column)
                   if d in columns]
        if not skipped:
            curves.append(None)
            continue
        curves.append(_control_point(sender.position(c.input_neuron.index),
                                     receiver.position(c.output_neuron.index), skipped,
                                     clear_x, clear_y))
    return curves


def _control_point(start: tuple, end: tuple, skipped: list, clear_x: float,
                   clear_y: float) -> tuple[float, float]:
    """The control point of a quadratic Bezier from ``start`` to ``end`` that passes at least
    ``clear_y`` above (or below, for ends in the lower half) the boxes ``skipped``, widened by
    ``clear_x`` either side.

    With the control point halfway across, x runs linearly in t and y(x) is a parabola
    bowing away from the boxes, so it is nearest to a box at the box's widened edges:
    y(t) = (1-t)^2 y0 + 2t(1-t) cy + t^2 y2 >= target there gives the bound on cy.
    """
    (x0, y0), (x2, y2) = start, end
    middle = sum(box[2] + box[3] for box in skipped) / (2 * len(skipped))
    above = (y0 + y2) / 2 >= middle
    cy = (y0 + y2) / 2  # a straight line, to begin with
    for left, right, bottom, top in skipped:
        target = top + clear_y if above else bottom - clear_y
        for x in (left - clear_x, right + clear_x):
            t = min(max((x - x0) / (x2 - x0), 0.02), 0.98)
            need = (target - (1 - t) ** 2 * y0 - t ** 2 * y2) / (2 * t * (1 - t))
            cy = max(cy, need) if above else min(cy, need)
    return (x0 + x2) / 2, float(cy)


def _check_layout_arguments(network, max_neurons, max_connections, image_shape) -> None:
    """Refuse what :func:`network_layout` cannot lay out, with the error it promises."""
    # A network is anything with layers (importing Network here would close an import cycle).
    if not all(hasattr(network, name) for name in ("layers", "receiving_layers",
                                                    "input_layer")):
        raise TypeError(f"`network` must be a Network, got {type(network).__name__}")
    check_positive_int("max_neurons", max_neurons)
    check_positive_int("max_connections", max_connections)
    if image_shape is not None:
        rows, columns = (int(v) for v in image_shape)
        if rows * columns != network.input_layer.size:
            raise ValueError(f"`image_shape` must hold the {network.input_layer.size} inputs, "
                             f"got {image_shape!r}")


def _columns(network, max_neurons: int, image_shape) -> tuple[list, list]:
    """The layers of a network without maps in columns one unit apart, by depth (the layers
    of one column stacked): the layouts and the notes on what they leave out."""
    slots = []
    for layer in network.layers:
        n = layer.size
        if n <= max_neurons:
            slots.append(n)
        elif layer is network.input_layer and (image_shape or _square_side(n)):
            slots.append(max_neurons)  # the grid takes the room of a full column
        else:
            slots.append(2 * (max_neurons // 2) + _MARKER_SLOTS)  # first, marker, last
    depths = _depths(network)
    members = _members(depths)
    height = max(sum(slots[k] for k in ks) + _STACK_SLOTS * (len(ks) - 1) for ks in members)

    layouts = []
    notes = []
    for k, layer in enumerate(network.layers):
        n = layer.size
        x = float(depths[k])
        if n <= max_neurons:  # a short column alone spreads, to at most 8 slots apart
            alone = sum(depth == depths[k] for depth in depths) == 1
            spacing = float(np.clip(0.5 * height / n, 1.0, _MAX_SPREAD)) if alone else 1.0
            layouts.append(LayerLayout(x, np.arange(n), spacing * _heights(n)))
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
        layouts.append(_summarised(x, n, max_neurons, 1.0, k, notes))
    for k, place in enumerate(layouts):
        place.column = depths[k]
    for ks in members:
        _stack([layouts[k] for k in ks], _STACK_SLOTS)
    return layouts, notes


def _summarised(x: float, n: int, max_neurons: int, spacing: float, k: int,
                notes: list) -> LayerLayout:
    """Layer ``k`` of ``n > max_neurons`` neurons as its first and last ``max_neurons // 2``,
    ``spacing`` apart, with the marker of the hidden ones between them (noted in ``notes``)."""
    keep = max_neurons // 2
    ys = spacing * _heights(2 * keep + _MARKER_SLOTS)
    shown = np.concatenate([np.arange(keep), np.arange(n - keep, n)])
    notes.append(f"layer {k}: {n - 2 * keep} of {n} neurons not drawn")
    return LayerLayout(x, shown, np.concatenate([ys[:keep], ys[keep + _MARKER_SLOTS:]]),
                       hidden=n - 2 * keep, gap_y=float(ys[keep + _MARKER_SLOTS // 2]))


def _strongest(layer, layouts: list, max_connections: int, notes: list) -> list:
    """The ``max_connections`` strongest connections into ``layer`` between shown neurons,
    chosen over all its sources' blocks together; notes say which blocks were thinned."""
    exists, strengths = layer.connection_strengths()  # (n_out, n_inputs): all the blocks
    receivers = layouts[layer.index]
    eligible = np.zeros_like(exists)
    for source in layer.sources:
        columns = layer.offset_of(source) + layouts[source.index].shown
        eligible[np.ix_(receivers.shown, columns)] = True
    eligible &= exists
    strength = np.where(eligible, strengths, -1.0)
    n_eligible = int(eligible.sum())
    take = min(max_connections, n_eligible)
    flat = np.argpartition(strength.ravel(), strength.size - take)[strength.size - take:]
    by_receiver: dict = {}
    for j, i in zip(*np.unravel_index(np.sort(flat), strength.shape)):
        by_receiver.setdefault(int(j), []).append(int(i))
    connections = []
    for j, inputs in by_receiver.items():
        lookup = {layer.input_column(c): c for c in layer.neurons[j].inputs}
        connections.extend(lookup[i] for i in inputs)
    if take < int(exists.sum()):
        _note_thinned(layer, exists, np.sort(flat) % strength.shape[1], take, notes)
    return connections


def _note_thinned(layer, exists: np.ndarray, columns: np.ndarray, take: int,
                  notes: list) -> None:
    """Say which of ``layer``'s blocks lost connections (``columns`` of those drawn)."""
    k = layer.index
    if len(layer.sources) == 1:
        notes.append(f"layers {layer.sources[0].index}-{k}: the {take:,} strongest of "
                     f"{int(exists.sum()):,} connections drawn")
        return
    for source in layer.sources:
        start = layer.offset_of(source)
        there = int(exists[:, start:start + source.size].sum())
        drawn = int(((columns >= start) & (columns < start + source.size)).sum())
        if drawn < there:
            notes.append(f"layers {source.index}-{k}: {drawn:,} of {there:,} connections "
                         f"drawn (the {take:,} strongest into layer {k})")


def _is_maps(image: Optional[tuple]) -> bool:
    """Whether ``image`` (a layer's ``diagram_image()``) is a stack of feature maps."""
    return image is not None and image[1] == "maps"


def _image_of(network, k: int, image_shape) -> Optional[tuple]:
    """The image layer ``k`` is drawn as in a layout with maps: ``((channels, rows, columns),
    "maps" or "channels")``, or None for circles. Maps are drawn as themselves; a layer read as
    an image by a later one is drawn as that image."""
    layer = network.layers[k]
    own = layer.diagram_image()
    if _is_maps(own):
        return own
    receivers = layer.receivers if layer.transmits else []
    read = next((tuple(receiver.input_image()) for receiver in receivers
                 if receiver.input_image() is not None), None)
    if read is not None:
        return read, "channels"
    if own is not None:
        return own
    if k == 0 and image_shape is not None:
        return (1, *(int(v) for v in image_shape)), "channels"
    return None


def _n_slots(n: int, max_neurons: int) -> int:
    """The slots a column of ``n`` circles takes: all of them, or the summary's."""
    return n if n <= max_neurons else 2 * (max_neurons // 2) + _MARKER_SLOTS


def _layout_with_maps(network, max_neurons: int, max_connections: int,
                      image_shape) -> NetworkLayout:
    """:func:`network_layout` for a network with convolution or pooling layers, or hidden
    layers drawn as images."""
    layers = network.layers
    images = [_image_of(network, k, image_shape) for k in range(len(layers))]
    side = _square_side(layers[0].size)
    if images[0] is None and layers[0].size > max_neurons and side:  # as without maps
        images[0] = (1, side, side), "channels"
    depths = _depths(network)
    members = _members(depths)

    # The height: every summarised or full column of circles, and enough for the tile rows
    # (the layers of one column added up).
    slots = [1.0]
    for ks in members:
        column = 0.0
        for k in ks:
            if images[k] is None:
                column += _n_slots(layers[k].size, max_neurons)
            elif images[k][0][0] > 1:
                column += _TILE_PITCH * min(images[k][0][0], _MAX_TILE_ROWS)
        slots.append(column)
    height = max(max(slots), 2 * _TILE_PITCH)
    gap = _LAYER_GAP * height

    layouts, notes = [None] * len(layers), []
    right = 0.0  # the right edge of the column drawn last
    for column, ks in enumerate(members):
        room = height / len(ks)  # a stacked layer's share of the height
        for k in ks:
            place = _map_layer(layers[k], k, images[k], right, column == 0, gap,
                               (height, room), max_neurons, notes)
            place.column = depths[k]
            layouts[k] = place
        edge = max(layouts[k].box()[1] for k in ks)
        _stack([layouts[k] for k in ks], _STACK_GAP * height)
        right = edge
    connections, total, fields = _connections(network, layouts, max_connections, notes, [])
    return NetworkLayout(layouts, connections, total, notes, fields, equal_aspect=True)


def _map_layer(layer, k: int, image, right: float, first: bool, gap: float, heights: tuple,
               max_neurons: int, notes: list) -> LayerLayout:
    """Layer ``k`` in a layout with maps, left of it the column before (its right edge
    ``right``): circles, one grid, or tiles. ``heights`` are the diagram's and the layer's
    share of it (less when layers share a column)."""
    height, room = heights
    n = layer.size
    if image is None:
        x = right + gap
        spacing = min(2.0, 0.85 * room / _n_slots(n, max_neurons))  # a short column spreads
        if n <= max_neurons:
            return LayerLayout(x, np.arange(n), spacing * _heights(n))
        return _summarised(x, n, max_neurons, spacing, k, notes)
    (channels, rows, columns), what = image
    left = right + (0.0 if first else gap)
    if channels == 1 and what == "channels":  # one grid, as for the input
        side = min(0.3 * height, 0.9 * room)
        width = side * columns / rows
        notes.append(f"layer {k}: {n} {'inputs' if k == 0 else 'neurons'} drawn as a "
                     f"{rows} x {columns} grid")
        return LayerLayout(left + width / 2, np.arange(n), np.zeros(0), grid=(rows, columns),
                           grid_extent=(left, left + width, -side / 2, side / 2))
    place = _tiles(layer, image[0], left, room)
    notes.append(f"layer {k}: {n:,} {'inputs' if k == 0 else 'neurons'} drawn as "
                 f"{channels} {what} of {rows} x {columns}")
    return place


def _tiles(layer, image: tuple, left: float, height: float) -> LayerLayout:
    """A layer of maps as tiles in columns of at most ``_MAX_TILE_ROWS``, its left at ``left``,
    with each kernel (of a convolution layer) left of its map."""
    maps, rows, columns = image
    per_column = min(maps, _MAX_TILE_ROWS)
    n_columns = -(-maps // per_column)
    side = min(height / (per_column + _TILE_GAP * (per_column - 1)), 0.3 * height)
    tile_w, tile_h = (side, side * rows / columns) if columns >= rows else \
        (side * columns / rows, side)
    kernels = layer.diagram_kernels()
    kernel_w = kernel_h = 0.0
    if kernels is not None:
        kernels = np.array(kernels, dtype=float)
        mosaic_h, mosaic_w = _mosaic(kernels[0]).shape
        _, channels, kh, kw = kernels.shape
        pixel = _KERNEL_SIDE * side * (1.0 if channels == 1 else 1.6) / max(mosaic_h, mosaic_w)
        kernel_w, kernel_h = mosaic_w * pixel, mosaic_h * pixel
    kernel_gap = 0.12 * side if kernels is not None else 0.0
    column_w = kernel_w + kernel_gap + tile_w
    width = n_columns * column_w + (n_columns - 1) * 0.35 * side
    top = (per_column * side + (per_column - 1) * _TILE_GAP * side) / 2
    tiles = np.zeros((maps, 4))
    kernel_extents = np.zeros((maps, 4)) if kernels is not None else None
    for m in range(maps):
        column, row = divmod(m, per_column)
        tile_left = left + column * (column_w + 0.35 * side) + kernel_w + kernel_gap
        centre_y = top - row * side * (1 + _TILE_GAP) - side / 2
        tiles[m] = (tile_left, tile_left + tile_w, centre_y - tile_h / 2, centre_y + tile_h / 2)
        if kernels is not None:
            kernel_left = tile_left - kernel_gap - kernel_w
            kernel_extents[m] = (kernel_left, kernel_left + kernel_w, centre_y - kernel_h / 2,
                                 centre_y + kernel_h / 2)
    return LayerLayout(left + width / 2, np.arange(layer.size), np.zeros(0), tiles=tiles,
                       map_shape=(rows, columns), kernels=kernels,
                       kernel_extents=kernel_extents)


def _mosaic(tiles: np.ndarray, columns: Optional[int] = None) -> np.ndarray:
    """Images ``(n, h, w)`` tiled into one image, left to right and top to bottom, in
    ``columns`` columns (by default as many as make the grid of tiles roughly square), a NaN
    pixel between neighbours; unused places are NaN too.

    Tile ``k``'s top-left pixel is ``((k // columns) * (h + 1), (k % columns) * (w + 1))``.
    One map's kernel ``(channels, kh, kw)`` so becomes one image of its channels' slices.
    """
    n, h, w = tiles.shape
    columns = math.ceil(math.sqrt(n)) if columns is None else columns
    rows = -(-n // columns)
    mosaic = np.full((rows * (h + 1) - 1, columns * (w + 1) - 1), np.nan)
    for k in range(n):
        top, left = (k // columns) * (h + 1), (k % columns) * (w + 1)
        mosaic[top:top + h, left:left + w] = tiles[k]
    return mosaic


def _receptive_fields(layer, k: int, senders: LayerLayout,
                      receivers: LayerLayout) -> Optional[list]:
    """One :class:`ReceptiveField` per map of ``layer``, or None when its connections are
    drawn as lines (it reads no windows)."""
    if layer.receptive_field(0) is None:
        return None
    (maps, out_h, out_w), _ = layer.diagram_image()
    activations = np.array([n.activation for n in layer.neurons], dtype=float)
    activations = activations.reshape(maps, out_h * out_w)
    fields = []
    for m in range(maps):
        a = activations[m]
        if np.isfinite(a).all() and a.max() > a.min():
            j = m * out_h * out_w + int(np.argmax(a))
        else:  # a uniform map: its centre
            j = (m * out_h + out_h // 2) * out_w + out_w // 2
        channel, window = layer.receptive_field(j)
        if window.size == 0:
            continue
        boxes = np.array([senders.pixel(int(i)) for i in window])
        source = (float(boxes[:, 0].min()), float(boxes[:, 1].max()),
                  float(boxes[:, 2].min()), float(boxes[:, 3].max()))
        fields.append(ReceptiveField(k, j, m, channel, window, source, receivers.pixel(j)))
    return fields


def _heights(n: int) -> np.ndarray:
    """``n`` heights one apart, top to bottom, centred on 0."""
    return np.arange(n)[::-1] - (n - 1) / 2.0


def draw_network(network, *, ax=None, color_by: str = "activation", labels: bool = False,
                 max_neurons: int = 40, max_connections: int = 300,
                 image_shape: Optional[tuple[int, int]] = None, cmap: str = "coolwarm",
                 neuron_cmap: str = "viridis", colorbar: bool = True, neuron_values=None,
                 neuron_label: Optional[str] = None, connection_values=None,
                 connection_label: str = "weight", output_labels=None,
                 title: Optional[str] = None):
    """Draw ``network`` as a diagram and return the Axes.

    Layers run left to right, inputs first. Neurons are circles filled by their current
    activation (the sample last propagated) or their bias (``color_by="bias"``); connections
    are lines coloured by weight on a diverging colour map (blue negative, red positive), wider
    and more opaque the larger ``|weight|``; one that skips columns is an arc round the
    columns between. Static neurons are squares and the connections into them dashed; a neuron
    whose bias sits at the network's clamp gets a red ring. Big layers and dense layer pairs are
    summarised (see :func:`network_layout`); a note under the diagram says what was left out.

    A convolution or pooling layer is drawn as its feature maps: one tile per map, its pixels
    filled like the circles but on a scale of its column's own (written under it; so is the
    image it reads), each convolution kernel as a small image left of its map (blue negative,
    red positive, one symmetric scale for all the kernels, with a colour bar of its own). Its
    connections are drawn as one receptive field per map: an orange band from a window of the
    layer before to the map's most active neuron.

    Parameters
    ----------
    network : Network
    ax : matplotlib.axes.Axes, optional
        Where to draw; a new figure when None.
    color_by : {"activation", "bias"}
        What fills the neurons (input neurons have no bias and are then grey).
    labels : bool
        Write each drawn neuron's value in it (circles only).
    max_neurons, max_connections, image_shape : see :func:`network_layout`.
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
        Instead of the weights, one array per receiving layer shaped like its ``weights``, all
        its sources' blocks side by side, a connection's value at its receiver's row and its
        ``input_column`` (NaN: drawn as a thin grey line), named ``connection_label``.
    output_labels : sequence, optional
        One label per output neuron, right of it (default: the network's ``output_labels``);
        coloured by activation, the predicted one (the largest) is ringed and bold.
    title : str, optional (above the diagram)

    A new figure is sized round all it draws; an ``ax`` given is scaled, keeping its shape,
    to fit its figure. An input image is square and grey, with its own colour bar. Values
    (``labels``): 3 significant figures, white on dark, black on light; none in a column too
    dense for them (the note says so).

    Returns
    -------
    matplotlib.axes.Axes

    Examples
    --------
    >>> from neurograph import Network
    >>> from neurograph.convolution import convolution, max_pooling
    >>> net = Network.convolutional((8, 8), [convolution(), max_pooling(2)], [10], seed=0)
    >>> ax = draw_network(net)
    >>> sum(image.get_gid().startswith("kernel-1-") for image in ax.images)
    12
    >>> import matplotlib.pyplot as plt; plt.close("all")
    """
    _check_color_by(color_by)
    layout = network_layout(network, max_neurons=max_neurons, max_connections=max_connections,
                            image_shape=image_shape)
    names = output_names(network, output_labels)
    return _draw_diagram(ax, network, layout, names, dict(
        color_by=color_by, labels=labels, cmap=cmap, neuron_cmap=neuron_cmap, colorbar=colorbar,
        neuron_values=neuron_values, neuron_label=neuron_label, title=title,
        connection_values=connection_values, connection_label=connection_label))


def _check_color_by(color_by) -> None:
    if color_by not in COLOR_BY:
        raise ValueError(f"`color_by` must be one of {', '.join(COLOR_BY)}, got {color_by!r}")


def _draw_diagram(ax, network, layout: NetworkLayout, names, style: dict):
    """:func:`draw_network` once its arguments are checked (``style``: the rest of them)."""
    color_by, labels, cmap = style["color_by"], style["labels"], style["cmap"]
    neuron_values, connection_label = style["neuron_values"], style["connection_label"]
    own = ax is None
    ax = _diagram_axes(ax, network, layout)
    if not layout.equal_aspect:
        _plain_limits(ax, layout)
    weight_norm = _draw_connections(ax, layout, cmap, style["connection_values"])
    neurons = _draw_neurons(ax, network, layout, color_by, cmap, style["neuron_cmap"],
                            neuron_values)
    neuron_name = color_by if neuron_values is None else (style["neuron_label"] or "value")
    _frame(ax, network, layout, neurons.picture_norms, neuron_name)
    _draw_legend(ax, layout, neurons, cmap, connection_label)
    if style["title"] is not None:
        ax.set_title(style["title"], fontsize=9, pad=22)
    if style["colorbar"]:
        _draw_colour_bars(ax, layout, _bars(neurons, weight_norm, cmap, connection_label,
                                            neuron_name, neuron_values is None))
    room = None if own else fit_axes_in_figure(ax)  # first the frame, so that the values are
    # written at the scale they are read at (an Axes of its own figure keeps its size)
    notes = list(layout.notes)
    if labels:
        notes += _write_values(ax, neurons)
    if names is not None:
        predicted = None if neuron_values is not None or color_by != "activation" else \
            predicted_output(network)
        _label_outputs(ax, neurons, names, predicted, labels)
    _note_left_out(ax, layout, notes)
    if own:
        fit_figure_to_axes(ax)
    else:
        fit_axes_in_figure(ax, room)
    _size_circles(ax, neurons, _circle_size(layout))
    return ax


@dataclass
class _Neurons:
    """The neurons :func:`draw_network` drew as circles (one entry each, in drawing order),
    and the colour scales of them, of the kernels, and of each layer's grid or tiles."""

    values: np.ndarray
    xs: np.ndarray
    ys: np.ndarray
    static: np.ndarray  # bool: drawn as squares
    clamped: np.ndarray  # bool: ringed
    norm: object = None
    cmap: object = None
    kernel_norm: object = None
    picture_norms: dict = field(default_factory=dict)
    layers: np.ndarray = None  # each circle's layer index
    indices: np.ndarray = None  # each circle's index in its layer
    outputs: np.ndarray = None  # bool: the circle is an output neuron
    faces: np.ndarray = None  # (n, 4): each circle's fill
    input_norm: object = None  # the colour scale of an input drawn as an image
    scatters: list = field(default_factory=list)  # (collection, its area / a circle's)


def _diagram_axes(ax, network, layout: NetworkLayout):
    """``ax``, or a new figure's Axes sized for the layout."""
    import matplotlib.pyplot as plt

    if ax is None and layout.equal_aspect:
        size, box = _figure_size(layout)
        ax = plt.figure(figsize=size).add_axes(box)
    elif ax is None:  # the Axes as before; the figure is then sized round what it draws
        n_columns = len({place.column for place in layout.layers})
        ax = plt.figure(figsize=(10.0, 6.0)).add_axes(
            [0.1, 0.15, 0.775 * max(4.0, 1.8 * n_columns + 1.5) / 10.0, 3.85 / 6.0])
    return ax


def _draw_connections(ax, layout: NetworkLayout, cmap, connection_values):
    """One LineCollection, coloured and sized by weight (or the values given), the arcs of
    the connections that skip columns, and the receptive fields; returns the weights'
    colour scale."""
    from matplotlib.collections import LineCollection

    weight_norm, colors, widths = _connection_style(layout, cmap, connection_values)
    ends = _connection_ends(layout)
    styles = ["--" if c.output_neuron.static else "-" for c in layout.connections]
    curves = layout.curves or [None] * len(ends)
    line = [m for m, curve in enumerate(curves) if curve is None]
    lines = LineCollection([ends[m] for m in line], colors=colors[line] if line else colors,
                           linewidths=widths[line], linestyles=[styles[m] for m in line],
                           zorder=1, gid="connections")
    ax.add_collection(lines)
    arcs = [m for m, curve in enumerate(curves) if curve is not None]
    if arcs:
        _draw_arcs(ax, [ends[m] for m in arcs], [curves[m] for m in arcs], colors[arcs],
                   widths[arcs], [styles[m] for m in arcs])
    if layout.receptive_fields:
        _draw_receptive_fields(ax, layout.receptive_fields)
    return weight_norm


def _connection_ends(layout: NetworkLayout) -> list:
    """The two ends ``((x, y), (x, y))`` of each connection drawn."""
    return [(layout.layers[c.input_neuron.layer.index].position(c.input_neuron.index),
             layout.layers[c.output_neuron.layer.index].position(c.output_neuron.index))
            for c in layout.connections]


def _connection_style(layout: NetworkLayout, cmap, connection_values) -> tuple:
    """The weights' colour scale (symmetric, to the largest ``|weight|``), and each drawn
    connection's colour (more opaque the stronger; grey for NaN) and width."""
    import matplotlib.pyplot as plt
    from matplotlib.colors import Normalize

    weights = _connection_weights(layout, connection_values)
    known = np.isfinite(weights)
    biggest = float(np.max(np.abs(weights[known]))) if known.any() else 1.0
    biggest = biggest or 1.0
    weight_norm = Normalize(-biggest, biggest)
    strength = np.where(known, np.abs(np.nan_to_num(weights)) / biggest, 0.0)
    colors = plt.get_cmap(cmap)(weight_norm(np.nan_to_num(weights)))
    if weights.size:
        colors[:, 3] = 0.25 + 0.75 * strength
        colors[~known] = (0.8, 0.8, 0.8, 0.5)
    return weight_norm, colors, 0.3 + 2.2 * strength


def _connection_weights(layout: NetworkLayout, connection_values) -> np.ndarray:
    """The value each drawn connection is coloured by: its weight, or its entry of
    ``connection_values`` (one array per receiving layer, the shape of its ``weights``: a
    connection's entry is at its receiver's row and its ``input_column``)."""
    if connection_values is None:
        return np.array([c.weight for c in layout.connections])
    values = []
    for c in layout.connections:
        layer = c.output_neuron.layer
        values.append(connection_values[layer.index - 1][c.output_neuron.index,
                                                         layer.input_column(c)])
    return np.array(values, dtype=float)


def _draw_arcs(ax, ends: list, controls: list, colors, widths, styles) -> None:
    """The connections that skip columns, as quadratic Bezier arcs through ``controls``."""
    from matplotlib.collections import PathCollection
    from matplotlib.path import Path

    codes = [Path.MOVETO, Path.CURVE3, Path.CURVE3]
    paths = [Path([start, control, end], codes) for (start, end), control in zip(ends, controls)]
    arcs = PathCollection(paths, facecolors="none", edgecolors=colors, linewidths=widths,
                          linestyles=styles, zorder=1, gid="skip-connections")
    arcs.set_transform(ax.transData)
    ax.add_collection(arcs, autolim=False)  # by their curves, not their control points:
    for path in paths:
        extents = path.get_extents()
        ax.update_datalim([(extents.x0, extents.y0), (extents.x1, extents.y1)])


def _draw_neurons(ax, network, layout: NetworkLayout, color_by: str, cmap, neuron_cmap,
                  neuron_values) -> _Neurons:
    """Circles (squares if static, red rings for clamped biases), grids, tiles and kernels."""
    import matplotlib.pyplot as plt
    from matplotlib.colors import Normalize

    neurons, pictures = _circles_and_pictures(network, layout, color_by, neuron_values)
    input_norm = _draw_plain_grids_and_markers(ax, network, layout, color_by, neuron_values)
    everything = np.concatenate([neurons.values] + [v for _, _, v in pictures])
    signed = color_by == "bias" if neuron_values is None else bool((everything < 0).any())
    neurons.norm, neurons.cmap = _circle_scale(neurons.values, signed, cmap, neuron_cmap)
    kernels = [np.abs(p.kernels).max() for p in layout.layers if p.kernels is not None]
    top = float(max(kernels, default=1.0)) or 1.0
    neurons.kernel_norm = Normalize(-top, top) if kernels else None  # one for all the kernels
    for ks in _column_layers(network, layout):  # each column of maps on a scale of its own
        drawn = [(layer, place, picture) for layer, place, picture in pictures
                 if layer.index in ks]
        if not drawn:
            continue
        norm = _picture_norm(np.concatenate([p for _, _, p in drawn]), signed)
        neurons.picture_norms[ks[0]] = norm
        grey = ks == [0] and layout.layers[0].grid is not None  # the input image, in grey
        if grey and np.isfinite(drawn[0][2]).any():
            input_norm = norm
        for layer, place, picture in drawn:  # stacked grids: their size is in the caption
            _draw_picture(ax, layer, place, picture,
                          plt.get_cmap(_INPUT_CMAP if grey else neurons.cmap), norm,
                          plt.get_cmap(cmap), neurons.kernel_norm, label=len(ks) == 1)
    neurons.input_norm = input_norm
    _draw_circles(ax, neurons, _circle_size(layout))
    return neurons


def _circles_and_pictures(network, layout: NetworkLayout, color_by: str,
                          neuron_values) -> tuple[_Neurons, list]:
    """The neurons drawn as circles, and ``(layer, place, values)`` of the grids and tiles of
    a layout with maps (the input grid of a layout without maps is drawn on its own)."""
    values, xs, ys, static, clamped, which = [], [], [], [], [], []
    pictures = []
    clamp = network.bias_clamp
    for layer, place in zip(network.layers, layout.layers):
        if place.grid is not None and not layout.equal_aspect:
            continue
        if place.grid is not None or place.tiles is not None:
            pictures.append((layer, place, _picture_values(layer, color_by, neuron_values)))
            continue
        for index, y in zip(place.shown, place.y):
            neuron = layer.neurons[int(index)]
            has_bias = neuron.receives
            if neuron_values is not None:
                values.append(neuron_values[layer.index][int(index)])
            elif color_by == "bias":
                values.append(neuron.bias if has_bias else np.nan)
            else:
                values.append(neuron.activation)
            xs.append(place.x)
            ys.append(float(y))
            which.append((layer.index, int(index)))
            static.append(bool(neuron.static))
            clamped.append(has_bias and clamp is not None and not neuron.static
                           and neuron.bias in clamp)
    xs, ys, static, clamped = map(np.array, (xs, ys, static, clamped))
    which = np.array(which, dtype=int).reshape(-1, 2)
    neurons = _Neurons(np.array(values, dtype=float), xs, ys, static, clamped,
                       layers=which[:, 0], indices=which[:, 1],
                       outputs=which[:, 0] == network.output_layer.index)
    return neurons, pictures


def _draw_plain_grids_and_markers(ax, network, layout: NetworkLayout, color_by: str,
                                  neuron_values):
    """The input grid of a layout without maps (in grey, on a scale of its own, which is
    returned: None when it shows nothing), and the "... n more" of summarised layers."""
    from matplotlib.collections import LineCollection

    import matplotlib.pyplot as plt

    norm = None
    for layer, place in zip(network.layers, layout.layers):
        if place.grid is not None and not layout.equal_aspect:
            values = _picture_values(layer, color_by, neuron_values)
            finite = values[np.isfinite(values)]
            grid_norm = _picture_norm(values, bool((finite < 0).any()))
            ax.imshow(values.reshape(place.grid), extent=place.grid_extent, norm=grid_norm,
                      cmap=plt.get_cmap(_INPUT_CMAP).with_extremes(bad=(0.85, 0.85, 0.85)),
                      zorder=2, interpolation="nearest", aspect="auto", gid="input-grid")
            ax.add_collection(LineCollection([_outline(place.grid_extent)], colors="0.3",
                                             linewidths=0.6, zorder=2.1), autolim=False)
            norm = grid_norm if finite.size else None
        elif place.hidden:  # only a column of circles hides neurons
            ax.text(place.x, place.gap_y, f"\u22ee {place.hidden} more \u22ee", ha="center",
                    va="center", fontsize=8, zorder=6, gid="hidden-marker",
                    bbox=dict(boxstyle="round", facecolor="white", edgecolor="grey"))
    return norm


def _circle_scale(values: np.ndarray, signed: bool, cmap, neuron_cmap) -> tuple:
    """The colour scale and map of the circles: symmetric on the diverging map for signed
    values, else from 0 (or below) to 1 (or above) on the neurons' map."""
    from matplotlib.colors import Normalize

    finite = values[np.isfinite(values)]
    if signed:
        top = float(np.max(np.abs(finite))) if finite.size else 1.0
        return Normalize(-(top or 1.0), top or 1.0), cmap
    low = min(0.0, float(finite.min())) if finite.size else 0.0
    high = max(1.0, float(finite.max())) if finite.size else 1.0
    return Normalize(low, high), neuron_cmap


def _circle_size(layout: NetworkLayout) -> float:
    """The circles' area in points squared: about as many as fit in the most crowded column."""
    if layout.equal_aspect:  # as many slots as the closest circles would make of the height
        _, _, bottom, top = _span(layout)
        closest = min((float(np.min(-np.diff(p.y))) for p in layout.layers if len(p.y) > 1),
                      default=1.0)
        return float(np.clip(2400.0 * closest / (top - bottom), 30, 500))
    per_column: dict = {}  # the circles of each column, its stacked layers added up
    for place in layout.layers:
        if place.grid is None:
            per_column[place.column] = per_column.get(place.column, 0) + len(place.y)
    return float(np.clip(2400.0 / max(per_column.values()), 30, 500))


def _draw_circles(ax, neurons: _Neurons, size: float) -> None:
    """One scatter of circles, one of squares (static), rings for clamped biases."""
    xs, ys, static, clamped = neurons.xs, neurons.ys, neurons.static, neurons.clamped
    faces = neurons.faces = _faces(neurons)
    for marker, which in (("o", ~static), ("s", static)):
        if which.any():
            drawn = ax.scatter(xs[which], ys[which], s=size, c=faces[which], marker=marker,
                               edgecolors="black", linewidths=0.8, zorder=3,
                               gid="static-neurons" if marker == "s" else "neurons")
            neurons.scatters.append((drawn, 1.0))
    if clamped.any():
        rings = ax.scatter(xs[clamped], ys[clamped], s=size * 1.9, facecolors="none",
                           edgecolors="red", linewidths=1.5, zorder=4, gid="clamped")
        neurons.scatters.append((rings, 1.9))


def _faces(neurons: _Neurons) -> np.ndarray:
    """Each circle's fill ``(n, 4)``: its value on the circles' scale, grey for NaN."""
    import matplotlib.pyplot as plt

    faces = plt.get_cmap(neurons.cmap)(neurons.norm(np.nan_to_num(neurons.values)))
    faces[~np.isfinite(neurons.values)] = (0.85, 0.85, 0.85, 1.0)
    return faces


def _size_circles(ax, neurons: _Neurons, size: float) -> None:
    """Shrink the circles (and their rings), if need be, so that neighbours do not touch on
    the figure as drawn: at most 0.8 of the closest two centres of a column apart."""
    if not len(neurons.xs):
        return
    closest = min(column_pitches(ax, neurons.xs, neurons.ys).values())
    if np.isfinite(closest):
        size = min(size, (0.8 * closest) ** 2)
    for scatter, factor in neurons.scatters:
        scatter.set_sizes([size * factor])


def _write_values(ax, neurons: _Neurons) -> list:
    """Each circle's value in it; the notes on the layers left without."""
    skipped = write_values(ax, neurons.xs, neurons.ys, neurons.values, neurons.faces,
                           neurons.layers)
    return [f"layer {k}: values not written (its neurons are too close together to read "
            f"them)" for k in skipped]


def _label_outputs(ax, neurons: _Neurons, names: list, predicted, labels: bool) -> None:
    """The output circles' labels right of them; the predicted one bold and ringed."""
    out = neurons.outputs
    if not out.any():
        return
    xs, ys, indices = neurons.xs[out], neurons.ys[out], neurons.indices[out]
    place = None if predicted is None or predicted not in indices else \
        int(np.flatnonzero(indices == predicted)[0])
    offset = max(12.0, value_width(neurons.values[out]) if labels else 0.0) + 4.0
    write_output_labels(ax, xs, ys, [names[i] for i in indices], place, offset)
    if place is not None:
        ring = ax.scatter([xs[place]], [ys[place]], s=1.0, facecolors="none",
                          edgecolors="black", linewidths=2.5, zorder=4.5, gid="predicted")
        neurons.scatters.append((ring, 2.6))


def _bars(neurons: _Neurons, weight_norm, cmap, connection_label: str, neuron_name: str,
          plain: bool) -> list:
    """``(norm, colour map, label)`` of each colour bar: the connections', the circles', the
    input image's (if drawn as one) and the kernels' (if any)."""
    bars = [(weight_norm, cmap, connection_label), (neurons.norm, neurons.cmap, neuron_name)]
    if neurons.input_norm is not None:
        bars.append((neurons.input_norm, _INPUT_CMAP,
                     "input value" if plain else f"input: {neuron_name}"))
    if neurons.kernel_norm is not None:
        bars.append((neurons.kernel_norm, cmap, "kernel entry"))
    return bars


def _frame(ax, network, layout: NetworkLayout, picture_norms: dict, neuron_name: str) -> None:
    """Limits, aspect, a tick label under each layer, no frame but the bottom line."""
    columns = _column_layers(network, layout)
    ax.set_xticks([layout.layers[ks[0]].x for ks in columns])
    if layout.equal_aspect:
        ax.autoscale_view()
        ax.margins(0.08)
        ax.set_aspect("equal", adjustable="datalim")
        ax.set_xticklabels([_caption([network.layers[k] for k in ks],
                                     picture_norms.get(ks[0]), neuron_name)
                            for ks in columns], fontsize=8)
    else:
        ax.set_xticklabels([_caption([network.layers[k] for k in ks], None, "")
                            + _grid_words(layout.layers[ks[0]]) for ks in columns], fontsize=8)
    ax.set_yticks([])
    for side in ("top", "right", "left"):
        ax.spines[side].set_visible(False)


def _grid_words(place: LayerLayout) -> str:
    """Under a layer drawn as an image (in a layout without maps): the image's shape."""
    return "" if place.grid is None else f"\n({place.grid[0]} x {place.grid[1]} image)"


def _plain_limits(ax, layout: NetworkLayout) -> None:
    """Fix the limits of a layout without maps (room left of the columns for the input image,
    right of them for output labels), then make its input image square on the figure."""
    _, _, bottom, top = _span(layout)
    for curve, c in zip(layout.curves, layout.connections):
        if curve is not None:  # an arc reaches halfway to its control point
            ends = [layout.layers[n.layer.index].position(n.index)[1]
                    for n in (c.input_neuron, c.output_neuron)]
            middle = (sum(ends) / 2 + curve[1]) / 2
            bottom, top = min(bottom, middle), max(top, middle)
    xs = [place.x for place in layout.layers]
    grid = any(place.grid is not None for place in layout.layers)
    margin = 0.05 * (top - bottom) + 0.7
    ax.set_xlim(min(xs) - (0.6 if grid else 0.35), max(xs) + 0.45)
    ax.set_ylim(bottom - margin, top + margin)
    ax.set_autoscale_on(False)
    if grid:
        for place in layout.layers:
            if place.grid is not None:
                _square_grid(ax, place)
        layout.curves = _curves(layout)


def _square_grid(ax, place: LayerLayout) -> None:
    """Make ``place``'s grid as wide on the figure as its image is (at most one column
    apart wide), keeping its middle."""
    left, right, bottom, top = place.grid_extent
    (x0, y0), (x1, y1) = ax.transData.transform([(0.0, 0.0), (1.0, 1.0)])
    rows, columns = place.grid
    height = top - bottom
    width = height * (y1 - y0) / (x1 - x0) * columns / rows
    if width > 1.0:
        height, width = height / width, 1.0
    middle = (top + bottom) / 2
    place.grid_extent = (place.x - width / 2, place.x + width / 2, middle - height / 2,
                         middle + height / 2)


def _draw_legend(ax, layout: NetworkLayout, neurons: _Neurons, cmap,
                 connection_label: str) -> None:
    """Above the Axes: the signs of the lines, and the markers and bands that are drawn."""
    import matplotlib.pyplot as plt
    from matplotlib.lines import Line2D

    legend = [Line2D([], [], color=plt.get_cmap(cmap)(0.95), lw=2,
                     label=f"positive {connection_label}"),
              Line2D([], [], color=plt.get_cmap(cmap)(0.05), lw=2,
                     label=f"negative {connection_label}")]
    if neurons.static.any():
        legend.append(Line2D([], [], marker="s", ls="--", color="grey", mfc="white",
                             label="static neuron (fixed)"))
    if neurons.clamped.any():
        legend.append(Line2D([], [], marker="o", ls="", mfc="none", mec="red",
                             label="bias at the clamp"))
    if layout.receptive_fields:
        from matplotlib.patches import Patch

        legend.append(Patch(facecolor=_FIELD_FACE, edgecolor=_FIELD_EDGE,
                            label="receptive field (one per map)"))
    ax.legend(handles=legend, loc="lower center", bbox_to_anchor=(0.5, 1.0), ncol=len(legend),
              fontsize=7, frameon=False)


def _draw_colour_bars(ax, layout: NetworkLayout, bars: list) -> None:
    """One colour bar per ``(norm, colour map, label)`` of ``bars``, side by side right of
    the Axes, about an inch apart."""
    from matplotlib.cm import ScalarMappable

    inches = ax.get_position().width * ax.figure.get_size_inches()[0]
    left, step, width = 1.0 + 0.15 / inches, 0.95 / inches, 0.12 / inches
    for offset, (norm, colors_, label) in enumerate(bars):
        bar = ax.inset_axes([left + step * offset, 0.05, width, 0.9])
        ax.figure.colorbar(ScalarMappable(norm, colors_), cax=bar, label=label)


def _note_left_out(ax, layout: NetworkLayout, notes: list) -> None:
    """Under the diagram and its captions: how many connections are drawn, and what else was
    left out, wrapped to the diagram's width."""
    drawn = len(layout.connections)
    note = [f"{drawn:,} of {layout.total_connections:,} connections drawn"] + notes
    lines = max((t.get_text().count("\n") + 1 for t in ax.get_xticklabels()), default=0)
    below = 8.0 + lines * 8 * 1.25 + 8.0  # points: the ticks, their captions, some air
    width = ax.get_position().width * ax.figure.get_size_inches()[0] * 72.0
    ax.annotate(wrap_note("; ".join(note), width, _NOTE_FONTSIZE), (0.5, 0.0),
                xycoords="axes fraction", xytext=(0, -below), textcoords="offset points",
                ha="center", va="top", fontsize=_NOTE_FONTSIZE, gid="left-out")


_INPUT_CMAP = "Greys"  # the input image: dark ink on white, like a digit on paper
_NOTE_FONTSIZE = 8.0
_FIELD_FACE = (1.0, 0.6, 0.1, 0.22)  # receptive fields: translucent orange bands
_FIELD_EDGE = (0.85, 0.4, 0.0, 0.9)


_FIGURE_HEIGHT = 7.0  # inches, of a layout with maps
_AXES_BOTTOM, _AXES_HEIGHT = 0.19, 0.72  # shares of the figure's height: room for the note
_BARS_WIDTH = 3.4  # inches right of the Axes, for the colour bars


def _span(layout: NetworkLayout) -> tuple[float, float, float, float]:
    """``(left, right, bottom, top)`` of everything a layout places."""
    lefts, rights, bottoms, tops = [], [], [], []
    for place in layout.layers:
        boxes = [np.array([[place.x, place.x, place.y.min(), place.y.max()]])
                 if len(place.y) else np.zeros((0, 4))]
        if place.grid_extent is not None:
            boxes.append(np.array([place.grid_extent]))
        for extents in (place.tiles, place.kernel_extents):
            if extents is not None:
                boxes.append(extents)
        box = np.concatenate(boxes)
        lefts.append(box[:, 0].min())
        rights.append(box[:, 1].max())
        bottoms.append(box[:, 2].min())
        tops.append(box[:, 3].max())
    return min(lefts), max(rights), min(bottoms), max(tops)


def _figure_size(layout: NetworkLayout) -> tuple[tuple[float, float], tuple]:
    """The size of a figure whose Axes fits a layout with maps at equal aspect, with room for
    the colour bars, and the Axes' box in it (left, bottom, width, height)."""
    left, right, bottom, top = _span(layout)
    ratio = (right - left) / (top - bottom)
    axes_width = min(16.0, _AXES_HEIGHT * _FIGURE_HEIGHT * ratio)  # inches
    width = 0.1 + axes_width + _BARS_WIDTH
    return (width, _FIGURE_HEIGHT), (0.1 / width, _AXES_BOTTOM, axes_width / width,
                                     _AXES_HEIGHT)


def _column_layers(network, layout: NetworkLayout) -> list:
    """The indices of the layers of each column of ``layout``, left to right."""
    columns: dict = {}
    for k, place in enumerate(layout.layers):
        columns.setdefault(place.column, []).append(k)
    return [columns[c] for c in sorted(columns)]


def _caption(layers: list, norm, quantity: str) -> str:
    """The tick label under a column: its layer's caption, or line by line its layers'
    (a line they share once, ``n x`` before a shared first line, different ones joined by
    " | "), with the scale of its pictures in a layout with maps."""
    captions = [layer.diagram_caption().split("\n") for layer in layers]
    lines = []
    for k in range(max(len(c) for c in captions)):
        line = [c[k] if k < len(c) else "" for c in captions]
        if len(set(line)) > 1:
            lines.append(" | ".join(line))
        else:
            lines.append(line[0] if k or len(line) == 1 else f"{len(line)} x {line[0]}")
    words = "\n".join(lines)
    scale = "" if norm is None else f"\n{quantity} {norm.vmin:.3g} to {norm.vmax:.3g}"
    return words + scale


def _picture_norm(values: np.ndarray, signed: bool):
    """The colour scale of one layer's grid or tiles: symmetric around 0 for signed values,
    else from 0 (or below) to the largest."""
    from matplotlib.colors import Normalize

    finite = values[np.isfinite(values)]
    if signed:
        top = float(np.max(np.abs(finite))) if finite.size else 0.0
        return Normalize(-(top or 1.0), top or 1.0)
    low = min(0.0, float(finite.min())) if finite.size else 0.0
    high = float(finite.max()) if finite.size else low
    return Normalize(low, high if high > low else low + 1.0)


def _picture_values(layer, color_by: str, neuron_values) -> np.ndarray:
    """One value per neuron of a layer drawn as a grid or tiles: what fills its pixels."""
    if neuron_values is not None:
        return np.array(neuron_values[layer.index], dtype=float).reshape(-1)
    if color_by == "bias":  # input neurons have no bias
        return np.array([n.bias if n.receives else np.nan for n in layer.neurons], dtype=float)
    return np.array([n.activation for n in layer.neurons], dtype=float)


def _draw_picture(ax, layer, place: LayerLayout, values: np.ndarray, neuron_map, neuron_norm,
                  weight_map, kernel_norm, label: bool = True) -> None:
    """Draw a layer's grid (and, with ``label``, its size under it), or its tiles and
    kernels."""
    from matplotlib.collections import LineCollection

    neuron_map = neuron_map.with_extremes(bad=(0.85, 0.85, 0.85))
    style = dict(cmap=neuron_map, norm=neuron_norm, interpolation="nearest", aspect="auto",
                 zorder=2)
    k = layer.index
    if place.grid is not None:
        ax.imshow(values.reshape(place.grid), extent=place.grid_extent,
                  gid="input-grid" if k == 0 else f"grid-{k}", **style)
        ax.add_collection(LineCollection([_outline(place.grid_extent)], colors="0.3",
                                         linewidths=0.6, zorder=2.1))
        if label:
            ax.text(place.x, place.grid_extent[2] - 0.3,
                    f"{layer.size} {'inputs' if k == 0 else 'neurons'}\n"
                    f"({place.grid[0]} x {place.grid[1]})", ha="center", va="top", fontsize=8)
        return
    maps = values.reshape(len(place.tiles), *place.map_shape)
    for m, extent in enumerate(place.tiles):
        ax.imshow(maps[m], extent=tuple(extent), gid=f"map-{k}-{m}", **style)
    outlines = [_outline(extent) for extent in place.tiles]
    if place.kernels is None:
        ax.add_collection(LineCollection(outlines, colors="0.3", linewidths=0.6, zorder=2.1))
        return
    for m, extent in enumerate(place.kernel_extents):
        ax.imshow(_mosaic(place.kernels[m]), extent=tuple(extent), gid=f"kernel-{k}-{m}",
                  cmap=weight_map.with_extremes(bad="white"), norm=kernel_norm,
                  interpolation="nearest", aspect="auto", zorder=3)
    outlines += [_outline(extent) for extent in place.kernel_extents]
    ax.add_collection(LineCollection(outlines, colors="0.3", linewidths=0.6, zorder=3.1))


def _outline(extent) -> list:
    left, right, bottom, top = (float(v) for v in extent)
    return [(left, bottom), (right, bottom), (right, top), (left, top), (left, bottom)]


def _draw_receptive_fields(ax, fields: list) -> None:
    """Each field as a band from its window's right edge to its neuron's pixel, with both
    outlined."""
    from matplotlib.collections import LineCollection, PolyCollection

    bands = []
    for field_ in fields:
        _, right, bottom, top = field_.source
        left_, _, bottom_, top_ = field_.target
        bands.append([(right, top), (left_, top_), (left_, bottom_), (right, bottom)])
    ax.add_collection(PolyCollection(bands, facecolors=[_FIELD_FACE], edgecolors="none",
                                     zorder=1.5, gid="receptive-fields"))
    boxes = [_outline(f.source) for f in fields] + [_outline(f.target) for f in fields]
    ax.add_collection(LineCollection(boxes, colors=[_FIELD_EDGE], linewidths=0.9, zorder=4,
                                     gid="receptive-windows"))
