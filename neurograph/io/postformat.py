"""The Kotlin post's own file format, ``network-export.json``: read it, and write it.

The post exported its trained network to JSON for its TypeScript demo, which recomputes every
neuron as ``a = f(sum of weight x input activation + bias)``. The file lists every neuron and,
for each, every connection into it, so it describes any feed-forward graph::

    {"inputLayerLength": 2,
     "otherLayers": [
       {"neurons": [{"bias": 0.5, "activationFunction": "RELU",
                     "inputs": [{"fromLayer": 0, "fromNeuron": 1, "weight": -0.25}]}]},
       {"neurons": [{"bias": 0.0, "activationFunction": "SIGMOID",
                     "inputs": [{"fromLayer": 1, "fromNeuron": 0, "weight": 2.0},
                                {"fromLayer": 0, "fromNeuron": 0, "weight": 0.75}]}]}]}

Layer 0 is the input (``inputLayerLength`` neurons), ``otherLayers[k]`` is layer ``k + 1`` and
the last one is the output. ``activationFunction`` is ``SIGMOID``, ``RELU`` or ``NONE`` (the
identity); ``fromLayer`` is any earlier layer, so skip connections are plain inputs. Older
files say ``nodes`` for ``neurons`` and ``fromNode`` for ``fromNeuron``; both are read.

What the format does not hold comes back as the post had it: the quadratic cost, the bias
clamp (-0.8, 0.8), float64 parameters, every neuron trainable (the export has no static flag),
plain 1-D layers and a fresh SGD optimizer.
"""
from __future__ import annotations

import json
import math
import os
from typing import Optional

import numpy as np

from ..core.connection import SwitchConnection
from ..core.layers import HiddenLayer, InputLayer, OutputLayer
from ..core.validation import check_dtype
from .atomic import write_atomically
from ..core.limits import LIMITS, read_regular_file
from .modelfile import PathLike
from .strict import ModelFileError, StrictReader, show

__all__ = ["POST_ACTIVATIONS", "POST_COST", "POST_BIAS_CLAMP", "is_post_file", "read_post",
           "load_post", "write_post"]

POST_ACTIVATIONS = {"SIGMOID": "sigmoid", "RELU": "relu", "NONE": "identity"}
"""The post's ``activationFunction`` names and the neurograph activations they are."""

POST_COST = "quadratic"
"""The cost a loaded network gets (the post's; the file does not name one)."""

POST_BIAS_CLAMP = (-0.8, 0.8)
"""The bias clamp a loaded network gets (the post's; the file does not name one)."""

_NAMES = {name: post for post, name in POST_ACTIVATIONS.items()}
_TOP_FIELDS = ("inputLayerLength", "otherLayers")
_NEURON_FIELDS = ("bias", "activationFunction", "inputs")
_MARKERS = (b'"inputLayerLength"', b'"otherLayers"')


def is_post_file(path: PathLike) -> bool:
    """Whether the file ``path`` is in the post's format rather than neurograph's: it names
    ``inputLayerLength`` or ``otherLayers``, which a neurograph model file never does.

    A path that is not a path, or a file that cannot be read, is False here: the loader
    that runs next says what is wrong.
    """
    if not isinstance(path, (str, os.PathLike)):
        return False
    try:
        content = read_regular_file(path, "model file")
    except (OSError, TypeError, ValueError):
        return False
    return any(marker in content for marker in _MARKERS)


# --------------------------------------------------------------------------------------------
# Loading


class _PostReader(StrictReader):
    """Checks a post file's document and says, per receiving layer, what to build."""

    def read(self, content: bytes) -> dict:
        what = "network-export file of the post"
        document = self.parse(self.decode(content, what), what)
        return self.check(document)

    def check(self, document) -> dict:
        self.fields(document, "", _TOP_FIELDS)
        sizes = [self.integer(document["inputLayerLength"], "inputLayerLength", 1,
                              self.max_size)]
        layers = document["otherLayers"]
        if not isinstance(layers, list) or not layers:
            raise self.fail(f"`otherLayers` must be a list of at least the output layer, got "
                            f"{show(layers)}")
        if len(layers) + 1 > LIMITS.layers:
            raise self.fail(f"`otherLayers` holds {len(layers):,} layers, more than the limit of "
                            f"{LIMITS.layers:,} with the input layer (raise it with "
                            "neurograph.limits(layers=...))")
        specs, total = [], sizes[0]
        for k, fields in enumerate(layers):
            spec = self.layer(fields, f"otherLayers[{k}]", k + 1, sizes)
            total += spec["parameters"]
            if total > LIMITS.parameters:
                raise self.fail(f"the layers up to `otherLayers[{k}]` declare {total:,} "
                                f"parameters, more than the {LIMITS.parameters:,} a model may "
                                "have (raise it with neurograph.limits(parameters=...))")
            sizes.append(len(spec["biases"]))
            specs.append(spec)
        read = {source for spec in specs for source in spec["sources"]}
        for index in range(len(specs)):  # every layer but the output feeds a later one
            if index not in read:
                where = ("the input layer" if index == 0
                         else f"`otherLayers[{index - 1}]` (layer {index})")
                raise self.fail(f"{where} is read by no later layer: neurograph needs every "
                                "layer but the output to feed a later one")
        return {"input_size": sizes[0], "layers": specs}

    def layer(self, fields, where: str, index: int, sizes: list) -> dict:
        """One receiving layer: its activation (one for all its neurons), biases, sources (in
        the order they first appear) and connections ``(source, sender, receiver, weight)``
        in the file's order."""
        if isinstance(fields, dict) and "neurons" in fields and "nodes" in fields:
            raise self.fail(f"`{where}` has both 'neurons' and 'nodes' (the older name of "
                            "'neurons'): give one")
        key = "nodes" if isinstance(fields, dict) and "nodes" in fields else "neurons"
        self.fields(fields, where, (key,))
        neurons = fields[key]
        if not isinstance(neurons, list) or not neurons:
            raise self.fail(f"`{where}.{key}` must be a list of at least one neuron, got "
                            f"{show(neurons)}")
        activation, first = None, None
        biases, connections, sources = [], [], []
        for j, neuron in enumerate(neurons):
            at = f"{where}.{key}[{j}]"
            self.fields(neuron, at, _NEURON_FIELDS)
            name = self.choice(neuron["activationFunction"], f"{at}.activationFunction",
                               POST_ACTIVATIONS)
            if activation is None:
                activation, first = name, at
            elif name != activation:
                raise self.fail(f"`{at}.activationFunction` is {name!r} but `{first}` has "
                                f"{activation!r}: neurograph gives all the neurons of a layer "
                                "one activation, so a layer that mixes them cannot be loaded")
            biases.append(self.number(neuron["bias"], f"{at}.bias"))
            inputs = neuron["inputs"]
            if not isinstance(inputs, list):
                raise self.fail(f"`{at}.inputs` must be a list, got {show(inputs)}")
            seen = {}
            for n, entry in enumerate(inputs):
                spot = f"{at}.inputs[{n}]"
                source, sender, weight = self.input(entry, spot, index, sizes)
                if (source, sender) in seen:
                    raise self.fail(f"`{spot}` repeats the input from layer {source}, neuron "
                                    f"{sender} (already `{seen[source, sender]}`)")
                seen[source, sender] = spot
                if source not in sources:
                    sources.append(source)
                connections.append((source, sender, j, weight, n))
        self.storable(biases, lambda j: f"{where}.{key}[{j}].bias")
        self.storable([c[3] for c in connections],
                      lambda k: f"{where}.{key}[{connections[k][2]}].inputs[{connections[k][4]}]"
                                ".weight")
        # the weight matrix is dense in memory: a column for every neuron of every source
        parameters = len(neurons) * (sum(sizes[s] for s in sources) + 1)
        if parameters > self.max_size:
            raise self.fail(f"`{where}` declares {parameters:,} parameters ({len(neurons):,} "
                            f"neurons reading {sum(sizes[s] for s in sources):,} inputs, plus "
                            f"the biases), more than the {self.max_size:,} a layer may have "
                            "(raise it with neurograph.limits(layer_parameters=...))")
        return {"activation": POST_ACTIVATIONS[activation], "biases": biases,
                "sources": sources, "connections": connections, "parameters": parameters}

    def input(self, entry, where: str, index: int, sizes: list) -> tuple:
        """One input of a neuron of layer ``index``: ``(fromLayer, fromNeuron, weight)``."""
        if type(entry) is dict and len(entry) == 3:  # the usual case, checked at once
            source, sender = entry.get("fromLayer"), entry.get("fromNeuron")
            weight = entry.get("weight")
            if (type(source) is int and type(sender) is int and type(weight) is float
                    and 0 <= source < index and 0 <= sender < sizes[source]
                    and math.isfinite(weight)):
                return source, sender, weight
        return self.checked_input(entry, where, index, sizes)

    def checked_input(self, entry, where: str, index: int, sizes: list) -> tuple:
        """:meth:`input` field by field, saying what is wrong."""
        if isinstance(entry, dict) and "fromNeuron" in entry and "fromNode" in entry:
            raise self.fail(f"`{where}` has both 'fromNeuron' and 'fromNode' (the older name "
                            "of 'fromNeuron'): give one")
        key = "fromNode" if isinstance(entry, dict) and "fromNode" in entry else "fromNeuron"
        self.fields(entry, where, ("fromLayer", key, "weight"))
        source = entry["fromLayer"]
        if type(source) is int and source >= index:
            raise self.fail(f"`{where}.fromLayer` must be an earlier layer than this one "
                            f"(layer {index}: 0 to {index - 1}), got {source:,}")
        source = self.integer(source, f"{where}.fromLayer", 0, index - 1)
        sender = self.integer(entry[key], f"{where}.{key}", 0, sizes[source] - 1)
        return source, sender, self.number(entry["weight"], f"{where}.weight")

    def storable(self, values: list, where) -> None:
        """Refuse a number that is finite but not in the type the network will store (1e300
        in float32); ``where(k)`` names the ``k``-th of ``values``."""
        if self.dtype == np.float64 or not values:
            return
        with np.errstate(over="ignore"):
            stored = np.array(values, dtype=np.float64).astype(self.dtype)
        bad = np.flatnonzero(~np.isfinite(stored))
        if len(bad):
            raise self.fail(f"`{where(int(bad[0]))}` must be a finite {self.dtype} number, got "
                            f"{values[bad[0]]!r}")


def read_post(path: PathLike, *, dtype=None) -> dict:
    """The checked content of the post file ``path``, nothing built yet: ``{"input_size",
    "layers"}``, each layer ``{"activation", "biases", "sources", "connections"}``."""
    if not isinstance(path, (str, os.PathLike)):
        raise TypeError(f"`path` must be a str or os.PathLike, got {type(path).__name__}")
    dtype = np.dtype(np.float64) if dtype is None else check_dtype(dtype)
    try:
        content = read_regular_file(path, "model file")
    except ValueError as error:
        raise ModelFileError(str(error)) from None
    return _PostReader(os.fspath(path), LIMITS.layer_parameters, dtype).read(content)


def load_post(path: PathLike, network_class, *, dtype=None):
    """The network the post file ``path`` describes, made by ``network_class``
    (:class:`neurograph.Network`; see :func:`neurograph.io.load`).

    Every connection is made in the file's order, neuron by neuron and input by input, so
    each neuron's ``inputs`` (and the object engine's sum) run in that order; a layer's
    sources are joined in the order they first appear, each a block of its ``weights``.
    """
    spec = read_post(path, dtype=dtype)
    dtype = np.dtype(np.float64) if dtype is None else check_dtype(dtype)
    try:
        layers = [InputLayer(spec["input_size"])]
        last = len(spec["layers"]) - 1
        for k, layer_spec in enumerate(spec["layers"]):
            kind = OutputLayer if k == last else HiddenLayer
            layers.append(kind(len(layer_spec["biases"]), layer_spec["activation"],
                               dtype=dtype))
        for layer, layer_spec in zip(layers[1:], spec["layers"]):
            _connect(layer, layers, layer_spec)
        network = network_class(layers, cost=POST_COST, bias_clamp=POST_BIAS_CLAMP)
        for layer, layer_spec in zip(layers[1:], spec["layers"]):
            layer.biases[...] = layer_spec["biases"]
        return network
    except (ValueError, TypeError) as error:  # a check the reader missed: still the file's
        raise ModelFileError(f"{os.fspath(path)}: {error}") from None


def _connect(layer, layers: list, spec: dict) -> None:
    """Make ``layer``'s connections as ``spec`` lists them: its sources first (in the order
    they first appear), then the weights, then the connection objects, a run of consecutive
    inputs from one source at a time, so that every neuron's ``inputs`` keep the file's
    order (one ``connect_to`` per connection would give the same, more slowly)."""
    for source in spec["sources"]:
        layer._add_source(layers[source])
    connections = spec["connections"]
    if not connections:
        return
    sources = np.array([c[0] for c in connections])
    senders = np.array([c[1] for c in connections])
    receivers = np.array([c[2] for c in connections])
    offsets = np.zeros(len(layers), dtype=np.intp)  # each source's first column
    for source in spec["sources"]:
        offsets[source] = layer.offset_of(layers[source])
    columns = offsets[sources] + senders
    layer.weights[receivers, columns] = [c[3] for c in connections]
    layer.mask[receivers, columns] = True
    start = 0
    for end in range(1, len(connections) + 1):
        if end == len(connections) or connections[end][0] != connections[start][0]:
            layer._make_connections(layers[connections[start][0]],
                                    zip(receivers[start:end].tolist(),
                                        senders[start:end].tolist()))
            start = end


# --------------------------------------------------------------------------------------------
# Saving


def _refusal(layer) -> Optional[str]:
    """Why the post's client could not evaluate ``layer``, or None. Only the layer protocol
    is asked: a switch connection is written only where the layer passes its sender on
    unchanged outside training (``carries_on``: dropout), as weight 1."""
    name = layer.activation_function.name
    if name not in _NAMES:
        return (f"its activation {name!r} is not one the post's client evaluates (SIGMOID, "
                "RELU or NONE, the identity)")
    for neuron in layer.neurons:
        for connection in neuron.inputs:
            if isinstance(connection, SwitchConnection) and \
                    layer.carries_on(connection.input_neuron) is not neuron:
                return ("its connections are switches its neurons set (max pooling's largest "
                        "input), which a weighted sum cannot express")
    if layer.mask is not None and layer.weights[~layer.mask].any():
        return ("it has a non-zero weight where no connection exists (the file keeps only "
                "connections' weights)")
    return None


def _weight(connection) -> float:
    """A connection's weight as the file holds it: 1 for a switch that passes its sender on
    (see :func:`_refusal`)."""
    return 1.0 if isinstance(connection, SwitchConnection) else float(connection.weight)


def _describe_layer(layer) -> list:
    """The ``neurons`` of ``layer`` as the post's file lists them."""
    activation = _NAMES[layer.activation_function.name]
    neurons = []
    for neuron in layer.neurons:
        bias = float(neuron.bias)
        inputs = []
        for connection in neuron.inputs:
            sender, weight = connection.input_neuron, _weight(connection)
            if not math.isfinite(weight):
                raise ValueError(f"{layer!r} cannot be written: the weight of {connection!r} is "
                                 f"{weight}")
            inputs.append({"fromLayer": sender.layer.index, "fromNeuron": sender.index,
                           "weight": weight})
        if not math.isfinite(bias):
            raise ValueError(f"{layer!r} cannot be written: the bias of {neuron!r} is {bias}")
        neurons.append({"bias": bias, "activationFunction": activation, "inputs": inputs})
    return neurons


def _pieces(input_size: int, layers: list):
    """The file's text: a line per neuron, so that a diff shows which neuron changed."""
    yield f'{{"inputLayerLength": {input_size},\n "otherLayers": [\n'
    for k, neurons in enumerate(layers):
        yield '  {"neurons": [\n'
        for j, neuron in enumerate(neurons):
            yield "    " + json.dumps(neuron, allow_nan=False) + (
                ",\n" if j < len(neurons) - 1 else "\n")
        yield "  ]}" + (",\n" if k < len(layers) - 1 else "\n")
    yield "]}\n"


def write_post(network, path: PathLike) -> None:
    """Write ``network`` to ``path`` in the post's format, atomically (see
    :func:`neurograph.io.save` with ``format="post"`` for what is written and refused).

    Examples
    --------
    >>> import os, tempfile
    >>> from neurograph import Network, load
    >>> net = Network.layered([3, 2, 1], connect="all", seed=0)  # input -> output skips
    >>> folder = tempfile.TemporaryDirectory()
    >>> path = os.path.join(folder.name, "network-export.json")
    >>> net.save(path, format="post")
    >>> again = load(path)
    >>> [source.index for source in again.output_layer.sources]
    [0, 1]
    >>> bool((again.predict([[0.1, 0.2, 0.3]]) == net.predict([[0.1, 0.2, 0.3]])).all())
    True
    >>> folder.cleanup()
    """
    if not isinstance(path, (str, os.PathLike)):
        raise TypeError(f"`path` must be a str or os.PathLike, got {type(path).__name__}")
    path = os.fspath(path)
    if not isinstance(path, str):
        raise TypeError(f"`path` must be a str or os.PathLike of str, got {path!r}")
    if getattr(network, "input_scaling", None) is not None:  # would predict unscaled inputs
        raise ValueError("the network cannot be written in the post's format: it scales its "
                         "inputs (input_scaling), which that format cannot hold")
    for layer in network.layers[1:]:
        reason = _refusal(layer)
        if reason is not None:
            raise ValueError(f"the network cannot be written in the post's format: layer "
                             f"{layer.index}, {layer!r}: {reason}")
    layers = [_describe_layer(layer) for layer in network.layers[1:]]
    write_atomically(path, _pieces(network.input_layer.size, layers))
