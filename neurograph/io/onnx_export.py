"""A network as a standard ONNX model (opset :data:`~neurograph.io.onnx_support.OPSET`), float32.

The graph is assembled here, knowing no layer kind: each receiving layer reads ``a_in``, its
sources' outputs side by side (``Concat`` on axis 1 when it reads several, as ``predict`` does),
adds the nodes computing its ``z`` itself (``layer.onnx_nodes(builder, a_in)``: ``Gemm`` for a
dense or sparse layer, ``Reshape``, ``Conv``/``MaxPool``/``AveragePool`` and ``Flatten`` for
maps, ``Identity`` for dropout), then ``a = f(z)`` follows by the activation's name. Every node
and tensor is named after its layer (``layer1_hidden_weights``), with a doc string, so the file
reads well in Netron. The input is ``"input"`` ``(batch, n_inputs)``, the output ``"output"``
``(batch, n_outputs)``, ``batch`` symbolic.

Always float32: a float64 network's parameters are rounded (onnxruntime has no float64 ``Conv``
or ``AveragePool`` on the CPU), so its outputs differ from ``predict``'s by float32 rounding.
"""
from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Union

import numpy as np

from ..core.activations import ACTIVATIONS, LEAKY_RELU_SLOPE
from .atomic import write_atomically
from .onnx_support import OPSET, require

__all__ = ["to_onnx_model", "write_onnx", "layer_name", "OnnxBuilder", "ONNX_ACTIVATIONS",
           "IR_VERSION"]

IR_VERSION = 8
"""The ONNX file format version written: the one that came with opset 17, so that runtimes
as old as the opset read the file."""

ONNX_ACTIVATIONS = {
    "sigmoid": ("Sigmoid", {}),
    "tanh": ("Tanh", {}),
    "relu": ("Relu", {}),
    "leaky_relu": ("LeakyRelu", {"alpha": LEAKY_RELU_SLOPE}),
    "softmax": ("Softmax", {"axis": 1}),  # over the layer's neurons
    "identity": (None, {}),  # a = z: no node
}
"""Each activation of :data:`neurograph.ACTIVATIONS` as an ONNX operator and its attributes."""

MAX_BYTES = 2 ** 31 - 2 ** 24
"""The most bytes of weights one ONNX file holds (protobuf stops at 2 GB; room for the rest)."""


def layer_name(layer) -> str:
    """The prefix of a layer's nodes and tensors: ``layer<index>_<kind>`` (the kind as the
    model file calls it: ``layer1_hidden``, ``layer2_max_pooling``).

    Examples
    --------
    >>> from neurograph import Network
    >>> [layer_name(layer) for layer in Network.layered([2, 3, 1], seed=0).layers]
    ['layer0_input', 'layer1_hidden', 'layer2_output']
    """
    return f"layer{layer.index}_{layer.file_kind}"


class OnnxBuilder:
    """What a layer's ``onnx_nodes`` hook adds its nodes and constants through.

    Names are made from ``prefix`` (the layer's :func:`layer_name`) and a suffix, so a hook
    says only ``"weights"`` or ``"z"``. Constants are stored as float32 (shapes as int64).

    Attributes
    ----------
    prefix : str
        The current layer's name.
    nodes, initializers : list
        The graph's nodes and constants so far.
    """

    def __init__(self, onnx) -> None:
        self.onnx = onnx
        self.prefix = ""
        self.nodes: list = []
        self.initializers: list = []
        self.bytes = 0

    def constant(self, suffix: str, values, doc: str) -> str:
        """Add the float32 constant ``prefix_suffix`` (refusing NaN, infinity and values
        beyond float32) and return its name."""
        values = np.asarray(values)
        with np.errstate(over="ignore"):
            narrow = values.astype(np.float32)
        if not np.isfinite(narrow).all():
            beyond = np.isfinite(values).all()
            raise ValueError(f"{self.prefix}: its {suffix} "
                             + ("do not fit float32, which ONNX files are written in" if beyond
                                else "hold NaN or infinity"))
        return self._add(suffix, narrow, doc)

    def integers(self, suffix: str, values, doc: str) -> str:
        """Add the int64 constant ``prefix_suffix`` (a shape) and return its name."""
        return self._add(suffix, np.asarray(values, dtype=np.int64), doc)

    def _add(self, suffix: str, values: np.ndarray, doc: str) -> str:
        name = f"{self.prefix}_{suffix}"
        tensor = self.onnx.numpy_helper.from_array(np.ascontiguousarray(values), name)
        tensor.doc_string = doc
        self.initializers.append(tensor)
        self.bytes += values.nbytes
        if self.bytes > MAX_BYTES:
            raise ValueError(f"the network's weights take more than {MAX_BYTES / 2 ** 30:.1f} "
                             f"GB as float32 (at {name}): too much for one ONNX file")
        return name

    def node(self, op: str, inputs: list, suffix: str, doc: str, *, output: str = None,
             **attributes) -> str:
        """Add an ``op`` node named ``prefix_suffix`` reading the tensors ``inputs``; return
        its output's name (``prefix_suffix`` too, unless ``output`` names it)."""
        name = f"{self.prefix}_{suffix}"
        output = output or name
        self.nodes.append(self.onnx.helper.make_node(op, list(inputs), [output], name=name,
                                                     doc_string=doc, **attributes))
        return output


def _check_network(network) -> None:
    if not (hasattr(network, "layers") and hasattr(network, "receiving_layers")):
        raise TypeError(f"`network` must be a Network, got {type(network).__name__}")


def _activation(builder: OnnxBuilder, layer, z: str, output) -> str:
    """The nodes of ``a = f(z)``; the last layer's output is named ``output``."""
    f = layer.activation_function
    if f.name not in ONNX_ACTIVATIONS or ACTIVATIONS.get(f.name) is not f:
        raise ValueError(f"layer {layer.index} ({layer.file_kind}) has the activation "
                         f"{f.name!r}, a custom one, which cannot go to ONNX (it knows "
                         f"{', '.join(sorted(ONNX_ACTIVATIONS))})")
    op, attributes = ONNX_ACTIVATIONS[f.name]
    if op is None:
        if output is None:
            return z  # a = z
        op = "Identity"
    return builder.node(op, [z], "a", f"a = {f.formula} ({f.name}), neuron by neuron"
                        + (" over the layer" if f.layerwise else ""), output=output,
                        **attributes)


def _scaled_input(builder: OnnxBuilder, network) -> str:
    """The input as the input neurons take it: ``(input - mean) / scale`` for a network that
    scales its inputs (``Network.input_scaling``, as ``predict`` applies it), else as given."""
    scaling = network.input_scaling
    if scaling is None:
        return "input"
    mean, scale = scaling
    builder.prefix = "input_scaling"
    centred = builder.node("Sub", ["input", builder.constant("mean", mean, "each input's mean "
                                                              "in the training data")],
                           "centred", "input - mean, input by input (Network.input_scaling)")
    return builder.node("Div", [centred, builder.constant("scale", scale, "each input's "
                                                           "scale (standard deviation)")],
                        "scaled", "(input - mean) / scale: what the input neurons take")


def _receiving(builder: OnnxBuilder, layer, outputs: dict, last: bool) -> str:
    """The nodes of one receiving layer; returns the name of its activations."""
    builder.prefix = layer_name(layer)
    read = [outputs[source.index] for source in layer.sources]
    if len(read) == 1:
        a_in = read[0]
    else:
        a_in = builder.node("Concat", read, "inputs", "the sources' outputs side by side, "
                            "as the columns of the weights: layers "
                            + ", ".join(str(source.index) for source in layer.sources), axis=1)
    z = layer.onnx_nodes(builder, a_in)
    return _activation(builder, layer, z, "output" if last else None)


def to_onnx_model(network):
    """``network`` as an ``onnx.ModelProto`` (checked by ``onnx.checker``).

    Parameters
    ----------
    network : Network

    Returns
    -------
    onnx.ModelProto
        Opset :data:`~neurograph.io.onnx_support.OPSET`, float32, input ``"input"``
        ``(batch, n_inputs)`` and output ``"output"`` ``(batch, n_outputs)``.

    Raises
    ------
    ImportError
        If ``onnx`` is not installed.
    TypeError
        If ``network`` is not a Network.
    ValueError
        If a layer has a custom activation, parameters that are not finite in float32, or
        cannot be written for another reason the layer gives.

    Examples
    --------
    >>> from neurograph import Network
    >>> model = to_onnx_model(Network.layered([2, 3, 1], seed=0))  # doctest: +SKIP
    >>> [node.name for node in model.graph.node]  # doctest: +SKIP
    ['layer1_hidden_z', 'layer1_hidden_a', 'layer2_output_z', 'layer2_output_a']
    """
    _check_network(network)
    onnx = require("onnx")
    helper = onnx.helper
    builder = OnnxBuilder(onnx)
    first, last = network.layers[0], network.layers[-1]
    outputs = {first.index: _scaled_input(builder, network)}
    for layer in network.layers[1:]:
        outputs[layer.index] = _receiving(builder, layer, outputs, layer is last)
    float32 = onnx.TensorProto.FLOAT
    shape = " x ".join(map(str, first.shape))
    graph_input = helper.make_tensor_value_info("input", float32, ["batch", first.size])
    graph_input.doc_string = (f"layer 0 (input): {first.size} values per sample"
                              + (f", a {shape} image row by row" if len(first.shape) > 1 else ""))
    graph_output = helper.make_tensor_value_info("output", float32, ["batch", last.size])
    labels = getattr(network, "output_labels", None)
    graph_output.doc_string = (f"layer {last.index} ({last.file_kind}): the "
                               f"{last.activation_function.name} activations of its "
                               f"{last.size} neurons"
                               + ("" if labels is None else
                                  f", standing for {', '.join(map(str, labels))}"))
    sizes = "-".join(str(layer.size) for layer in network.layers)
    graph = helper.make_graph(builder.nodes, f"neurograph_{sizes}", [graph_input],
                              [graph_output], builder.initializers, doc_string=repr(network))
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", OPSET)],
                              ir_version=IR_VERSION, producer_name="neurograph",
                              producer_version=_version(), doc_string=repr(network))
    props = {key: json.dumps([str(v) for v in values]) for key, values in
             (("output_labels", labels), ("input_labels", network.input_labels))
             if values is not None}
    if props:  # from_onnx reads them back
        helper.set_model_props(model, props)
    model = onnx.shape_inference.infer_shapes(model)  # every tensor's shape, for Netron
    onnx.checker.check_model(model)
    return model


def _version() -> str:
    from .. import __version__

    return __version__


def write_onnx(network, path: Union[str, os.PathLike]) -> Path:
    """Write ``network`` to the ONNX file ``path`` (see :func:`to_onnx_model`), atomically:
    a refused network or a failed write leaves ``path`` as it was.

    Returns
    -------
    Path
        ``path``.
    """
    data = to_onnx_model(network).SerializeToString()
    write_atomically(os.fspath(path), [data], binary=True)
    return Path(path)
