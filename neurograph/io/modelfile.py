"""Keeping a network: save it to a JSON file and load it back, bit for bit.

A model file holds the structure (layers, activations, static neurons, which connections exist),
the cost, the bias clamp and every parameter; nothing in it is ever run (no pickle). Floats are
written with ``repr``, which reads back as the very same float64, so a loaded network predicts
exactly what the saved one did. Saving goes through a temporary file in the same folder and
``os.replace``, so an interrupted save never damages the file already there.

The format, version 1 (one JSON object; every field is required unless said otherwise)::

    {
      "format": "neurograph-network",
      "version": 1,
      "dtype": "float64",
      "cost": "quadratic",
      "bias_clamp": [-0.8, 0.8],
      "layers": [
        {"kind": "input", "size": 2},
        {"kind": "hidden", "size": 2, "activation": "tanh", "static": [1],
         "connections": "full", "weights": [0.5, -0.25, 0.125, 1.0], "biases": [0.1, -0.3]},
        {"kind": "output", "size": 1, "activation": "sigmoid",
         "connections": [[0, 1]], "weights": [0.75], "biases": [0.0]}
      ]
    }

- ``dtype``: ``"float64"`` or ``"float32"``, how the parameters are stored. Numbers are written
  as the float64 value of each parameter, so float32 parameters read back exactly too.
- ``cost``: a name of :data:`neurograph.COSTS`; ``bias_clamp``: ``[low, high]`` or ``null``.
- ``layers``: an ``"input"`` layer, any number of ``"hidden"`` layers, an ``"output"`` layer,
  in order, each with its ``size``. A hidden or output layer also has its ``activation`` (a
  name of :data:`neurograph.ACTIVATIONS`; softmax only on the output layer), ``connections``,
  ``weights`` and ``biases`` (one per neuron); a hidden layer has ``static``, the indices of
  its static neurons.
- ``connections`` says which connections from the previous layer exist: ``"full"`` for all of
  them, made in row-major order (receiver ``j``, then sender ``i``), with ``weights`` the
  ``size x previous size`` matrix row by row; or a list of ``[j, i]`` pairs (receiver ``j`` of
  this layer, sender ``i`` of the previous one), with ``weights`` one number per pair. The
  pairs are listed in the order the connections are made when loading, which keeps every
  neuron's ``inputs`` and ``outputs`` in their saved order (the object engine sums in that
  order). Weights where no connection exists are zero.
- ``training`` (optional, top level; a checkpoint written by ``fit(checkpoint=...)``):
  ``{"epoch": e, "batch": b, "rng": state}``, to go on with epoch ``e`` after its first ``b``
  mini-batches, the order drawn from a numpy PCG64 generator in ``state``.
- ``weight_velocity`` and ``bias_velocity`` (optional, together): the SGD momentum velocities,
  laid out like ``weights`` and ``biases``. They are written only for a layer where one is
  non-zero (or -0.0), so training with momentum can go on exactly where it stopped; missing
  means zero.

Version 2 adds images and the layers that read them (:mod:`neurograph.convolution`). A network
that has none is still written as version 1, which older neurographs read; both versions load.

- The input layer may have a ``shape``, such as ``[28, 28]``: 1 to 3 numbers whose product is
  its ``size`` (written only when it is not ``[size]``).
- Between the input and output layers, besides ``"hidden"`` layers, may stand::

      {"kind": "convolution", "size": 48, "input_shape": [1, 6, 6], "kernel_shape": [3, 1, 2, 2],
       "stride": 2, "padding": 1, "activation": "relu", "learn": true,
       "kernels": [0.5, -0.5, 0.25, 1.0, ...12 numbers], "biases": [0.0, 0.1, -0.1]}
      {"kind": "max_pooling", "size": 12, "input_shape": [3, 4, 4], "window": 2, "stride": 2}
      {"kind": "average_pooling", "size": 3, "input_shape": [3, 2, 2], "window": 2,
       "stride": 2, "weight": 0.25}

  ``input_shape`` is ``[channels, height, width]`` of the image the layer reads, holding as
  many values as the layer before has neurons. A convolution has ``kernel_shape`` ``[maps,
  channels, kh, kw]``, ``kernels`` its entries in that order, one bias per map, ``padding``
  smaller than the kernel, ``learn`` (false: fixed kernels and static neurons) and, when it
  learns, the optional velocities laid out like ``kernels`` and ``biases``. A pooling layer
  has a square ``window`` and no bias; an average pooling's ``weight`` must be ``1 /
  window^2`` (in the file's dtype). ``size`` must be what the shapes give: maps (or channels)
  x ``(height + 2 padding - kh) // stride + 1`` x the same for the width. The connections are
  not listed: they follow from the shapes, made in the order the layer makes them.

The per-sample lists and activations of the last sample trained are not kept.

Loading is strict: anything else (an unknown format or version, a missing or unknown field, a
wrong type, a count that does not match, NaN or infinity, a duplicated or out-of-range
connection, an unknown activation or cost, a window that does not fit its image or an image
that does not fit the layer before, a version 2 field in a version 1 file, a declared size over
:data:`MAX_LAYER_PARAMETERS` or :data:`MAX_PARAMETERS`, which is refused before anything is
allocated, or a file that is not UTF-8 JSON) raises :class:`ModelFileError` naming the file and
the problem.
"""
from __future__ import annotations

import json
import math
import os
import secrets
import stat
from typing import Optional, Union

import numpy as np

from ..core.activations import ACTIVATIONS
from ..core.costs import COSTS
from ..core.layers import HiddenLayer, InputLayer, OutputLayer, check_dtype
from ..core.network import Network

__all__ = ["FORMAT", "VERSION", "MAX_LAYER_PARAMETERS", "MAX_PARAMETERS", "ModelFileError",
           "save", "load", "save_checkpoint", "load_checkpoint"]

FORMAT = "neurograph-network"
"""The value of every model file's ``"format"`` field."""

VERSION = 2
"""The newest format version this module writes and reads. A network without an input shape,
convolution or pooling layers is written as version 1, which older neurographs read too; files
of both versions load."""

MAX_LAYER_PARAMETERS = 10 ** 7
"""The most parameters a receiving layer may declare: ``size x previous size`` weights (the
weight matrix is dense in memory, whatever the mask) plus ``size`` biases. A convolution or
pooling layer shares a few parameters between many connections, so it is measured by what
it makes: ``size x window`` connections (at most) plus ``size`` neurons, ``window`` being the
inputs one neuron reads (``channels x kh x kw`` for a convolution, ``window^2`` for pooling).
The input layer's size and every number of an image or kernel shape are held to the same
limit."""

MAX_PARAMETERS = 10 ** 8
"""The most parameters a whole model file may declare (weights and biases, counted as for
:data:`MAX_LAYER_PARAMETERS`)."""

PathLike = Union[str, "os.PathLike[str]"]

# No integer of the format needs more (the longest: the 128-bit state of a checkpoint's random
# generator, 39 digits); longer ones are refused before Python converts them.
_MAX_INTEGER_DIGITS = 40
_TOP_FIELDS = ("format", "version", "dtype", "cost", "bias_clamp", "layers")
_SHARED_KINDS = ("convolution", "max_pooling", "average_pooling")  # version 2
_LAYER_FIELDS = {
    "input": ("kind", "size"),
    "hidden": ("kind", "size", "activation", "static", "connections", "weights", "biases"),
    "output": ("kind", "size", "activation", "connections", "weights", "biases"),
    "convolution": ("kind", "size", "input_shape", "kernel_shape", "stride", "padding",
                    "activation", "learn", "kernels", "biases"),
    "max_pooling": ("kind", "size", "input_shape", "window", "stride"),
    "average_pooling": ("kind", "size", "input_shape", "window", "stride", "weight"),
}
_VELOCITY_FIELDS = ("weight_velocity", "bias_velocity")
_OPTIONAL_FIELDS = {"input": ("shape",), "hidden": _VELOCITY_FIELDS, "output": _VELOCITY_FIELDS,
                    "convolution": _VELOCITY_FIELDS, "max_pooling": (), "average_pooling": ()}


class ModelFileError(ValueError):
    """A model file cannot be loaded: it is not valid JSON, not a neurograph model, or not one
    this version reads. The message names the file and what is wrong."""


# --------------------------------------------------------------------------------------------
# Saving


def save(network: Network, path: PathLike) -> None:
    """Write ``network`` to ``path`` as a JSON model file (see the module docstring).

    The file is written to a temporary file in the same folder and then renamed over ``path``,
    so ``path`` holds either the old file or the complete new one, never a mix; the temporary
    file is removed if anything fails.

    Parameters
    ----------
    network : Network
    path : str or os.PathLike
        Where to write; an existing file is replaced (keeping its permissions).

    Raises
    ------
    TypeError
        If ``network`` is not a :class:`Network` or ``path`` is not a path.
    ValueError
        If the network cannot be written faithfully: a parameter is NaN or infinite, a weight
        or velocity is non-zero where no connection exists, a static neuron, fixed kernels or a
        pooling layer has a velocity, an average pooling's weight is not ``1 / window^2``, or a
        cost or activation is not one of the registered ones. Nothing is written then.
    OSError
        If the file cannot be written; an existing file is left as it was.

    Examples
    --------
    >>> import os, tempfile
    >>> from neurograph import Network, load
    >>> net = Network.layered([2, 3, 1], activation="tanh", seed=0)
    >>> folder = tempfile.TemporaryDirectory()
    >>> save(net, os.path.join(folder.name, "xor.json"))
    >>> again = load(os.path.join(folder.name, "xor.json"))
    >>> again.sizes, bool((again.predict([[0.5, 1.0]]) == net.predict([[0.5, 1.0]])).all())
    ((2, 3, 1), True)
    >>> folder.cleanup()
    """
    if not isinstance(network, Network):
        raise TypeError(f"`network` must be a Network, got {type(network).__name__}")
    if not isinstance(path, (str, os.PathLike)):
        raise TypeError(f"`path` must be a str or os.PathLike, got {type(path).__name__}")
    path = os.fspath(path)
    if not isinstance(path, str):
        raise TypeError(f"`path` must be a str or os.PathLike of str, got {path!r}")
    header, layers = _describe(network)  # every check happens here, before any file is touched
    _write_atomically(path, _pieces(header, layers))


def _describe(network: Network) -> tuple[dict, list]:
    """The file's fields as Python values (lists of floats), after checking the network."""
    output = network.output_layer
    cost = output.cost
    if COSTS.get(cost.name) is not cost:
        raise ValueError(f"the cost {cost.name!r} is not one of neurograph.COSTS, so it cannot be "
                         "saved by name")
    header = {"format": FORMAT, "version": _version_of(network), "dtype": str(output.dtype),
              "cost": cost.name,
              "bias_clamp": None if network.bias_clamp is None else list(network.bias_clamp)}
    inputs = network.input_layer
    layers = [{"kind": "input", "size": inputs.size}]
    if tuple(inputs.shape) != (inputs.size,):
        layers[0]["shape"] = list(inputs.shape)
    for layer in network.receiving_layers:
        layers.append(_describe_shared(layer) if layer.shared else _describe_layer(layer))
    return header, layers


def _version_of(network: Network) -> int:
    """The format version a file of ``network`` needs: 2 for an input layer with a shape or a
    convolution or pooling layer, else 1 (which older neurographs read too)."""
    inputs = network.input_layer
    if tuple(inputs.shape) != (inputs.size,) or any(l.shared for l in network.receiving_layers):
        return 2
    return 1


def _check_savable(layer) -> None:
    """Refuse an activation that is not saved by name, and a parameter that is not finite."""
    f = layer.activation_function
    if ACTIVATIONS.get(f.name) is not f:
        raise ValueError(f"the activation {f.name!r} of {layer!r} is not one of "
                         "neurograph.ACTIVATIONS, so it cannot be saved by name")
    for name in ("weights", "biases", "weight_velocity", "bias_velocity"):
        values = getattr(layer, name)
        if not np.isfinite(values).all():
            raise ValueError(f"{layer!r} cannot be saved: its {name} hold NaN or infinity")


def _describe_shared(layer) -> dict:
    """A convolution or pooling layer: its shapes, plus a convolution's kernels and biases or
    an average pooling's weight. Its connections follow from the shapes."""
    from ..layers.convolution import AveragePoolingLayer, ConvolutionLayer, MaxPoolingLayer

    _check_savable(layer)
    kinds = ((ConvolutionLayer, "convolution"), (MaxPoolingLayer, "max_pooling"),
             (AveragePoolingLayer, "average_pooling"))
    kind = next((name for cls, name in kinds if isinstance(layer, cls)), None)
    if kind is None:
        raise ValueError(f"{layer!r} cannot be saved: model files know convolution, "
                         "max-pooling and average-pooling layers only")
    described = {"kind": kind, "size": layer.size, "input_shape": list(layer.input_shape)}
    velocities = (layer.weight_velocity, layer.bias_velocity)
    moving = any(v.any() or np.signbit(v).any() for v in velocities)
    if kind == "convolution":
        if not layer.learn and any(v.any() for v in velocities):
            raise ValueError(f"{layer!r} cannot be saved: its kernels are fixed (learn=False) "
                             "but it has a non-zero velocity")
        described.update(kernel_shape=list(layer.weights.shape), stride=layer.stride,
                         padding=layer.padding, activation=layer.activation_function.name,
                         learn=layer.learn, kernels=layer.weights.ravel().tolist(),
                         biases=layer.biases.tolist())
        if moving:
            described.update(weight_velocity=layer.weight_velocity.ravel().tolist(),
                             bias_velocity=layer.bias_velocity.tolist())
        return described
    if moving:
        raise ValueError(f"{layer!r} cannot be saved: a pooling layer never learns, but it has "
                         "a velocity")
    k = layer.kernel_size[0]
    described.update(window=k, stride=layer.stride)
    if kind == "average_pooling":
        mean = layer.dtype.type(1.0 / (k * k))
        if layer.weights[0] != mean:
            raise ValueError(f"{layer!r} cannot be saved: its weight must be 1/{k * k} = "
                             f"{float(mean)!r} (an average), got {float(layer.weights[0])!r}")
        described["weight"] = float(layer.weights[0])
    return described


def _describe_layer(layer) -> dict:
    _check_savable(layer)
    f = layer.activation_function
    absent = ~layer.mask
    if layer.weights[absent].any() or layer.weight_velocity[absent].any():
        raise ValueError(f"{layer!r} cannot be saved: it has a non-zero weight or velocity where "
                         "no connection exists (the file keeps only connections' weights)")
    static = np.flatnonzero(~layer.trainable)
    if layer.bias_velocity[static].any() or layer.weight_velocity[static].any():
        raise ValueError(f"{layer!r} cannot be saved: a static neuron has a non-zero velocity")
    order = _connection_order(layer)
    if order is None:
        connections = "full"
        weights = layer.weights.ravel().tolist()
        weight_velocity = layer.weight_velocity.ravel()
    else:
        rows, columns = (np.array([p[k] for p in order], dtype=np.intp) for k in (0, 1))
        connections = [list(p) for p in order]
        weights = layer.weights[rows, columns].tolist()
        weight_velocity = layer.weight_velocity[rows, columns]
    described = {"kind": "hidden" if isinstance(layer, HiddenLayer) else "output",
                 "size": layer.size, "activation": f.name}
    if isinstance(layer, HiddenLayer):
        described["static"] = static.tolist()
    described.update(connections=connections, weights=weights, biases=layer.biases.tolist())
    if any(v.any() or np.signbit(v).any() for v in (layer.weight_velocity, layer.bias_velocity)):
        described.update(weight_velocity=weight_velocity.tolist(),
                         bias_velocity=layer.bias_velocity.tolist())
    return described


def _connection_order(layer) -> Optional[list[tuple[int, int]]]:
    """The order to make ``layer``'s connections in: None for "full" (every connection, made
    in row-major order), else a list of ``(j, i)`` pairs.

    The list keeps every receiver's ``inputs`` and every sender's ``outputs`` in their present
    order: it is the order the connections were made in, or one equivalent to it, found by
    merging the two kinds of lists (a topological sort; ties go row-major).
    """
    n_out, n_in = layer.weights.shape
    inputs = [[c.input_neuron.index for c in neuron.inputs] for neuron in layer.neurons]
    outputs = [[c.output_neuron.index for c in neuron.outputs] for neuron in layer.previous.neurons]
    count = sum(map(len, inputs))
    seen = np.zeros((n_out, n_in), dtype=bool)
    for j, senders in enumerate(inputs):
        seen[j, senders] = True
    if count != int(layer.mask.sum()) or not np.array_equal(seen, layer.mask) \
            or count != sum(map(len, outputs)):
        raise ValueError(f"{layer!r} cannot be saved: its neurons' connections do not match its "
                         "mask")
    everything = list(range(n_in))
    if count == n_out * n_in and all(s == everything for s in inputs) \
            and all(r == list(range(n_out)) for r in outputs):
        return None
    import heapq

    next_input = [0] * n_out  # position of the next connection in each receiver's inputs
    next_output = [0] * n_in  # and in each sender's outputs

    def ready(j: int, i: int) -> bool:
        return (next_input[j] < len(inputs[j]) and inputs[j][next_input[j]] == i
                and next_output[i] < len(outputs[i]) and outputs[i][next_output[i]] == j)

    heap = [(j, senders[0]) for j, senders in enumerate(inputs) if senders and ready(j, senders[0])]
    heapq.heapify(heap)
    order = []
    while heap:
        j, i = heapq.heappop(heap)
        order.append((j, i))
        next_input[j] += 1
        next_output[i] += 1
        if next_input[j] < len(inputs[j]) and ready(j, inputs[j][next_input[j]]):
            heapq.heappush(heap, (j, inputs[j][next_input[j]]))
        if next_output[i] < len(outputs[i]) and ready(outputs[i][next_output[i]], i):
            heapq.heappush(heap, (outputs[i][next_output[i]], i))
    if len(order) != count:  # the lists were reordered by hand: keep the receivers' order
        order = [(j, i) for j, senders in enumerate(inputs) for i in senders]
    return order


def _pieces(header: dict, layers: list):
    """The file's text, a piece at a time: the header fields one per line, a layer per line."""
    yield "{\n"
    for name, value in header.items():
        yield f"  {json.dumps(name)}: {json.dumps(value, allow_nan=False)},\n"
    yield '  "layers": [\n'
    for k, layer in enumerate(layers):
        yield "    " + json.dumps(layer, allow_nan=False) + (",\n" if k < len(layers) - 1 else "\n")
    yield "  ]\n}\n"


def _write_atomically(path: str, pieces) -> None:
    """Write the text ``pieces`` to a new file beside ``path``, then rename it over ``path``."""
    folder, name = os.path.split(os.path.abspath(path))
    try:
        mode = stat.S_IMODE(os.stat(path).st_mode)
    except OSError:
        mode = None  # a new file; any real problem with `path` shows at os.replace
    for _ in range(100):
        temporary = os.path.join(folder, f".{name}.{secrets.token_hex(4)}.tmp")
        try:
            # 0o666 and the umask, as for any new file (mkstemp would make it 0o600)
            descriptor = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o666)
            break
        except FileExistsError:
            continue
        except OSError as error:  # name the file asked for, not the temporary one
            raise type(error)(error.errno, error.strerror, path) from None
    else:  # pragma: no cover - 100 collisions of 32 random bits
        raise FileExistsError(f"could not create a temporary file beside {path}")
    try:
        with os.fdopen(descriptor, "w", encoding="utf-8", newline="\n") as out:
            for piece in pieces:
                out.write(piece)
            out.flush()
            os.fsync(out.fileno())
        if mode is not None:
            os.chmod(temporary, mode)
        os.replace(temporary, path)
    except BaseException:
        try:
            os.unlink(temporary)
        except FileNotFoundError:
            pass
        raise
    try:  # make the rename itself durable (POSIX); not possible everywhere, and not vital
        directory = os.open(folder, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(directory)
    except OSError:
        pass
    finally:
        os.close(directory)


# --------------------------------------------------------------------------------------------
# Loading


def load(path: PathLike, *, dtype=None) -> Network:
    """Read a model file written by :func:`save` and return the network it describes.

    Parameters
    ----------
    path : str or os.PathLike
        The model file.
    dtype : {"float64", "float32"}, optional
        Store the parameters in this type instead of the file's: float32 to float64 is exact
        (the gradient check wants float64), float64 to float32 rounds each parameter.

    Returns
    -------
    Network
        A new network with the file's structure and parameters, bit for bit; its per-sample
        lists are empty and its activations zero.

    Raises
    ------
    ModelFileError
        If the file is not a valid model file of a version this neurograph reads (see the
        module docstring for what is checked); the message names the file and the problem.
        Nothing is built then.
    OSError
        If the file cannot be read.
    TypeError
        If ``path`` is not a path.
    ValueError
        If ``dtype`` is not float64 or float32.

    Examples
    --------
    >>> import os, tempfile
    >>> from neurograph import Network
    >>> folder = tempfile.TemporaryDirectory()
    >>> path = os.path.join(folder.name, "net.json")
    >>> Network.layered([3, 4, 2], activation="relu", output_activation="softmax",
    ...                 cost="cross_entropy", seed=1).save(path)
    >>> load(path)
    Network(3-4-2, relu/softmax, cross_entropy cost, 20 connections)
    >>> folder.cleanup()
    """
    if not isinstance(path, (str, os.PathLike)):
        raise TypeError(f"`path` must be a str or os.PathLike, got {type(path).__name__}")
    dtype = None if dtype is None else check_dtype(dtype)
    name = os.fspath(path)
    with open(path, "rb") as file:
        content = file.read()
    spec = _Reader(name, dtype).read(content)
    try:
        return _build(spec)
    except (ValueError, TypeError) as error:  # a check of the classes that _Reader missed
        raise ModelFileError(f"{name}: {error}") from None


def save_checkpoint(network: Network, path: PathLike, training: dict) -> None:
    """Write ``network`` like :func:`save`, plus where training stands (a checkpoint).

    ``training`` is ``{"epoch": e, "batch": b, "rng": state}``: go on with epoch ``e`` after
    its first ``b`` mini-batches, drawing its order from a PCG64 generator in ``state``. The
    file is a model file too: :func:`load` reads the network and ignores the rest.
    """
    if not isinstance(network, Network):
        raise TypeError(f"`network` must be a Network, got {type(network).__name__}")
    header, layers = _describe(network)
    header["training"] = {"epoch": int(training["epoch"]), "batch": int(training["batch"]),
                          "rng": training["rng"]}
    _write_atomically(os.fspath(path), _pieces(header, layers))


def load_checkpoint(path: PathLike) -> tuple[Network, dict]:
    """Read a checkpoint written by ``fit(checkpoint=...)``: the network and its ``training``.

    Raises
    ------
    ModelFileError
        If the file is not a valid model file, or has no ``training`` field.
    """
    name = os.fspath(path)
    with open(path, "rb") as file:
        content = file.read()
    spec = _Reader(name).read(content)
    if spec["training"] is None:
        raise ModelFileError(f"{name}: a model file, not a checkpoint (it has no `training` "
                             "field)")
    try:
        return _build(spec), spec["training"]
    except (ValueError, TypeError) as error:
        raise ModelFileError(f"{name}: {error}") from None


class _Reader:
    """Parses and checks a model file's content; every complaint names the file."""

    def __init__(self, name: str, dtype: Optional[np.dtype] = None) -> None:
        self.name = name
        self.dtype = dtype  # the type to load the parameters as, if not the file's

    def fail(self, problem: str) -> ModelFileError:
        return ModelFileError(f"{self.name}: {problem}")

    # -- JSON ---------------------------------------------------------------------------------

    def read(self, content: bytes) -> dict:
        try:
            text = content.decode("utf-8")
        except UnicodeDecodeError as error:
            raise self.fail(f"not a neurograph model file: not UTF-8 text (byte {error.start:,} "
                            f"is {content[error.start:error.start + 1]!r})") from None
        document = self.parse(text)
        return self.check(document)

    def parse(self, text: str):
        def constant(word: str):
            raise self.fail(f"{word} is not allowed in a model file: every number must be finite")

        def integer(digits: str) -> int:
            if len(digits.lstrip("-")) > _MAX_INTEGER_DIGITS:
                raise self.fail(f"the integer {digits[:12]}... has {len(digits)} digits: too "
                                "large for any field")
            return int(digits)

        def unique_keys(pairs: list) -> dict:
            keys = [key for key, _ in pairs]
            if len(set(keys)) != len(keys):
                twice = next(key for key in keys if keys.count(key) > 1)
                raise self.fail(f"the field {twice!r} appears twice in one object")
            return dict(pairs)

        if not text.strip():
            raise self.fail("not a neurograph model file: it is empty")
        try:
            return json.loads(text, parse_constant=constant, parse_int=integer,
                              object_pairs_hook=unique_keys)
        except json.JSONDecodeError as error:
            if not text[error.pos:].strip():
                raise self.fail(f"the JSON ends too early (is the file truncated?): {error.msg} "
                                f"at line {error.lineno} column {error.colno}") from None
            raise self.fail(f"not valid JSON: {error.msg} at line {error.lineno} column "
                            f"{error.colno}") from None
        except RecursionError:
            raise self.fail("not a neurograph model file: the JSON is nested too deeply") from None

    # -- fields -------------------------------------------------------------------------------

    def fields(self, value, where: str, required, optional=()) -> dict:
        named = f"`{where}`" if where else "the top-level object"
        if not isinstance(value, dict):
            raise self.fail(f"{named} must be a JSON object, got {_show(value)}")
        missing = [key for key in required if key not in value]
        if missing:
            raise self.fail(f"{named} lacks the field {missing[0]!r}")
        extra = sorted(key for key in value if key not in required and key not in optional)
        if extra:
            raise self.fail(f"{named} has an unknown field {extra[0]!r} (its fields are "
                            f"{', '.join(required)}{''.join(', ' + k for k in optional)})")
        return value

    def integer(self, value, where: str, low: int, high: int) -> int:
        if type(value) is not int:
            raise self.fail(f"`{where}` must be an integer, got {_show(value)}")
        if not low <= value <= high:
            raise self.fail(f"`{where}` must be in [{low:,}, {high:,}], got {value:,}")
        return value

    def choice(self, value, where: str, choices) -> str:
        if type(value) is not str:
            raise self.fail(f"`{where}` must be a string, got {_show(value)}")
        if value not in choices:
            raise self.fail(f"`{where}` must be one of {', '.join(sorted(choices))}, got "
                            f"{_show(value)}")
        return value

    def number(self, value, where: str) -> float:
        if type(value) not in (int, float):
            raise self.fail(f"`{where}` must be a number, got {_show(value)}")
        value = float(value)
        if not math.isfinite(value):
            raise self.fail(f"`{where}` must be finite, got {value}")
        return value

    def numbers(self, value, where: str, count: int, what: str, dtype: np.dtype) -> np.ndarray:
        """A list of ``count`` finite numbers (JSON integers or floats) as a float array."""
        if not isinstance(value, list):
            raise self.fail(f"`{where}` must be a list of numbers, got {_show(value)}")
        if len(value) != count:
            raise self.fail(f"`{where}` must hold {count:,} numbers ({what}), got {len(value):,}")
        if not all(type(v) is float for v in value):
            for k, v in enumerate(value):
                if type(v) not in (int, float):
                    raise self.fail(f"`{where}[{k}]` must be a number, got {_show(v)}")
        array = np.array(value, dtype=np.float64)  # integers have at most 20 digits: finite
        with np.errstate(over="ignore"):
            array = array.astype(dtype)
        if not np.isfinite(array).all():
            k = int(np.flatnonzero(~np.isfinite(array))[0])
            raise self.fail(f"`{where}[{k}]` must be a finite {dtype} number, got {value[k]!r}")
        return array

    # -- the document -------------------------------------------------------------------------

    def check(self, document) -> dict:
        if not isinstance(document, dict) or "format" not in document:
            raise self.fail(f"not a neurograph model file: expected a JSON object with "
                            f"\"format\": {FORMAT!r}, got {_show(document)}")
        if document["format"] != FORMAT:
            raise self.fail(f"not a neurograph model file: `format` must be {FORMAT!r}, got "
                            f"{_show(document['format'])}")
        if "version" not in document:
            raise self.fail("the top-level object lacks the field 'version'")
        version = document["version"]
        if type(version) is not int:
            raise self.fail(f"`version` must be an integer, got {_show(version)}")
        if not 1 <= version <= VERSION:
            newer = " (written by a newer neurograph)" if version > VERSION else ""
            raise self.fail(f"format version {version} cannot be read{newer}: this neurograph "
                            f"reads versions up to {VERSION}")
        self.version = version
        self.fields(document, "", _TOP_FIELDS, ("training",))
        training = self.training(document["training"]) if "training" in document else None
        dtype = self.file_dtype = np.dtype(self.choice(document["dtype"], "dtype",
                                                       ("float64", "float32")))
        if self.dtype is not None:
            dtype = self.dtype  # numbers are converted, and checked, in the type they will have
        cost = self.choice(document["cost"], "cost", COSTS)
        clamp = document["bias_clamp"]
        if clamp is not None:
            if not isinstance(clamp, list) or len(clamp) != 2:
                raise self.fail(f"`bias_clamp` must be null or a list [low, high], got "
                                f"{_show(clamp)}")
            clamp = tuple(self.number(v, f"bias_clamp[{k}]") for k, v in enumerate(clamp))
            if clamp[0] > clamp[1]:
                raise self.fail(f"`bias_clamp` must have low <= high, got {list(clamp)}")
        layers = document["layers"]
        if not isinstance(layers, list) or len(layers) < 2:
            raise self.fail(f"`layers` must be a list of at least an input and an output layer, "
                            f"got {_show(layers)}")

        # First the shapes, all of them, so an absurd size is refused before anything is made.
        specs = []
        total = 0
        for k, layer in enumerate(layers):
            where = f"layers[{k}]"
            if not isinstance(layer, dict):
                raise self.fail(f"`{where}` must be a JSON object, got {_show(layer)}")
            if "kind" not in layer:
                raise self.fail(f"`{where}` lacks the field 'kind'")
            kind = self.kind(layer["kind"], where, k, len(layers))
            optional = _OPTIONAL_FIELDS[kind] if kind != "input" or version >= 2 else ()
            self.fields(layer, where, _LAYER_FIELDS[kind], optional)
            size = self.integer(layer["size"], f"{where}.size", 1, MAX_LAYER_PARAMETERS)
            spec = {"kind": kind, "size": size}
            if "shape" in layer:
                spec["shape"] = self.shape(layer["shape"], f"{where}.shape", (1, 2, 3))
                if math.prod(spec["shape"]) != size:
                    raise self.fail(f"`{where}.shape` {_dims(spec['shape'])} holds "
                                    f"{math.prod(spec['shape']):,} inputs, not `size` = {size:,}")
            if k > 0:
                previous = specs[-1]["size"]
                if kind in _SHARED_KINDS:
                    window = self.windows(layer, spec, previous, where)
                    parameters = size * window + size
                    if parameters > MAX_LAYER_PARAMETERS:
                        raise self.fail(f"`{where}` declares {size:,} neurons reading {window:,} "
                                        f"inputs each: {parameters:,} connections and neurons, "
                                        f"more than the {MAX_LAYER_PARAMETERS:,} a layer may "
                                        "have")
                else:
                    parameters = size * previous + size
                    if parameters > MAX_LAYER_PARAMETERS:
                        raise self.fail(f"`{where}` declares {size:,} neurons after "
                                        f"{previous:,}: {parameters:,} parameters, more than the "
                                        f"{MAX_LAYER_PARAMETERS:,} a layer may have")
                total += parameters
                if total > MAX_PARAMETERS:
                    raise self.fail(f"the layers up to `{where}` declare {total:,} parameters, "
                                    f"more than the {MAX_PARAMETERS:,} a model may have")
            specs.append(spec)

        for k, (layer, spec) in enumerate(zip(layers, specs)):
            if k > 0 and spec["kind"] in _SHARED_KINDS:
                self.check_shared(layer, spec, f"layers[{k}]", dtype)
            elif k > 0:
                self.check_receiving(layer, spec, specs[k - 1]["size"], f"layers[{k}]", dtype)
        return {"dtype": dtype, "cost": cost, "bias_clamp": clamp, "layers": specs,
                "training": training}

    def training(self, value) -> dict:
        """A checkpoint's ``training`` field: where ``fit`` goes on from."""
        fields = self.fields(value, "training", ("epoch", "batch", "rng"))
        epoch = self.integer(fields["epoch"], "training.epoch", 1, 10 ** 9)
        batch = self.integer(fields["batch"], "training.batch", 0, 10 ** 12)
        try:
            generator = np.random.default_rng()
            generator.bit_generator.state = fields["rng"]
        except (TypeError, ValueError, KeyError) as error:
            raise self.fail(f"`training.rng` must be the state of numpy's PCG64 generator: "
                            f"{error}") from None
        return {"epoch": epoch, "batch": batch, "rng": generator.bit_generator.state}

    def kind(self, kind, where: str, k: int, n_layers: int) -> str:
        """Layer ``k``'s kind: input first, output last, hidden (or, from version 2,
        convolution or pooling) between."""
        if k == 0 or k == n_layers - 1:
            expected = "input" if k == 0 else "output"
            if kind != expected:
                raise self.fail(f"`{where}.kind` must be {expected!r} (input first, output last, "
                                f"hidden between), got {_show(kind)}")
            return kind
        if kind in _SHARED_KINDS and type(kind) is str:
            if self.version < 2:
                raise self.fail(f"`{where}.kind` {kind!r} needs format version 2, but the file "
                                f"says version {self.version}")
            return kind
        if kind != "hidden":
            raise self.fail(f"`{where}.kind` must be 'hidden' or, from version 2, one of "
                            f"{', '.join(map(repr, _SHARED_KINDS))} (input first, output last, "
                            f"the others between), got {_show(kind)}")
        return kind

    def shape(self, value, where: str, lengths: tuple) -> tuple:
        """A list of ``lengths`` positive integers, each at most MAX_LAYER_PARAMETERS."""
        if not (isinstance(value, list) and len(value) in lengths
                and all(type(v) is int and 1 <= v <= MAX_LAYER_PARAMETERS for v in value)):
            count = (f"{lengths[0]} to {lengths[-1]}" if len(lengths) > 1 else str(lengths[0]))
            raise self.fail(f"`{where}` must be a list of {count} integers in [1, "
                            f"{MAX_LAYER_PARAMETERS:,}], got {_show_shape(value)}")
        return tuple(value)

    def windows(self, layer: dict, spec: dict, n_in: int, where: str) -> int:
        """The shapes of a convolution or pooling layer, checked to fit its input and give its
        ``size``, into ``spec``; returns how many inputs one neuron reads (at most)."""
        kind = spec["kind"]
        input_shape = self.shape(layer["input_shape"], f"{where}.input_shape", (3,))
        channels, height, width = input_shape
        if math.prod(input_shape) != n_in:
            raise self.fail(f"`{where}.input_shape` {_dims(input_shape)} holds "
                            f"{math.prod(input_shape):,} values, but the layer before has "
                            f"{n_in:,} neurons")
        if kind == "convolution":
            kernel_shape = self.shape(layer["kernel_shape"], f"{where}.kernel_shape", (4,))
            maps, kernel_channels, kh, kw = kernel_shape
            if kernel_channels != channels:
                raise self.fail(f"`{where}.kernel_shape` {_dims(kernel_shape)} has "
                                f"{kernel_channels:,} channels, but `input_shape` has "
                                f"{channels:,}")
            padding = self.integer(layer["padding"], f"{where}.padding", 0, min(kh, kw) - 1)
            window = kernel_channels * kh * kw
            spec.update(kernel_shape=kernel_shape, padding=padding)
        else:
            kh = kw = self.integer(layer["window"], f"{where}.window", 1, MAX_LAYER_PARAMETERS)
            maps, padding, window = channels, 0, kh * kw
            spec["window"] = kh
        stride = self.integer(layer["stride"], f"{where}.stride", 1, MAX_LAYER_PARAMETERS)
        sides = []
        for name, side, k in (("height", height, kh), ("width", width, kw)):
            if side + 2 * padding < k:
                raise self.fail(f"`{where}`: a {kh} x {kw} window does not fit the input {name} "
                                f"{side}" + (f" with padding {padding}" if padding else ""))
            sides.append((side + 2 * padding - k) // stride + 1)
        size = maps * sides[0] * sides[1]
        if spec["size"] != size:
            what = "feature maps" if kind == "convolution" else "pooled channels"
            raise self.fail(f"`{where}.size` must be {maps:,} x {sides[0]:,} x {sides[1]:,} = "
                            f"{size:,} (the {what} its shapes give), got {spec['size']:,}")
        spec.update(input_shape=input_shape, stride=stride)
        return window

    def activation(self, value, where: str, hidden: bool) -> str:
        activation = self.choice(value, where, ACTIVATIONS)
        if hidden and ACTIVATIONS[activation].layerwise:
            raise self.fail(f"`{where}` {activation!r} acts on a whole layer and is for the "
                            "output layer only")
        return activation

    def velocities(self, layer: dict, where: str, counts: tuple, whats: tuple,
                   dtype: np.dtype) -> Optional[tuple]:
        """The optional ``weight_velocity`` and ``bias_velocity`` (both or neither)."""
        present = [name for name in _VELOCITY_FIELDS if name in layer]
        if len(present) == 1:
            missing = next(name for name in _VELOCITY_FIELDS if name not in layer)
            raise self.fail(f"`{where}` has {present[0]!r} but lacks {missing!r} (the velocities "
                            "come together)")
        if not present:
            return None
        return tuple(self.numbers(layer[name], f"{where}.{name}", count, what, dtype)
                     for name, count, what in zip(_VELOCITY_FIELDS, counts, whats))

    def check_shared(self, layer: dict, spec: dict, where: str, dtype: np.dtype) -> None:
        """A convolution's activation, kernels, biases and velocities; an average pooling's
        weight (which must be ``1 / window^2``). Max pooling has no parameters."""
        kind = spec["kind"]
        if kind == "convolution":
            spec["activation"] = self.activation(layer["activation"], f"{where}.activation",
                                                 hidden=True)
            learn = layer["learn"]
            if type(learn) is not bool:
                raise self.fail(f"`{where}.learn` must be true or false, got {_show(learn)}")
            spec["learn"] = learn
            maps, channels, kh, kw = spec["kernel_shape"]
            counts = (maps * channels * kh * kw, maps)
            whats = (f"{maps:,} x {channels:,} x {kh:,} x {kw:,} kernel entries in that order",
                     "one per map")
            spec["kernels"], spec["biases"] = (
                self.numbers(layer[name], f"{where}.{name}", count, what, dtype)
                for name, count, what in zip(("kernels", "biases"), counts, whats))
            velocities = self.velocities(layer, where, counts, whats, dtype)
            if velocities is not None and not learn and any(v.any() for v in velocities):
                raise self.fail(f"`{where}`: the kernels are fixed (learn is false), so the "
                                "velocities must be zero")
            spec["velocities"] = velocities
        elif kind == "average_pooling":
            weight = self.number(layer["weight"], f"{where}.weight")
            k = spec["window"]
            mean = self.file_dtype.type(1.0 / (k * k))
            with np.errstate(over="ignore"):
                stored = self.file_dtype.type(weight)
            if stored != mean:
                raise self.fail(f"`{where}.weight` must be 1/{k * k:,} = {float(mean)!r} (the "
                                f"mean of a {k:,} x {k:,} window), got {weight!r}")

    def check_receiving(self, layer: dict, spec: dict, n_in: int, where: str,
                        dtype: np.dtype) -> None:
        n_out = spec["size"]
        hidden = spec["kind"] == "hidden"
        spec["activation"] = self.activation(layer["activation"], f"{where}.activation", hidden)
        static = []
        if hidden:
            static = layer["static"]
            if not isinstance(static, list):
                raise self.fail(f"`{where}.static` must be a list of neuron indices, got "
                                f"{_show(static)}")
            for k, index in enumerate(static):
                self.integer(index, f"{where}.static[{k}]", 0, n_out - 1)
            if len(set(static)) != len(static):
                raise self.fail(f"`{where}.static` must not repeat an index, got "
                                f"{sorted(i for i in set(static) if static.count(i) > 1)[:5]} "
                                "more than once")
            spec["static"] = sorted(static)

        connections = layer["connections"]
        if connections == "full":
            pairs = None
            count, what = n_out * n_in, f"{n_out:,} x {n_in:,}, row by row"
        elif isinstance(connections, list):
            pairs = self.pairs(connections, f"{where}.connections", n_out, n_in)
            count, what = len(connections), "one per connection"
        else:
            raise self.fail(f"`{where}.connections` must be \"full\" or a list of [j, i] pairs, "
                            f"got {_show(connections)}")
        spec["pairs"] = pairs
        spec["weights"] = self.numbers(layer["weights"], f"{where}.weights", count, what, dtype)
        spec["biases"] = self.numbers(layer["biases"], f"{where}.biases", n_out, "one per neuron",
                                      dtype)
        spec["velocities"] = velocities = self.velocities(
            layer, where, (count, n_out), (what, "one per neuron"), dtype)
        if velocities is not None:
            weight_velocity, bias_velocity = velocities
            is_static = np.zeros(n_out, dtype=bool)
            is_static[static] = True
            receivers = np.repeat(np.arange(n_out), n_in) if pairs is None else pairs[:, 0]
            moving = (is_static & (bias_velocity != 0)) | np.bincount(
                receivers[is_static[receivers] & (weight_velocity != 0)], minlength=n_out
            ).astype(bool)
            if moving.any():
                raise self.fail(f"`{where}`: static neuron {int(np.flatnonzero(moving)[0])} must "
                                "have zero velocities, since it never learns")

    def pairs(self, connections: list, where: str, n_out: int, n_in: int) -> np.ndarray:
        """The ``[j, i]`` pairs as an ``(n, 2)`` integer array, each checked."""
        for k, pair in enumerate(connections):
            if not (isinstance(pair, list) and len(pair) == 2 and type(pair[0]) is int
                    and type(pair[1]) is int):
                raise self.fail(f"`{where}[{k}]` must be a pair [j, i] of integers, got "
                                f"{_show(pair)}")
            j, i = pair
            if not (0 <= j < n_out and 0 <= i < n_in):
                raise self.fail(f"`{where}[{k}]` must join a neuron j in [0, {n_out}) of this "
                                f"layer and i in [0, {n_in}) of the previous one, got {pair}")
        array = np.array(connections, dtype=np.int64).reshape(-1, 2)
        keys = array[:, 0] * n_in + array[:, 1]
        unique, first = np.unique(keys, return_index=True)
        if len(unique) != len(keys):
            repeated = np.setdiff1d(np.arange(len(keys)), first)[0]
            raise self.fail(f"`{where}[{repeated}]` repeats the connection "
                            f"{connections[repeated]}")
        return array


def _show(value) -> str:
    """A short description of a JSON value for an error message (never a whole list)."""
    if isinstance(value, list):
        return f"a list of {len(value):,} items" if value else "an empty list"
    if isinstance(value, dict):
        return "a JSON object"
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "true" if value else "false"
    text = repr(value)
    return text if len(text) <= 40 else text[:37] + "..."


def _show_shape(value) -> str:
    """A shape for an error message: the list itself when it is short and flat."""
    if isinstance(value, list) and len(value) <= 4 and all(
            v is None or isinstance(v, (int, float, str, bool)) for v in value):
        return "[" + ", ".join(_show(v) for v in value) + "]"
    return _show(value)


def _dims(shape) -> str:
    return " x ".join(f"{d:,}" for d in shape)


def _build(spec: dict) -> Network:
    """The network ``spec`` describes, built with the public API (checked beforehand)."""
    from ..layers.convolution import AveragePoolingLayer, ConvolutionLayer, MaxPoolingLayer

    layer_specs, dtype = spec["layers"], spec["dtype"]
    first = layer_specs[0]
    layers = [InputLayer(shape=first["shape"]) if "shape" in first else InputLayer(first["size"])]
    for layer in layer_specs[1:-1]:
        kind = layer["kind"]
        if kind == "hidden":
            layers.append(HiddenLayer(layer["size"], layer["activation"],
                                      static=layer["static"], dtype=dtype))
        elif kind == "convolution":
            layers.append(ConvolutionLayer(
                layer["input_shape"], layer["kernels"].reshape(layer["kernel_shape"]),
                stride=layer["stride"], padding=layer["padding"], activation=layer["activation"],
                learn=layer["learn"], dtype=dtype))
        else:  # pooling
            pooling = MaxPoolingLayer if kind == "max_pooling" else AveragePoolingLayer
            layers.append(pooling(layer["input_shape"], layer["window"], layer["stride"],
                                  dtype=dtype))
    last = layer_specs[-1]
    layers.append(OutputLayer(last["size"], last["activation"], dtype=dtype))
    for previous, layer, layer_spec in zip(layers, layers[1:], layer_specs[1:]):
        if layer.shared:
            continue  # it makes its own connections when the network attaches it
        weights = layer_spec["weights"]
        pairs = layer_spec["pairs"]
        if pairs is None:
            previous.fully_connect_to(layer, weights.reshape(layer.size, previous.size))
        else:
            senders, receivers = previous.neurons, layer.neurons
            for (j, i), weight in zip(pairs.tolist(), weights.tolist()):
                senders[i].connect_to(receivers[j], weight=weight)
    network = Network(layers, cost=spec["cost"], bias_clamp=spec["bias_clamp"])
    for layer, layer_spec in zip(layers[1:], layer_specs[1:]):
        if "biases" in layer_spec:  # not pooling
            layer.biases[...] = layer_spec["biases"]
        velocities = layer_spec.get("velocities")
        if velocities is None:
            continue
        weight_velocity, bias_velocity = velocities
        pairs = layer_spec.get("pairs")
        if pairs is None:
            layer.weight_velocity[...] = weight_velocity.reshape(layer.weight_velocity.shape)
        else:
            layer.weight_velocity[pairs[:, 0], pairs[:, 1]] = weight_velocity
        layer.bias_velocity[...] = bias_velocity
    return network
