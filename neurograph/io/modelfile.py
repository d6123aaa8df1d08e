"""Keeping a network: save it to a JSON file and load it back, bit for bit.

A model file holds the structure (layers, activations, static neurons, which connections exist),
the cost, the bias clamp and every parameter; nothing in it is ever run (no pickle). Floats are
written with ``repr``, which reads back as the very same float64, so a loaded network predicts
exactly what the saved one did. Saving goes through a temporary file in the same folder and
``os.replace`` (:mod:`neurograph.io.atomic`), so an interrupted save never damages the file
already there. This module knows the format but no layer kind: each layer class writes and
checks its own object of ``layers`` (``describe_for_file``, ``check_file_shape``,
``check_file_parameters``, ``from_file``; see :class:`neurograph.ReceivingLayer`), found by its
``kind`` in :data:`neurograph.layers.kinds.LAYER_KINDS`, with the strict helpers of
:mod:`neurograph.io.strict`.

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
  mini-batches, the order drawn from a numpy PCG64 generator in ``state``; and (optional, written
  since issue 15) ``samples``, ``epoch_size`` and ``batch_size``: the rows of the data, the
  samples an epoch takes and the batch size of epoch ``e``, which a resume in the middle of an
  epoch must match.
- ``weight_velocity`` and ``bias_velocity`` (optional, together): the SGD momentum velocities
  (the optimizer's slot ``velocity``), laid out like ``weights`` and ``biases``. They are
  written only for a layer where one is non-zero (or -0.0), so training with momentum can go
  on exactly where it stopped; missing means zero. Static neurons must have zero velocities.

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

Version 3 adds optimizers other than SGD. A network trained by SGD is still written as version
1 or 2 (its velocities as above); one trained by another optimizer gets a top-level field::

    "optimizer": {"name": "adam", "learning_rate": 0.001, "beta1": 0.9, "beta2": 0.999,
                  "epsilon": 1e-08, "steps": 120}

- ``name``: a name of :data:`neurograph.optimizers.OPTIMIZERS`; then exactly its
  hyperparameters (``optimizer.hyperparameters()``), each a number, and ``steps``, the nudges
  it has made (Adam's bias correction needs it).
- Each slot of the optimizer is stored per receiving layer as the optional fields
  ``<parameter>_<slot>``, for Adam ``weight_m``, ``bias_m``, ``weight_v`` and ``bias_v``, under
  the same rules as the velocities: laid out like ``weights`` (or a convolution's ``kernels``)
  and ``biases``, a slot's two fields together, written only where not all zero, zero for
  static neurons and fixed kernels, none for pooling. A file without ``optimizer`` is trained
  by SGD, and only its ``velocity`` fields may appear.

Version 3 also adds the optional top-level field ``"hidden_derivative": "mean"``, written
only for a network that reproduces the Kotlin post's averaging of a hidden neuron's dC/da
(``Network(..., hidden_derivative="mean")``); missing means ``"sum"``, the chain rule. Its
value must be ``"sum"`` or ``"mean"``.

Loading builds the network's optimizer from the file, with its steps and slots (SGD with its
default settings and the velocities when there is no ``optimizer`` field).

Version 3 also adds the layer kinds that came with it, each describing its own object (see
its class), such as a dropout layer between the others::

    {"kind": "dropout", "size": 16, "rate": 0.5, "rng": {"bit_generator": "PCG64", ...}}

with an optional ``shape`` holding its ``size``: its rate, and the state of the generator its
masks are drawn from, so that a resumed run draws the masks the stopped one would have.

Version 4 adds graphs: layers that read a layer other than the one right before them, or
several layers. A network without any is still written as version 1, 2 or 3, byte for byte as
before. A dense (hidden or output) layer that reads only the layer before keeps the fields
above; any other lists ``inputs`` instead of ``connections`` and ``weights``, one object per
source, in the order the layer was joined to them (its ``sources``)::

    {"kind": "output", "size": 2, "activation": "sigmoid",
     "inputs": [{"from": 0, "connections": "full", "weights": [...2 x 3 numbers]},
                {"from": 1, "connections": [[0, 1], [1, 0]], "weights": [0.5, -0.25],
                 "weight_velocity": [0.01, 0.0]}],
     "biases": [0.0, 0.1], "bias_velocity": [0.02, 0.0]}

- ``from``: the index of an earlier layer, each at most once.
- ``connections`` and ``weights`` as in version 1, for that source's block (``i`` a neuron of
  the source); the weight slots ``weight_<slot>`` stand beside them, laid out like its
  ``weights``, while ``biases`` and ``bias_<slot>`` stay on the layer. A slot is there for
  every block and the biases, or not at all. The size limits count the inputs of every
  source: ``size x (sum of the sources' sizes) + size``.
- A convolution, pooling or dropout layer reads one layer; when it is not the one before, its
  object has ``"from": k`` (and its ``input_shape``, or its ``size`` for dropout, must fit
  layer ``k``).
- A hidden layer made with a ``shape`` (such as ``[11, 11]``) has ``"shape"``, written only
  when it is not ``[size]``; it needs version 4 too.

Loading makes the layers' connections layer by layer and, within a layer, block by block in
the file's order, each block in its listed order. So every receiver's ``inputs`` come back
grouped by source (in ``sources`` order) and every sender's ``outputs`` grouped by receiving
layer (in the network's order), each group in its saved order: the order a network has when
it is built layer by layer, source by source (``Network.layered(..., connect="all")`` is). A
network whose lists interleave sources (connections made by hand in another order) is saved
in that canonical order, not refused: the loaded network may differ from it in the last bit
of a sum.

Any version may have the optional top-level fields ``output_labels`` and ``input_labels``
(lists of strings, one per output or input neuron: what each stands for, such as a CSV
file's column names) and ``input_scaling`` (written since issue 17 for a network whose
``input_scaling`` is set, such as one trained by ``neurograph train --standardize``)::

    "input_scaling": {"mean": [5.8, 3.1], "scale": [0.83, 0.43]}

one ``mean`` and one ``scale`` (positive) per input neuron, float64 whatever ``dtype`` says:
``fit``, ``predict`` and ``evaluate`` give the input neurons ``(x - mean) / scale`` of a raw
row ``x``. A file without it takes inputs as they are. (An older neurograph refuses such a
file as having an unknown field rather than predicting from unscaled inputs.)

The per-sample lists and activations of the last sample trained are not kept.

Loading is strict: anything else (an unknown format or version, a missing or unknown field, a
wrong type, a count that does not match, NaN or infinity, a duplicated or out-of-range
connection, an unknown activation or cost, a window that does not fit its image or an image
that does not fit the layer before, a version 2 field in a version 1 file, an ``optimizer`` or a
``hidden_derivative`` in a version 1 or 2 file, ``inputs`` or ``from`` before version 4, an
input ``from`` a later layer or repeated, an unknown optimizer, a missing or unknown
hyperparameter, a slot of an
optimizer the file does not name, a declared size over
:data:`MAX_LAYER_PARAMETERS` or :data:`MAX_PARAMETERS`, more layers than 1,000, which is
refused before anything is allocated, a file over 256 MiB or that is not a regular file
(a device, a named pipe), refused before it is read, or a file that is not UTF-8 JSON; each
limit is ``neurograph.LIMITS``'s and can be raised with :func:`neurograph.limits`) raises :class:`ModelFileError` naming the file and
the problem.
"""
from __future__ import annotations

import json
import os
from typing import Optional, Union

import numpy as np

from ..core.costs import COSTS
from ..core.limits import LIMITS, read_regular_file
from ..core.validation import HIDDEN_DERIVATIVES, check_dtype
from ..layers.kinds import LAYER_KINDS
from ..optimizers import OPTIMIZERS, SGD
from .atomic import write_atomically
from .strict import ModelFileError, StrictReader, show

__all__ = ["FORMAT", "VERSION", "MAX_LAYER_PARAMETERS", "MAX_PARAMETERS", "ModelFileError",
           "version_of", "write_model", "save_checkpoint", "read_model", "load_network",
           "load_checkpoint"]

FORMAT = "neurograph-network"
"""The value of every model file's ``"format"`` field."""

VERSION = 4
"""The newest format version this module writes and reads. A network trained by SGD without an
input shape, convolution or pooling layers is written as version 1, which older neurographs
read too; with those, version 2; trained by another optimizer, version 3; with a layer that
reads another layer than the one before it (or several), version 4. Files of all four
versions load."""

MAX_LAYER_PARAMETERS = 10 ** 7
"""The default of ``neurograph.LIMITS.layer_parameters``, which the reader applies (raise it
with :func:`neurograph.limits`): the most parameters a receiving layer may declare: ``size x inputs`` weights (``inputs`` the
sizes of the layers it reads added up; the weight matrix is dense in memory, whatever the
mask) plus ``size`` biases. A convolution or
pooling layer shares a few parameters between many connections, so it is measured by what
it makes: ``size x window`` connections (at most) plus ``size`` neurons, ``window`` being the
inputs one neuron reads (``channels x kh x kw`` for a convolution, ``window^2`` for pooling).
The input layer's size and every number of an image or kernel shape are held to the same
limit."""

MAX_PARAMETERS = 10 ** 8
"""The default of ``neurograph.LIMITS.parameters``: the most parameters a whole model file may
declare (weights and biases, counted as for
:data:`MAX_LAYER_PARAMETERS`)."""

PathLike = Union[str, "os.PathLike[str]"]

_TOP_FIELDS = ("format", "version", "dtype", "cost", "bias_clamp", "layers")
_MAX_STEPS = 10 ** 12


# --------------------------------------------------------------------------------------------
# Saving


def version_of(network) -> int:
    """The format version a file of ``network`` needs: the newest its layers need (2 for an
    input shape, a convolution or pooling layer; 3 for a dropout layer; 4 for a layer reading
    another layer than the one before, or several, or a hidden layer's shape), and at least 3
    if its optimizer is not SGD or it averages its hidden derivatives
    (``hidden_derivative="mean"``), else 1."""
    plain = network.optimizer.name == SGD.name and network.hidden_derivative == "sum"
    return max(1 if plain else 3, *(layer.file_version() for layer in network.layers))


def check_savable_optimizer(optimizer) -> None:
    """Refuse an optimizer a model file cannot name (checked before training, for a
    checkpoint, and again when saving)."""
    if OPTIMIZERS.get(optimizer.name) is not type(optimizer):
        raise ValueError(f"the optimizer {optimizer!r} is not one of "
                         "neurograph.optimizers.OPTIMIZERS, so it cannot be saved by name")


def describe(network, training: Optional[dict] = None) -> tuple[dict, list]:
    """The file's fields as Python values (lists of floats), after checking the network: the
    header and one object per layer, each written by its layer."""
    output = network.output_layer
    cost = output.cost
    if COSTS.get(cost.name) is not cost:
        raise ValueError(f"the cost {cost.name!r} is not one of neurograph.COSTS, so it cannot be "
                         "saved by name")
    optimizer = network.optimizer
    check_savable_optimizer(optimizer)
    header = {"format": FORMAT, "version": version_of(network), "dtype": str(output.dtype),
              "cost": cost.name,
              "bias_clamp": None if network.bias_clamp is None else list(network.bias_clamp)}
    if optimizer.name != SGD.name:
        header["optimizer"] = {"name": optimizer.name, **optimizer.hyperparameters(),
                               "steps": int(optimizer.steps)}
    if network.hidden_derivative != "sum":
        header["hidden_derivative"] = network.hidden_derivative
    if getattr(network, "output_labels", None) is not None:
        header["output_labels"] = [str(label) for label in network.output_labels]
    if getattr(network, "input_labels", None) is not None:
        header["input_labels"] = [str(label) for label in network.input_labels]
    scaling = getattr(network, "input_scaling", None)
    if scaling is not None:
        header["input_scaling"] = {"mean": [float(v) for v in scaling[0]],
                                   "scale": [float(v) for v in scaling[1]]}
    if training is not None:
        header["training"] = {"epoch": int(training["epoch"]), "batch": int(training["batch"]),
                              "rng": training["rng"]}
        header["training"].update({key: int(training[key]) for key in _TRAINING_SIZES
                                   if training.get(key) is not None})
    layers = [layer.describe_for_file(optimizer) for layer in network.layers]
    return header, layers


def _pieces(header: dict, layers: list):
    """The file's text, a piece at a time: the header fields one per line, a layer per line."""
    yield "{\n"
    for name, value in header.items():
        yield f"  {json.dumps(name)}: {json.dumps(value, allow_nan=False)},\n"
    yield '  "layers": [\n'
    for k, layer in enumerate(layers):
        yield "    " + json.dumps(layer, allow_nan=False) + (",\n" if k < len(layers) - 1 else "\n")
    yield "  ]\n}\n"


_TRAINING_SIZES = ("samples", "epoch_size", "batch_size")
"""A checkpoint's optional record of the data it trained on (checked by a resume)."""


def write_model(network, path: PathLike, training: Optional[dict] = None) -> None:
    """Write ``network`` (and, for a checkpoint, ``training``) to ``path``, atomically.

    Every check happens before the file is touched; see :func:`neurograph.io.save` for what
    is refused (ValueError) and :func:`neurograph.io.save_checkpoint` for ``training``.
    """
    if not isinstance(path, (str, os.PathLike)):
        raise TypeError(f"`path` must be a str or os.PathLike, got {type(path).__name__}")
    path = os.fspath(path)
    if not isinstance(path, str):
        raise TypeError(f"`path` must be a str or os.PathLike of str, got {path!r}")
    header, layers = describe(network, training)
    write_atomically(path, _pieces(header, layers))


def save_checkpoint(network, path: PathLike, training: dict) -> None:
    """:func:`write_model` with ``training`` (what ``fit(checkpoint=...)`` writes); see
    :func:`neurograph.io.save_checkpoint`."""
    write_model(network, path, training)


# --------------------------------------------------------------------------------------------
# Loading


def read_model(path: PathLike, *, dtype=None) -> dict:
    """The checked content of the model file ``path``: ``{"dtype", "cost", "bias_clamp",
    "optimizer", "hidden_derivative", "layers", "training"}``, every layer's spec checked by its class (nothing is
    built yet). Raises :class:`ModelFileError` naming the file and the problem."""
    if not isinstance(path, (str, os.PathLike)):
        raise TypeError(f"`path` must be a str or os.PathLike, got {type(path).__name__}")
    dtype = None if dtype is None else check_dtype(dtype)
    name = os.fspath(path)
    try:
        content = read_regular_file(path, "model file")
    except ValueError as error:
        raise ModelFileError(str(error)) from None
    return _ModelReader(name, LIMITS.layer_parameters, dtype).read(content)


def load_network(path: PathLike, network_class, *, dtype=None):
    """The network the model file ``path`` describes, made by ``network_class``
    (:class:`neurograph.Network`; see :func:`neurograph.io.load`)."""
    return _build(read_model(path, dtype=dtype), path, network_class)


def load_checkpoint(path: PathLike, network_class) -> tuple:
    """The network of the checkpoint ``path`` (made by ``network_class``) and its
    ``training``; see :func:`neurograph.io.load_checkpoint`."""
    spec = read_model(path)
    if spec["training"] is None:
        raise ModelFileError(f"{os.fspath(path)}: a model file, not a checkpoint (it has no "
                             "`training` field)")
    return _build(spec, path, network_class), spec["training"]


def _build(spec: dict, path: PathLike, network_class):
    """The network ``spec`` (from :func:`read_model`) describes, with its optimizer, steps and
    slots; a check of the classes that the reader missed is a ModelFileError too."""
    try:
        dtype = spec["dtype"]
        kinds = [LAYER_KINDS[layer["kind"]] for layer in spec["layers"]]
        layers = [kind.from_file(layer, dtype) for kind, layer in zip(kinds, spec["layers"])]
        for k, (layer, layer_spec) in enumerate(zip(layers, spec["layers"])):
            if k:
                layer.connect_from_file(layers[:k], layer_spec)
        network = network_class(layers, cost=spec["cost"], bias_clamp=spec["bias_clamp"],
                                hidden_derivative=spec["hidden_derivative"])
        name, settings, steps = spec["optimizer"]
        network.optimizer = optimizer = OPTIMIZERS[name](**settings)
        optimizer.steps = steps
        for layer, layer_spec in zip(layers, spec["layers"]):
            layer.restore_from_file(layer_spec, optimizer)
        labels = spec.get("output_labels")
        if labels is not None and len(labels) != network.output_layer.size:
            raise ValueError(f"`output_labels` must have one label per output neuron "
                             f"({network.output_layer.size}), got {len(labels)}")
        network.output_labels = labels
        names = spec.get("input_labels")
        if names is not None and len(names) != network.input_layer.size:
            raise ValueError(f"`input_labels` must have one label per input neuron "
                             f"({network.input_layer.size}), got {len(names)}")
        network.input_labels = names
        network.input_scaling = spec.get("input_scaling")
        return network
    except (ValueError, TypeError) as error:
        raise ModelFileError(f"{os.fspath(path)}: {error}") from None


class _ModelReader(StrictReader):
    """Checks a model file's document: the header here, each layer by its class."""

    def read(self, content: bytes) -> dict:
        document = self.parse(self.decode(content, "neurograph model file"),
                              "neurograph model file")
        return self.check(document)

    def check(self, document) -> dict:
        if not isinstance(document, dict) or "format" not in document:
            raise self.fail(f"not a neurograph model file: expected a JSON object with "
                            f"\"format\": {FORMAT!r}, got {show(document)}")
        if document["format"] != FORMAT:
            raise self.fail(f"not a neurograph model file: `format` must be {FORMAT!r}, got "
                            f"{show(document['format'])}")
        if "version" not in document:
            raise self.fail("the top-level object lacks the field 'version'")
        version = document["version"]
        if type(version) is not int:
            raise self.fail(f"`version` must be an integer, got {show(version)}")
        if not 1 <= version <= VERSION:
            newer = " (written by a newer neurograph)" if version > VERSION else ""
            raise self.fail(f"format version {version} cannot be read{newer}: this neurograph "
                            f"reads versions up to {VERSION}")
        self.version = version
        optional = (("optimizer", "hidden_derivative", "training", "output_labels")
                    if version >= 3 else ("training", "output_labels"))
        optional += ("input_labels", "input_scaling")  # any version (issue 17)
        self.fields(document, "", _TOP_FIELDS, optional)
        training = self.training(document["training"]) if "training" in document else None
        optimizer = self.optimizer(document.get("optimizer"))
        self.file_dtype = np.dtype(self.choice(document["dtype"], "dtype",
                                               ("float64", "float32")))
        # numbers are converted, and checked, in the type they will have
        dtype = self.file_dtype if self.dtype is None else self.dtype
        cost = self.choice(document["cost"], "cost", COSTS)
        clamp = self.bias_clamp(document["bias_clamp"])
        hidden = self.choice(document.get("hidden_derivative", "sum"), "hidden_derivative",
                             HIDDEN_DERIVATIVES)
        layers = self.layers(document["layers"], dtype)
        return {"dtype": dtype, "cost": cost, "bias_clamp": clamp, "optimizer": optimizer,
                "hidden_derivative": hidden, "layers": layers, "training": training,
                "output_labels": self.output_labels(document.get("output_labels")),
                "input_labels": self.output_labels(document.get("input_labels"),
                                                   "input_labels"),
                "input_scaling": self.input_scaling(document.get("input_scaling"),
                                                    layers[0]["size"])}

    def input_scaling(self, value, size: int) -> Optional[tuple]:
        """The optional ``input_scaling``: ``mean`` and ``scale``, ``size`` numbers each, every
        scale positive (float64, whatever the file's dtype)."""
        if value is None:
            return None
        self.fields(value, "input_scaling", ("mean", "scale"))
        mean, scale = (self.numbers(value[key], f"input_scaling.{key}", size,
                                    "one per input neuron", np.dtype(np.float64))
                       for key in ("mean", "scale"))
        if not (scale > 0).all():
            k = int(np.flatnonzero(~(scale > 0))[0])
            raise self.fail(f"`input_scaling.scale[{k}]` must be positive, got {scale[k]!r}")
        return mean, scale

    def output_labels(self, labels, field: str = "output_labels") -> Optional[list]:
        if labels is None:
            return None
        if not isinstance(labels, list) or not all(isinstance(v, str) for v in labels):
            raise self.fail(f"`{field}` must be a list of strings, got {show(labels)}")
        return labels

    def bias_clamp(self, clamp) -> Optional[tuple]:
        if clamp is None:
            return None
        if not isinstance(clamp, list) or len(clamp) != 2:
            raise self.fail(f"`bias_clamp` must be null or a list [low, high], got {show(clamp)}")
        clamp = tuple(self.number(v, f"bias_clamp[{k}]") for k, v in enumerate(clamp))
        if clamp[0] > clamp[1]:
            raise self.fail(f"`bias_clamp` must have low <= high, got {list(clamp)}")
        return clamp

    def optimizer(self, value) -> tuple:
        """``(name, hyperparameters, steps)`` from the ``optimizer`` field (SGD's defaults and
        0 steps without one); its slot names become the slot fields the layers may have."""
        if value is None:
            self.slot_names = SGD.slot_names
            return SGD.name, {}, 0
        if not isinstance(value, dict) or "name" not in value:
            raise self.fail(f"`optimizer` must be a JSON object with a \"name\", got "
                            f"{show(value)}")
        name = self.choice(value["name"], "optimizer.name", OPTIMIZERS)
        kind = OPTIMIZERS[name]
        settings = tuple(kind().hyperparameters())
        self.fields(value, "optimizer", ("name",) + settings + ("steps",))
        hyperparameters = {key: self.number(value[key], f"optimizer.{key}") for key in settings}
        steps = self.integer(value["steps"], "optimizer.steps", 0, _MAX_STEPS)
        try:
            kind(**hyperparameters)
        except (TypeError, ValueError) as error:
            raise self.fail(f"`optimizer`: {error}") from None
        self.slot_names = kind.slot_names
        return name, hyperparameters, steps

    def training(self, value) -> dict:
        """A checkpoint's ``training`` field: where ``fit`` goes on from."""
        fields = self.fields(value, "training", ("epoch", "batch", "rng"), _TRAINING_SIZES)
        sizes = {key: self.integer(fields[key], f"training.{key}", 1, 10 ** 12)
                 for key in _TRAINING_SIZES if key in fields}
        epoch = self.integer(fields["epoch"], "training.epoch", 1, 10 ** 9)
        batch = self.integer(fields["batch"], "training.batch", 0, 10 ** 12)
        try:
            generator = np.random.default_rng()
            generator.bit_generator.state = fields["rng"]
        except (TypeError, ValueError, KeyError) as error:
            raise self.fail(f"`training.rng` must be the state of numpy's PCG64 generator: "
                            f"{error}") from None
        return {"epoch": epoch, "batch": batch, "rng": generator.bit_generator.state, **sizes}

    def layers(self, layers, dtype: np.dtype) -> list:
        """Every layer's spec, checked by its class: first all the shapes, so that an absurd
        size is refused before anything is made, then the parameters."""
        if not isinstance(layers, list) or len(layers) < 2:
            raise self.fail(f"`layers` must be a list of at least an input and an output layer, "
                            f"got {show(layers)}")
        if len(layers) > LIMITS.layers:
            raise self.fail(f"`layers` holds {len(layers):,} layers, more than the limit of "
                            f"{LIMITS.layers:,} (raise it with neurograph.limits(layers=...))")
        kinds, specs, total = [], [], 0
        self.earlier = specs  # the layers checked so far, which a layer may read
        for k, fields in enumerate(layers):
            where = f"layers[{k}]"
            if not isinstance(fields, dict):
                raise self.fail(f"`{where}` must be a JSON object, got {show(fields)}")
            if "kind" not in fields:
                raise self.fail(f"`{where}` lacks the field 'kind'")
            kinds.append(self.kind(fields["kind"], where, k, len(layers)))
            spec, parameters = kinds[-1].check_file_shape(self, fields, where,
                                                          specs[-1] if specs else None)
            total += parameters
            if total > LIMITS.parameters:
                raise self.fail(f"the layers up to `{where}` declare {total:,} parameters, "
                                f"more than the {LIMITS.parameters:,} a model may have (raise "
                                "it with neurograph.limits(parameters=...))")
            specs.append(spec)
        for k, (kind, fields, spec) in enumerate(zip(kinds, layers, specs)):
            self.earlier = specs[:k]
            kind.check_file_parameters(self, fields, spec, specs[k - 1] if k else None,
                                       f"layers[{k}]", dtype)
        return specs

    def source_fields(self) -> tuple:
        """``("from",)`` from version 4, where a layer that reads one layer may name it."""
        return ("from",) if self.version >= 4 else ()

    def source(self, fields: dict, where: str, spec: dict) -> int:
        """The index of the one layer a layer reads: its ``from`` (an earlier layer, put in
        ``spec``) or else the layer before."""
        if "from" not in fields:
            return len(self.earlier) - 1
        k = spec["from"] = self.earlier_index(fields["from"], f"{where}.from")
        return k

    def earlier_index(self, value, where: str) -> int:
        """``value``, the index of a layer before the one being read."""
        if type(value) is not int or not 0 <= value < len(self.earlier):
            raise self.fail(f"`{where}` must be the index of an earlier layer, 0 to "
                            f"{len(self.earlier) - 1}, got {show(value)}")
        return value

    def sources(self, inputs, where: str, slot_fields: tuple) -> list:
        """The layers a layer's ``inputs`` read: a non-empty list of objects, each with
        ``from`` (an earlier layer, no two the same), ``connections``, ``weights`` and the
        optional weight ``slot_fields``."""
        if not isinstance(inputs, list) or not inputs:
            raise self.fail(f"`{where}` must be a non-empty list of JSON objects, got "
                            f"{show(inputs)}")
        sources = []
        for m, block in enumerate(inputs):
            self.fields(block, f"{where}[{m}]", ("from", "connections", "weights"), slot_fields)
            k = self.earlier_index(block["from"], f"{where}[{m}].from")
            if k in sources:
                raise self.fail(f"`{where}[{m}].from` repeats layer {k}: a layer reads each "
                                "source once")
            sources.append(k)
        return sources

    def kind(self, kind, where: str, k: int, n_layers: int) -> type:
        """The class of layer ``k``'s kind, checked to stand where it may (input first,
        output last, the others between) in a file of a version that has it."""
        place = "first" if k == 0 else "last" if k == n_layers - 1 else "between"
        layer_class = LAYER_KINDS.get(kind) if type(kind) is str else None
        if layer_class is None or layer_class.file_place != place:
            allowed = [name for name, c in LAYER_KINDS.items() if c.file_place == place]
            old = [name for name in allowed if LAYER_KINDS[name].file_since == 1]
            newer = {LAYER_KINDS[name].file_since for name in allowed} - {1}
            expected = " or ".join(map(repr, old))
            for since in sorted(newer):
                later = [name for name in allowed if LAYER_KINDS[name].file_since == since]
                expected += f" or, from version {since}, one of {', '.join(map(repr, later))}"
            between = ("hidden between" if not newer else "the others between")
            raise self.fail(f"`{where}.kind` must be {expected} (input first, output last, "
                            f"{between}), got {show(kind)}")
        if layer_class.file_since > self.version:
            raise self.fail(f"`{where}.kind` {kind!r} needs format version "
                            f"{layer_class.file_since}, but the file says version "
                            f"{self.version}")
        return layer_class
