"""TEMPORARY stand-in for engineer w1's ``neurograph.web.write_site`` and ``engine.js``.

The lead removes this file and ``tests/web_standin_engine.js`` once w1's work is merged:
``tests/test_web_page.py`` uses the real ``neurograph.web.write_site`` as soon as it exists.
It covers only what the page tests need: a chain of dense layers (784-N-10), the network's
data as ``window.NEUROGRAPH_NETWORK`` (float64 weights in base64) with the diagram layout of
``neurograph.drawing.diagram.network_layout`` worked out in Python.
"""
from __future__ import annotations

import base64
import json
import shutil
from pathlib import Path

import numpy as np

from neurograph.drawing.diagram import network_layout

HERE = Path(__file__).resolve().parent
WEB = HERE.parent / "neurograph" / "web"


def _b64(array) -> str:
    return base64.b64encode(np.ascontiguousarray(array, dtype="<f8").tobytes()).decode("ascii")


def _layout(network) -> dict:
    layout = network_layout(network)
    layers = []
    for k, place in enumerate(layout.layers):
        n = network.layers[k].size
        image = summary = None
        neurons = []
        if place.grid is not None:
            x0, x1, y0, y1 = place.grid_extent
            image = {"x0": x0, "y0": y0, "x1": x1, "y1": y1, "rows": place.grid[0],
                     "cols": place.grid[1], "channels": 1}
        else:
            neurons = [{"index": int(i), "x": float(place.x), "y": float(y)}
                       for i, y in zip(place.shown, place.y)]
        if place.hidden:
            summary = {"x": float(place.x), "y": float(place.gap_y),
                       "text": f"{place.hidden} more"}
        label = "input" if k == 0 else ("output" if k == len(layout.layers) - 1 else "hidden")
        layers.append({"index": k, "label": f"{label} ({n})", "x": float(place.x),
                       "neurons": neurons, "image": image, "summary": summary})
    boxes = np.array([place.box() for place in layout.layers])
    return {"xlim": [float(boxes[:, 0].min()), float(boxes[:, 1].max())],
            "ylim": [float(boxes[:, 2].min()), float(boxes[:, 3].max())],
            "layers": layers,
            "connections": [{"from": [c.input_neuron.layer.index, c.input_neuron.index],
                             "to": [c.output_neuron.layer.index, c.output_neuron.index],
                             "weight": float(c.weight)} for c in layout.connections],
            "notes": list(layout.notes)}


def write_site(network, folder) -> Path:
    """Write index.html, network.js and neurograph.js (stand-in engine + page.js) to ``folder``."""
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    spec = {"sizes": [layer.size for layer in network.layers],
            "output_labels": getattr(network, "output_labels", None),
            "layers": [{"activation": layer.activation_function.name,
                        "weights": _b64(layer.weights), "biases": _b64(layer.biases)}
                       for layer in network.layers[1:]],
            "layout": _layout(network)}
    (folder / "network.js").write_text(
        "window.NEUROGRAPH_NETWORK = " + json.dumps(spec) + ";\n", encoding="utf-8")
    (folder / "neurograph.js").write_text(
        (HERE / "web_standin_engine.js").read_text(encoding="utf-8")
        + (WEB / "page.js").read_text(encoding="utf-8"), encoding="utf-8")
    shutil.copyfile(WEB / "index.html", folder / "index.html")
    return folder
