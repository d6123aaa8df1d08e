"""Plots of a network and its training: history, weights, decision boundary, neuron maps,
confusion matrix, and a GIF of training.

Every helper draws with matplotlib, imported inside the function (``import neurograph`` needs
numpy alone), takes keyword-only style options, and returns what it drew: the Axes (or the
Figure, for the many small maps of :func:`plot_neuron_maps`). None of them shows or saves a
figure, except :func:`animate_training`, whose job is to write a GIF.

Over a network's input plane (2-input networks), a grid of ``resolution x resolution`` points
is drawn as an image whose pixel ``[i, j]`` is centred on the point ``(xs[j], ys[i])``.
"""
from __future__ import annotations

import math
import os
from pathlib import Path
from typing import Optional, Sequence, Union

import numpy as np

from ..core.validation import as_samples, check_positive_int
from .diagram import _mosaic
from .history import plot_history  # noqa: F401  (its home was here)
from ..core.layers import ReceivingLayer
from ..training.loop import History, restore, snapshot
from ..engines.vectorized import forward

__all__ = ["plot_history", "plot_weights", "weight_mosaic", "plot_decision_boundary",
           "plot_neuron_maps", "plot_confusion_matrix", "confusion_matrix", "animate_training"]

Extent = tuple  # (x_min, x_max, y_min, y_max)

#: Each side of the data's range is widened by this share of the range.
MARGIN = 0.1


# -- checks and shared pieces --------------------------------------------------------------------

def _check_two_inputs(network, what: str) -> None:
    n_inputs = network.input_layer.size
    if n_inputs != 2:
        raise ValueError(f"`network` must have 2 inputs for {what} over the input plane, got "
                         f"{n_inputs} inputs")


def _data_extent(X: np.ndarray) -> Extent:
    """The range of the two columns of ``X``, each widened by ``MARGIN`` of its span (0.5
    each side when the span is 0)."""
    limits = []
    for column in (X[:, 0], X[:, 1]):
        low, high = float(column.min()), float(column.max())
        pad = MARGIN * (high - low) if high > low else 0.5
        limits += [low - pad, high + pad]
    return tuple(limits)


def _check_extent(extent) -> Extent:
    try:
        values = tuple(float(v) for v in extent)
    except (TypeError, ValueError):
        values = ()
    if len(values) != 4 or not all(map(math.isfinite, values)) \
            or values[0] >= values[1] or values[2] >= values[3]:
        raise ValueError("`extent` must be four finite numbers (x_min, x_max, y_min, y_max) with "
                         f"x_min < x_max and y_min < y_max, got {extent!r}")
    return values


def _plane_grid(extent: Extent, resolution: int) -> tuple[np.ndarray, Extent]:
    """The grid points over ``extent`` and the image extent that centres pixels on them.

    Returns ``points`` ``(resolution**2, 2)``, row ``i * resolution + j`` being
    ``(xs[j], ys[i])``, so that ``values.reshape(resolution, resolution)`` is an image with
    ``origin="lower"``; and the extent of that image (half a pixel beyond the grid).
    """
    x0, x1, y0, y1 = extent
    xs, ys = np.linspace(x0, x1, resolution), np.linspace(y0, y1, resolution)
    xx, yy = np.meshgrid(xs, ys)  # xx[i, j] = xs[j], yy[i, j] = ys[i]
    points = np.column_stack([xx.ravel(), yy.ravel()])
    dx, dy = xs[1] - xs[0], ys[1] - ys[0]
    return points, (x0 - dx / 2, x1 + dx / 2, y0 - dy / 2, y1 + dy / 2)


def _new_axes(ax, **subplots):
    if ax is not None:
        return ax
    import matplotlib.pyplot as plt
    return plt.subplots(**subplots)[1]


# -- weights ---------------------------------------------------------------------------------------

def _tile_shape(shape, n_in: int, picture: bool = True) -> tuple[int, int]:
    """A tile's (rows, columns): ``shape``, or by default a square when ``n_in`` is one and
    the inputs are a ``picture`` (else a ``1 x n_in`` strip)."""
    if shape is None:
        side = math.isqrt(n_in)
        return (side, side) if picture and side * side == n_in else (1, n_in)
    try:
        h, w = (int(v) for v in shape)
        ok = h >= 1 and w >= 1 and h * w == n_in and tuple(shape) == (h, w)
    except (TypeError, ValueError):
        ok = False
    if not ok:
        raise ValueError(f"`shape` must be (rows, columns) with rows x columns = {n_in} (the "
                         f"layer's inputs), got {shape!r}")
    return h, w


def _weight_picture(layer, source=None) -> tuple[str, np.ndarray]:
    """What ``layer`` has to show, ``("weights", (n_out, n_in))`` or ``("kernels", (maps,
    channels, kh, kw))`` (see ``Layer.weight_picture``); the layer refuses what has none (the
    input layer, a pooling layer, no connections). With ``source``, only that layer's block
    of the weights; a layer reading several layers must be given one."""
    try:
        picture = layer.weight_picture
    except AttributeError:  # not a layer at all
        raise TypeError(f"`layer` must be a HiddenLayer or OutputLayer, got {layer!r}") from None
    kind, values = picture()
    sources = layer.sources
    if source is None:
        if len(sources) > 1:
            raise ValueError(f"`source` must be given: {layer!r} reads layers "
                             f"{', '.join(str(s.index) for s in sources)}, a block of weights "
                             "each (plot_weights(layer, source=one_of_them))")
        return kind, values
    if not layer.receives_from(source):
        raise ValueError(f"`source` must be a layer that {layer!r} reads, got {source!r}")
    if kind != "weights":  # one source: the kernels are the whole picture
        return kind, values
    offset = layer.offset_of(source)
    return kind, values[:, offset:offset + source.size]


def _kernels_mosaic(kernels: np.ndarray, shape, max_neurons: Optional[int]):
    """:func:`weight_mosaic` for a convolution layer: its ``kernels`` (maps, channels, kh, kw)."""
    maps, channels, h, w = kernels.shape
    if shape is not None:
        raise ValueError(f"`shape` must be None for a convolution layer (its kernels are "
                         f"{h} x {w}), got {shape!r}")
    shown = maps if max_neurons is None else min(maps, max_neurons)
    if channels == 1:  # the maps in a roughly square grid
        mosaic = _mosaic(kernels[:shown, 0])
        columns = math.ceil(math.sqrt(shown))
        rows = -(-shown // columns)
    else:  # a row per map, a column per channel
        rows, columns = shown, channels
        mosaic = _mosaic(kernels[:shown].reshape(shown * channels, h, w), columns)
    return mosaic, (h, w), (rows, columns), shown


def weight_mosaic(layer: ReceivingLayer, *, shape=None, max_neurons: Optional[int] = 100,
                  source=None) -> tuple[np.ndarray, tuple[int, int], tuple[int, int], int]:
    """The image :func:`plot_weights` draws, without drawing it.

    Returns ``(mosaic, (h, w), (rows, columns), shown)``: neuron ``k`` (of the first
    ``shown``) has its incoming weights, reshaped to ``h x w`` row by row, at the tile in grid
    row ``k // columns`` and column ``k % columns``, whose top-left pixel is
    ``(row * (h + 1), column * (w + 1))``. One-row tiles (strips) are stacked in one column,
    a matrix with neuron ``k`` in row ``2 k``. Gaps between tiles, unused tiles and missing
    connections are NaN. See :func:`plot_weights` for the parameters.

    For a convolution layer the tiles are its kernels ``h x w`` and ``shown`` counts maps:
    with one input channel, map ``k``'s kernel is at grid row ``k // columns``, column
    ``k % columns``; with more, kernel ``(m, c)`` (map ``m``, channel ``c``) is at grid row
    ``m``, column ``c``.

    Examples
    --------
    >>> from neurograph import Network
    >>> net = Network.layered([4, 3, 1], seed=0)
    >>> mosaic, tile, grid, shown = weight_mosaic(net.hidden_layers[0])
    >>> mosaic.shape, tile, grid, shown
    ((5, 5), (2, 2), (2, 2), 3)
    >>> from neurograph.convolution import ConvolutionLayer
    >>> mosaic, tile, grid, shown = weight_mosaic(ConvolutionLayer((28, 28)))
    >>> mosaic.shape, tile, grid, shown
    ((11, 15), (3, 3), (3, 4), 12)
    """
    return _weight_mosaic(*_weight_picture(layer, source), shape, max_neurons,
                          _inputs_are_a_picture(layer, source))


def _inputs_are_a_picture(layer, source=None) -> bool:
    """Whether the inputs of ``layer`` (from ``source``) are pixels: the network's input
    layer, or a layer with a 2-D (or deeper) shape. A hidden layer's neurons are no picture,
    so their weights are better read as a matrix than as a square tile."""
    sources = [source] if source is not None else layer.sources
    return all(s.index == 0 or len(getattr(s, "shape", ())) > 1 for s in sources)


def _weight_mosaic(kind: str, values: np.ndarray, shape, max_neurons: Optional[int],
                   picture: bool = True):
    """:func:`weight_mosaic` of what a layer has to show (``kind``, ``values``); square
    tiles by default only when the inputs are a ``picture``."""
    if max_neurons is not None:
        max_neurons = check_positive_int("max_neurons", max_neurons)
    if kind == "kernels":
        return _kernels_mosaic(values, shape, max_neurons)
    n_out, n_in = values.shape  # the weights, NaN where there is no connection
    h, w = _tile_shape(shape, n_in, picture)
    shown = n_out if max_neurons is None else min(n_out, max_neurons)
    # Strips stack into a matrix, a row per neuron; tiles take as many columns as make the
    # whole mosaic roughly square in pixels.
    columns = 1 if h == 1 else min(shown, max(1, math.ceil(math.sqrt(shown * h / w))))
    rows = -(-shown // columns)
    mosaic = _mosaic(values[:shown].reshape(shown, h, w), columns)
    return mosaic, (h, w), (rows, columns), shown


def plot_weights(layer: ReceivingLayer, *, ax=None, shape: Optional[Sequence[int]] = None,
                 max_neurons: Optional[int] = 100, cmap="coolwarm", colorbar: bool = True,
                 annotate: Optional[bool] = None, source=None, **style):
    """Draw each receiving neuron's incoming weights as a small image, tiled in one mosaic.

    Row ``j`` of ``layer.weights`` (the weights into neuron ``j``) becomes a tile of ``shape``;
    tiles are laid out left to right, top to bottom, in a grid that makes the mosaic roughly
    square, one pixel of blank (NaN) between them, each numbered with its neuron (for MNIST's
    first layer, the 28 x 28 picture a hidden neuron responds to). ``1 x n_in`` strips are
    stacked into a matrix, a row per neuron and a column per input, named and numbered.

    A convolution layer's neurons share their map's kernel, so its tiles are the kernels: with
    one input channel, one per map in a roughly square grid, each labelled with its map; with
    more, a row per map and a column per channel (see :func:`weight_mosaic`).

    Parameters
    ----------
    layer : HiddenLayer, OutputLayer or ConvolutionLayer
        A receiving layer (``network.receiving_layers[k]``) with weights of its own.
    ax : matplotlib.axes.Axes, optional
        Where to draw the mosaic; a new figure when omitted.
    shape : (int, int), optional
        Each tile's (rows, columns), their product the layer's number of inputs. By default
        a square when ``n_in`` is one and the inputs are pixels (the input layer, or a layer
        with a 2-D shape), else a ``1 x n_in`` strip. Not for a convolution layer.
    max_neurons : int or None
        Draw at most this many neurons (the first ones), or of a convolution layer this many
        maps; None for all. The title then says how many are shown: "first 100 of 128 neurons".
    cmap : str or Colormap
        A diverging colour map suits the scale, symmetric around 0 (``-m`` to ``m``, ``m`` the
        layer's largest absolute weight) and shared by all tiles.
    colorbar : bool
        Add one colour bar for the whole mosaic.
    annotate : bool, optional
        Write each kernel entry's value in its pixel (convolution layers only). By default
        done when the mosaic is at most 16 pixels each way, so the numbers fit.
    source : Layer, optional
        Only the weights from this one of ``layer.sources`` (its ``layer.block``), required
        for a layer reading several: their blocks differ in size and meaning.
    **style
        Passed to ``Axes.imshow``.

    Returns
    -------
    matplotlib.axes.Axes
        The Axes holding one image, the mosaic (see :func:`weight_mosaic`; NaN is blank).

    Raises
    ------
    TypeError
        If ``layer`` is not a receiving layer.
    ValueError
        If ``shape`` does not match the layer's inputs (or is given for a convolution layer),
        ``max_neurons`` is not a positive integer, the layer has no incoming connections, it
        is a pooling layer (which has no weights of its own to show), ``annotate`` is asked
        of a fully connected layer, or ``source`` is wrong or missing.

    Examples
    --------
    >>> from neurograph import Network
    >>> net = Network.layered([9, 5, 2], seed=0)
    >>> plot_weights(net.hidden_layers[0], max_neurons=4).get_title()
    'incoming weights, layer 1: first 4 of 5 neurons'
    >>> from neurograph.convolution import convolution, max_pooling
    >>> net = Network.convolutional((28, 28), [convolution(), max_pooling(2)], [10], seed=0)
    >>> plot_weights(net.receiving_layers[0]).get_title()
    'kernels, layer 1: 12 maps of 3 x 3 (fixed)'
    >>> import matplotlib.pyplot as plt; plt.close("all")
    """
    kind, values = _weight_picture(layer, source)
    mosaic, tile, grid, shown = _weight_mosaic(kind, values, shape, max_neurons,
                                               _inputs_are_a_picture(layer, source))
    _check_annotate(layer, kind, annotate)
    ax = _new_axes(ax, layout="constrained")
    limit = _largest_weight(values)
    image = _draw_mosaic(ax, mosaic, limit, cmap, style)
    _label_mosaic(ax, layer, kind, values, mosaic, tile, grid, shown, limit, annotate, source)
    if colorbar:
        ax.figure.colorbar(image, ax=ax, label="kernel entry" if kind == "kernels" else "weight")
    return ax


def _label_mosaic(ax, layer, kind: str, values: np.ndarray, mosaic, tile, grid, shown: int,
                  limit: float, annotate, source=None) -> None:
    """The title of a mosaic of weights (and which ``source`` block, on a line of its own)
    and which neuron and input each pixel is; of kernels, also its labels and values."""
    if kind == "kernels":
        _label_kernels(ax, layer, values.shape[:2], mosaic, tile, grid, shown, limit, annotate)
    else:
        _title_weights(ax, layer, shown)
        _name_weights(ax, layer, source, tile, grid, shown)
        if source is not None:
            ax.set_title(f"{ax.get_title()}\nfrom layer {source.index}")


def _name_weights(ax, layer, source, tile, grid, shown: int) -> None:
    """Which neuron and which input: a matrix of strips gets its rows (neurons) and columns
    (inputs) numbered by tick labels and named on the axes; a mosaic of tiles gets each
    tile's neuron number in its corner and says on the x-axis what a tile is."""
    from matplotlib.ticker import MaxNLocator

    h, w = tile
    source = source if source is not None else layer.sources[0]
    receiver = "" if layer.index is None else f" of layer {layer.index}"
    if h == 1 and grid[1] == 1:  # the matrix: neuron j is row 2 j
        ax.set_aspect("auto")
        step = max(1, math.ceil(shown / 25))  # at most 25 row labels
        ax.set_yticks(range(0, 2 * shown, 2 * step), [str(j) for j in range(0, shown, step)])
        ax.xaxis.set_major_locator(MaxNLocator(nbins=10, integer=True))
        ax.set_ylabel(f"neuron{receiver}")
        ax.set_xlabel(f"input: neuron of layer {source.index}")
        ax.tick_params(labelsize="small")
        return
    rows, columns = grid
    if shown <= 100:
        for k in range(shown):
            row, column = divmod(k, columns)
            ax.text(column * (w + 1) - 0.45, row * (h + 1) - 0.45, str(k), ha="left", va="top",
                    fontsize=7, color="black",
                    bbox={"boxstyle": "square,pad=0.1", "facecolor": "white", "alpha": 0.75,
                          "linewidth": 0})
    senders = "inputs (layer 0)" if source.index == 0 else \
        f"neurons of layer {source.index}"
    ax.set_xlabel(f"a tile per neuron{receiver} (numbered):\nits weights from the {h * w} "
                  f"{senders} as {h} x {w}", fontsize="small")


def _check_annotate(layer, kind: str, annotate) -> None:
    if annotate and kind != "kernels":
        raise ValueError(f"`annotate` is for the kernels of a convolution layer, got "
                         f"annotate={annotate!r} for {layer!r}")


def _draw_mosaic(ax, mosaic: np.ndarray, limit: float, cmap, style: dict):
    """The mosaic as one image on the symmetric scale ``-limit`` to ``limit``, no ticks."""
    image = ax.imshow(mosaic, **{"cmap": cmap, "vmin": -limit, "vmax": limit,
                                 "interpolation": "nearest", **style})
    ax.set_xticks([])
    ax.set_yticks([])
    return image


def _largest_weight(values: np.ndarray) -> float:
    """The largest ``|weight|`` of a layer's connections or kernels (``values``, NaN where
    there is no connection), 1 when all are 0: the half-width of the mosaic's symmetric colour
    scale."""
    existing = values[np.isfinite(values)]
    limit = float(np.max(np.abs(existing))) if existing.size else 0.0
    return limit or 1.0  # all zero: any symmetric scale will do


def _title_weights(ax, layer, shown: int) -> None:
    """The title of a fully connected layer's mosaic: which layer, how many neurons shown."""
    where = "" if layer.index is None else f", layer {layer.index}"
    n_out = layer.size
    counted = f"first {shown} of {n_out} neurons" if shown < n_out else \
        f"{n_out} neuron{'s' if n_out != 1 else ''}"
    ax.set_title(f"incoming weights{where}: {counted}")


def _label_kernels(ax, layer, kernels_shape, mosaic, tile, grid, shown: int, limit: float,
                   annotate) -> None:
    """Title, map and channel labels, and (if asked or small) the values, of a kernel mosaic
    of ``kernels_shape[0]`` maps and ``kernels_shape[1]`` channels."""
    h, w = tile
    rows, columns = grid
    maps, channels = kernels_shape
    counted = f"first {shown} of {maps} maps" if shown < maps else \
        f"{maps} map{'s' if maps != 1 else ''}"
    if channels > 1:
        counted += f" x {channels} channels"
    where = "" if layer.index is None else f", layer {layer.index}"
    ax.set_title(f"kernels{where}: {counted} of {h} x {w} "
                 f"({'fixed' if layer.trainable_entries('weights') is False else 'learned'})",
                 pad=14 if channels == 1 else 6)
    for side in ax.spines.values():
        side.set_visible(False)
    if channels == 1:
        if shown <= 64:
            for m in range(shown):
                ax.text((m % columns) * (w + 1) + (w - 1) / 2, (m // columns) * (h + 1) - 0.55,
                        f"map {m}", ha="center", va="bottom", fontsize="x-small")
    else:
        if shown <= 32:
            ax.set_yticks([m * (h + 1) + (h - 1) / 2 for m in range(shown)],
                          [f"map {m}" for m in range(shown)], fontsize="x-small")
        if channels <= 32:
            ax.set_xticks([c * (w + 1) + (w - 1) / 2 for c in range(channels)],
                          [f"channel {c}" for c in range(channels)], fontsize="x-small",
                          rotation=90 if channels > 8 else 0)
        ax.tick_params(length=0)
    if annotate is None:
        annotate = max(mosaic.shape) <= 16
    if annotate:
        for (r, c), value in np.ndenumerate(mosaic):
            if np.isfinite(value):  # + 0.0: no "-0.00"
                ax.text(c, r, f"{round(value, 2) + 0.0:.2f}", ha="center", va="center",
                        fontsize="x-small",
                        color="white" if abs(value) > 0.6 * limit else "black")


# -- the input plane -------------------------------------------------------------------------------

def _targets_as_rows(Y, n: int) -> np.ndarray:
    try:
        Y = np.asarray(Y, dtype=float)
    except (TypeError, ValueError):
        raise ValueError(f"`Y` must be an array of numbers, got {type(Y).__name__}") from None
    if Y.ndim == 1:
        Y = Y.reshape(-1, 1)
    if Y.ndim != 2 or len(Y) != n:
        raise ValueError(f"`Y` must have one row per sample of `X` ({n}), got shape {Y.shape}")
    return Y


def plot_decision_boundary(network, X, Y, *, ax=None, resolution: int = 200, output: int = 0,
                           cmap="coolwarm", threshold: Optional[float] = 0.5,
                           colorbar: bool = True, **style):
    """Draw a 2-input network's output over the input plane, with the data on top.

    The plane is a ``resolution x resolution`` grid over the data's range widened by 10% on
    each side; ``network.predict`` on every grid point gives the image, one pixel centred on
    each point. A black contour marks where the output crosses ``threshold``.

    The points are coloured by their label, white-ringed to stand out from the image:

    - one target column and a single-output network (XOR, regression): by the target's value,
      on the image's colour scale (a misfitted point shows the other colour inside its ring);
      a legend names the values as classes when they are at most 10 whole numbers;
    - otherwise (one-hot rows, whose class is the argmax, or class numbers for a multi-output
      network): one colour per class from a qualitative map, with a legend.

    Parameters
    ----------
    network : Network
        A network with 2 inputs.
    X : array-like, shape (n_samples, 2)
    Y : array-like, shape (n_samples,) or (n_samples, n_columns)
        The targets or labels of ``X``.
    ax : matplotlib.axes.Axes, optional
        Where to draw; a new figure when omitted.
    resolution : int
        Grid points per side (at least 2).
    output : int
        Which output neuron to draw.
    cmap : str or Colormap
        The image's colour map.
    threshold : float or None
        The level of the contour line (0.5: where a rounded output changes); None for none.
    colorbar : bool
        Add a colour bar for the image.
    **style
        Passed to ``Axes.scatter`` for the data points.

    Returns
    -------
    matplotlib.axes.Axes
        ``ax.images[0]`` is the output over the grid (``origin="lower"``), ``ax.collections``
        hold the data points (and the contour, if drawn).

    Raises
    ------
    ValueError
        If the network has not 2 inputs, ``X`` or ``Y`` have the wrong shape, ``resolution``
        is below 2, or ``output`` is not one of the network's outputs.

    Examples
    --------
    >>> import numpy as np
    >>> from neurograph import Network
    >>> net = Network.layered([2, 4, 1], seed=0)
    >>> X = np.array([[0.0, 0.0], [0.0, 1.0], [1.0, 0.0], [1.0, 1.0]])
    >>> ax = plot_decision_boundary(net, X, [0, 1, 1, 0], resolution=20)
    >>> ax.images[0].get_array().shape
    (20, 20)
    >>> import matplotlib.pyplot as plt; plt.close("all")
    """
    _check_two_inputs(network, "a decision boundary")
    X = as_samples("X", X, 2)
    Y = _targets_as_rows(Y, len(X))
    resolution = check_positive_int("resolution", resolution, minimum=2)
    n_outputs = network.output_layer.size
    _check_output(output, n_outputs)
    points, image_extent = _plane_grid(_data_extent(X), resolution)
    values = network.predict(points)[:, output].astype(float).reshape(resolution, resolution)
    categorical = Y.shape[1] > 1 or n_outputs > 1
    norm = _boundary_norm(values, None if categorical else Y)
    ax = _new_axes(ax)
    image = _draw_plane(ax, values, points, image_extent, cmap, norm, threshold)
    _draw_points(ax, X, Y, categorical, cmap, norm, style)
    name = "output" if n_outputs == 1 else f"output {output}"
    _label_plane(ax, image_extent, f"{name} over the input plane")
    if colorbar:
        ax.figure.colorbar(image, ax=ax, label=name)
    return ax


def _check_output(output, n_outputs: int) -> None:
    if isinstance(output, (bool, np.bool_)) or not isinstance(output, (int, np.integer)) \
            or not 0 <= output < n_outputs:
        raise ValueError(f"`output` must be an output neuron's index in [0, {n_outputs}), got "
                         f"{output!r}")


def _boundary_norm(values: np.ndarray, targets: Optional[np.ndarray]):
    """The image's colour scale, from its least to its largest value, widened to hold the
    ``targets`` when the points are coloured on it."""
    from matplotlib.colors import Normalize

    low, high = float(values.min()), float(values.max())
    if targets is not None:  # points and image on one scale
        low, high = min(low, float(targets.min())), max(high, float(targets.max()))
    return Normalize(low, high if high > low else low + 1.0)


def _draw_plane(ax, values: np.ndarray, points: np.ndarray, image_extent: Extent, cmap, norm,
                threshold: Optional[float]):
    """The output over the grid as an image, and the contour at ``threshold`` where the
    output crosses it; returns the image."""
    image = ax.imshow(values, origin="lower", extent=image_extent, cmap=cmap, norm=norm,
                      aspect="auto", interpolation="nearest")
    if threshold is not None and values.min() < threshold < values.max():
        resolution = len(values)
        xs = points[:resolution, 0]
        ys = points[::resolution, 1]
        ax.contour(xs, ys, values, levels=[threshold], colors="k", linewidths=1.0)
    return image


def _draw_points(ax, X: np.ndarray, Y: np.ndarray, categorical: bool, cmap, norm,
                 style: dict) -> None:
    """The data on top of the image: one colour per class (the argmax of one-hot rows, or the
    class number) with a legend, or else the target's value on the image's scale."""
    import matplotlib

    # Big enough to see on a slide; a white ring shows on every colour of the image.
    point_style = {"s": 36, "edgecolors": "white", "linewidths": 1.0, **style}
    if not categorical:
        points = ax.scatter(X[:, 0], X[:, 1], c=Y[:, 0], cmap=cmap, norm=norm, **point_style)
        values = np.unique(Y[:, 0])
        if len(values) <= 10 and np.all(values == np.round(values)):  # classes: name them
            handles, _ = points.legend_elements()
            _class_legend(ax, handles, [f"class {value:g}" for value in values])
        return
    classes = Y.argmax(axis=1) if Y.shape[1] > 1 else Y[:, 0]
    palette = "tab10" if len(np.unique(classes)) <= 10 else "tab20"
    colors = matplotlib.colormaps[palette]
    for k, value in enumerate(np.unique(classes)):
        rows = classes == value
        ax.scatter(X[rows, 0], X[rows, 1], **{"color": colors(k % colors.N),
                                              "label": f"class {value:g}", **point_style})
    _class_legend(ax)


def _class_legend(ax, handles=None, labels=None) -> None:
    """A legend of the classes on a grey face, where the white-ringed markers show."""
    arguments = () if handles is None else (handles, labels)
    legend = ax.legend(*arguments, loc="best", fontsize="small", framealpha=0.9,
                       facecolor="0.75", edgecolor="0.4")
    for handle in legend.legend_handles:
        if hasattr(handle, "set_markeredgecolor"):
            handle.set_markeredgecolor("white")


def _label_plane(ax, image_extent: Extent, title: str) -> None:
    """Limits at the image's edges, the inputs on the axes, and the title."""
    ax.set_xlim(image_extent[0], image_extent[1])
    ax.set_ylim(image_extent[2], image_extent[3])
    ax.set_xlabel("input 0")
    ax.set_ylabel("input 1")
    ax.set_title(title)


#: The neuron maps' figure, inches: 16:9, the shape of a slide.
SLIDE = (10.0, 5.625)


def plot_neuron_maps(network, X=None, *, resolution: int = 60, extent: Optional[Extent] = None,
                     cmap="viridis", per_column: Optional[int] = None,
                     input_names: Sequence[str] = ("x1", "x2"), **style):
    """Draw every receiving neuron's activation over a 2-input network's input plane.

    One small heatmap per hidden and output neuron, laid out like the network diagram: a block
    per receiving layer, left to right, each block a grid of maps filled top to bottom, then
    left to right, and centred vertically. The figure is a 16:9 slide (:data:`SLIDE`). A
    layer is one column, as in the diagram, while the maps stay at least 0.9 inch; beyond
    that, the number of maps one above the other is the one that makes them largest (a 2-64-1
    network gets a wide grid, not a column of 64). All activations come from one batch through
    :func:`neurograph.engines.vectorized.forward`. The colour scale is shared within a layer
    (its minimum to its maximum over the grid), shown by the layer's colour bar under its
    block, so the neurons of a layer can be compared. Each map carries its neuron's number;
    the bottom-left map of the first layer names the inputs on its axes and gives the plane's
    range.

    Parameters
    ----------
    network : Network
        A network with 2 inputs.
    X : array-like, shape (n_samples, 2), optional
        Data whose range, widened by 10% on each side, sets the plane; by default the unit
        square.
    resolution : int
        Grid points per side (at least 2).
    extent : (x_min, x_max, y_min, y_max), optional
        The plane to draw; when given it takes precedence over ``X``.
    cmap : str or Colormap
        The colour map of every heatmap.
    per_column : int, optional
        At most this many maps one above the other (a bigger layer takes more columns); by
        default the number that makes the maps largest on the slide.
    input_names : (str, str)
        The names of the two inputs, on the horizontal and the vertical axis.
    **style
        Passed to every ``Axes.imshow``.

    Returns
    -------
    matplotlib.figure.Figure
        A new figure whose Axes (``fig.axes``) are the heatmaps, layer by layer, neuron by
        neuron, then one colour bar per layer; a heatmap's label (``ax.get_label()``) is
        ``"layer k, neuron j"`` and its one image has ``origin="lower"``; a colour bar's label
        is ``"layer k colour bar"``.

    Raises
    ------
    ValueError
        If the network has not 2 inputs, or ``X``, ``resolution``, ``extent``,
        ``per_column`` or ``input_names`` is invalid.

    Examples
    --------
    >>> from neurograph import Network
    >>> net = Network.layered([2, 3, 2], seed=0)
    >>> fig = plot_neuron_maps(net, resolution=10)
    >>> [ax.get_label() for ax in fig.axes][:2], len(fig.axes)
    (['layer 1, neuron 0', 'layer 1, neuron 1'], 7)
    >>> import matplotlib.pyplot as plt; plt.close(fig)
    """
    _check_two_inputs(network, "neuron maps")
    resolution = check_positive_int("resolution", resolution, minimum=2)
    extent = _plane_extent(X, extent)
    if per_column is not None:
        per_column = check_positive_int("per_column", per_column)
    names = _check_input_names(input_names)
    points, image_extent = _plane_grid(extent, resolution)
    activations = forward(network, points.astype(network.output_layer.dtype))[1:]
    layers = network.receiving_layers
    fig, layout = _maps_layout([layer.size for layer in layers], per_column)
    style = {"origin": "lower", "extent": image_extent, "cmap": cmap, "aspect": "auto",
             "interpolation": "nearest", **style}
    images = [_draw_layer_maps(fig, layer, np.asarray(a, dtype=float), tiles, bar, top,
                               resolution, style)
              for layer, a, (tiles, bar, top) in zip(layers, activations, layout)]
    _name_the_plane(fig.axes[:layers[0].size], layout, extent, names)
    for layer, image, (_, bar, _) in zip(layers, images, layout):
        _maps_colour_bar(fig, bar, image, layer.index)
    return fig


def _draw_layer_maps(fig, layer, a: np.ndarray, tiles, bar, top: float, resolution: int,
                     style: dict):
    """One layer's maps of its activations ``a`` ``(resolution**2, layer.size)`` at ``tiles``
    on one colour scale, each numbered, the layer named above them; returns the last image."""
    low, high = float(a.min()), float(a.max())
    for j, rect in enumerate(tiles):
        ax = fig.add_axes(rect, label=f"layer {layer.index}, neuron {j}")
        image = ax.imshow(a[:, j].reshape(resolution, resolution),
                          **{"vmin": low, "vmax": high, **style})
        ax.set_xticks([])
        ax.set_yticks([])
        ax.text(0.04, 0.96, str(j), transform=ax.transAxes, ha="left", va="top", fontsize=7,
                bbox={"boxstyle": "square,pad=0.15", "facecolor": "white", "alpha": 0.8,
                      "linewidth": 0})
    fig.text(bar[0] + bar[2] / 2, top, f"layer {layer.index}\n{layer.activation_function.name}",
             ha="center", va="bottom", fontsize="small")
    return image


def _check_input_names(input_names) -> tuple[str, str]:
    if isinstance(input_names, str) or len(tuple(input_names)) != 2 \
            or not all(isinstance(name, str) for name in input_names):
        raise ValueError(f"`input_names` must be two strings (x, y), got {input_names!r}")
    return tuple(input_names)


def _name_the_plane(axes, layout, extent: Extent, names) -> None:
    """The inputs' names and the plane's range on the first layer's bottom-left map (the
    last of its first column)."""
    first_layer = layout[0][0]
    left = min(rect[0] for rect in first_layer)
    key = min((i for i, rect in enumerate(first_layer) if rect[0] == left),
              key=lambda i: first_layer[i][1])
    ax = axes[key]
    x0, x1, y0, y1 = extent
    ax.set_xticks([x0, x1], [f"{x0:.2g}", f"{x1:.2g}"], fontsize=7)
    ax.set_yticks([y0, y1], [f"{y0:.2g}", f"{y1:.2g}"], fontsize=7)
    ax.tick_params(length=2, pad=1)
    # Each range label inside its edge, so that the two at the corner never meet.
    for labels, alignments in ((ax.get_xticklabels(), ("left", "right")),
                               (ax.get_yticklabels(), ("bottom", "top"))):
        for label, alignment in zip(labels, alignments):
            if alignment in ("left", "right"):
                label.set_horizontalalignment(alignment)
            else:
                label.set_verticalalignment(alignment)
    ax.set_xlabel(names[0], fontsize="small", labelpad=1)
    ax.set_ylabel(names[1], fontsize="small", labelpad=1)


def _maps_colour_bar(fig, bar, image, index: int) -> None:
    """A horizontal colour bar in ``bar`` (a figure-fraction rect) for one layer's maps."""
    from matplotlib.ticker import MaxNLocator

    cax = fig.add_axes(bar, label=f"layer {index} colour bar")
    fig.colorbar(image, cax=cax, orientation="horizontal")
    cax.xaxis.set_major_locator(MaxNLocator(3 if bar[2] * fig.get_figwidth() < 2 else 6))
    cax.tick_params(labelsize=7)
    cax.set_xlabel("activation", fontsize="small", labelpad=1)


# Inches around and between the maps: room for the titles (top), the inputs' names (left,
# below the maps) and the colour bars (bottom).
_MARGINS = {"left": 0.6, "right": 0.25, "top": 0.55, "bottom": 1.05}
_TILE_GAP, _LAYER_GAP, _LARGEST_TILE = 0.08, 0.4, 1.6
_SMALLEST_COLUMN_TILE = 0.9  # smaller maps than this: wrap the layers into wider blocks


def _tile_size(sizes: list, rows: int) -> float:
    """The side (inches) of the largest square maps that fit the slide, ``rows`` of them one
    above the other at most."""
    width = SLIDE[0] - _MARGINS["left"] - _MARGINS["right"]
    height = SLIDE[1] - _MARGINS["top"] - _MARGINS["bottom"]
    columns = [-(-n // rows) for n in sizes]
    room = width - _LAYER_GAP * (len(sizes) - 1) - _TILE_GAP * sum(c - 1 for c in columns)
    return min(room / sum(columns), (height - _TILE_GAP * (rows - 1)) / rows, _LARGEST_TILE)


def _maps_layout(sizes: list, per_column: Optional[int]) -> tuple:
    """A new 16:9 figure and, for each layer of ``sizes[k]`` neurons, ``(tiles, bar, top)``:
    each neuron's map as a figure-fraction rect, its colour bar's rect and the height of the
    block's top. Maps fill a block's columns top to bottom; blocks are centred vertically."""
    import matplotlib.pyplot as plt

    tallest = max(sizes)
    if per_column is None:  # a column per layer, as in the diagram, unless the maps get small
        rows = tallest
        if _tile_size(sizes, tallest) < _SMALLEST_COLUMN_TILE:
            rows = max(range(1, tallest + 1), key=lambda r: (_tile_size(sizes, r), -r))
    else:
        rows = min(per_column, tallest)
    t = _tile_size(sizes, rows)
    step = t + _TILE_GAP
    widths = [-(-n // rows) * step - _TILE_GAP for n in sizes]
    total = sum(widths) + _LAYER_GAP * (len(sizes) - 1)
    free_width = SLIDE[0] - _MARGINS["left"] - _MARGINS["right"]
    free_height = SLIDE[1] - _MARGINS["top"] - _MARGINS["bottom"]
    top = _MARGINS["bottom"] + (free_height + rows * step - _TILE_GAP) / 2
    bottom = top - rows * step + _TILE_GAP
    x = _MARGINS["left"] + (free_width - total) / 2
    W, H = SLIDE
    fig = plt.figure(figsize=SLIDE)
    layout = []
    for n, width in zip(sizes, widths):
        in_column = min(n, rows)
        block_top = top - (rows - in_column) * step / 2
        tiles = []
        for j in range(n):
            column, row = divmod(j, in_column)
            tiles.append(((x + column * step) / W, (block_top - row * step - t) / H, t / W,
                          t / H))
        bar_width = max(width, 1.0)
        bar = ((x + (width - bar_width) / 2) / W, (bottom - 0.6) / H, bar_width / W, 0.1 / H)
        layout.append((tiles, bar, (block_top + 0.06) / H))
        x += width + _LAYER_GAP
    return fig, layout


def _plane_extent(X, extent) -> Extent:
    """The plane to draw: ``extent`` if given, else the range of ``X`` widened by ``MARGIN``,
    else the unit square."""
    if extent is not None:
        return _check_extent(extent)
    if X is not None:
        return _data_extent(as_samples("X", X, 2))
    return (0.0, 1.0, 0.0, 1.0)


# -- classification --------------------------------------------------------------------------------

def _as_labels(labels, n: int) -> np.ndarray:
    try:
        values = np.asarray(labels, dtype=float)
    except (TypeError, ValueError):
        raise ValueError(f"`labels` must be an array of class numbers, got "
                         f"{type(labels).__name__}") from None
    if values.ndim == 2 and values.shape[1] > 1:  # one-hot rows
        values = values.argmax(axis=1).astype(float)
    elif values.ndim == 2 and values.shape[1] == 1:
        values = values[:, 0]
    if values.ndim != 1 or len(values) != n:
        raise ValueError(f"`labels` must hold one label per sample of `X` ({n}), got shape "
                         f"{np.shape(labels)}")
    if not (np.all(np.isfinite(values)) and np.all(values >= 0)
            and np.all(values == np.round(values))):
        raise ValueError("`labels` must be whole numbers >= 0 (class numbers), got "
                         f"{values[~((values >= 0) & (values == np.round(values)))][:3].tolist()}"
                         " among them")
    return values.astype(int)


def confusion_matrix(network, X, labels) -> np.ndarray:
    """Counts of (true class, predicted class) of ``network`` on ``X``: ``matrix[t, p]``.

    The predicted class is the argmax of the outputs, or, for a single output, 1 when the
    output is at least 0.5 and 0 otherwise (as :meth:`Network.evaluate` scores accuracy).
    ``labels`` are class numbers (or one-hot rows). There are as many classes as outputs (2
    for a single output), or more if a label is larger.

    Examples
    --------
    >>> import numpy as np
    >>> from neurograph import Network
    >>> net = Network.layered([1, 1], activation="identity", seed=0)
    >>> net.output_layer.biases[:], net.output_layer.weights[:] = 0.0, 1.0  # output = input
    >>> confusion_matrix(net, [[0.2], [0.9], [0.7], [0.1]], [0, 1, 0, 0])
    array([[2, 1],
           [0, 1]])
    """
    X = as_samples("X", X, network.input_layer.size)
    labels = _as_labels(labels, len(X))
    outputs = network.predict(X)
    if outputs.shape[1] == 1:
        predicted = (outputs[:, 0] >= 0.5).astype(int)
        n_classes = 2
    else:
        predicted = outputs.argmax(axis=1)
        n_classes = outputs.shape[1]
    n_classes = max(n_classes, int(labels.max()) + 1)
    matrix = np.zeros((n_classes, n_classes), dtype=int)
    np.add.at(matrix, (labels, predicted), 1)
    return matrix


def plot_confusion_matrix(network, X, labels, *, ax=None, normalize: bool = False,
                          cmap="Blues", **style):
    """Draw the confusion matrix of ``network`` on ``X``, the number written in each cell.

    Rows are the true classes, columns the predicted ones (see :func:`confusion_matrix`); the
    title gives the number of samples and the accuracy (the share on the diagonal).

    Parameters
    ----------
    network : Network
    X : array-like, shape (n_samples, n_inputs)
    labels : array-like of int, shape (n_samples,)
        The true class of each sample (one-hot rows are accepted too).
    ax : matplotlib.axes.Axes, optional
        Where to draw; a new figure when omitted.
    normalize : bool
        Divide each row by its total, so a cell is the share of that true class predicted as
        the column's class (a row with no sample stays 0).
    cmap : str or Colormap
        The colour map of the cells.
    **style
        Passed to ``Axes.imshow``.

    Returns
    -------
    matplotlib.axes.Axes
        ``ax.images[0]`` holds the matrix (counts, or shares with ``normalize``), ``ax.texts``
        the numbers written in the cells, row by row.

    Raises
    ------
    ValueError
        If ``X`` has the wrong shape or ``labels`` are not one class number per sample.

    Examples
    --------
    >>> from neurograph import Network
    >>> net = Network.layered([2, 3], seed=0)
    >>> ax = plot_confusion_matrix(net, [[0, 0], [0, 1], [1, 0]], [0, 1, 2])
    >>> int(ax.images[0].get_array().sum()), ax.get_xlabel()
    (3, 'predicted')
    >>> import matplotlib.pyplot as plt; plt.close("all")
    """
    counts = confusion_matrix(network, X, labels)
    total = int(counts.sum())
    if normalize:
        rows = counts.sum(axis=1, keepdims=True)
        matrix = np.divide(counts, rows, out=np.zeros(counts.shape), where=rows > 0)
    else:
        matrix = counts
    n_classes = len(counts)
    ax = _new_axes(ax)
    image = ax.imshow(matrix, **{"cmap": cmap, "vmin": 0, "interpolation": "nearest", **style})
    top = float(matrix.max()) or 1.0
    fontsize = "medium" if n_classes <= 10 else "x-small"
    for t in range(n_classes):
        for p in range(n_classes):
            value = matrix[t, p]
            ax.text(p, t, f"{value:.2f}" if normalize else f"{value:d}", ha="center",
                    va="center", fontsize=fontsize,
                    color=image.cmap(0.0) if value > top / 2 else image.cmap(1.0))
    ax.set_xticks(range(n_classes))
    ax.set_yticks(range(n_classes))
    ax.set_xlabel("predicted")
    ax.set_ylabel("true")
    accuracy = np.trace(counts) / total
    ax.set_title(f"{total} samples, accuracy {accuracy:.1%}")
    return ax


# -- training as a GIF -----------------------------------------------------------------------------

FRAMES = ("boundary", "diagram")


def animate_training(network, X, Y, path: Union[str, os.PathLike], *, epochs: int = 10,
                     frame: str = "boundary", fps: float = 4,
                     fit_kwargs: Optional[dict] = None, frame_kwargs: Optional[dict] = None,
                     figsize: tuple = (6.4, 4.8), dpi: float = 80) -> tuple[History, Path]:
    """Train ``network`` epoch by epoch and write a GIF of it, one frame per epoch.

    A frame is drawn before training and after each epoch (``epochs + 1`` frames), the
    figure titled with the epoch number and the cost on ``X, Y`` of the network as drawn
    (:meth:`Network.evaluate`), above the plot's own title. Each epoch is
    ``network.fit(X, Y, epochs=1, progress=False, **fit_kwargs)``; an integer ``seed`` in ``fit_kwargs`` seeds one generator shared by all
    the epochs, so the run shuffles exactly as ``fit(X, Y, epochs=epochs, seed=seed)`` would
    and ends with the same parameters. The GIF is written with matplotlib's ``PillowWriter``.

    Parameters
    ----------
    network : Network
    X, Y : array-like
        The training data, as for :meth:`Network.fit`.
    path : str or os.PathLike
        Where to write the GIF; its folder must exist.
    epochs : int
        Epochs to train (at least 1).
    frame : {"boundary", "diagram"}
        ``"boundary"``: :func:`plot_decision_boundary` of ``X, Y`` (2-input networks);
        ``"diagram"``: ``neurograph.drawing.draw_network(network, ax=ax)``.
    fps : float
        Frames per second (> 0).
    fit_kwargs : dict, optional
        More arguments for each ``fit`` (``batch_size``, ``learning_rate``, ``momentum``,
        ``seed``, ``validation``, ...), but not ``epochs`` or ``progress``.
    frame_kwargs : dict, optional
        More arguments for the frame's drawing function (``resolution=50`` speeds up the
        boundary frames).
    figsize : (float, float)
        Each frame's size in inches.
    dpi : float
        Dots per inch of the frames.

    Returns
    -------
    (History, pathlib.Path)
        The history of the whole run (each list the concatenation of the epochs') and the path
        of the GIF.

    Raises
    ------
    ValueError
        On a bad ``epochs``, ``fps``, ``frame``, ``fit_kwargs``, or (for ``"boundary"``) a
        network without 2 inputs; and whatever :meth:`Network.fit` refuses. The network is
        then as it was before the call, as it is when drawing or writing fails.
    FileNotFoundError
        If the folder of ``path`` does not exist (checked before training).
    """
    epochs = check_positive_int("epochs", epochs)
    _check_fps(fps)
    if frame not in FRAMES:
        raise ValueError(f"`frame` must be one of {', '.join(FRAMES)}, got {frame!r}")
    fit_kwargs = _check_fit_kwargs(fit_kwargs)
    frame_kwargs = dict(frame_kwargs or {})
    path = Path(path)
    if not path.parent.is_dir():
        raise FileNotFoundError(f"`path` must be in an existing folder, got {str(path)!r}")
    draw = _frame_drawer(network, X, Y, frame, frame_kwargs)
    if isinstance(fit_kwargs.get("seed"), (int, np.integer)):
        fit_kwargs["seed"] = np.random.default_rng(fit_kwargs["seed"])
    cost_before = network.evaluate(X, Y)["cost"]  # also checks X and Y before anything changes
    before = snapshot(network)
    try:
        history = _write_frames(network, X, Y, path, epochs, frame == "diagram", draw,
                                cost_before, fps, fit_kwargs, figsize, dpi)
    except BaseException:
        restore(network, before)
        raise
    return history, path


def _check_fps(fps) -> None:
    if isinstance(fps, (bool, np.bool_)) or not isinstance(fps, (int, float, np.integer,
                                                                  np.floating)) \
            or not math.isfinite(fps) or fps <= 0:
        raise ValueError(f"`fps` must be a number > 0, got {fps!r}")


def _check_fit_kwargs(fit_kwargs: Optional[dict]) -> dict:
    """A copy of ``fit_kwargs``, refused if it sets what :func:`animate_training` sets."""
    fit_kwargs = dict(fit_kwargs or {})
    for name in ("epochs", "progress"):
        if name in fit_kwargs:
            raise ValueError(f"`fit_kwargs` must not set {name!r} (animate_training sets it), "
                             f"got {name}={fit_kwargs[name]!r}")
    return fit_kwargs


def _frame_drawer(network, X, Y, frame: str, frame_kwargs: dict):
    """The function that draws one frame on an Axes (checking that a boundary can be drawn)."""
    if frame == "boundary":
        _check_two_inputs(network, "a decision boundary")

        def draw(ax):
            plot_decision_boundary(network, X, Y, ax=ax, **frame_kwargs)
    else:
        from .diagram import draw_network

        def draw(ax):
            draw_network(network, ax=ax, **frame_kwargs)
    return draw


def _write_frames(network, X, Y, path: Path, epochs: int, diagram: bool, draw,
                  cost_before: float, fps: float, fit_kwargs: dict, figsize: tuple,
                  dpi: float) -> History:
    """Train epoch by epoch, a frame before and after each, and write the GIF at the end;
    returns the history of the run."""
    from matplotlib import rc_context
    from matplotlib.animation import PillowWriter
    from matplotlib.figure import Figure

    fig = Figure(figsize=figsize, dpi=dpi)  # not through pyplot: nothing to close, no window
    writer = PillowWriter(fps=fps)
    history = History()

    def grab(epoch: int, cost: float) -> None:
        fig.clear()
        ax = fig.add_subplot()
        # the title first: a diagram fits itself, colour bars and note included, under it
        fig.suptitle(f"epoch {epoch}/{epochs}, cost {cost:.4g}")
        draw(ax)
        writer.grab_frame()

    # Not writer.saving(): it writes the GIF even when a frame fails; this writes only at the end.
    writer.setup(fig, path, dpi)
    with rc_context({"savefig.bbox": None}):  # every frame the same size
        grab(0, cost_before)
        for epoch in range(1, epochs + 1):
            step = network.fit(X, Y, epochs=1, progress=False, **fit_kwargs)
            for name in ("cost", "accuracy", "validation_cost", "validation_accuracy",
                         "seconds"):
                getattr(history, name).extend(getattr(step, name))
            grab(epoch, network.evaluate(X, Y)["cost"])
        writer.finish()
    return history
