"""Read an ONNX model (a multilayer perceptron or a small convolution network) into neurograph.

The graph is read as a chain of operators, one after another: each ``Gemm``, ``MatMul`` (+
``Add``, its bias) or ``Conv`` starts a layer with the weights stored in the file, each
``MaxPool``/``AveragePool`` is a pooling layer, and an activation node (``Relu``, ``Sigmoid``,
``Tanh``, ``Softmax``) is folded into the layer before it, so ``a = f(W a_prev + b)`` holds
layer by layer as in every neurograph network. ``Flatten`` and ``Reshape`` change nothing in
neurograph: a feature map's flat order, ``(c * height + y) * width + x``, is ONNX's NCHW order.
"""
from __future__ import annotations

import json
import os
from typing import Optional, Union

import numpy as np

from ..core.activations import LEAKY_RELU_SLOPE
from ..core.layers import HiddenLayer, InputLayer, OutputLayer
from ..core.limits import read_regular_file
from ..core.network import Network
from ..layers.convolution import AveragePoolingLayer, ConvolutionLayer, MaxPoolingLayer
from .onnx_support import require
from .strict import ModelFileError

__all__ = ["from_onnx", "READS"]

READS = ("Gemm, MatMul+Add, Relu, LeakyRelu (alpha 0.01), Sigmoid, Tanh, Softmax, Conv, MaxPool, "
         "AveragePool, Flatten, Reshape, Sub and Div by constants before the first layer (input "
         "scaling), Transpose (channels-last to -first and back), Identity, Constant and the "
         "shape arithmetic before a Reshape (Shape, Gather, Unsqueeze, Concat)")
"""The ONNX operators :func:`from_onnx` reads, as its refusals list them."""

_ACTIVATIONS = {"Relu": "relu", "LeakyRelu": "leaky_relu", "Sigmoid": "sigmoid",
                "Tanh": "tanh", "Softmax": "softmax"}
_FLOATS = {1: np.dtype(np.float32), 11: np.dtype(np.float64)}  # ONNX FLOAT, DOUBLE
_HINTS = {  # what to do about operators common exporters write that neurograph cannot read
    "LogSoftmax": "neurograph's output layer gives probabilities, not their logarithms: "
                  "end the model with softmax when exporting (exp of log_softmax)",
    "BatchNormalization": "fold it into the layer before when exporting (PyTorch's "
                          "torch.onnx.export(..., dynamo=True) or torch.fx fusion does), or "
                          "export in eval mode after fusing",
}
_DOMAINS = ("", "ai.onnx")


def from_onnx(path: Union[str, os.PathLike]) -> Network:
    """The network an ONNX file describes, as neurograph's own object graph.

    Reads what PyTorch's ``torch.onnx.export`` and Keras's exporter (tf2onnx) write for
    multilayer perceptrons and small convolution networks: ``Gemm`` (``transA=0``, ``transB``
    0 or 1, any ``alpha`` and ``beta``) or ``MatMul`` followed by ``Add`` (the bias), ``Relu``,
    ``Sigmoid``, ``Tanh``, ``Softmax`` (over the last axis), ``Conv`` (one group, no dilation,
    the same stride and padding on every side), ``MaxPool`` and ``AveragePool`` (square windows,
    no padding), ``Flatten`` and ``Reshape`` (to ``(batch, -1)``, or to an image), and the
    nodes exporters add that change nothing (``Identity``, ``Constant``).

    Each activation node is folded into the layer before it (a layer with none is the
    identity); an activation right after a max pooling goes into the layer the pooling reads,
    as ``max(f(x)) = f(max(x))`` for the increasing ``f`` of these activations. The last layer
    must be fully connected, the output layer (softmax with cross-entropy when a ``Softmax``
    ends the graph, else the quadratic cost). Parameters keep the model's type; kernels learn;
    there is no bias clamp. Labels kept by :meth:`Network.to_onnx` come back.

    Parameters
    ----------
    path : str or os.PathLike
        The ``.onnx`` file.

    Returns
    -------
    Network
        Its ``predict`` gives what onnxruntime gives for the model, within float rounding.

    Raises
    ------
    ModelFileError
        In one line naming the file and the problem (not ONNX; an operator, attribute or graph
        shape it does not read, naming the node). Nothing is built then.
    OSError
        If the file cannot be read (FileNotFoundError for a missing one).
    ImportError
        If the optional ``onnx`` package is not installed.

    Examples
    --------
    A one-layer model, ``sigmoid(x W^T + b)``, as PyTorch writes ``nn.Linear(3, 2)`` and
    ``nn.Sigmoid()``:

    >>> import os, tempfile
    >>> import numpy as np
    >>> from onnx import TensorProto, helper, numpy_helper, save
    >>> w = np.array([[0.5, -1.0, 2.0], [1.0, 0.0, -0.5]], dtype=np.float32)
    >>> graph = helper.make_graph(
    ...     [helper.make_node("Gemm", ["x", "fc.weight", "fc.bias"], ["z"], transB=1),
    ...      helper.make_node("Sigmoid", ["z"], ["y"])], "linear",
    ...     [helper.make_tensor_value_info("x", TensorProto.FLOAT, ["batch", 3])],
    ...     [helper.make_tensor_value_info("y", TensorProto.FLOAT, ["batch", 2])],
    ...     [numpy_helper.from_array(w, "fc.weight"),
    ...      numpy_helper.from_array(np.zeros(2, np.float32), "fc.bias")])
    >>> folder = tempfile.TemporaryDirectory()
    >>> path = os.path.join(folder.name, "linear.onnx")
    >>> save(helper.make_model(graph), path)
    >>> net = from_onnx(path)
    >>> net
    Network(3-2, sigmoid, quadratic cost, 6 connections)
    >>> net.predict([[1.0, 1.0, 1.0]]).round(3)
    array([[0.818, 0.622]], dtype=float32)
    >>> folder.cleanup()
    """
    if not isinstance(path, (str, os.PathLike)):
        raise TypeError(f"`path` must be a str or os.PathLike, got {type(path).__name__}")
    name = os.fspath(path)
    onnx = require("onnx")
    content = read_regular_file(path, "ONNX model")
    try:
        model = onnx.load_model_from_string(content)
    except Exception as error:  # protobuf's DecodeError and what else a parser raises
        raise ModelFileError(f"{name}: not an ONNX model ({_first_line(error)})") from None
    if not model.HasField("graph") or not model.graph.node:
        raise ModelFileError(f"{name}: not an ONNX model (it holds no graph of operators)")
    reader = _Reader(name, model, onnx)
    reader.read()
    network = reader.build()
    _read_labels(network, model, name)
    return network


def _read_labels(network, model, name: str) -> None:
    """The ``output_labels`` and ``input_labels`` that :meth:`Network.to_onnx` keeps in the
    file's metadata, when present and of the right length (others are not neurograph's)."""
    props = {p.key: p.value for p in model.metadata_props}
    for key, size in (("output_labels", network.output_layer.size),
                      ("input_labels", network.input_layer.size)):
        try:
            labels = json.loads(props[key]) if key in props else None
        except ValueError:
            labels = None
        if isinstance(labels, list) and len(labels) == size \
                and all(isinstance(v, str) for v in labels):
            setattr(network, key, labels)


def _first_line(error: BaseException) -> str:
    text = str(error).strip() or type(error).__name__
    return text.splitlines()[0]


def _where(node, k: int) -> str:
    return f"node '{node.name}'" if node.name else f"node #{k} (unnamed)"


class _Reader:
    """Walks an ONNX graph's chain of operators and says, layer by layer, what to build.

    ``specs`` lists the layers: ``{"kind": "dense" | "convolution" | "max" | "average", ...,
    "activation": (name, node) or None}``; ``shape`` is the current tensor's shape without the
    batch, ``(n,)`` or ``(channels, height, width)``.
    """

    def __init__(self, name: str, model, onnx) -> None:
        self.name, self.model, self.onnx = name, model, onnx
        self.specs: list[dict] = []
        self.values: dict = {}  # initializers and Constant outputs, by tensor name
        self.node = None  # the node being read
        self.where = ""
        # after a Transpose to channels-last: the neuron of each value of the tensor, in its
        # flat order, for the next fully connected layer's columns (None: the same order)
        self.permutation: Optional[np.ndarray] = None
        self.mean = self.scale = None  # the input's scaling, by a Sub and a Div before any layer

    def fail(self, message: str) -> ModelFileError:
        return ModelFileError(f"{self.name}: {message}")

    def refuse(self, message: str) -> ModelFileError:
        """A refusal about the node being read: names it and its operator."""
        return self.fail(f"{self.where} ({self.node.op_type}): {message}")

    # -- the graph around the nodes ----------------------------------------------------------

    def read(self) -> None:
        """Check the operators, the graph's input and output, then read node by node."""
        graph = self.model.graph
        for k, node in enumerate(graph.node):  # first: a foreign operator gets its own line
            if node.domain not in _DOMAINS or node.op_type not in _HANDLERS:
                op = node.op_type if node.domain in _DOMAINS else f"{node.domain}.{node.op_type}"
                hint = _HINTS.get(op)
                raise self.fail(f"unsupported ONNX operator '{op}' ({_where(node, k)}); "
                                + (hint if hint else f"neurograph reads {READS}"))
        try:
            self.onnx.checker.check_model(self.model)
        except Exception as error:
            raise self.fail(f"not a valid ONNX model ({_first_line(error)})") from None
        versions = [o.version for o in self.model.opset_import if o.domain in _DOMAINS]
        self.opset = versions[0] if versions else 1
        self.read_initializers(graph)
        self.read_input(graph)
        for k, node in enumerate(graph.node):
            self.node, self.where = node, _where(node, k)
            _HANDLERS[node.op_type](self, node)
        self.node = None
        outputs = [output.name for output in graph.output]
        if outputs != [self.current]:
            raise self.fail(f"the graph's outputs are {outputs}, but its chain of operators ends "
                            f"in {self.current!r}: neurograph reads one output, the last node's")
        if not self.specs or self.specs[-1]["kind"] != "dense":
            last = self.specs[-1]["node"] if self.specs else "the input"
            raise self.fail(f"the graph ends with {last}, not a fully connected layer (Gemm or "
                            "MatMul): neurograph's output layer is fully connected")

    def read_initializers(self, graph) -> None:
        helper = self.onnx.numpy_helper
        for tensor in graph.initializer:
            try:
                self.values[tensor.name] = helper.to_array(tensor)
            except Exception as error:
                raise self.fail(f"initializer {tensor.name!r} cannot be read "
                                f"({_first_line(error)})") from None

    def read_input(self, graph) -> None:
        """The one input that is not an initializer: its type is the network's dtype, its
        shape ``(batch, n)`` or ``(batch, channels, height, width)``."""
        inputs = [i for i in graph.input if i.name not in self.values]
        if len(inputs) != 1:
            raise self.fail(f"the graph has {len(inputs)} inputs besides its initializers "
                            f"({[i.name for i in inputs]}): neurograph reads one")
        tensor = inputs[0].type.tensor_type
        if tensor.elem_type not in _FLOATS:
            raise self.fail(f"the input {inputs[0].name!r} holds "
                            f"{self.onnx.TensorProto.DataType.Name(tensor.elem_type)}, not "
                            "FLOAT or DOUBLE numbers")
        self.dtype = _FLOATS[tensor.elem_type]
        dims = [d.dim_value if d.HasField("dim_value") else None for d in tensor.shape.dim]
        if len(dims) not in (2, 3, 4) or not all(d and d > 0 for d in dims[1:]):
            shown = ["?" if d is None else d for d in dims]
            raise self.fail(f"the input {inputs[0].name!r} has shape {shown}: neurograph reads "
                            "(batch, features), (batch, height, width) or (batch, channels, "
                            "height, width) with the sizes after the batch given")
        self.shape = tuple(dims[1:])
        self.input_shape = self.shape
        self.current = inputs[0].name

    # -- helpers for nodes -------------------------------------------------------------------

    def attributes(self, node, defaults: dict) -> dict:
        """The node's attributes, with ``defaults`` for those it leaves out; an attribute not
        in ``defaults`` is refused."""
        found = dict(defaults)
        for attribute in node.attribute:
            if attribute.name not in defaults:
                raise self.refuse(f"attribute '{attribute.name}' is not one neurograph reads")
            found[attribute.name] = self.onnx.helper.get_attribute_value(attribute)
        return found

    def data_input(self, node) -> None:
        """Refuse a node whose first input is not the chain's current tensor."""
        if not node.input or node.input[0] != self.current:
            read = node.input[0] if node.input else "nothing"
            raise self.refuse(f"it reads {read!r}, not {self.current!r} (the output of the node "
                              "before): neurograph reads a chain of operators, one after another")

    def constant(self, node, k: int, what: str, dims: tuple = ()) -> Optional[np.ndarray]:
        """Input ``k`` of ``node`` (None when absent): an initializer or a Constant's output,
        with ``len(dims)`` dimensions when ``dims`` is given."""
        if len(node.input) <= k or not node.input[k]:
            return None
        value = self.values.get(node.input[k])
        if value is None:
            raise self.refuse(f"its {what} {node.input[k]!r} is computed in the graph, not "
                              "stored in the file (an initializer or a Constant)")
        if dims and value.ndim != len(dims):
            raise self.refuse(f"its {what} {node.input[k]!r} has shape {list(value.shape)}, "
                              f"not {' x '.join(dims)}")
        return value

    def parameters(self, node, value: np.ndarray, what: str) -> np.ndarray:
        """Weights or biases as the network's type: refuses non-float and non-finite ones."""
        if value.dtype.kind != "f":
            raise self.refuse(f"its {what} are {value.dtype}, not floating-point numbers")
        cast = value.astype(self.dtype)
        if not np.isfinite(cast).all():
            raise self.refuse(f"its {what} hold a value that is not a finite {self.dtype} number")
        return cast

    def bias(self, node, value: np.ndarray, n: int, what: str) -> np.ndarray:
        """A bias per output ``(n,)`` from ``value`` of shape ``()``, ``(n,)`` or ``(1, n)``."""
        if value.shape not in ((), (1,), (n,), (1, 1), (1, n)):
            raise self.refuse(f"its {what} has shape {list(value.shape)}, not one value per "
                              f"output ({n})")
        return np.broadcast_to(self.parameters(node, value, what).reshape(-1), (n,)).copy()

    def image(self, node) -> tuple[int, int, int]:
        if self.permutation is not None:
            raise self.refuse(f"it reads {self.current!r}, a channels-last image (after a "
                              "Transpose): neurograph's windows read channels-first images")
        if len(self.shape) != 3:
            raise self.refuse(f"it reads {self.current!r} of shape {[None, *self.shape]}, not "
                              "an image (batch, channels, height, width)")
        return self.shape

    def flat(self, node) -> int:
        if len(self.shape) != 1:
            raise self.refuse(f"it reads {self.current!r} of shape {[None, *self.shape]}: "
                              "flatten it first (Flatten or Reshape)")
        return self.shape[0]

    def columns(self, w: np.ndarray) -> np.ndarray:
        """A dense layer's weights ``(n_out, n_in)`` with its columns in neurograph's order of
        the neurons it reads (see ``permutation``)."""
        if self.permutation is None:
            return w
        ordered = np.empty_like(w)
        ordered[:, self.permutation] = w
        self.permutation = None
        return ordered

    def add_layer(self, node, spec: dict, shape: tuple) -> None:
        spec.update(node=f"{self.where} ({node.op_type})", input_shape=self.shape,
                    activation=None, open_bias=False)
        self.specs.append(spec)
        self.shape, self.current = shape, node.output[0]

    # -- the nodes ---------------------------------------------------------------------------

    def gemm(self, node) -> None:
        """``Y = alpha A B' + beta C``, ``B' = B`` or ``B^T``: a dense layer, ``W = alpha B'^T``."""
        a = self.attributes(node, {"alpha": 1.0, "beta": 1.0, "transA": 0, "transB": 0})
        if a["transA"]:
            raise self.refuse("transA=1 (the input transposed) is not read; neurograph reads "
                              "transA=0")
        self.data_input(node)
        n_in = self.flat(node)
        b = self.constant(node, 1, "weights B", ("rows", "columns"))
        w = b if a["transB"] else b.T  # (n_out, n_in)
        if w.shape[1] != n_in:
            raise self.refuse(f"its weights B {node.input[1]!r} have shape {list(b.shape)} "
                              f"(transB={a['transB']}), which does not read {n_in} inputs")
        w = self.columns(self.parameters(node, w, "weights B") * self.dtype.type(a["alpha"]))
        c = self.constant(node, 2, "bias C")
        bias = None if c is None else (self.bias(node, c, len(w), "bias C")
                                       * self.dtype.type(a["beta"]))
        self.add_layer(node, {"kind": "dense", "weights": w, "biases": bias}, (len(w),))
        self.specs[-1]["open_bias"] = bias is None

    def matmul(self, node) -> None:
        """``Y = A B``: a dense layer, ``W = B^T``, whose bias an ``Add`` right after gives."""
        self.attributes(node, {})
        self.data_input(node)
        n_in = self.flat(node)
        b = self.constant(node, 1, "weights B", ("rows", "columns"))
        if b.shape[0] != n_in:
            raise self.refuse(f"its weights B {node.input[1]!r} have shape {list(b.shape)}, "
                              f"which does not read {n_in} inputs")
        w = self.columns(self.parameters(node, b.T, "weights B"))
        self.add_layer(node, {"kind": "dense", "weights": w, "biases": None}, (len(w),))
        self.specs[-1]["open_bias"] = True

    def add(self, node) -> None:
        """The bias of the MatMul (or Gemm without ``C``) right before."""
        self.attributes(node, {})
        spec = self.specs[-1] if self.specs else None
        if spec is None or not spec["open_bias"] or self.current not in node.input[:2]:
            raise self.refuse("neurograph reads Add only as the bias right after a MatMul (or a "
                              "Gemm without C)")
        k = 1 if node.input[0] == self.current else 0
        value = self.constant(node, k, "bias")
        spec["biases"] = self.bias(node, value, len(spec["weights"]), "bias")
        spec["open_bias"] = False
        self.current = node.output[0]

    def conv(self, node) -> None:
        """A learned convolution layer with the node's kernels ``(maps, channels, kh, kw)``."""
        a = self.attributes(node, {"auto_pad": b"NOTSET", "dilations": None, "group": 1,
                                   "kernel_shape": None, "pads": None, "strides": None})
        if a["group"] != 1:  # before the weights, whose shape a group changes
            raise self.refuse(f"group={a['group']} is not read; neurograph's convolution reads "
                              "every channel (group=1)")
        self.data_input(node)
        channels, height, width = self.image(node)
        w = self.constant(node, 1, "weights W", ("maps", "channels", "height", "width"))
        if w.shape[1] != channels:
            raise self.refuse(f"its weights W have shape {list(w.shape)}, for {w.shape[1]} "
                              f"channels, but it reads {channels}")
        kernel = tuple(w.shape[2:])
        if a["kernel_shape"] is not None and tuple(a["kernel_shape"]) != kernel:
            raise self.refuse(f"kernel_shape {list(a['kernel_shape'])} is not the shape of its "
                              f"weights {list(kernel)}")
        stride, padding = self.window(node, a, kernel, (height, width))
        b = self.constant(node, 2, "bias B")
        bias = None if b is None else self.bias(node, b, w.shape[0], "bias B")
        out = [(side + 2 * padding - k) // stride + 1 for side, k in zip((height, width), kernel)]
        kernels = self.parameters(node, w, "weights W")
        self.add_layer(node, {"kind": "convolution", "kernels": kernels, "biases": bias,
                              "stride": stride, "padding": padding}, (w.shape[0], *out))

    def window(self, node, a: dict, kernel: tuple, sides: tuple) -> tuple[int, int]:
        """``(stride, padding)`` from the attributes of a Conv or a pooling node: neurograph's
        windows have one stride and one padding for both axes, and no dilation."""
        if a.get("dilations") is not None and any(d != 1 for d in a["dilations"]):
            raise self.refuse(f"dilations {list(a['dilations'])} are not read; neurograph's "
                              "windows have none (dilations 1)")
        strides = list(a["strides"]) if a["strides"] is not None else [1, 1]
        if len(set(strides)) != 1:
            raise self.refuse(f"strides {strides} differ: neurograph's windows have one stride "
                              "for both axes")
        stride = strides[0]
        auto_pad = a["auto_pad"].decode() if isinstance(a["auto_pad"], bytes) else a["auto_pad"]
        if auto_pad in ("SAME_UPPER", "SAME_LOWER"):
            pads = []
            for side, k in zip(sides, kernel):
                total = max((-(-side // stride) - 1) * stride + k - side, 0)
                pads.append(total // 2 if total % 2 == 0 else None)
            if None in pads:
                raise self.refuse(f"auto_pad={auto_pad} pads one side more than the other: "
                                  "neurograph pads every side alike")
            pads = pads + pads
        elif auto_pad in ("NOTSET", "VALID"):
            pads = list(a["pads"]) if a["pads"] is not None and auto_pad == "NOTSET" else [0] * 4
        else:
            raise self.refuse(f"auto_pad={auto_pad!r} is not read")
        if len(set(pads)) != 1:
            raise self.refuse(f"pads {pads} differ: neurograph pads every side alike")
        if pads[0] >= min(kernel):
            raise self.refuse(f"pads {pads} are not smaller than the {kernel[0]} x {kernel[1]} "
                              "window, as neurograph's padding must be")
        for side, k in zip(sides, kernel):
            if side + 2 * pads[0] < k:
                raise self.refuse(f"a {kernel[0]} x {kernel[1]} window does not fit the "
                                  f"{sides[0]} x {sides[1]} image")
        return stride, pads[0]

    def pool(self, node) -> None:
        """A max or average pooling layer: square windows, no padding."""
        kind = "max" if node.op_type == "MaxPool" else "average"
        defaults = {"auto_pad": b"NOTSET", "ceil_mode": 0, "kernel_shape": None, "pads": None,
                    "strides": None, "dilations": None}
        defaults.update({"storage_order": 0} if kind == "max" else {"count_include_pad": 0})
        a = self.attributes(node, defaults)
        self.data_input(node)
        if len([o for o in node.output if o]) > 1:
            raise self.refuse("its second output (the indices of the maxima) is not read")
        channels, height, width = self.image(node)
        kernel = tuple(a["kernel_shape"])
        if len(kernel) != 2 or kernel[0] != kernel[1]:
            raise self.refuse(f"kernel_shape {list(kernel)} is not square: neurograph's pooling "
                              "windows are size x size")
        stride, padding = self.window(node, a, kernel, (height, width))
        if padding:
            # so count_include_pad never matters: no window reaches into padding
            raise self.refuse(f"pads {[padding] * 4} are not read: neurograph's pooling has no "
                              "padding")
        out = [(side - kernel[0]) // stride + 1 for side in (height, width)]
        if a["ceil_mode"] and any((side - kernel[0]) % stride for side in (height, width)):
            raise self.refuse("ceil_mode=1 adds a partial window at the edge, which neurograph's "
                              "pooling does not have")
        self.add_layer(node, {"kind": kind, "size": kernel[0], "stride": stride},
                       (channels, *out))

    def activation(self, node) -> None:
        """Fold ``f`` into the layer before (past a max pooling, into the layer it reads)."""
        name = _ACTIVATIONS[node.op_type]
        a = self.attributes(node, {"axis": -1 if self.opset >= 13 else 1} if name == "softmax"
                            else {"alpha": 0.01} if name == "leaky_relu" else {})
        if name == "leaky_relu" and np.float32(a["alpha"]) != np.float32(LEAKY_RELU_SLOPE):
            raise self.refuse(f"alpha={a['alpha']:g}: neurograph's leaky_relu has the slope "
                              f"{LEAKY_RELU_SLOPE:g}")
        self.data_input(node)
        target = self.activation_target(node, name)
        if target["activation"] is not None:
            earlier, by = target["activation"]
            raise self.refuse(f"it follows {earlier} ({by}) on the same layer: a neurograph "
                              "layer has one activation")
        if name == "softmax":
            self.softmax(node, target)
        target["activation"] = (name, self.where)
        for spec in self.specs:
            spec["open_bias"] = False
        self.current = node.output[0]

    def activation_target(self, node, name: str) -> dict:
        spec = self.specs[-1] if self.specs else None
        if spec is None:
            raise self.refuse("it reads the input directly: there is no layer to fold it into")
        if spec["kind"] == "max" and name != "softmax" and len(self.specs) > 1 \
                and self.specs[-2]["kind"] in ("dense", "convolution"):
            return self.specs[-2]  # f(max(x)) = max(f(x)) for an increasing f
        if spec["kind"] in ("max", "average"):
            raise self.refuse(f"it follows {spec['node']}, a pooling layer, which has no "
                              "activation in neurograph")
        return spec

    def softmax(self, node, target: dict) -> None:
        axis = self.attributes(node, {"axis": -1 if self.opset >= 13 else 1})["axis"]
        if len(self.shape) != 1 or axis not in (1, -1):
            raise self.refuse(f"softmax over axis {axis} of {[None, *self.shape]}: neurograph "
                              "reads softmax over the features of a fully connected layer")
        if target["kind"] != "dense":
            raise self.refuse("softmax follows a convolution: neurograph reads it only on the "
                              "fully connected output layer")

    def flatten(self, node) -> None:
        axis = self.attributes(node, {"axis": 1})["axis"]
        self.data_input(node)
        if axis not in (1, -len(self.shape)):  # -len: axis 1 counted from the end
            raise self.refuse(f"axis={axis} is not read; neurograph reads Flatten(axis=1), "
                              "which keeps the batch")
        self.shape, self.current = (int(np.prod(self.shape)),), node.output[0]

    def reshape(self, node) -> None:
        """To ``(batch, -1)`` (flat) or ``(batch, channels, height, width)`` of as many values:
        the flat order stays, so nothing is built."""
        allowzero = self.attributes(node, {"allowzero": 0})["allowzero"]
        self.data_input(node)
        target = self.constant(node, 1, "shape", ("entries",))
        n = int(np.prod(self.shape))
        dims = [int(d) for d in target]
        rest = dims[1:]
        if allowzero and 0 in dims:
            raise self.refuse(f"shape {dims} with allowzero=1 makes an empty tensor")
        if rest.count(-1) == 1 and len(rest) == 1:
            rest = [n]
        fits = len(dims) in (2, 4) and all(d > 0 for d in rest) and int(np.prod(rest)) == n \
            and (dims[0] in (0, -1) or dims[0] > 0)
        if not fits or (dims[0] == -1 and -1 in dims[1:]):
            raise self.refuse(f"shape {dims} is not read; neurograph reads a Reshape to "
                              f"(batch, -1) or (batch, {n}), or to (batch, channels, height, "
                              f"width) of {n} values")
        if len(rest) != 1:  # a bias after this would broadcast over an image, not per output
            for spec in self.specs:
                spec["open_bias"] = False
            if self.permutation is not None:
                raise self.refuse(f"shape {dims} makes an image of a channels-last tensor: "
                                  "neurograph's images are channels-first")
        self.shape, self.current = tuple(rest), node.output[0]

    def transpose(self, node) -> None:
        """Channels-last and back, as tf2onnx writes around a Keras convolution: to
        channels-first right after a one-channel input (the same flat order), or from
        channels-first before flattening (the next dense layer's columns are reordered)."""
        perm = list(self.attributes(node, {"perm": None})["perm"] or [])
        self.data_input(node)
        if perm == [0, 3, 1, 2] and len(self.shape) == 3 and self.permutation is None:
            height, width, channels = self.shape
            if channels != 1 or self.specs:
                raise self.refuse(f"perm {perm} on {[None, *self.shape]}: neurograph reads this "
                                  "Transpose only right after a one-channel input (export the "
                                  "model channels-first)")
            self.shape = self.input_shape = (1, height, width)
        elif perm == [0, 2, 3, 1] and len(self.shape) == 3 and self.permutation is None:
            channels, height, width = self.shape
            self.permutation = np.arange(channels * height * width).reshape(
                channels, height, width).transpose(1, 2, 0).ravel()
            self.shape = (height, width, channels)
        else:
            raise self.refuse(f"perm {perm} on {[None, *self.shape]} is not read; neurograph "
                              "reads channels-last to -first (0, 3, 1, 2) after the input and "
                              "back (0, 2, 3, 1) before a Flatten or Reshape")
        self.current = node.output[0]

    def shape_of(self, node) -> None:
        """The shape of the current tensor, as a value for a Reshape; the batch is 0 (which
        a Reshape reads as "keep this dimension")."""
        a = self.attributes(node, {"start": 0, "end": None})
        self.data_input(node)
        shape = np.array([0, *self.shape], dtype=np.int64)
        self.values[node.output[0]] = shape[a["start"]:a["end"]]

    def shape_arithmetic(self, node) -> None:
        """Gather, Unsqueeze and Concat on shapes, as exporters compute a Reshape's shape:
        their inputs must be values already known (a Shape, a Constant, an initializer)."""
        defaults = {"Gather": {"axis": 0}, "Unsqueeze": {"axes": None},
                    "Concat": {"axis": 0}}[node.op_type]
        a = self.attributes(node, defaults)
        inputs = []
        for k, name in enumerate(node.input):
            if name not in self.values:
                if node.op_type == "Concat":  # what to_onnx writes for a layer reading several
                    raise self.refuse(f"it joins {name!r} with other tensors: a layer reading "
                                      "several layers (a skip connection) is not read; "
                                      "from_onnx reads a chain of layers")
                raise self.refuse(f"it reads {name!r}, which is not a shape: neurograph reads "
                                  f"{node.op_type} only on the shapes a Reshape is given")
            inputs.append(self.constant(node, k, "input"))
        try:
            if node.op_type == "Gather":
                value = np.take(inputs[0], inputs[1], axis=a["axis"])
            elif node.op_type == "Unsqueeze":
                axes = a["axes"] if a["axes"] is not None else inputs[1]
                value = np.expand_dims(inputs[0], tuple(int(x) for x in np.ravel(axes)))
            else:
                value = np.concatenate([np.atleast_1d(x) for x in inputs], axis=a["axis"])
        except (ValueError, IndexError, TypeError) as error:
            raise self.refuse(f"it cannot be worked out ({_first_line(error)})") from None
        self.values[node.output[0]] = value

    def scaling(self, node) -> None:
        """``(input - mean) / scale`` before the first layer, by constants, one per input (or
        one for all): the network's ``input_scaling``, applied by ``predict`` to raw rows."""
        self.attributes(node, {})
        self.data_input(node)
        sub = node.op_type == "Sub"
        if self.specs or len(self.shape) != 1 or (self.scale is not None) \
                or (sub and self.mean is not None):
            raise self.refuse("neurograph reads Sub and Div only as the input's scaling, "
                              "(input - mean) / scale, on a flat input before the first layer")
        value = self.constant(node, 1, "mean" if sub else "scale")
        n = self.shape[0]
        if value is None or value.dtype.kind != "f" or value.size not in (1, n) \
                or not np.isfinite(value).all() or (not sub and not (value > 0).all()):
            raise self.refuse(f"its second input must be {'a mean' if sub else 'a positive scale'}"
                              f": finite numbers, one per input ({n}) or one for all")
        value = np.broadcast_to(value.reshape(-1).astype(np.float64), (n,)).copy()
        if sub:
            self.mean = value
        else:
            self.scale = value
        self.current = node.output[0]

    def identity(self, node) -> None:
        self.attributes(node, {})
        self.data_input(node)
        self.current = node.output[0]

    def constant_node(self, node) -> None:
        a = self.attributes(node, {"value": None, "value_float": None, "value_floats": None,
                                   "value_int": None, "value_ints": None})
        given = [(key, value) for key, value in a.items() if value is not None]
        if len(given) != 1:
            raise self.refuse("it must hold one value")
        key, value = given[0]
        if key == "value":
            value = self.onnx.numpy_helper.to_array(value)
        self.values[node.output[0]] = np.asarray(
            value, dtype=np.int64 if "int" in key else (np.float32 if "float" in key else None))

    # -- building ----------------------------------------------------------------------------

    def build(self) -> Network:
        """The network the specs describe, made with neurograph's own layers."""
        try:
            layers = [InputLayer(shape=self.input_shape)]
            last = len(self.specs) - 1
            for k, spec in enumerate(self.specs):
                layers.append(self.make_layer(spec, layers[-1], k == last))
            softmax = self.specs[-1]["activation"] is not None \
                and self.specs[-1]["activation"][0] == "softmax"
            network = Network(layers, cost="cross_entropy" if softmax else "quadratic",
                              bias_clamp=None)
            if self.mean is not None or self.scale is not None:
                n = layers[0].size
                network.input_scaling = (np.zeros(n) if self.mean is None else self.mean,
                                         np.ones(n) if self.scale is None else self.scale)
            return network
        except (ValueError, TypeError) as error:  # a limit, or a check the reader missed
            raise self.fail(str(error)) from None

    def make_layer(self, spec: dict, previous, last: bool):
        activation = "identity" if spec["activation"] is None else spec["activation"][0]
        if spec["kind"] == "dense":
            if activation == "softmax" and not last:
                raise ValueError(f"{spec['activation'][1]} (Softmax) ends a hidden layer: "
                                 "neurograph reads softmax on the output layer only")
            w = spec["weights"]
            layer = (OutputLayer if last else HiddenLayer)(len(w), activation, dtype=self.dtype)
            # fully_connect_to, as Network.layered calls it: the connection objects are
            # made on first use (explain, trace, the diagram), not for every weight now
            previous._connect_fully(layer, w)
        elif spec["kind"] == "convolution":
            layer = ConvolutionLayer(spec["input_shape"], spec["kernels"], stride=spec["stride"],
                                     padding=spec["padding"], activation=activation, learn=True,
                                     dtype=self.dtype)
        else:
            kind = MaxPoolingLayer if spec["kind"] == "max" else AveragePoolingLayer
            return kind(spec["input_shape"], spec["size"], spec["stride"], dtype=self.dtype)
        if spec["biases"] is not None:
            layer.biases[...] = spec["biases"]
        return layer


_HANDLERS = {"Gemm": _Reader.gemm, "MatMul": _Reader.matmul, "Add": _Reader.add,
             "Conv": _Reader.conv, "MaxPool": _Reader.pool, "AveragePool": _Reader.pool,
             "Relu": _Reader.activation, "LeakyRelu": _Reader.activation,
             "Sigmoid": _Reader.activation, "Sub": _Reader.scaling, "Div": _Reader.scaling,
             "Tanh": _Reader.activation, "Softmax": _Reader.activation,
             "Flatten": _Reader.flatten, "Reshape": _Reader.reshape,
             "Identity": _Reader.identity, "Constant": _Reader.constant_node,
             "Transpose": _Reader.transpose, "Shape": _Reader.shape_of,
             "Gather": _Reader.shape_arithmetic, "Unsqueeze": _Reader.shape_arithmetic,
             "Concat": _Reader.shape_arithmetic}
