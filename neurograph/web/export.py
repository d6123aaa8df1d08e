"""The network as the web page reads it, and the folder ``neurograph web`` writes.

``network.js`` sets ``window.NEUROGRAPH_NETWORK`` to the object :func:`network_spec` returns
(JSON). Arrays are ``{"dtype", "shape", "data"}``: ``data`` is base64 of the values row by row,
little-endian ``"float32"`` or ``"float64"`` (the network's dtype, so nothing is rounded), or
``"bits"`` for a bool array (``numpy.packbits(..., bitorder="little")``). The object holds:

- ``format`` ``"neurograph-web"``, ``version`` 1, ``dtype``, ``output_labels`` (or null);
- ``layers``: one object per layer, in the network's order (each after the layers it reads).
  Every layer has ``index``, ``kind`` (its model-file kind), ``size``, ``shape`` and
  ``caption`` (the diagram's words under it). A receiving layer also has ``activation`` (one of
  sigmoid, tanh, relu, leaky_relu (slope ``leaky_relu_slope``), identity, softmax over the
  layer), ``sources`` (the indices of the layers it reads, in column order), ``offsets`` (each
  source's first column) and ``n_inputs``, and an ``op`` saying how ``z`` is computed from its
  inputs ``a_in`` (the sources' activations side by side), given by the layer itself
  (``layer.web_spec``):

  - ``"dense"``: ``z = weights @ a_in + biases``, ``weights`` ``(size, n_inputs)``, zero where
    there is no connection; ``mask`` (bits, same shape) when some are absent (sparse layers);
    ``static``, the indices of static neurons, when there are any;
  - ``"convolution"``: ``weights`` ``(maps, channels, kh, kw)``, ``biases`` ``(maps,)``,
    ``input_shape`` ``[channels, height, width]``, ``kernel_size`` ``[kh, kw]``, ``stride``,
    ``padding``: ``z[m, y, x] = b[m] + sum K[m, c, i, j] a[c, y s + i - p, x s + j - p]``;
  - ``"average_pooling"`` and ``"max_pooling"``: the same window fields, channel by channel; the
    window's sum times ``weight``, or its largest value;
  - ``"identity"``: ``z = a_in`` (dropout, outside training);

- ``layout``: the diagram of :func:`~neurograph.drawing.diagram.network_layout` with
  ``draw_network``'s defaults, in data coordinates (y up): ``xlim``, ``ylim`` (room for
  everything, arcs to their highest point); ``equal_aspect`` (true for a layout with feature
  maps, which draw_network draws a unit as long across as up); ``columns``, left to right,
  ``{x, layers, label}`` with the words draw_network writes under the column (``4 x hidden``
  for parallel layers); ``layers``, each
  ``{index, label, x, column, neurons: [{index, x, y}], image, tiles, kernels, summary}``
  where ``kernels`` is null or a convolution's kernel images' boxes, one per map, and ``neurons`` are
  those drawn as circles, ``image`` is null or the box and size of the layer drawn as pixels
  ``{x0, y0, x1, y1, rows, cols, channels}`` (a grid, or the tiles of ``channels`` maps, each
  tile's ``[x0, x1, y0, y1]`` in ``tiles``), ``summary`` null or ``{x, y, text}`` (the marker of
  the neurons left out); ``connections``, the strongest drawn,
  ``{from: [layer, index], to: [layer, index], weight, curve}`` (``curve`` null or the control
  point of an arc); ``fields``, the receptive fields drawn for maps; ``notes``.
"""
from __future__ import annotations

import base64
import json
import os
from pathlib import Path
from typing import Union

import numpy as np

from ..core.activations import ACTIVATIONS, LEAKY_RELU_SLOPE

__all__ = ["network_spec", "write_site", "encode_array", "SITE_FILES"]

SITE_FILES = ("index.html", "network.js", "neurograph.js")
"""The files :func:`write_site` writes."""

WEB_ACTIVATIONS = ("sigmoid", "tanh", "relu", "leaky_relu", "identity", "softmax")
"""The activations the page's engine computes."""

_HERE = Path(__file__).resolve().parent


def encode_array(values) -> dict:
    """``values`` as the page reads an array: ``{"dtype", "shape", "data"}`` (base64).

    Examples
    --------
    >>> encode_array(np.array([1.0, 2.0], dtype=np.float32))
    {'dtype': 'float32', 'shape': [2], 'data': 'AACAPwAAAEA='}
    >>> encode_array(np.array([True, False, True]))["data"]
    'BQ=='
    """
    array = np.asarray(values)
    if array.dtype == bool:
        data, dtype = np.packbits(array.ravel(), bitorder="little").tobytes(), "bits"
    else:
        dtype = "float32" if array.dtype == np.float32 else "float64"
        data = np.ascontiguousarray(array, dtype="<f4" if dtype == "float32" else "<f8").tobytes()
    return {"dtype": dtype, "shape": list(array.shape),
            "data": base64.b64encode(data).decode("ascii")}


def _layer_spec(layer) -> dict:
    spec = {"index": layer.index, "kind": layer.file_kind, "size": layer.size,
            "shape": list(layer.shape), "caption": layer.diagram_caption()}
    if not layer.receives:
        return spec
    f = layer.activation_function
    if f.name not in WEB_ACTIVATIONS or ACTIVATIONS.get(f.name) is not f:
        raise ValueError(f"layer {layer.index} has the activation {f.name!r}, which the web page "
                         f"does not compute (it knows {', '.join(WEB_ACTIVATIONS)})")
    spec.update(activation=f.name, sources=[source.index for source in layer.sources],
                offsets=[int(offset) for offset in layer.offsets], n_inputs=layer.n_inputs)
    spec.update(layer.web_spec(encode_array))
    return spec


def network_spec(network, *, max_neurons: int = 40, max_connections: int = 300) -> dict:
    """Describe ``network`` for the web page (the format is in this module's docstring).

    Parameters
    ----------
    network : Network
    max_neurons, max_connections : int
        The diagram's, as for :func:`~neurograph.draw_network`.

    Returns
    -------
    dict
        Plain JSON types only.

    Raises
    ------
    TypeError
        If ``network`` is not a Network.
    ValueError
        If a layer's activation is one the page cannot compute (a registered custom one),
        or the network scales its inputs (``input_scaling``), which the page does not.

    Examples
    --------
    >>> from neurograph import Network
    >>> spec = network_spec(Network.layered([2, 3, 1], seed=0))
    >>> [(layer["kind"], layer.get("op")) for layer in spec["layers"]]
    [('input', None), ('hidden', 'dense'), ('output', 'dense')]
    """
    from ..core.network import Network

    if not isinstance(network, Network):
        raise TypeError(f"`network` must be a Network, got {type(network).__name__}")
    if network.input_scaling is not None:  # the page feeds pixels as they are
        raise ValueError("the page cannot scale a network's inputs (input_scaling), so it "
                         "would not predict what the network does: train without it")
    labels = getattr(network, "output_labels", None)
    return {"format": "neurograph-web", "version": 1,
            "dtype": str(network.layers[-1].dtype),
            "leaky_relu_slope": LEAKY_RELU_SLOPE,
            "output_labels": None if labels is None else [str(label) for label in labels],
            "layers": [_layer_spec(layer) for layer in network.layers],
            "layout": layout_spec(network, max_neurons=max_neurons,
                                  max_connections=max_connections)}


def _box(place) -> list:
    left, right, bottom, top = place.box()
    return [float(left), float(right), float(bottom), float(top)]


def _place_spec(network, place, k: int) -> dict:
    layer = network.layers[k]
    neurons = []
    if place.grid is None and place.tiles is None:
        neurons = [{"index": int(i), "x": float(place.x), "y": float(y)}
                   for i, y in zip(place.shown, place.y)]
    image, tiles = None, None
    if place.grid is not None:
        left, right, bottom, top = (float(v) for v in place.grid_extent)
        image = {"x0": left, "y0": bottom, "x1": right, "y1": top, "rows": place.grid[0],
                 "cols": place.grid[1], "channels": 1}
    elif place.tiles is not None:
        tiles = [[float(v) for v in tile] for tile in place.tiles]
        array = np.asarray(place.tiles, dtype=float)
        image = {"x0": float(array[:, 0].min()), "y0": float(array[:, 2].min()),
                 "x1": float(array[:, 1].max()), "y1": float(array[:, 3].max()),
                 "rows": int(place.map_shape[0]), "cols": int(place.map_shape[1]),
                 "channels": len(tiles)}
    summary = None
    if place.hidden:
        summary = {"x": float(place.x), "y": float(place.gap_y),
                   "text": f"\u22ee {place.hidden} more \u22ee"}
    kernels = None
    if place.kernel_extents is not None:
        kernels = [[float(v) for v in box] for box in place.kernel_extents]
    return {"index": k, "label": layer.diagram_caption(), "x": float(place.x),
            "column": int(place.column), "neurons": neurons, "image": image, "tiles": tiles,
            "kernels": kernels, "summary": summary}


def _column_specs(network, layout) -> list:
    """The diagram's columns left to right, each with the words ``draw_network`` writes under
    it (layers sharing a column, such as parallel ones, are named once: ``4 x hidden``)."""
    from ..drawing.diagram import _caption, _column_layers

    return [{"x": float(layout.layers[ks[0]].x), "layers": [int(k) for k in ks],
             "label": _caption([network.layers[k] for k in ks], None, "")}
            for ks in _column_layers(network, layout)]


def layout_spec(network, *, max_neurons: int = 40, max_connections: int = 300) -> dict:
    """The diagram's layout as :func:`network_spec` stores it under ``"layout"``."""
    from ..drawing.diagram import network_layout

    layout = network_layout(network, max_neurons=max_neurons, max_connections=max_connections)
    layers = [_place_spec(network, place, k) for k, place in enumerate(layout.layers)]
    connections = []
    for connection, curve in zip(layout.connections, layout.curves):
        sender, receiver = connection.input_neuron, connection.output_neuron
        connections.append({"from": [sender.layer.index, sender.index],
                            "to": [receiver.layer.index, receiver.index],
                            "weight": float(connection.weight),
                            "curve": None if curve is None else [float(v) for v in curve]})
    fields = [{"layer": f.layer, "neuron": int(f.neuron), "map": int(f.map),
               "source": [float(v) for v in f.source], "target": [float(v) for v in f.target]}
              for f in layout.receptive_fields]
    boxes = np.array([_box(place) for place in layout.layers])
    # an arc reaches halfway from the middle of its ends to its control point, no further
    ys = [(_end_y(layout, c["from"]) + _end_y(layout, c["to"])) / 2 / 2 + c["curve"][1] / 2
          for c in connections if c["curve"] is not None]
    bottom = min([boxes[:, 2].min()] + ys)
    top = max([boxes[:, 3].max()] + ys)
    margin = 0.05 * (top - bottom) + 0.7
    return {"xlim": [float(boxes[:, 0].min()) - 0.6, float(boxes[:, 1].max()) + 0.45],
            "ylim": [float(bottom - margin), float(top + margin)],
            "equal_aspect": bool(layout.equal_aspect), "columns": _column_specs(network, layout),
            "layers": layers, "connections": connections, "fields": fields,
            "notes": list(layout.notes)}


def _end_y(layout, end: list) -> float:
    """The height of neuron ``end`` = ``[layer, index]`` in ``layout``."""
    return float(layout.layers[end[0]].position(end[1])[1])


def _page_sources() -> tuple[Path, Path, Path]:
    return _HERE / "engine.js", _HERE / "page.js", _HERE / "index.html"


def write_site(network, folder: Union[str, os.PathLike], *, force: bool = False,
               sources=None) -> list[Path]:
    """Write the web page of ``network`` into ``folder``: ``index.html``, ``network.js`` and
    ``neurograph.js`` (the engine, then the page).

    Parameters
    ----------
    network : Network
    folder : str or path
        Made if missing. It must be empty unless ``force``.
    force : bool
        Write into a folder that holds other files, replacing the page's three files (the
        others are left alone).
    sources : (engine.js, page.js, index.html), optional
        Paths to read instead of the package's own (for tests).

    Returns
    -------
    list of Path
        The files written.

    Raises
    ------
    ValueError
        If ``folder`` is a file, or holds files and ``force`` is False; or as
        :func:`network_spec`. Nothing is written then.
    """
    folder = Path(folder)
    if folder.exists() and not folder.is_dir():
        raise ValueError(f"`folder` must be a folder, got the file {folder}")
    if folder.is_dir() and any(folder.iterdir()) and not force:
        raise ValueError(f"`folder` {folder} is not empty: choose an empty or new folder, or "
                         "pass force=True (--force) to replace the page's files in it")
    spec = network_spec(network)  # refuses before anything is written
    engine, page, html = (Path(p) for p in (sources or _page_sources()))
    script = engine.read_text(encoding="utf-8") + "\n" + page.read_text(encoding="utf-8")
    texts = {"index.html": html.read_text(encoding="utf-8"),
             "network.js": "window.NEUROGRAPH_NETWORK = "
                           + json.dumps(spec, separators=(",", ":")) + ";\n",
             "neurograph.js": script}
    folder.mkdir(parents=True, exist_ok=True)
    written = []
    for name in SITE_FILES:
        path = folder / name
        path.write_text(texts[name], encoding="utf-8")
        written.append(path)
    return written
