"""Neurons, in the roles of the Kotlin post: transmitters send, receivers weigh and activate.

A receiver computes ``z = bias + sum_i w_i a_i`` and ``a = f(z)``. In training it records, per
sample, ``delta = dC/dz = dC/da * f'(z)``: the derivative of the cost by its bias.
"""
from __future__ import annotations

import math
from typing import Optional, Sequence

import numpy as np

__all__ = [
    "Neuron",
    "TransmitterNeuron",
    "ReceiverNeuron",
    "InputNeuron",
    "HiddenNeuron",
    "OutputNeuron",
    "StaticNeuron",
    "BiaslessNeuron",
]


def _mean(values: Sequence[float]) -> float:
    return sum(values) / len(values)


def _optimizer_for(layer, step_size, momentum: float, optimizer):
    """The optimizer a nudge uses: ``optimizer``, or SGD with ``step_size`` and ``momentum``
    keeping its velocities where the network's own SGD keeps them."""
    if optimizer is not None:
        return optimizer
    from ..optimizers import SGD

    return SGD(step_size, momentum).continue_from(
        None if layer.network is None else layer.network.optimizer)


class Neuron:
    """What every neuron has: a place (``layer``, ``index``) and an ``activation``.

    ``activation`` is the neuron's activation for the sample last propagated. Neurons are made by
    their layer (``HiddenLayer(3)`` makes three ``HiddenNeuron`` objects), not directly.
    """

    receives = False
    """True for a neuron that weighs inputs (it has ``inputs``, a ``bias`` and its layer's
    activation function): hidden and output neurons, not input neurons."""

    transmits = False
    """True for a neuron that sends its activation on (it has ``outputs``): input and hidden
    neurons."""

    static = False
    """True for a neuron whose parameters never change in training (see StaticNeuron)."""

    def __init__(self, layer, index: int) -> None:
        self.layer = layer
        self.index = index
        self.activation = 0.0

    def _place(self) -> str:
        layer = self.layer.index
        return f"layer {'?' if layer is None else layer}, #{self.index}"

    def explain(self, max_terms: int = 8):
        """The arithmetic behind this neuron's numbers, with the real values (see
        :func:`neurograph.explain.explain_neuron`); ``print`` it or look at it in a REPL."""
        from ..teaching.explain import explain_neuron

        return explain_neuron(self, max_terms)


class TransmitterNeuron(Neuron):
    """The role of a neuron that sends its activation on: it has ``outputs``.

    Input and hidden neurons are transmitters; output neurons are not.
    """

    transmits = True

    def __init__(self, layer, index: int) -> None:
        super().__init__(layer, index)
        self._outputs: Optional[list] = None  # of Connection, once made (see `outputs`)

    @property
    def outputs(self) -> list:
        """The connections leaving this neuron (a list of :class:`Connection`), in the order
        they were made, into whichever later layers.

        A layer's weights and mask are what both engines compute with; the connection objects
        are windows onto them, made on first use (here, for every connection out of this
        neuron's layer), once: then the same objects are kept (see
        :meth:`Layer.make_connection_objects`).
        """
        if self._outputs is None:
            self.layer._make_output_objects()
        return self._outputs

    @outputs.setter
    def outputs(self, connections: list) -> None:
        # a list set by hand (reordered, say) replaces the one made on first use, so that one
        # is made first: making it later would overwrite this
        if self._outputs is None:
            self.layer._make_output_objects()
        self._outputs = connections

    def connect_to(self, receiver: ReceiverNeuron, weight: Optional[float] = None, *,
                   seed=None) -> Connection:
        """Connect this neuron to ``receiver``, a neuron of any later layer; return the connection.

        Parameters
        ----------
        receiver : ReceiverNeuron
            A hidden or output neuron of any layer after this neuron's layer.
        weight : float, optional
            The connection's weight; by default drawn from U(-0.5, 0.5) as in the post.
        seed : int or numpy.random.Generator, optional
            Where the default weight is drawn from.

        Raises
        ------
        TypeError
            If ``receiver`` cannot receive (an input neuron, or not a neuron).
        ValueError
            If ``receiver`` is this neuron, is in the same or an earlier layer (a cycle), is
            already connected to this neuron, or ``weight`` is not finite. Nothing changes
            then.

        Examples
        --------
        >>> from neurograph import InputLayer, OutputLayer
        >>> inputs, outputs = InputLayer(2), OutputLayer(1)
        >>> inputs[1].connect_to(outputs[0], weight=0.5)
        Connection(layer ? #1 -> layer ? #0, weight=0.5)
        """
        from .validation import check_seed

        if receiver is self:
            raise ValueError(f"cannot connect {self!r} to itself")
        if not isinstance(receiver, ReceiverNeuron):
            raise TypeError(f"`receiver` must be a hidden or output neuron, got {receiver!r}")
        receiver.layer.check_connection(self, receiver)
        if weight is None:
            weight = float(np.random.default_rng(check_seed(seed)).uniform(-0.5, 0.5))
        try:
            weight = float(weight)
        except (TypeError, ValueError):
            raise ValueError(f"`weight` must be a number, got {weight!r}") from None
        if not math.isfinite(weight):
            raise ValueError(f"`weight` must be finite, got {weight}")
        return receiver.layer._add_connection(self, receiver, weight)


class ReceiverNeuron(Neuron):
    """The role of a neuron that weighs its inputs: it has ``inputs``, a ``bias``, an
    ``activation_function`` and ``derivatives_of_cost_by_bias_per_sample``.

    Hidden and output neurons are receivers. The bias is a window onto
    ``layer.biases[index]`` (in a convolution layer, onto its feature map's shared bias) and the
    activation function is the layer's.
    """

    static = False
    receives = True

    def __init__(self, layer, index: int) -> None:
        super().__init__(layer, index)
        self._inputs: Optional[list] = None  # of Connection, once made (see `inputs`)
        self.z = 0.0  # the weighted sum for the sample last propagated
        self._b = index  # where the bias is in the layer's biases (shared in a feature map)

    @property
    def inputs(self) -> list:
        """The connections into this neuron (a list of :class:`Connection`), in the order they
        were made; made on first use (for every connection into this neuron's layer), once,
        like :attr:`TransmitterNeuron.outputs`."""
        if self._inputs is None:
            self.layer._make_input_objects()
        return self._inputs

    @inputs.setter
    def inputs(self, connections: list) -> None:
        # as for `outputs`: the list made on first use is made first, then replaced
        if self._inputs is None:
            self.layer._make_input_objects()
        self._inputs = connections

    @property
    def bias(self) -> float:
        """The bias, a window onto ``layer.biases[index]``."""
        return self.layer._bias_buffer[self._b]

    @bias.setter
    def bias(self, value: float) -> None:
        value = float(value)
        buffer = self.layer._bias_buffer
        old = buffer[self._b]
        buffer[self._b] = value
        if not math.isfinite(buffer[self._b]):  # also a float32 overflow on storing
            buffer[self._b] = old
            raise ValueError(f"bias of {self!r} must be finite, got {value}")

    @property
    def activation_function(self) -> "Activation":
        """The layer's activation function ``f`` (``a = f(z)``)."""
        return self.layer.activation_function

    @property
    def derivatives_of_cost_by_bias_per_sample(self) -> list[float]:
        """dC/db for each sample trained since the last ``clear()``.

        ``dC/db = dC/dz = delta``, because ``z`` grows one for one with the bias. A fresh list
        read from the layer's record: changing it changes nothing.
        """
        j = self.index
        return [float(d[j]) for d in self.layer.record.deltas]

    @property
    def delta(self) -> float:
        """dC/dz of the sample trained last (the newest entry of the per-sample bias list)."""
        return self.layer.record.deltas[-1][self.index]

    def eval(self) -> None:
        """Propagation: ``z = bias + sum of input strengths``, ``a = f(z)``.

        A connection's input strength is its weight times its input neuron's activation
        (``connection.input_strength``). Here each weight is read from ``weights``, the
        layer's weights as one list of Python floats that the layer reads once for all its
        neurons (:meth:`ReceivingLayer.weights_read_once`), at the connection's place in it:
        the same number as ``connection.weight``, without a call through the window for each
        of the connections (most of the time of a pass went there).

        With a layerwise activation (softmax) only ``z`` is computed here; the layer then sets
        every neuron's activation from all of them.
        """
        layer = self.layer
        weights = layer._weights_read
        if weights is None:  # evaluated on its own, not by its layer: read the buffer itself
            weights = layer._weight_buffer
        z = self.bias
        for connection in self.inputs:
            z += weights[connection._k] * connection.input_neuron.activation  # input strength
        self._activate(z)

    def _activate(self, z: float) -> None:
        """Keep the weighted sum ``z`` and set ``a = f(z)``, unless ``f`` is layerwise."""
        self.z = z
        f = self.layer.activation_function
        if not f.layerwise:
            self.activation = f(z)

    def _add_sample(self, derivative_of_cost_by_activation: float) -> None:
        """Record this sample's ``delta = dC/da * f'(z)``, shared by output and hidden neurons."""
        self._record_delta(
            derivative_of_cost_by_activation * self.activation_function.derivative(self.z))

    def _record_delta(self, delta: float) -> None:
        """Add ``delta = dC/dz`` to this sample's row of the layer's record.

        That one number is the sample's derivative of the cost by the bias, and times each
        input activation it is the derivative by that connection's weight, which is why the
        connections' per-sample lists are read from it instead of being stored again.
        """
        self.layer.record.deltas[-1][self.index] = float(delta)

    def nudge_parameters(self, step_size: Optional[float] = None,
                         bias_clamp: Optional[tuple[float, float]] = None,
                         momentum: float = 0.0, *, optimizer=None) -> None:
        """Step 7: move each incoming weight and the bias against the mean of its derivatives.

        ``w -= step_size * mean(dC/dw per sample)`` and likewise for the bias, which is then
        clamped to ``bias_clamp`` (``(low, high)``) when one is given. With ``momentum`` ``m``
        each parameter keeps a velocity ``v = m v - step_size * mean(...)`` and moves by ``v``.
        Give an ``optimizer`` (:mod:`neurograph.optimizers`) instead to move them by its rule.

        The means of the incoming connections' lists come from the layer's record in one go
        (see ``SampleRecord.mean_derivatives_by_weight``); they are the means of
        ``connection.derivatives_of_cost_by_weight_per_sample``.
        """
        optimizer = _optimizer_for(self.layer, step_size, momentum, optimizer)
        self.layer.nudge_neuron(self, optimizer, bias_clamp)

    def _nudge_own(self, optimizer, bias_clamp) -> None:
        """The nudge of a neuron that owns its weights and bias: each moves by the optimizer's
        ``change`` for the mean of its per-sample list.

        The weights are moved in the layer's buffer directly (``connection.weight`` is a window
        onto the same entry), and the row is checked once afterwards: only if a weight came out
        non-finite are the row and its optimizer slots put back and the nudge made again
        through each connection's ``weight``, whose setter names the first such weight."""
        layer = self.layer
        means = layer.record.mean_derivatives_by_weight(self.index)  # by input column
        slots = optimizer.slots(layer, "weights")
        row = self.index * layer.n_inputs  # where this neuron's row starts: _k - row is the column
        end = row + layer.n_inputs
        inputs = self.inputs
        buffers = [layer._weight_buffer, *slots.buffers.values()]
        saved = [buffer[row:end] for buffer in buffers]
        weights, change = layer._weight_buffer, optimizer.change
        for connection in inputs:
            k = connection._k
            weights[k] += change(means[k - row], slots, k)
        if not np.isfinite(layer.weights[self.index]).all():
            for buffer, values in zip(buffers, saved):
                buffer[row:end] = values
            for connection in inputs:
                gradient = means[connection._k - row]
                connection.weight += optimizer.change(gradient, slots, connection._k)
        gradient = _mean(self.derivatives_of_cost_by_bias_per_sample)
        bias = self.bias + optimizer.change(gradient, optimizer.slots(layer, "biases"), self._b)
        if bias_clamp is not None:
            bias = min(max(bias, bias_clamp[0]), bias_clamp[1])
        self.bias = bias

    def __repr__(self) -> str:
        static = ", static" if self.static else ""
        return (f"{type(self).__name__}({self._place()}, bias={self.bias:.4g}, "
                f"{self.activation_function.name}{static})")


class InputNeuron(TransmitterNeuron):
    """A neuron of the input layer: its activation is set from the sample, it has no bias."""

    def __repr__(self) -> str:
        return f"InputNeuron({self._place()}, activation={self.activation:.4g})"


class HiddenNeuron(TransmitterNeuron, ReceiverNeuron):
    """A neuron of a hidden layer: a receiver and a transmitter.

    It also keeps ``derivatives_of_cost_by_activation``: per sample, how the cost changes with
    its activation, which is what backpropagation hands back to the layer before.
    """

    @property
    def derivatives_of_cost_by_activation(self) -> list[float]:
        """dC/da for each sample trained since the last ``clear()`` (a fresh list)."""
        j = self.index
        return [float(d[j]) for d in self.layer.record.derivatives_of_cost_by_activation]

    def train(self) -> None:
        """Step 5, for one neuron and the current sample (after every later layer is trained).

        ``dC/da`` is the SUM over this neuron's outgoing connections of
        ``weight x delta of the receiver``: the activation reaches the cost along every one of
        them, and the chain rule adds the paths. (The Kotlin post averages them: a bug that
        ``gradient_check`` exposes, reproduced by ``Network(..., hidden_derivative="mean")``,
        which divides the sum by the number of outgoing connections.)
        """
        derivative_of_cost_by_activation = 0.0
        for connection in self.outputs:
            derivative_of_cost_by_activation += connection.weight * connection.output_neuron.delta
        network = self.layer.network
        if self.outputs and network is not None and network.hidden_derivative == "mean":
            derivative_of_cost_by_activation /= len(self.outputs)
        self.layer.record.derivatives_of_cost_by_activation[-1][self.index] = (
            derivative_of_cost_by_activation)
        self._add_sample(derivative_of_cost_by_activation)


class StaticNeuron(HiddenNeuron):
    """A hidden neuron whose bias and incoming weights never learn (a fixed feature detector).

    It still propagates and passes derivatives back to the layer before; only
    :meth:`nudge_parameters` leaves it as it is.
    """

    static = True

    def nudge_parameters(self, step_size: Optional[float] = None,
                         bias_clamp: Optional[tuple[float, float]] = None,
                         momentum: float = 0.0, *, optimizer=None) -> None:
        """A static neuron keeps its parameters: nothing to do."""


class OutputNeuron(ReceiverNeuron):
    """A neuron of the output layer: a receiver with a ``desired_activation`` and a cost."""

    def __init__(self, layer, index: int) -> None:
        super().__init__(layer, index)
        self.desired_activation = 0.0

    def cost(self) -> float:
        """This neuron's share of the sample's cost, e.g. ``(a - y)^2`` for the quadratic cost.

        A cross-entropy after its own activation (softmax, sigmoid) is computed from the
        weighted sums, exactly (see ``costs.cost_terms``): for softmax from the whole layer's.
        """
        layer, f = self.layer, self.activation_function
        if f.name not in layer.cost.from_logits:
            return float(layer.cost.term(self.activation, self.desired_activation))
        from .costs import cost_terms

        if not f.layerwise:
            return float(cost_terms(layer.cost, f, self.z, self.activation,
                                    self.desired_activation))
        neurons = layer.neurons
        terms = cost_terms(layer.cost, f, [n.z for n in neurons],
                           [n.activation for n in neurons],
                           [n.desired_activation for n in neurons])
        return float(terms[self.index])

    def train(self) -> None:
        """Step 4, for one neuron and the current sample: ``dC/da`` comes from the cost.

        Usually ``delta = dC/da * f'(z)``. Two cases differ (see ``costs.output_deltas``, the
        same rule for a whole batch): a cost may have a shortcut for this activation, as
        cross-entropy has for softmax (``delta = a - y``: the two derivatives cancel); and a
        softmax output depends on every ``z`` of the layer, so its delta gathers them all.
        """
        cost, f = self.layer.cost, self.activation_function
        a, y = self.activation, self.desired_activation
        shortcut = cost.shortcuts.get(f.name)
        if shortcut is not None:
            self._record_delta(shortcut(a, y))
        elif f.layerwise:  # softmax: dC/dz_j = a_j (dC/da_j - sum_k dC/da_k a_k)
            weighted = sum(cost.derivative(n.activation, n.desired_activation) * n.activation
                           for n in self.layer.neurons)
            self._record_delta(a * (cost.derivative(a, y) - weighted))
        else:
            self._add_sample(cost.derivative(a, y))


class BiaslessNeuron(StaticNeuron):
    """A static neuron with no bias (it reads as 0): what pooling and dropout neurons are.
    ``kind`` names them in the error a bias assignment raises."""

    kind = "biasless"

    def eval(self) -> None:
        """Propagation: ``z = sum of input strengths``, ``a = f(z)``, each strength asked of its
        connection: a pooling or dropout connection's weight may be a switch (see
        :class:`~neurograph.core.connection.SwitchConnection`), not an entry of the layer's
        weights."""
        z = 0.0
        for connection in self.inputs:
            z += connection.input_strength
        self._activate(z)

    @property
    def bias(self) -> float:
        return 0.0

    @bias.setter
    def bias(self, value: float) -> None:
        raise AttributeError(f"{self!r} is a {self.kind} neuron: it has no bias")
