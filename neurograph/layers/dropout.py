"""Dropout: in training, each neuron passes its input on or drops it, at random.

Neuron ``j`` of a dropout layer reads neuron ``j`` of the layer before through one connection,
a switch: in a training mini-batch its weight for sample ``s`` is ``m_sj / (1 - rate)``, with
``m_sj`` 1 (kept, probability ``1 - rate``) or 0 (dropped), so ``z = a`` on average; outside
training (``predict``, ``evaluate``, ``propagate``) the weight is 1 and the layer passes its
inputs on unchanged. The masks of a mini-batch are drawn when it starts, from the layer's own
generator, so both engines draw the same ones. Nothing here learns.
"""
from __future__ import annotations

from typing import Optional

import numpy as np

from ..core.connection import SwitchConnection
from ..core.layers import Layer, SelfConnectingLayer, _float_buffer
from ..core.neurons import BiaslessNeuron
from ..core.validation import check_fraction, check_seed, check_shape
from .kinds import register_layer_kind

__all__ = ["DropoutLayer", "DropoutNeuron", "DropoutConnection", "dropout"]


class DropoutNeuron(BiaslessNeuron):
    """A neuron that passes its one input on, or drops it in training; it has no bias."""

    kind = "dropout"


class DropoutConnection(SwitchConnection):
    """The switch into a dropout neuron: ``1 / (1 - rate)`` when the sample keeps the neuron,
    0 when it drops it, and 1 outside training. Not a parameter: it cannot be set."""

    __slots__ = ()
    refusal = ("goes into a dropout neuron: its weight is its switch (1 / (1 - rate) or 0 in "
               "training, 1 otherwise), not a parameter")

    def _switch(self) -> float:
        return self.output_neuron.layer._switch(self.output_neuron.index)


class DropoutLayer(SelfConnectingLayer):
    """Drop each input with probability ``rate`` in training (scaling the kept ones by
    ``1 / (1 - rate)``); pass every input on unchanged outside training.

    Parameters
    ----------
    previous : int, tuple or Layer
        What it reads: a number of neurons, a shape, or the layer before (its ``shape``).
    rate : float
        The probability of dropping, in [0, 1).
    seed : int or numpy.random.Generator, optional
        Where the masks are drawn from.
    dtype : {"float64", "float32"}

    Examples
    --------
    >>> from neurograph import InputLayer, OutputLayer, Network
    >>> from neurograph.layers import DropoutLayer
    >>> inputs = InputLayer(4)
    >>> drop = DropoutLayer(inputs, 0.5, seed=0)
    >>> net = Network([inputs, drop, OutputLayer(2)])
    >>> drop
    DropoutLayer(index 1, 4 neurons, rate 0.5)
    """

    neuron_class = DropoutNeuron

    def __init__(self, previous, rate: float = 0.5, *, seed=None, dtype="float64") -> None:
        shape = previous.shape if isinstance(previous, Layer) else (
            (previous,) if isinstance(previous, (int, np.integer)) else previous)
        shape = check_shape("previous", shape)
        self.rate = check_fraction("rate", rate)
        self.rng = np.random.default_rng(check_seed(seed))
        self._masks: Optional[np.ndarray] = None  # (batch, size) while a batch trains
        super().__init__(int(np.prod(shape)), "identity", static=True, dtype=dtype)
        self.shape = shape
        self._weight_buffer, self.weights = _float_buffer(0, self.dtype)
        self._bias_buffer, self.biases = _float_buffer(0, self.dtype)

    def _make_neuron(self, index: int):
        return DropoutNeuron(self, index)

    def _describe(self) -> str:
        return f"{self.size} neurons, rate {self.rate:g}"

    @property
    def n_connections(self) -> int:
        return 0 if self.previous is None else self.size

    # -- connections -------------------------------------------------------------------------

    def _check_source(self, previous: Layer) -> None:
        if previous.size != self.size:
            raise ValueError(f"{self!r} reads {self.size} neurons, but {previous!r} has "
                             f"{previous.size}")

    def _connect(self, previous: Layer) -> None:
        """Neuron ``j`` reads neuron ``j`` of the layer before (the objects made on first use,
        see :meth:`_connection_objects`)."""
        self._make_connections(previous)

    def _connection_objects(self, source: Layer, pairs) -> list:
        """Neuron ``j`` reads neuron ``j`` of the layer before, through its switch (see
        :meth:`ReceivingLayer._connection_objects`)."""
        made = []
        for sender, receiver in zip(source.neurons, self.neurons):
            connection = DropoutConnection(sender, receiver, self._weight_buffer, 0)
            receiver._inputs.append(connection)
            made.append(connection)
        return made

    def outgoing_counts(self) -> np.ndarray:
        """One connection leaves each neuron of the layer before."""
        return np.ones(self.size, dtype=np.intp)

    def _initialize(self, scheme, rng) -> None:
        """Nothing to draw."""

    # -- training mode -----------------------------------------------------------------------

    acts_in_training = True

    def begin_batch(self, batch: int) -> None:
        """Draw this mini-batch's masks: row ``s`` scales sample ``s``'s inputs."""
        keep = self.rng.random((batch, self.size)) >= self.rate
        self._masks = (keep / (1.0 - self.rate)).astype(self.dtype)

    def end_batch(self) -> None:
        self._masks = None

    def eval(self) -> None:
        """Propagate into this layer; in training, with the mask of the sample being
        propagated (the object engine propagates sample ``s`` when ``s`` rows are recorded)."""
        if self._masks is not None:
            self._row = self._masks[min(len(self.record), len(self._masks) - 1)].tolist()
        super().eval()

    def _switch(self, j: int) -> float:
        """Neuron ``j``'s switch for the sample last propagated, or 1 outside training."""
        return 1.0 if self._masks is None else self._row[j]

    # -- the layer protocol ------------------------------------------------------------------

    def trainable_entries(self, name: str):
        return False

    def state(self) -> dict:
        """Its generator's state: what training changes here."""
        return {"rng": self.rng.bit_generator.state}

    def set_state(self, state: dict) -> None:
        self.rng.bit_generator.state = state["rng"]

    def structure(self) -> tuple:
        return super().structure() + (self.rate,)

    def forward_batch(self, a_in: np.ndarray, keep: bool = False):
        if self._masks is None:
            return a_in.copy(), None
        return a_in * self._masks, None

    def backward_batch(self, delta: np.ndarray, a_in: np.ndarray, cache) -> np.ndarray:
        return delta if self._masks is None else delta * self._masks

    def web_spec(self, encode) -> dict:
        """Outside training dropout passes its input on unchanged: ``z = a_in``."""
        return {"op": "identity"}

    def onnx_nodes(self, builder, a_in: str) -> str:
        """ONNX: an ``Identity`` (dropout acts in training only; a file is for inference)."""
        return builder.node("Identity", [a_in], "z", f"dropout (rate {self.rate:g} in "
                            "training): outside training its input passes on unchanged")

    def nudge(self, optimizer, bias_clamp=None) -> None:
        """Nothing learns."""

    def first_non_finite(self, name: str, values: np.ndarray) -> str:
        return f"{name} of {self!r}"  # it has none: never reached

    # -- the model file ----------------------------------------------------------------------
    # (see ReceivingLayer's "the model file"): its rate and its generator's state, so that a
    # loaded network, or a resumed run, draws the masks the saved one would have drawn next.

    file_kind = "dropout"
    file_place = "between"
    file_since = 3

    def describe_for_file(self, optimizer) -> dict:
        described = {"kind": self.file_kind, "size": self.size, "rate": self.rate,
                     "rng": self.rng.bit_generator.state}
        if tuple(self.shape) != (self.size,):
            described["shape"] = list(self.shape)
        return self._with_source(described)

    @classmethod
    def check_file_shape(cls, reader, fields: dict, where: str, before: dict) -> tuple:
        """As many neurons as the layer before, in an optional ``shape`` that holds them."""
        reader.fields(fields, where, ("kind", "size", "rate", "rng"),
                      ("shape",) + reader.source_fields())
        size = reader.integer(fields["size"], f"{where}.size", 1, reader.max_size)
        spec = {"kind": cls.file_kind, "size": size, "shape": (size,)}
        source = reader.source(fields, where, spec)
        read = reader.earlier[source]["size"]
        if size != read:
            layer = "the layer before" if "from" not in spec else f"layer {source}, which it reads"
            raise reader.fail(f"`{where}.size` must be the {read:,} neurons of {layer}, "
                              f"got {size:,}")
        if "shape" in fields:
            spec["shape"] = reader.shape(fields["shape"], f"{where}.shape", (1, 2, 3))
            if reader.product(spec["shape"]) != size:
                raise reader.fail(f"`{where}.shape` {reader.dims(spec['shape'])} must hold its "
                                  f"{size:,} neurons")
        return spec, size  # one connection per neuron

    @classmethod
    def check_file_parameters(cls, reader, fields: dict, spec: dict, before: dict, where: str,
                              dtype: np.dtype) -> None:
        """A ``rate`` in [0, 1) and the state of a numpy PCG64 generator."""
        rate = reader.number(fields["rate"], f"{where}.rate")
        if not 0.0 <= rate < 1.0:
            raise reader.fail(f"`{where}.rate` must be in [0, 1), got {rate!r}")
        generator = np.random.default_rng()
        try:
            generator.bit_generator.state = fields["rng"]
        except (TypeError, ValueError, KeyError, OverflowError):
            raise reader.fail(f"`{where}.rng` must be the state of numpy's PCG64 generator: "
                              f"{reader.show(fields['rng'])}") from None
        spec.update(rate=rate, rng=generator.bit_generator.state)

    @classmethod
    def from_file(cls, spec: dict, dtype: np.dtype) -> "DropoutLayer":
        layer = cls(spec["shape"], spec["rate"], dtype=dtype)
        layer.rng.bit_generator.state = spec["rng"]
        return layer

    def connect_from_file(self, earlier: list, spec: dict) -> None:
        """Read the layer ``spec`` names (``from``), or else the layer before."""
        self.receive_from(earlier[spec.get("from", len(earlier) - 1)])

    def restore_from_file(self, spec: dict, optimizer) -> None:
        """Nothing: no parameters, no optimizer state."""

    # -- hints for the teaching tools --------------------------------------------------------

    def without_parameters(self) -> str:
        return "a dropout neuron has no bias and no weights to learn"

    def explain_z(self, neuron, max_terms: int) -> str:
        from ..teaching.explain import _number

        a = neuron.inputs[0].input_activation
        return (f"  z = switch {_number(neuron.inputs[0].weight)} x {_number(a)} = "
                f"{_number(neuron.z)} (kept inputs are scaled by 1 / (1 - {self.rate:g}) in "
                "training; outside training the switch is 1)")

    def explain_connection(self, connection) -> str:
        return (f"{connection!r}\n  a dropout switch, not a parameter: in a training "
                f"mini-batch it is 1 / (1 - {self.rate:g}) when the sample keeps the neuron and "
                "0 when it drops it; outside training it is 1")

    def sample_derivatives_by_weight(self, deltas, inputs) -> np.ndarray:
        return np.empty(0)

    def weights_shown(self, weights=None) -> np.ndarray:
        return np.empty(0)

    def refuses_per_connection_values(self) -> str:
        return "its connections are dropout switches, not weights"

    def refuses_silencing(self) -> str:
        return "whose connections are dropout switches, not weights"

    def carries_on(self, neuron):
        """Neuron ``j`` passes on neuron ``j`` of the layer before (its switch is 1 outside
        training)."""
        return self.neurons[neuron.index]

    def lesion_candidates(self) -> list:
        return []

    def check_entries(self, deltas, inputs):
        return iter(())

    def n_check_entries(self) -> int:
        return 0

    # -- hints for the diagram and plots -----------------------------------------------------

    def connection_strengths(self) -> tuple[np.ndarray, np.ndarray]:
        """One switch per neuron, each drawn at full strength."""
        return np.eye(self.size, dtype=bool), np.ones((self.size, self.size))

    def diagram_caption(self) -> str:
        return f"dropout {self.rate:g}\n{self.size}"

    def weight_picture(self):
        raise ValueError("a dropout layer has no weights to show (each neuron passes its one "
                         "input on, or drops it in training)")

    def graph_edges(self) -> list:
        return [(j, j, {"weight": 1.0, "dropout": self.rate}) for j in range(self.size)]

    def summary(self) -> tuple[str, str, int, int]:
        return ("dropout", f"{'identity':<10} {'static':>12}  drops each input with "
                           f"probability {self.rate:g} in training", 0, 0)


register_layer_kind(DropoutLayer)


def dropout(rate: float = 0.5, *, seed=None):
    """A dropout layer for :meth:`Network.convolutional`'s ``front`` (see
    :class:`DropoutLayer`)."""
    from .convolution import _recipe

    return _recipe(DropoutLayer, rate=rate, seed=seed)
